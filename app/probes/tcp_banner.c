/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_banner: the server's first data, without per-connection state in the
 * probe path. The SYN is tcp_synscan's. A SYN-ACK that acknowledges
 * isn + 1 (isn: the low 32 bits of the MAC of source, target and port) is
 * answered with the ACK that completes the handshake, carrying the payload
 * --probe-args chose (nothing for "wait"). A data segment from the target
 * that acknowledges isn + 1 + len(payload), or isn + 1 (a server that
 * speaks first and had not read our payload yet), passes the same MAC: its
 * first segment, whole (our SYN's MSS bounds it to 1460 bytes), is the
 * result, and the connection is reset at once with the sequence number
 * the target acknowledged. Handshakes that bring no data are held by the
 * RX role (probe.h, handshake) and reset after the hold time.
 *
 * A segment is accepted if its acknowledgement is one of two values: a
 * forger's chance is 2^-31 per packet, against tcp_synscan's 2^-32.
 *
 * IPv6: the same over tcp6.c's SYN (MSS 1440), the HTTP request's Host an
 * IPv6 literal; the payload at most 1440 bytes (one segment of a
 * 1500-byte IPv6 packet).
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "app/core/l7.h"
#include "app/probes/frame.h"
#include "app/probes/tcp.h"

enum { MODE_WAIT = 0, MODE_HTTP, MODE_TLS, MODE_RAW };

/* The most payload the ACK carries: one 1500-byte IP packet. */
#define BANNER_PAYLOAD_MAX 1460
#define BANNER_WINDOW 65535

struct ack_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_tcp_hdr tcp;
} __attribute__((packed, aligned(2)));

struct ack6_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	struct rte_tcp_hdr tcp;
} __attribute__((packed, aligned(2)));

static int
banner_parse_args(const char *args, struct trawl_probe_args *a, struct trawl_err *err)
{
	int rc;

	if (args == NULL || strcmp(args, "wait") == 0) {
		a->mode = MODE_WAIT;
		return 0;
	}
	if (strcmp(args, "http") == 0) {
		a->mode = MODE_HTTP;
		return 0;
	}
	if (strcmp(args, "tls") == 0) {
		uint8_t zero[96] = { 0 };

		a->mode = MODE_TLS; /* the random parts are drawn per run, in prepare */
		a->payload_len = (uint16_t)trawl_l7_client_hello(a->payload, sizeof(a->payload), zero);
		return 0;
	}
	rc = trawl_probe_payload_args(args, a, err);
	if (rc == -ENOENT)
		return trawl_err_set(err, -EINVAL, "--probe-args '%s': expected http, tls, wait, text:STRING, "
				"hex:HEX or file:PATH", args);
	if (rc != 0)
		return rc;
	if (a->payload_len > BANNER_PAYLOAD_MAX)
		return trawl_err_set(err, -EINVAL, "--probe-args: %u bytes of payload, more than one TCP segment "
				"carries (%d)", a->payload_len, BANNER_PAYLOAD_MAX);
	a->mode = MODE_RAW;
	return 0;
}

/* The ClientHello's random, session id and key share: fresh for each run's key. */
static void
fresh_hello(struct trawl_probe_ctx *ctx)
{
	if (ctx->args.mode == MODE_TLS) {
		uint8_t rnd[96];

		for (unsigned int i = 0; i < sizeof(rnd) / 8; i++) {
			uint64_t h = trawl_siphash24_2w(&ctx->val.key, UINT64_C(0x746c73), i);

			memcpy(rnd + 8 * i, &h, 8);
		}
		ctx->args.payload_len = (uint16_t)trawl_l7_client_hello(ctx->args.payload, sizeof(ctx->args.payload), rnd);
	}
}

static int
banner_prepare(struct trawl_probe_ctx *ctx)
{
	fresh_hello(ctx);
	return trawl_tcp_syn_prepare(ctx);
}

static int
banner_prepare6(struct trawl_probe_ctx *ctx)
{
	fresh_hello(ctx);
	return trawl_tcp6_prepare(ctx);
}

