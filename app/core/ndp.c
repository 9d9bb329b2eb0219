/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "app/core/icmp.h"
#include "app/core/ndp.h"

#define ND_HLIM 255
#define OPT_SRC_LL 1
#define OPT_TGT_LL 2
#define NA_FLAG_S 0x40
#define NA_FLAG_O 0x20

struct nd_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	uint8_t type, code;
	uint16_t cksum;
	uint8_t flags, reserved[3];
	uint8_t target[16];
	uint8_t opt_type, opt_len;
	struct rte_ether_addr opt_ll;
} __attribute__((packed, aligned(2)));

int
trawl_ndp_parse(const uint8_t *frame, uint32_t len, struct trawl_ndp_view *v)
{
	const struct rte_ether_hdr *eth = (const void *)frame;
	struct trawl_ipv6_view ip;
	uint32_t l3off, off;

	if (trawl_eth_parse(frame, len, &l3off) != TRAWL_L3_IPV6 ||
	    trawl_ipv6_parse(frame + l3off, len - l3off, &ip) != 0 || ip.cut || !trawl_ndp_is(&ip))
		return -EINVAL;
	/* A router may not forward neighbour discovery: hop limit 255 says it came from the link. */
	if (ip.hlim != ND_HLIM || ip.l4_len < 24 || ip.l4[1] != 0 || ip.l4 != frame + l3off + sizeof(*ip.ip))
		return -EINVAL;
	/* Summed with its own checksum field a right packet sums to 0xffff, whose complement DPDK returns. */
	if (rte_ipv6_udptcp_cksum(ip.ip, ip.l4) != 0)
		return -EINVAL;
	v->type = ip.l4[0];
	v->flags = ip.l4[4];
	v->src = ip.saddr;
	v->target = trawl_ip6_load(ip.l4 + 8);
	v->eth_src = eth->src_addr;
	v->lladdr = eth->src_addr;
	v->has_option = 0;
	for (off = 24; off + 2 <= ip.l4_len;) {
		uint32_t olen = (uint32_t)ip.l4[off + 1] * 8;

		if (olen == 0 || off + olen > ip.l4_len)
			return -EINVAL;
		if (olen == 8 && ip.l4[off] == (v->type == TRAWL_ICMP6_NS ? OPT_SRC_LL : OPT_TGT_LL)) {
			memcpy(&v->lladdr, ip.l4 + off + 2, RTE_ETHER_ADDR_LEN);
			v->has_option = 1;
		}
		off += olen;
	}
	return 0;
}

static uint16_t
finish(struct nd_frame *f, const struct rte_ether_addr *mac, struct trawl_ip6 src, struct trawl_ip6 dst,
		uint8_t type, uint8_t opt)
{
	f->eth.src_addr = *mac;
	f->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	f->ip.vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	f->ip.payload_len = rte_cpu_to_be_16(sizeof(*f) - sizeof(f->eth) - sizeof(f->ip));
	f->ip.proto = IPPROTO_ICMPV6;
	f->ip.hop_limits = ND_HLIM;
	trawl_ip6_store(f->ip.src_addr, src);
	trawl_ip6_store(f->ip.dst_addr, dst);
	f->type = type;
	f->code = 0;
	f->opt_type = opt;
	f->opt_len = 1;
	f->opt_ll = *mac;
	f->cksum = 0;
	f->cksum = rte_ipv6_udptcp_cksum(&f->ip, &f->type);
	return sizeof(*f);
}

uint16_t
trawl_ndp_build_ns(uint8_t *buf, const struct rte_ether_addr *mac, struct trawl_ip6 src, struct trawl_ip6 target)
{
	struct nd_frame *f = (void *)buf;
	/* ff02::1:ff00:0/104 with the target's low 24 bits, and its MAC 33:33 + the low 32 bits */
	struct trawl_ip6 snm = { UINT64_C(0xff02000000000000), UINT64_C(0x00000001ff000000) | (target.lo & 0xffffff) };

	RTE_BUILD_BUG_ON(sizeof(struct nd_frame) != TRAWL_NDP_FRAME_LEN);
	memset(f, 0, sizeof(*f));
	f->eth.dst_addr = (struct rte_ether_addr){ { 0x33, 0x33, 0xff, (uint8_t)(target.lo >> 16),
		(uint8_t)(target.lo >> 8), (uint8_t)target.lo } };
	trawl_ip6_store(f->target, target);
	return finish(f, mac, src, snm, TRAWL_ICMP6_NS, OPT_SRC_LL);
}

uint16_t
trawl_ndp_build_na(uint8_t *buf, const struct rte_ether_addr *mac, struct trawl_ip6 addr,
		const struct trawl_ndp_view *ns)
{
	struct nd_frame *f = (void *)buf;
	int dad = ns->src.hi == 0 && ns->src.lo == 0;
	/* RFC 4861 7.2.4: to the asker; from :: (duplicate address detection) to all nodes, not solicited */
	struct trawl_ip6 dst = dad ? (struct trawl_ip6){ UINT64_C(0xff02000000000000), 1 } : ns->src;

	memset(f, 0, sizeof(*f));
	if (dad)
		f->eth.dst_addr = (struct rte_ether_addr){ { 0x33, 0x33, 0, 0, 0, 1 } };
	else
		f->eth.dst_addr = ns->lladdr;
	f->flags = (uint8_t)((dad ? 0 : NA_FLAG_S) | NA_FLAG_O);
	trawl_ip6_store(f->target, addr);
	return finish(f, mac, addr, dst, TRAWL_ICMP6_NA, OPT_TGT_LL);
}
