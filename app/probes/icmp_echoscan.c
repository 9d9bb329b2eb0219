/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp_echoscan: one ICMP echo request per address; an echo reply means the
 * host is up. Identifier and sequence number are the low 32 bits of the
 * validation tag (AES-128 of our address, the target, port 0), so a reply
 * proves it answers our probe as a SYN-ACK's acknowledgement number does.
 * ICMP errors about a probe (unreachable, time exceeded, ...) are validated
 * from the echo request they quote and reported, classified, as no success.
 * Targets are addresses alone: the target space has the one port 0.
 */
#include <string.h>

#include "app/core/fingerprint.h"
#include "app/core/icmp.h"
#include "app/probes/frame.h"
#include "app/probes/probe.h"

#define ECHO_TTL 255  /* as the SYN: the most hops */

struct echo_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	uint8_t type, code;
	uint16_t cksum;
	uint16_t id, seq;  /* network order */
} __attribute__((packed, aligned(2)));

enum { IP_BASE, ICMP_BASE };

/* The identifier and sequence number of a probe with @p tag (its target's port taken as 0). */
static inline void
echo_fields(uint64_t tag64, uint16_t *id, uint16_t *seq)
{
	uint32_t tag = (uint32_t)tag64;

	*id = (uint16_t)(tag >> 16);
	*seq = (uint16_t)tag;
}

static int
echo_prepare(struct trawl_probe_ctx *ctx)
{
	struct echo_frame *f = (void *)ctx->tmpl;

	memset(ctx->tmpl, 0, sizeof(ctx->tmpl));
	trawl_frame_l2l3(&f->eth, &f->ip, ctx, IPPROTO_ICMP, TRAWL_ICMP_HDR_LEN, ECHO_TTL);
	f->type = TRAWL_ICMP_ECHO;
	/* 42 bytes of headers and no data (as ZMap); padded to 60 on the wire. */
	ctx->len = TRAWL_ETH_MIN_LEN;
	ctx->priv[IP_BASE] = trawl_frame_sum((const uint8_t *)&f->ip, sizeof(f->ip));
	ctx->priv[ICMP_BASE] = (uint32_t)TRAWL_ICMP_ECHO << 8;
	/* No NIC offloads ICMP checksums, and the IPv4 one by parts is 3 additions: all in software. */
	ctx->tx_ol_flags = 0;
	return 0;
}

static void
echo_make(uint8_t *const bufs[], const struct trawl_target tgt[], unsigned int n, const struct trawl_probe_ctx *ctx)
{
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target_tags(&ctx->val, ctx->saddr, tgt, n, 0, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct echo_frame *f = (void *)bufs[i];
		uint32_t daddr = tgt[i].addr;
		uint16_t id, seq, ipid;

		echo_fields(tags[i], &id, &seq);
		/* Good citizenship: an IP ID that tells trawl's probes apart without the key. */
		ipid = trawl_fp_trawl_echo_ipid((uint32_t)id << 16 | seq);
		memcpy(f, ctx->tmpl, TRAWL_ETH_MIN_LEN);
		f->ip.dst_addr = rte_cpu_to_be_32(daddr);
		f->ip.packet_id = rte_cpu_to_be_16(ipid);
		f->ip.hdr_checksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[IP_BASE] +
				trawl_frame_sum32(daddr) + ipid));
		f->id = rte_cpu_to_be_16(id);
		f->seq = rte_cpu_to_be_16(seq);
		f->cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[ICMP_BASE] + id + seq));
	}
}

/* The class of an ICMP error about a probe, as ZMap's icmp_echoscan names it. */
static uint8_t
error_class(uint8_t type)
{
	switch (type) {
	case TRAWL_ICMP_UNREACH: return TRAWL_CLASS_UNREACH;
	case TRAWL_ICMP_SOURCEQUENCH: return TRAWL_CLASS_SOURCEQUENCH;
	case TRAWL_ICMP_REDIRECT: return TRAWL_CLASS_REDIRECT;
	case TRAWL_ICMP_TIMXCEED: return TRAWL_CLASS_TIMXCEED;
	default: return TRAWL_CLASS_OTHER;
	}
}

