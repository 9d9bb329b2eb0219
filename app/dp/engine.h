/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ENGINE_H
#define TRAWL_ENGINE_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/target.h"
#include "app/probes/probe.h"

#define TRAWL_BURST 32
#define TRAWL_MAX_RX 64   /* RX roles (queues) at most */
/* Data chunks one burst of results may need: every result with the most data kept. */
#define TRAWL_BURST_CHUNKS(n) ((n) * (TRAWL_RESULT_DATA_MAX / TRAWL_RESULT_CHUNK))

/*
 * A blocklist read again mid-run, as the TX roles skip it: its IPv4
 * ranges over the IPv4 space, and its IPv6 prefixes as sorted disjoint
 * intervals (core/ipv6.h).
 */
struct trawl_live_block {
	struct trawl_constraint v4;
	struct trawl_ip6 *lo6, *hi6;
	size_t n6;
};

/*
 * What every role of one run shares. Written by the main lcore before the
 * roles start, or (the flags) once, with release/acquire ordering; never
 * written by a role. Phases: armed (gateway known, template ready: TX may
 * send) -> stop_tx (no new probes) -> stop_rx (cooldown over) ->
 * stop_writer (all RX roles done: drain and finish). abort, at any time:
 * every role stops at its next round and counts what it leaves behind (a
 * second signal, or a run that has to end while its output is stuck).
 */
struct trawl_engine {
	const struct trawl_probe_ops *probe;
	struct trawl_probe_ctx pctx;
	struct trawl_target_space space;
	struct trawl_cyclic cyclic;
	uint16_t port_id;
	uint64_t hz;              /**< TSC ticks per second */

	/*
	 * A blocklist read again mid-run (SIGHUP): targets in it (either family) are skipped,
	 * not sent to. NULL until the first reload. The main lcore swaps it
	 * (release) whenever a reload succeeds and frees the one it replaced
	 * only once every TX role has reported a quiescent state on @p rcu
	 * (rte_rcu_qsbr, thread id = TX queue): a TX role reports one at the
	 * start of a round with no probe of its own waiting for the port, so
	 * from then on every probe it makes was checked against the new list.
	 */
	const struct trawl_live_block *live_block;
	struct rte_rcu_qsbr *rcu;

	uint32_t armed;
	uint32_t stop_tx;
	uint32_t stop_rx;
	uint32_t stop_writer;
	uint32_t abort;
} __rte_cache_aligned;

#endif
