/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DEDUP_H
#define TRAWL_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include <rte_prefetch.h>

#include "app/core/mix.h"

/*
 * Which targets have answered already: the writer's memory of a scan, so
 * that no result is written twice. Keys are target indexes (core/target.h:
 * address rank * ports + port index), 0 .. targets - 1.
 *
 * The structure is chosen once, before anything is sent, from the number of
 * targets and a memory budget, and its size is stated then:
 *
 * - bitmap: one bit per target (ZMap's method for one port over IPv4,
 *   generalised to any target space), exact whatever answers: 512 MiB for
 *   2^32 targets, 441 MiB for IPv4 less the default blocklist on one port.
 *   A bitmap is the least memory that can be exact when every target may
 *   answer (a tarpit, a virtual internet): anything that stores keys needs
 *   more than a bit for each.
 * - hash: when the bitmap is over the budget (all ports over a /8, say), a
 *   set of 8-byte keys in one table of the largest power-of-two size the
 *   budget holds, filled to 3/4 at most: exact for up to `capacity` distinct
 *   targets; past that a new target is not remembered (counted by the
 *   writer), so a later repeat of it could be written again.
 *
 * Both are one anonymous mapping with transparent huge pages asked for,
 * allocated whole and faulted in before anything is sent
 * (trawl_dedup_populate): keys land all over it from the first replies on
 * (the first 1,500 touch every 2 MiB page of a 441 MiB bitmap), and the
 * kernel took up to 0.9 s here to supply those pages when it had to
 * compact memory first, time the writer cannot stop for while replies
 * arrive at line rate. For the same reason the table never grows: no
 * rehash. The stated size is what the scan holds from its start.
 *
 * Not thread-safe: the one writer lcore owns it.
 */
enum trawl_dedup_kind {
	TRAWL_DEDUP_BITMAP = 0,
	TRAWL_DEDUP_HASH,
};

struct trawl_dedup {
	enum trawl_dedup_kind kind;
	uint64_t *words;      /**< bitmap words, or hash slots holding key + 1 (0: empty) */
	size_t bytes;         /**< size of the mapping: the memory stated */
	uint64_t targets;     /**< keys are below this */
	uint64_t mask;        /**< hash: slots - 1 */
	uint64_t capacity;    /**< distinct keys remembered exactly: targets (bitmap) or 3/4 of the slots */
	uint64_t used;        /**< distinct keys remembered so far */
};

enum trawl_dedup_rc {
	TRAWL_DEDUP_NEW = 0,  /**< first time: now remembered */
	TRAWL_DEDUP_SEEN,     /**< a repeat */
	TRAWL_DEDUP_FULL,     /**< first time, but the hash is full: not remembered */
};

/* A hash table smaller than this is not worth having: the budget is refused. */
#define TRAWL_DEDUP_MIN_SLOTS (UINT64_C(1) << 16)

/** Bytes an exact bitmap over @p targets keys takes (whole 64-bit words). */
uint64_t trawl_dedup_bitmap_bytes(uint64_t targets);

/**
 * Choose and map the structure for keys 0 .. @p targets - 1 within
 * @p budget bytes (see above). Nothing is touched yet: see
 * trawl_dedup_populate.
 * @return 0, -EINVAL if targets is 0 or the budget is below even the
 * smallest hash table, or -ENOMEM if the mapping failed.
 */
int trawl_dedup_init(struct trawl_dedup *d, uint64_t targets, uint64_t budget);

/**
 * Fault the whole table in now (MADV_POPULATE_WRITE, or a write to every
 * page where the kernel has no such advice). @return 0 or -ENOMEM.
 */
int trawl_dedup_populate(struct trawl_dedup *d);

void trawl_dedup_free(struct trawl_dedup *d);

/** Exact for every target of the scan, whatever answers? */
static inline int
trawl_dedup_exact(const struct trawl_dedup *d)
{
	return d->capacity >= d->targets;
}

/* Keys that are close (one address, many ports) scatter: MurmurHash3's finalizer (core/mix.h). */
static inline uint64_t
trawl_dedup_mix(uint64_t k)
{
	return trawl_fmix64(k);
}

/*
 * Start loading the cache line @p key will look at. The table is far larger
 * than any cache and every key lands somewhere new: the writer issues these
 * for a whole burst before it looks any key up, so the misses overlap
 * (bench/writerbench, 60 M new results over a 441 MiB bitmap: 374 TSC
 * cycles a result when no prefetch was emitted, 74-88 with it).
 *
 * DPDK's rte_prefetch0 (an asm prefetcht0), not __builtin_prefetch: GCC 12
 * at -O3 deleted the whole loop of builtin prefetches here (their address
 * goes through the hash mix; a loop with nothing but those compiled to
 * nothing, seen in the disassembly), and a write prefetch is dropped anyway
 * under DPDK's -march=corei7, which has no PREFETCHW. A read is enough: a
 * line only this core touches arrives exclusive, so the write that follows
 * costs no second trip.
 */
static inline void
trawl_dedup_prefetch(const struct trawl_dedup *d, uint64_t key)
{
	if (d->kind == TRAWL_DEDUP_BITMAP)
		rte_prefetch0(&d->words[key >> 6]);
	else
		rte_prefetch0(&d->words[trawl_dedup_mix(key) & d->mask]);
}

/** Remember @p key (below targets). @return enum trawl_dedup_rc. */
static inline int
trawl_dedup_insert(struct trawl_dedup *d, uint64_t key)
{
	if (d->kind == TRAWL_DEDUP_BITMAP) {
		uint64_t *w = &d->words[key >> 6], bit = UINT64_C(1) << (key & 63);

		if (*w & bit)
			return TRAWL_DEDUP_SEEN;
		*w |= bit;
		d->used++;
		return TRAWL_DEDUP_NEW;
	}
	/* Linear probing: at most 3/4 full, so an empty slot always ends the walk. */
	for (uint64_t i = trawl_dedup_mix(key) & d->mask;; i = (i + 1) & d->mask) {
		uint64_t v = d->words[i];

		if (v == key + 1)
			return TRAWL_DEDUP_SEEN;
		if (v == 0) {
			if (d->used >= d->capacity)
				return TRAWL_DEDUP_FULL;
			d->words[i] = key + 1;
			d->used++;
			return TRAWL_DEDUP_NEW;
		}
	}
}

#endif