static enum trawl_rx_verdict
echo_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v, struct trawl_result *r)
{
	const uint8_t *icmp = v->l4;
	uint32_t target_addr;
	uint16_t id, seq, want_id, want_seq;
	uint64_t target;

	if (v->proto != IPPROTO_ICMP || v->daddr != ctx->saddr)
		return TRAWL_RX_OTHER;
	if (v->cut || v->l4_len < TRAWL_ICMP_HDR_LEN)
		return TRAWL_RX_INVALID; /* cut short: malformed */
	if (icmp[0] == TRAWL_ICMP_ECHOREPLY) {
		target_addr = v->saddr;
		id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		r->cls = TRAWL_CLASS_ECHOREPLY;
		r->success = 1;
	} else if (trawl_icmp_is_error(icmp[0])) {
		struct trawl_icmp_quote q;

		/* It must quote an echo request from us: anything else is no error about our probe. */
		if (trawl_icmp_quote_parse(v, &q) != 0 || q.proto != IPPROTO_ICMP || q.saddr != ctx->saddr ||
		    q.l4[0] != TRAWL_ICMP_ECHO || q.l4[1] != 0)
			return TRAWL_RX_INVALID;
		target_addr = q.daddr;
		id = (uint16_t)(q.l4[4] << 8 | q.l4[5]);
		seq = (uint16_t)(q.l4[6] << 8 | q.l4[7]);
		r->cls = error_class(icmp[0]);
		r->success = 0;
	} else {
		return TRAWL_RX_OTHER; /* an echo request to us, a timestamp, ...: not about a probe */
	}
	echo_fields(trawl_validate_tag_hinted(&ctx->val, v->hint, ctx->saddr, target_addr, 0), &want_id, &want_seq);
	if (id != want_id || seq != want_seq)
		return TRAWL_RX_INVALID;
	target = trawl_target_index(ctx->space, target_addr, 0);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	r->target = target;
	r->saddr = target_addr;
	r->daddr = v->daddr;
	r->sport = 0;
	r->dport = 0;
	r->seq = seq;
	r->ipid = rte_be_to_cpu_16(v->ip->packet_id);
	r->window = 0;
	r->ttl = v->ttl;
	r->responder = v->saddr;
	r->icmp_id = id;
	r->udp_len = 0;
	r->data_len = 0;
	r->icmp_type = icmp[0];
	r->icmp_code = icmp[1];
	return TRAWL_RX_VALID;
}

/*
 * IPv6: an ICMPv6 echo request (RFC 4443), identifier and sequence number
 * from the tag as for IPv4, the flow label carrying the key-free mark the
 * IPv4 probe carries in its IP ID. 62 bytes: 14 + 40 + 8.
 */
struct echo6_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	uint8_t type, code;
	uint16_t cksum;
	uint16_t id, seq;
} __attribute__((packed, aligned(2)));

enum { ICMP6_BASE };

static int
echo6_prepare(struct trawl_probe_ctx *ctx)
{
	struct echo6_frame *f = (void *)ctx->tmpl6;

	memset(ctx->tmpl6, 0, sizeof(ctx->tmpl6));
	trawl_frame_l2l3_6(&f->eth, &f->ip, ctx, IPPROTO_ICMPV6, TRAWL_ICMP_HDR_LEN, ECHO_TTL);
	f->type = TRAWL_ICMP6_ECHO;
	ctx->len6 = sizeof(*f);
	/* The pseudo-header's source, length and next header, and the type. */
	ctx->priv6[ICMP6_BASE] = trawl_frame_sum_ip6(ctx->saddr6) + TRAWL_ICMP_HDR_LEN + IPPROTO_ICMPV6 +
		((uint32_t)TRAWL_ICMP6_ECHO << 8);
	return 0;
}

