/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RX_H
#define TRAWL_RX_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app/dp/engine.h"
#include "app/dp/lcore.h"
#include "app/dp/pending.h"

/* Addresses an RX role remembers having sent canaries to (direct-mapped: a repeat costs a compare). */
#define TRAWL_CANARY_CACHE 4096

/*
 * One RX role: owns RX queue `queue` and drains it every round, whatever
 * the roles after it are doing. It parses and validates every frame, hands
 * results to the writer over its own SPSC ring, the RSTs it writes over the
 * SYN-ACKs to a TX role over another, and ARP frames to the control role
 * over a third. A ring that is full is never waited for: what does not fit
 * is dropped here and counted by the reason (the writer behind, the TX
 * role behind), so every frame the port delivered ends in a counter:
 *   frames = arp + other + invalid + valid
 *   valid = results handed on + writer_behind
 * With a kernel path (dp/kpath.h) the frames counted as other or invalid
 * go on to the control role for the kernel, on the same ring as ARP:
 *   other + invalid = kernel + kernel_dropped
 */
struct trawl_rx {
	const struct trawl_engine *eng;
	struct rte_mempool *pool;     /**< for an answer when the reply's own mbuf cannot carry it */
	struct rte_ring *to_writer;   /**< SPSC, elements are struct trawl_result */
	struct rte_ring *to_writer_data; /**< SPSC, TRAWL_RESULT_CHUNK-byte chunks of the results' data, in
					  their order, enqueued before them; NULL for modules that keep none */
	struct rte_ring *to_tx;       /**< SPSC, answer mbufs, sent by TX role queue % ntx */
	/* One burst's result data, chunk after chunk in result order; room for one more result's most. */
	uint8_t chunks[TRAWL_BURST_CHUNKS(TRAWL_BURST + 1)][TRAWL_RESULT_CHUNK] __rte_aligned(RTE_CACHE_LINE_SIZE);
	struct rte_ring *to_ctl;      /**< SPSC, ARP frames */
	uint16_t port;
	uint16_t queue;
	int link_gated;               /**< the peer can leave mid-run (memif): guarded bursts, port.h */
	int kernel_path;              /**< frames not the scan's own go to the kernel (through to_ctl) */

	uint32_t finished;            /**< set by this role once it stopped receiving */

	/* Counters (this lcore writes, main reads). */
	uint64_t frames;              /**< frames received */
	uint64_t valid;               /**< validated replies */
	uint64_t invalid;             /**< replies failing validation */
	uint64_t other;               /**< frames that are no reply of ours */
	uint64_t arp;                 /**< ARP frames passed to control */
	uint64_t arp_dropped;         /**< ARP frames dropped: control ring full */
	uint64_t kernel;              /**< frames not ours handed on for the kernel */
	uint64_t kernel_dropped;      /**< frames not ours dropped: control ring full (a flood at the address) */
	uint64_t handed;              /**< results the writer's ring took */
	uint64_t writer_behind;       /**< results dropped: the writer's ring was full */
	uint64_t answers;             /**< answers (RSTs) the TX role's ring took */
	uint64_t answers_dropped;     /**< answers dropped: no buffer, or the TX role's ring full */
	uint64_t canaries;            /**< canary SYNs the TX role's ring took */
	uint64_t canaries_dropped;    /**< canary SYNs dropped: no buffer, or the TX role's ring full */
	uint64_t resets;              /**< held handshakes closed by our RST after their hold time */

	/* Handshake modules (tcp_banner): connections held until their data or the hold time. */
	struct trawl_pending pend;
	uint32_t canary_sent[TRAWL_CANARY_CACHE]; /**< addresses given canaries lately */
} __rte_cache_aligned;

/**
 * Handle @p n (at most TRAWL_BURST) frames received at TSC @p now: validate,
 * answer, hand results on. Consumes every mbuf. (The poll function's work, callable on its own
 * so bench/ can feed bursts through it without a port.)
 */
void trawl_rx_burst(struct trawl_rx *rx, struct rte_mbuf **m, uint16_t n, uint64_t now);

/** Role poll function (arg: struct trawl_rx). */
int trawl_rx_poll(void *arg);

#endif
