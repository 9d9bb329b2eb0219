/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <strings.h>

#include "app/core/fmt.h"
#include "app/core/ipv6.h"
#include "app/core/l7.h"

static const char get_head[] = "GET / HTTP/1.1\r\nHost: ";
/* What curl sends, plus a User-Agent that names the scanner (good citizenship: logs say who). */
static const char get_tail[] = "\r\nUser-Agent: trawl/0.1 (survey scanner)\r\nAccept: */*\r\n\r\n";

size_t
trawl_l7_http_get_len(uint32_t daddr)
{
	return sizeof(get_head) - 1 + sizeof(get_tail) - 1 + 3 + trawl_fmt_octet_len[daddr >> 24] +
		trawl_fmt_octet_len[(daddr >> 16) & 0xff] + trawl_fmt_octet_len[(daddr >> 8) & 0xff] +
		trawl_fmt_octet_len[daddr & 0xff];
}

size_t
trawl_l7_http_get(char *buf, size_t cap, uint32_t daddr)
{
	char *p = buf;

	if (cap < TRAWL_L7_HTTP_GET_MAX)
		return 0;
	memcpy(p, get_head, sizeof(get_head) - 1);
	p = trawl_put_ipv4(p + sizeof(get_head) - 1, daddr);
	memcpy(p, get_tail, sizeof(get_tail) - 1);
	return (size_t)(p - buf) + sizeof(get_tail) - 1;
}

size_t
trawl_l7_http_get6(char *buf, size_t cap, const struct trawl_ip6 *daddr)
{
	char tmp[TRAWL_L7_HTTP_GET_MAX], *p;

	if (buf == NULL) {
		buf = tmp;
		cap = sizeof(tmp);
	}
	if (cap < TRAWL_L7_HTTP_GET_MAX)
		return 0;
	p = buf;
	memcpy(p, get_head, sizeof(get_head) - 1);
	p += sizeof(get_head) - 1;
	*p++ = '[';
	p = trawl_put_ipv6(p, daddr);
	*p++ = ']';
	memcpy(p, get_tail, sizeof(get_tail) - 1);
	return (size_t)(p - buf) + sizeof(get_tail) - 1;
}

/* A byte writer that cannot run past its end (the hello's size is fixed, so it never does). */
struct wr {
	uint8_t *p;
	size_t n, cap;
};

static void
put(struct wr *w, const void *d, size_t n)
{
	if (w->n + n <= w->cap)
		memcpy(w->p + w->n, d, n);
	w->n += n;
}

