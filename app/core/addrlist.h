/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ADDRLIST_H
#define TRAWL_ADDRLIST_H

#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"
#include "app/core/ipv4.h"
#include "app/core/ipv6.h"

/*
 * -I, --list-of-ips: a list of single addresses, one per line, as ZMap's
 * -I; '#' starts a comment, blank lines, surrounding white space and CRLF
 * endings are accepted. The list's addresses join the allowlist, so the
 * permutation runs over them and the ports like any other targets: each
 * (address, port) exactly once, a line repeated in the list still once.
 *
 * Hitlists run to tens of millions of lines, so the file is read in large
 * blocks and parsed in place, and the addresses sorted by radix
 * (trawl_sort_u32): a 50 M-line list loads in seconds (bench/listbench;
 * bench/RESULTS.md, Targeting).
 */
struct trawl_addrlist_stats {
	uint64_t lines;      /**< address lines read, both families */
	uint64_t addresses;  /**< distinct addresses among them */
	uint64_t addresses6; /**< of which IPv6 */
};

/* A list's IPv6 addresses: sorted as 128-bit numbers, each once. */
struct trawl_addrs6 {
	struct trawl_ip6 *v;
	size_t n;
	size_t cap;
};

void trawl_addrs6_free(struct trawl_addrs6 *a);

/* The longest line a list may hold: an address and a comment. */
#define TRAWL_ADDRLIST_MAX_LINE 4096u

/**
 * Read the list in @p f (named @p path in errors) and append its distinct
 * IPv4 addresses to @p rs as sorted ranges (consecutive addresses as one),
 * its IPv6 addresses to @p v6, sorted, each once (NULL: an IPv6 line is an
 * error that says so).
 * @return 0; -EINVAL with "path:line:column: ..." in @p err for a line that
 * is not one address; -ENOMEM; -EIO if the file cannot be read.
 */
int trawl_addrlist_read(struct trawl_ranges *rs, struct trawl_addrs6 *v6, FILE *f, const char *path,
		struct trawl_addrlist_stats *st, struct trawl_err *err);

/** The same from the file at @p path. */
int trawl_addrlist_load(struct trawl_ranges *rs, struct trawl_addrs6 *v6, const char *path,
		struct trawl_addrlist_stats *st, struct trawl_err *err);

#endif
