/* SPDX-License-Identifier: BSD-3-Clause */
/* Addresses, CIDR blocks, list files, the constraint structure, port lists and target indexes. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/core/addrlist.h"
#include "app/core/constraint.h"
#include "app/core/ipv4.h"
#include "app/core/ipv6.h"
#include "app/core/cyclic.h"
#include "app/core/ports.h"
#include "app/core/sort.h"
#include "app/core/target.h"
#include "app/core/window6.h"
#include "test/unit/check.h"

static void
test_parse_cidr(void)
{
	struct trawl_range r;
	uint32_t a;

	CHECK(trawl_parse_ipv4("198.18.0.1", &a) == 0 && a == 0xc6120001);
	CHECK(trawl_parse_cidr("10.0.0.0/8", &r) == 0 && r.lo == 0x0a000000 && r.hi == 0x0affffff);
	CHECK(trawl_parse_cidr("1.2.3.4", &r) == 0 && r.lo == 0x01020304 && r.hi == 0x01020304); /* bare = /32 */
	CHECK(trawl_parse_cidr("0.0.0.0/0", &r) == 0 && r.lo == 0 && r.hi == UINT32_MAX);
	CHECK(trawl_parse_cidr("10.1.2.3/8", &r) == 0 && r.lo == 0x0a000000); /* host bits masked, as ZMap */
	CHECK(trawl_parse_cidr("255.255.255.255/32", &r) == 0 && r.lo == UINT32_MAX);
	static const char *const bad[] = { "", "/8", "1.2.3", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1",
		"1.2.3.256", "1.2.3.4/8x", "01.2.3.4.5", "a.b.c.d", "1.2.3.4/ 8", " 1.2.3.4", "1.2.3.4/008",
		"1.2.3.04x", "1.2.3.4/8/8" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = trawl_parse_cidr(bad[i], &r);

		if (rc == 0)
			fprintf(stderr, "accepted '%s'\n", bad[i]);
		CHECK(rc == -EINVAL);
	}
}

