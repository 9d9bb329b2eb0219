/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CONSTRAINT_H
#define TRAWL_CONSTRAINT_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/ipv4.h"

/*
 * The set of addresses a scan may send to: the union of the allowlist
 * minus the union of the blocklist (a blocklist entry always wins, as in
 * ZMap where the blocklist is applied last), minus 0.0.0.0 and
 * 255.255.255.255, which are never sent to.
 *
 * It is kept as k sorted disjoint intervals with prefix counts, so that
 * index -> address (what the permutation needs) and address -> allowed?
 * (what reply validation needs) are each one binary search, and blocked
 * space costs no time at all: the permutation runs over allowed addresses
 * only. Memory: 12 bytes per interval (k <= allow + block entries + 2),
 * i.e. a few KiB for the default blocklist, about 1.2 MiB for 100,000
 * scattered prefixes.
 */
struct trawl_constraint {
	uint32_t k;      /**< number of intervals */
	uint32_t *lo;    /**< first address of each interval, ascending */
	uint64_t *cum;   /**< cum[i]: allowed addresses before interval i; cum[k]: total */
};

/**
 * Build the allowed set from @p allow and @p block (either may be unsorted
 * and overlapping).
 * @return 0 or -ENOMEM.
 */
int trawl_constraint_build(struct trawl_constraint *c, const struct trawl_ranges *allow,
		const struct trawl_ranges *block);

void trawl_constraint_free(struct trawl_constraint *c);

/** Number of allowed addresses (at most 2^32 - 2). */
static inline uint64_t
trawl_constraint_count(const struct trawl_constraint *c)
{
	return c->cum[c->k];
}

/*
 * Both searches below are branch-free binary searches (the comparison
 * selects the half with a conditional move): the permutation makes every
 * lookup land somewhere unpredictable, and a mispredicted branch per level
 * cost two thirds of the generator's time before (profiled with perf).
 */

/** The @p idx-th allowed address in ascending order; idx < count. */
static inline uint32_t
trawl_constraint_lookup(const struct trawl_constraint *c, uint64_t idx)
{
	const uint64_t *base = c->cum;
	uint32_t n = c->k;

	/* largest i < k with cum[i] <= idx */
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half] <= idx ? base + half : base;
		n -= half;
	}
	return c->lo[base - c->cum] + (uint32_t)(idx - *base);
}

#define TRAWL_CONSTRAINT_NONE UINT64_MAX

/**
 * The rank of @p addr among the allowed addresses (the inverse of
 * trawl_constraint_lookup: 0 .. count - 1), or TRAWL_CONSTRAINT_NONE if it
 * is not allowed. One search answers both "may this reply count?" and
 * "which target is it?".
 */
static inline uint64_t
trawl_constraint_rank(const struct trawl_constraint *c, uint32_t addr)
{
	const uint32_t *base = c->lo;
	uint32_t n = c->k, i;
	uint64_t off;

	if (n == 0 || addr < c->lo[0])
		return TRAWL_CONSTRAINT_NONE;
	/* largest i with lo[i] <= addr */
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half] <= addr ? base + half : base;
		n -= half;
	}
	i = (uint32_t)(base - c->lo);
	off = (uint64_t)(addr - *base);
	return off < c->cum[i + 1] - c->cum[i] ? c->cum[i] + off : TRAWL_CONSTRAINT_NONE;
}

/** Is @p addr in the allowed set? */
static inline int
trawl_constraint_contains(const struct trawl_constraint *c, uint32_t addr)
{
	return trawl_constraint_rank(c, addr) != TRAWL_CONSTRAINT_NONE;
}

/**
 * How many addresses @p a and @p b both hold (a sweep over both interval
 * lists: O(k_a + k_b)). What a blocklist reloaded mid-scan takes out of
 * the targets, and whether a resumed scan's targets are a subset of the
 * ones it started with.
 */
uint64_t trawl_constraint_overlap(const struct trawl_constraint *a, const struct trawl_constraint *b);

/** Bytes of memory the structure holds. */
size_t trawl_constraint_memory(const struct trawl_constraint *c);

#endif
