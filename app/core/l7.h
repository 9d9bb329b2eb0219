/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_L7_H
#define TRAWL_L7_H

#include <stddef.h>
#include <stdint.h>

/*
 * The first flight of a service, both ways, on plain buffers: what
 * tcp_banner sends after the handshake (an HTTP request, a TLS
 * ClientHello) and what it reads from the server's first data segment
 * (HTTP status line and Server header, TLS version, cipher and the
 * certificate's names, a banner line). Every parser reads at most the
 * bytes it is given, which are what the scanner captured: the first
 * segment, so a field that lies past it is simply absent.
 */

/* Longest request tcp_banner's http argument makes (the Host header holds a dotted quad). */
#define TRAWL_L7_HTTP_GET_MAX 160
/* The ClientHello's length (fixed: the same shape for every target). */
#define TRAWL_L7_CLIENT_HELLO_LEN 517

/** "GET / HTTP/1.1" with Host: the target's address. @return bytes written (cap >= TRAWL_L7_HTTP_GET_MAX). */
size_t trawl_l7_http_get(char *buf, size_t cap, uint32_t daddr);

/** The length trawl_l7_http_get writes for @p daddr, without writing it (every data segment checks it). */
size_t trawl_l7_http_get_len(uint32_t daddr);

struct trawl_ip6;

/** The same for an IPv6 target: Host: [ADDR] (RFC 3986's literal, RFC 5952's text); NULL @p buf: the length alone. */
size_t trawl_l7_http_get6(char *buf, size_t cap, const struct trawl_ip6 *daddr);

/*
 * A ClientHello of a current browser's shape (TLS 1.3 and 1.2 suites,
 * x25519 and P-256 groups, ALPN h2 and http/1.1, no SNI: the target is an
 * address), padded to 517 bytes as Chrome pads. @p random fills the
 * random, the session id and the x25519 share (96 bytes).
 * @return TRAWL_L7_CLIENT_HELLO_LEN, or 0 if cap is too small.
 */
size_t trawl_l7_client_hello(uint8_t *buf, size_t cap, const uint8_t random[96]);

/** A piece of the captured bytes (absent: len 0). */
struct trawl_l7_span {
	const uint8_t *p;
	size_t len;
};

/* The longest banner line a result shows. */
#define TRAWL_BANNER_LINE_MAX 256

/** The first line (up to CR or LF, at most @p max bytes): the banner of a server-first service. */
struct trawl_l7_span trawl_l7_first_line(const uint8_t *d, size_t n, size_t max);

/** The status line of an HTTP response ("HTTP/1.1 200 OK"), absent if d is no HTTP response. */
struct trawl_l7_span trawl_l7_http_status(const uint8_t *d, size_t n);

/** The value of HTTP header @p name (case-insensitive, leading blanks cut) in the captured head. */
struct trawl_l7_span trawl_l7_http_header(const uint8_t *d, size_t n, const char *name);

/* What a server's TLS first flight tells. version and cipher 0: not seen. */
struct trawl_tls_info {
	uint16_t version;      /**< negotiated: the supported_versions extension, else ServerHello's */
	uint16_t cipher;
	uint8_t alert;         /**< 1: the server answered with an alert */
	uint8_t alert_desc;
	char subject[256];     /**< first certificate's subject as "/C=../O=../CN=..", "" if not captured */
	char issuer[256];
};

/** Parse TLS records in @p d (at most the first 8 KiB of handshake bytes). @return 0 if it is TLS at all, -1 otherwise. */
int trawl_l7_tls_parse(const uint8_t *d, size_t n, struct trawl_tls_info *info);

/** "TLSv1.2", "TLSv1.3", ... or "" for 0 (a static string). */
const char *trawl_l7_tls_version_name(uint16_t v);

/** The IANA name of a suite our ClientHello offers, or NULL. */
const char *trawl_l7_tls_cipher_name(uint16_t c);

/*
 * Text from outside as a field value: printable ASCII as is, every other
 * byte and ',', '"', '%' as %XX (so a CSV row never needs quoting and the
 * bytes can be recovered). Writes at most 3 * len bytes; returns the end.
 */
char *trawl_l7_put_text(char *dst, const uint8_t *s, size_t len);

#endif
