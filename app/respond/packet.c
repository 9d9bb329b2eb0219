/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <netinet/ip_icmp.h>

#include <rte_icmp.h>
#include <rte_udp.h>

#include "app/core/packet.h"
#include "app/respond/packet.h"
#include "app/respond/service.h"

const char *const trawl_reply_names[TRAWL_REPLY_MAX] = {
	[TRAWL_REPLY_NONE] = "none",
	[TRAWL_REPLY_SYNACK] = "synack",
	[TRAWL_REPLY_RST] = "rst",
	[TRAWL_REPLY_ECHO] = "echo_reply",
	[TRAWL_REPLY_UDP] = "udp",
	[TRAWL_REPLY_UNREACH] = "port_unreachable",
	[TRAWL_REPLY_ARP] = "arp",
	[TRAWL_REPLY_DATA] = "service_data",
	[TRAWL_REPLY_FIN] = "fin_ack",
};

/* Turn the Ethernet and IPv4 headers around for a reply of `l4len` bytes of protocol `proto`. */
static uint16_t
turn_around(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint8_t proto, uint16_t l4len)
{
	struct rte_ether_hdr *eth = (void *)frame;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	uint32_t s = ip->src_addr;
	uint16_t len = (uint16_t)(sizeof(*eth) + sizeof(*ip) + l4len);

	eth->dst_addr = eth->src_addr;
	eth->src_addr = cfg->mac;
	ip->version_ihl = RTE_IPV4_VHL_DEF; /* options of the probe are not echoed */
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = TRAWL_RESPOND_TTL;
	ip->next_proto_id = proto;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = s;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (len < TRAWL_ETH_MIN_LEN) {
		memset(frame + len, 0, TRAWL_ETH_MIN_LEN - len);
		len = TRAWL_ETH_MIN_LEN;
	}
	return len;
}

/* Our ISN for a connection: a MAC of it, so a duplicated SYN-ACK is a true retransmission and later segments check out. */
static uint32_t
isn_of(const struct trawl_respond_cfg *cfg, const struct trawl_ipv4_view *v, uint16_t sport, uint16_t dport)
{
	return (uint32_t)trawl_siphash24_2w(&cfg->isn_key, (uint64_t)v->saddr << 32 | v->daddr,
			(uint64_t)sport << 16 | dport);
}

