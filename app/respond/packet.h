/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESPOND_PKT_H
#define TRAWL_RESPOND_PKT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_tcp.h>

#include "app/respond/dataset.h"
#include "app/core/fingerprint.h"
#include "app/core/siphash.h"

/*
 * The virtual internet's answers, made in place on the received frame (no
 * allocation, no copy on the hot path), as a Linux host would send them:
 *   TCP SYN to an open port        -> SYN-ACK, ack = seq + 1, MSS 1460, TTL 64
 *   TCP SYN, live host, closed port -> RST-ACK, ack = seq + 1
 *   ICMP echo request, live host    -> echo reply, same id, sequence, data
 *   UDP, live host, port with a configured payload -> that payload
 *   UDP, live host, other port      -> ICMP port unreachable (+ IP header + 8)
 *   ARP request for a gateway address (any address if none is set) -> reply
 *   TCP SYN to a middlebox block    -> SYN-ACK on every port (zerowin: window 0, no options)
 *   TCP segment acknowledging our SYN-ACK (ack = ISN + 1), to a service port ->
 *     the service's first flight (service.h): for a server-first service
 *     already on the handshake's ACK, for the others on the client's data
 *   TCP FIN to a service port after that -> ACK, and our FIN if not sent yet
 * IPv6 (packet6.c) the same from the dataset's IPv6 hosts, hop limit 64:
 * SYN-ACK or RST-ACK, ICMPv6 echo reply, the UDP payload or ICMPv6 port
 * unreachable quoting the probe, an NA for a solicitation of a gateway
 * address (any address if none is set), and the services and middleboxes
 * of IPv6 lines as IPv4's; extension headers of a probe are not echoed.
 * Anything to a dead address gets nothing, like the real Internet. The ISN
 * is a MAC of the connection, so every answer is made from the segment alone.
 */
#define TRAWL_RESPOND_TTL 64
#define TRAWL_RESPOND_WINDOW 64240
#define TRAWL_RESPOND_MAX_GW 16

struct trawl_udp_payload {
	uint16_t len;
	const uint8_t *data;
};

struct trawl_respond_cfg {
	const struct trawl_dataset *ds;
	const uint64_t *wild_ports;          /**< --ports bitmap, NULL = every port */
	struct trawl_siphash_key isn_key;    /**< our initial sequence numbers */
	struct rte_ether_addr mac;
	uint32_t gw[TRAWL_RESPOND_MAX_GW];   /**< answer ARP for these; none = all */
	unsigned int ngw;
	struct trawl_ip6 gw6[TRAWL_RESPOND_MAX_GW]; /**< answer neighbour solicitations for these; none = all */
	unsigned int ngw6;
	const struct trawl_udp_payload *udp; /**< 65536 entries, len 0 = closed; NULL = none */
};

enum trawl_reply {
	TRAWL_REPLY_NONE = 0,
	TRAWL_REPLY_SYNACK,
	TRAWL_REPLY_RST,
	TRAWL_REPLY_ECHO,
	TRAWL_REPLY_UDP,
	TRAWL_REPLY_UNREACH,
	TRAWL_REPLY_ARP,
	TRAWL_REPLY_DATA,    /**< a service's first flight (after the handshake) */
	TRAWL_REPLY_FIN,     /**< the ACK (and FIN) that closes a service's connection the client closed */
	TRAWL_REPLY_MAX,
};

enum trawl_probe_kind {
	TRAWL_PROBE_NOT = 0,   /**< not a probe (an ACK, a RST, other ARP, junk) */
	TRAWL_PROBE_TCP_SYN,
	TRAWL_PROBE_ICMP_ECHO,
	TRAWL_PROBE_UDP,
	TRAWL_PROBE_ARP,
	TRAWL_PROBE_KIND_MAX,
};

extern const char *const trawl_reply_names[TRAWL_REPLY_MAX];

/* What one frame was and what it got. */
struct trawl_respond_result {
	enum trawl_probe_kind probe;
	enum trawl_reply reply;
	uint16_t len;               /**< reply frame length */
	struct trawl_fp_probe fp;   /**< for probes (SYN, echo request, UDP): what fingerprinting reads */
	uint8_t service;            /**< enum trawl_svc of a segment acknowledging our SYN-ACK (0: none) */
};

/* The segment a service answers with (trawl_respond_service_segment). */
struct trawl_seg_out {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t plen;
	uint8_t acked;   /**< the segment acknowledged our SYN-ACK (or closes after it): counted per service */
};

/* packet.c's, for packet6.c: what a service port answers to a segment after the handshake. */
enum trawl_reply trawl_respond_service_segment(const struct trawl_respond_cfg *cfg, const struct trawl_service *sv,
		const struct rte_tcp_hdr *in, uint32_t hlen, uint32_t plen, uint32_t isn1, uint64_t w0, uint64_t w1,
		uint8_t *payload, uint32_t room, struct trawl_seg_out *o);

/**
 * Answer the frame of @p len captured bytes in @p frame (buffer of @p cap
 * bytes, at least 128) in place.
 */
void trawl_respond_frame(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t cap,
		struct trawl_respond_result *res);

/** The same for an IPv6 frame whose IPv6 header is at @p l3off (packet6.c). */
void trawl_respond_frame6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t cap,
		uint32_t l3off, struct trawl_respond_result *res);

#endif
