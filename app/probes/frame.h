/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PROBE_FRAME_H
#define TRAWL_PROBE_FRAME_H

/*
 * What every probe module's templates share: the Ethernet and IPv4 headers
 * from us to the next hop, and one's-complement sums taken by parts. Every
 * probe of a run shares all header words but a few (target address, IP ID,
 * ports, the MAC's fields), so each module sums its template's constant
 * words once per run and each probe adds just its own.
 */
#include <stddef.h>
#include <stdint.h>

#include "app/probes/probe.h"

/* Sum of the big-endian 16-bit words of p[0..len) (an odd last byte is the high half of a word). */
static inline uint32_t
trawl_frame_sum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	return s;
}

/* The checksum of a sum: folded to 16 bits and complemented. */
static inline uint16_t
trawl_frame_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The sum folded but not complemented: what L4 checksum offload starts from. */
static inline uint16_t
trawl_frame_fold_plain(uint32_t s)
{
	return (uint16_t)~trawl_frame_fold(s);
}

/* Ethernet and IPv4 headers of a template, from us to the next hop; per-frame fields left zero. */
static inline void
trawl_frame_l2l3(struct rte_ether_hdr *eth, struct rte_ipv4_hdr *ip, const struct trawl_probe_ctx *ctx,
		uint8_t proto, uint16_t l4_len, uint8_t ttl)
{
	eth->dst_addr = ctx->gw_mac;
	eth->src_addr = ctx->src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(ctx->saddr);
}

/* Ethernet and IPv6 headers of a template, from our IPv6 source to the next hop; the destination left zero. */
static inline void
trawl_frame_l2l3_6(struct rte_ether_hdr *eth, struct rte_ipv6_hdr *ip, const struct trawl_probe_ctx *ctx,
		uint8_t proto, uint16_t l4_len, uint8_t hlim)
{
	eth->dst_addr = ctx->gw_mac;
	eth->src_addr = ctx->src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip->payload_len = rte_cpu_to_be_16(l4_len);
	ip->proto = proto;
	ip->hop_limits = hlim;
	trawl_ip6_store(ip->src_addr, ctx->saddr6);
}

/* An IPv6 address's eight words: its part of a one's-complement sum (at most 8 * 0xffff). */
static inline uint32_t
trawl_frame_sum_ip6(struct trawl_ip6 a)
{
	uint32_t s = 0;

	for (unsigned int i = 0; i < 64; i += 16)
		s += (uint32_t)(a.hi >> i & 0xffff) + (uint32_t)(a.lo >> i & 0xffff);
	return s;
}

/* A 32-bit field's two words (an address, a sequence number): its part of a one's-complement sum. */
static inline uint32_t
trawl_frame_sum32(uint32_t addr)
{
	return (addr >> 16) + (addr & 0xffff);
}

#endif
