/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DATASET6_H
#define TRAWL_DATASET6_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/core/ipv6.h"

/*
 * The virtual internet's IPv6 hosts: what IPv4's bitmaps hold, for a space
 * no bitmap covers. Three sorted arrays:
 *   addrs  - ADDR lines: the host lives and is open on every --ports port
 *            (16 bytes an address: 50 M of them, a hitlist, are 800 MB)
 *   ranges - PREFIX/LEN lines: every address of the prefix, the same
 *   pairs  - [ADDR]:PORT lines: that TCP port open (the host lives)
 * Lookups are binary searches. Text lines: ADDR, PREFIX/LEN, [ADDR]:PORT
 * (the brackets of RFC 3986, since an IPv6 address holds colons).
 * Services and middleboxes as IPv4's (dataset.h), text form only:
 * "[ADDR]:PORT SERVICE" opens the port as the line without SERVICE does
 * and says what answers on it; "ADDR middlebox" or "PREFIX/LEN middlebox"
 * (or middlebox:zerowin) makes the hosts live and answer a SYN on every
 * port. dataset.c reads the service word; the records are kept here.
 */
struct trawl_pair6 {
	struct trawl_ip6 a;
	uint64_t port;   /**< a word, so that the record sorts and compares as three words */
};

/* A service on one address's port: what dataset.h's struct trawl_service says, for one IPv6 address. */
struct trawl_svc6 {
	struct trawl_ip6 a;
	uint16_t port;
	uint8_t kind;        /**< enum trawl_svc */
	uint32_t off, len;   /**< banner:/file: bytes in the dataset's svc_bytes */
};

struct trawl_mbox6 {
	struct trawl_ip6 lo, hi;
	uint8_t zerowin;
};

struct trawl_dataset6 {
	struct trawl_ip6 *addrs;
	size_t naddrs, cap_addrs;
	struct trawl_ip6 *lo, *hi;    /**< ranges, [lo, hi], sorted and disjoint once sealed */
	size_t nranges, cap_ranges;
	struct trawl_pair6 *pairs;
	size_t npairs, cap_pairs;
	struct trawl_svc6 *svc;       /**< sorted by (address, port) once sealed */
	size_t nsvc, cap_svc;
	struct trawl_mbox6 *mbox;     /**< sorted by lo once sealed */
	size_t nmbox, cap_mbox;
};

/**
 * One text line (comment and blanks stripped) if it is IPv6: @return 0, or
 * -ENOENT if the line is no IPv6 line (IPv4's parser takes it), -EINVAL for
 * an IPv6 line that does not parse, -ENOMEM.
 */
int trawl_dataset6_line(struct trawl_dataset6 *d, const char *s, const char *end);

/**
 * The address part [s, end) of a service line ("[ADDR]:PORT") or, with
 * @p middlebox set, of a middlebox line ("ADDR" or "PREFIX/LEN"), if it is
 * IPv6: the line without its word is taken as trawl_dataset6_line does,
 * and the record kept (@p sv's kind, off and len; @p zerowin for a
 * middlebox). @return 0, -ENOENT (not IPv6), -EDESTADDRREQ (a service
 * without a port, a middlebox with one), -EINVAL, -ENOMEM.
 */
int trawl_dataset6_service_line(struct trawl_dataset6 *d, const char *s, const char *end, int middlebox,
		int zerowin, const struct trawl_svc6 *sv);

/** The service on (@p a, @p port), or NULL. */
const struct trawl_svc6 *trawl_dataset6_service(const struct trawl_dataset6 *d, struct trawl_ip6 a, uint16_t port);

/** Is @p a in a middlebox block? -1: no; 0: yes; 1: yes, with the zero-window signature. */
int trawl_dataset6_middlebox(const struct trawl_dataset6 *d, struct trawl_ip6 a);

/** Sort, merge and make unique; once after the last load. */
void trawl_dataset6_seal(struct trawl_dataset6 *d);

void trawl_dataset6_free(struct trawl_dataset6 *d);

/** Is there anything IPv6? */
static inline int
trawl_dataset6_empty(const struct trawl_dataset6 *d)
{
	return d->naddrs == 0 && d->nranges == 0 && d->npairs == 0;
}

/** Does @p a live as a wild host (an ADDR or PREFIX line)? */
int trawl_dataset6_wild(const struct trawl_dataset6 *d, struct trawl_ip6 a);

/** Is @p a a host (wild, or with a listed port)? */
int trawl_dataset6_live(const struct trawl_dataset6 *d, struct trawl_ip6 a);

/** Is TCP @p port open on @p a? @p wild_ports: bitmap of --ports (NULL: every port). */
int trawl_dataset6_open(const struct trawl_dataset6 *d, struct trawl_ip6 a, uint16_t port, const uint64_t *wild_ports);

/*
 * The binary form's IPv6 section, after IPv4's: "TRAWL6\0\0", then u64
 * counts of addresses, ranges and pairs, then each as little-endian words
 * (address: hi, lo; range: lo.hi, lo.lo, hi.hi, hi.lo; pair: hi, lo, port).
 */
#define TRAWL_DATASET6_MAGIC "TRAWL6\0\0"

/** Bytes the section of @p d takes. */
size_t trawl_dataset6_section_size(const struct trawl_dataset6 *d);

/** Write the section (sealed @p d) to @p f. @return 0 or -EIO. */
int trawl_dataset6_write(const struct trawl_dataset6 *d, FILE *f);

/**
 * Read a section of @p size bytes at @p p into @p d (appended).
 * @return 0, -EINVAL if it is malformed, -ENOMEM.
 */
int trawl_dataset6_read(struct trawl_dataset6 *d, const uint8_t *p, size_t size);

#endif