/* The payload for target @p daddr into @p out (room for BANNER_PAYLOAD_MAX), or just its length when out is NULL. */
static uint16_t
payload(const struct trawl_probe_ctx *ctx, uint32_t daddr, uint8_t *out)
{
	if (ctx->args.mode == MODE_HTTP)
		return (uint16_t)(out != NULL ? trawl_l7_http_get((char *)out, TRAWL_L7_HTTP_GET_MAX, daddr) :
				trawl_l7_http_get_len(daddr));
	if (out != NULL)
		memcpy(out, ctx->args.payload, ctx->args.payload_len);
	return ctx->args.payload_len;
}

/* The same for an IPv6 target. */
static uint16_t
payload6(const struct trawl_probe_ctx *ctx, struct trawl_ip6 daddr, uint8_t *out)
{
	if (ctx->args.mode == MODE_HTTP)
		return (uint16_t)trawl_l7_http_get6((char *)out, TRAWL_L7_HTTP_GET_MAX, &daddr);
	if (out != NULL)
		memcpy(out, ctx->args.payload, ctx->args.payload_len);
	return ctx->args.payload_len;
}

/*
 * What a segment of one of our connections (its acknowledgement checked)
 * is: r->cls and r->success set, TRAWL_RX_VALID; TRAWL_RX_OTHER for one
 * with nothing to learn; TRAWL_RX_INVALID for a SYN-ACK past our payload.
 */
static enum trawl_rx_verdict
segment_class(const struct rte_tcp_hdr *tcp, int acked_payload, int canary, uint32_t seglen,
		struct trawl_result *r)
{
	uint8_t flags = tcp->tcp_flags;

	if (flags & RTE_TCP_SYN_FLAG) {
		if (acked_payload || (flags & RTE_TCP_RST_FLAG))
			return TRAWL_RX_INVALID;
		r->cls = canary ? TRAWL_CLASS_CANARY : trawl_tcp_zerowin(tcp) ? TRAWL_CLASS_ZEROWIN : TRAWL_CLASS_SYNACK;
		r->success = r->cls == TRAWL_CLASS_SYNACK;
	} else if (canary) {
		return TRAWL_RX_OTHER; /* a canary's RST, or its later segments: nothing to learn */
	} else if (flags & RTE_TCP_RST_FLAG) {
		/* Closed (the RST answers our SYN), or reset after the handshake (the RX role tells for "wait"). */
		r->cls = acked_payload ? TRAWL_CLASS_RESET : TRAWL_CLASS_RST;
		r->success = acked_payload;
	} else if (seglen != 0) {
		r->cls = TRAWL_CLASS_DATA;
		r->success = 1;
	} else {
		return TRAWL_RX_OTHER; /* a bare ACK or FIN: the data, if any, is still to come */
	}
	return TRAWL_RX_VALID;
}

/* A data segment's bytes into the result. */
static void
keep_data(const struct rte_tcp_hdr *tcp, uint32_t hlen, uint32_t seglen, struct trawl_result *r)
{
	if (r->cls == TRAWL_CLASS_DATA) {
		r->udp_len = (uint16_t)seglen; /* the segment's length (data_len: what is kept) */
		r->data_len = (uint16_t)RTE_MIN(seglen, (uint32_t)TRAWL_RESULT_DATA_MAX);
		memcpy(r->data, (const uint8_t *)tcp + hlen, r->data_len);
	}
}

static enum trawl_rx_verdict
banner_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v, struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;
	enum trawl_rx_verdict verdict = trawl_tcp_check(ctx, v);
	uint32_t ack, isn1, hlen, seglen;
	uint16_t sport, dport;
	uint64_t tag, target;
	int canary, acked_payload;

	if (verdict != TRAWL_RX_VALID)
		return verdict;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	ack = rte_be_to_cpu_32(tcp->recv_ack);
	tag = trawl_validate_tag_hinted(&ctx->val, v->hint, ctx->saddr, v->saddr, sport);
	isn1 = (uint32_t)tag + 1;
	if (!(tcp->tcp_flags & RTE_TCP_ACK_FLAG) || !trawl_validate_sport_ok(&ctx->val, tag, dport))
		return TRAWL_RX_INVALID;
	acked_payload = ack != isn1;
	if (acked_payload && ack != isn1 + payload(ctx, v->saddr, NULL))
		return TRAWL_RX_INVALID;
	target = trawl_tcp_target(ctx, v->saddr, sport, &canary);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	hlen = (uint32_t)(tcp->data_off >> 4) * 4;
	seglen = v->l4_len - hlen;
	verdict = segment_class(tcp, acked_payload, canary, seglen, r);
	if (verdict != TRAWL_RX_VALID)
		return verdict;
	trawl_tcp_fill(v, target, r);
	keep_data(tcp, hlen, seglen, r);
	return TRAWL_RX_VALID;
}

