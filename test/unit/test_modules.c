/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp_echoscan and udp: probes are byte-correct (checksums recomputed here
 * with the tests' own RFC 1071 sum), replies built as a target's stack
 * would build them validate and fill the result, and ICMP errors count only
 * when the datagram they quote is one of our probes: truncated quotes at
 * every length, forged quotes, quotes of other protocols and of probes never
 * sent are refused. Also --probe-args, --output-filter and the toolchain
 * rules for echo and UDP probes.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/core/fingerprint.h"
#include "app/core/icmp.h"
#include "app/outputs/filter.h"
#include "app/probes/probe.h"
#include "test/unit/check.h"
#include "test/unit/refcsum.h"

#define US 0xc6130002u      /* 198.19.0.2 */
#define ROUTER 0xc6130001u  /* 198.19.0.1: sends ICMP errors about probes it forwarded */
#define T1 0xc6120005u      /* 198.18.0.5, allowed */
#define T_BLOCKED 0xc6120105u

static struct trawl_constraint allowed;
static struct trawl_ports ports;
static struct trawl_target_space space;

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static const struct trawl_probe_ops *
setup(struct trawl_probe_ctx *ctx, const char *module, const char *portspec, const char *args)
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
	trawl_constraint_free(&allowed);
	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc612ffff });
	trawl_ranges_add(&block, (struct trawl_range){ 0xc6120100, 0xc61201ff });
	trawl_constraint_build(&allowed, &allow, &block);
	trawl_ranges_free(&allow);
	trawl_ranges_free(&block);
	trawl_ports_parse(&ports, portspec, NULL);
	trawl_target_space_init(&space, &allowed, &ports);
	ctx->space = &space;
	if (ops->parse_args != NULL)
		CHECK(ops->parse_args(args, &ctx->args, &err) == 0);
	CHECK(ops->prepare(ctx) == 0);
	return ops;
}

static enum trawl_rx_verdict
classify(const struct trawl_probe_ops *ops, const struct trawl_probe_ctx *ctx, const uint8_t *frame, uint32_t len,
		struct trawl_result *r)
{
	struct trawl_ipv4_view v;
	uint32_t l3off;
	uint8_t copy[2048];

	/* An exact-size copy: a read past len is a read past what was "captured". */
	memcpy(copy, frame, len);
	if (trawl_eth_parse(copy, len, &l3off) != TRAWL_L3_IPV4 || trawl_ipv4_parse(copy + l3off, len - l3off, &v))
		return TRAWL_RX_OTHER;
	return ops->classify(ctx, &v, r);
}

/* An IPv4 frame from @p src to @p dst carrying l4 (IP checksum filled). */
static uint32_t
ip_frame(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, uint32_t l4len, uint8_t ttl)
{
	uint8_t *ip = f + 14;

	memset(f, 0, 14 + 20);
	f[12] = 0x08;
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = ttl;
	ip[9] = proto;
	wr32(ip + 12, src);
	wr32(ip + 16, dst);
	wr16(ip + 10, (uint16_t)~ref_csum(ip, 20, 0));
	memmove(ip + 20, l4, l4len);
	return 14 + 20 + l4len;
}

/* The ICMP error @p type/@p code a router or host sends about the probe frame @p probe. */
static uint32_t
icmp_error(uint8_t *f, uint32_t from, uint8_t type, uint8_t code, const uint8_t *probe, uint32_t quote_len)
{
	uint8_t icmp[8 + 576] = { type, code };

	memcpy(icmp + 8, probe + 14, quote_len);
	wr16(icmp + 2, (uint16_t)~ref_csum(icmp, 8 + quote_len, 0));
	return ip_frame(f, from, US, IPPROTO_ICMP, icmp, 8 + quote_len, 250);
}

/* --- icmp_echoscan -------------------------------------------------------- */

