/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RX_H
#define TRAWL_RX_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine.h"
#include "lcore.h"

/*
 * One RX role: owns RX queue `queue`. It parses and validates every frame,
 * hands validated results to the writer over its own SPSC ring, and hands
 * ARP frames and the RSTs it builds to the control role over another.
 * Backpressure instead of loss: when the writer's ring is full the results
 * wait here, and the role stops taking frames off the port until they fit.
 */
struct trawl_rx {
	const struct trawl_engine *eng;
	struct rte_mempool *pool;     /**< for RSTs */
	struct rte_ring *to_writer;   /**< SPSC, elements are struct trawl_result */
	struct rte_ring *to_ctl;      /**< SPSC, mbufs */
	uint16_t port;
	uint16_t queue;
	int link_gated;               /**< the peer can leave mid-run (memif): guarded bursts, port.h */

	struct trawl_result pend[TRAWL_BURST];
	uint16_t npend;
	uint16_t pend_off;

	uint32_t finished;        /**< set by this role once its last result is in the ring */

	/* Counters (this lcore writes, main reads). */
	uint64_t frames;          /**< frames received */
	uint64_t valid;           /**< validated replies */
	uint64_t invalid;         /**< replies failing validation */
	uint64_t other;           /**< frames that are no reply of ours */
	uint64_t arp;             /**< ARP frames passed to control */
	uint64_t ctl_full;        /**< control frames dropped: control ring full */
	uint64_t answers;         /**< answers (RSTs) built */
} __rte_cache_aligned;

/** Role poll function (arg: struct trawl_rx). */
int trawl_rx_poll(void *arg);

#endif
