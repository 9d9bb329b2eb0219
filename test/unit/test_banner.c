/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_banner (issue 21) and the canaries of both TCP modules: the SYN is
 * tcp_synscan's; a SYN-ACK acknowledging isn + 1 is answered with the ACK
 * that completes the handshake and carries the payload (checksums against
 * the tests' own RFC 1071 sum); the server's data acknowledging
 * isn + 1 + len(payload), or isn + 1, is a result with the whole segment,
 * answered by a RST at exactly the sequence number it acknowledged; every
 * other acknowledgement is refused; RSTs tell closed from reset; the
 * zero-window mark and canary ports; reset() of a held handshake.
 */
#include <string.h>

#include "app/core/l7.h"
#include "app/probes/probe.h"
#include "app/probes/tcp.h"
#include "test/unit/check.h"
#include "test/unit/refcsum.h"

#define US 0xc6130002u      /* 198.19.0.2 */
#define T1 0xc6120005u      /* 198.18.0.5 */

static struct trawl_constraint allowed;
static struct trawl_ports ports;
static struct trawl_target_space space;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)(v >> 16)); wr16(p + 2, (uint16_t)v); }

static const struct trawl_probe_ops *
setup(struct trawl_probe_ctx *ctx, const char *module, const char *args, unsigned int canaries)
{
	static const struct rte_ether_addr src = { { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0, 0x02 } };
	const struct trawl_probe_ops *ops = trawl_probe_find(module);
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_err err;

	REQUIRE_OR(ops != NULL, NULL);
	memset(ctx, 0, sizeof(*ctx));
	trawl_validate_key(&ctx->val, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	trawl_validate_ports(&ctx->val, 32768, 61000 - 32768 + 1);
	ctx->val.probes = 1;
	ctx->saddr = US;
	ctx->src_mac = src;
	ctx->gw_mac = gw;
	ctx->canaries = (uint8_t)canaries;
	trawl_constraint_free(&allowed);
	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc612ffff });
	trawl_constraint_build(&allowed, &allow, &block);
	trawl_ranges_free(&allow);
	trawl_ports_parse(&ports, "22,80,443", NULL);
	trawl_target_space_init(&space, &allowed, &ports);
	ctx->space = &space;
	if (ops->parse_args != NULL)
		CHECK(ops->parse_args(args, &ctx->args, &err) == 0);
	CHECK(ops->prepare(ctx) == 0);
	return ops;
}

/* A TCP segment from (src, sport) to us: flags, seq, ack, window, options (4 bytes of MSS or none), payload. */
static uint32_t
segment(uint8_t *f, uint32_t src, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		uint16_t win, int mss, const void *payload, uint32_t plen)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t hl = mss ? 24 : 20;

	memset(f, 0, 14 + 20 + hl);
	f[12] = 0x08;
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + hl + plen));
	ip[8] = 57;
	ip[9] = IPPROTO_TCP;
	wr32(ip + 12, src);
	wr32(ip + 16, US);
	wr16(ip + 10, (uint16_t)~ref_csum(ip, 20, 0));
	wr16(tcp, sport);
	wr16(tcp + 2, dport);
	wr32(tcp + 4, seq);
	wr32(tcp + 8, ack);
	tcp[12] = (uint8_t)((hl / 4) << 4);
	tcp[13] = flags;
	wr16(tcp + 14, win);
	if (mss)
		memcpy(tcp + 20, (const uint8_t[]){ 2, 4, 0x05, 0xb4 }, 4);
	if (plen != 0)
		memcpy(tcp + hl, payload, plen);
	wr16(tcp + 16, (uint16_t)~ref_csum(tcp, hl + plen, ref_pseudo(ip)));
	return 14 + 20 + hl + plen;
}

static enum trawl_rx_verdict
classify(const struct trawl_probe_ops *ops, const struct trawl_probe_ctx *ctx, uint8_t *frame, uint32_t len,
		struct trawl_result *r, struct trawl_ipv4_view *v)
{
	uint32_t l3off;

