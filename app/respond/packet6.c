/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual internet's IPv6 answers, in place as packet.c's IPv4 ones:
 * the reply's IPv6 header goes where the probe's was (no extension headers:
 * a probe's are not echoed), its upper layer right after it.
 */
#include <string.h>

#include <rte_udp.h>

#include "app/core/icmp.h"
#include "app/core/ndp.h"
#include "app/core/packet.h"
#include "app/respond/packet.h"
#include "app/respond/service.h"

#define L4_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr))
/* The most of a probe an ICMPv6 error quotes: the error within the IPv6 minimum MTU (RFC 4443 2.4 (c)). */
#define QUOTE_MAX (1280 - sizeof(struct rte_ipv6_hdr) - 8)

/* Ethernet and IPv6 turned around for @p l4len bytes of @p proto at L4_OFF; the checksum field at @p ck is filled. */
static uint16_t
turn6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint8_t proto, uint16_t l4len, unsigned int ck_off)
{
	struct rte_ether_hdr *eth = (void *)frame;
	struct rte_ipv6_hdr *ip = (void *)(eth + 1);
	uint8_t s[16], *l4 = frame + L4_OFF;
	uint16_t ck;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = cfg->mac;
	memcpy(s, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, s, 16);
	ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip->payload_len = rte_cpu_to_be_16(l4len);
	ip->proto = proto;
	ip->hop_limits = TRAWL_RESPOND_TTL;
	memset(l4 + ck_off, 0, 2);
	ck = rte_ipv6_udptcp_cksum(ip, l4);
	memcpy(l4 + ck_off, &ck, 2);
	return (uint16_t)(L4_OFF + l4len);
}

/* Who sent the probe, folded to 32 bits: fingerprinting's per-source key (core/fingerprint.h). */
static uint32_t
fold(struct trawl_ip6 a)
{
	uint64_t x = a.hi ^ a.lo;

	return (uint32_t)(x ^ x >> 32);
}

static uint32_t
isn6(const struct trawl_respond_cfg *cfg, const struct trawl_ipv6_view *v, uint16_t sport, uint16_t dport)
{
	return (uint32_t)trawl_siphash24_2w(&cfg->isn_key, v->saddr.hi ^ v->daddr.lo,
			(v->saddr.lo ^ v->daddr.hi) + ((uint64_t)sport << 16 | dport));
}

/* What fingerprinting reads of a probe: the flow label stands in for IPv4's IP ID (trawl marks both). */
static struct trawl_fp_probe
fp_of(const struct trawl_ipv6_view *v, uint8_t kind)
{
	return (struct trawl_fp_probe){
		.kind = kind, .v6 = 1, .saddr = fold(v->saddr), .daddr = fold(v->daddr),
		.ipid = (uint16_t)rte_be_to_cpu_32(v->ip->vtc_flow), .ttl = v->hlim,
	};
}

/* A reply segment's TCP header (its payload of @p plen bytes is in place after it) and the frame finished. */
static void
tcp_out6(const struct trawl_respond_cfg *cfg, uint8_t *frame, struct trawl_respond_result *res,
		const struct rte_tcp_hdr *in, const struct trawl_seg_out *o)
{
	struct rte_tcp_hdr out;

	memset(&out, 0, sizeof(out));
	out.src_port = in->dst_port;
	out.dst_port = in->src_port;
	out.sent_seq = rte_cpu_to_be_32(o->seq);
	out.recv_ack = rte_cpu_to_be_32(o->ack);
	out.data_off = (sizeof(out) / 4) << 4;
	out.tcp_flags = o->flags;
	out.rx_win = rte_cpu_to_be_16(TRAWL_RESPOND_WINDOW);
	memcpy(frame + L4_OFF, &out, sizeof(out));
	res->len = turn6(cfg, frame, IPPROTO_TCP, (uint16_t)(sizeof(out) + o->plen), offsetof(struct rte_tcp_hdr, cksum));
}

/* A segment of an established connection to a service port (packet.c's trawl_respond_service_segment). */
static void
segment6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv6_view *v,
		struct trawl_respond_result *res)
{
	const struct rte_tcp_hdr *in = (const void *)v->l4;
	uint16_t sport = rte_be_to_cpu_16(in->src_port), dport = rte_be_to_cpu_16(in->dst_port);
	uint32_t hlen = (uint32_t)(in->data_off >> 4) * 4, off = L4_OFF + sizeof(struct rte_tcp_hdr);
	const struct trawl_dataset6 *d = &cfg->ds->six;
	const struct trawl_svc6 *s6;
	struct trawl_service sv;
	struct rte_tcp_hdr hdr = *in;
	struct trawl_seg_out o;
	enum trawl_reply reply;

