/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DATASET_H
#define TRAWL_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/err.h"

/*
 * The ground truth of the virtual internet. Bitmaps over all of IPv4 (512
 * MiB each, mapped lazily: only pages holding live hosts take memory, so a
 * /16 costs a few KiB and 61 million scattered hosts 512 MiB) and a sorted
 * array of (address, port) pairs, 8 bytes each. While every live host is
 * wild (no line has named a port yet), wild and live are one bitmap; the
 * first pair gives wild its own copy.
 *   live  - the host exists (answers RST on closed ports, echo, ARP)
 *   wild  - the host was listed without a port: open on every --ports port
 *   pairs - ADDR:PORT / CIDR:PORT lines: that TCP port open
 * Lookups are one bit test, plus a binary search for listed ports.
 *
 * Text form: one ADDR, CIDR, ADDR:PORT or CIDR:PORT per line, '#'
 * comments. Binary form (--compile): "TRAWLDS1", u64 range count, u64
 * pair count, the wild ranges as (u32 first, u32 last), then the pairs as
 * u64 (address << 16 | port), all little endian, sorted, merged.
 */
struct trawl_dataset {
	uint64_t *live;
	uint64_t *wild;         /**< == live until a line gives a port (then its own copy) */
	uint64_t *pairs;
	size_t npairs;
	size_t cap;
	uint64_t nwild_ranges;
	size_t max_pairs;       /**< text lines may list at most this many pairs (TRAWL_DATASET_MAX_PAIRS) */
};

/*
 * A text line "CIDR:PORT" lists every address of the block: "0.0.0.0/0:80"
 * alone would be 2^32 pairs (32 GiB). 2^28 pairs (2 GiB) holds 60 million
 * hosts with four listed ports each; a whole range open on a port is a
 * CIDR line with --ports.
 */
#define TRAWL_DATASET_MAX_PAIRS (UINT64_C(1) << 28)

#define TRAWL_DATASET_MAGIC "TRAWLDS1"

/** Empty dataset (maps the bitmaps). @return 0 or -ENOMEM. */
int trawl_dataset_init(struct trawl_dataset *ds);

void trawl_dataset_free(struct trawl_dataset *ds);

/**
 * Add a text or binary dataset file (told apart by the magic).
 * @return 0; -EINVAL with "file:line:column: ..." for a bad line; -errno.
 */
int trawl_dataset_load(struct trawl_dataset *ds, const char *path, struct trawl_err *err);

/** The same for the @p len bytes at @p data (text or binary), named @p name in errors. */
int trawl_dataset_parse(struct trawl_dataset *ds, const char *name, const void *data, size_t len,
		struct trawl_err *err);

/** Sort and merge the pairs; call once after the last load. */
void trawl_dataset_seal(struct trawl_dataset *ds);

/** Write @p ds (sealed) in the binary form. @return 0 or -errno. */
int trawl_dataset_write(const struct trawl_dataset *ds, const char *path, struct trawl_err *err);

/** Live hosts (population count of the live bitmap: a walk of 512 MiB). */
uint64_t trawl_dataset_count_live(const struct trawl_dataset *ds);

static inline int
trawl_bit(const uint64_t *bm, uint32_t a)
{
	return (int)((bm[a >> 6] >> (a & 63)) & 1);
}

static inline int
trawl_dataset_live(const struct trawl_dataset *ds, uint32_t addr)
{
	return trawl_bit(ds->live, addr);
}

/** Is TCP @p port open on @p addr? @p wild_ports: bitmap of --ports (NULL: every port). */
static inline int
trawl_dataset_open(const struct trawl_dataset *ds, uint32_t addr, uint16_t port, const uint64_t *wild_ports)
{
	uint64_t key = (uint64_t)addr << 16 | port;
	size_t lo = 0, hi = ds->npairs;

	if (trawl_bit(ds->wild, addr) && (wild_ports == NULL || trawl_bit(wild_ports, port)))
		return 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ds->pairs[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ds->npairs && ds->pairs[lo] == key;
}

#endif
