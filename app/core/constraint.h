/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CONSTRAINT_H
#define TRAWL_CONSTRAINT_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"

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

/** The @p idx-th allowed address in ascending order; idx < count. */
static inline uint32_t
trawl_constraint_lookup(const struct trawl_constraint *c, uint64_t idx)
{
	uint32_t lo = 0, hi = c->k - 1;

	/* largest i with cum[i] <= idx */
	while (lo < hi) {
		uint32_t mid = (lo + hi + 1) / 2;

		if (c->cum[mid] <= idx)
			lo = mid;
		else
			hi = mid - 1;
	}
	return c->lo[lo] + (uint32_t)(idx - c->cum[lo]);
}

/** Is @p addr in the allowed set? */
static inline int
trawl_constraint_contains(const struct trawl_constraint *c, uint32_t addr)
{
	uint32_t lo = 0, hi = c->k;

	if (c->k == 0 || addr < c->lo[0])
		return 0;
	/* largest i with lo[i] <= addr */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (c->lo[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return (uint64_t)(addr - c->lo[lo]) < c->cum[lo + 1] - c->cum[lo];
}

/** Bytes of memory the structure holds. */
size_t trawl_constraint_memory(const struct trawl_constraint *c);

#endif