	if (!(in->tcp_flags & RTE_TCP_ACK_FLAG) || hlen < sizeof(*in) || hlen > v->l4_len || d->nsvc == 0 || cap < off)
		return;
	s6 = trawl_dataset6_service(d, v->daddr, dport);
	if (s6 == NULL || !trawl_dataset6_open(d, v->daddr, dport, cfg->wild_ports))
		return;
	sv = (struct trawl_service){ .port = s6->port, .kind = s6->kind, .off = s6->off, .len = s6->len };
	/* The segment may sit past extension headers, where the reply goes: the helper reads it all before it writes. */
	reply = trawl_respond_service_segment(cfg, &sv, in, hlen, v->l4_len - hlen, isn6(cfg, v, sport, dport) + 1,
			v->saddr.hi ^ v->daddr.lo, (v->saddr.lo ^ v->daddr.hi) + ((uint64_t)sport << 16 | dport),
			frame + off, cap - off, &o);
	if (o.acked)
		res->service = s6->kind;
	if (reply == TRAWL_REPLY_NONE)
		return;
	tcp_out6(cfg, frame, res, &hdr, &o);
	res->reply = reply;
}

static void
tcp6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv6_view *v,
		struct trawl_respond_result *res)
{
	const struct rte_tcp_hdr *in = (const void *)v->l4;
	struct rte_tcp_hdr out;
	uint32_t seq = rte_be_to_cpu_32(in->sent_seq), hlen = (uint32_t)(in->data_off >> 4) * 4;
	uint16_t sport = rte_be_to_cpu_16(in->src_port), dport = rte_be_to_cpu_16(in->dst_port), l4len = sizeof(out);
	uint8_t *l4 = frame + L4_OFF;
	int mbox = -1;

	if ((in->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) != RTE_TCP_SYN_FLAG) {
		/* Not a probe: the scanner's RSTs end here; an ACK may complete a handshake with a service. */
		if (!(in->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) && cfg->ds->six.nsvc != 0)
			segment6(cfg, frame, cap, v, res);
		return;
	}
	res->probe = TRAWL_PROBE_TCP_SYN;
	res->fp = fp_of(v, TRAWL_FP_TCP_SYN);
	res->fp.seq = seq;
	res->fp.sport = sport;
	res->fp.dport = dport;
	res->fp.window = rte_be_to_cpu_16(in->rx_win);
	if (hlen >= sizeof(*in) && hlen <= v->l4_len) {
		const uint8_t *o = v->l4 + sizeof(*in);

		res->fp.opt_len = (uint8_t)(hlen - sizeof(*in));
		res->fp.opt_mss_only = res->fp.opt_len == 4 && o[0] == 2 && o[1] == 4;
	}
	if (!trawl_dataset6_live(&cfg->ds->six, v->daddr))
		return;
	memset(&out, 0, sizeof(out));
	out.src_port = in->dst_port;
	out.dst_port = in->src_port;
	out.recv_ack = rte_cpu_to_be_32(seq + 1);
	out.data_off = (sizeof(out) / 4) << 4;
	if (cfg->ds->six.nmbox != 0)
		mbox = trawl_dataset6_middlebox(&cfg->ds->six, v->daddr);
	if (mbox == 1) {
		/* A tarpit's signature: window 0, no options. */
		out.sent_seq = rte_cpu_to_be_32(isn6(cfg, v, sport, dport));
		out.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		res->reply = TRAWL_REPLY_SYNACK;
	} else if (mbox == 0 || trawl_dataset6_open(&cfg->ds->six, v->daddr, dport, cfg->wild_ports)) {
		out.sent_seq = rte_cpu_to_be_32(isn6(cfg, v, sport, dport));
		out.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		out.rx_win = rte_cpu_to_be_16(TRAWL_RESPOND_WINDOW);
		out.data_off = ((sizeof(out) + 4) / 4) << 4;
		res->reply = TRAWL_REPLY_SYNACK;
		l4len += 4;
	} else {
		out.tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
		res->reply = TRAWL_REPLY_RST;
	}
	/* Everything of the probe is read: the reply goes over it. */
	memcpy(l4, &out, sizeof(out));
	if (l4len > sizeof(out)) {
		l4[20] = 2;
		l4[21] = 4;
		l4[22] = 1440 >> 8; /* 1500 - 40 - 20 */
		l4[23] = 1440 & 0xff;
	}
	res->len = turn6(cfg, frame, IPPROTO_TCP, l4len, offsetof(struct rte_tcp_hdr, cksum));
}

static void
echo6(const struct trawl_respond_cfg *cfg, uint8_t *frame, const struct trawl_ipv6_view *v,
		struct trawl_respond_result *res)
{
	uint16_t len = (uint16_t)v->l4_len;
	uint8_t *l4 = frame + L4_OFF;

