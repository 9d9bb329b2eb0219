/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_WRITER_H
#define TRAWL_WRITER_H

#include <stdint.h>
#include <time.h>

#include <rte_hash.h>
#include <rte_ring.h>

#include "../outputs/output.h"
#include "engine.h"
#include "lcore.h"

#define TRAWL_MAX_RX 64

/*
 * The result writer: the single consumer of every RX role's ring. It marks
 * repeats (a target answering twice: retransmitted SYN-ACKs, -P n), keeps
 * what the filter passes (ZMap's default: success and not a repeat), and
 * writes it through the output module. It is the only code that touches
 * the output stream.
 */
struct trawl_writer {
	const struct trawl_engine *eng;
	struct rte_ring *in[TRAWL_MAX_RX];
	unsigned int nin;
	struct rte_hash *seen;        /**< keys: trawl_result_key(), see dedup.h */
	struct trawl_output *out;
	uint64_t max_results;         /**< 0 = no limit */

	/* TSC -> wall clock: ts = wall0 + (tsc - tsc0) / hz. */
	uint64_t tsc0;
	struct timespec wall0;

	uint32_t limit_reached;       /**< set by the writer once max_results are written */
	uint32_t io_error;            /**< set once a write failed */

	uint64_t received;            /**< validated replies seen */
	uint64_t results;             /**< results written */
	uint64_t duplicates;          /**< repeats */
	uint64_t dedup_full;          /**< replies not remembered: table full */
	uint64_t successes;           /**< unique successful replies, written or not */
} __rte_cache_aligned;

/** Role poll function (arg: struct trawl_writer). */
int trawl_writer_poll(void *arg);

#endif