static void
test_echo_probe_bytes(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "icmp_echoscan", "0", NULL);
	struct trawl_target t[3] = { { T1, 0, 0 }, { 0xc612ff01, 0, 1 }, { 0xc6120a0a, 0, 0 } };
	uint8_t frames[3][TRAWL_PROBE_MAX_LEN];
	uint8_t *bufs[3] = { frames[0], frames[1], frames[2] };

	REQUIRE(ops != NULL);
	CHECK(!ops->uses_ports && ops->answer == NULL);
	CHECK_EQ_U64(ctx.len, 60);
	CHECK_EQ_U64(ctx.tx_ol_flags, 0);
	ops->make(bufs, t, 3, &ctx);
	for (int i = 0; i < 3; i++) {
		const uint8_t *f = frames[i], *ip = f + 14, *icmp = ip + 20;
		uint32_t tag = (uint32_t)trawl_validate_tag(&ctx.val, US, t[i].addr, 0);

		CHECK(memcmp(f, ctx.gw_mac.addr_bytes, 6) == 0 && f[12] == 0x08 && f[13] == 0);
		CHECK(ip[0] == 0x45 && ip[9] == IPPROTO_ICMP && rd16(ip + 2) == 28 && ip[8] == 255);
		CHECK(ref_csum(ip, 20, 0) == 0xffff);
		CHECK(ref_csum(icmp, 8, 0) == 0xffff);
		CHECK(rd32(ip + 12) == US && rd32(ip + 16) == t[i].addr);
		CHECK(icmp[0] == 8 && icmp[1] == 0);
		CHECK_EQ_U64(rd16(icmp + 4), tag >> 16);
		CHECK_EQ_U64(rd16(icmp + 6), tag & 0xffff);
		CHECK_EQ_U64(rd16(ip + 4), trawl_fp_trawl_echo_ipid(tag));
		for (int k = 42; k < 60; k++)
			CHECK(f[k] == 0);
	}
}

/* The target's echo reply to a probe: type 0, same id, sequence and data, as Linux sends it. */
static uint32_t
echo_reply(uint8_t *f, const uint8_t *probe, uint32_t from)
{
	uint8_t icmp[8];

	memcpy(icmp, probe + 34, 8);
	icmp[0] = 0;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, (uint16_t)~ref_csum(icmp, 8, 0));
	return ip_frame(f, from, US, IPPROTO_ICMP, icmp, 8, 64);
}

static void
test_echo_round_trip(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "icmp_echoscan", "0", NULL);
	struct trawl_target t = { T1, 0, 0 }, tb = { T_BLOCKED, 0, 0 };
	uint8_t probe[TRAWL_PROBE_MAX_LEN], pb[TRAWL_PROBE_MAX_LEN], f[128], g[128], *b = probe;
	struct trawl_result r;
	uint32_t len;
	int flips = 0, caught = 0;

	REQUIRE(ops != NULL);
	ops->make(&b, &t, 1, &ctx);
	len = echo_reply(f, probe, T1);
	CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_ECHOREPLY && r.success == 1 && r.saddr == T1 && r.responder == T1);
	CHECK(r.sport == 0 && r.dport == 0 && r.icmp_type == 0 && r.ttl == 64 && r.data_len == 0);
	CHECK_EQ_U64(r.target, 5); /* address rank 5, the one port */
	CHECK_EQ_U64(r.icmp_id, rd16(probe + 38));
	CHECK_EQ_U64(r.seq, rd16(probe + 40));
	/* Any flipped bit of the source address, identifier or sequence number fails. */
	for (int byte = 26; byte < 42; byte++) {
		if (byte >= 30 && byte < 38)
			continue; /* our address, then type, code, checksum */
		for (int bit = 0; bit < 8; bit++) {
			memcpy(g, f, len);
			g[byte] ^= (uint8_t)(1u << bit);
			flips++;
			caught += classify(ops, &ctx, g, len, &r) == TRAWL_RX_INVALID;
		}
	}
	CHECK_EQ_U64(caught, flips);
	/* A genuine reply from a blocklisted address (probed by another scan) does not count. */
	b = pb;
	ops->make(&b, &tb, 1, &ctx);
	len = echo_reply(f, pb, T_BLOCKED);
	CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
	/* Another key: invalid. An echo request to us, or a reply to someone else: not ours at all. */
	len = echo_reply(f, probe, T1);
	trawl_validate_key(&ctx.val, ctx.val.key.k0 ^ 1, ctx.val.key.k1);
	CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
	trawl_validate_key(&ctx.val, ctx.val.key.k0 ^ 1, ctx.val.key.k1);
	f[34] = 8;
	CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_OTHER);
	f[34] = 0;
	wr32(f + 30, US + 1);
	CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_OTHER);
	/* Truncated at every byte: never valid. */
	len = echo_reply(f, probe, T1);
	for (uint32_t cut = 0; cut < len; cut++)
		CHECK(classify(ops, &ctx, f, cut, &r) != TRAWL_RX_VALID);
}