static char *
write_tmp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/trawl-unit-XXXXXX");
	int fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_list_files(void)
{
	struct trawl_ranges rs = { 0 };
	struct trawl_err err = { "" };
	char *p;

	p = write_tmp("# comment\n\n  10.0.0.0/8  # trailing\r\n1.2.3.4\r\n\t192.168.0.0/16\n");
	CHECK(trawl_ranges_load(&rs, p, &err) == 0);
	CHECK_EQ_U64(rs.n, 3);
	CHECK(rs.n == 3 && rs.v[1].lo == 0x01020304 && rs.v[1].hi == 0x01020304);
	unlink(p);
	trawl_ranges_free(&rs);

	p = write_tmp("10.0.0.0/8\n\n  10.0.0.0/33\n");
	CHECK(trawl_ranges_load(&rs, p, &err) == -EINVAL);
	CHECK(strstr(err.msg, ":3:3: ") != NULL); /* file:line:column */
	CHECK(strstr(err.msg, "10.0.0.0/33") != NULL);
	unlink(p);
	trawl_ranges_free(&rs);

	p = write_tmp("10.0.0.0/8 11.0.0.0/8\n");
	CHECK(trawl_ranges_load(&rs, p, &err) == -EINVAL);
	unlink(p);
	trawl_ranges_free(&rs);

	CHECK(trawl_ranges_load(&rs, "/nonexistent/trawl-list", &err) == -ENOENT);
	CHECK(strstr(err.msg, "/nonexistent/trawl-list") != NULL);
	trawl_ranges_free(&rs);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* IPv6 addresses and prefixes: parsing, host bits, RFC 5952's text (its own examples), lists and write-back. */
static void
test_ipv6(void)
{
	static const struct {
		const char *in, *out;
	} text[] = {
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },    /* RFC 5952 4.1, 4.2.1 */
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },                   /* 4.2.3: the first of equal runs */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },                /* 4.2.2: one zero group stays 0 */
		{ "2001:db8::aaaa:0:0:1", "2001:db8::aaaa:0:0:1" },
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },                         /* 4.2.3: the longest run */
		{ "2001:DB8::1", "2001:db8::1" },                                  /* 4.3: lower case */
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "::102:304", "::102:304" },                                      /* not ::1.2.3.4 (glibc's inet_ntop) */
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },                        /* 5: IPv4-mapped keeps its dotted tail */
		{ "::ffff:c000:201", "::ffff:192.0.2.1" },
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "2001:2::ffff:0:0", "2001:2::ffff:0:0" },
	};
	struct trawl_prefix6 p;
	struct trawl_ip6 a;
	char buf[TRAWL_IPV6_STRLEN];

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		CHECK(trawl_parse_ipv6(text[i].in, &a) == 0);
		trawl_ipv6_str(&a, buf);
		if (strcmp(buf, text[i].out) != 0)
			fprintf(stderr, "%s -> %s, want %s\n", text[i].in, buf, text[i].out);
		CHECK(strcmp(buf, text[i].out) == 0);
	}
	/* Random addresses, some groups zero: as glibc's inet_ntop writes them (RFC 5952 but for its ::a.b.c.d). */
	for (unsigned int i = 0, mismatches = 0; i < 20000; i++) {
		uint64_t r = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);
		uint8_t b[16];
		char want[INET6_ADDRSTRLEN];

		a.hi = r ^ (r << 7);
		a.lo = r * 31;
		for (int g = 0; g < 8; g++)
			if ((r >> (g * 3)) & 1) /* about half the groups zero */
				*(g < 4 ? &a.hi : &a.lo) &= ~(UINT64_C(0xffff) << (48 - 16 * (g & 3)));
		if (a.hi == 0 && (a.lo >> 32 == 0 || a.lo >> 32 == 0xffff))
			continue;
		trawl_ip6_store(b, a);
		inet_ntop(AF_INET6, b, want, sizeof(want));
		trawl_ipv6_str(&a, buf);
		if (strcmp(buf, want) != 0 && mismatches++ < 3)
			fprintf(stderr, "%s, want %s\n", buf, want);
		CHECK(strcmp(buf, want) == 0);
	}
	CHECK(trawl_parse_ipv6("2001:db8::1", &a) == 0 && a.hi == 0x20010db800000000ULL && a.lo == 1);
	CHECK(trawl_parse_ipv6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a) == 0);
	CHECK(strcmp(trawl_ipv6_str(&a, buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 0);

	CHECK(trawl_parse_prefix6("2001:db8::1/32", &p) == 0 && p.len == 32 && p.addr.hi == 0x20010db800000000ULL &&
	      p.addr.lo == 0); /* host bits masked */
	CHECK(trawl_parse_prefix6("2001:db8::1", &p) == 0 && p.len == 128 && p.addr.lo == 1);
	CHECK(trawl_parse_prefix6("::/0", &p) == 0 && p.len == 0 && p.addr.hi == 0 && p.addr.lo == 0);
	CHECK(trawl_parse_prefix6("2001:db8:1:2:3:4:5:6/96", &p) == 0 && p.addr.lo == 0x0003000400000000ULL);
	CHECK(trawl_parse_prefix6("2001:db8:1:2:ffff::/65", &p) == 0 && p.addr.lo == 0x8000000000000000ULL);
	CHECK(trawl_parse_ipv6("2001:db8:1:2::5", &a) == 0 && trawl_prefix6_contains(&p, a) == 0);
	CHECK(trawl_parse_prefix6("2001:db8:1:2::/64", &p) == 0 && trawl_prefix6_contains(&p, a) == 1);
	static const char *const bad[] = { "", "/64", "2001:db8::/129", "2001:db8::/", "2001:db8::/ 1", "2001:db8::/-1",
		"2001:db8::/0064", "2001:db8::1::2", "2001:db8::g", "1.2.3.4", "fe80::1%eth0", "2001:db8::/64/64",
		"12345::", "1:2:3:4:5:6:7:8:9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = trawl_parse_prefix6(bad[i], &p);

		if (rc == 0)
			fprintf(stderr, "accepted '%s'\n", bad[i]);
		CHECK(rc == -EINVAL);
	}

	/* The parser's fast path against inet_pton on random strings shaped like addresses, and a few crafted ones. */
	{
		static const char alpha[] = "0123456789abcdefABCDEF:::::.g ";
		static const char *const crafted[] = { "::", ":::", "1::", "::1:", ":1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
			"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2::3", "12345::", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4",
			"0000:0000:0000:0000:0000:0000:0000:0001", "00000::", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
			"fFfF::", "1:2:3:4:5:6:7", ":", "" };
		uint64_t mismatch = 0, accepted = 0;

		for (unsigned int i = 0; i < 300000 + sizeof(crafted) / sizeof(crafted[0]); i++) {
			char str[48];
			unsigned char b[16];
			struct trawl_ip6 x;
			int ours, theirs;

			if (i < sizeof(crafted) / sizeof(crafted[0])) {
				snprintf(str, sizeof(str), "%s", crafted[i]);
			} else if (i % 2) {
				/* an address written out, maybe compressed, maybe with one character changed */
				int n = 0, from = (int)(rnd() % 8), to = from + (int)(rnd() % 4);

				for (int k = 0; k < 8; k++) {
					if (rnd() % 3 == 0 && k >= from && k < to) {
						if (k == from)
							n += snprintf(str + n, sizeof(str) - (size_t)n, k == 0 ? "::" : ":");
						continue;
					}
					n += snprintf(str + n, sizeof(str) - (size_t)n, rnd() % 2 ? "%x" : "%04X", rnd() & 0xffff);
					if (k < 7)
						str[n++] = ':', str[n] = '\0';
				}
				if (rnd() % 4 == 0)
					str[rnd() % (unsigned int)n] = alpha[rnd() % (sizeof(alpha) - 1)];
			} else {
				unsigned int len = 2 + rnd() % 40;

				for (unsigned int k = 0; k < len; k++)
					str[k] = rnd() % 3 ? "0123456789abcdef"[rnd() % 16] : alpha[rnd() % (sizeof(alpha) - 1)];
				str[len] = '\0';
			}
			ours = trawl_parse_ipv6(str, &x) == 0;
			theirs = inet_pton(AF_INET6, str, b) == 1;
			accepted += theirs;
			if (ours != theirs) {
				mismatch++;
				fprintf(stderr, "'%s': ours %d, inet_pton %d\n", str, ours, theirs);
			} else if (ours) {
				for (int k = 0; k < 8; k++)
					mismatch += (uint8_t)(x.hi >> (56 - 8 * k)) != b[k] || (uint8_t)(x.lo >> (56 - 8 * k)) != b[8 + k];
			}
		}
		CHECK(mismatch == 0);
		CHECK(accepted > 30000); /* the comparison saw addresses, not only rejects */
	}

	/* A list of both families: IPv6 lines apart, and written back to what reads the same. */
	{
		struct trawl_ranges rs = { 0 }, again = { 0 };
		struct trawl_err err = { "" };
		char *path = write_tmp("10.0.0.0/8\n2001:DB8::/32  # doc\n::1\r\n192.0.2.1\nfe80::1/10\n");
		char out[64] = "/tmp/trawl-unit-out-XXXXXX";
		int fd = mkstemp(out);
		FILE *f = fdopen(fd, "w");

		CHECK(trawl_ranges_load(&rs, path, &err) == 0);
		CHECK_EQ_U64(rs.n, 2);
		CHECK_EQ_U64(rs.n6, 3);
		CHECK(rs.n6 == 3 && rs.v6[0].len == 32 && rs.v6[1].len == 128 && rs.v6[1].addr.lo == 1 &&
		      rs.v6[2].len == 10 && rs.v6[2].addr.hi == 0xfe80000000000000ULL && rs.v6[2].addr.lo == 0);
		CHECK(trawl_ranges_write(&rs, f) == 0);
		fclose(f);
		CHECK(trawl_ranges_load(&again, out, &err) == 0);
		CHECK(again.n == rs.n && again.n6 == rs.n6);
		for (size_t i = 0; i < rs.n6 && i < again.n6; i++)
			CHECK(again.v6[i].len == rs.v6[i].len && again.v6[i].addr.hi == rs.v6[i].addr.hi &&
			      again.v6[i].addr.lo == rs.v6[i].addr.lo);
		unlink(path);
		unlink(out);
		trawl_ranges_free(&rs);
		trawl_ranges_free(&again);

		path = write_tmp("2001:db8::\n2001:db8::/130\n");
		CHECK(trawl_ranges_load(&rs, path, &err) == -EINVAL && strstr(err.msg, ":2:1: ") != NULL);
		unlink(path);
		trawl_ranges_free(&rs);
	}
}


static int
cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The radix path (n >= TRAWL_SORT_RADIX_MIN) and the qsort path against qsort, keys with repeats. */
static void
test_sort(void)
{
	static const size_t sizes[] = { 0, 1, 1000, TRAWL_SORT_RADIX_MIN, 300000 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		uint32_t *v = malloc((n + 1) * sizeof(*v)), *ref = malloc((n + 1) * sizeof(*ref));
		struct trawl_range *r = malloc((n + 1) * sizeof(*r));
		int ok = 1;

		for (size_t i = 0; i < n; i++) {
			/* half the keys from a small set (repeats), half anywhere, both halves of the 32 bits moving */
			v[i] = ref[i] = i % 2 ? rnd() : rnd() % 5000 * 0x10001u;
			r[i] = (struct trawl_range){ v[i], v[i] + (rnd() & 3) };
		}
		trawl_sort_u32(v, n);
		qsort(ref, n, sizeof(*ref), cmp32);
		CHECK(n == 0 || memcmp(v, ref, n * sizeof(*v)) == 0);
		trawl_sort_ranges(r, n);
		for (size_t i = 0; i < n; i++)
			ok &= r[i].lo == ref[i] && r[i].hi - r[i].lo <= 3;
		CHECK(ok);
		free(v);
		free(ref);
		free(r);
	}
	/* IPv6: a shared top (the skipped passes), random below, repeats; against qsort's order. */
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		struct trawl_ip6 *v = malloc((n + 1) * sizeof(*v));
		int ok = 1;

		for (size_t i = 0; i < n; i++) {
			v[i].hi = 0x2001000000000000ULL | (uint64_t)(rnd() % 64) << 32 | (i % 3 ? rnd() : 7);
			v[i].lo = i % 5 ? (uint64_t)rnd() << 32 | rnd() : 1;
		}
		uint64_t sum = 0, sum2 = 0;

		for (size_t i = 0; i < n; i++)
			sum += v[i].hi * 0x9e3779b97f4a7c15ULL ^ v[i].lo;
		trawl_sort_ip6(v, n);
		for (size_t i = 1; i < n; i++)
			ok &= v[i - 1].hi < v[i].hi || (v[i - 1].hi == v[i].hi && v[i - 1].lo <= v[i].lo);
		for (size_t i = 0; i < n; i++)
			sum2 += v[i].hi * 0x9e3779b97f4a7c15ULL ^ v[i].lo;
		CHECK(ok);
		CHECK(sum == sum2); /* the same addresses, none lost or doubled */
		free(v);
	}
}

