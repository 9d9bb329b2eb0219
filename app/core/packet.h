/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PACKET_H
#define TRAWL_PACKET_H

#include <stdint.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "app/core/ipv6.h"

/*
 * Parsing and building of the frames trawl handles, on plain buffers (no
 * mbufs, no EAL) so that every rule can be unit-tested. Bytes off the wire
 * are untrusted: every length below comes from the captured length, and
 * header fields only ever shrink it.
 */

/*
 * Checksum offloads the port has and the scan uses (drivers/ decides, probes/ obey). With
 * TRAWL_CSUM_HW_IP the module leaves the IPv4 header checksum to the port;
 * with TRAWL_CSUM_HW_L4 it writes only the pseudo-header sum into the L4
 * checksum field, as DPDK's TX checksum offload expects, and the port
 * finishes it. Without either, everything is computed in software.
 */
#define TRAWL_CSUM_HW_IP 0x1
#define TRAWL_CSUM_HW_L4 0x2

/* Smallest Ethernet frame without FCS: shorter frames are padded to it. */
#define TRAWL_ETH_MIN_LEN 60

/** An IPv4 packet as received: header, addresses and the bounded L4 part. */
struct trawl_ipv4_view {
	const struct rte_ipv4_hdr *ip;
	const uint8_t *l4;
	uint32_t l4_len;  /**< min(IP total length, captured) - IP header length */
	uint32_t saddr;   /**< host byte order */
	uint32_t daddr;   /**< host byte order */
	uint8_t proto;
	uint8_t ttl;
	uint8_t cut;      /**< the datagram is longer than what was captured: a reply cut short, never a result */
	/** The reply's tag computed ahead with its block (app/dp/rx.c does a burst's together), or NULL: a
	 *  hint a module may take through trawl_validate_tag_hinted(), which takes it for its own block only. */
	const struct trawl_tag_hint *hint;
};

struct trawl_tag_hint6; /* core/validate.h */

/*
 * An IPv6 packet as received: the addresses, and the upper-layer header
 * past any extension headers (at most TRAWL_IPV6_MAX_EXT of them, each
 * inside what was captured and inside the payload length).
 */
struct trawl_ipv6_view {
	const struct rte_ipv6_hdr *ip;
	const uint8_t *l4;
	uint32_t l4_len;  /**< min(payload end, captured) - the upper-layer header's offset */
	struct trawl_ip6 saddr;
	struct trawl_ip6 daddr;
	uint8_t proto;    /**< the upper-layer protocol (the last next header) */
	uint8_t hlim;
	uint8_t cut;      /**< the packet is longer than what was captured */
	/** The reply's tag computed ahead (app/dp/rx.c, a burst's together), or NULL: see trawl_validate_tag6_hinted(). */
	const struct trawl_tag_hint6 *hint;
};

#define TRAWL_IPV6_MAX_EXT 8

/** ARP for IPv4 over Ethernet, fields in host byte order. */
struct trawl_arp_view {
	uint16_t op;
	struct rte_ether_addr sha;
	uint32_t spa;
	struct rte_ether_addr tha;
	uint32_t tpa;
};

enum trawl_l3_kind {
	TRAWL_L3_OTHER = 0,
	TRAWL_L3_IPV4,
	TRAWL_L3_ARP,
	TRAWL_L3_IPV6,
};

/**
 * Classify an Ethernet frame of @p caplen bytes and give the L3 offset.
 * @return TRAWL_L3_IPV4, TRAWL_L3_ARP or TRAWL_L3_OTHER (also for frames
 * too short to hold an Ethernet header).
 */
enum trawl_l3_kind trawl_eth_parse(const uint8_t *frame, uint32_t caplen, uint32_t *l3off);

/**
 * Parse an IPv4 header of an L3 buffer of @p len captured bytes: version
 * 4, IHL >= 5, header inside the buffer, not a fragment (first or
 * later). A total length past the capture is clipped and says v->cut.
 * @return 0 or -EINVAL.
 */
int trawl_ipv4_parse(const uint8_t *l3, uint32_t len, struct trawl_ipv4_view *v);

/**
 * Parse an IPv6 packet at @p l3 (@p len bytes captured): the fixed header,
 * then hop-by-hop, routing, destination options, fragment and AH headers up
 * to TRAWL_IPV6_MAX_EXT of them. A fragment (any but an atomic one: offset
 * 0 and no more fragments) is refused as for IPv4, and so is a chain that
 * is longer, or a header that reaches past the payload or the capture.
 * @return 0 or -EINVAL.
 */
int trawl_ipv6_parse(const uint8_t *l3, uint32_t len, struct trawl_ipv6_view *v);

/** Parse an ARP packet (Ethernet/IPv4 only). @return 0 or -EINVAL. */
int trawl_arp_parse(const uint8_t *l3, uint32_t len, struct trawl_arp_view *v);

/**
 * Build an Ethernet frame carrying ARP: @p op (RTE_ARP_OP_REQUEST or
 * RTE_ARP_OP_REPLY) from (@p sha, @p spa) to (@p tha, @p tpa), sent to
 * @p eth_dst. Writes TRAWL_ETH_MIN_LEN bytes (zero padded) and returns that.
 */
uint16_t trawl_arp_build(uint8_t *buf, uint16_t op, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t spa,
		const struct rte_ether_addr *tha, uint32_t tpa);

/**
 * Build Ethernet + IPv4 + TCP without options or payload: used for the RST
 * that closes a half-open connection. Checksums are filled in. Writes and
 * returns TRAWL_ETH_MIN_LEN bytes.
 */
uint16_t trawl_tcp_build(uint8_t *buf, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, uint32_t saddr, uint32_t daddr,
		uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t window, uint8_t ttl);

#endif
