/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/grow.h"
#include "app/core/ipv4.h"

int
trawl_parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	/* glibc's inet_pton takes only four dotted decimal octets: no octal, no short forms. */
	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	return 0;
}

int
trawl_parse_cidr(const char *s, struct trawl_range *r)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen = 32;
	uint32_t addr, mask;

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (trawl_parse_ipv4(buf, &addr) != 0)
		return -EINVAL;
	if (slash != NULL) {
		char *end;

		if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 2)
			return -EINVAL;
		plen = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || plen > 32)
			return -EINVAL;
	}
	mask = plen == 0 ? 0 : UINT32_MAX << (32 - plen);
	r->lo = addr & mask;
	r->hi = r->lo | ~mask;
	return 0;
}

int
trawl_ranges_add(struct trawl_ranges *rs, struct trawl_range r)
{
	struct trawl_range *v = trawl_grow(rs->v, rs->n, &rs->cap, sizeof(*v), 64);

	if (v == NULL)
		return -ENOMEM;
	rs->v = v;
	v[rs->n++] = r;
	return 0;
}

int
trawl_ranges_add6(struct trawl_ranges *rs, struct trawl_prefix6 p)
{
	struct trawl_prefix6 *v = trawl_grow(rs->v6, rs->n6, &rs->cap6, sizeof(*v), 16);

	if (v == NULL)
		return -ENOMEM;
	rs->v6 = v;
	v[rs->n6++] = p;
	return 0;
}

void
trawl_ranges_free(struct trawl_ranges *rs)
{
	free(rs->v);
	free(rs->v6);
	rs->v = NULL;
	rs->v6 = NULL;
	rs->n = rs->cap = 0;
	rs->n6 = rs->cap6 = 0;
}

int
trawl_ranges_load(struct trawl_ranges *rs, const char *path, struct trawl_err *err)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	rc = trawl_ranges_read(rs, f, path, err);
	fclose(f);
	return rc;
}

/*
 * One line of f, its newline kept, into *buf (grown as needed): its length, -1 at the end, -2 once it
 * passes max bytes. getline has no bound, and /dev/zero or /dev/full as a list is one endless line
 * (fuzz_config found it: a campaign's blocklist-file of /dev/full took all memory).
 */
static ssize_t
read_line(char **buf, size_t *cap, FILE *f, size_t max)
{
	size_t n = 0;
	int ch;

	flockfile(f);
	while ((ch = getc_unlocked(f)) != EOF) {
		if (n == max) {
			funlockfile(f);
			return -2;
		}
		if (n + 2 > *cap) {
			size_t ncap = *cap < 256 ? 256 : *cap * 2 < max + 2 ? *cap * 2 : max + 2;
			char *nb = realloc(*buf, ncap);

			if (nb == NULL) {
				funlockfile(f);
				return -3;
			}
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	funlockfile(f);
	if (n == 0)
		return -1;
	(*buf)[n] = '\0';
	return (ssize_t)n;
}

int
trawl_ranges_read(struct trawl_ranges *rs, FILE *f, const char *path, struct trawl_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	ssize_t n;

	while ((n = read_line(&line, &cap, f, TRAWL_RANGES_MAX_LINE)) >= 0 || n < -1) {
		char *p = line, *tok, *hash, *nul;
		struct trawl_prefix6 p6;
		struct trawl_range r;
		size_t len;
		int one; /* one token on the line */

		lineno++;
		if (n == -2) {
			rc = trawl_err_set(err, -EINVAL, "%s:%lu:%u: a line longer than %u MiB: not a text file of addresses",
					path, lineno, TRAWL_RANGES_MAX_LINE + 1, TRAWL_RANGES_MAX_LINE >> 20);
			break;
		}
		if (n == -3) {
			rc = trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
			break;
		}
		/* A NUL would end the line early for every string call below: what follows it would be dropped unread. */
		nul = memchr(line, '\0', (size_t)n);
		if (nul != NULL) {
			rc = trawl_err_set(err, -EINVAL, "%s:%lu:%ld: a NUL byte: not a text file of addresses", path, lineno,
					(long)(nul - line) + 1);
			break;
		}
		hash = strchr(p, '#');
		if (hash != NULL)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		len = strlen(p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			p[--len] = '\0';
		if (len == 0)
			continue;
		tok = p;
		one = strpbrk(tok, " \t") == NULL;
		if (one && strchr(tok, ':') != NULL && trawl_parse_prefix6(tok, &p6) == 0) {
			if (trawl_ranges_add6(rs, p6) != 0) {
				rc = trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
				break;
			}
			continue;
		}
		if (!one || trawl_parse_cidr(tok, &r) != 0) {
			rc = trawl_err_set(err, -EINVAL, "%s:%lu:%ld: not an IPv4 or IPv6 address or prefix: '%s'",
					path, lineno, (long)(tok - line) + 1, tok);
			break;
		}
		if (trawl_ranges_add(rs, r) != 0) {
			rc = trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = trawl_err_set(err, -EIO, "%s: read error", path);
	free(line);
	return rc;
}

const char *
trawl_ipv4_str(uint32_t addr, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

int
trawl_ranges_write(const struct trawl_ranges *rs, FILE *f)
{
	char ip[16];

	for (size_t i = 0; i < rs->n; i++) {
		uint64_t lo = rs->v[i].lo, hi = rs->v[i].hi;

		while (lo <= hi) {
			/* The largest block aligned at lo that ends at or before hi. */
			unsigned int bits = lo == 0 ? 32 : (unsigned int)__builtin_ctzll(lo);

			if (bits > 32)
				bits = 32;
			while (bits > 0 && lo + (UINT64_C(1) << bits) - 1 > hi)
				bits--;
			if (fprintf(f, "%s/%u\n", trawl_ipv4_str((uint32_t)lo, ip), 32 - bits) < 0)
				return -EIO;
			lo += UINT64_C(1) << bits;
		}
	}
	for (size_t i = 0; i < rs->n6; i++) {
		char ip6[TRAWL_IPV6_STRLEN];

		if (fprintf(f, "%s/%u\n", trawl_ipv6_str(&rs->v6[i].addr, ip6), rs->v6[i].len) < 0)
			return -EIO;
	}
	return ferror(f) ? -EIO : 0;
}
