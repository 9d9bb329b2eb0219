/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "app/core/packet.h"

enum trawl_l3_kind
trawl_eth_parse(const uint8_t *frame, uint32_t caplen, uint32_t *l3off)
{
	const struct rte_ether_hdr *eth = (const void *)frame;

	if (caplen < sizeof(*eth))
		return TRAWL_L3_OTHER;
	*l3off = sizeof(*eth);
	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_IPV4:
		return TRAWL_L3_IPV4;
	case RTE_ETHER_TYPE_ARP:
		return TRAWL_L3_ARP;
	case RTE_ETHER_TYPE_IPV6:
		return TRAWL_L3_IPV6;
	default:
		return TRAWL_L3_OTHER;
	}
}

int
trawl_ipv4_parse(const uint8_t *l3, uint32_t len, struct trawl_ipv4_view *v)
{
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	uint32_t ihl, total;

	if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return -EINVAL;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	total = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || ihl > len || total < ihl)
		return -EINVAL;
	/*
	 * No fragment at all: a later one carries no L4 header at its start,
	 * and a first one holds only part of a datagram that a stateless
	 * scanner cannot reassemble or validate whole.
	 */
	if ((rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) != 0)
		return -EINVAL;
	/* Truncated: trust only what we hold, and say so (a cut datagram is no reply and no probe). */
	v->cut = total > len;
	if (v->cut)
		total = len;
	v->ip = ip;
	v->l4 = l3 + ihl;
	v->l4_len = total - ihl;
	v->saddr = rte_be_to_cpu_32(ip->src_addr);
	v->daddr = rte_be_to_cpu_32(ip->dst_addr);
	v->proto = ip->next_proto_id;
	v->ttl = ip->time_to_live;
	v->hint = NULL;
	return 0;
}

int
trawl_ipv6_parse(const uint8_t *l3, uint32_t len, struct trawl_ipv6_view *v)
{
	const struct rte_ipv6_hdr *ip = (const void *)l3;
	uint32_t end, off = sizeof(*ip);
	uint8_t nh;

	if (len < sizeof(*ip) || (l3[0] >> 4) != 6)
		return -EINVAL;
	end = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	v->cut = end > len;
	if (v->cut)
		end = len;
	nh = ip->proto;
	for (unsigned int i = 0;; i++) {
		uint32_t hlen;

		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (off + 2 > end)
				return -EINVAL;
			hlen = ((uint32_t)l3[off + 1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (off + 8 > end)
				return -EINVAL;
			/* offset and M flag: only an atomic fragment (RFC 6946) carries a whole datagram */
			if ((l3[off + 2] << 8 | l3[off + 3]) & 0xfff9)
				return -EINVAL;
			hlen = 8;
			break;
		case IPPROTO_AH:
			if (off + 2 > end)
				return -EINVAL;
			hlen = ((uint32_t)l3[off + 1] + 2) * 4;
			break;
		default:
			goto upper;
		}
		if (i == TRAWL_IPV6_MAX_EXT || off + hlen > end)
			return -EINVAL;
		nh = l3[off];
		off += hlen;
	}
upper:
	v->ip = ip;
	v->l4 = l3 + off;
	v->l4_len = end - off;
	v->saddr = trawl_ip6_load(ip->src_addr);
	v->daddr = trawl_ip6_load(ip->dst_addr);
	v->proto = nh;
	v->hlim = ip->hop_limits;
	v->hint = NULL;
	return 0;
}

int
trawl_arp_parse(const uint8_t *l3, uint32_t len, struct trawl_arp_view *v)
{
	const struct rte_arp_hdr *a = (const void *)l3;

	if (len < sizeof(*a) || a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4)
		return -EINVAL;
	v->op = rte_be_to_cpu_16(a->arp_opcode);
	v->sha = a->arp_data.arp_sha;
	v->spa = rte_be_to_cpu_32(a->arp_data.arp_sip);
	v->tha = a->arp_data.arp_tha;
	v->tpa = rte_be_to_cpu_32(a->arp_data.arp_tip);
	return 0;
}

uint16_t
trawl_arp_build(uint8_t *buf, uint16_t op, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t spa,
		const struct rte_ether_addr *tha, uint32_t tpa)
{
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_arp_hdr *a = (void *)(eth + 1);

	memset(buf, 0, TRAWL_ETH_MIN_LEN);
	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = *sha;
	a->arp_data.arp_sip = rte_cpu_to_be_32(spa);
	a->arp_data.arp_tha = *tha;
	a->arp_data.arp_tip = rte_cpu_to_be_32(tpa);
	return TRAWL_ETH_MIN_LEN;
}

uint16_t
trawl_tcp_build(uint8_t *buf, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, uint32_t saddr, uint32_t daddr,
		uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t window, uint8_t ttl)
{
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_tcp_hdr *tcp = (void *)(ip + 1);

	memset(buf, 0, TRAWL_ETH_MIN_LEN);
	eth->dst_addr = *dst_mac;
	eth->src_addr = *src_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*tcp));
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(saddr);
	ip->dst_addr = rte_cpu_to_be_32(daddr);
	tcp->src_port = rte_cpu_to_be_16(sport);
	tcp->dst_port = rte_cpu_to_be_16(dport);
	tcp->sent_seq = rte_cpu_to_be_32(seq);
	tcp->recv_ack = rte_cpu_to_be_32(ack);
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(window);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return TRAWL_ETH_MIN_LEN;
}
