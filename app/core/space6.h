/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SPACE6_H
#define TRAWL_SPACE6_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/err.h"
#include "app/core/ipv4.h"
#include "app/core/ipv6.h"
#include "app/core/mix.h"
#include "app/core/window6.h"

/*
 * The IPv6 addresses a scan probes, numbered 0 .. count - 1 so that the
 * permutation can run over them as over IPv4's allowed set: first the
 * list's addresses (-I lines and single-address TARGETs, sorted, each once,
 * the blocklist's taken out), then each prefix window's 2^(B-A) addresses
 * in turn (a CIDR TARGET P/L is the window P/L-128: every address of it).
 *
 * Exactly once: windows may not overlap one another (refused by name), and
 * a list address that is also a window's address is kept by the window
 * alone. A window is not cut by the blocklist (its addresses are made, not
 * stored): one wholly inside a blocked prefix is refused, and the addresses
 * of one that is partly blocked are drawn and skipped at send time
 * (trawl_space6_blocked), counted, as a blocklist reloaded mid-scan is
 * for IPv4.
 *
 * Index -> address is a search of the few windows' prefix counts and one
 * load or a few shifts; address -> index (reply validation) a look in a
 * hash directory over the list and at each window. The list is kept in the
 * order of a hash of its addresses, grouped by the hash's top bits, with a
 * directory of where each group starts (4 bytes a group, about one group
 * an address): a lookup is two cache misses at any size, where a binary
 * search of a sorted list took a dozen (bench/rxbench tcp_synscan6,
 * RESULTS.md section 10). 16 bytes an address and 4-6 of directory: about
 * 1 GB for 50 M.
 */
#define TRAWL_SPACE6_MAX_WINDOWS 64

struct trawl_space6 {
	struct trawl_ip6 *list;   /**< unique, none blocked, none a window's; grouped by trawl_space6_hash's top bits */
	uint64_t nlist;
	uint32_t *dir;            /**< dir[g]: where group g starts in list; dir[1 << dir_bits] = nlist */
	unsigned int dir_bits;
	struct trawl_window6 win[TRAWL_SPACE6_MAX_WINDOWS];
	uint8_t win_blocked[TRAWL_SPACE6_MAX_WINDOWS]; /**< some of the window's addresses are blocklisted */
	unsigned int nwin;
	uint64_t cum[TRAWL_SPACE6_MAX_WINDOWS + 1]; /**< cum[0] = nlist; cum[i + 1] = cum[i] + window i's count */
	struct trawl_ip6 *blk_lo, *blk_hi; /**< the blocklist as sorted disjoint intervals [lo, hi] */
	size_t nblk;
	uint64_t list_blocked;    /**< list addresses the blocklist took out */
	uint64_t list_in_window;  /**< list addresses a window probes already */
};

/** Addresses in the set (the list's and the windows'). */
static inline uint64_t
trawl_space6_count(const struct trawl_space6 *s)
{
	return s->cum[s->nwin];
}

/** Address @p idx of the set, idx < count. */
static inline struct trawl_ip6
trawl_space6_at(const struct trawl_space6 *s, uint64_t idx)
{
	unsigned int w = 0;

	if (idx < s->nlist)
		return s->list[idx];
	while (w + 1 < s->nwin && s->cum[w + 1] <= idx)
		w++;
	return trawl_window6_at(&s->win[w], idx - s->cum[w]);
}

#define TRAWL_SPACE6_NONE UINT64_MAX

/* The most a list may hold: its positions are 32-bit in the directory (64 GB of addresses). */
#define TRAWL_SPACE6_MAX_LIST UINT32_MAX

/*
 * The list's hash: MurmurHash3's finalizer (core/mix.h) over both halves,
 * so that addresses differing in any bit land in unrelated groups. Not
 * keyed: the list is the operator's, and a reply's address only reads a group.
 */
static inline uint64_t
trawl_space6_hash(struct trawl_ip6 a)
{
	return trawl_fmix64(a.hi ^ trawl_fmix64(a.lo + UINT64_C(0x9e3779b97f4a7c15)));
}

/** The directory group of @p a (what a burst prefetches before its lookups). */
static inline uint64_t
trawl_space6_group(const struct trawl_space6 *s, struct trawl_ip6 a)
{
	return s->dir_bits ? trawl_space6_hash(a) >> (64 - s->dir_bits) : 0;
}

/** The index of @p a in the set (the inverse of trawl_space6_at), or TRAWL_SPACE6_NONE. */
static inline uint64_t
trawl_space6_index(const struct trawl_space6 *s, struct trawl_ip6 a)
{
	if (s->nlist != 0) {
		uint64_t g = s->dir_bits ? trawl_space6_hash(a) >> (64 - s->dir_bits) : 0;

		for (uint32_t i = s->dir[g], end = s->dir[g + 1]; i < end; i++)
			if (trawl_ip6_eq(s->list[i], a))
				return i;
	}
	for (unsigned int w = 0; w < s->nwin; w++) {
		uint64_t i = trawl_window6_index(&s->win[w], a);

		if (i != TRAWL_WINDOW6_NONE)
			return s->cum[w] + i;
	}
	return TRAWL_SPACE6_NONE;
}

/** Is @p a inside the blocklist's IPv6 prefixes? */
int trawl_space6_in_block(const struct trawl_space6 *s, struct trawl_ip6 a);

/**
 * Should address @p idx be skipped at send time? Only a partly blocked
 * window's addresses can be (the list has its blocked ones taken out).
 */
static inline int
trawl_space6_blocked(const struct trawl_space6 *s, uint64_t idx, struct trawl_ip6 a)
{
	unsigned int w = 0;

	if (s->nblk == 0 || idx < s->nlist)
		return 0;
	while (w + 1 < s->nwin && s->cum[w + 1] <= idx)
		w++;
	return s->win_blocked[w] && trawl_space6_in_block(s, a);
}

/**
 * Build the set from the sorted unique @p list (taken over: freed with the
 * set; may be NULL with n 0), the windows @p win[0..nwin-1] and the
 * blocklist's IPv6 prefixes @p block (NULL: none).
 * @return 0; -EINVAL with the reason in @p err (overlapping windows, a
 * window the blocklist holds whole, too many windows, more than 2^48
 * addresses); -ENOMEM.
 */
int trawl_space6_build(struct trawl_space6 *s, struct trawl_ip6 *list, uint64_t n,
		const struct trawl_window6 *win, unsigned int nwin, const struct trawl_ranges *block,
		struct trawl_err *err);

void trawl_space6_free(struct trawl_space6 *s);

/** Bytes the set holds. */
size_t trawl_space6_memory(const struct trawl_space6 *s);

/**
 * A TARGET or YAML target that is IPv6: an address (@p is_addr 1, @p addr),
 * a CIDR P/L (as the window P/L-128, L >= 80) or a window PREFIX/A-B (@p w).
 * @return 0, -ENOENT if @p s is not IPv6 at all, -EINVAL with the reason.
 */
int trawl_space6_parse_target(const char *s, int *is_addr, struct trawl_ip6 *addr, struct trawl_window6 *w,
		struct trawl_err *err);

#endif
