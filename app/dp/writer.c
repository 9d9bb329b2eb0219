/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_hash.h>

#include "stats.h"
#include "writer.h"

#define WRITER_BURST 64

static void
to_timespec(const struct trawl_writer *w, uint64_t tsc, struct timespec *ts)
{
	uint64_t hz = w->eng->hz;
	uint64_t d = tsc > w->tsc0 ? tsc - w->tsc0 : 0;
	uint64_t ns = (uint64_t)w->wall0.tv_nsec + (uint64_t)((unsigned __int128)(d % hz) * 1000000000u / hz);

	ts->tv_sec = w->wall0.tv_sec + (time_t)(d / hz) + (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/* Mark r->repeat; remember r's target if it is new. */
static void
dedup(struct trawl_writer *w, struct trawl_result *r)
{
	uint64_t key = trawl_result_key(r);
	hash_sig_t sig = rte_hash_hash(w->seen, &key); /* once, for the lookup and the add */

	if (rte_hash_lookup_with_hash(w->seen, &key, sig) >= 0) {
		r->repeat = 1;
		trawl_stat_add(&w->duplicates, 1);
		return;
	}
	if (rte_hash_add_key_with_hash(w->seen, &key, sig) < 0)
		trawl_stat_add(&w->dedup_full, 1);
}

static void
consume(struct trawl_writer *w, struct trawl_result *r)
{
	struct timespec ts;

	trawl_stat_add(&w->received, 1);
	dedup(w, r);
	if (!r->success || r->repeat)
		return;
	trawl_stat_add(&w->successes, 1);
	if (w->limit_reached)
		return;
	to_timespec(w, r->tsc, &ts);
	if (w->out->ops->write(w->out, r, &ts) != 0 && !w->io_error)
		__atomic_store_n(&w->io_error, 1, __ATOMIC_RELEASE);
	trawl_stat_add(&w->results, 1);
	if (w->max_results != 0 && w->results >= w->max_results)
		__atomic_store_n(&w->limit_reached, 1, __ATOMIC_RELEASE);
}

int
trawl_writer_poll(void *arg)
{
	struct trawl_writer *w = arg;
	struct trawl_result r[WRITER_BURST];
	unsigned int total = 0;
	/* Read the flag before draining: anything enqueued before it was set is seen below. */
	int finishing = trawl_flag_get(&w->eng->stop_writer);

	for (unsigned int i = 0; i < w->nin; i++) {
		unsigned int n = rte_ring_sc_dequeue_burst_elem(w->in[i], r, sizeof(r[0]), WRITER_BURST, NULL);

		for (unsigned int k = 0; k < n; k++)
			consume(w, &r[k]);
		total += n;
	}
	if (finishing && total == 0)
		return TRAWL_ROLE_DONE;
	return TRAWL_ROLE_BUSY;
}
