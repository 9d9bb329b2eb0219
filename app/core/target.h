/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TARGET_H
#define TRAWL_TARGET_H

#include <stdint.h>

#include <rte_reciprocal.h>

#include "app/core/constraint.h"
#include "app/core/ports.h"

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
	uint16_t port_first;   /**< ports->port[0] */
	uint8_t ports_dense;   /**< the ports are one range port_first .. port_first + n - 1 */
};

#define TRAWL_TARGET_NONE UINT64_MAX

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
	ts->port_first = ports->port[0];
	ts->ports_dense = (uint32_t)ports->port[ports->n - 1] - ports->port[0] + 1 == ports->n;
}

static inline void
trawl_target_at(const struct trawl_target_space *ts, uint64_t idx, struct trawl_target *t)
{
	uint64_t a = rte_reciprocal_divide_u64(idx, &ts->nports_recip);

	t->addr = trawl_constraint_lookup(ts->allowed, a);
	t->port = ts->ports->port[idx - a * ts->ports->n];
}

/*
 * The index of target (@p addr, @p port), the inverse of trawl_target_at,
 * or TRAWL_TARGET_NONE if it is no target of this scan: what a reply is
 * deduplicated by. Ports given as one range (one port, 1-1024) take a
 * subtraction; a scattered list a binary search of the sorted ports.
 */
static inline uint64_t
trawl_target_index(const struct trawl_target_space *ts, uint32_t addr, uint16_t port)
{
	uint64_t a = trawl_constraint_rank(ts->allowed, addr);
	uint32_t n = ts->ports->n, p;

	if (a == TRAWL_CONSTRAINT_NONE)
		return TRAWL_TARGET_NONE;
	if (ts->ports_dense) {
		p = (uint32_t)(uint16_t)(port - ts->port_first);
		if (p >= n)
			return TRAWL_TARGET_NONE;
	} else {
		const uint16_t *base = ts->ports->port;

		/* largest i with port[i] <= port (port[0] <= port, else not found below) */
		while (n > 1) {
			uint32_t half = n / 2;

			base = base[half] <= port ? base + half : base;
			n -= half;
		}
		if (*base != port)
			return TRAWL_TARGET_NONE;
		p = (uint32_t)(base - ts->ports->port);
	}
	return a * ts->ports->n + p;
}

#endif