static void
addrlist_from(const char *text, size_t len, struct trawl_ranges *rs, struct trawl_addrlist_stats *st,
		struct trawl_err *err, int *rc)
{
	FILE *f = fmemopen((void *)text, len, "r");

	CHECK(f != NULL);
	*rc = trawl_addrlist_read(rs, NULL, f, "list", st, err);
	fclose(f);
}

static void
test_addrlist(void)
{
	static const char text[] = "# a hitlist\n\n  198.18.0.2  # two\r\n198.18.0.1\r\n\t198.18.0.3\n198.18.0.2\n"
		"10.0.0.1\n198.18.0.1\n255.255.255.255\n0.0.0.0";
	struct trawl_ranges rs = { 0 };
	struct trawl_addrlist_stats st;
	struct trawl_err err = { "" };
	int rc;

	/* Repeats once, consecutive addresses one range, the last line without its newline. */
	addrlist_from(text, sizeof(text) - 1, &rs, &st, &err, &rc);
	CHECK(rc == 0);
	CHECK_EQ_U64(st.lines, 8);
	CHECK_EQ_U64(st.addresses, 6);
	CHECK_EQ_U64(rs.n, 4);
	CHECK(rs.n == 4 && rs.v[0].lo == 0 && rs.v[0].hi == 0 && rs.v[1].lo == 0x0a000001 &&
	      rs.v[2].lo == 0xc6120001 && rs.v[2].hi == 0xc6120003 && rs.v[3].lo == UINT32_MAX);
	trawl_ranges_free(&rs);

	/* Both families: IPv6 lines kept apart, sorted, each once, in the counts. */
	{
		static const char mixed[] = "2001:2::2\n198.18.0.1\n2001:2:0:0::1\n2001:2::2 # again\n::ffff:1.2.3.4\n"
			"2001:2::1/128\n";
		struct trawl_addrs6 v6 = { 0 };
		FILE *f = fmemopen((void *)mixed, sizeof(mixed) - 1, "r");

		CHECK(trawl_addrlist_read(&rs, &v6, f, "list", &st, &err) == -EINVAL); /* a prefix is no address */
		CHECK(strstr(err.msg, "list:6:1: a CIDR block") != NULL);
		fclose(f);
		trawl_ranges_free(&rs);
		trawl_addrs6_free(&v6);
		f = fmemopen((void *)mixed, sizeof(mixed) - 15, "r"); /* without the last line */
		CHECK(trawl_addrlist_read(&rs, &v6, f, "list", &st, &err) == 0);
		fclose(f);
		CHECK_EQ_U64(st.lines, 5);
		CHECK_EQ_U64(st.addresses, 4);
		CHECK_EQ_U64(st.addresses6, 3);
		CHECK(v6.n == 3 && v6.v[0].hi == 0 && v6.v[0].lo == 0xffff01020304ULL && v6.v[1].hi == 0x2001000200000000ULL &&
		      v6.v[1].lo == 1 && v6.v[2].lo == 2);
		CHECK(rs.n == 1 && rs.v[0].lo == 0xc6120001);
		trawl_ranges_free(&rs);
		trawl_addrs6_free(&v6);
	}

	/* Bad lines: file, line and column, and why. */
	static const struct {
		const char *text, *where, *why;
	} bad[] = {
		{ "1.2.3.4\n  1.2.3.256\n", "list:2:3: ", "not an IPv4 address" },
		{ "1.2.3.4/32\n", "list:1:1: ", "a CIDR block" },
		{ "2001:2::1\n", "list:1:1: ", "an IPv6 address" },
		{ "01.2.3.4\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3.4 1.2.3.5\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3.4.5\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3.\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3.1234\n", "list:1:1: ", "not an IPv4 address" },
		{ "1.2.3.4\n\n1.2.\0003.4\n", "list:3:5: ", "a NUL byte" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);

		if (strstr(bad[i].why, "NUL") != NULL)
			len = 18;
		addrlist_from(bad[i].text, len, &rs, &st, &err, &rc);
		CHECK(rc == -EINVAL);
		if (strstr(err.msg, bad[i].where) == NULL || strstr(err.msg, bad[i].why) == NULL)
			fprintf(stderr, "case %zu: %s\n", i, err.msg);
		CHECK(strstr(err.msg, bad[i].where) != NULL && strstr(err.msg, bad[i].why) != NULL);
		trawl_ranges_free(&rs);
	}

	/* A line longer than the bound: refused, not read without end. */
	{
		size_t n = TRAWL_ADDRLIST_MAX_LINE * 3;
		char *big = malloc(n);

		memset(big, '1', n);
		addrlist_from(big, n, &rs, &st, &err, &rc);
		CHECK(rc == -EINVAL && strstr(err.msg, "a line longer than") != NULL);
		trawl_ranges_free(&rs);
		free(big);
	}

	/* Several MiB (lines across the reader's 1 MiB blocks), repeats and runs, against a sorted reference. */
	{
		size_t n = 400000, len = 0, want = 0;
		char *buf = malloc(n * 20);
		uint32_t *ref = malloc(n * sizeof(*ref));
		uint64_t covered = 0;

		for (size_t i = 0; i < n; i++) {
			uint32_t a = i % 3 == 0 && i ? ref[rnd() % i] : 0xc6120000u + rnd() % 300000;

			ref[i] = a;
			len += (size_t)sprintf(buf + len, i % 5 ? "%u.%u.%u.%u\n" : " %u.%u.%u.%u # c\r\n", a >> 24,
					a >> 16 & 255, a >> 8 & 255, a & 255);
		}
		qsort(ref, n, sizeof(*ref), cmp32);
		for (size_t i = 0; i < n; i++)
			want += i == 0 || ref[i] != ref[i - 1];
		addrlist_from(buf, len, &rs, &st, &err, &rc);
		CHECK(rc == 0);
		CHECK_EQ_U64(st.lines, n);
		CHECK_EQ_U64(st.addresses, want);
		for (size_t i = 0; i < rs.n; i++)
			covered += (uint64_t)rs.v[i].hi - rs.v[i].lo + 1;
		CHECK_EQ_U64(covered, want);
		for (size_t i = 1; i < rs.n; i++)
			CHECK((uint64_t)rs.v[i].lo > (uint64_t)rs.v[i - 1].hi + 1); /* sorted, disjoint, not adjacent */
		trawl_ranges_free(&rs);
		free(buf);
		free(ref);
	}
}

