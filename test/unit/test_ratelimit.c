/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rate limiter and the 10 ms meter on a simulated clock (1 tick = 1 ns):
 * a TX loop whose rounds cost a random few hundred ns, preempted now and
 * then for up to 60 ms as a VM's vCPU is. Checked against an independent
 * exact sliding-window count over every probe's send time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/check.h"
#include "app/core/ratelimit.h"

#define HZ 1000000000ull
#define MS (HZ / 1000)
#define BURST 32

struct sendlog {
	uint64_t *t;  /* send time of every probe, in order */
	uint64_t n, cap;
};

static void
log_add(struct sendlog *l, uint64_t now, unsigned int n)
{
	while (l->n + n > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->t = realloc(l->t, l->cap * sizeof(*l->t));
	}
	for (unsigned int i = 0; i < n; i++)
		l->t[l->n++] = now;
}

/* Most probes in any half-open interval [t, t + len): two pointers over sorted times. */
static uint64_t
exact_window_max(const struct sendlog *l, uint64_t len)
{
	uint64_t best = 0, lo = 0;

	for (uint64_t hi = 0; hi < l->n; hi++) {
		while (l->t[hi] - l->t[lo] >= len)
			lo++;
		if (hi - lo + 1 > best)
			best = hi - lo + 1;
	}
	return best;
}

struct sim {
	uint64_t pps, secs;
	unsigned int stall_every_ms, stall_max_ms; /* 0 = no stalls */
	uint64_t sent;
	uint64_t meter_max, exact_max;
	double mean;
};

static void
simulate(struct sim *s, unsigned int seed)
{
	struct trawl_ratelimit rl;
	struct trawl_window w;
	struct sendlog log = { 0 };
	uint64_t now = 1000 * MS, start = now, end = now + s->secs * HZ, next_stall = now;

	srand(seed);
	trawl_ratelimit_init(&rl, s->pps, HZ, BURST);
	trawl_window_init(&w, MS);
	while (now < end) {
		unsigned int n = trawl_ratelimit_budget(&rl, now, BURST);

		if (n != 0) {
			trawl_window_count(&w, now, n);
			trawl_ratelimit_spend(&rl, n);
			log_add(&log, now, n);
		}
		now += 40 + (uint64_t)(rand() % 400) + 12 * n; /* a round: poll, make n probes */
		if (s->stall_every_ms != 0 && now >= next_stall) {
			now += (uint64_t)(rand() % (int)s->stall_max_ms + 1) * MS;
			next_stall = now + (uint64_t)(rand() % (int)(2 * s->stall_every_ms) + 1) * MS;
		}
	}
	s->sent = log.n;
	s->mean = (double)log.n * HZ / (double)(end - start);
	s->meter_max = w.max;
	s->exact_max = exact_window_max(&log, 10 * MS);
	free(log.t);
}

/* The bar: mean within 2% of the request, no 10 ms window above 2x. */
static void
check_rate(uint64_t pps, unsigned int stall_every_ms, unsigned int stall_max_ms)
{
	struct sim s = { .pps = pps, .secs = pps >= 1000000 ? 3 : 10,
		.stall_every_ms = stall_every_ms, .stall_max_ms = stall_max_ms };
	double want10ms = (double)pps / 100;

	simulate(&s, (unsigned int)pps ^ stall_max_ms);
	printf("     %8llu pps, stalls <= %2u ms every ~%3u ms: mean %.1f (%+.3f%%), busiest 10 ms %llu (%.2fx), meter %llu\n",
		(unsigned long long)pps, stall_max_ms, stall_every_ms, s.mean, 100 * (s.mean / (double)pps - 1),
		(unsigned long long)s.exact_max, (double)s.exact_max / want10ms, (unsigned long long)s.meter_max);
	CHECK(s.mean > 0.98 * (double)pps && s.mean < 1.02 * (double)pps);
	CHECK((double)s.exact_max <= 2 * want10ms);
	/* The meter slides in 1 ms steps: never above the exact count, and not far below it. */
	CHECK(s.meter_max <= s.exact_max);
	CHECK((double)s.meter_max >= 0.85 * (double)s.exact_max);
}

static void
test_steady_rates(void)
{
	check_rate(1000, 0, 0);
	check_rate(100000, 0, 0);
	check_rate(1000000, 0, 0);
}

static void
test_rates_through_stalls(void)
{
	/* Stalls below the 100 ms credit are made up for, but never in a burst. */
	check_rate(1000, 200, 60);
	check_rate(100000, 200, 60);
	check_rate(1000000, 200, 60);
	check_rate(1000000, 50, 5);
}

static void
test_long_stall_not_made_up(void)
{
	/* One 1 s stall in a 3 s run at 100 kpps: 100 ms of it is made up, no more. */
	struct trawl_ratelimit rl;
	uint64_t now = MS, sent = 0;

	trawl_ratelimit_init(&rl, 100000, HZ, BURST);
	while (now < 3 * HZ + MS) {
		unsigned int n = trawl_ratelimit_budget(&rl, now, BURST);

		trawl_ratelimit_spend(&rl, n);
		sent += n;
		now += (now >= HZ && now < HZ + 1000) ? HZ : 500;
	}
	CHECK(sent >= 200000 + 10000 - 2 * BURST && sent <= 200000 + 10000 + 2 * BURST);
}

static void
test_unlimited_and_tiny_rates(void)
{
	struct trawl_ratelimit rl;
	struct sim s = { .pps = 10, .secs = 20 };

	trawl_ratelimit_init(&rl, 0, HZ, BURST);
	CHECK_EQ_U64(trawl_ratelimit_budget(&rl, 5, BURST), BURST);
	/* 10 pps: one probe at a time, 200 +- 1 in 20 s. */
	simulate(&s, 7);
	CHECK(s.sent >= 199 && s.sent <= 201);
	CHECK_EQ_U64(s.exact_max, 1);
}

static void
test_meter_counts(void)
{
	struct trawl_window w;

	trawl_window_init(&w, MS);
	trawl_window_count(&w, 10 * MS, 5);             /* bucket [10, 11) ms */
	trawl_window_count(&w, 15 * MS, 5);
	trawl_window_count(&w, 19 * MS + MS / 2, 5);    /* 15 in [10, 20) */
	CHECK_EQ_U64(w.max, 15);
	trawl_window_count(&w, 20 * MS, 1);             /* the first 5 slid out */
	CHECK_EQ_U64(w.sum, 11);
	trawl_window_count(&w, 40 * MS, 2);             /* idle > 10 ms: empty window */
	CHECK_EQ_U64(w.sum, 2);
	CHECK_EQ_U64(w.max, 15);
}

int
main(void)
{
	RUN(test_meter_counts);
	RUN(test_steady_rates);
	RUN(test_rates_through_stalls);
	RUN(test_long_stall_not_made_up);
	RUN(test_unlimited_and_tiny_rates);
	return check_done();
}
