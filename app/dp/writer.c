/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>

#include "app/dp/stats.h"
#include "app/dp/writer.h"

#define WRITER_BURST TRAWL_WRITER_BURST

static void
to_timespec(const struct trawl_writer *w, uint64_t tsc, struct timespec *ts)
{
	uint64_t hz = w->eng->hz;
	uint64_t d = tsc > w->tsc0 ? tsc - w->tsc0 : 0;
	uint64_t ns = (uint64_t)w->wall0.tv_nsec + (uint64_t)((unsigned __int128)(d % hz) * 1000000000u / hz);

	ts->tv_sec = w->wall0.tv_sec + (time_t)(d / hz) + (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

void
trawl_writer_consume(struct trawl_writer *w, struct trawl_result *recs, unsigned int n)
{
	struct trawl_outbuf *b = w->cur;
	const struct trawl_target_space *space = &w->eng->space;
	struct trawl_row row = { .v6 = space->six != NULL, .daddr6 = w->eng->pctx.saddr6 };

	/*
	 * Every key lands somewhere new in a table of hundreds of MiB: ask for
	 * all of the burst's lines first, so the cache misses overlap instead of
	 * coming one after another.
	 */
	for (unsigned int i = 0; i < n; i++)
		trawl_dedup_prefetch(w->dedup, recs[i].target);
	trawl_stat_add(&w->received, n);
	for (unsigned int i = 0; i < n; i++) {
		struct trawl_result *r = &recs[i];
		int rc = trawl_dedup_insert(w->dedup, r->target);
		size_t len;

		if (rc == TRAWL_DEDUP_SEEN) {
			r->repeat = 1;
			trawl_stat_add(&w->duplicates, 1);
		} else {
			if (unlikely(rc == TRAWL_DEDUP_FULL))
				trawl_stat_add(&w->dedup_full, 1);
			trawl_stat_add(r->success ? &w->successes : &w->failures, 1);
			if (likely(r->cls < TRAWL_CLASS_MAX))
				trawl_stat_add(&w->by_class[r->cls], 1);
		}
		/*
		 * An IPv6 result's target, from its index, for the rows and filters
		 * that read it: a load from a list of up to GiBs, not made for the
		 * repeats the default filter drops (a canary's index gives its
		 * address too: core/target.h).
		 */
		if (row.v6 && w->filter != NULL)
			row.saddr6 = trawl_target6_addr(space, r->target);
		/* Default: first-seen successes, and the canary row that flags an address answering every port. */
		if (w->filter == NULL ? (r->repeat || (!r->success && r->cls != TRAWL_CLASS_CANARY)) :
				!trawl_filter_match(w->filter, r, &row)) {
			if (w->filter != NULL)
				trawl_stat_add(&w->filtered, 1);
			continue;
		}
		if (unlikely(w->limit_reached)) {
			trawl_stat_add(&w->beyond_limit, 1);
			continue;
		}
		if (row.v6 && w->filter == NULL)
			row.saddr6 = trawl_target6_addr(space, r->target);
		if (w->out->needs_time)
			to_timespec(w, r->tsc, &row.ts);
		len = w->out->ops->format(w->out, r, &row, b->data + b->len);
		if (unlikely(len == 0)) {
			trawl_stat_add(&w->unformatted, 1);
			continue;
		}
		b->len += len;
		b->rows++;
		trawl_stat_add(&w->results, 1);
		if (w->max_results != 0 && w->results >= w->max_results)
			__atomic_store_n(&w->limit_reached, 1, __ATOMIC_RELEASE);
	}
}

/*
 * The data of n results just taken: their chunks are on the data ring
 * already (the RX role put them there before the results), in order.
 */
static void
take_data(struct trawl_writer *w, struct rte_ring *ring, struct trawl_result *r, unsigned int n)
{
	uint8_t (*chunks)[TRAWL_RESULT_CHUNK] = w->chunks;
	unsigned int need = 0;

	for (unsigned int i = 0; i < n; i++) {
		r[i].data = chunks[need];
		need += trawl_result_chunks(r[i].data_len);
	}
	if (need != 0 && unlikely(rte_ring_sc_dequeue_bulk_elem(ring, chunks, TRAWL_RESULT_CHUNK, need, NULL) == 0)) {
		for (unsigned int i = 0; i < n; i++)
			if (r[i].data_len != 0) {
				r[i].data_len = 0;
				trawl_stat_add(&w->data_missing, 1);
			}
	}
}

/* Hand the current buffer over if it holds anything. */
static void
give(struct trawl_writer *w)
{
	if (w->cur != NULL && w->cur->len != 0) {
		trawl_flusher_give(w->fl, w->cur);
		w->cur = NULL;
		w->cur_since = 0;
	}
}

/* Rows the current buffer has room for (each as long as the output's longest), 0 if there is none. */
static unsigned int
room(struct trawl_writer *w)
{
	size_t max = w->out->max_row;

	if (w->cur != NULL && TRAWL_OUTBUF_BYTES - w->cur->len >= max * WRITER_BURST)
		goto have;
	give(w);
	if (w->cur == NULL)
		w->cur = trawl_flusher_take(w->fl);
	if (w->cur == NULL)
		return 0;
have:
	return (unsigned int)RTE_MIN((TRAWL_OUTBUF_BYTES - w->cur->len) / max, (size_t)WRITER_BURST);
}

static unsigned int
waiting(const struct trawl_writer *w)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < w->nin; i++)
		n += rte_ring_count(w->in[i]);
	return n;
}

