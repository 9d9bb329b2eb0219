/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A server's first data segment as tcp_banner captured it, through every
 * field extraction the writer runs on it (core/l7.c: HTTP status line and
 * headers, TLS records, handshake messages and the certificate's DER, the
 * banner line, the %XX text of each); and the same bytes as a client's
 * first data to the virtual internet's TLS and HTTP services
 * (respond/service.c reads ClientHello suites out of them).
 */
#include "test/fuzz/fuzz.h"

#include "app/core/l7.h"
#include "app/respond/service.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trawl_dataset ds; /* services read nothing of it but banner bytes, unused here */
	uint8_t *d;
	char *text;
	struct trawl_l7_span sp;
	struct trawl_tls_info tls;
	uint8_t rnd[32] = { 0 }, out[TRAWL_SVC_SEGMENT_MAX];
	int fin;

	if (size > 1472)
		return 0; /* a segment as kept (TRAWL_RESULT_DATA_MAX) */
	d = fuzz_copy(data, size);
	text = malloc(3 * 1472 + 3 * 512 + 8);
	if (text == NULL)
		abort();
	sp = trawl_l7_http_status(d, size);
	if (sp.len > size || (sp.len && (sp.p < d || sp.p + sp.len > d + size)))
		abort();
	trawl_l7_put_text(text, sp.p, sp.len);
	sp = trawl_l7_http_header(d, size, "server");
	if (sp.len && (sp.p < d || sp.p + sp.len > d + size))
		abort();
	trawl_l7_put_text(text, sp.p, sp.len);
	sp = trawl_l7_first_line(d, size, TRAWL_BANNER_LINE_MAX);
	trawl_l7_put_text(text, sp.p, sp.len);
	if (trawl_l7_tls_parse(d, size, &tls) == 0) {
		if (strlen(tls.subject) >= sizeof(tls.subject) || strlen(tls.issuer) >= sizeof(tls.issuer))
			abort();
		trawl_l7_put_text(text, (const uint8_t *)tls.subject, strlen(tls.subject));
		(void)trawl_l7_tls_version_name(tls.version);
		(void)trawl_l7_tls_cipher_name(tls.cipher);
	}
	for (uint8_t k = TRAWL_SVC_HTTP; k <= TRAWL_SVC_SSH; k++) {
		struct trawl_service sv = { .kind = k };

		if (trawl_service_flight(&ds, &sv, d, size, rnd, out, sizeof(out), &fin) > sizeof(out))
			abort();
	}
	free(text);
	free(d);
	return 0;
}