static void
echo6_make(uint8_t *const bufs[], const struct trawl_target6 tgt[], unsigned int n, const struct trawl_probe_ctx *ctx)
{
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target6_tags(&ctx->val, tgt, n, 0, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct echo6_frame *f = (void *)bufs[i];
		uint16_t id, seq;

		echo_fields(tags[i], &id, &seq);
		memcpy(f, ctx->tmpl6, sizeof(*f));
		f->ip.vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28 | trawl_fp_trawl_echo_ipid((uint32_t)id << 16 | seq));
		trawl_ip6_store(f->ip.dst_addr, tgt[i].addr);
		f->id = rte_cpu_to_be_16(id);
		f->seq = rte_cpu_to_be_16(seq);
		f->cksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv6[ICMP6_BASE] + trawl_frame_sum_ip6(tgt[i].addr) +
				id + seq));
	}
}

static uint8_t
error6_class(uint8_t type)
{
	switch (type) {
	case TRAWL_ICMP6_UNREACH: return TRAWL_CLASS_UNREACH;
	case TRAWL_ICMP6_TIMXCEED: return TRAWL_CLASS_TIMXCEED;
	default: return TRAWL_CLASS_OTHER;
	}
}

static enum trawl_rx_verdict
echo6_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v, struct trawl_result *r)
{
	const uint8_t *icmp = v->l4;
	struct trawl_ip6 target_addr;
	uint16_t id, seq, want_id, want_seq;
	uint64_t target;

	if (v->proto != IPPROTO_ICMPV6 || !trawl_ip6_eq(v->daddr, ctx->saddr6))
		return TRAWL_RX_OTHER;
	if (v->cut || v->l4_len < TRAWL_ICMP_HDR_LEN)
		return TRAWL_RX_INVALID;
	if (icmp[0] == TRAWL_ICMP6_ECHOREPLY) {
		target_addr = v->saddr;
		id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		r->cls = TRAWL_CLASS_ECHOREPLY;
		r->success = 1;
	} else if (trawl_icmp6_is_error(icmp[0])) {
		struct trawl_icmp6_quote q;

		if (trawl_icmp6_quote_parse(v, &q) != 0 || q.proto != IPPROTO_ICMPV6 ||
		    !trawl_ip6_eq(q.saddr, ctx->saddr6) || q.l4[0] != TRAWL_ICMP6_ECHO || q.l4[1] != 0)
			return TRAWL_RX_INVALID;
		target_addr = q.daddr;
		id = (uint16_t)(q.l4[4] << 8 | q.l4[5]);
		seq = (uint16_t)(q.l4[6] << 8 | q.l4[7]);
		r->cls = error6_class(icmp[0]);
		r->success = 0;
	} else {
		return TRAWL_RX_OTHER; /* neighbour discovery, an echo request to us, ...: not about a probe */
	}
	echo_fields(trawl_validate_tag6_hinted(&ctx->val, v->hint, target_addr, 0), &want_id, &want_seq);
	if (id != want_id || seq != want_seq)
		return TRAWL_RX_INVALID;
	target = trawl_target6_index(ctx->space, target_addr, 0);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	r->target = target;
	memcpy(r->responder6, v->ip->src_addr, 16);
	r->sport = 0;
	r->dport = 0;
	r->seq = seq;
	r->ipid = 0;
	r->window = 0;
	r->ttl = v->hlim;
	r->icmp_id = id;
	r->udp_len = 0;
	r->data_len = 0;
	r->icmp_type = icmp[0];
	r->icmp_code = icmp[1];
	return TRAWL_RX_VALID;
}

const struct trawl_probe_ops trawl_probe_icmp_echoscan = {
	.name = "icmp_echoscan",
	.help = "ICMP echo request to each address; echo reply = up (success); ICMP errors about a probe classified",
	.uses_ports = 0,
	.fields = TRAWL_FIELDS_ICMP,
	.prepare = echo_prepare,
	.make = echo_make,
	.classify = echo_classify,
	.answer = NULL,
	.prepare6 = echo6_prepare,
	.make6 = echo6_make,
	.classify6 = echo6_classify,
};
