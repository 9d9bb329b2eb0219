/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DATASET_H
#define TRAWL_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/err.h"
#include "app/respond/dataset6.h"

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
 * comments; IPv6 lines (ADDR, PREFIX/LEN, [ADDR]:PORT) go to dataset6.h's
 * arrays. Binary form (--compile): "TRAWLDS1", u64 range count, u64
 * pair count, the wild ranges as (u32 first, u32 last), then the pairs as
 * u64 (address << 16 | port), all little endian, sorted, merged; then, if
 * there are IPv6 hosts, dataset6.h's section.
 *
 * Services (issue 21), text form only: "ADDR:PORT SERVICE" or "CIDR:PORT
 * SERVICE" opens the port as the line without SERVICE does, and says what
 * answers on it after the handshake: http, tls, ssh, banner:TEXT (the
 * server speaks first) or file:PATH (the file's bytes, first, at most one
 * segment). "CIDR middlebox" (or middlebox:zerowin) makes the block's hosts
 * answer a SYN on every port and never send data (zerowin: window 0, no
 * options, as tarpits do). Blocks of one port's services should not
 * overlap (the one that starts last before the address is the one found).
 */
enum trawl_svc {
	TRAWL_SVC_NONE = 0,
	TRAWL_SVC_HTTP,
	TRAWL_SVC_TLS,
	TRAWL_SVC_SSH,
	TRAWL_SVC_BANNER,
	TRAWL_SVC_FILE,
	TRAWL_SVC_MAX,
};

extern const char *const trawl_svc_names[TRAWL_SVC_MAX];

/* The most bytes a banner:/file: service sends: one segment. */
#define TRAWL_SVC_BYTES_MAX 1400

struct trawl_service {
	uint32_t lo, hi;    /**< the block */
	uint16_t port;
	uint8_t kind;       /**< enum trawl_svc */
	uint32_t off, len;  /**< banner:/file: bytes in the dataset's svc_bytes */
};

struct trawl_middlebox {
	uint32_t lo, hi;
	uint8_t zerowin;
};

struct trawl_dataset {
	uint64_t *live;
	uint64_t *wild;         /**< == live until a line gives a port (then its own copy) */
	uint64_t *pairs;
	size_t npairs;
	size_t cap;
	uint64_t nwild_ranges;
	size_t max_pairs;       /**< text lines may list at most this many pairs (TRAWL_DATASET_MAX_PAIRS) */
	struct trawl_service *svc;  /**< sorted by (port, lo) once sealed */
	size_t nsvc;
	uint8_t *svc_bytes;
	size_t svc_bytes_len;
	struct trawl_middlebox *mbox; /**< sorted by lo once sealed */
	size_t nmbox;
	struct trawl_dataset6 six;    /**< the IPv6 hosts (dataset6.h) */
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

/** The service on (@p addr, @p port), or NULL. */
const struct trawl_service *trawl_dataset_service(const struct trawl_dataset *ds, uint32_t addr, uint16_t port);

/** Is @p addr in a middlebox block? -1: no; 0: yes; 1: yes, with the zero-window signature. */
static inline int
trawl_dataset_middlebox(const struct trawl_dataset *ds, uint32_t addr)
{
	size_t lo = 0, hi = ds->nmbox;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ds->mbox[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && ds->mbox[lo - 1].hi >= addr ? ds->mbox[lo - 1].zerowin : -1;
}

#endif