	if (trawl_eth_parse(frame, len, &l3off) != TRAWL_L3_IPV4 || trawl_ipv4_parse(frame + l3off, len - l3off, v))
		return TRAWL_RX_OTHER;
	return ops->classify(ctx, v, r);
}

/* Our probe for t: its source port and ISN. */
static void
probe_of(const struct trawl_probe_ops *ops, const struct trawl_probe_ctx *ctx, struct trawl_target t, uint16_t *sport,
		uint32_t *isn)
{
	uint8_t p[TRAWL_PROBE_MAX_LEN], *b = p;

	ops->make(&b, &t, 1, ctx);
	*sport = rd16(p + 34);
	*isn = rd32(p + 38);
}

static void
test_args(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_banner");
	struct trawl_probe_args a;
	struct trawl_err err;
	char big[1600];

	REQUIRE(ops != NULL);
	memset(&a, 0, sizeof(a));
	CHECK(ops->parse_args(NULL, &a, &err) == 0 && a.payload_len == 0);
	memset(&a, 0, sizeof(a));
	CHECK(ops->parse_args("tls", &a, &err) == 0 && a.payload_len == TRAWL_L7_CLIENT_HELLO_LEN);
	memset(&a, 0, sizeof(a));
	CHECK(ops->parse_args("text:HELP\r\n", &a, &err) == 0 && a.payload_len == 6);
	memset(&a, 0, sizeof(a));
	CHECK(ops->parse_args("hex:0d0a", &a, &err) == 0 && a.payload_len == 2);
	CHECK(ops->parse_args("gopher", &a, &err) == -EINVAL && strstr(err.msg, "http, tls, wait") != NULL);
	memset(big, 'x', sizeof(big));
	memcpy(big, "text:", 5);
	big[5 + 1461] = '\0';
	CHECK(ops->parse_args(big, &a, &err) == -EINVAL && strstr(err.msg, "1460") != NULL);
	CHECK(ops->handshake && ops->tcp && ops->reset != NULL && ops->data_max >= 1460);
}

static void
test_syn_is_synscan(void)
{
	struct trawl_probe_ctx cb, cs;
	const struct trawl_probe_ops *b = setup(&cb, "tcp_banner", "http", 0), *s;
	uint8_t fb[TRAWL_PROBE_MAX_LEN], fs[TRAWL_PROBE_MAX_LEN], *pb = fb, *ps = fs;
	struct trawl_target t = { T1, 443, 0 };

	s = setup(&cs, "tcp_synscan", NULL, 0);
	REQUIRE(b != NULL && s != NULL);
	b->make(&pb, &t, 1, &cb);
	s->make(&ps, &t, 1, &cs);
	CHECK(cb.len == cs.len && memcmp(fb, fs, cb.len) == 0);
}