static void
put16(struct wr *w, unsigned int v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void
set16(struct wr *w, size_t at, size_t v)
{
	if (at + 2 <= w->cap) {
		w->p[at] = (uint8_t)(v >> 8);
		w->p[at + 1] = (uint8_t)v;
	}
}

size_t
trawl_l7_client_hello(uint8_t *buf, size_t cap, const uint8_t random[96])
{
	/* Chrome's order of suites without GREASE: TLS 1.3 AEADs, then ECDHE and RSA for 1.2 servers. */
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
		0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
	static const uint8_t ext_fixed[] = {
		0x00, 0x17, 0x00, 0x00,                                     /* extended_master_secret */
		0xff, 0x01, 0x00, 0x01, 0x00,                               /* renegotiation_info */
		0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, /* groups */
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                         /* ec_point_formats */
		0x00, 0x23, 0x00, 0x00,                                     /* session_ticket */
		0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
		0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00,       /* status_request */
		0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05,
		0x05, 0x01, 0x08, 0x06, 0x06, 0x01,                         /* signature_algorithms */
		0x00, 0x12, 0x00, 0x00,                                     /* signed_certificate_timestamp */
		0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,                         /* psk_key_exchange_modes */
		0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03,       /* supported_versions 1.3, 1.2 */
	};
	struct wr w = { buf, 0, cap };
	size_t hs_len_at, ext_len_at;

	if (cap < TRAWL_L7_CLIENT_HELLO_LEN)
		return 0;
	put(&w, (const uint8_t[]){ 0x16, 0x03, 0x01, 0, 0 }, 5);
	put(&w, (const uint8_t[]){ 0x01, 0, 0, 0 }, 4);
	hs_len_at = w.n - 3;
	put16(&w, 0x0303);
	put(&w, random, 32);
	put(&w, (const uint8_t[]){ 32 }, 1);
	put(&w, random + 32, 32);
	put16(&w, sizeof(suites));
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put16(&w, suites[i]);
	put(&w, (const uint8_t[]){ 0x01, 0x00 }, 2);
	ext_len_at = w.n;
	put16(&w, 0);
	put(&w, ext_fixed, sizeof(ext_fixed));
	put(&w, (const uint8_t[]){ 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20 }, 10);
	put(&w, random + 64, 32);
	/* padding (RFC 7685) up to the fixed size, as Chrome pads */
	put16(&w, 0x0015);
	put16(&w, TRAWL_L7_CLIENT_HELLO_LEN - w.n - 2);
	memset(buf + w.n, 0, TRAWL_L7_CLIENT_HELLO_LEN - w.n);
	w.n = TRAWL_L7_CLIENT_HELLO_LEN;
	set16(&w, 3, w.n - 5);
	buf[hs_len_at] = 0;
	set16(&w, hs_len_at + 1, w.n - 9);
	set16(&w, ext_len_at, w.n - ext_len_at - 2);
	return w.n;
}

struct trawl_l7_span
trawl_l7_first_line(const uint8_t *d, size_t n, size_t max)
{
	size_t i = 0;

	if (n > max)
		n = max;
	while (i < n && d[i] != '\r' && d[i] != '\n')
		i++;
	return (struct trawl_l7_span){ d, i };
}

struct trawl_l7_span
trawl_l7_http_status(const uint8_t *d, size_t n)
{
	if (n < 5 || memcmp(d, "HTTP/", 5) != 0)
		return (struct trawl_l7_span){ NULL, 0 };
	return trawl_l7_first_line(d, n, 256);
}

struct trawl_l7_span
trawl_l7_http_header(const uint8_t *d, size_t n, const char *name)
{
	size_t nl = strlen(name), i = 0;

	if (trawl_l7_http_status(d, n).len == 0)
		return (struct trawl_l7_span){ NULL, 0 };
	for (;;) {
		size_t end;

		/* next line */
		while (i < n && d[i] != '\n')
			i++;
		if (i >= n)
			break;
		i++;
		end = i;
		while (end < n && d[end] != '\r' && d[end] != '\n')
			end++;
		if (end == i)
			break; /* the empty line: end of the head */
		if (end - i > nl && d[i + nl] == ':' && strncasecmp((const char *)d + i, name, nl) == 0) {
			size_t v = i + nl + 1;

			while (v < end && (d[v] == ' ' || d[v] == '\t'))
				v++;
			return (struct trawl_l7_span){ d + v, end - v > 256 ? 256 : end - v };
		}
		i = end;
	}
	return (struct trawl_l7_span){ NULL, 0 };
}

/* A DER element: its tag and the content, clipped to what is there (clipped says so). */
struct der {
	uint8_t tag;
	const uint8_t *c;
	size_t len;
	int clipped;
	size_t next;  /**< offset after the element in its parent, when whole */
};

static int
der_get(const uint8_t *d, size_t n, size_t at, struct der *e)
{
	size_t len, hl = 2;

	if (at + 2 > n)
		return -1;
	e->tag = d[at];
	len = d[at + 1];
	if (len & 0x80) {
		size_t k = len & 0x7f;

		if (k == 0 || k > 3 || at + 2 + k > n)
			return -1;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | d[at + 2 + i];
		hl += k;
	}
	e->c = d + at + hl;
	e->clipped = at + hl + len > n;
	e->len = e->clipped ? n - at - hl : len;
	e->next = at + hl + len;
	return 0;
}

static const struct {
	uint8_t oid;
	const char *name;
} name_attrs[] = { { 3, "CN" }, { 6, "C" }, { 7, "L" }, { 8, "ST" }, { 10, "O" }, { 11, "OU" } };

/* An X.501 Name as "/C=../O=../CN=..": only the common attributes, only when the whole Name is there. */
static void
der_name(const struct der *name, char out[256])
{
	size_t o = 0, at = 0;
	struct der set, atv, oid, val;

	out[0] = '\0';
	if (name->tag != 0x30 || name->clipped)
		return;
	while (at < name->len && der_get(name->c, name->len, at, &set) == 0 && !set.clipped && set.tag == 0x31) {
		if (der_get(set.c, set.len, 0, &atv) == 0 && !atv.clipped && atv.tag == 0x30 &&
		    der_get(atv.c, atv.len, 0, &oid) == 0 && !oid.clipped && oid.tag == 0x06 &&
		    der_get(atv.c, atv.len, oid.next, &val) == 0 && !val.clipped &&
		    oid.len == 3 && oid.c[0] == 0x55 && oid.c[1] == 0x04)
			for (size_t i = 0; i < sizeof(name_attrs) / sizeof(name_attrs[0]); i++) {
				size_t nl = strlen(name_attrs[i].name);

				if (name_attrs[i].oid != oid.c[2] || o + 2 + nl + val.len > 255)
					continue;
				out[o++] = '/';
				memcpy(out + o, name_attrs[i].name, nl);
				o += nl;
				out[o++] = '=';
				memcpy(out + o, val.c, val.len);
				o += val.len;
			}
		at = set.next;
	}
	out[o] = '\0';
}

/* The first certificate's issuer and subject, from as much of it as was captured. */
static void
tls_cert(const uint8_t *d, size_t n, struct trawl_tls_info *info)
{
	struct der cert, tbs, e;
	size_t at = 0;

	if (der_get(d, n, 0, &cert) != 0 || cert.tag != 0x30 ||
	    der_get(cert.c, cert.len, 0, &tbs) != 0 || tbs.tag != 0x30)
		return;
	/* [0] version, serial, signature algorithm, issuer, validity, subject */
	if (der_get(tbs.c, tbs.len, at, &e) != 0)
		return;
	if (e.tag == 0xa0) {
		at = e.next;
		if (der_get(tbs.c, tbs.len, at, &e) != 0)
			return;
	}
	for (int i = 0; i < 4; i++) {
		if (e.clipped)
			return;
		if (i == 2)
			der_name(&e, info->issuer);
		at = e.next;
		if (der_get(tbs.c, tbs.len, at, &e) != 0)
			return;
	}
	der_name(&e, info->subject);
}

static void
tls_server_hello(const uint8_t *b, size_t n, struct trawl_tls_info *info)
{
	size_t at = 2 + 32, ext_end;

	if (n < 2)
		return;
	info->version = (uint16_t)(b[0] << 8 | b[1]);
	if (at + 1 > n || at + 1 + b[at] + 3 > n)
		return;
	at += 1 + b[at];
	info->cipher = (uint16_t)(b[at] << 8 | b[at + 1]);
	at += 3;
	if (at + 2 > n)
		return;
	ext_end = at + 2 + (size_t)(b[at] << 8 | b[at + 1]);
	if (ext_end > n)
		ext_end = n;
	at += 2;
	while (at + 4 <= ext_end) {
		unsigned int type = (unsigned int)(b[at] << 8 | b[at + 1]);
		size_t len = (size_t)(b[at + 2] << 8 | b[at + 3]);

		if (at + 4 + len > ext_end)
			break;
		if (type == 0x002b && len == 2)
			info->version = (uint16_t)(b[at + 4] << 8 | b[at + 5]);
		at += 4 + len;
	}
}

int
trawl_l7_tls_parse(const uint8_t *d, size_t n, struct trawl_tls_info *info)
{
	uint8_t hs[8192];
	size_t hn = 0, at = 0;

	memset(info, 0, sizeof(*info));
	/* A record: handshake (22) or alert (21), version 3.x. */
	if (n < 5 || (d[0] != 22 && d[0] != 21) || d[1] != 3)
		return -1;
	while (at + 5 <= n) {
		size_t len = (size_t)(d[at + 3] << 8 | d[at + 4]), have;

		if (d[at + 1] != 3)
			break;
		have = at + 5 + len <= n ? len : n - at - 5;
		if (d[at] == 21 && have >= 2) {
			info->alert = 1;
			info->alert_desc = d[at + 6];
		} else if (d[at] == 22) {
			if (have > sizeof(hs) - hn)
				have = sizeof(hs) - hn;
			memcpy(hs + hn, d + at + 5, have);
			hn += have;
		} else if (d[at] != 20) {
			break; /* application data (TLS 1.3's encrypted rest): nothing more to read */
		}
		at += 5 + len;
	}
	/* Handshake messages, across records; the last may be cut short. */
	at = 0;
	while (at + 4 <= hn) {
		size_t len = (size_t)hs[at + 1] << 16 | (size_t)hs[at + 2] << 8 | hs[at + 3];
		size_t have = at + 4 + len <= hn ? len : hn - at - 4;
		const uint8_t *b = hs + at + 4;

		if (hs[at] == 2)
			tls_server_hello(b, have, info);
		else if (hs[at] == 11 && have >= 6) {
			/* certificate_list length (3), then the first certificate's length (3) and DER */
			size_t clen = (size_t)b[3] << 16 | (size_t)b[4] << 8 | b[5];

			tls_cert(b + 6, clen < have - 6 ? clen : have - 6, info);
		}
		at += 4 + len;
	}
	return 0;
}

const char *
trawl_l7_tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1.0";
	case 0x0302: return "TLSv1.1";
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	default: return v == 0 ? "" : "unknown";
	}
}

const char *
trawl_l7_tls_cipher_name(uint16_t c)
{
	/* The suites our ClientHello offers, by their IANA names. */
	switch (c) {
	case 0x1301: return "TLS_AES_128_GCM_SHA256";
	case 0x1302: return "TLS_AES_256_GCM_SHA384";
	case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
	case 0xc02b: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
	case 0xc02f: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
	case 0xc02c: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
	case 0xc030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
	case 0xcca9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
	case 0xcca8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
	case 0xc013: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
	case 0xc014: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
	case 0x009c: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
	case 0x009d: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
	case 0x002f: return "TLS_RSA_WITH_AES_128_CBC_SHA";
	case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA";
	default: return NULL;
	}
}

char *
trawl_l7_put_text(char *dst, const uint8_t *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (c >= 0x20 && c < 0x7f && c != ',' && c != '"' && c != '%') {
			*dst++ = (char)c;
		} else {
			*dst++ = '%';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 0xf];
		}
	}
	return dst;
}
