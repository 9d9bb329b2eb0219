/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_synscan: one TCP SYN per (address, port); a SYN-ACK means open, a RST
 * means closed. Sequence number and source port come from the validation
 * tag, so the reply proves it answers our probe.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf_core.h>

#include "app/core/fingerprint.h"
#include "app/probes/frame.h"
#include "app/probes/tcp.h"

#define SYN_TTL 255          /* as ZMap: the most hops, the fewest lost probes */
#define SYN_WINDOW 65535
#define SYN_MSS 1460

struct syn_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr tcp;
	uint8_t mss_opt[4];  /* kind 2, length 4, MSS: what a real stack sends */
} __attribute__((packed, aligned(2)));

/*
 * Checksums by parts (probes/frame.h): each probe adds just its own seven
 * words. Measured against recomputing both checksums per probe with
 * rte_ipv4_cksum and rte_ipv4_udptcp_cksum (see bench/RESULTS.md).
 */
enum { IP_BASE, TCP_BASE, PHDR_BASE, RST_IP_BASE, RST_TCP_BASE };

/* The RST that answers a SYN-ACK, by parts like the probe: 60 bytes, TTL 64, no options. */
struct rst_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr tcp;
} __attribute__((packed, aligned(2)));

#define RST_TTL 64

static void
prepare_rst(struct trawl_probe_ctx *ctx)
{
	struct rst_frame *f = (void *)ctx->tmpl_answer;

	memset(ctx->tmpl_answer, 0, sizeof(ctx->tmpl_answer));
	trawl_frame_l2l3(&f->eth, &f->ip, ctx, IPPROTO_TCP, sizeof(f->tcp), RST_TTL);
	f->tcp.data_off = (sizeof(f->tcp) / 4) << 4;
	f->tcp.tcp_flags = RTE_TCP_RST_FLAG;
	ctx->priv[RST_IP_BASE] = trawl_frame_sum((const uint8_t *)&f->ip, sizeof(f->ip));
	ctx->priv[RST_TCP_BASE] = trawl_frame_sum((const uint8_t *)&f->tcp, sizeof(f->tcp)) +
		trawl_frame_sum32(ctx->saddr) + IPPROTO_TCP + sizeof(f->tcp);
}

int
trawl_tcp_syn_prepare(struct trawl_probe_ctx *ctx)
{
	struct syn_frame *f = (void *)ctx->tmpl;

	memset(ctx->tmpl, 0, sizeof(ctx->tmpl));
	trawl_frame_l2l3(&f->eth, &f->ip, ctx, IPPROTO_TCP, sizeof(f->tcp) + sizeof(f->mss_opt), SYN_TTL);
	f->tcp.data_off = ((sizeof(f->tcp) + sizeof(f->mss_opt)) / 4) << 4;
	f->tcp.tcp_flags = RTE_TCP_SYN_FLAG;
	f->tcp.rx_win = rte_cpu_to_be_16(SYN_WINDOW);
	f->mss_opt[0] = 2;
	f->mss_opt[1] = 4;
	f->mss_opt[2] = SYN_MSS >> 8;
	f->mss_opt[3] = SYN_MSS & 0xff;
	/* 58 bytes of headers; the NIC pads to 60, and so do we so the wire is exact. */
	ctx->len = TRAWL_ETH_MIN_LEN;
	/* The template's per-probe fields are zero, so these sums hold the constant words only. */
	ctx->priv[IP_BASE] = trawl_frame_sum((const uint8_t *)&f->ip, sizeof(f->ip));
	ctx->priv[TCP_BASE] = trawl_frame_sum((const uint8_t *)&f->tcp, sizeof(f->tcp) + sizeof(f->mss_opt)) +
		trawl_frame_sum32(ctx->saddr) + IPPROTO_TCP + sizeof(f->tcp) + sizeof(f->mss_opt);
	/* With L4 offload the port sums the TCP segment itself, seeded with the pseudo-header. */
	ctx->priv[PHDR_BASE] = trawl_frame_sum32(ctx->saddr) + IPPROTO_TCP +
		sizeof(f->tcp) + sizeof(f->mss_opt);
	prepare_rst(ctx);
	ctx->tx_ol_flags = 0;
	if (ctx->csum_hw != 0)
		ctx->tx_ol_flags = RTE_MBUF_F_TX_IPV4 |
			((ctx->csum_hw & TRAWL_CSUM_HW_IP) ? RTE_MBUF_F_TX_IP_CKSUM : 0) |
			((ctx->csum_hw & TRAWL_CSUM_HW_L4) ? RTE_MBUF_F_TX_TCP_CKSUM : 0);
	return 0;
}

