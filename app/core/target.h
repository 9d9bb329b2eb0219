/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TARGET_H
#define TRAWL_TARGET_H

#include <stdint.h>

#include <rte_reciprocal.h>

#include "constraint.h"
#include "ports.h"

/*
 * The target space: allowed addresses times target ports, numbered so that
 * index = address_index * nports + port_index. The permutation draws
 * indexes; this maps them to (address, port).
 */
struct trawl_target_space {
	const struct trawl_constraint *allowed;
	const struct trawl_ports *ports;
	uint64_t count; /**< allowed addresses * ports, at most 2^48 */
	struct rte_reciprocal_u64 nports_recip; /**< index / nports without a divide instruction */
};

/** One probe to send. */
struct trawl_target {
	uint32_t addr;   /**< host order */
	uint16_t port;
	uint16_t probe;  /**< 0 .. probes-1 */
};

static inline void
trawl_target_space_init(struct trawl_target_space *ts, const struct trawl_constraint *c,
		const struct trawl_ports *ports)
{
	ts->allowed = c;
	ts->ports = ports;
	ts->count = trawl_constraint_count(c) * ports->n;
	ts->nports_recip = rte_reciprocal_value_u64(ports->n);
}

static inline void
trawl_target_at(const struct trawl_target_space *ts, uint64_t idx, struct trawl_target *t)
{
	uint64_t a = rte_reciprocal_divide_u64(idx, &ts->nports_recip);

	t->addr = trawl_constraint_lookup(ts->allowed, a);
	t->port = ts->ports->port[idx - a * ts->ports->n];
}

#endif