static void
test_echo_errors(void)
{
	static const struct { uint8_t type; uint8_t cls; } kinds[] = {
		{ 3, TRAWL_CLASS_UNREACH }, { 4, TRAWL_CLASS_SOURCEQUENCH }, { 5, TRAWL_CLASS_REDIRECT },
		{ 11, TRAWL_CLASS_TIMXCEED }, { 12, TRAWL_CLASS_OTHER },
	};
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "icmp_echoscan", "0", NULL);
	struct trawl_target t = { T1, 0, 0 };
	uint8_t probe[TRAWL_PROBE_MAX_LEN], f[700], *b = probe;
	struct trawl_result r;
	uint32_t len;

	REQUIRE(ops != NULL);
	ops->make(&b, &t, 1, &ctx);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		len = icmp_error(f, ROUTER, kinds[k].type, 1, probe, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_VALID);
		CHECK(r.cls == kinds[k].cls && r.success == 0);
		CHECK(r.saddr == T1 && r.responder == ROUTER && r.icmp_type == kinds[k].type && r.icmp_code == 1);
		CHECK_EQ_U64(r.target, 5);
	}
	/* A quote cut anywhere short of the IP header and 8 bytes: refused, never read past. */
	for (uint32_t q = 0; q < 28; q++) {
		len = icmp_error(f, ROUTER, 3, 1, probe, q);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
	}
	/* The whole error truncated at every byte. */
	len = icmp_error(f, ROUTER, 3, 1, probe, 28);
	for (uint32_t cut = 0; cut < len; cut++)
		CHECK(classify(ops, &ctx, f, cut, &r) != TRAWL_RX_VALID);
	/* Forged: a probe we never sent (other id), from someone else, to an address not allowed. */
	{
		uint8_t forged[TRAWL_PROBE_MAX_LEN];

		memcpy(forged, probe, sizeof(forged));
		forged[34 + 7] ^= 1; /* sequence number */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
		memcpy(forged, probe, sizeof(forged));
		wr32(forged + 14 + 12, US + 7); /* quoted source: not us */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
		memcpy(forged, probe, sizeof(forged));
		forged[34] = 0; /* quotes an echo reply, not a request */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
		memcpy(forged, probe, sizeof(forged));
		forged[14] = 0x4f; /* quoted IHL 60: past the quote */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
		memcpy(forged, probe, sizeof(forged));
		forged[14 + 7] = 0x10; /* a later fragment */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
		memcpy(forged, probe, sizeof(forged));
		forged[14 + 9] = IPPROTO_UDP; /* another protocol's datagram */
		len = icmp_error(f, ROUTER, 3, 1, forged, 28);
		CHECK(classify(ops, &ctx, f, len, &r) == TRAWL_RX_INVALID);
	}
	/* Our own probe reflected back to us is no reply. */
	memcpy(f, probe, 60);
	wr32(f + 30, US);
	CHECK(classify(ops, &ctx, f, 60, &r) == TRAWL_RX_OTHER);
}

/* --- udp ------------------------------------------------------------------- */