/* Prefix windows: the text, index <-> address both ways, fixed and seeded IIDs, the word boundary. */
static void
test_window6(void)
{
	static const char *const specs[] = { "2001:2::/32-44", "2001:2::/40-88", "2001:2::/100-112", "2001:2::ab/116-128",
		"2001:2::/64-64", "2001:2:0:1::/56-64" };
	struct trawl_window6 w;
	char buf[TRAWL_IPV6_STRLEN];
	struct trawl_ip6 a;

	CHECK(trawl_window6_parse("2001:2::/32-48", &w) == 0);
	CHECK_EQ_U64(trawl_window6_count(&w), 65536);
	a = trawl_window6_at(&w, 5);
	CHECK(strcmp(trawl_ipv6_str(&a, buf), "2001:2:5::1") == 0);
	a = trawl_window6_at(&w, 0xffff);
	CHECK(strcmp(trawl_ipv6_str(&a, buf), "2001:2:ffff::1") == 0);
	CHECK(trawl_window6_parse("2001:2::/120-128", &w) == 0);
	a = trawl_window6_at(&w, 0xfe);
	CHECK(strcmp(trawl_ipv6_str(&a, buf), "2001:2::fe") == 0); /* a /128 leaves no IID */
	CHECK(trawl_window6_index(&w, a) == 0xfe);

	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		for (int seeded = 0; seeded < 2; seeded++) {
			uint64_t n, bad = 0;

			CHECK(trawl_window6_parse(specs[k], &w) == 0);
			if (seeded)
				trawl_window6_seed(&w, 42);
			n = trawl_window6_count(&w);
			for (uint64_t j = 0; j < 5000 && j < n; j++) {
				uint64_t i = n <= 5000 ? j : (uint64_t)rnd() << 20 ^ rnd(), back;

				i &= n - 1;
				a = trawl_window6_at(&w, i);
				back = trawl_window6_index(&w, a);
				bad += back != i;
				/* the same /B at another IID is no target; nor is the address one /A over */
				a.lo ^= 2;
				bad += w.b < 127 && trawl_window6_index(&w, a) != TRAWL_WINDOW6_NONE;
				a.lo ^= 2;
				if (w.a > 0) {
					a.hi ^= w.a <= 64 ? UINT64_C(1) << (64 - w.a) : 0;
					a.lo ^= w.a > 64 ? UINT64_C(1) << (128 - w.a) : 0;
					bad += trawl_window6_index(&w, a) != TRAWL_WINDOW6_NONE;
				}
			}
			if (bad != 0)
				fprintf(stderr, "%s seeded %d: %" PRIu64 " wrong\n", specs[k], seeded, bad);
			CHECK(bad == 0);
		}
	}
	/* Seeded IIDs: another in every /B, the same for the same seed, others for another seed. */
	{
		struct trawl_window6 w2, w3;
		struct trawl_ip6 x, y;

		CHECK(trawl_window6_parse("2001:2::/32-48", &w) == 0 && trawl_window6_parse("2001:2::/32-48", &w2) == 0 &&
		      trawl_window6_parse("2001:2::/32-48", &w3) == 0);
		trawl_window6_seed(&w, 7);
		trawl_window6_seed(&w2, 7);
		trawl_window6_seed(&w3, 8);
		x = trawl_window6_at(&w, 1);
		y = trawl_window6_at(&w, 2);
		CHECK(x.lo != y.lo);
		y = trawl_window6_at(&w2, 1);
		CHECK(x.hi == y.hi && x.lo == y.lo);
		y = trawl_window6_at(&w3, 1);
		CHECK(x.lo != y.lo);
		CHECK(trawl_window6_index(&w3, x) == TRAWL_WINDOW6_NONE);
	}
	static const char *const bad[] = { "2001:2::/48-32", "2001:2::/32-81", "2001:2::/32", "2001:2::/32-",
		"2001:2::/32-129", "2001:2::/-48", "/32-48", "2001:2::/32-48x", "198.18.0.0/16-24" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = trawl_window6_parse(bad[i], &w);

		if (rc == 0)
			fprintf(stderr, "accepted '%s'\n", bad[i]);
		CHECK(rc == -EINVAL);
	}
}