static int
finish(struct trawl_writer *w)
{
	give(w);
	trawl_flag_set(&w->finished);
	return TRAWL_ROLE_DONE;
}

int
trawl_writer_poll(void *arg)
{
	struct trawl_writer *w = arg;
	struct trawl_result r[WRITER_BURST];
	unsigned int total = 0;
	/* Read the flag before draining: anything enqueued before it was set is seen below. */
	int finishing = trawl_flag_get(&w->eng->stop_writer);

	if (unlikely(trawl_flag_get(&w->eng->abort))) {
		/* A forced end: what the rings still hold is never looked at, and says so. */
		trawl_stat_add(&w->abandoned, waiting(w));
		return finish(w);
	}
	for (unsigned int i = 0; i < w->nin; i++) {
		unsigned int max = room(w), n;

		if (max == 0) {
			if (!rte_ring_empty(w->in[i]))
				trawl_stat_add(&w->output_waits, 1);
			return TRAWL_ROLE_IDLE; /* every buffer is with the flusher: leave the results in the rings */
		}
		n = rte_ring_sc_dequeue_burst_elem(w->in[i], r, sizeof(r[0]), max, NULL);
		if (n != 0 && w->in_data[i] != NULL)
			take_data(w, w->in_data[i], r, n);
		if (n != 0) {
			trawl_writer_consume(w, r, n);
			trawl_stat_add(&w->taken[i], n);
		}
		total += n;
	}
	if (unlikely(__atomic_load_n(&w->give_req, __ATOMIC_ACQUIRE) != w->give_ack)) {
		give(w);
		__atomic_store_n(&w->given_at_ack, w->fl->rows_given, __ATOMIC_RELAXED);
		__atomic_store_n(&w->give_ack, w->give_req, __ATOMIC_RELEASE);
	}
	if (total == 0) {
		uint64_t now;

		if (finishing)
			return finish(w);
		/*
		 * Idle with rows held: they reach the file within a millisecond,
		 * not when a buffer fills; but only when the output has nothing
		 * queued, else part-filled buffers would queue up behind a slow
		 * output and hold a fraction of the rows they can.
		 */
		if (w->cur == NULL || w->cur->len == 0 || !rte_ring_empty(w->fl->full))
			return TRAWL_ROLE_IDLE;
		now = rte_rdtsc();
		if (w->cur_since == 0)
			w->cur_since = now;
		else if (now - w->cur_since >= w->eng->hz / 1000)
			give(w);
		return TRAWL_ROLE_IDLE;
	}
	return TRAWL_ROLE_BUSY;
}