void
trawl_tcp_syn_make(uint8_t *const bufs[], const struct trawl_target tgt[], unsigned int n,
		const struct trawl_probe_ctx *ctx)
{
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target_tags(&ctx->val, ctx->saddr, tgt, n, 1, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct syn_frame *f = (void *)bufs[i];
		uint64_t tag = tags[i];
		uint32_t daddr = tgt[i].addr, seq = (uint32_t)tag, dsum = trawl_frame_sum32(daddr);
		/* Good citizenship: an IP ID that tells trawl's probes apart without the key. */
		uint16_t ipid = trawl_fp_trawl_ipid(seq, tgt[i].port);
		uint16_t sport = trawl_validate_sport(&ctx->val, tag, tgt[i].probe);

		memcpy(f, ctx->tmpl, TRAWL_ETH_MIN_LEN);
		f->ip.dst_addr = rte_cpu_to_be_32(daddr);
		f->ip.packet_id = rte_cpu_to_be_16(ipid);
		f->tcp.src_port = rte_cpu_to_be_16(sport);
		f->tcp.dst_port = rte_cpu_to_be_16(tgt[i].port);
		f->tcp.sent_seq = rte_cpu_to_be_32(seq);
		if (likely(ctx->csum_hw == 0)) {
			f->ip.hdr_checksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[IP_BASE] + dsum + ipid));
			f->tcp.cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[TCP_BASE] + dsum + sport + tgt[i].port +
					trawl_frame_sum32(seq)));
			continue;
		}
		/* The template's checksum fields are zero: what the port expects where it fills them. */
		if (!(ctx->csum_hw & TRAWL_CSUM_HW_IP))
			f->ip.hdr_checksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[IP_BASE] + dsum + ipid));
		f->tcp.cksum = (ctx->csum_hw & TRAWL_CSUM_HW_L4) ?
			rte_cpu_to_be_16(trawl_frame_fold_plain(ctx->priv[PHDR_BASE] + dsum)) :
			rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[TCP_BASE] + dsum + sport + tgt[i].port +
					trawl_frame_sum32(seq)));
	}
}

enum trawl_rx_verdict
trawl_tcp_check(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;

	if (v->proto != IPPROTO_TCP || v->daddr != ctx->saddr)
		return TRAWL_RX_OTHER;
	/* Cut short, or a header shorter than its fixed part or longer than what we hold: malformed. */
	if (v->cut || v->l4_len < sizeof(*tcp) || (tcp->data_off >> 4) < 5 || (uint32_t)(tcp->data_off >> 4) * 4 > v->l4_len)
		return TRAWL_RX_INVALID;
	return TRAWL_RX_VALID;
}

uint16_t
trawl_tcp_canary_port(const struct trawl_probe_ctx *ctx, uint32_t addr, unsigned int i)
{
	for (unsigned int j = 0; j < 16; j++) {
		uint64_t h = trawl_siphash24_2w(&ctx->val.key, (uint64_t)ctx->saddr << 32 | addr,
				UINT64_C(1) << 32 | i << 8 | j);
		uint16_t p = (uint16_t)(h >> 48);

		if (p != 0 && trawl_target_index(ctx->space, addr, p) == TRAWL_TARGET_NONE)
			return p;
	}
	return 0;
}

uint64_t
trawl_tcp_target(const struct trawl_probe_ctx *ctx, uint32_t addr, uint16_t port, int *canary)
{
	uint64_t t = trawl_target_index(ctx->space, addr, port), first;

	*canary = 0;
	if (likely(t != TRAWL_TARGET_NONE) || ctx->canaries == 0)
		return t;
	/* Not one of the scan's ports: one of this address's canaries? (rare: only this path pays) */
	first = trawl_target_index(ctx->space, addr, ctx->space->port_first);
	if (first == TRAWL_TARGET_NONE)
		return TRAWL_TARGET_NONE;
	for (unsigned int i = 0; i < ctx->canaries; i++)
		if (trawl_tcp_canary_port(ctx, addr, i) == port) {
			*canary = 1;
			return ctx->space->count + first;
		}
	return TRAWL_TARGET_NONE;
}

