/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/core/fmt.h"
#include "app/core/icmp.h"
#include "app/core/l7.h"
#include "app/outputs/output.h"

/* An IPv6 address in RFC 5952 form at dst (the slack past a field is as trawl_put_ipv4's). */
static char *
put_ip6(char *dst, struct trawl_ip6 a)
{
	return trawl_put_ipv6(dst, &a);
}

static char *
put_saddr(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	return row->v6 ? put_ip6(dst, row->saddr6) : trawl_put_ipv4(dst, r->saddr);
}

static char *
put_daddr(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	return row->v6 ? put_ip6(dst, row->daddr6) : trawl_put_ipv4(dst, r->daddr);
}

static char *
put_classification(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	const char *s = r->cls < TRAWL_CLASS_MAX ? trawl_class_names[r->cls] : "unknown";
	size_t n = strlen(s);

	(void)row;
	memcpy(dst, s, n);
	return dst + n;
}

/*
 * ISO 8601 in UTC with milliseconds, as ZMap's timestamp_str. Results come
 * in time order, thousands a second: the date and time of day are formatted
 * once a second and kept (the writer is one thread).
 */
static char *
put_timestamp(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	static __thread time_t cached_sec = -1;
	static __thread char cached[32];
	static __thread size_t cached_len;
	long ms = row->ts.tv_nsec / 1000000;

	(void)r;
	if (row->ts.tv_sec != cached_sec) {
		struct tm tm;

		gmtime_r(&row->ts.tv_sec, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S.", &tm);
		cached_sec = row->ts.tv_sec;
	}
	memcpy(dst, cached, cached_len);
	dst += cached_len;
	*dst++ = (char)('0' + ms / 100);
	*dst++ = (char)('0' + ms / 10 % 10);
	*dst++ = (char)('0' + ms % 10);
	*dst++ = 'Z';
	return dst;
}

static char *
put_responder(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	return row->v6 ? put_ip6(dst, trawl_ip6_load(r->responder6)) : trawl_put_ipv4(dst, r->responder);
}

static char *
put_unreach_str(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	const char *s = row->v6 ? (r->icmp_type == TRAWL_ICMP6_UNREACH ? trawl_icmp6_unreach_name(r->icmp_code) : "") :
		r->icmp_type == TRAWL_ICMP_UNREACH ? trawl_icmp_unreach_name(r->icmp_code) : "";
	size_t n = strlen(s);

	(void)row;
	memcpy(dst, s, n);
	return dst + n;
}

/* The reply bytes a module kept, as lower-case hex (ZMap's binary fields in CSV). */
static char *
put_data(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *d = trawl_result_data(r);

	(void)row;
	for (uint16_t i = 0; i < r->data_len; i++) {
		*dst++ = hex[d[i] >> 4];
		*dst++ = hex[d[i] & 0xf];
	}
	return dst;
}

/* --- tcp_banner: what the server's first segment says (core/l7.c; absent fields are empty) --- */

static char *
put_span(char *dst, struct trawl_l7_span sp)
{
	return trawl_l7_put_text(dst, sp.p, sp.len);
}

static char *
put_http_status(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_span(dst, trawl_l7_http_status(r->data, r->data_len));
}

static char *
put_http_server(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_span(dst, trawl_l7_http_header(r->data, r->data_len, "server"));
}

/* A server-first service's greeting: the first line, unless the data is HTTP or TLS. */
static char *
put_banner(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	struct trawl_tls_info tls;

	(void)row;
	if (r->data_len == 0 || trawl_l7_http_status(r->data, r->data_len).len != 0 ||
	    trawl_l7_tls_parse(r->data, r->data_len, &tls) == 0)
		return dst;
	return put_span(dst, trawl_l7_first_line(r->data, r->data_len, TRAWL_BANNER_LINE_MAX));
}

static char *
put_tls(char *dst, const struct trawl_result *r, int which)
{
	struct trawl_tls_info tls;
	const char *s = "";
	char hex[8];

	if (trawl_l7_tls_parse(r->data, r->data_len, &tls) != 0)
		return dst;
	switch (which) {
	case 0:
		s = trawl_l7_tls_version_name(tls.version);
		break;
	case 1:
		s = trawl_l7_tls_cipher_name(tls.cipher);
		if (s == NULL) {
			snprintf(hex, sizeof(hex), "0x%04x", tls.cipher);
			s = tls.cipher != 0 ? hex : "";
		}
		break;
	case 2:
		s = tls.subject;
		break;
	default:
		s = tls.issuer;
		break;
	}
	return trawl_l7_put_text(dst, (const uint8_t *)s, strlen(s));
}

static char *
put_tls_version(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_tls(dst, r, 0);
}

static char *
put_tls_cipher(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_tls(dst, r, 1);
}

static char *
put_tls_subject(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_tls(dst, r, 2);
}

static char *
put_tls_issuer(char *dst, const struct trawl_result *r, const struct trawl_row *row)
{
	(void)row;
	return put_tls(dst, r, 3);
}

#define INT_FIELD(fname, expr) \
	static int64_t get_##fname(const struct trawl_result *r) { return (int64_t)(expr); }
INT_FIELD(sport, r->sport)
INT_FIELD(dport, r->dport)
INT_FIELD(success, r->success)
INT_FIELD(repeat, r->repeat)
INT_FIELD(ttl, r->ttl)
INT_FIELD(seqnum, r->seq)
INT_FIELD(window, r->window)
INT_FIELD(ipid, r->ipid)
INT_FIELD(icmp_type, r->icmp_type)
INT_FIELD(icmp_code, r->icmp_code)
INT_FIELD(icmp_id, r->icmp_id)
INT_FIELD(udp_len, r->udp_len)

#define ALL TRAWL_FIELDS_ALL
#define TCP TRAWL_FIELDS_TCP
#define ICMP TRAWL_FIELDS_ICMP
#define UDP TRAWL_FIELDS_UDP
#define ICMP_UDP (TRAWL_FIELDS_ICMP | TRAWL_FIELDS_UDP)
#define BANNER TRAWL_FIELDS_BANNER

/* Names as ZMap's modules name them; a field may appear once per module set (type/icmp_type: both spellings). */
const struct trawl_field trawl_fields[] = {
	{ "saddr", "target address (source of the reply; for an ICMP error, the destination of the probe it quotes)",
		TRAWL_FIELD_STR, NULL, put_saddr, 0, ALL, TRAWL_IPV6_STRLEN - 1 },
	{ "daddr", "our address the reply was sent to", TRAWL_FIELD_STR, NULL, put_daddr, 0, ALL, TRAWL_IPV6_STRLEN - 1 },
	{ "sport", "target port (source port of the reply; 0 for icmp_echoscan)", TRAWL_FIELD_INT, get_sport, NULL, 0,
		ALL, 20 },
	{ "dport", "our source port the reply was sent to (0 for icmp_echoscan)", TRAWL_FIELD_INT, get_dport, NULL, 0,
		ALL, 20 },
	{ "classification", "tcp_synscan: synack, rst; icmp_echoscan: echoreply, unreach, sourcequench, redirect, "
		"timxceed, other; udp: udp, icmp-unreach, other; tcp_banner: data, nodata, reset, rst; both TCP modules:\n"
		"canary (answers every port), zerowin (SYN-ACK, window 0, no options)", TRAWL_FIELD_STR, NULL, put_classification, 0, ALL, 12 },
	{ "success", "1 if the port is open (icmp_echoscan: the host is up; tcp_banner: handshake completed)", TRAWL_FIELD_INT, get_success, NULL, 0,
		ALL, 20 },
	{ "repeat", "1 if this target answered before", TRAWL_FIELD_INT, get_repeat, NULL, 0, ALL, 20 },
	{ "ttl", "IP TTL of the reply", TRAWL_FIELD_INT, get_ttl, NULL, 0, ALL, 20 },
	{ "ipid", "IP ID of the reply", TRAWL_FIELD_INT, get_ipid, NULL, 0, ALL, 20 },
	{ "timestamp", "when the reply arrived (UTC, ISO 8601)", TRAWL_FIELD_STR, NULL, put_timestamp, 1, ALL, 24 },
	{ "seqnum", "TCP sequence number of the reply", TRAWL_FIELD_INT, get_seqnum, NULL, 0, TCP, 20 },
	{ "window", "TCP window of the reply", TRAWL_FIELD_INT, get_window, NULL, 0, TCP, 20 },
	{ "type", "ICMP type of the reply", TRAWL_FIELD_INT, get_icmp_type, NULL, 0, ICMP, 20 },
	{ "code", "ICMP code of the reply", TRAWL_FIELD_INT, get_icmp_code, NULL, 0, ICMP, 20 },
	{ "icmp_id", "ICMP echo identifier (of the reply, or of the probe an error quotes)", TRAWL_FIELD_INT,
		get_icmp_id, NULL, 0, ICMP, 20 },
	{ "seq", "ICMP echo sequence number (of the reply, or of the probe an error quotes)", TRAWL_FIELD_INT,
		get_seqnum, NULL, 0, ICMP, 20 },
	{ "icmp_responder", "who sent the reply: for an ICMP error, the router or host that sent it",
		TRAWL_FIELD_STR, NULL, put_responder, 0, ICMP_UDP, TRAWL_IPV6_STRLEN - 1 },
	{ "icmp_type", "ICMP type of the reply (0 for a UDP reply)", TRAWL_FIELD_INT, get_icmp_type, NULL, 0, UDP, 20 },
	{ "icmp_code", "ICMP code of the reply", TRAWL_FIELD_INT, get_icmp_code, NULL, 0, UDP, 20 },
	{ "icmp_unreach_str", "for destination unreachable, its code in words (port unreachable, ...)",
		TRAWL_FIELD_STR, NULL, put_unreach_str, 0, ICMP_UDP, 32 },
	{ "udp_pkt_size", "UDP length of the reply (header and payload)", TRAWL_FIELD_INT, get_udp_len, NULL, 0, UDP, 20 },
	{ "data", "UDP payload of the reply, hex (its first 512 bytes; udp_pkt_size tells the whole)",
		TRAWL_FIELD_STR, NULL, put_data, 0, UDP, 2 * TRAWL_UDP_DATA_MAX },
	{ "data", "the server's first data segment, hex (whole: our SYN's MSS bounds it to 1460 bytes)",
		TRAWL_FIELD_STR, NULL, put_data, 0, BANNER, 2 * TRAWL_RESULT_DATA_MAX },
	{ "data_len", "length of the server's first data segment", TRAWL_FIELD_INT, get_udp_len, NULL, 0, BANNER, 20 },
	{ "http_status", "HTTP status line of the data (%XX for ',', '\"', '%' and non-printables)",
		TRAWL_FIELD_STR, NULL, put_http_status, 0, BANNER, 3 * 256 },
	{ "http_server", "HTTP Server header of the data", TRAWL_FIELD_STR, NULL, put_http_server, 0, BANNER, 3 * 256 },
	{ "banner", "first line of data that is neither HTTP nor TLS (SSH, SMTP, FTP, ... greetings)",
		TRAWL_FIELD_STR, NULL, put_banner, 0, BANNER, 3 * TRAWL_BANNER_LINE_MAX },
	{ "tls_version", "TLS version the server chose", TRAWL_FIELD_STR, NULL, put_tls_version, 0, BANNER, 8 },
	{ "tls_cipher", "TLS cipher suite the server chose (IANA name)", TRAWL_FIELD_STR, NULL, put_tls_cipher, 0,
		BANNER, 48 },
	{ "tls_subject", "subject of the server's certificate, /C=../O=../CN=.. (TLS 1.2 and older: 1.3 encrypts it)",
		TRAWL_FIELD_STR, NULL, put_tls_subject, 0, BANNER, 3 * 255 },
	{ "tls_issuer", "issuer of the server's certificate", TRAWL_FIELD_STR, NULL, put_tls_issuer, 0, BANNER,
		3 * 255 },
	{ NULL, NULL, TRAWL_FIELD_INT, NULL, NULL, 0, 0, 0 },
};

const struct trawl_field *
trawl_field_find(const char *name, size_t len, uint8_t module)
{
	for (const struct trawl_field *f = trawl_fields; f->name != NULL; f++)
		if ((f->modules & module) && strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

int
trawl_fields_parse(const char *spec, uint8_t module, const struct trawl_field *out[TRAWL_MAX_FIELDS],
		struct trawl_err *err)
{
	const char *item = spec;
	int n = 0;

	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		const struct trawl_field *f = trawl_field_find(item, len, module);

		if (f == NULL)
			return trawl_err_set(err, -EINVAL, "%s output field '%.*s' (see --list-output-fields -M MODULE)",
					trawl_field_find(item, len, TRAWL_FIELDS_ALL) ? "this probe module has no" : "unknown",
					(int)len, item);
		for (int i = 0; i < n; i++)
			if (out[i] == f) /* once each: so every row fits TRAWL_OUTPUT_MAX_ROW */
				return trawl_err_set(err, -EINVAL, "output field '%s' given twice", f->name);
		if (n == TRAWL_MAX_FIELDS)
			return trawl_err_set(err, -EINVAL, "more than %d output fields", TRAWL_MAX_FIELDS);
		out[n++] = f;
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	{
		size_t row = 1;

		for (int i = 0; i < n; i++)
			row += out[i]->max_len + 1;
		if (row > TRAWL_OUTPUT_MAX_ROW)
			return trawl_err_set(err, -EINVAL, "these output fields can make a row of %zu bytes, more than %d: "
					"leave some out (data is the longest)", row, TRAWL_OUTPUT_MAX_ROW);
	}
	return n;
}
