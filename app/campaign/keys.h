/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_KEYS_H
#define TRAWL_CAMPAIGN_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/core/err.h"

/*
 * What changed between two runs of a scan, at survey scale, in bounded
 * memory. A result is its key, (address, port), in one of two families:
 * IPv4's is address << 16 | port in one 64-bit word; IPv6's is three words,
 * the address's two halves (most significant first) and the port. Keys
 * compare word by word, so both sort by address, then port. Each complete
 * scan's results.csv becomes a file of its keys per family, sorted and
 * unique (keys.bin, 8 bytes a key; keys6.bin, 24: each word little-endian);
 * two such files are diffed by one merge pass that holds nothing but two
 * read buffers.
 *
 * Sorting: the CSV is read in chunks of at most mem / 16 bytes of keys
 * (mem / 16 IPv4 keys, mem / 48 IPv6 ones); each chunk is radix sorted (16
 * bits a pass, LSD: 3 passes for IPv4, up to 9 for IPv6, a pass whose digit
 * is the same in every key skipped) with one scratch array of the same
 * size, made unique, and written as a sorted run; the runs are then merged
 * (k-way, 256 KiB of buffer each) into the family's file. Memory: mem bytes
 * for the chunk and its scratch, plus 256 KiB per run (60 M IPv4 results
 * at the default 128 MiB: 8 runs, 2 MiB). Input that fits one chunk is
 * written directly. A scan of one family holds one family's chunk.
 */
#define TRAWL_KEYS_DEFAULT_MEM (UINT64_C(128) << 20)

enum trawl_key_family {
	TRAWL_KEY4,       /**< IPv4: one word */
	TRAWL_KEY6,       /**< IPv6: three words */
	TRAWL_KEY_FAMILIES
};

#define TRAWL_KEY_WORDS_MAX 3
/* Room for the longest "address,port\n" of either family. */
#define TRAWL_KEY_TEXT_MAX 56

/** 64-bit words a key of family @p fam takes. */
static inline unsigned int
trawl_key_words(int fam)
{
	return fam == TRAWL_KEY6 ? 3 : 1;
}

static inline uint64_t
trawl_key(uint32_t addr, uint16_t port)
{
	return (uint64_t)addr << 16 | port;
}

/** An IPv6 key from the address's halves (host order) and the port. */
static inline void
trawl_key6(uint64_t key[3], uint64_t hi, uint64_t lo, uint16_t port)
{
	key[0] = hi;
	key[1] = lo;
	key[2] = port;
}

/*
 * A set of addresses a build leaves out (the canaries: they answer every
 * port), per family: the keys of port 0, sorted and unique (malloc'd).
 */
struct trawl_keys_skip {
	uint64_t *k[TRAWL_KEY_FAMILIES];
	size_t n[TRAWL_KEY_FAMILIES];
};

static inline void
trawl_keys_skip_free(struct trawl_keys_skip *s)
{
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		free(s->k[f]);
		s->k[f] = NULL;
		s->n[f] = 0;
	}
}

struct trawl_keys_stats {
	uint64_t rows;      /**< result rows read */
	uint64_t keys;      /**< distinct keys written, both families */
	uint64_t keys6;     /**< of which IPv6 */
	uint64_t bad;       /**< rows that are no saddr,sport pair (said, skipped) */
	uint64_t skipped;   /**< rows of addresses left out (canaries) */
	unsigned int runs;  /**< sorted runs merged (1: it fitted in memory), both families */
};

/**
 * The sorted, unique keys of CSV @p csv (a header row first; saddr, sport
 * as its first two columns), IPv4 ones into @p out[TRAWL_KEY4] and IPv6
 * ones into @p out[TRAWL_KEY6], through temporary runs in the directory of
 * each, using about @p mem bytes a family; rows of the addresses of
 * @p skip (NULL: none) left out. The IPv6 file is written first and only
 * if the CSV has IPv6 keys (an old one is removed): the IPv4 file, written
 * last, is there only when both are done.
 * @return 0 or -errno with the reason in @p err.
 */
int trawl_keys_build(const char *csv, const char *const out[TRAWL_KEY_FAMILIES], uint64_t mem,
		const struct trawl_keys_skip *skip, struct trawl_keys_stats *st, struct trawl_err *err);

/*
 * The addresses with a row classified canary (tcp_banner, --canaries: they
 * answer every port) in @p csv into @p s (see struct trawl_keys_skip).
 * None when the CSV has no classification column.
 * @return 0 or -errno with @p err.
 */
int trawl_keys_canaries(const char *csv, struct trawl_keys_skip *s, struct trawl_err *err);

/*
 * The header of @p csv and every row whose key is in its family's file of
 * @p keys (sorted keys, mapped; NULL or absent: none of that family) to
 * @p out: new.csv and gone.csv with every field the scan wrote.
 * @return 0 or -errno with @p err.
 */
int trawl_keys_rows(const char *csv, const char *const keys[TRAWL_KEY_FAMILIES], FILE *out,
		struct trawl_err *err);

struct trawl_keys_diff {
	uint64_t before, after;  /**< keys in each */
	uint64_t added, removed; /**< in after only, in before only */
};

/* Where one side of the diff goes: one "saddr,sport\n" row at a time, or nowhere (counting only). */
typedef int (*trawl_keys_emit)(void *arg, int fam, const uint64_t *key, int added);

/**
 * Merge the key files of family @p fam @p before and @p after (NULL: no
 * such file, no keys), calling @p emit for each key in one and not the
 * other (in key order). Adds to @p d (the caller zeroes it: one diff
 * counts both families).
 * @return 0, the first non-zero @p emit return, or -errno with @p err.
 */
int trawl_keys_diff(int fam, const char *before, const char *after, trawl_keys_emit emit, void *arg,
		struct trawl_keys_diff *d, struct trawl_err *err);

/* Both sides of a diff written as CSV rows: trawl_keys_emit_csv's argument. */
struct trawl_keys_csv {
	FILE *added, *removed;
};

/** A trawl_keys_emit writing "saddr,sport" rows to @p arg (struct trawl_keys_csv). @return 0 or -EIO. */
int trawl_keys_emit_csv(void *arg, int fam, const uint64_t *key, int added);

/** "address,port\n" for @p key of family @p fam into @p buf (TRAWL_KEY_TEXT_MAX); @return its length. */
size_t trawl_key_format(int fam, const uint64_t *key, char *buf);

/**
 * Parse "a.b.c.d,port" or "IPv6-address,port" at the start of @p line
 * (ended by ',', '\n' or the end). @return 0 with its family in @p fam and
 * the key in @p key, or -1.
 */
int trawl_key_parse(const char *line, size_t len, int *fam, uint64_t key[TRAWL_KEY_WORDS_MAX]);

#endif
