/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/fmt.h"
#include "app/core/ipv6.h"

/* Hex digit values, -1 for anything else: a table, since a digit or a letter is a coin toss in an IID. */
static const int8_t hexval_tab[256] = {
	['0'] = 0 + 1, ['1'] = 1 + 1, ['2'] = 2 + 1, ['3'] = 3 + 1, ['4'] = 4 + 1, ['5'] = 5 + 1, ['6'] = 6 + 1,
	['7'] = 7 + 1, ['8'] = 8 + 1, ['9'] = 9 + 1, ['a'] = 10 + 1, ['b'] = 11 + 1, ['c'] = 12 + 1, ['d'] = 13 + 1,
	['e'] = 14 + 1, ['f'] = 15 + 1, ['A'] = 10 + 1, ['B'] = 11 + 1, ['C'] = 12 + 1, ['D'] = 13 + 1, ['E'] = 14 + 1,
	['F'] = 15 + 1,
};

static inline int
hexval(char c)
{
	return hexval_tab[(unsigned char)c] - 1; /* stored plus one, so that the rest of the table is -1 */
}

/*
 * The forms hitlists are written in: groups of 1-4 hex digits, at most one
 * ::. -1 for anything else (a dotted IPv4 tail, or not an address), which
 * inet_pton then decides. glibc's inet_pton6 looks every digit up with
 * strchr: with it a 10 M-line list took 2.67 s to load, with this 1.20 s
 * (bench/listbench).
 */
static int
parse_fast(const char *p, struct trawl_ip6 *a)
{
	uint16_t g[8];
	int n = 0, gap = -1;

	if (p[0] == ':') {
		if (p[1] != ':')
			return -1;
		gap = 0;
		p += 2;
	}
	while (*p != '\0') {
		unsigned int v = 0;
		int d = 0, h;

		while (d < 5 && (h = hexval(*p)) >= 0) {
			v = v << 4 | (unsigned int)h;
			p++;
			d++;
		}
		if (d == 0 || d > 4 || n == 8)
			return -1;
		g[n++] = (uint16_t)v;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -1;
		if (*p == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			p++;
		} else if (*p == '\0') {
			return -1; /* one trailing colon */
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return -1;
	a->hi = a->lo = 0;
	for (int i = 0; i < 8; i++) {
		/* group i of the address: before the gap as written, after it right-aligned */
		int j = gap < 0 || i < gap ? i : i - (8 - n);
		uint64_t v = gap >= 0 && i >= gap && i < gap + (8 - n) ? 0 : g[j];

		if (i < 4)
			a->hi |= v << (48 - 16 * i);
		else
			a->lo |= v << (48 - 16 * (i - 4));
	}
	return 0;
}

int
trawl_parse_ipv6(const char *s, struct trawl_ip6 *a)
{
	unsigned char b[16];

	if (parse_fast(s, a) == 0)
		return 0;
	/* glibc's inet_pton takes RFC 4291's forms: groups, ::, and a dotted IPv4 tail; no zone (%eth0). */
	if (inet_pton(AF_INET6, s, b) != 1)
		return -EINVAL;
	a->hi = a->lo = 0;
	for (int i = 0; i < 8; i++) {
		a->hi = a->hi << 8 | b[i];
		a->lo = a->lo << 8 | b[8 + i];
	}
	return 0;
}

int
trawl_parse_prefix6(const char *s, struct trawl_prefix6 *p)
{
	char buf[TRAWL_IPV6_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len = 128;
	struct trawl_ip6 a;

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (trawl_parse_ipv6(buf, &a) != 0)
		return -EINVAL;
	if (slash != NULL) {
		char *end;

		/* 1 to 3 digits and nothing else: no sign, no space, no second slash */
		if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 3)
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > 128)
			return -EINVAL;
	}
	p->addr = trawl_ip6_mask(a, (unsigned int)len);
	p->len = (uint8_t)len;
	return 0;
}

/*
 * RFC 5952 by hand rather than inet_ntop: glibc writes ::a.b.c.d for any
 * address whose first 96 bits are zero (::102:304 comes out as ::1.2.3.4),
 * where RFC 5952 keeps the dotted tail for IPv4-mapped addresses alone.
 */
/* A 16-bit group in lower-case hex without leading zeros. */
static inline char *
put_group(char *p, unsigned int v)
{
	static const char hx[] = "0123456789abcdef";

	if (v >= 0x1000)
		*p++ = hx[v >> 12];
	if (v >= 0x100)
		*p++ = hx[(v >> 8) & 15];
	if (v >= 0x10)
		*p++ = hx[(v >> 4) & 15];
	*p++ = hx[v & 15];
	return p;
}

/* By hand, not snprintf: rows and campaign diffs write one an IPv6 result, and printf's was 20 % of a diff. */
char *
trawl_put_ipv6(char *dst, const struct trawl_ip6 *a)
{
	uint16_t g[8];
	int best = -1, best_len = 1, run = 0;

	if (a->hi == 0 && a->lo >> 32 == 0xffff) {
		memcpy(dst, "::ffff:", 7);
		return trawl_put_ipv4(dst + 7, (uint32_t)a->lo);
	}
	for (int i = 0; i < 4; i++) {
		g[i] = (uint16_t)(a->hi >> (48 - 16 * i));
		g[4 + i] = (uint16_t)(a->lo >> (48 - 16 * i));
	}
	/* the first longest run of two or more zero groups becomes :: (RFC 5952 4.2) */
	for (int i = 0; i < 8; i++) {
		run = g[i] == 0 ? run + 1 : 0;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*dst++ = ':';
			if (i == 0)
				*dst++ = ':';
			i += best_len - 1;
			continue;
		}
		dst = put_group(dst, g[i]);
		if (i < 7)
			*dst++ = ':';
	}
	return dst;
}