static enum trawl_rx_verdict
banner_classify6(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v, struct trawl_result *r)
{
	const struct rte_tcp_hdr *tcp = (const void *)v->l4;
	enum trawl_rx_verdict verdict = trawl_tcp6_check(ctx, v);
	uint32_t ack, isn1, hlen, seglen;
	uint16_t sport, dport;
	uint64_t tag, target;
	int canary, acked_payload;

	if (verdict != TRAWL_RX_VALID)
		return verdict;
	sport = rte_be_to_cpu_16(tcp->src_port);
	dport = rte_be_to_cpu_16(tcp->dst_port);
	ack = rte_be_to_cpu_32(tcp->recv_ack);
	tag = trawl_validate_tag6_hinted(&ctx->val, v->hint, v->saddr, sport);
	isn1 = (uint32_t)tag + 1;
	if (!(tcp->tcp_flags & RTE_TCP_ACK_FLAG) || !trawl_validate_sport_ok(&ctx->val, tag, dport))
		return TRAWL_RX_INVALID;
	acked_payload = ack != isn1;
	if (acked_payload && ack != isn1 + payload6(ctx, v->saddr, NULL))
		return TRAWL_RX_INVALID;
	target = trawl_tcp6_target(ctx, v->saddr, sport, &canary);
	if (target == TRAWL_TARGET_NONE)
		return TRAWL_RX_INVALID;
	hlen = (uint32_t)(tcp->data_off >> 4) * 4;
	seglen = v->l4_len - hlen;
	verdict = segment_class(tcp, acked_payload, canary, seglen, r);
	if (verdict != TRAWL_RX_VALID)
		return verdict;
	trawl_tcp6_fill(v, target, r);
	keep_data(tcp, hlen, seglen, r);
	return TRAWL_RX_VALID;
}

/* The ACK that completes the handshake, with the payload; in software (one per open port, not per probe). */
static uint16_t
ack_payload(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq)
{
	struct ack_frame *f = (void *)buf;
	uint16_t plen, len;

	memcpy(buf, ctx->tmpl_answer, sizeof(*f));
	plen = payload(ctx, r->saddr, buf + sizeof(*f));
	f->ip.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(f->ip) + sizeof(f->tcp) + plen));
	f->ip.dst_addr = rte_cpu_to_be_32(r->saddr);
	f->ip.hdr_checksum = 0;
	f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
	f->tcp.src_port = rte_cpu_to_be_16(r->dport);
	f->tcp.dst_port = rte_cpu_to_be_16(r->sport);
	f->tcp.sent_seq = rte_cpu_to_be_32(seq);
	f->tcp.recv_ack = rte_cpu_to_be_32(r->seq + 1);
	f->tcp.tcp_flags = RTE_TCP_ACK_FLAG | (plen != 0 ? RTE_TCP_PSH_FLAG : 0);
	f->tcp.rx_win = rte_cpu_to_be_16(BANNER_WINDOW);
	f->tcp.cksum = 0;
	f->tcp.cksum = rte_ipv4_udptcp_cksum(&f->ip, &f->tcp);
	len = (uint16_t)(sizeof(*f) + plen);
	if (len < TRAWL_ETH_MIN_LEN) {
		memset(buf + len, 0, TRAWL_ETH_MIN_LEN - len);
		len = TRAWL_ETH_MIN_LEN;
	}
	return len;
}

static uint16_t
banner_answer(uint8_t *buf, const struct trawl_ipv4_view *v, const struct trawl_probe_ctx *ctx,
		const struct trawl_result *r)
{
	/* Read before buf (the reply's own frame) is written: what the target acknowledged. */
	uint32_t ack = rte_be_to_cpu_32(((const struct rte_tcp_hdr *)v->l4)->recv_ack);

	switch (r->cls) {
	case TRAWL_CLASS_SYNACK:
		return ack_payload(buf, ctx, r, ack);
	case TRAWL_CLASS_ZEROWIN:
	case TRAWL_CLASS_CANARY:
	case TRAWL_CLASS_DATA:
		/* Exactly the target's next expected sequence number: a RST merely in the window draws a challenge ACK (RFC 5961). */
		return trawl_tcp_rst(buf, ctx, r, ack);
	default:
		return 0; /* the target reset it: nothing left to close */
	}
}

