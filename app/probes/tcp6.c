/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP modules over IPv6: the SYN, the check and fields of a reply, and
 * the RST, as tcp_synscan.c makes them for IPv4. The probe carries no IP
 * ID (IPv6 has none); its flow label carries the key-free mark the IPv4
 * probe carries in its IP ID (core/fingerprint.h), a value as random per
 * flow as RFC 6437 asks. Checksums by parts as for IPv4: the template's
 * constant words summed once a run, each probe adding the target's eight
 * words, the ports and the sequence number.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf_core.h>

#include "app/core/fingerprint.h"
#include "app/probes/frame.h"
#include "app/probes/tcp.h"

#define SYN6_HLIM 255
#define SYN6_WINDOW 65535
#define SYN6_MSS 1440   /* 1500 - 40 - 20: the IPv6 MSS of an Ethernet path */
#define RST6_HLIM 64

struct syn6_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	struct rte_tcp_hdr tcp;
	uint8_t mss_opt[4];
} __attribute__((packed, aligned(2)));

struct rst6_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	struct rte_tcp_hdr tcp;
} __attribute__((packed, aligned(2)));

enum { TCP6_BASE, RST6_BASE, PHDR6_BASE };

int
trawl_tcp6_prepare(struct trawl_probe_ctx *ctx)
{
	struct syn6_frame *f = (void *)ctx->tmpl6;
	struct rst6_frame *r = (void *)ctx->tmpl6_answer;
	uint16_t l4 = sizeof(f->tcp) + sizeof(f->mss_opt);

	RTE_BUILD_BUG_ON(sizeof(struct syn6_frame) > TRAWL_PROBE_MAX_LEN);
	memset(ctx->tmpl6, 0, sizeof(ctx->tmpl6));
	trawl_frame_l2l3_6(&f->eth, &f->ip, ctx, IPPROTO_TCP, l4, SYN6_HLIM);
	f->tcp.data_off = (l4 / 4) << 4;
	f->tcp.tcp_flags = RTE_TCP_SYN_FLAG;
	f->tcp.rx_win = rte_cpu_to_be_16(SYN6_WINDOW);
	f->mss_opt[0] = 2;
	f->mss_opt[1] = 4;
	f->mss_opt[2] = SYN6_MSS >> 8;
	f->mss_opt[3] = SYN6_MSS & 0xff;
	ctx->len6 = sizeof(*f);
	/* The pseudo-header's source, length and next header, and the segment's constant words. */
	ctx->priv6[TCP6_BASE] = trawl_frame_sum((const uint8_t *)&f->tcp, l4) +
		trawl_frame_sum_ip6(ctx->saddr6) + IPPROTO_TCP + l4;
	memset(ctx->tmpl6_answer, 0, sizeof(ctx->tmpl6_answer));
	trawl_frame_l2l3_6(&r->eth, &r->ip, ctx, IPPROTO_TCP, sizeof(r->tcp), RST6_HLIM);
	r->tcp.data_off = (sizeof(r->tcp) / 4) << 4;
	r->tcp.tcp_flags = RTE_TCP_RST_FLAG;
	ctx->priv6[RST6_BASE] = trawl_frame_sum((const uint8_t *)&r->tcp, sizeof(r->tcp)) +
		trawl_frame_sum_ip6(ctx->saddr6) + IPPROTO_TCP + sizeof(r->tcp);
	/* With L4 offload (drivers/ found it) the port sums the segment, seeded with the pseudo-header. */
	ctx->priv6[PHDR6_BASE] = trawl_frame_sum_ip6(ctx->saddr6) + IPPROTO_TCP + l4;
	ctx->tx_ol_flags6 = (ctx->csum_hw & TRAWL_CSUM_HW_L4) ? RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM : 0;
	return 0;
}

void
trawl_tcp6_make(uint8_t *const bufs[], const struct trawl_target6 tgt[], unsigned int n,
		const struct trawl_probe_ctx *ctx)
{
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target6_tags(&ctx->val, tgt, n, 1, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct syn6_frame *f = (void *)bufs[i];
		uint64_t tag = tags[i];
		uint32_t seq = (uint32_t)tag;
		uint16_t sport = trawl_validate_sport(&ctx->val, tag, tgt[i].probe);
		uint16_t mark = trawl_fp_trawl_ipid(seq, tgt[i].port);

		memcpy(f, ctx->tmpl6, sizeof(*f));
		f->ip.vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28 | mark);
		trawl_ip6_store(f->ip.dst_addr, tgt[i].addr);
		f->tcp.src_port = rte_cpu_to_be_16(sport);
		f->tcp.dst_port = rte_cpu_to_be_16(tgt[i].port);
		f->tcp.sent_seq = rte_cpu_to_be_32(seq);
		if (likely(ctx->tx_ol_flags6 == 0))
			f->tcp.cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv6[TCP6_BASE] +
					trawl_frame_sum_ip6(tgt[i].addr) + sport + tgt[i].port + trawl_frame_sum32(seq)));
		else
			f->tcp.cksum = rte_cpu_to_be_16(trawl_frame_fold_plain(ctx->priv6[PHDR6_BASE] +
					trawl_frame_sum_ip6(tgt[i].addr)));
	}
}

