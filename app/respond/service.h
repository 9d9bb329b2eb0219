/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESPOND_SERVICE_H
#define TRAWL_RESPOND_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "app/respond/dataset.h"

/*
 * What a virtual host's service sends first (dataset.h, services), made
 * from the client's first data alone: no state, as the rest of the
 * responder. http: an HTTP/1.1 response with a Server header (200 for a
 * request, 400 for anything else), then the server closes; tls: a TLS 1.2
 * ServerHello, the build's test certificate and ServerHelloDone, for a
 * ClientHello offering an RSA key-exchange suite (else a handshake_failure
 * alert); ssh, banner:, file: speak first, whatever the client says.
 */
#define TRAWL_SVC_SERVER "trawl-respond/" TRAWL_VERSION
#define TRAWL_SVC_SSH_BANNER "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"

/* The client's first data a service reads (the head of an HTTP request, a ClientHello's suites). */
#define TRAWL_SVC_REQ_MAX 1024
/* The most a first flight takes: one segment under the MSS our SYN-ACK announces. */
#define TRAWL_SVC_SEGMENT_MAX 1460

/** 1 if the service speaks first (it answers the handshake's own ACK). */
int trawl_service_server_first(uint8_t kind);

/**
 * The first flight of @p sv answering @p req (the client's first data,
 * @p reqlen bytes, possibly none) into @p out (room for @p cap bytes).
 * @p rnd seeds the TLS random. Sets *fin when the server closes after it.
 * @return bytes written; 0: nothing to send yet (a client-first service the
 * client has not spoken to), or no room.
 */
size_t trawl_service_flight(const struct trawl_dataset *ds, const struct trawl_service *sv, const uint8_t *req,
		size_t reqlen, const uint8_t rnd[32], uint8_t *out, size_t cap, int *fin);

/* The build's test certificate (DER; gen_cert.py). */
extern const uint8_t trawl_respond_cert[];
extern const size_t trawl_respond_cert_len;

#endif
