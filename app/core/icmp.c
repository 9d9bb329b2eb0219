/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "app/core/icmp.h"

int
trawl_icmp_quote_parse(const struct trawl_ipv4_view *v, struct trawl_icmp_quote *q)
{
	const struct rte_ipv4_hdr *in;
	uint32_t held, ihl;

	if (v->l4_len < TRAWL_ICMP_HDR_LEN + sizeof(*in) + TRAWL_ICMP_QUOTE_L4 || !trawl_icmp_is_error(v->l4[0]))
		return -EINVAL;
	in = (const void *)(v->l4 + TRAWL_ICMP_HDR_LEN);
	held = v->l4_len - TRAWL_ICMP_HDR_LEN;
	ihl = (uint32_t)(in->version_ihl & 0xf) * 4;
	if ((in->version_ihl >> 4) != 4 || ihl < sizeof(*in) || ihl + TRAWL_ICMP_QUOTE_L4 > held)
		return -EINVAL;
	/* A later fragment's first bytes are no L4 header: nothing of ours to check. */
	if ((rte_be_to_cpu_16(in->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return -EINVAL;
	q->type = v->l4[0];
	q->code = v->l4[1];
	q->proto = in->next_proto_id;
	q->saddr = rte_be_to_cpu_32(in->src_addr);
	q->daddr = rte_be_to_cpu_32(in->dst_addr);
	q->ipid = rte_be_to_cpu_16(in->packet_id);
	q->l4 = (const uint8_t *)in + ihl;
	q->l4_len = held - ihl;
	return 0;
}

const char *
trawl_icmp_unreach_name(uint8_t code)
{
	static const char *const names[] = {
		"network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
		"fragmentation needed", "source route failed", "network unknown", "host unknown",
		"source host isolated", "network prohibited", "host prohibited", "network unreachable for TOS",
		"host unreachable for TOS", "communication prohibited", "host precedence violation",
		"precedence cutoff",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown code";
}

int
trawl_icmp6_quote_parse(const struct trawl_ipv6_view *v, struct trawl_icmp6_quote *q)
{
	struct trawl_ipv6_view in;

	if (v->l4_len < TRAWL_ICMP_HDR_LEN + sizeof(struct rte_ipv6_hdr) + TRAWL_ICMP_QUOTE_L4 ||
	    !trawl_icmp6_is_error(v->l4[0]))
		return -EINVAL;
	/* The quote is cut (an error carries at most 1232 bytes of it): its payload length may point past it. */
	if (trawl_ipv6_parse(v->l4 + TRAWL_ICMP_HDR_LEN, v->l4_len - TRAWL_ICMP_HDR_LEN, &in) != 0 ||
	    in.l4_len < TRAWL_ICMP_QUOTE_L4)
		return -EINVAL;
	q->type = v->l4[0];
	q->code = v->l4[1];
	q->proto = in.proto;
	q->saddr = in.saddr;
	q->daddr = in.daddr;
	q->l4 = in.l4;
	q->l4_len = in.l4_len;
	return 0;
}

const char *
trawl_icmp6_unreach_name(uint8_t code)
{
	static const char *const names[] = {
		"no route to destination", "communication prohibited", "beyond scope of source address",
		"address unreachable", "port unreachable", "source address failed policy", "reject route",
		"error in source routing header",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown code";
}