/* Write the TCP header and payload of a reply segment (the payload is at tcp + 20 already) and finish the frame. */
static void
tcp_out(const struct trawl_respond_cfg *cfg, uint8_t *frame, struct trawl_respond_result *res, const struct rte_tcp_hdr *in,
		uint32_t seq, uint32_t ack, uint8_t flags, uint16_t plen)
{
	struct rte_tcp_hdr *tcp = (void *)(frame + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	struct rte_tcp_hdr out;

	memset(&out, 0, sizeof(out));
	out.src_port = in->dst_port;
	out.dst_port = in->src_port;
	out.sent_seq = rte_cpu_to_be_32(seq);
	out.recv_ack = rte_cpu_to_be_32(ack);
	out.data_off = (sizeof(out) / 4) << 4;
	out.tcp_flags = flags;
	out.rx_win = rte_cpu_to_be_16(TRAWL_RESPOND_WINDOW);
	memcpy(tcp, &out, sizeof(out));
	res->len = turn_around(cfg, frame, IPPROTO_TCP, (uint16_t)(sizeof(out) + plen));
	tcp->cksum = rte_ipv4_udptcp_cksum((void *)(frame + RTE_ETHER_HDR_LEN), tcp);
}

/*
 * What a service port answers to a segment of an established connection
 * (not a SYN, not a RST; header of @p hlen and @p plen bytes of payload):
 * the first flight if it acknowledges exactly our SYN-ACK (isn + 1 =
 * @p isn1), the close if it is a FIN after that; nothing else (a
 * stateless server answers once). The flight goes to @p payload (room for
 * @p room bytes); @p w0, @p w1 are the connection's words for the TLS
 * random. Both families' packet code calls it; @p in is read whole before
 * @p payload is written (the two may overlap). @return the reply (NONE:
 * nothing), with the segment's sequence, acknowledgement, flags and
 * payload length.
 */
enum trawl_reply
trawl_respond_service_segment(const struct trawl_respond_cfg *cfg, const struct trawl_service *sv,
		const struct rte_tcp_hdr *in, uint32_t hlen, uint32_t plen, uint32_t isn1, uint64_t w0, uint64_t w1,
		uint8_t *payload, uint32_t room, struct trawl_seg_out *o)
{
	uint32_t ack = rte_be_to_cpu_32(in->recv_ack), seq = rte_be_to_cpu_32(in->sent_seq);
	uint8_t req[TRAWL_SVC_REQ_MAX], rnd[32];
	size_t n;
	int fin;

	o->acked = 0;
	if (in->tcp_flags & RTE_TCP_FIN_FLAG) {
		/* The client closes after our flight (ack past isn + 1, within the largest flight and our FIN). */
		if (ack - isn1 > 1 + TRAWL_SVC_SEGMENT_MAX)
			return TRAWL_REPLY_NONE;
		/* An HTTP flight ended with our FIN: what the client acknowledges is past it. */
		*o = (struct trawl_seg_out){ ack, seq + plen + 1,
			(uint8_t)(RTE_TCP_ACK_FLAG | (sv->kind == TRAWL_SVC_HTTP ? 0 : RTE_TCP_FIN_FLAG)), 0, 1 };
		return TRAWL_REPLY_FIN;
	}
	if (ack != isn1)
		return TRAWL_REPLY_NONE;
	o->acked = 1;
	n = RTE_MIN(plen, (uint32_t)sizeof(req));
	memcpy(req, (const uint8_t *)in + hlen, n); /* the reply is written over the request */
	for (int i = 0; i < 4; i++) {
		uint64_t h = trawl_siphash24_2w(&cfg->isn_key, w0, w1 ^ (uint64_t)i << 32);

		memcpy(rnd + 8 * i, &h, 8);
	}
	n = trawl_service_flight(cfg->ds, sv, req, n, rnd, payload, RTE_MIN(room, (uint32_t)TRAWL_SVC_SEGMENT_MAX), &fin);
	if (n == 0)
		return TRAWL_REPLY_NONE;
	*o = (struct trawl_seg_out){ isn1, seq + plen,
		(uint8_t)(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | (fin ? RTE_TCP_FIN_FLAG : 0)), (uint16_t)n, 1 };
	return TRAWL_REPLY_DATA;
}

/* A segment of an established connection to a service port: trawl_respond_service_segment's answer, sent. */
static void
tcp_segment(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv4_view *v,
		struct trawl_respond_result *res)
{
	const struct rte_tcp_hdr *in = (const void *)v->l4;
	uint16_t sport = rte_be_to_cpu_16(in->src_port), dport = rte_be_to_cpu_16(in->dst_port);
	uint32_t hlen = (uint32_t)(in->data_off >> 4) * 4, off = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
		sizeof(struct rte_tcp_hdr);
	const struct trawl_service *sv;
	struct rte_tcp_hdr hdr = *in;
	struct trawl_seg_out o;
	enum trawl_reply reply;

	if (!(in->tcp_flags & RTE_TCP_ACK_FLAG) || hlen < sizeof(*in) || hlen > v->l4_len || cfg->ds->nsvc == 0 ||
	    cap < off)
		return;
	sv = trawl_dataset_service(cfg->ds, v->daddr, dport);
	if (sv == NULL || !trawl_dataset_open(cfg->ds, v->daddr, dport, cfg->wild_ports))
		return;
	reply = trawl_respond_service_segment(cfg, sv, in, hlen, v->l4_len - hlen, isn_of(cfg, v, sport, dport) + 1,
			(uint64_t)v->saddr << 32 | v->daddr, (uint64_t)sport << 16 | dport, frame + off, cap - off, &o);
	if (o.acked)
		res->service = sv->kind;
	if (reply == TRAWL_REPLY_NONE)
		return;
	tcp_out(cfg, frame, res, &hdr, o.seq, o.ack, o.flags, o.plen);
	res->reply = reply;
}

static void
tcp_reply(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv4_view *v,
		struct trawl_respond_result *res)
{
	struct rte_tcp_hdr *tcp = (void *)(frame + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	const struct rte_tcp_hdr *in = (const void *)v->l4;
	uint32_t seq = rte_be_to_cpu_32(in->sent_seq);
	uint16_t sport = rte_be_to_cpu_16(in->src_port), dport = rte_be_to_cpu_16(in->dst_port);
	uint32_t hlen = (uint32_t)(in->data_off >> 4) * 4;
	struct rte_tcp_hdr out;
	uint16_t l4len = sizeof(out);
	int mbox = -1;

	if ((in->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) != RTE_TCP_SYN_FLAG) {
		/* Not a probe: the scanner's RSTs end here; an ACK may complete a handshake with a service. */
		if (!(in->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) && trawl_dataset_live(cfg->ds, v->daddr))
			tcp_segment(cfg, frame, cap, v, res);
		return;
	}
	res->probe = TRAWL_PROBE_TCP_SYN;
	res->fp = (struct trawl_fp_probe){
		.saddr = v->saddr, .daddr = v->daddr, .seq = seq, .sport = sport, .dport = dport,
		.ipid = rte_be_to_cpu_16(v->ip->packet_id), .window = rte_be_to_cpu_16(in->rx_win), .ttl = v->ttl,
	};
	if (hlen >= sizeof(*in) && hlen <= v->l4_len) {
		const uint8_t *o = v->l4 + sizeof(*in);

		res->fp.opt_len = (uint8_t)(hlen - sizeof(*in));
		res->fp.opt_mss_only = res->fp.opt_len == 4 && o[0] == 2 && o[1] == 4;
	}
	if (!trawl_dataset_live(cfg->ds, v->daddr))
		return;
	memset(&out, 0, sizeof(out));
	out.src_port = in->dst_port;
	out.dst_port = in->src_port;
	out.recv_ack = rte_cpu_to_be_32(seq + 1);
	out.data_off = (sizeof(out) / 4) << 4;
	if (cfg->ds->nmbox != 0)
		mbox = trawl_dataset_middlebox(cfg->ds, v->daddr);
	if (mbox == 1) {
		/* A tarpit's signature: window 0, no options. */
		out.sent_seq = rte_cpu_to_be_32(isn_of(cfg, v, sport, dport));
		out.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		res->reply = TRAWL_REPLY_SYNACK;
	} else if (mbox == 0 || trawl_dataset_open(cfg->ds, v->daddr, dport, cfg->wild_ports)) {
		out.sent_seq = rte_cpu_to_be_32(isn_of(cfg, v, sport, dport));
		out.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		out.rx_win = rte_cpu_to_be_16(TRAWL_RESPOND_WINDOW);
		out.data_off = ((sizeof(out) + 4) / 4) << 4;
		res->reply = TRAWL_REPLY_SYNACK;
		l4len += 4;
	} else {
		out.tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
		res->reply = TRAWL_REPLY_RST;
	}
	memcpy(tcp, &out, sizeof(out));
	if (l4len > sizeof(out)) {
		uint8_t *mss = (uint8_t *)(tcp + 1);

		mss[0] = 2;
		mss[1] = 4;
		mss[2] = 1460 >> 8;
		mss[3] = 1460 & 0xff;
	}
	res->len = turn_around(cfg, frame, IPPROTO_TCP, l4len);
	tcp->cksum = rte_ipv4_udptcp_cksum((void *)(frame + RTE_ETHER_HDR_LEN), tcp);
}

static void
icmp_reply(const struct trawl_respond_cfg *cfg, uint8_t *frame, const struct trawl_ipv4_view *v,
		struct trawl_respond_result *res)
{
	uint8_t *icmp = frame + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	uint32_t ihl = (uint32_t)(v->ip->version_ihl & 0xf) * 4;
	uint16_t len = (uint16_t)v->l4_len;

	if (v->l4_len < 8 || v->l4[0] != RTE_IP_ICMP_ECHO_REQUEST || v->l4[1] != 0)
		return;
	res->probe = TRAWL_PROBE_ICMP_ECHO;
	res->fp = (struct trawl_fp_probe){
		.kind = TRAWL_FP_ICMP_ECHO, .saddr = v->saddr, .daddr = v->daddr,
		.seq = (uint32_t)v->l4[4] << 24 | (uint32_t)v->l4[5] << 16 | (uint32_t)v->l4[6] << 8 | v->l4[7],
		.ipid = rte_be_to_cpu_16(v->ip->packet_id), .ttl = v->ttl,
	};
	if (!trawl_dataset_live(cfg->ds, v->daddr))
		return;
	if (ihl != sizeof(struct rte_ipv4_hdr))
		memmove(icmp, v->l4, len); /* drop IP options: the reply header has none */
	icmp[0] = RTE_IP_ICMP_ECHO_REPLY;
	icmp[2] = icmp[3] = 0;
	res->len = turn_around(cfg, frame, IPPROTO_ICMP, len);
	{
		uint16_t ck = (uint16_t)~rte_raw_cksum(icmp, len);

		memcpy(icmp + 2, &ck, 2);
	}
	res->reply = TRAWL_REPLY_ECHO;
}

static void
udp_reply(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t cap, const struct trawl_ipv4_view *v,
		struct trawl_respond_result *res)
{
	uint8_t *l4 = frame + RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	const struct rte_udp_hdr *in = (const void *)v->l4;
	uint16_t dport;
	const struct trawl_udp_payload *pl;

	if (v->l4_len < sizeof(*in))
		return;
	res->probe = TRAWL_PROBE_UDP;
	res->fp = (struct trawl_fp_probe){
		.kind = TRAWL_FP_UDP, .saddr = v->saddr, .daddr = v->daddr,
		.sport = rte_be_to_cpu_16(in->src_port), .dport = rte_be_to_cpu_16(in->dst_port),
		.ipid = rte_be_to_cpu_16(v->ip->packet_id), .ttl = v->ttl,
	};
	if (!trawl_dataset_live(cfg->ds, v->daddr))
		return;
	dport = rte_be_to_cpu_16(in->dst_port);
	pl = cfg->udp ? &cfg->udp[dport] : NULL;
	if (pl != NULL && pl->len != 0 &&
	    (uint32_t)RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + pl->len <= cap) {
		struct rte_udp_hdr out = {
			.src_port = in->dst_port,
			.dst_port = in->src_port,
			.dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(out) + pl->len)),
		};

		memcpy(l4, &out, sizeof(out));
		memcpy(l4 + sizeof(out), pl->data, pl->len);
		res->len = turn_around(cfg, frame, IPPROTO_UDP, (uint16_t)(sizeof(out) + pl->len));
		((struct rte_udp_hdr *)l4)->dgram_cksum =
			rte_ipv4_udptcp_cksum((void *)(frame + RTE_ETHER_HDR_LEN), l4);
		res->reply = TRAWL_REPLY_UDP;
		return;
	}
	/* Port unreachable quotes the probe's IP header and first 8 bytes of its payload. */
	{
		uint8_t quote[60 + 8];
		uint32_t ihl = (uint32_t)(v->ip->version_ihl & 0xf) * 4;
		uint32_t qlen = ihl + 8;

		memcpy(quote, v->ip, qlen);
		memset(l4, 0, 8);
		l4[0] = ICMP_DEST_UNREACH;
		l4[1] = ICMP_PORT_UNREACH;
		memcpy(l4 + 8, quote, qlen);
		res->len = turn_around(cfg, frame, IPPROTO_ICMP, (uint16_t)(8 + qlen));
		{
			uint16_t ck = (uint16_t)~rte_raw_cksum(l4, 8 + qlen);

			memcpy(l4 + 2, &ck, 2);
		}
		res->reply = TRAWL_REPLY_UNREACH;
	}
}