static void
test_handshake_and_data(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "tcp_banner", "http", 0);
	struct trawl_target t = { T1, 80, 0 };
	uint8_t f[2048], data[1500], rec[sizeof(struct trawl_result) + TRAWL_RESULT_DATA_MAX];
	struct trawl_result *r = (void *)rec;
	struct trawl_ipv4_view v;
	char get[TRAWL_L7_HTTP_GET_MAX];
	size_t glen = trawl_l7_http_get(get, sizeof(get), T1);
	uint32_t isn, len;
	uint16_t sport, n;
	const uint8_t *ip = f + 14, *tcp = ip + 20;

	REQUIRE(ops != NULL);
	r->data = rec + sizeof(*r);
	probe_of(ops, &ctx, t, &sport, &isn);
	/* SYN-ACK: a handshake to complete */
	len = segment(f, T1, 80, sport, 0x12, 1000, isn + 1, 64240, 1, NULL, 0);
	REQUIRE(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID);
	CHECK(r->cls == TRAWL_CLASS_SYNACK && r->success == 1 && r->seq == 1000 && r->window == 64240);
	CHECK_EQ_U64(r->target, 5 * 3 + 1);
	n = ops->answer(f, &v, &ctx, r);
	CHECK_EQ_U64(n, 54 + glen);
	CHECK(rd16(ip + 2) == 40 + glen && ref_csum(ip, 20, 0) == 0xffff && rd32(ip + 16) == T1 && rd32(ip + 12) == US);
	CHECK(ref_csum(tcp, 20 + glen, ref_pseudo(ip)) == 0xffff);
	CHECK(rd16(tcp) == sport && rd16(tcp + 2) == 80 && rd32(tcp + 4) == isn + 1 && rd32(tcp + 8) == 1001);
	CHECK(tcp[13] == 0x18 && memcmp(tcp + 20, get, glen) == 0);
	/* the server's data, acknowledging our request: the whole segment, and a RST at what it acknowledged */
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	len = segment(f, T1, 80, sport, 0x18, 1001, isn + 1 + (uint32_t)glen, 502, 0, data, 1460);
	REQUIRE(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID);
	CHECK(r->cls == TRAWL_CLASS_DATA && r->success == 1 && r->data_len == 1460 && r->udp_len == 1460);
	CHECK(memcmp(r->data, data, 1460) == 0);
	n = ops->answer(f, &v, &ctx, r);
	CHECK(n == 60 && tcp[13] == 0x04 && rd32(tcp + 4) == isn + 1 + glen && ref_csum(tcp, 20, ref_pseudo(ip)) == 0xffff);
	/* a server that spoke before it read us: acknowledges isn + 1 */
	len = segment(f, T1, 80, sport, 0x18, 1001, isn + 1, 502, 0, "SSH-2.0-x\r\n", 11);
	CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_DATA && r->data_len == 11);
	/* any other acknowledgement: not ours */
	for (uint32_t d = 2; d < 2 + 64; d++)
		if (d != 1 + glen) {
			len = segment(f, T1, 80, sport, 0x18, 1001, isn + d, 502, 0, "x", 1);
			CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_INVALID);
		}
	/* a bare ACK of our request: the data is still to come */
	len = segment(f, T1, 80, sport, 0x10, 1001, isn + 1 + (uint32_t)glen, 502, 0, NULL, 0);
	CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_OTHER);
	/* RST to our SYN: closed; RST after our request: reset */
	len = segment(f, T1, 80, sport, 0x14, 0, isn + 1, 0, 0, NULL, 0);
	CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_RST && !r->success);
	CHECK(ops->answer(f, &v, &ctx, r) == 0);
	len = segment(f, T1, 80, sport, 0x14, 1001, isn + 1 + (uint32_t)glen, 0, 0, NULL, 0);
	CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_RESET && r->success);
	/* a segment cut short, a header past the data: malformed */
	len = segment(f, T1, 80, sport, 0x18, 1001, isn + 1, 502, 0, data, 100);
	CHECK(classify(ops, &ctx, f, len - 10, r, &v) == TRAWL_RX_INVALID);
	/* reset() of the held handshake: RST at isn + 1 + len(request) */
	r->saddr = T1;
	r->sport = 80;
	r->dport = sport;
	n = ops->reset(f, &ctx, r);
	CHECK(n == 60 && tcp[13] == 0x04 && rd32(tcp + 4) == isn + 1 + glen && rd16(tcp + 2) == 80);
	CHECK(ref_csum(ip, 20, 0) == 0xffff && ref_csum(tcp, 20, ref_pseudo(ip)) == 0xffff);
}

