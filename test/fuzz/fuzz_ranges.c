/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allowlists and blocklists (-w, -b, the shipped blocklist): the input as a
 * file of CIDR lines, read from an exact-size heap copy (fmemopen), its
 * first half as the allowlist and the rest as the blocklist, then built
 * into the target set and walked at its ends; the whole input as an -I list
 * of both families (sorted, each address once, every IPv6 address read back
 * from its RFC 5952 text); and -p's port lists, from the first line alone.
 */
#include <stdio.h>

#include "test/fuzz/fuzz.h"

#include "app/core/addrlist.h"
#include "app/core/constraint.h"
#include "app/core/ipv4.h"
#include "app/core/ports.h"

static int
read_ranges(const uint8_t *data, size_t size, struct trawl_ranges *rs)
{
	struct trawl_err err;
	uint8_t *copy = fuzz_copy(data, size);
	FILE *f = size ? fmemopen(copy, size, "r") : NULL;
	int rc = 0;

	if (f != NULL) {
		rc = trawl_ranges_read(rs, f, "fuzz", &err);
		fclose(f);
	}
	free(copy);
	return rc;
}

static void
check_addrlist(const uint8_t *data, size_t size)
{
	struct trawl_ranges rs = { 0 };
	struct trawl_addrs6 v6 = { 0 };
	struct trawl_addrlist_stats st;
	struct trawl_err err;
	uint8_t *copy = fuzz_copy(data, size);
	FILE *f = size ? fmemopen(copy, size, "r") : NULL;

	if (f != NULL && trawl_addrlist_read(&rs, &v6, f, "fuzz", &st, &err) == 0) {
		uint64_t n4 = 0;

		for (size_t i = 0; i < rs.n; i++) {
			if (rs.v[i].hi < rs.v[i].lo || (i > 0 && (uint64_t)rs.v[i].lo <= (uint64_t)rs.v[i - 1].hi + 1))
				abort(); /* sorted, disjoint, not adjacent */
			n4 += (uint64_t)rs.v[i].hi - rs.v[i].lo + 1;
		}
		for (size_t i = 0; i < v6.n; i++) {
			char buf[TRAWL_IPV6_STRLEN];
			struct trawl_ip6 back;

			if (i > 0 && (v6.v[i - 1].hi > v6.v[i].hi ||
				      (v6.v[i - 1].hi == v6.v[i].hi && v6.v[i - 1].lo >= v6.v[i].lo)))
				abort(); /* strictly increasing: sorted, each once */
			if (trawl_parse_ipv6(trawl_ipv6_str(&v6.v[i], buf), &back) != 0 || back.hi != v6.v[i].hi ||
					back.lo != v6.v[i].lo)
				abort();
		}
		if (st.addresses6 != v6.n || st.addresses != n4 + v6.n || st.lines < st.addresses)
			abort();
	}
	if (f != NULL)
		fclose(f);
	free(copy);
	trawl_ranges_free(&rs);
	trawl_addrs6_free(&v6);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_constraint c;
	static struct trawl_ports ports; /* 128 KiB */
	struct trawl_err err;
	size_t half = size / 2, line;
	char *first;

	if (size > 65536)
		return 0;
	if (read_ranges(data, half, &allow) == 0 && read_ranges(data + half, size - half, &block) == 0 &&
			trawl_constraint_build(&c, &allow, &block) == 0) {
		uint64_t n = trawl_constraint_count(&c);

		if (n > 0) {
			uint32_t a = trawl_constraint_lookup(&c, 0), b = trawl_constraint_lookup(&c, n - 1);

			if (!trawl_constraint_contains(&c, a) || !trawl_constraint_contains(&c, b) ||
					trawl_constraint_rank(&c, b) != n - 1)
				abort();
		}
		trawl_constraint_free(&c);
	}
	trawl_ranges_free(&allow);
	trawl_ranges_free(&block);
	check_addrlist(data, size);
	for (line = 0; line < size && data[line] != '\n'; line++)
		;
	first = fuzz_string(data, line);
	if (trawl_ports_parse(&ports, first, &err) == 0 && ports.n > 65536)
		abort();
	free(first);
	return 0;
}
