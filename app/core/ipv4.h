/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_IPV4_H
#define TRAWL_IPV4_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"
#include "app/core/ipv6.h"

/* An inclusive range of IPv4 addresses in host byte order. */
struct trawl_range {
	uint32_t lo;
	uint32_t hi;
};

/*
 * A growable list of ranges, as read from the command line and files; the
 * IPv6 prefixes of a file apart (v6), since an IPv4 scan's targets and
 * blocklist are the IPv4 ranges alone.
 */
struct trawl_ranges {
	struct trawl_range *v;
	size_t n;
	size_t cap;
	struct trawl_prefix6 *v6;
	size_t n6;
	size_t cap6;
};

/**
 * Parse a dotted-quad IPv4 address (exactly four decimal octets) into host
 * byte order. @return 0 or -EINVAL.
 */
int trawl_parse_ipv4(const char *s, uint32_t *addr);

/**
 * Parse "A.B.C.D" (a /32) or "A.B.C.D/N" (0 <= N <= 32) into a range. Host
 * bits below the prefix are ignored, as in ZMap: 10.1.2.3/8 is 10.0.0.0/8.
 * @return 0 or -EINVAL.
 */
int trawl_parse_cidr(const char *s, struct trawl_range *r);

/** Append a range. @return 0 or -ENOMEM. */
int trawl_ranges_add(struct trawl_ranges *rs, struct trawl_range r);

/** Append an IPv6 prefix. @return 0 or -ENOMEM. */
int trawl_ranges_add6(struct trawl_ranges *rs, struct trawl_prefix6 p);

void trawl_ranges_free(struct trawl_ranges *rs);

/**
 * Read an address list file: one CIDR or address per line, IPv4 or IPv6
 * (the IPv6 ones to rs->v6); '#' starts a comment; blank lines, surrounding
 * white space and CRLF endings are accepted. Appends to @p rs.
 * @return 0; -EINVAL with "path:line:column: ..." in @p err for a bad
 * line; -errno with the path in @p err if the file cannot be read.
 */
int trawl_ranges_load(struct trawl_ranges *rs, const char *path, struct trawl_err *err);

/** The same from the open stream @p f, named @p path in errors. */
int trawl_ranges_read(struct trawl_ranges *rs, FILE *f, const char *path, struct trawl_err *err);
/**
 * Write @p rs as an address list trawl_ranges_read reads back to the same
 * addresses: each range as the fewest CIDR blocks that cover it exactly,
 * then the IPv6 prefixes.
 * @return 0 or -EIO.
 */
int trawl_ranges_write(const struct trawl_ranges *rs, FILE *f);

/* The longest line an address list may hold: a stream that never ends a line (-b /dev/zero) is refused. */
#define TRAWL_RANGES_MAX_LINE (16u << 20)

/** Format a host-order address into @p buf (at least 16 bytes). */
const char *trawl_ipv4_str(uint32_t addr, char *buf);

#endif