static void
test_udp_probe_bytes(void)
{
	static const char *const args[] = { "text:", "text:hello", "hex:00", "hex:0001020304050607", "text:x" };
	for (size_t a = 0; a <= sizeof(args) / sizeof(args[0]); a++) {
		char big[8 + 2 * TRAWL_PROBE_PAYLOAD_MAX + 1];
		struct trawl_probe_ctx ctx;
		const struct trawl_probe_ops *ops;
		struct trawl_target t[4] = { { T1, 53, 0 }, { 0xc612ff01, 123, 1 }, { 0xc6120a0a, 53, 0 }, { 0xc6120001, 123, 0 } };
		static uint8_t frames[4][1600];
		uint8_t *bufs[4] = { frames[0], frames[1], frames[2], frames[3] };
		uint16_t plen;

		if (a == sizeof(args) / sizeof(args[0])) {
			/* The longest payload, odd bytes at the end: 1472 bytes of hex. */
			strcpy(big, "hex:");
			for (int i = 0; i < TRAWL_PROBE_PAYLOAD_MAX; i++)
				snprintf(big + 4 + 2 * i, 3, "%02x", (unsigned)(i * 7 + 1) & 0xff);
			ops = setup(&ctx, "udp", "53,123", big);
		} else {
			ops = setup(&ctx, "udp", "53,123", args[a]);
		}
		ctx.val.probes = 2;
		plen = ctx.args.payload_len;
		CHECK_EQ_U64(ctx.len, plen + 42 < 60 ? 60 : plen + 42);
		memset(frames, 0xee, sizeof(frames));
		ops->make(bufs, t, 4, &ctx);
		for (int i = 0; i < 4; i++) {
			const uint8_t *f = frames[i], *ip = f + 14, *udp = ip + 20;
			uint64_t tag = trawl_validate_tag(&ctx.val, US, t[i].addr, t[i].port);
			uint16_t sport = trawl_validate_sport(&ctx.val, tag, t[i].probe);

			CHECK(ip[0] == 0x45 && ip[9] == IPPROTO_UDP && rd16(ip + 2) == 28 + plen);
			CHECK(ref_csum(ip, 20, 0) == 0xffff);
			CHECK(ref_csum(udp, 8 + plen, ref_pseudo(ip)) == 0xffff && rd16(udp + 6) != 0);
			CHECK(rd16(udp) == sport && rd16(udp + 2) == t[i].port && rd16(udp + 4) == 8 + plen);
			CHECK(memcmp(udp + 8, ctx.args.payload, plen) == 0);
			CHECK_EQ_U64(rd16(ip + 4), trawl_fp_trawl_udp_ipid(t[i].addr, sport, t[i].port));
			for (uint32_t k = 42 + plen; k < ctx.len; k++)
				CHECK(f[k] == 0);
		}
	}
}

/* The target's UDP answer to a probe: from the target port to our source port, @p n payload bytes. */
static uint32_t
udp_reply(uint8_t *f, const uint8_t *probe, const uint8_t *data, uint16_t n)
{
	uint8_t udp[8 + 600];

	wr16(udp, rd16(probe + 36));
	wr16(udp + 2, rd16(probe + 34));
	wr16(udp + 4, (uint16_t)(8 + n));
	wr16(udp + 6, 0);
	memcpy(udp + 8, data, n);
	return ip_frame(f, rd32(probe + 30), US, IPPROTO_UDP, udp, 8u + n, 64);
}

