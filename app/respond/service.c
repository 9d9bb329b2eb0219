/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/respond/service.h"

int
trawl_service_server_first(uint8_t kind)
{
	return kind == TRAWL_SVC_SSH || kind == TRAWL_SVC_BANNER || kind == TRAWL_SVC_FILE;
}

static size_t
put(uint8_t *out, size_t cap, size_t at, const void *d, size_t n)
{
	if (at + n <= cap)
		memcpy(out + at, d, n);
	return at + n;
}

static size_t
http(const uint8_t *req, size_t reqlen, uint8_t *out, size_t cap)
{
	static const char body[] = "<html><body>trawl respond: a virtual host</body></html>\n";
	static const char bad[] = "<html><body>400 Bad Request</body></html>\n";
	int ok = reqlen >= 4 && (memcmp(req, "GET ", 4) == 0 || (reqlen >= 5 && memcmp(req, "HEAD ", 5) == 0));
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nServer: %s\r\nContent-Type: text/html\r\n"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n", ok ? "200 OK" : "400 Bad Request",
			TRAWL_SVC_SERVER, ok ? sizeof(body) - 1 : sizeof(bad) - 1);
	size_t at = put(out, cap, 0, head, (size_t)n);

	at = put(out, cap, at, ok ? body : bad, ok ? sizeof(body) - 1 : sizeof(bad) - 1);
	return at <= cap ? at : 0;
}

/* The RSA key-exchange suite we pick from a ClientHello's list, or 0 (none offered, or no ClientHello). */
static uint16_t
pick_suite(const uint8_t *d, size_t n)
{
	static const uint16_t ours[] = { 0x009c, 0x009d, 0x002f, 0x0035 };
	size_t at = 5 + 4 + 2 + 32, cs;

	if (n < at + 1 || d[0] != 22 || d[1] != 3 || d[5] != 1)
		return 0;
	at += 1 + d[at];
	if (at + 2 > n)
		return 0;
	cs = (size_t)(d[at] << 8 | d[at + 1]);
	at += 2;
	if (at + cs > n)
		cs = n - at;
	for (size_t k = 0; k < sizeof(ours) / sizeof(ours[0]); k++)
		for (size_t i = 0; i + 1 < cs; i += 2)
			if ((uint16_t)(d[at + i] << 8 | d[at + i + 1]) == ours[k])
				return ours[k];
	return 0;
}

static size_t
tls(const uint8_t *req, size_t reqlen, const uint8_t rnd[32], uint8_t *out, size_t cap)
{
	uint16_t suite = pick_suite(req, reqlen);
	size_t clen = trawl_respond_cert_len, sh = 4 + 2 + 32 + 1 + 2 + 1 + 2 + 5, ce = 4 + 3 + 3 + clen, at;
	size_t rec = sh + ce + 4;
	uint8_t h[16];

	if (suite == 0) {
		/* fatal handshake_failure: what a TLS 1.2 server says to an offer it cannot take */
		static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };

		return put(out, cap, 0, alert, sizeof(alert)) <= cap ? sizeof(alert) : 0;
	}
	if (5 + rec > cap)
		return 0;
	h[0] = 22;
	h[1] = 3;
	h[2] = 3;
	h[3] = (uint8_t)(rec >> 8);
	h[4] = (uint8_t)rec;
	at = put(out, cap, 0, h, 5);
	/* ServerHello: TLS 1.2, our random, no session id, the suite, no compression, renegotiation_info */
	h[0] = 2;
	h[1] = 0;
	h[2] = (uint8_t)((sh - 4) >> 8);
	h[3] = (uint8_t)(sh - 4);
	h[4] = 3;
	h[5] = 3;
	at = put(out, cap, at, h, 6);
	at = put(out, cap, at, rnd, 32);
	h[0] = 0;
	h[1] = (uint8_t)(suite >> 8);
	h[2] = (uint8_t)suite;
	h[3] = 0;
	h[4] = 0;
	h[5] = 5;
	h[6] = 0xff;
	h[7] = 0x01;
	h[8] = 0;
	h[9] = 1;
	h[10] = 0;
	at = put(out, cap, at, h, 11);
	/* Certificate: one */
	h[0] = 11;
	h[1] = (uint8_t)((ce - 4) >> 16);
	h[2] = (uint8_t)((ce - 4) >> 8);
	h[3] = (uint8_t)(ce - 4);
	h[4] = (uint8_t)((clen + 3) >> 16);
	h[5] = (uint8_t)((clen + 3) >> 8);
	h[6] = (uint8_t)(clen + 3);
	h[7] = (uint8_t)(clen >> 16);
	h[8] = (uint8_t)(clen >> 8);
	h[9] = (uint8_t)clen;
	at = put(out, cap, at, h, 10);
	at = put(out, cap, at, trawl_respond_cert, clen);
	/* ServerHelloDone */
	at = put(out, cap, at, (const uint8_t[]){ 14, 0, 0, 0 }, 4);
	return at;
}

size_t
trawl_service_flight(const struct trawl_dataset *ds, const struct trawl_service *sv, const uint8_t *req,
		size_t reqlen, const uint8_t rnd[32], uint8_t *out, size_t cap, int *fin)
{
	size_t n;

	*fin = 0;
	switch (sv->kind) {
	case TRAWL_SVC_HTTP:
		if (reqlen == 0)
			return 0;
		*fin = 1;
		return http(req, reqlen, out, cap);
	case TRAWL_SVC_TLS:
		return reqlen == 0 ? 0 : tls(req, reqlen, rnd, out, cap);
	case TRAWL_SVC_SSH:
		n = sizeof(TRAWL_SVC_SSH_BANNER) - 1;
		return put(out, cap, 0, TRAWL_SVC_SSH_BANNER, n) <= cap ? n : 0;
	case TRAWL_SVC_BANNER:
	case TRAWL_SVC_FILE:
		if (sv->off + (size_t)sv->len > ds->svc_bytes_len)
			return 0;
		return put(out, cap, 0, ds->svc_bytes + sv->off, sv->len) <= cap ? sv->len : 0;
	default:
		return 0;
	}
}
