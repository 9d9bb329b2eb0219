/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESPONDER_H
#define TRAWL_RESPONDER_H

#include <stdint.h>

#include <rte_hash.h>
#include <rte_mempool.h>

#include "app/core/fingerprint.h"
#include "app/respond/packet.h"
#include "app/dp/lcore.h"

/* One scanning source as a responder lcore sees it. */
struct trawl_fp_entry {
	uint32_t saddr;
	struct trawl_fp_source st;
	uint64_t counts[TRAWL_TC_MAX];
};

/*
 * One responder role: owns RX and TX queue `queue`, turns each probe into
 * its answer in place and sends it back on the same queue. Loss and
 * duplication are drawn from a per-lcore xorshift generator; fingerprint
 * state per source lives in a per-lcore rte_hash, so no lcore shares a
 * write with another.
 */
struct trawl_responder {
	const struct trawl_respond_cfg *cfg;
	const uint32_t *stop;
	struct rte_mempool *pool;     /**< for duplicated replies */
	struct rte_hash *sources;
	struct trawl_fp_entry *src;   /**< indexed by the hash's key position */
	uint32_t max_sources;
	uint32_t last_saddr;          /**< the source of the previous SYN and its slot: */
	int32_t last_pos;             /**< scans come in long runs from one address */
	uint16_t port;
	uint16_t queue;
	int link_gated;               /**< the peer can leave mid-run (memif): guarded bursts, port.h */
	uint64_t loss_below;          /**< drop when a 64-bit draw is below this */
	uint64_t dup_below;
	uint64_t rng;

	uint64_t frames;
	uint64_t probes[TRAWL_PROBE_KIND_MAX];
	uint64_t answered[TRAWL_REPLY_MAX];
	uint64_t svc_acks[TRAWL_SVC_MAX];     /**< segments acknowledging our SYN-ACK, by service */
	uint64_t svc_answered[TRAWL_SVC_MAX]; /**< first flights sent, by service */
	uint64_t unanswered;          /**< probes to dead hosts (or ARP for others) */
	uint64_t lost;                /**< replies dropped by --loss */
	uint64_t duplicated;          /**< replies sent twice by --duplicate */
	uint64_t tx_full;             /**< replies the port would not take */
	uint64_t toolchains[TRAWL_TC_MAX];
	uint64_t sources_overflow;    /**< SYNs from sources beyond max_sources */
} __rte_cache_aligned;

/** Role poll function (arg: struct trawl_responder). */
int trawl_responder_poll(void *arg);

#endif