static void
test_udp_round_trip(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "udp", "53,123", "text:q");
	struct trawl_target t = { T1, 123, 0 };
	uint8_t probe[TRAWL_PROBE_MAX_LEN + TRAWL_PROBE_PAYLOAD_MAX], f[700], g[700], data[600], *b = probe;
	uint8_t rec[sizeof(struct trawl_result) + TRAWL_UDP_DATA_MAX];
	struct trawl_result *r = (void *)rec;
	uint32_t len;

	REQUIRE(ops != NULL);
	r->data = rec + sizeof(*r);
	for (int i = 0; i < 600; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	CHECK_EQ_U64(ops->data_max, TRAWL_UDP_DATA_MAX);
	ops->make(&b, &t, 1, &ctx);
	len = udp_reply(f, probe, data, 48);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID);
	CHECK(r->cls == TRAWL_CLASS_UDP && r->success == 1 && r->saddr == T1 && r->sport == 123);
	CHECK(r->dport == rd16(probe + 34) && r->udp_len == 56 && r->data_len == 48);
	CHECK(memcmp(trawl_result_data(r), data, 48) == 0);
	CHECK_EQ_U64(r->target, 5 * 2 + 1);
	/* More than is kept: the first TRAWL_UDP_DATA_MAX bytes, the whole length in udp_len. */
	len = udp_reply(f, probe, data, 600);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID && r->data_len == TRAWL_UDP_DATA_MAX && r->udp_len == 608);
	/* A UDP length past the IP payload, or below its own 8 bytes: malformed, no result (issue 12). */
	len = udp_reply(f, probe, data, 20);
	wr16(f + 34 + 4, 4000);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_INVALID);
	wr16(f + 34 + 4, 29);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_INVALID);
	for (uint16_t ulen = 0; ulen < 8; ulen++) {
		wr16(f + 34 + 4, ulen);
		CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_INVALID);
	}
	/* Shorter than the IP payload is legal (the rest is padding): the payload is what UDP says. */
	wr16(f + 34 + 4, 8 + 5);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID && r->data_len == 5);
	/* From another port, to another of our ports, from another address: invalid. */
	len = udp_reply(f, probe, data, 4);
	memcpy(g, f, len);
	wr16(g + 34, 124);
	CHECK(classify(ops, &ctx, g, len, r) == TRAWL_RX_INVALID);
	memcpy(g, f, len);
	wr16(g + 36, (uint16_t)(rd16(g + 36) + 1));
	CHECK(classify(ops, &ctx, g, len, r) == TRAWL_RX_INVALID);
	memcpy(g, f, len);
	wr32(g + 26, T1 + 1);
	CHECK(classify(ops, &ctx, g, len, r) == TRAWL_RX_INVALID);
	for (uint32_t cut = 0; cut < 42; cut++)
		CHECK(classify(ops, &ctx, f, cut, r) != TRAWL_RX_VALID);
}

static void
test_udp_port_unreachable(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "udp", "53,123", "text:query");
	struct trawl_target t = { T1, 53, 0 };
	uint8_t probe[TRAWL_PROBE_MAX_LEN + TRAWL_PROBE_PAYLOAD_MAX], f[700], forged[128], *b = probe;
	uint8_t rec[sizeof(struct trawl_result) + TRAWL_UDP_DATA_MAX];
	struct trawl_result *r = (void *)rec;
	uint32_t len;

	REQUIRE(ops != NULL);
	r->data = rec + sizeof(*r);
	ops->make(&b, &t, 1, &ctx);
	/* Linux quotes the whole probe (up to 576 bytes); RFC 792 asks for the header and 8 bytes. */
	for (uint32_t q = 28; q <= 38; q += 10) {
		len = icmp_error(f, T1, 3, 3, probe, q);
		CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID);
		CHECK(r->cls == TRAWL_CLASS_ICMP_UNREACH && r->success == 0 && r->icmp_code == 3);
		CHECK(r->saddr == T1 && r->sport == 53 && r->dport == rd16(probe + 34) && r->responder == T1);
		CHECK_EQ_U64(r->target, 5 * 2);
	}
	CHECK(strcmp(trawl_icmp_unreach_name(3), "port unreachable") == 0);
	/* A router's host unreachable: still ours, icmp-unreach with its code. Time exceeded: other. */
	len = icmp_error(f, ROUTER, 3, 1, probe, 28);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID && r->responder == ROUTER && r->saddr == T1);
	len = icmp_error(f, ROUTER, 11, 0, probe, 28);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_VALID && r->cls == TRAWL_CLASS_OTHER);
	for (uint32_t q = 0; q < 28; q++) {
		len = icmp_error(f, T1, 3, 3, probe, q);
		CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_INVALID);
	}
	len = icmp_error(f, T1, 3, 3, probe, 28);
	for (uint32_t cut = 0; cut < len; cut++)
		CHECK(classify(ops, &ctx, f, cut, r) != TRAWL_RX_VALID);
	/* Forged quotes: source port, destination port, IP ID, destination each changed. */
	static const int bytes[] = { 34, 36, 18, 33 };
	for (size_t k = 0; k < sizeof(bytes) / sizeof(bytes[0]); k++) {
		memcpy(forged, probe, sizeof(forged));
		forged[bytes[k]] ^= 0x40;
		len = icmp_error(f, T1, 3, 3, forged, 28);
		CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_INVALID);
	}
	/* ICMP that is no error (an echo reply) is none of udp's business. */
	len = icmp_error(f, T1, 0, 0, probe, 28);
	CHECK(classify(ops, &ctx, f, len, r) == TRAWL_RX_OTHER);
}