static void
build(struct trawl_constraint *c, const char *const *allow, const char *const *block)
{
	struct trawl_ranges a = { 0 }, b = { 0 };
	struct trawl_range r;

	for (; allow && *allow; allow++)
		CHECK(trawl_parse_cidr(*allow, &r) == 0 && trawl_ranges_add(&a, r) == 0);
	for (; block && *block; block++)
		CHECK(trawl_parse_cidr(*block, &r) == 0 && trawl_ranges_add(&b, r) == 0);
	CHECK(trawl_constraint_build(c, &a, &b) == 0);
	trawl_ranges_free(&a);
	trawl_ranges_free(&b);
}

static void
test_constraint_counts(void)
{
	struct trawl_constraint c;

	build(&c, (const char *[]){ "0.0.0.0/0", NULL }, NULL);
	CHECK_EQ_U64(trawl_constraint_count(&c), 4294967296ULL - 2); /* never 0.0.0.0 or 255.255.255.255 */
	CHECK(!trawl_constraint_contains(&c, 0) && !trawl_constraint_contains(&c, UINT32_MAX));
	CHECK(trawl_constraint_lookup(&c, 0) == 1);
	trawl_constraint_free(&c);

	/* Overlaps merge; the blocklist wins wherever it overlaps the allowlist. */
	build(&c, (const char *[]){ "10.0.0.0/8", "10.1.0.0/16", "10.0.0.5", NULL },
			(const char *[]){ "10.1.0.0/16", "10.2.3.4", "11.0.0.0/8", NULL });
	CHECK_EQ_U64(trawl_constraint_count(&c), 16777216 - 65536 - 1);
	CHECK(!trawl_constraint_contains(&c, 0x0a010005));
	CHECK(!trawl_constraint_contains(&c, 0x0a020304));
	CHECK(trawl_constraint_contains(&c, 0x0a020305));
	CHECK(!trawl_constraint_contains(&c, 0x0b000000));
	trawl_constraint_free(&c);

	/* Overlap: a /8 minus pieces against a /16 in it and a range across its end. */
	{
		struct trawl_constraint d;

		build(&c, (const char *[]){ "10.0.0.0/8", NULL }, (const char *[]){ "10.1.0.0/17", NULL });
		build(&d, (const char *[]){ "10.1.0.0/16", "10.255.255.0/24", "11.0.0.0/24", NULL }, NULL);
		CHECK_EQ_U64(trawl_constraint_overlap(&c, &d), 32768 + 256);
		CHECK_EQ_U64(trawl_constraint_overlap(&d, &c), 32768 + 256);
		trawl_constraint_free(&d);
		trawl_constraint_free(&c);
		build(&c, (const char *[]){ "0.0.0.0/0", NULL }, NULL);
		CHECK_EQ_U64(trawl_constraint_overlap(&c, &c), 4294967296ULL - 2);
		trawl_constraint_free(&c);
	}

	/* Everything blocked: zero targets. */
	build(&c, (const char *[]){ "192.168.1.0/24", NULL }, (const char *[]){ "192.168.0.0/16", NULL });
	CHECK_EQ_U64(trawl_constraint_count(&c), 0);
	CHECK(!trawl_constraint_contains(&c, 0xc0a80101));
	trawl_constraint_free(&c);
}