enum trawl_rx_verdict
trawl_tcp6_check(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;

	if (v->proto != IPPROTO_TCP || !trawl_ip6_eq(v->daddr, ctx->saddr6))
		return TRAWL_RX_OTHER;
	if (v->cut || v->l4_len < sizeof(*tcp) || (tcp->data_off >> 4) < 5 ||
	    (uint32_t)(tcp->data_off >> 4) * 4 > v->l4_len)
		return TRAWL_RX_INVALID;
	return TRAWL_RX_VALID;
}

/*
 * Canary port i of an IPv6 target address, as trawl_tcp_canary_port for
 * IPv4: from the MAC key over the address (a domain of its own), never one
 * of the scan's ports, 0 if sixteen draws found none.
 */
uint16_t
trawl_tcp6_canary_port(const struct trawl_probe_ctx *ctx, struct trawl_ip6 addr, unsigned int i)
{
	for (unsigned int j = 0; j < 16; j++) {
		uint64_t h = trawl_siphash24_2w(&ctx->val.key, addr.hi ^ UINT64_C(0x63616e6172793600),
				addr.lo ^ (UINT64_C(1) << 32 | i << 8 | j));
		uint16_t p = (uint16_t)(h >> 48);

		if (p != 0 && trawl_target6_index(ctx->space, addr, p) == TRAWL_TARGET_NONE)
			return p;
	}
	return 0;
}

uint64_t
trawl_tcp6_target(const struct trawl_probe_ctx *ctx, struct trawl_ip6 addr, uint16_t port, int *canary)
{
	uint64_t t = trawl_target6_index(ctx->space, addr, port), first;

	*canary = 0;
	if (likely(t != TRAWL_TARGET_NONE) || ctx->canaries == 0)
		return t;
	/* Not one of the scan's ports: one of this address's canaries? (rare: only this path pays) */
	first = trawl_target6_index(ctx->space, addr, ctx->space->port_first);
	if (first == TRAWL_TARGET_NONE)
		return TRAWL_TARGET_NONE;
	for (unsigned int i = 0; i < ctx->canaries; i++)
		if (trawl_tcp6_canary_port(ctx, addr, i) == port) {
			*canary = 1;
			return ctx->space->count + first;
		}
	return TRAWL_TARGET_NONE;
}

void
trawl_tcp6_fill(const struct trawl_ipv6_view *v, uint64_t target, struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;

	r->target = target;
	memcpy(r->responder6, v->ip->src_addr, 16);
	r->sport = rte_be_to_cpu_16(tcp->src_port);
	r->dport = rte_be_to_cpu_16(tcp->dst_port);
	r->seq = rte_be_to_cpu_32(tcp->sent_seq);
	r->ipid = 0;
	r->window = rte_be_to_cpu_16(tcp->rx_win);
	r->ttl = v->hlim;
	r->icmp_id = 0;
	r->udp_len = 0;
	r->data_len = 0;
	r->icmp_type = 0;
	r->icmp_code = 0;
}

enum trawl_rx_verdict
trawl_tcp6_syn_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v, struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;
	enum trawl_rx_verdict verdict = trawl_tcp6_check(ctx, v);
	uint16_t sport, dport;
	uint64_t tag, target;
	uint8_t flags;
	int canary;

	if (verdict != TRAWL_RX_VALID)
		return verdict;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	flags = tcp->tcp_flags;
	tag = trawl_validate_tag6_hinted(&ctx->val, v->hint, v->saddr, sport);
	if (rte_be_to_cpu_32(tcp->recv_ack) != (uint32_t)tag + 1 || !trawl_validate_sport_ok(&ctx->val, tag, dport))
		return TRAWL_RX_INVALID;
	target = trawl_tcp6_target(ctx, v->saddr, sport, &canary);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	if (flags & RTE_TCP_RST_FLAG) {
		if (canary)
			return TRAWL_RX_OTHER; /* a closed canary port: as it should be */
		r->cls = TRAWL_CLASS_RST;
		r->success = 0;
	} else if ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) {
		r->cls = canary ? TRAWL_CLASS_CANARY : trawl_tcp_zerowin(tcp) ? TRAWL_CLASS_ZEROWIN : TRAWL_CLASS_SYNACK;
		r->success = r->cls == TRAWL_CLASS_SYNACK;
	} else {
		return TRAWL_RX_INVALID;
	}
	trawl_tcp6_fill(v, target, r);
	return TRAWL_RX_VALID;
}

uint16_t
trawl_tcp6_rst(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq)
{
	struct rst6_frame *f = (void *)buf;
	struct trawl_ip6 to = trawl_ip6_load(r->responder6);

	memcpy(buf, ctx->tmpl6_answer, sizeof(*f));
	memcpy(f->ip.dst_addr, r->responder6, 16);
	f->tcp.src_port = rte_cpu_to_be_16(r->dport);
	f->tcp.dst_port = rte_cpu_to_be_16(r->sport);
	f->tcp.sent_seq = rte_cpu_to_be_32(seq);
	f->tcp.cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv6[RST6_BASE] + trawl_frame_sum_ip6(to) + r->dport +
			r->sport + trawl_frame_sum32(seq)));
	return sizeof(*f);
}

uint16_t
trawl_tcp6_syn_answer(uint8_t *buf, const struct trawl_ipv6_view *v, const struct trawl_probe_ctx *ctx,
		const struct trawl_result *r)
{
	uint32_t seq = rte_be_to_cpu_32(((const struct rte_tcp_hdr *)v->l4)->recv_ack);

	if (r->cls == TRAWL_CLASS_RST)
		return 0;
	return trawl_tcp6_rst(buf, ctx, r, seq);
}