void
trawl_tcp_fill(const struct trawl_ipv4_view *v, uint64_t target, struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;

	r->target = target;
	r->saddr = v->saddr;
	r->daddr = v->daddr;
	r->sport = rte_be_to_cpu_16(tcp->src_port);
	r->dport = rte_be_to_cpu_16(tcp->dst_port);
	r->seq = rte_be_to_cpu_32(tcp->sent_seq);
	r->ipid = rte_be_to_cpu_16(v->ip->packet_id);
	r->window = rte_be_to_cpu_16(tcp->rx_win);
	r->ttl = v->ttl;
	r->responder = v->saddr;
	r->icmp_id = 0;
	r->udp_len = 0;
	r->data_len = 0;
	r->icmp_type = 0;
	r->icmp_code = 0;
}

int
trawl_tcp_zerowin(const struct rte_tcp_hdr *tcp)
{
	return tcp->rx_win == 0 && (tcp->data_off >> 4) == 5;
}

static enum trawl_rx_verdict
syn_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v,
		struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;
	enum trawl_rx_verdict verdict = trawl_tcp_check(ctx, v);
	uint16_t sport, dport;
	uint32_t ack;
	uint8_t flags;
	uint64_t tag, target;
	int canary;

	if (verdict != TRAWL_RX_VALID)
		return verdict;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	ack = rte_be_to_cpu_32(tcp->recv_ack);
	flags = tcp->tcp_flags;
	tag = trawl_validate_tag_hinted(&ctx->val, v->hint, ctx->saddr, v->saddr, sport);
	if (ack != (uint32_t)tag + 1 || !trawl_validate_sport_ok(&ctx->val, tag, dport))
		return TRAWL_RX_INVALID;
	/* Not allowlisted (or a port we did not probe): the tag matched by chance or by forgery. */
	target = trawl_tcp_target(ctx, v->saddr, sport, &canary);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	if (flags & RTE_TCP_RST_FLAG) {
		if (canary)
			return TRAWL_RX_OTHER; /* a closed canary port: as it should be */
		r->cls = TRAWL_CLASS_RST;
		r->success = 0;
	} else if ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) {
		r->cls = canary ? TRAWL_CLASS_CANARY : trawl_tcp_zerowin(tcp) ? TRAWL_CLASS_ZEROWIN : TRAWL_CLASS_SYNACK;
		r->success = r->cls == TRAWL_CLASS_SYNACK;
	} else {
		return TRAWL_RX_INVALID;
	}
	trawl_tcp_fill(v, target, r);
	return TRAWL_RX_VALID;
}

uint16_t
trawl_tcp_rst(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq)
{
	uint32_t dsum = trawl_frame_sum32(r->saddr);
	struct rst_frame *f = (void *)buf;

	memcpy(buf, ctx->tmpl_answer, TRAWL_ETH_MIN_LEN);
	f->ip.dst_addr = rte_cpu_to_be_32(r->saddr);
	f->tcp.src_port = rte_cpu_to_be_16(r->dport);
	f->tcp.dst_port = rte_cpu_to_be_16(r->sport);
	f->tcp.sent_seq = rte_cpu_to_be_32(seq);
	f->ip.hdr_checksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[RST_IP_BASE] + dsum));
	f->tcp.cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[RST_TCP_BASE] + dsum + r->dport + r->sport +
			trawl_frame_sum32(seq)));
	return TRAWL_ETH_MIN_LEN;
}

static uint16_t
syn_answer(uint8_t *buf, const struct trawl_ipv4_view *v, const struct trawl_probe_ctx *ctx,
		const struct trawl_result *r)
{
	/* classify checked that the reply acks our ISN + 1: no second MAC to compute. */
	uint32_t seq = rte_be_to_cpu_32(((const struct rte_tcp_hdr *)v->l4)->recv_ack);

	if (r->cls == TRAWL_CLASS_RST)
		return 0;
	/* RST with seq = our ISN + 1, the target's expected next sequence number. */
	return trawl_tcp_rst(buf, ctx, r, seq);
}

const struct trawl_probe_ops trawl_probe_tcp_synscan = {
	.name = "tcp_synscan",
	.help = "TCP SYN to each (address, port); SYN-ACK = open (success), RST = closed",
	.uses_ports = 1,
	.fields = TRAWL_FIELDS_TCP,
	.tcp = 1,
	.prepare = trawl_tcp_syn_prepare,
	.make = trawl_tcp_syn_make,
	.classify = syn_classify,
	.answer = syn_answer,
	.prepare6 = trawl_tcp6_prepare,
	.make6 = trawl_tcp6_make,
	.classify6 = trawl_tcp6_syn_classify,
	.answer6 = trawl_tcp6_syn_answer,
};