/* lookup(i) is the i-th allowed address in order, and contains() agrees, on random mixes. */
static void
test_constraint_random_against_bitmap(void)
{
	enum { SPACE = 1 << 16 };
	uint8_t *ref = malloc(SPACE);
	uint64_t seed = 12345;

	REQUIRE(ref != NULL);
	for (int round = 0; round < 40; round++) {
		struct trawl_ranges a = { 0 }, b = { 0 };
		struct trawl_constraint c;
		uint64_t n = 0, i = 0;

		memset(ref, 0, SPACE);
		for (int k = 0; k < 30; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			uint32_t plen = 16 + (uint32_t)(seed >> 60) % 17, lo = (uint32_t)(seed >> 20) & (SPACE - 1);
			uint32_t size = 1u << (32 - plen);
			struct trawl_range r;

			lo &= ~(size - 1);
			r.lo = 0x0a000000 | lo;
			r.hi = r.lo + size - 1;
			trawl_ranges_add((k % 3 == 2) ? &b : &a, r);
		}
		for (size_t k = 0; k < a.n; k++)
			for (uint32_t x = a.v[k].lo; x <= a.v[k].hi; x++)
				ref[x & (SPACE - 1)] = 1;
		for (size_t k = 0; k < b.n; k++)
			for (uint32_t x = b.v[k].lo; x <= b.v[k].hi; x++)
				ref[x & (SPACE - 1)] = 0;
		CHECK(trawl_constraint_build(&c, &a, &b) == 0);
		for (uint32_t x = 0; x < SPACE; x++) {
			CHECK(trawl_constraint_contains(&c, 0x0a000000 | x) == ref[x]);
			if (ref[x]) {
				CHECK(trawl_constraint_lookup(&c, i) == (0x0a000000 | x));
				CHECK_EQ_U64(trawl_constraint_rank(&c, 0x0a000000 | x), i);
				i++;
			} else {
				CHECK(trawl_constraint_rank(&c, 0x0a000000 | x) == TRAWL_CONSTRAINT_NONE);
			}
			n += ref[x];
		}
		CHECK_EQ_U64(trawl_constraint_count(&c), n);
		{
			/* overlap() against the bitmap: c with the blocklist taken as an allowlist, and with itself. */
			struct trawl_ranges none = { 0 };
			struct trawl_constraint blk;
			uint64_t both = 0;

			CHECK(trawl_constraint_build(&blk, &b, &none) == 0);
			for (size_t k = 0; k < b.n; k++)
				for (uint32_t x = b.v[k].lo; x <= b.v[k].hi; x++)
					ref[x & (SPACE - 1)] |= 2;
			for (uint32_t x = 0; x < SPACE; x++)
				both += ref[x] == 3;
			CHECK_EQ_U64(trawl_constraint_overlap(&c, &blk), both); /* 0: the blocklist won */
			CHECK_EQ_U64(trawl_constraint_overlap(&c, &c), n);
			CHECK_EQ_U64(trawl_constraint_overlap(&blk, &c), both);
			trawl_constraint_free(&blk);
		}
		trawl_constraint_free(&c);
		trawl_ranges_free(&a);
		trawl_ranges_free(&b);
	}
	free(ref);
}