	if (v->l4_len < 8 || v->l4[0] != TRAWL_ICMP6_ECHO || v->l4[1] != 0)
		return;
	res->probe = TRAWL_PROBE_ICMP_ECHO;
	res->fp = fp_of(v, TRAWL_FP_ICMP_ECHO);
	res->fp.seq = (uint32_t)v->l4[4] << 24 | (uint32_t)v->l4[5] << 16 | (uint32_t)v->l4[6] << 8 | v->l4[7];
	if (!trawl_dataset6_live(&cfg->ds->six, v->daddr))
		return;
	if (v->l4 != l4)
		memmove(l4, v->l4, len); /* past the probe's extension headers */
	l4[0] = TRAWL_ICMP6_ECHOREPLY;
	res->len = turn6(cfg, frame, IPPROTO_ICMPV6, len, 2);
	res->reply = TRAWL_REPLY_ECHO;
}

static void
udp6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv6_view *v,
		struct trawl_respond_result *res)
{
	const struct rte_udp_hdr *in = (const void *)v->l4;
	uint8_t *l4 = frame + L4_OFF;
	const struct trawl_udp_payload *pl;
	uint16_t dport;
	uint32_t qlen;

	if (v->l4_len < sizeof(*in))
		return;
	res->probe = TRAWL_PROBE_UDP;
	res->fp = fp_of(v, TRAWL_FP_UDP);
	res->fp.sport = rte_be_to_cpu_16(in->src_port);
	res->fp.dport = rte_be_to_cpu_16(in->dst_port);
	if (!trawl_dataset6_live(&cfg->ds->six, v->daddr))
		return;
	dport = rte_be_to_cpu_16(in->dst_port);
	pl = cfg->udp ? &cfg->udp[dport] : NULL;
	if (pl != NULL && pl->len != 0 && L4_OFF + sizeof(struct rte_udp_hdr) + pl->len <= cap) {
		struct rte_udp_hdr out = {
			.src_port = in->dst_port,
			.dst_port = in->src_port,
			.dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(out) + pl->len)),
		};

		memcpy(l4, &out, sizeof(out));
		memcpy(l4 + sizeof(out), pl->data, pl->len);
		res->len = turn6(cfg, frame, IPPROTO_UDP, (uint16_t)(sizeof(out) + pl->len),
				offsetof(struct rte_udp_hdr, dgram_cksum));
		res->reply = TRAWL_REPLY_UDP;
		return;
	}
	/* Port unreachable quoting as much of the probe as fits (the error within 1280 bytes). */
	qlen = (uint32_t)(v->l4 + v->l4_len - (const uint8_t *)v->ip);
	qlen = RTE_MIN(qlen, (uint32_t)QUOTE_MAX);
	if (L4_OFF + 8 + qlen > cap)
		qlen = cap - (uint32_t)L4_OFF - 8;
	memmove(l4 + 8, v->ip, qlen);
	memset(l4, 0, 8);
	l4[0] = TRAWL_ICMP6_UNREACH;
	l4[1] = TRAWL_ICMP6_UNREACH_PORT;
	res->len = turn6(cfg, frame, IPPROTO_ICMPV6, (uint16_t)(8 + qlen), 2);
	res->reply = TRAWL_REPLY_UNREACH;
}

/* A neighbour solicitation for a gateway address (any, if none is set): our advertisement. */
static void
ndp6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t cap,
		struct trawl_respond_result *res)
{
	struct trawl_ndp_view ns;
	int ours = cfg->ngw6 == 0;

	if (trawl_ndp_parse(frame, len, &ns) != 0 || ns.type != TRAWL_ICMP6_NS)
		return;
	res->probe = TRAWL_PROBE_ARP;
	for (unsigned int i = 0; i < cfg->ngw6 && !ours; i++)
		ours = trawl_ip6_eq(cfg->gw6[i], ns.target);
	if (!ours || cap < TRAWL_NDP_FRAME_LEN)
		return;
	res->len = trawl_ndp_build_na(frame, &cfg->mac, ns.target, &ns);
	res->reply = TRAWL_REPLY_ARP;
}

void
trawl_respond_frame6(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t cap,
		uint32_t l3off, struct trawl_respond_result *res)
{
	struct trawl_ipv6_view v;

	/* A packet cut short is dropped by a Linux host's IP layer before any transport sees it. */
	if (l3off != RTE_ETHER_HDR_LEN || trawl_ipv6_parse(frame + l3off, len - l3off, &v) != 0 || v.cut)
		return;
	if (trawl_ndp_is(&v)) {
		ndp6(cfg, frame, len, cap, res);
		return;
	}
	switch (v.proto) {
	case IPPROTO_TCP:
		if (v.l4_len >= sizeof(struct rte_tcp_hdr))
			tcp6(cfg, frame, cap, &v, res);
		break;
	case IPPROTO_ICMPV6:
		echo6(cfg, frame, &v, res);
		break;
	case IPPROTO_UDP:
		udp6(cfg, frame, cap, &v, res);
		break;
	default:
		break;
	}
}
