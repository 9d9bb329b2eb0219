/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/core/ratelimit.h"

void
trawl_ratelimit_init(struct trawl_ratelimit *rl, uint64_t pps, uint64_t hz, unsigned int max)
{
	memset(rl, 0, sizeof(*rl));
	rl->pps = pps;
	rl->hz = hz;
	rl->cap = (uint64_t)((double)pps * TRAWL_RATELIMIT_CREDIT_S) + max;
	rl->peak_per_tick = (double)pps * TRAWL_RATELIMIT_PEAK / (double)hz;
	/* No burst allowance on top: at 1 kpps one burst of 32 would be 3x a 10 ms window. */
	rl->peak_depth = (double)pps * TRAWL_RATELIMIT_PEAK * TRAWL_RATELIMIT_DEPTH_S;
	if (rl->peak_depth < 1.0)
		rl->peak_depth = 1.0;
}

unsigned int
trawl_ratelimit_budget(struct trawl_ratelimit *rl, uint64_t now, unsigned int max)
{
	uint64_t allowed, done, deficit;

	if (rl->pps == 0)
		return max;
	if (rl->t0 == 0) {
		rl->t0 = rl->peak_last = now;
		rl->peak_tokens = 1;
	}
	allowed = (uint64_t)((unsigned __int128)(now - rl->t0) * rl->pps / rl->hz);
	done = rl->spent + rl->forgiven;
	if (allowed <= done)
		return 0;
	deficit = allowed - done;
	if (deficit > rl->cap) {
		/* Forget credit beyond the cap: a long stall is not made up for. */
		rl->forgiven += deficit - rl->cap;
		deficit = rl->cap;
	}
	rl->peak_tokens += (double)(now - rl->peak_last) * rl->peak_per_tick;
	if (rl->peak_tokens > rl->peak_depth)
		rl->peak_tokens = rl->peak_depth;
	rl->peak_last = now;
	if (deficit > (uint64_t)rl->peak_tokens)
		deficit = (uint64_t)rl->peak_tokens;
	return deficit < max ? (unsigned int)deficit : max;
}

void
trawl_window_init(struct trawl_window *w, uint64_t bucket_ticks)
{
	memset(w, 0, sizeof(*w));
	w->bucket_ticks = bucket_ticks;
}

void
trawl_window_slide(struct trawl_window *w, uint64_t now)
{
	if (w->bucket_end == 0 || now - w->bucket_end >= w->bucket_ticks * TRAWL_WINDOW_BUCKETS) {
		/* First count, or idle for a whole window: nothing in it any more. */
		memset(w->bucket, 0, sizeof(w->bucket));
		w->sum = 0;
		w->bucket_end = now + w->bucket_ticks;
		return;
	}
	while (now >= w->bucket_end) {
		w->cur = (w->cur + 1) % TRAWL_WINDOW_BUCKETS;
		w->sum -= w->bucket[w->cur];
		w->bucket[w->cur] = 0;
		w->bucket_end += w->bucket_ticks;
	}
}