static void
test_ports(void)
{
	struct trawl_ports *ps = malloc(sizeof(*ps));
	struct trawl_err err;

	REQUIRE(ps != NULL);
	CHECK(trawl_ports_parse(ps, "80", &err) == 0 && ps->n == 1 && ps->port[0] == 80);
	CHECK(trawl_ports_parse(ps, "443,80,80", &err) == 0 && ps->n == 2 && ps->port[0] == 80);
	CHECK(trawl_ports_parse(ps, "8000-8100,22", &err) == 0 && ps->n == 102 && ps->port[0] == 22);
	CHECK(trawl_ports_parse(ps, "0-65535", &err) == 0 && ps->n == 65536);
	static const char *const bad[] = { "", ",", "80,", "65536", "-1", "100-99", "8o", "1-2-3", "80 ,443", "123456" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(trawl_ports_parse(ps, bad[i], &err) == -EINVAL);
	free(ps);
}

/* Every index maps to a target and back, and nothing else maps to an index. */
static void
check_index_round_trip(const struct trawl_target_space *ts, uint64_t idx)
{
	struct trawl_target t;

	trawl_target_at(ts, idx, &t);
	CHECK_EQ_U64(trawl_target_index(ts, t.addr, t.port), idx);
}

static void
test_target_index(void)
{
	struct trawl_ports *ps = malloc(sizeof(*ps));
	struct trawl_target_space ts;
	struct trawl_constraint c;

	REQUIRE(ps != NULL);
	/* 0.0.0.0/0 on every port: the first and last target and the 2^48 - 2^17 scale. */
	build(&c, (const char *[]){ "0.0.0.0/0", NULL }, NULL);
	trawl_ports_parse(ps, "0-65535", NULL);
	trawl_target_space_init(&ts, &c, ps);
	CHECK_EQ_U64(ts.count, (4294967296ULL - 2) * 65536);
	CHECK_EQ_U64(trawl_target_index(&ts, 1, 0), 0);
	CHECK_EQ_U64(trawl_target_index(&ts, 0xfffffffe, 65535), ts.count - 1);
	CHECK(trawl_target_index(&ts, 0, 80) == TRAWL_TARGET_NONE);
	CHECK(trawl_target_index(&ts, 0xffffffff, 80) == TRAWL_TARGET_NONE);
	check_index_round_trip(&ts, 0);
	check_index_round_trip(&ts, ts.count - 1);
	for (uint64_t i = 1, x = 99; i < 100000; i++)
		check_index_round_trip(&ts, trawl_splitmix64(&x) % ts.count);

	/* A range of ports: a subtraction, and ports around it are no target. */
	trawl_ports_parse(ps, "1000-1023", NULL);
	trawl_target_space_init(&ts, &c, ps);
	CHECK(ts.ports_dense);
	CHECK(trawl_target_index(&ts, 5, 999) == TRAWL_TARGET_NONE);
	CHECK(trawl_target_index(&ts, 5, 1024) == TRAWL_TARGET_NONE);
	CHECK_EQ_U64(trawl_target_index(&ts, 5, 1023), 4 * 24 + 23);
	for (uint64_t i = 0; i < 24 * 3; i++)
		check_index_round_trip(&ts, i);
	trawl_constraint_free(&c);

	/* Scattered ports and a blocklist: every (address, port) of a /22 against the walk's own numbering. */
	build(&c, (const char *[]){ "10.0.0.0/22", NULL }, (const char *[]){ "10.0.1.0/25", "10.0.3.255", NULL });
	trawl_ports_parse(ps, "22,80,443,8080,65535", NULL);
	trawl_target_space_init(&ts, &c, ps);
	CHECK(!ts.ports_dense);
	for (uint32_t a = 0x0a000000; a < 0x0a000400; a++)
		for (uint32_t port = 0; port < 65536; port += (port < 9000 ? 1 : 977)) {
			uint64_t idx = trawl_target_index(&ts, a, (uint16_t)port);
			int target = trawl_constraint_contains(&c, a) &&
				(port == 22 || port == 80 || port == 443 || port == 8080 || port == 65535);

			CHECK((idx != TRAWL_TARGET_NONE) == target);
			if (target) {
				struct trawl_target t;

				trawl_target_at(&ts, idx, &t);
				CHECK(t.addr == a && t.port == port);
			}
		}
	CHECK_EQ_U64(trawl_target_index(&ts, 0x0a000000, 65535), 4);
	trawl_constraint_free(&c);
	free(ps);
}

int
main(void)
{
	RUN(test_parse_cidr);
	RUN(test_list_files);
	RUN(test_ipv6);
	RUN(test_sort);
	RUN(test_window6);
	RUN(test_addrlist);
	RUN(test_constraint_counts);
	RUN(test_constraint_random_against_bitmap);
	RUN(test_ports);
	RUN(test_target_index);
	return check_done();
}
