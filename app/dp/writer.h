/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_WRITER_H
#define TRAWL_WRITER_H

#include <stdint.h>
#include <time.h>

#include <rte_ring.h>

#include "app/core/dedup.h"
#include "app/outputs/filter.h"
#include "app/outputs/output.h"
#include "app/dp/engine.h"
#include "app/dp/flusher.h"
#include "app/dp/lcore.h"

/*
 * The result writer: the single consumer of every RX role's ring. It marks
 * repeats (a target answering twice: retransmitted SYN-ACKs, -P n) with
 * core/dedup, keeps what the filter passes (ZMap's default: success and
 * not a repeat), formats it into the flusher's buffers and hands full ones
 * over. It takes results only while it has room for them: when the output
 * is behind, the results wait in the rings and the RX roles count what
 * does not fit.
 *
 * Every result taken ends in exactly one counter:
 *   received = duplicates + failures + successes
 *   successes = results + beyond_limit + unformatted
 * With an --output-filter, repeats and failures may be written too, and what
 * the filter refuses is counted:
 *   received = results + beyond_limit + unformatted + filtered
 * and at a forced end (the output stuck, a second signal) what it never
 * took is counted as abandoned.
 */
/* Results the writer takes from a ring at a time. */
#define TRAWL_WRITER_BURST 64

struct trawl_writer {
	const struct trawl_engine *eng;
	struct rte_ring *in[TRAWL_MAX_RX];
	struct rte_ring *in_data[TRAWL_MAX_RX]; /**< each RX role's data chunks (trawl_rx.to_writer_data), or NULL */
	unsigned int nin;
	struct trawl_dedup *dedup;
	const struct trawl_output *out;
	struct trawl_flusher *fl;
	struct trawl_outbuf *cur;     /**< being filled */
	uint64_t cur_since;           /**< TSC of the first idle round with rows in cur, 0 = none */
	uint64_t max_results;         /**< 0 = no limit */
	const struct trawl_filter *filter; /**< --output-filter, NULL = ZMap's default (success, not a repeat) */

	/* TSC -> wall clock: ts = wall0 + (tsc - tsc0) / hz. */
	uint64_t tsc0;
	struct timespec wall0;

	/*
	 * --checkpoint's barrier: main asks (give_req) for the part-filled
	 * buffer to go to the flusher now; the writer does so and says (give_ack)
	 * how many rows it had handed over by then (given_at_ack). With taken[],
	 * main knows when everything the RX roles had handed on by some moment
	 * is in the file.
	 */
	uint32_t give_req;
	uint32_t give_ack;
	uint64_t given_at_ack;
	uint64_t taken[TRAWL_MAX_RX]; /**< results taken from each ring */
	/* The data of one burst of results at the most each keeps (32 KiB): where r->data points. */
	uint8_t chunks[TRAWL_BURST_CHUNKS(TRAWL_WRITER_BURST)][TRAWL_RESULT_CHUNK] __rte_aligned(RTE_CACHE_LINE_SIZE);

	uint32_t limit_reached;       /**< set by the writer once max_results are written */
	uint32_t finished;            /**< set by the writer when it has stopped */

	uint64_t received;            /**< validated replies taken from the rings */
	uint64_t duplicates;          /**< repeats */
	uint64_t failures;            /**< first replies that are no success (RST: closed) */
	uint64_t successes;           /**< first successful replies */
	uint64_t by_class[TRAWL_CLASS_MAX]; /**< first replies by classification */
	uint64_t results;             /**< rows formatted and handed to the output */
	uint64_t beyond_limit;        /**< successes after -N was reached */
	uint64_t filtered;            /**< results --output-filter did not pass (with a filter only) */
	uint64_t unformatted;         /**< successes whose row did not fit TRAWL_OUTPUT_MAX_ROW */
	uint64_t dedup_full;          /**< first replies the dedup hash had no room to remember */
	uint64_t abandoned;           /**< replies left in the rings at a forced end */
	uint64_t output_waits;        /**< rounds with results waiting and no buffer free */
	uint64_t data_missing;        /**< results whose data chunks were not on the data ring (a bug if ever > 0) */
} __rte_cache_aligned;

/** Role poll function (arg: struct trawl_writer). */
int trawl_writer_poll(void *arg);

/**
 * Take up to @p n results (in arrival order, their data already at
 * r->data) as the poll function does, for bench/: the caller guarantees
 * buffer room for n rows (see writer.c).
 */
void trawl_writer_consume(struct trawl_writer *w, struct trawl_result *r, unsigned int n);

#endif
