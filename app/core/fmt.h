/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FMT_H
#define TRAWL_FMT_H

#include <stdint.h>
#include <string.h>

/*
 * Numbers and addresses as text, written at dst with no terminator; each
 * returns the end. The result writer formats every result with these: at
 * 14.88 M results/s it has about 140 cycles for each, and snprintf's
 * "%u.%u.%u.%u" alone took more than that (bench/RESULTS.md, writer).
 */

/* "0" .. "255", three bytes each, and their lengths. */
extern const char trawl_fmt_octets[256][3];
extern const uint8_t trawl_fmt_octet_len[256];

static inline char *
trawl_put_octet(char *dst, uint32_t v)
{
	/* Three bytes are always copied (a fixed-size move); only the length counts. */
	memcpy(dst, trawl_fmt_octets[v], 3);
	return dst + trawl_fmt_octet_len[v];
}

/** A host-order IPv4 address in dotted decimal: at most 15 bytes (writes up to 18). */
static inline char *
trawl_put_ipv4(char *dst, uint32_t a)
{
	dst = trawl_put_octet(dst, a >> 24);
	*dst++ = '.';
	dst = trawl_put_octet(dst, (a >> 16) & 0xff);
	*dst++ = '.';
	dst = trawl_put_octet(dst, (a >> 8) & 0xff);
	*dst++ = '.';
	return trawl_put_octet(dst, a & 0xff);
}

/** An unsigned decimal: at most 20 bytes. */
static inline char *
trawl_put_u64(char *dst, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(dst, tmp + 20 - n, (size_t)n);
	return dst + n;
}

/** A signed decimal: at most 20 bytes. */
static inline char *
trawl_put_i64(char *dst, int64_t v)
{
	if (v < 0) {
		*dst++ = '-';
		return trawl_put_u64(dst, (uint64_t)0 - (uint64_t)v);
	}
	return trawl_put_u64(dst, (uint64_t)v);
}

#endif
