/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_KEYS_H
#define TRAWL_CAMPAIGN_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"

/*
 * What changed between two runs of a scan, at survey scale, in bounded
 * memory. A result is its key, address << 16 | port (48 bits). Each
 * complete scan's results.csv becomes a file of its keys, sorted and
 * unique (keys.bin, 8 bytes a key, little-endian); two such files are
 * diffed by one merge pass that holds nothing but two read buffers.
 *
 * Sorting: the CSV is read in chunks of at most mem / 16 keys; each chunk
 * is radix sorted (3 passes of 16 bits, LSD) with one scratch array of the
 * same size, made unique, and written as a sorted run; the runs are then
 * merged (k-way, 256 KiB of buffer each) into keys.bin. Memory: mem bytes
 * for the chunk and its scratch, plus 256 KiB per run (60 M results at the
 * default 128 MiB: 8 runs, 2 MiB). Input that fits one chunk is written
 * directly.
 */
#define TRAWL_KEYS_DEFAULT_MEM (UINT64_C(128) << 20)

static inline uint64_t
trawl_key(uint32_t addr, uint16_t port)
{
	return (uint64_t)addr << 16 | port;
}

struct trawl_keys_stats {
	uint64_t rows;      /**< result rows read */
	uint64_t keys;      /**< distinct keys written */
	uint64_t bad;       /**< rows that are no saddr,sport pair (said, skipped) */
	uint64_t skipped;   /**< rows of addresses left out (canaries) */
	unsigned int runs;  /**< sorted runs merged (1: it fitted in memory) */
};

/**
 * The sorted, unique keys of CSV @p csv (a header row first; saddr, sport
 * as its first two columns) into @p out, through temporary runs in the
 * directory of @p out, using about @p mem bytes.
 * @return 0 or -errno with the reason in @p err.
 */
int trawl_keys_build(const char *csv, const char *out, uint64_t mem, struct trawl_keys_stats *st,
		struct trawl_err *err);

/** The same, leaving out every row of the @p nskip addresses of @p skip (sorted). */
int trawl_keys_build_skip(const char *csv, const char *out, uint64_t mem, const uint32_t *skip, size_t nskip,
		struct trawl_keys_stats *st, struct trawl_err *err);

/*
 * The addresses with a row classified canary (tcp_banner, --canaries: they
 * answer every port) in @p csv, sorted and unique, in *addrs (malloc'd; 4
 * bytes an address). None when the CSV has no classification column.
 * @return 0 or -errno with @p err.
 */
int trawl_keys_canaries(const char *csv, uint32_t **addrs, size_t *n, struct trawl_err *err);

/*
 * The header of @p csv and every row whose key is in @p keys (a file of
 * sorted keys, 8 bytes each, mapped) to @p out: new.csv and gone.csv with
 * every field the scan wrote. @return 0 or -errno with @p err.
 */
int trawl_keys_rows(const char *csv, const char *keys, FILE *out, struct trawl_err *err);

struct trawl_keys_diff {
	uint64_t before, after;  /**< keys in each */
	uint64_t added, removed; /**< in after only, in before only */
};

/* Where one side of the diff goes: one "saddr,sport\n" row at a time, or nowhere (counting only). */
typedef int (*trawl_keys_emit)(void *arg, uint64_t key, int added);

/**
 * Merge @p before (NULL: no earlier run, every key is new) and @p after,
 * calling @p emit for each key in one and not the other (in key order).
 * @return 0, the first non-zero @p emit return, or -errno with @p err.
 */
int trawl_keys_diff(const char *before, const char *after, trawl_keys_emit emit, void *arg,
		struct trawl_keys_diff *d, struct trawl_err *err);

/* Both sides of a diff written as CSV rows: trawl_keys_emit_csv's argument. */
struct trawl_keys_csv {
	FILE *added, *removed;
};

/** A trawl_keys_emit writing "saddr,sport" rows to @p arg (struct trawl_keys_csv). @return 0 or -EIO. */
int trawl_keys_emit_csv(void *arg, uint64_t key, int added);

/** "a.b.c.d,port\n" for @p key into @p buf (at least 24 bytes); @return its length. */
size_t trawl_key_format(uint64_t key, char *buf);

/**
 * Parse "a.b.c.d,port" at the start of @p line (ended by ',', '\n' or the
 * end). @return 0 and the key, or -1.
 */
int trawl_key_parse(const char *line, size_t len, uint64_t *key);

#endif
