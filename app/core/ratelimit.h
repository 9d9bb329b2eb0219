/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RATELIMIT_H
#define TRAWL_RATELIMIT_H

#include <stdint.h>

/*
 * The send-rate limiter of one TX role and the meter that checks it, in
 * ticks of any clock (the TSC in the appliance, a simulated clock in the
 * tests). Pure: no EAL.
 *
 * Two buckets, as tc's rate and peakrate. The mean: probes allowed by time t
 * are pps * (t - t0) / hz, with up to 100 ms of credit kept through stalls
 * (a VM preempting the TX lcore must not make the run slow). The peak:
 * refilled at 1.5 * pps with 1 ms (at least one probe) of depth, through
 * which any catching up must pass, so that no 10 ms holds more than
 * 1.5 * 10 ms + 1.5 * 1 ms = 1.65x its share, plus at most one probe.
 * ZMap and masscan both shipped limiters that burst after a stall.
 */
struct trawl_ratelimit {
	uint64_t hz;
	uint64_t pps;         /**< 0 = unlimited */
	uint64_t t0;          /**< 0 = not started */
	uint64_t spent;       /**< probes sent since start */
	uint64_t forgiven;    /**< credit beyond the cap, forgotten (counted as if spent) */
	uint64_t cap;         /**< most credit kept, in probes (per run) */
	double peak_per_tick; /**< peak bucket refill (per run) */
	double peak_depth;    /**< peak bucket size, at least one probe (per run) */
	uint64_t peak_last;
	double peak_tokens;
};

#define TRAWL_RATELIMIT_PEAK 1.5      /* catching up never runs above 1.5x the rate... */
#define TRAWL_RATELIMIT_DEPTH_S 0.001 /* ...beyond 1 ms worth of it at once */
#define TRAWL_RATELIMIT_CREDIT_S 0.1  /* stalls up to 100 ms cost nothing of the mean */

/** @p max: the most probes ever asked for at once (the burst size). */
void trawl_ratelimit_init(struct trawl_ratelimit *rl, uint64_t pps, uint64_t hz, unsigned int max);

/** How many probes may go now, at most max. */
unsigned int trawl_ratelimit_budget(struct trawl_ratelimit *rl, uint64_t now, unsigned int max);

/** n probes went (n <= the budget just granted). */
static inline void
trawl_ratelimit_spend(struct trawl_ratelimit *rl, unsigned int n)
{
	rl->spent += n;
	rl->peak_tokens -= n;
}

/*
 * Probes in the busiest window of `TRAWL_WINDOW_BUCKETS` buckets, sliding a
 * bucket at a time (10 ms in 1 ms steps in the appliance): what a policer
 * upstream sees, measured where the probes are handed to the port.
 */
#define TRAWL_WINDOW_BUCKETS 10

struct trawl_window {
	uint64_t bucket_ticks;
	uint64_t bucket_end;  /**< when the open bucket closes, 0 = nothing counted yet */
	uint32_t bucket[TRAWL_WINDOW_BUCKETS];
	uint32_t cur;
	uint64_t sum;         /**< in the open bucket and the nine before it */
	uint64_t max;
};

void trawl_window_init(struct trawl_window *w, uint64_t bucket_ticks);

/** Out of line: runs once a bucket closes. */
void trawl_window_slide(struct trawl_window *w, uint64_t now);

static inline void
trawl_window_count(struct trawl_window *w, uint64_t now, uint32_t n)
{
	if (__builtin_expect(now >= w->bucket_end, 0))
		trawl_window_slide(w, now);
	w->bucket[w->cur] += n;
	w->sum += n;
	if (w->sum > w->max)
		__atomic_store_n(&w->max, w->sum, __ATOMIC_RELAXED); /* read by another thread */
}

#endif