static void
test_wait_and_zerowin(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "tcp_banner", "wait", 0);
	struct trawl_target t = { T1, 22, 0 };
	uint8_t f[2048], rec[sizeof(struct trawl_result) + TRAWL_RESULT_DATA_MAX];
	struct trawl_result *r = (void *)rec;
	struct trawl_ipv4_view v;
	const uint8_t *tcp = f + 34;
	uint32_t isn, len;
	uint16_t sport;

	REQUIRE(ops != NULL);
	r->data = rec + sizeof(*r);
	probe_of(ops, &ctx, t, &sport, &isn);
	len = segment(f, T1, 22, sport, 0x12, 7, isn + 1, 29200, 1, NULL, 0);
	REQUIRE(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_SYNACK);
	/* wait: the ACK carries nothing */
	CHECK(ops->answer(f, &v, &ctx, r) == 60 && tcp[13] == 0x10 && rd32(tcp + 4) == isn + 1 && rd32(tcp + 8) == 8);
	/* window 0, no options: the middlebox mark, reset at once */
	len = segment(f, T1, 22, sport, 0x12, 7, isn + 1, 0, 0, NULL, 0);
	REQUIRE(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID);
	CHECK(r->cls == TRAWL_CLASS_ZEROWIN && r->success == 0);
	CHECK(ops->answer(f, &v, &ctx, r) == 60 && tcp[13] == 0x04 && rd32(tcp + 4) == isn + 1);
	/* window 0 with options is a full receive buffer, not the mark */
	len = segment(f, T1, 22, sport, 0x12, 7, isn + 1, 0, 1, NULL, 0);
	CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_SYNACK);
}

static void
test_canaries(void)
{
	const char *const mods[] = { "tcp_synscan", "tcp_banner" };

	for (int m = 0; m < 2; m++) {
		struct trawl_probe_ctx ctx;
		const struct trawl_probe_ops *ops = setup(&ctx, mods[m], "wait", 3);
		uint8_t f[256], rec[sizeof(struct trawl_result) + TRAWL_RESULT_DATA_MAX];
		struct trawl_result *r = (void *)rec;
		struct trawl_ipv4_view v;
		uint16_t cp[3], sport;
		uint32_t isn, len;

		REQUIRE(ops != NULL);
		r->data = rec + sizeof(*r);
		for (unsigned int i = 0; i < 3; i++) {
			cp[i] = trawl_tcp_canary_port(&ctx, T1, i);
			CHECK(cp[i] != 0 && cp[i] != 22 && cp[i] != 80 && cp[i] != 443);
			CHECK(cp[i] == trawl_tcp_canary_port(&ctx, T1, i)); /* derived, not drawn */
		}
		CHECK(cp[0] != trawl_tcp_canary_port(&ctx, T1 + 1, 0) || cp[1] != trawl_tcp_canary_port(&ctx, T1 + 1, 1));
		for (unsigned int i = 0; i < 3; i++) {
			probe_of(ops, &ctx, (struct trawl_target){ T1, cp[i], 0 }, &sport, &isn);
			len = segment(f, T1, cp[i], sport, 0x12, 9, isn + 1, 1024, 1, NULL, 0);
			REQUIRE(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_VALID);
			CHECK(r->cls == TRAWL_CLASS_CANARY && r->success == 0);
			/* one key per address, past the targets' */
			CHECK_EQ_U64(r->target, space.count + 5 * 3);
			CHECK(ops->answer(f, &v, &ctx, r) == 60 && f[34 + 13] == 0x04);
			/* a canary's RST: nothing */
			len = segment(f, T1, cp[i], sport, 0x14, 0, isn + 1, 0, 0, NULL, 0);
			CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_OTHER);
		}
		/* a port that is neither the scan's nor a canary: refused, even with a good MAC */
		{
			uint16_t other = (uint16_t)(cp[0] + 1);

			if (other == cp[1] || other == cp[2])
				other++;
			probe_of(ops, &ctx, (struct trawl_target){ T1, other, 0 }, &sport, &isn);
			len = segment(f, T1, other, sport, 0x12, 9, isn + 1, 1024, 1, NULL, 0);
			CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_INVALID);
		}
		/* without --canaries, a canary port is no target */
		ctx.canaries = 0;
		probe_of(ops, &ctx, (struct trawl_target){ T1, cp[0], 0 }, &sport, &isn);
		len = segment(f, T1, cp[0], sport, 0x12, 9, isn + 1, 1024, 1, NULL, 0);
		CHECK(classify(ops, &ctx, f, len, r, &v) == TRAWL_RX_INVALID);
	}
}

int
main(void)
{
	RUN(test_args);
	RUN(test_syn_is_synscan);
	RUN(test_handshake_and_data);
	RUN(test_wait_and_zerowin);
	RUN(test_canaries);
	trawl_constraint_free(&allowed);
	return check_done();
}
