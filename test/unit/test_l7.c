/* SPDX-License-Identifier: BSD-3-Clause */
/* The first flight of a service (core/l7.c): requests we send, fields we read from what was captured. */
#include <string.h>

#include "app/core/l7.h"
#include "test/unit/check.h"

/* A self-signed P-256 certificate, C=XX, O=trawl test, CN=198.18.0.10 (openssl req -x509). */
static const char cert_hex[] =
	"308201c43082016ba003020102021464dc76e2c4e3fa2e99f6ab827a3053fbd8b01ed3300a06082a8648ce3d04030230"
	"38310b300906035504061302585831133011060355040a0c0a747261776c20746573743114301206035504030c0b3139"
	"382e31382e302e3130301e170d3236313230363030303032375a170d3336313230333030303032375a3038310b300906"
	"035504061302585831133011060355040a0c0a747261776c20746573743114301206035504030c0b3139382e31382e30"
	"2e31303059301306072a8648ce3d020106082a8648ce3d0301070342000401d566e6fb96caa7468f7a2011db8eda36cb"
	"58bfc8282d599506bb90cc253740c1959b4687dda0455626747e572b9c7293210a2f196053ca333f89aa64ff426da353"
	"3051301d0603551d0e041604142f133744b13f2cbaabf6c2002de0c9dfffbc01ca301f0603551d230418301680142f13"
	"3744b13f2cbaabf6c2002de0c9dfffbc01ca300f0603551d130101ff040530030101ff300a06082a8648ce3d04030203"
	"4700304402200d2273d0f213db23f300f33ad1a204393a814d0c52258b5ea53bd9128243ed8102204226932862de493e"
	"28e96d97331bb6f649aca305339c16b436045f5c8f18b986"	;

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int b;

		sscanf(h, "%2x", &b);
		out[n++] = (uint8_t)b;
	}
	return n;
}

static void
test_http_get(void)
{
	char buf[TRAWL_L7_HTTP_GET_MAX];
	size_t n = trawl_l7_http_get(buf, sizeof(buf), 0xc612000a);

	REQUIRE(n > 0 && n <= sizeof(buf));
	buf[n - 1] = '\0';
	CHECK(strncmp(buf, "GET / HTTP/1.1\r\nHost: 198.18.0.10\r\n", 35) == 0);
	CHECK(memcmp(buf + n - 4, "\r\n\r", 3) == 0);
	CHECK_EQ_U64(trawl_l7_http_get_len(0xc612000a), n);
	for (uint32_t a = 0; a < 0xffffffffu - 0x01010101u; a += 0x01010101u)
		CHECK_EQ_U64(trawl_l7_http_get_len(a), trawl_l7_http_get(buf, sizeof(buf), a));
	/* the longest address still fits */
	CHECK(trawl_l7_http_get(buf, sizeof(buf), 0xffffffff) <= sizeof(buf));
	CHECK(trawl_l7_http_get(buf, 10, 0) == 0);
}

static void
test_client_hello_shape(void)
{
	uint8_t rnd[96], b[600];
	size_t n;

	for (int i = 0; i < 96; i++)
		rnd[i] = (uint8_t)i;
	n = trawl_l7_client_hello(b, sizeof(b), rnd);
	REQUIRE(n == TRAWL_L7_CLIENT_HELLO_LEN);
	/* record: handshake, its length; ClientHello, its length; TLS 1.2 legacy version; random; session id */
	CHECK(b[0] == 0x16 && b[1] == 3 && (size_t)(b[3] << 8 | b[4]) == n - 5);
	CHECK(b[5] == 1 && b[6] == 0 && (size_t)(b[7] << 8 | b[8]) == n - 9);
	CHECK(b[9] == 3 && b[10] == 3 && memcmp(b + 11, rnd, 32) == 0 && b[43] == 32);
	CHECK(memcmp(b + 44, rnd + 32, 32) == 0);
	/* the extensions' length ends exactly at the end */
	{
		size_t at = 76, cs = (size_t)(b[at] << 8 | b[at + 1]);

		at += 2 + cs;
		CHECK(b[at] == 1 && b[at + 1] == 0);
		at += 2;
		CHECK((size_t)(b[at] << 8 | b[at + 1]) == n - at - 2);
	}
	CHECK(trawl_l7_client_hello(b, 100, rnd) == 0);
}

static void
test_http_fields(void)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\nDate: x\r\n"
		"content-type: text/html\r\n\r\nServer: not a header\r\n";
	const uint8_t *d = (const uint8_t *)resp;
	struct trawl_l7_span sp = trawl_l7_http_status(d, strlen(resp));

	CHECK(sp.len == 15 && memcmp(sp.p, "HTTP/1.0 200 OK", 15) == 0);
	sp = trawl_l7_http_header(d, strlen(resp), "server");
	CHECK(sp.len == 28 && memcmp(sp.p, "SimpleHTTP/0.6 Python/3.11.2", 28) == 0);
	sp = trawl_l7_http_header(d, strlen(resp), "Content-Type");
	CHECK(sp.len == 9 && memcmp(sp.p, "text/html", 9) == 0);
	CHECK(trawl_l7_http_header(d, strlen(resp), "location").len == 0);
	/* cut inside the header: what was captured, no more */
	sp = trawl_l7_http_header(d, 30, "server");
	CHECK(sp.len == 30 - 25 && memcmp(sp.p, "Simpl", 5) == 0);
	/* not HTTP */
	CHECK(trawl_l7_http_status((const uint8_t *)"SSH-2.0-OpenSSH_9.2\r\n", 21).len == 0);
	CHECK(trawl_l7_http_header((const uint8_t *)"SSH-2.0\r\nServer: x\r\n", 20, "server").len == 0);
	sp = trawl_l7_first_line((const uint8_t *)"SSH-2.0-OpenSSH_9.2\r\n", 21, 256);
	CHECK(sp.len == 19);
	sp = trawl_l7_first_line((const uint8_t *)"220 no newline", 14, 5);
	CHECK(sp.len == 5);
}