static uint16_t
banner_reset(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r)
{
	uint64_t tag = trawl_validate_tag(&ctx->val, ctx->saddr, r->saddr, r->sport);

	return trawl_tcp_rst(buf, ctx, r, (uint32_t)tag + 1 + payload(ctx, r->saddr, NULL));
}

/* The IPv6 ACK that completes the handshake, with the payload. */
static uint16_t
ack_payload6(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq)
{
	struct ack6_frame *f = (void *)buf;
	struct trawl_ip6 to = trawl_ip6_load(r->responder6);
	uint16_t plen;

	/* tcp6.c's RST template: our addresses, hop limit and flow label, 20 bytes of TCP header. */
	memcpy(buf, ctx->tmpl6_answer, sizeof(*f));
	plen = payload6(ctx, to, buf + sizeof(*f));
	f->ip.payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(f->tcp) + plen));
	memcpy(f->ip.dst_addr, r->responder6, 16);
	f->tcp.src_port = rte_cpu_to_be_16(r->dport);
	f->tcp.dst_port = rte_cpu_to_be_16(r->sport);
	f->tcp.sent_seq = rte_cpu_to_be_32(seq);
	f->tcp.recv_ack = rte_cpu_to_be_32(r->seq + 1);
	f->tcp.data_off = (sizeof(f->tcp) / 4) << 4;
	f->tcp.tcp_flags = RTE_TCP_ACK_FLAG | (plen != 0 ? RTE_TCP_PSH_FLAG : 0);
	f->tcp.rx_win = rte_cpu_to_be_16(BANNER_WINDOW);
	f->tcp.cksum = 0;
	f->tcp.cksum = rte_ipv6_udptcp_cksum(&f->ip, &f->tcp);
	return (uint16_t)(sizeof(*f) + plen);
}

static uint16_t
banner_answer6(uint8_t *buf, const struct trawl_ipv6_view *v, const struct trawl_probe_ctx *ctx,
		const struct trawl_result *r)
{
	/* Read before buf (the reply's own frame) is written. */
	uint32_t ack = rte_be_to_cpu_32(((const struct rte_tcp_hdr *)v->l4)->recv_ack);

	switch (r->cls) {
	case TRAWL_CLASS_SYNACK:
		return ack_payload6(buf, ctx, r, ack);
	case TRAWL_CLASS_ZEROWIN:
	case TRAWL_CLASS_CANARY:
	case TRAWL_CLASS_DATA:
		return trawl_tcp6_rst(buf, ctx, r, ack);
	default:
		return 0;
	}
}

static uint16_t
banner_reset6(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r)
{
	struct trawl_ip6 to = trawl_ip6_load(r->responder6);
	uint64_t tag = trawl_validate_tag6(&ctx->val, to, r->sport);

	return trawl_tcp6_rst(buf, ctx, r, (uint32_t)tag + 1 + payload6(ctx, to, NULL));
}

const struct trawl_probe_ops trawl_probe_tcp_banner = {
	.name = "tcp_banner",
	.help = "TCP handshake without state, then the server's first data (--probe-args http, tls, wait, "
		"text:, hex:, file:; default wait); data = a service",
	.uses_ports = 1,
	.fields = TRAWL_FIELDS_TCP | TRAWL_FIELDS_BANNER,
	.data_max = TRAWL_RESULT_DATA_MAX,
	.answer_max = sizeof(struct ack_frame) + BANNER_PAYLOAD_MAX,
	.handshake = 1,
	.tcp = 1,
	.parse_args = banner_parse_args,
	.prepare = banner_prepare,
	.make = trawl_tcp_syn_make,
	.classify = banner_classify,
	.answer = banner_answer,
	.reset = banner_reset,
	.prepare6 = banner_prepare6,
	.make6 = trawl_tcp6_make,
	.classify6 = banner_classify6,
	.answer6 = banner_answer6,
	.reset6 = banner_reset6,
};