const char *
trawl_ipv6_str(const struct trawl_ip6 *a, char buf[TRAWL_IPV6_STRLEN])
{
	*trawl_put_ipv6(buf, a) = '\0';
	return buf;
}

size_t
trawl_ip6_ranges_find(const struct trawl_ip6 *hi, size_t n, struct trawl_ip6 a)
{
	size_t lo = 0, top = n;

	while (lo < top) {
		size_t mid = lo + (top - lo) / 2;

		if (trawl_ip6_lt(hi[mid], a))
			lo = mid + 1;
		else
			top = mid;
	}
	return lo;
}

static int
cmp_prefix(const void *x, const void *y)
{
	const struct trawl_prefix6 *a = x, *b = y;

	if (trawl_ip6_lt(a->addr, b->addr))
		return -1;
	if (trawl_ip6_lt(b->addr, a->addr))
		return 1;
	return (int)a->len - (int)b->len; /* the wider first: it holds the other */
}

int
trawl_ip6_ranges_build(const struct trawl_prefix6 *p, size_t n, struct trawl_ip6 **lo, struct trawl_ip6 **hi,
		size_t *nout)
{
	struct trawl_prefix6 *s;
	size_t k = 0;

	*lo = *hi = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	s = malloc(n * sizeof(*s));
	*lo = malloc(n * sizeof(**lo));
	*hi = malloc(n * sizeof(**hi));
	if (s == NULL || *lo == NULL || *hi == NULL) {
		free(s);
		free(*lo);
		free(*hi);
		*lo = *hi = NULL;
		return -ENOMEM;
	}
	memcpy(s, p, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_prefix);
	for (size_t i = 0; i < n; i++) {
		struct trawl_ip6 first = s[i].addr, last = trawl_ip6_last(s[i].addr, s[i].len);

		if (k != 0) {
			struct trawl_ip6 *end = &(*hi)[k - 1];
			int adjacent = end->lo + 1 == first.lo && (end->lo == UINT64_MAX ? end->hi + 1 : end->hi) == first.hi;

			if (!trawl_ip6_lt(*end, first) || adjacent) {
				if (trawl_ip6_lt(*end, last))
					*end = last;
				continue;
			}
		}
		(*lo)[k] = first;
		(*hi)[k++] = last;
	}
	free(s);
	*nout = k;
	return 0;
}

int
trawl_ip6_ranges_within(const struct trawl_ip6 *alo, const struct trawl_ip6 *ahi, size_t an,
		const struct trawl_ip6 *blo, const struct trawl_ip6 *bhi, size_t bn)
{
	for (size_t i = 0; i < an; i++) {
		/* b's intervals are disjoint and joined where adjacent: one must hold a's whole. */
		size_t j = trawl_ip6_ranges_find(bhi, bn, ahi[i]);

		if (j == bn || trawl_ip6_lt(alo[i], blo[j]))
			return 0;
	}
	return 1;
}