static void
arp_reply(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t l3off,
		struct trawl_respond_result *res)
{
	struct trawl_arp_view a;
	int ours = cfg->ngw == 0;

	if (trawl_arp_parse(frame + l3off, len - l3off, &a) != 0 || a.op != RTE_ARP_OP_REQUEST)
		return;
	res->probe = TRAWL_PROBE_ARP;
	for (unsigned int i = 0; i < cfg->ngw && !ours; i++)
		ours = cfg->gw[i] == a.tpa;
	if (!ours)
		return;
	res->len = trawl_arp_build(frame, RTE_ARP_OP_REPLY, &a.sha, &cfg->mac, a.tpa, &a.sha, a.spa);
	res->reply = TRAWL_REPLY_ARP;
}

void
trawl_respond_frame(const struct trawl_respond_cfg *cfg, uint8_t *frame, uint32_t len, uint32_t cap,
		struct trawl_respond_result *res)
{
	struct trawl_ipv4_view v;
	uint32_t l3off;

	memset(res, 0, sizeof(*res));
	switch (trawl_eth_parse(frame, len, &l3off)) {
	case TRAWL_L3_ARP:
		arp_reply(cfg, frame, len, l3off, res);
		return;
	case TRAWL_L3_IPV4:
		break;
	case TRAWL_L3_IPV6:
		trawl_respond_frame6(cfg, frame, len, cap, l3off, res);
		return;
	default:
		return;
	}
	/* A datagram cut short is dropped by a Linux host's IP layer before any transport sees it. */
	if (trawl_ipv4_parse(frame + l3off, len - l3off, &v) != 0 || v.cut)
		return;
	switch (v.proto) {
	case IPPROTO_TCP:
		if (v.l4_len >= sizeof(struct rte_tcp_hdr))
			tcp_reply(cfg, frame, cap, &v, res);
		break;
	case IPPROTO_ICMP:
		icmp_reply(cfg, frame, &v, res);
		break;
	case IPPROTO_UDP:
		udp_reply(cfg, frame, cap, &v, res);
		break;
	default:
		break;
	}
}
