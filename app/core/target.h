/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TARGET_H
#define TRAWL_TARGET_H

#include <stdint.h>

#include <rte_reciprocal.h>

#include "app/core/constraint.h"
#include "app/core/ports.h"
#include "app/core/space6.h"

/*
 * The target space: allowed addresses times target ports, numbered so that
 * index = address_index * nports + port_index. The permutation draws
 * indexes; this maps them to (address, port).
 */
struct trawl_target_space {
	const struct trawl_constraint *allowed; /**< IPv4 scans */
	const struct trawl_space6 *six;  /**< IPv6 scans (then allowed is NULL): the same numbering over its addresses */
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

/** One IPv6 probe to send. */
struct trawl_target6 {
	struct trawl_ip6 addr;
	uint16_t port;
	uint16_t probe;
};

static inline void
trawl_target_space_init(struct trawl_target_space *ts, const struct trawl_constraint *c,
		const struct trawl_ports *ports)
{
	ts->allowed = c;
	ts->six = NULL;
	ts->ports = ports;
	ts->count = c != NULL ? trawl_constraint_count(c) * ports->n : 0;
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
 * The port's place among the scan's ports, or UINT32_MAX. Ports given as
 * one range (one port, 1-1024) take a subtraction; a scattered list a
 * binary search of the sorted ports.
 */
static inline uint32_t
trawl_target_port_index(const struct trawl_target_space *ts, uint16_t port)
{
	uint32_t n = ts->ports->n, p;

	if (ts->ports_dense) {
		p = (uint32_t)(uint16_t)(port - ts->port_first);
		return p < n ? p : UINT32_MAX;
	}
	const uint16_t *base = ts->ports->port;

	/* largest i with port[i] <= port (port[0] <= port, else not found below) */
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half] <= port ? base + half : base;
		n -= half;
	}
	return *base == port ? (uint32_t)(base - ts->ports->port) : UINT32_MAX;
}

/*
 * The index of target (@p addr, @p port), the inverse of trawl_target_at,
 * or TRAWL_TARGET_NONE if it is no target of this scan: what a reply is
 * deduplicated by.
 */
static inline uint64_t
trawl_target_index(const struct trawl_target_space *ts, uint32_t addr, uint16_t port)
{
	uint64_t a = ts->allowed != NULL ? trawl_constraint_rank(ts->allowed, addr) : TRAWL_CONSTRAINT_NONE;
	uint32_t p;

	if (a == TRAWL_CONSTRAINT_NONE)
		return TRAWL_TARGET_NONE;
	p = trawl_target_port_index(ts, port);
	if (p == UINT32_MAX)
		return TRAWL_TARGET_NONE;
	return a * ts->ports->n + p;
}

/* The IPv6 target space: the same numbering over a trawl_space6. */
static inline void
trawl_target_space_init6(struct trawl_target_space *ts, const struct trawl_space6 *six,
		const struct trawl_ports *ports)
{
	trawl_target_space_init(ts, NULL, ports);
	ts->six = six;
	ts->count = trawl_space6_count(six) * ports->n;
}

static inline void
trawl_target6_at(const struct trawl_target_space *ts, uint64_t idx, struct trawl_target6 *t)
{
	uint64_t a = rte_reciprocal_divide_u64(idx, &ts->nports_recip);

	t->addr = trawl_space6_at(ts->six, a);
	t->port = ts->ports->port[idx - a * ts->ports->n];
}

static inline uint64_t
trawl_target6_index(const struct trawl_target_space *ts, struct trawl_ip6 addr, uint16_t port)
{
	uint64_t a = ts->six != NULL ? trawl_space6_index(ts->six, addr) : TRAWL_SPACE6_NONE;
	uint32_t p;

	if (a == TRAWL_SPACE6_NONE)
		return TRAWL_TARGET_NONE;
	p = trawl_target_port_index(ts, port);
	if (p == UINT32_MAX)
		return TRAWL_TARGET_NONE;
	return a * ts->ports->n + p;
}

/** The address of target index @p idx of an IPv6 space (what a result's row prints). */
static inline struct trawl_ip6
trawl_target6_addr(const struct trawl_target_space *ts, uint64_t idx)
{
	/* A canary's index is count + its address's first target's (probes/tcp.h): the same address. */
	if (__builtin_expect(idx >= ts->count, 0))
		idx -= ts->count;
	return trawl_space6_at(ts->six, rte_reciprocal_divide_u64(idx, &ts->nports_recip));
}

#endif
