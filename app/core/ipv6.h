/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_IPV6_H
#define TRAWL_IPV6_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * IPv6 addresses and prefixes as the lists hold them: two host-order 64-bit
 * halves, so that comparing, masking and counting are integer operations.
 */
struct trawl_ip6 {
	uint64_t hi; /**< bits 127..64: the routing prefix and subnet */
	uint64_t lo; /**< bits 63..0: the interface identifier */
};

/* A prefix: its first address (host bits zero) and its length, 0..128. */
struct trawl_prefix6 {
	struct trawl_ip6 addr;
	uint8_t len;
};

/* Room for any address in its text form, NUL included (INET6_ADDRSTRLEN). */
#define TRAWL_IPV6_STRLEN 46

/** Parse an IPv6 address in any RFC 4291 text form. @return 0 or -EINVAL. */
int trawl_parse_ipv6(const char *s, struct trawl_ip6 *a);

/**
 * Parse "ADDR" (a /128) or "ADDR/N" (0 <= N <= 128). Host bits below the
 * prefix are ignored, as for IPv4: 2001:db8::1/32 is 2001:db8::/32.
 * @return 0 or -EINVAL.
 */
int trawl_parse_prefix6(const char *s, struct trawl_prefix6 *p);

/** The address in RFC 5952's canonical form (lower case, the longest run of zero groups as ::). */
const char *trawl_ipv6_str(const struct trawl_ip6 *a, char buf[TRAWL_IPV6_STRLEN]);

/**
 * The same at @p dst, not terminated: at most 45 bytes (an IPv4-mapped
 * address may write up to 3 more, as trawl_put_ipv4). @return its end.
 */
char *trawl_put_ipv6(char *dst, const struct trawl_ip6 *a);

/** a < b as 128-bit numbers. */
static inline int
trawl_ip6_lt(struct trawl_ip6 a, struct trawl_ip6 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline int
trawl_ip6_eq(struct trawl_ip6 a, struct trawl_ip6 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/**
 * Sorted disjoint intervals [lo[i], hi[i]]: the first i whose hi[i] >= @p a
 * (n if none), by binary search.
 */
size_t trawl_ip6_ranges_find(const struct trawl_ip6 *hi, size_t n, struct trawl_ip6 a);

/** Is @p a inside one of the sorted disjoint intervals [lo[i], hi[i]]? */
static inline int
trawl_ip6_ranges_contain(const struct trawl_ip6 *lo, const struct trawl_ip6 *hi, size_t n, struct trawl_ip6 a)
{
	size_t i = trawl_ip6_ranges_find(hi, n, a);

	return i < n && !trawl_ip6_lt(a, lo[i]);
}

/** The address from its 16 bytes in network order (a packet's). */
static inline struct trawl_ip6
trawl_ip6_load(const uint8_t b[16])
{
	uint64_t hi, lo;

	memcpy(&hi, b, 8);
	memcpy(&lo, b + 8, 8);
	return (struct trawl_ip6){ __builtin_bswap64(hi), __builtin_bswap64(lo) };
}

/** The address's 16 bytes in network order into @p b. */
static inline void
trawl_ip6_store(uint8_t b[16], struct trawl_ip6 a)
{
	uint64_t hi = __builtin_bswap64(a.hi), lo = __builtin_bswap64(a.lo);

	memcpy(b, &hi, 8);
	memcpy(b + 8, &lo, 8);
}

/** The address with its bits below the first @p len cleared. */
static inline struct trawl_ip6
trawl_ip6_mask(struct trawl_ip6 a, unsigned int len)
{
	if (len == 0)
		return (struct trawl_ip6){ 0, 0 };
	if (len <= 64)
		return (struct trawl_ip6){ a.hi & (UINT64_MAX << (64 - len)), 0 };
	return (struct trawl_ip6){ a.hi, len == 128 ? a.lo : a.lo & (UINT64_MAX << (128 - len)) };
}

/** The last address of the /@p len prefix starting at @p first. */
static inline struct trawl_ip6
trawl_ip6_last(struct trawl_ip6 first, unsigned int len)
{
	struct trawl_ip6 net = trawl_ip6_mask((struct trawl_ip6){ UINT64_MAX, UINT64_MAX }, len);

	return (struct trawl_ip6){ first.hi | ~net.hi, first.lo | ~net.lo };
}

/**
 * The @p n prefixes @p p as sorted disjoint intervals [lo[i], hi[i]]
 * (nested, overlapping and adjacent ones joined), in arrays malloc'd into
 * @p lo and @p hi (NULL for none), *@p nout of them.
 * @return 0 or -ENOMEM.
 */
int trawl_ip6_ranges_build(const struct trawl_prefix6 *p, size_t n, struct trawl_ip6 **lo, struct trawl_ip6 **hi,
		size_t *nout);

/**
 * Is every address of the sorted disjoint intervals @p alo/@p ahi (@p an of
 * them) inside those of @p blo/@p bhi (@p bn)?
 */
int trawl_ip6_ranges_within(const struct trawl_ip6 *alo, const struct trawl_ip6 *ahi, size_t an,
		const struct trawl_ip6 *blo, const struct trawl_ip6 *bhi, size_t bn);

/** Is @p a inside @p p? */
static inline int
trawl_prefix6_contains(const struct trawl_prefix6 *p, struct trawl_ip6 a)
{
	struct trawl_ip6 m = trawl_ip6_mask(a, p->len);

	return m.hi == p->addr.hi && m.lo == p->addr.lo;
}

#endif
