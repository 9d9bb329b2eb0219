/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TX_H
#define TRAWL_TX_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app/core/ratelimit.h"
#include "app/dp/engine.h"
#include "app/dp/lcore.h"

/*
 * One TX role: owns TX queue `queue` and slice `slice` of the target
 * permutation. It also sends the answers (RSTs) of the RX roles whose rings
 * it is given, and what the control role hands it over the SPSC `inject`
 * ring (ARP), so no TX queue is ever shared between lcores, even on ports
 * with a single TX queue.
 *
 * Sending ends at stop_tx whatever the port does: probes made but not taken
 * by the port are dropped then (counted), so -t and signals bound a run even
 * when the port refuses everything. The role ends once every RX role has
 * (stop_writer) and its rings are empty, or at abort.
 */
struct trawl_tx {
	const struct trawl_engine *eng;
	struct rte_mempool *pool;
	struct rte_ring *inject;      /**< control frames to send, may be NULL */
	struct rte_ring *answers[TRAWL_MAX_RX]; /**< RX roles' answers to send */
	unsigned int nanswers;
	uint16_t port;
	uint16_t queue;
	struct trawl_cyclic_iter it;
	uint64_t max_targets;         /**< targets this slice may take (-n), UINT64_MAX = all */
	int yield_when_full;          /**< the port's transmit work is the kernel's, on this CPU */
	int link_gated;               /**< the peer can leave mid-run (memif): guarded bursts, port.h */
	struct trawl_ratelimit rl;    /**< this lcore's share of -r */
	struct trawl_window win;      /**< busiest 10 ms of probes (main reads win.max) */

	/* The target under way when a burst ends mid -P run. */
	struct trawl_target cur;
	struct trawl_target6 cur6;    /**< the same in an IPv6 scan */
	uint16_t cur_left;            /**< probes of `cur` still to make */
	uint16_t probes;
	uint64_t cur_start_left;      /**< it.left before `cur` was drawn */
	uint64_t cur_start_targets;   /**< targets before `cur` was drawn */

	/*
	 * Where the walk stands for --checkpoint: everything before it was taken
	 * by the port (a target is counted from its first probe, so a -P run cut
	 * short is sent again in full). Published by this role under pos_seq
	 * (odd while it writes); read with trawl_tx_position().
	 */
	uint32_t pos_seq;
	uint64_t pos_left;
	uint64_t pos_targets;

	/* Frames made but not yet taken by the port: sent first next round, never dropped. */
	struct rte_mbuf *pend[TRAWL_BURST];
	uint16_t npend;
	uint16_t pend_off;

	uint32_t sending_done;        /**< set by this role: no more probes (main reads it) */
	int rcu_offline;              /**< reported offline on eng->rcu: it makes no more probes */
	uint32_t finished;            /**< set by this role when it has stopped */

	/* Counters (this lcore writes, main reads). */
	uint64_t targets;             /**< targets drawn from the permutation and probed */
	uint64_t blocked_live;        /**< targets drawn and skipped: in a blocklist reloaded mid-run */
	uint64_t sent;                /**< probes the port accepted */
	uint64_t ctl_sent;            /**< control frames sent */
	uint64_t ctl_dropped;         /**< control frames the port would not take */
	uint64_t answers_sent;        /**< RX roles' answers (RSTs) sent */
	uint64_t answers_dropped;     /**< answers the port would not take */
	uint64_t probes_dropped;      /**< probes made but never taken by the port when sending stopped */
	uint64_t alloc_fail;
	uint64_t first_tsc;           /**< TSC of the first probe, 0 = none yet */
	uint64_t last_tsc;            /**< TSC of the latest probe */
} __rte_cache_aligned;

/** Where @p tx stands (any lcore; a consistent pair). */
static inline void
trawl_tx_position(const struct trawl_tx *tx, uint64_t *left, uint64_t *targets)
{
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&tx->pos_seq, __ATOMIC_ACQUIRE);
		*left = __atomic_load_n(&tx->pos_left, __ATOMIC_RELAXED);
		*targets = __atomic_load_n(&tx->pos_targets, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&tx->pos_seq, __ATOMIC_RELAXED);
	} while ((s1 & 1) != 0 || s1 != s2);
}

/** Set where @p tx starts (before it runs): its iterator and target count as they are. */
static inline void
trawl_tx_position_init(struct trawl_tx *tx)
{
	tx->pos_left = tx->it.left;
	tx->pos_targets = tx->targets;
}

/** Role poll function (arg: struct trawl_tx). */
int trawl_tx_poll(void *arg);

#endif
