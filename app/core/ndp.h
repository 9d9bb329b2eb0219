/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_NDP_H
#define TRAWL_NDP_H

#include <stdint.h>

#include <rte_ether.h>

#include "app/core/ipv6.h"
#include "app/core/packet.h"

/*
 * IPv6 neighbour discovery (RFC 4861), the appliance's part of it: what ARP
 * is to IPv4. A neighbour solicitation for the scan's IPv6 source is
 * answered with an advertisement; the gateway's MAC is asked for with a
 * solicitation to its solicited-node multicast address and learnt from the
 * advertisement (or from any solicitation it sends us). Frames are built
 * and parsed here without the EAL; the control role (dp/ctl.c) sends them.
 */

/* An NS or NA with its one link-layer address option: 14 + 40 + 32 bytes. */
#define TRAWL_NDP_FRAME_LEN 86

struct trawl_ndp_view {
	uint8_t type;                 /**< TRAWL_ICMP6_NS or TRAWL_ICMP6_NA */
	uint8_t flags;                /**< NA: R, S, O in the high bits */
	struct trawl_ip6 src;         /**< the packet's IPv6 source (:: for duplicate address detection) */
	struct trawl_ip6 target;      /**< the address asked about, or advertised */
	struct rte_ether_addr lladdr; /**< the option's link-layer address, else the frame's source */
	uint8_t has_option;
	struct rte_ether_addr eth_src;
};

/** Is the parsed IPv6 packet @p v an NS or NA (by its ICMPv6 type alone)? */
static inline int
trawl_ndp_is(const struct trawl_ipv6_view *v)
{
	return v->proto == IPPROTO_ICMPV6 && v->l4_len >= 1 && (v->l4[0] == 135 || v->l4[0] == 136);
}

/**
 * Parse the NS or NA in @p frame (@p len bytes) as RFC 4861 7.1.1 and 7.1.2
 * validate them: hop limit 255, code 0, long enough, options of non-zero
 * length inside the packet, the checksum right. @return 0 or -EINVAL.
 */
int trawl_ndp_parse(const uint8_t *frame, uint32_t len, struct trawl_ndp_view *v);

/**
 * Build an NS from @p src (@p mac) asking for @p target, to its
 * solicited-node multicast address. @return the frame's length.
 */
uint16_t trawl_ndp_build_ns(uint8_t *buf, const struct rte_ether_addr *mac, struct trawl_ip6 src,
		struct trawl_ip6 target);

/**
 * Build the NA that answers @p ns for our @p addr (@p mac): solicited and
 * override, to the asker (to all nodes when it asked from ::).
 * @return the frame's length.
 */
uint16_t trawl_ndp_build_na(uint8_t *buf, const struct rte_ether_addr *mac, struct trawl_ip6 addr,
		const struct trawl_ndp_view *ns);

#endif
