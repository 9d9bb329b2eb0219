/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_WINDOW6_H
#define TRAWL_WINDOW6_H

#include <stdint.h>

#include "app/core/ipv6.h"
#include "app/core/siphash.h"

/*
 * An IPv6 prefix window, as XMap writes it: PREFIX/A-B is one address in
 * each /B inside the /A, 2^(B-A) addresses. Address i (0 <= i < 2^(B-A))
 * is the /A's bits, then i in bits A..B-1, then an interface identifier
 * in the low 128-B bits: ::1 (XMap's default), or, with a seed, a keyed
 * hash of the seed and i (a different IID in every /B, the same for the
 * same seed, so that a /B that answers at any address, an aliased prefix,
 * is not what makes it look alive, and a rerun probes the same addresses).
 *
 * Index -> address is what the permutation needs; address -> index (or
 * none) is what reply validation needs: both are a few shifts and, with a
 * seed, one SipHash. B - A is at most 48, the permutation's reach.
 */
struct trawl_window6 {
	struct trawl_ip6 prefix; /**< the /A, host bits zero */
	uint8_t a;               /**< the window's prefix length */
	uint8_t b;               /**< the length of each block probed once */
	uint8_t seeded;          /**< IID from the seed (else iid) */
	struct trawl_ip6 iid;    /**< the fixed IID, within the low 128-b bits */
	struct trawl_siphash_key key; /**< the seed's key for seeded IIDs */
};

#define TRAWL_WINDOW6_MAX_BITS 48

/**
 * Parse "PREFIX/A-B" with A <= B <= 128 and B - A <= 48 (host bits of
 * PREFIX below A ignored). The IID is ::1 where the /B leaves room for it
 * (B < 128), else none. @return 0 or -EINVAL.
 */
int trawl_window6_parse(const char *s, struct trawl_window6 *w);

/** Choose every /B's IID from @p seed instead of ::1. */
void trawl_window6_seed(struct trawl_window6 *w, uint64_t seed);

/** Addresses in the window: 2^(B-A). */
static inline uint64_t
trawl_window6_count(const struct trawl_window6 *w)
{
	return UINT64_C(1) << (w->b - w->a);
}

/* The bits below the /B: the IID's room, what the /B's mask leaves. */
static inline struct trawl_ip6
trawl_window6_iid_mask(const struct trawl_window6 *w)
{
	struct trawl_ip6 net = trawl_ip6_mask((struct trawl_ip6){ UINT64_MAX, UINT64_MAX }, w->b);

	return (struct trawl_ip6){ ~net.hi, ~net.lo };
}

/** The IID of block @p i: the fixed one, or the seed's hash of i, within the host bits. */
static inline struct trawl_ip6
trawl_window6_iid(const struct trawl_window6 *w, uint64_t i)
{
	struct trawl_ip6 m = trawl_window6_iid_mask(w);

	if (!w->seeded)
		return w->iid;
	return (struct trawl_ip6){ trawl_siphash24_2w(&w->key, i, 1) & m.hi, trawl_siphash24_2w(&w->key, i, 0) & m.lo };
}

/** Address @p i of the window, i < count. */
static inline struct trawl_ip6
trawl_window6_at(const struct trawl_window6 *w, uint64_t i)
{
	unsigned int shift = 128u - w->b; /* where block i's bits start */
	struct trawl_ip6 a = w->prefix, iid = trawl_window6_iid(w, i);

	if (w->b > w->a) {
		if (shift >= 64)
			a.hi |= i << (shift - 64);
		else {
			a.lo |= i << shift;
			a.hi |= shift == 0 ? 0 : i >> (64 - shift);
		}
	}
	a.hi |= iid.hi;
	a.lo |= iid.lo;
	return a;
}

#define TRAWL_WINDOW6_NONE UINT64_MAX

/** The index of @p addr in the window (the inverse of trawl_window6_at), or TRAWL_WINDOW6_NONE. */
static inline uint64_t
trawl_window6_index(const struct trawl_window6 *w, struct trawl_ip6 addr)
{
	struct trawl_ip6 top = trawl_ip6_mask(addr, w->a), blk = trawl_ip6_mask(addr, w->b);
	struct trawl_ip6 m = trawl_window6_iid_mask(w), iid;
	unsigned int shift = 128u - w->b;
	uint64_t i = 0;

	if (top.hi != w->prefix.hi || top.lo != w->prefix.lo)
		return TRAWL_WINDOW6_NONE;
	if (w->b > w->a) {
		/* bits A..B-1 alone, shifted down; B - A <= 48, so they fit one word once shifted */
		blk.hi ^= top.hi;
		blk.lo ^= top.lo;
		if (shift >= 64)
			i = blk.hi >> (shift - 64);
		else if (shift == 0)
			i = blk.lo;
		else
			i = blk.lo >> shift | blk.hi << (64 - shift);
	}
	iid = trawl_window6_iid(w, i);
	if ((addr.hi & m.hi) != iid.hi || (addr.lo & m.lo) != iid.lo)
		return TRAWL_WINDOW6_NONE;
	return i;
}

#endif
