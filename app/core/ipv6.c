/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/ipv6.h"

int
trawl_parse_ipv6(const char *s, struct trawl_ip6 *a)
{
	unsigned char b[16];

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
const char *
trawl_ipv6_str(const struct trawl_ip6 *a, char buf[TRAWL_IPV6_STRLEN])
{
	uint16_t g[8];
	int best = -1, best_len = 1, run = 0, n = 0;

	for (int i = 0; i < 4; i++) {
		g[i] = (uint16_t)(a->hi >> (48 - 16 * i));
		g[4 + i] = (uint16_t)(a->lo >> (48 - 16 * i));
	}
	if (a->hi == 0 && a->lo >> 32 == 0xffff) {
		snprintf(buf, TRAWL_IPV6_STRLEN, "::ffff:%u.%u.%u.%u", (unsigned int)(a->lo >> 24 & 255),
				(unsigned int)(a->lo >> 16 & 255), (unsigned int)(a->lo >> 8 & 255), (unsigned int)(a->lo & 255));
		return buf;
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
			n += snprintf(buf + n, (size_t)(TRAWL_IPV6_STRLEN - n), i == 0 ? "::" : ":");
			i += best_len - 1;
			continue;
		}
		n += snprintf(buf + n, (size_t)(TRAWL_IPV6_STRLEN - n), "%x%s", g[i], i < 7 ? ":" : "");
	}
	return buf;
}