static void
test_udp_args(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("udp");
	struct trawl_probe_args a;
	struct trawl_err err;
	char path[] = "/tmp/trawl-udp-args-XXXXXX";
	uint8_t buf[TRAWL_PROBE_PAYLOAD_MAX + 1];
	int fd = mkstemp(path);

	REQUIRE(ops != NULL);
	memset(&a, 0, sizeof(a));
	CHECK(ops->parse_args(NULL, &a, &err) == -EINVAL && strstr(err.msg, "--probe-args") != NULL);
	CHECK(ops->parse_args("text:GET /", &a, &err) == 0 && a.payload_len == 5 && memcmp(a.payload, "GET /", 5) == 0);
	CHECK(ops->parse_args("hex:DEADbeef", &a, &err) == 0 && a.payload_len == 4 && a.payload[0] == 0xde && a.payload[3] == 0xef);
	CHECK(ops->parse_args("hex:abc", &a, &err) == -EINVAL);
	CHECK(ops->parse_args("hex:zz", &a, &err) == -EINVAL);
	CHECK(ops->parse_args("base64:AA", &a, &err) == -EINVAL);
	CHECK(ops->parse_args("file:/nonexistent/x", &a, &err) == -EINVAL && strstr(err.msg, "/nonexistent/x") != NULL);
	CHECK(fd >= 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	CHECK(write(fd, buf, TRAWL_PROBE_PAYLOAD_MAX) == TRAWL_PROBE_PAYLOAD_MAX);
	CHECK(ops->parse_args("", &a, &err) == -EINVAL);
	{
		char arg[64];

		snprintf(arg, sizeof(arg), "file:%s", path);
		CHECK(ops->parse_args(arg, &a, &err) == 0 && a.payload_len == TRAWL_PROBE_PAYLOAD_MAX &&
				memcmp(a.payload, buf, TRAWL_PROBE_PAYLOAD_MAX) == 0);
		CHECK(write(fd, buf, 1) == 1); /* one byte too many */
		CHECK(ops->parse_args(arg, &a, &err) == -EINVAL && strstr(err.msg, "longer") != NULL);
	}
	close(fd);
	unlink(path);
	CHECK(trawl_probe_find("icmp_echoscan")->parse_args == NULL);
}

/* --- filter, fingerprints, quotes ----------------------------------------- */

static void
test_output_filter(void)
{
	struct trawl_filter f;
	struct trawl_err err;
	struct trawl_result r;

	memset(&r, 0, sizeof(r));
	r.success = 0;
	r.cls = TRAWL_CLASS_ICMP_UNREACH;
	r.icmp_type = 3;
	r.icmp_code = 3;
	CHECK(trawl_filter_compile(&f, "success = 1 && repeat = 0", TRAWL_FIELDS_UDP, &err) == 0);
	CHECK(!trawl_filter_match(&f, &r, NULL));
	CHECK(trawl_filter_compile(&f, "repeat = 0", TRAWL_FIELDS_UDP, &err) == 0 && trawl_filter_match(&f, &r, NULL));
	CHECK(trawl_filter_compile(&f, "classification = icmp-unreach && icmp_code = 3", TRAWL_FIELDS_UDP, &err) == 0);
	CHECK(trawl_filter_match(&f, &r, NULL));
	CHECK(trawl_filter_compile(&f, "success = 1 || (classification != udp && icmp_code >= 3)", TRAWL_FIELDS_UDP, &err) == 0);
	CHECK(trawl_filter_match(&f, &r, NULL));
	CHECK(trawl_filter_compile(&f, "icmp_unreach_str = \"port unreachable\"", TRAWL_FIELDS_UDP, &err) == 0);
	CHECK(trawl_filter_match(&f, &r, NULL));
	r.icmp_code = 1;
	CHECK(!trawl_filter_match(&f, &r, NULL));
	/* Errors say where: unknown field, a field of another module, bad operator, missing parenthesis. */
	CHECK(trawl_filter_compile(&f, "nosuch = 1", TRAWL_FIELDS_UDP, &err) == -EINVAL && strstr(err.msg, "character 1") != NULL);
	CHECK(trawl_filter_compile(&f, "window = 1", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	CHECK(trawl_filter_compile(&f, "success ~ 1", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	CHECK(trawl_filter_compile(&f, "(success = 1", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	CHECK(trawl_filter_compile(&f, "success = x", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	CHECK(trawl_filter_compile(&f, "classification < udp", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	CHECK(trawl_filter_compile(&f, "success = 1 repeat = 0", TRAWL_FIELDS_UDP, &err) == -EINVAL);
	/* Bounded: a long chain is refused, not overflowed. */
	{
		char big[4096] = "success = 1";

		for (int i = 0; i < 100; i++)
			strcat(big, " || success = 1");
		CHECK(trawl_filter_compile(&f, big, TRAWL_FIELDS_UDP, &err) == -EINVAL);
	}
}

static void
test_fingerprint_icmp_udp(void)
{
	struct trawl_fp_source st = { 0 };
	struct trawl_fp_probe p = { .kind = TRAWL_FP_ICMP_ECHO, .saddr = US, .daddr = T1, .seq = 0x12345678 };
	uint32_t claimed;

	p.ipid = trawl_fp_trawl_echo_ipid(p.seq);
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_TRAWL);
	/* Where trawl's relation gives 54321, trawl sends 54320: no probe of either tool meets the other's rule. */
	{
		uint32_t n = 0;

		for (uint32_t x = 0; x < (1u << 22); x++)
			if (trawl_fp_trawl_ipid(x * 2654435761u, 0) == 54321) {
				n++;
				CHECK(trawl_fp_trawl_echo_ipid(x * 2654435761u) == 54320);
			}
		CHECK(n > 0);
	}
	p.ipid = 54321;
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_ZMAP);
	p.ipid = 7;
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_UNKNOWN && claimed == 0 && st.pending == 0);
	p = (struct trawl_fp_probe){ .kind = TRAWL_FP_UDP, .saddr = US, .daddr = T1, .sport = 40000, .dport = 53 };
	p.ipid = trawl_fp_trawl_udp_ipid(T1, 40000, 53);
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_TRAWL);
	p.ipid = 54321;
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_ZMAP);
}

static void
test_quote_parse(void)
{
	struct trawl_probe_ctx ctx;
	const struct trawl_probe_ops *ops = setup(&ctx, "icmp_echoscan", "0", NULL);
	struct trawl_target t = { T1, 0, 0 };
	uint8_t probe[TRAWL_PROBE_MAX_LEN], f[700], *b = probe;
	struct trawl_icmp_quote q;
	struct trawl_ipv4_view v;
	uint32_t len, l3off;

	REQUIRE(ops != NULL);
	ops->make(&b, &t, 1, &ctx);
	len = icmp_error(f, ROUTER, 11, 0, probe, 28);
	CHECK(trawl_eth_parse(f, len, &l3off) == TRAWL_L3_IPV4 && trawl_ipv4_parse(f + l3off, len - l3off, &v) == 0);
	CHECK(trawl_icmp_quote_parse(&v, &q) == 0);
	CHECK(q.type == 11 && q.proto == IPPROTO_ICMP && q.saddr == US && q.daddr == T1 && q.l4_len == 8);
	/* Only error types quote: echo reply, echo request, timestamp are refused. */
	for (int type = 0; type < 256; type++) {
		f[34] = (uint8_t)type;
		CHECK((trawl_icmp_quote_parse(&v, &q) == 0) == trawl_icmp_is_error((uint8_t)type));
	}
}

int
main(void)
{
	RUN(test_echo_probe_bytes);
	RUN(test_echo_round_trip);
	RUN(test_echo_errors);
	RUN(test_udp_probe_bytes);
	RUN(test_udp_round_trip);
	RUN(test_udp_port_unreachable);
	RUN(test_udp_args);
	RUN(test_output_filter);
	RUN(test_fingerprint_icmp_udp);
	RUN(test_quote_parse);
	return check_done();
}