/* A server's TLS 1.2 first flight: ServerHello, Certificate, ServerHelloDone, in one record. */
static size_t
flight(uint8_t *b, const uint8_t *cert, size_t clen, uint16_t cipher, int tls13)
{
	size_t n = 5, hs, ext = tls13 ? 6 : 0;

	/* ServerHello: version, random, empty session id, cipher, compression, extensions */
	b[n++] = 2;
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = (uint8_t)(2 + 32 + 1 + 2 + 1 + 2 + ext);
	b[n++] = 3;
	b[n++] = 3;
	memset(b + n, 0xab, 32);
	n += 32;
	b[n++] = 0;
	b[n++] = (uint8_t)(cipher >> 8);
	b[n++] = (uint8_t)cipher;
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = (uint8_t)ext;
	if (tls13) {
		memcpy(b + n, (const uint8_t[]){ 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04 }, 6);
		n += 6;
		hs = n;
	} else {
		/* Certificate: list length, certificate length, DER */
		b[n++] = 11;
		b[n++] = (uint8_t)((clen + 6) >> 16);
		b[n++] = (uint8_t)((clen + 6) >> 8);
		b[n++] = (uint8_t)(clen + 6);
		b[n++] = (uint8_t)((clen + 3) >> 16);
		b[n++] = (uint8_t)((clen + 3) >> 8);
		b[n++] = (uint8_t)(clen + 3);
		b[n++] = (uint8_t)(clen >> 16);
		b[n++] = (uint8_t)(clen >> 8);
		b[n++] = (uint8_t)clen;
		memcpy(b + n, cert, clen);
		n += clen;
		memcpy(b + n, (const uint8_t[]){ 14, 0, 0, 0 }, 4);
		n += 4;
		hs = n;
	}
	b[0] = 22;
	b[1] = 3;
	b[2] = 3;
	b[3] = (uint8_t)((hs - 5) >> 8);
	b[4] = (uint8_t)(hs - 5);
	return n;
}

static void
test_tls_fields(void)
{
	uint8_t cert[600], b[1500];
	size_t clen = unhex(cert_hex, cert), n;
	struct trawl_tls_info t;

	REQUIRE(clen > 400);
	n = flight(b, cert, clen, 0x009c, 0);
	CHECK(trawl_l7_tls_parse(b, n, &t) == 0);
	CHECK(t.version == 0x0303 && t.cipher == 0x009c && !t.alert);
	CHECK(strcmp(t.subject, "/C=XX/O=trawl test/CN=198.18.0.10") == 0);
	CHECK(strcmp(t.issuer, t.subject) == 0);
	CHECK(strcmp(trawl_l7_tls_version_name(t.version), "TLSv1.2") == 0);
	CHECK(strcmp(trawl_l7_tls_cipher_name(t.cipher), "TLS_RSA_WITH_AES_128_GCM_SHA256") == 0);
	/* Cut in the certificate's validity: the issuer is there, the subject is not. */
	CHECK(trawl_l7_tls_parse(b, 5 + 44 + 10 + 120, &t) == 0 && t.cipher == 0x009c);
	CHECK(t.issuer[0] != '\0' && t.subject[0] == '\0');
	/* Every cut: no crash, never a name that is not the certificate's. */
	for (size_t cut = 0; cut <= n; cut++) {
		int rc = trawl_l7_tls_parse(b, cut, &t);

		CHECK(rc == (cut < 5 ? -1 : 0));
		CHECK(t.subject[0] == '\0' || strcmp(t.subject, "/C=XX/O=trawl test/CN=198.18.0.10") == 0);
	}
	/* TLS 1.3: supported_versions decides, the certificate is not in the clear. */
	n = flight(b, cert, clen, 0x1301, 1);
	CHECK(trawl_l7_tls_parse(b, n, &t) == 0 && t.version == 0x0304 && t.cipher == 0x1301 && t.subject[0] == '\0');
	/* an alert */
	CHECK(trawl_l7_tls_parse((const uint8_t[]){ 21, 3, 3, 0, 2, 2, 40 }, 7, &t) == 0 && t.alert && t.alert_desc == 40);
	/* not TLS */
	CHECK(trawl_l7_tls_parse((const uint8_t *)"HTTP/1.1 400", 12, &t) == -1);
}

static void
test_put_text(void)
{
	char out[64];
	char *e = trawl_l7_put_text(out, (const uint8_t *)"a,b\"c%d\r\x01 z~", 12);

	*e = '\0';
	CHECK(strcmp(out, "a%2Cb%22c%25d%0D%01 z~") == 0);
}

int
main(void)
{
	RUN(test_http_get);
	RUN(test_client_hello_shape);
	RUN(test_http_fields);
	RUN(test_tls_fields);
	RUN(test_put_text);
	return check_done();
}
