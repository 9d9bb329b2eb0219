/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validation MAC and tcp_synscan: probes are byte-correct (checksums
 * recomputed here independently of DPDK's helpers), a genuine reply
 * validates, and any single flipped bit in what the MAC protects does not.
 */
#include <arpa/inet.h>
#include <string.h>

#include "app/core/siphash.h"
#include "app/probes/probe.h"
#include "test/unit/check.h"
#include "test/unit/refcsum.h"

static int
ip_csum_ok(const uint8_t *ip)
{
	return ref_csum(ip, (size_t)(ip[0] & 0xf) * 4, 0) == 0xffff;
}

static int
tcp_csum_ok(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = (size_t)(ip[2] << 8 | ip[3]);

	return ref_csum(ip + ihl, total - ihl, ref_pseudo(ip)) == 0xffff;
}

static void
test_siphash_reference_vector(void)
{
	/* From the SipHash paper, appendix A: key 00..0f, message 00..0e. */
	struct trawl_siphash_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t msg[16];

	for (int i = 0; i < 16; i++)
		msg[i] = (uint8_t)i;
	CHECK_EQ_U64(trawl_siphash24(&k, msg, 15), 0xa129ca6149be45e5ULL);
	/* Empty input, first vector of the reference implementation's table. */
	CHECK_EQ_U64(trawl_siphash24(&k, msg, 0), 0x726fdb47dd0e0e31ULL);
	/* The two-word fast path is the same function on 16 bytes. */
	CHECK_EQ_U64(trawl_siphash24_2w(&k, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL),
			trawl_siphash24(&k, msg, 16));
}

static struct trawl_constraint allowed;
static struct trawl_ports ports;
static struct trawl_target_space space;

static void
setup_ctx(struct trawl_probe_ctx *ctx)
{
	static const struct rte_ether_addr src = { { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct trawl_ranges allow = { 0 }, block = { 0 };

	memset(ctx, 0, sizeof(*ctx));
	trawl_validate_key(&ctx->val, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	trawl_validate_ports(&ctx->val, 32768, 61000 - 32768 + 1);
	ctx->val.probes = 2;
	ctx->saddr = 0xc6130002; /* 198.19.0.2 */
	ctx->src_mac = src;
	ctx->gw_mac = gw;
	trawl_constraint_free(&allowed);
	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc612ffff }); /* 198.18.0.0/16 */
	trawl_ranges_add(&block, (struct trawl_range){ 0xc6120100, 0xc61201ff }); /* 198.18.1.0/24 */
	trawl_constraint_build(&allowed, &allow, &block);
	trawl_ranges_free(&allow);
	trawl_ranges_free(&block);
	trawl_ports_parse(&ports, "80,8080", NULL);
	trawl_target_space_init(&space, &allowed, &ports);
	ctx->space = &space;
	CHECK(trawl_probe_find("tcp_synscan")->prepare(ctx) == 0);
}

static void
test_syn_probe_bytes(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_synscan");
	struct trawl_probe_ctx ctx;
	struct trawl_target t[3] = { { 0xc6120005, 80, 0 }, { 0xc612ff01, 443, 1 }, { 0xc6120a0a, 0, 0 } };
	uint8_t frames[3][TRAWL_PROBE_MAX_LEN];
	uint8_t *bufs[3] = { frames[0], frames[1], frames[2] };

	setup_ctx(&ctx);
	REQUIRE(ops != NULL);
	CHECK_EQ_U64(ctx.len, 60);
	ops->make(bufs, t, 3, &ctx);
	for (int i = 0; i < 3; i++) {
		const uint8_t *f = frames[i], *ip = f + 14, *tcp = ip + 20;
		uint64_t tag = trawl_validate_tag(&ctx.val, ctx.saddr, t[i].addr, t[i].port);

		CHECK(memcmp(f, ctx.gw_mac.addr_bytes, 6) == 0);
		CHECK(memcmp(f + 6, ctx.src_mac.addr_bytes, 6) == 0);
		CHECK(f[12] == 0x08 && f[13] == 0x00);
		CHECK(ip[0] == 0x45 && ip[9] == 6 && (ip[2] << 8 | ip[3]) == 44);
		CHECK(ip_csum_ok(ip));
		CHECK(tcp_csum_ok(ip));
		CHECK_EQ_U64(((uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19]), t[i].addr);
		CHECK_EQ_U64((tcp[2] << 8 | tcp[3]), t[i].port);
		CHECK_EQ_U64(((uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7]),
				(uint32_t)tag);
		CHECK_EQ_U64((tcp[0] << 8 | tcp[1]), trawl_validate_sport(&ctx.val, tag, t[i].probe));
		CHECK(tcp[13] == 0x02); /* SYN only */
		CHECK_EQ_U64((ip[4] << 8 | ip[5]), (uint16_t)((uint32_t)tag ^ ((uint32_t)tag >> 16) ^ t[i].port ^ 0x7477));
		CHECK(tcp[12] >> 4 == 6 && tcp[20] == 2 && tcp[21] == 4); /* MSS option */
		CHECK(f[58] == 0 && f[59] == 0); /* padding is zero */
	}
}

/* A reply as the target's stack would send it. */
static uint16_t
make_reply(uint8_t *buf, const struct trawl_probe_ctx *ctx, uint32_t from, uint16_t port, uint16_t probe,
		uint8_t flags)
{
	uint64_t tag = trawl_validate_tag(&ctx->val, ctx->saddr, from, port);

	return trawl_tcp_build(buf, &ctx->gw_mac, &ctx->src_mac, from, ctx->saddr, port,
			trawl_validate_sport(&ctx->val, tag, probe), 0x11223344, (uint32_t)tag + 1, flags, 29200, 61);
}

static enum trawl_rx_verdict
classify(const struct trawl_probe_ctx *ctx, const uint8_t *frame, uint32_t len, struct trawl_result *r)
{
	struct trawl_ipv4_view v;
	uint32_t l3off;

	if (trawl_eth_parse(frame, len, &l3off) != TRAWL_L3_IPV4 || trawl_ipv4_parse(frame + l3off, len - l3off, &v))
		return TRAWL_RX_OTHER;
	return trawl_probe_find("tcp_synscan")->classify(ctx, &v, r);
}

static void
test_reply_round_trip(void)
{
	struct trawl_probe_ctx ctx;
	struct trawl_result r;
	uint8_t f[64];
	uint16_t len;

	setup_ctx(&ctx);
	len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_SYNACK && r.success == 1);
	CHECK(r.saddr == 0xc6120005 && r.sport == 80 && r.ttl == 61 && r.window == 29200);
	/* The target it answers for: address rank 5 of the allowed set, port 80 (index 0 of 80,8080). */
	CHECK_EQ_U64(r.target, 5 * 2 + 0);
	/* The second probe's source port validates too (-P 2). */
	len = make_reply(f, &ctx, 0xc6120005, 80, 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	/* A third would not: only 2 probes were sent. */
	len = make_reply(f, &ctx, 0xc6120005, 80, 2, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
	/* RST-ACK: validated, closed, not a success. */
	len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_RST && r.success == 0);
	/* A bare ACK is no answer to a SYN. */
	len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
	/* A valid MAC from a blocklisted or not allowlisted address does not count. */
	len = make_reply(f, &ctx, 0xc6120105, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
	len = make_reply(f, &ctx, 0xc6130105, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
	/* Nor from a port that was never probed (the MAC covers the port, but not the port list). */
	len = make_reply(f, &ctx, 0xc6120005, 443, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
	/* After the blocked /24 the ranks close up: 198.18.2.0 is the 256th allowed address. */
	len = make_reply(f, &ctx, 0xc6120200, 8080, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	CHECK_EQ_U64(r.target, 256 * 2 + 1);
}

static void
test_flipped_bit_fails(void)
{
	struct trawl_probe_ctx ctx;
	struct trawl_result r;
	uint8_t f[64], g[64];
	uint16_t len;
	/* Bit offsets (in the frame) of what the MAC binds: IP source, TCP ports, ack number. */
	static const struct { int byte, nbytes; } fields[] = { { 26, 4 }, { 34, 2 }, { 36, 2 }, { 42, 4 } };
	int flips = 0, caught = 0;

	setup_ctx(&ctx);
	/* With -P 2 the neighbouring source port is a real probe's: flip against -P 1. */
	ctx.val.probes = 1;
	len = make_reply(f, &ctx, 0xc6120a0b, 8080, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	for (unsigned int k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		for (int bit = 0; bit < fields[k].nbytes * 8; bit++) {
			memcpy(g, f, len);
			g[fields[k].byte + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			flips++;
			caught += classify(&ctx, g, len, &r) != TRAWL_RX_VALID;
		}
	CHECK_EQ_U64(caught, flips);
	/* And a different key rejects the untouched reply. */
	trawl_validate_key(&ctx.val, ctx.val.key.k0, ctx.val.key.k1 ^ 1);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_INVALID);
}

static void
test_parse_bounds(void)
{
	struct trawl_probe_ctx ctx;
	struct trawl_ipv4_view v;
	struct trawl_result r;
	uint8_t f[64];
	uint32_t l3off;
	uint16_t len;

	setup_ctx(&ctx);
	len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	/* Every truncation is either not IPv4 or an invalid reply: never read past caplen. */
	for (uint32_t cut = 0; cut < 54; cut++) {
		enum trawl_rx_verdict vd = classify(&ctx, f, cut, &r);

		CHECK(vd != TRAWL_RX_VALID);
	}
	CHECK(trawl_eth_parse(f, 13, &l3off) == TRAWL_L3_OTHER);
	/* Header fields cannot widen the view: a total length beyond the capture is clipped. */
	f[14 + 2] = 0xff;
	f[14 + 3] = 0xff;
	CHECK(trawl_ipv4_parse(f + 14, 40, &v) == 0 && v.l4_len == 20 && v.cut);
	/* IHL below 5, IHL beyond the capture, version 6, a later fragment: rejected. */
	f[14] = 0x44;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) != 0);
	f[14] = 0x4f;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) != 0);
	f[14] = 0x65;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) != 0);
	f[14] = 0x45;
	f[14 + 6] = 0x00;
	f[14 + 7] = 0x10;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) != 0);
	/* A first fragment (more fragments, offset 0) too; DF alone is fine. */
	f[14 + 6] = 0x20;
	f[14 + 7] = 0x00;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) != 0);
	f[14 + 6] = 0x40;
	CHECK(trawl_ipv4_parse(f + 14, 46, &v) == 0);
	(void)len;
}

/*
 * Malformed replies that carry a valid MAC are still no result (issue 12):
 * an IP total length past the capture (the datagram was cut), and a TCP
 * data offset below 5 words or past the bytes held.
 */
static void
test_malformed_tcp(void)
{
	struct trawl_probe_ctx ctx;
	struct trawl_result r;
	uint8_t f[64], g[64];
	uint16_t len;

	setup_ctx(&ctx);
	len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
	/* The frame is padded to 60 bytes: a total length up to those 46 is padding, one past them is cut. */
	for (unsigned int total = 40; total < 400; total += 3) {
		memcpy(g, f, len);
		g[14 + 2] = (uint8_t)(total >> 8);
		g[14 + 3] = (uint8_t)total;
		CHECK((classify(&ctx, g, len, &r) == TRAWL_RX_VALID) == (total <= len - 14u));
	}
	for (unsigned int doff = 0; doff < 16; doff++) {
		memcpy(g, f, len);
		g[14 + 20 + 12] = (uint8_t)(doff << 4);
		CHECK((classify(&ctx, g, len, &r) == TRAWL_RX_VALID) == (doff == 5));
	}
}

static void
test_rst_answer(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_synscan");
	struct trawl_probe_ctx ctx;
	struct trawl_result r;
	uint8_t f[64], a[TRAWL_PROBE_MAX_LEN];
	uint16_t len;
	uint64_t tag;

	REQUIRE(ops != NULL);
	setup_ctx(&ctx);
	tag = trawl_validate_tag(&ctx.val, ctx.saddr, 0xc6120005, 80);
	/* Into a separate buffer, and in place over the reply itself (as the RX lcore does). */
	for (int in_place = 0; in_place < 2; in_place++) {
		uint8_t *out = in_place ? f : a;
		struct trawl_ipv4_view v;
		uint32_t l3off;

		len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
		CHECK(trawl_eth_parse(f, len, &l3off) == TRAWL_L3_IPV4 && trawl_ipv4_parse(f + l3off, len - l3off, &v) == 0);
		len = ops->answer(out, &v, &ctx, &r);
		CHECK_EQ_U64(len, 60);
		CHECK(ip_csum_ok(out + 14) && tcp_csum_ok(out + 14));
		CHECK(out[14 + 20 + 13] == RTE_TCP_RST_FLAG);
		CHECK_EQ_U64(((uint32_t)out[38] << 24 | (uint32_t)out[39] << 16 | (uint32_t)out[40] << 8 | out[41]),
				(uint32_t)tag + 1);
		CHECK_EQ_U64(((uint32_t)out[26] << 24 | (uint32_t)out[27] << 16 | (uint32_t)out[28] << 8 | out[29]), ctx.saddr);
		CHECK_EQ_U64(((uint32_t)out[30] << 24 | (uint32_t)out[31] << 16 | (uint32_t)out[32] << 8 | out[33]), 0xc6120005);
		CHECK_EQ_U64(((uint32_t)out[36] << 8 | out[37]), 80);
		CHECK_EQ_U64(((uint32_t)out[34] << 8 | out[35]), r.dport);
		CHECK(out[14 + 8] == 64 && out[14 + 9] == 6);      /* TTL 64, TCP */
		CHECK(out[14 + 20 + 12] == 0x50);                  /* 20-byte header, no options */
		CHECK(memcmp(out, ctx.gw_mac.addr_bytes, 6) == 0);
	}
	/* No answer to a RST. */
	{
		struct trawl_ipv4_view v;
		uint32_t l3off;

		len = make_reply(f, &ctx, 0xc6120005, 80, 0, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
		CHECK(classify(&ctx, f, len, &r) == TRAWL_RX_VALID);
		CHECK(trawl_eth_parse(f, len, &l3off) == TRAWL_L3_IPV4 && trawl_ipv4_parse(f + l3off, len - l3off, &v) == 0);
		CHECK_EQ_U64(ops->answer(a, &v, &ctx, &r), 0);
	}
}

/*
 * Checksum offload: with each of the port's offloads, the probe leaves
 * exactly what DPDK's TX checksum offload expects (IP checksum 0, TCP
 * checksum = the pseudo-header sum); finishing it as a NIC does (RFC 1071
 * over the header, over the segment seeded with that field) gives the very
 * frame the software path makes.
 */
static void
test_checksum_offload(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_synscan");
	static const uint8_t modes[] = { TRAWL_CSUM_HW_IP, TRAWL_CSUM_HW_L4, TRAWL_CSUM_HW_IP | TRAWL_CSUM_HW_L4 };
	struct trawl_target t[16];
	uint8_t sw[16][TRAWL_PROBE_MAX_LEN], hw[16][TRAWL_PROBE_MAX_LEN];
	uint8_t *bsw[16], *bhw[16];
	struct trawl_probe_ctx ctx;

	REQUIRE(ops != NULL);
	for (int i = 0; i < 16; i++) {
		t[i] = (struct trawl_target){ .addr = 0xc6120000u + (uint32_t)i * 4099u, .port = (uint16_t)(1 + i * 997), .probe = 0 };
		bsw[i] = sw[i];
		bhw[i] = hw[i];
	}
	setup_ctx(&ctx);
	CHECK_EQ_U64(ctx.tx_ol_flags, 0);
	ops->make(bsw, t, 16, &ctx);
	for (size_t m = 0; m < sizeof(modes); m++) {
		ctx.csum_hw = modes[m];
		CHECK(ops->prepare(&ctx) == 0);
		CHECK(ctx.tx_ol_flags & RTE_MBUF_F_TX_IPV4);
		CHECK(!!(ctx.tx_ol_flags & RTE_MBUF_F_TX_IP_CKSUM) == !!(modes[m] & TRAWL_CSUM_HW_IP));
		CHECK(((ctx.tx_ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) == !!(modes[m] & TRAWL_CSUM_HW_L4));
		ops->make(bhw, t, 16, &ctx);
		for (int i = 0; i < 16; i++) {
			uint8_t *ip = hw[i] + 14, *tcp = ip + 20;

			if (modes[m] & TRAWL_CSUM_HW_IP) {
				CHECK(ip[10] == 0 && ip[11] == 0);
				uint16_t c = (uint16_t)~ref_csum(ip, 20, 0);

				ip[10] = (uint8_t)(c >> 8);
				ip[11] = (uint8_t)c;
			}
			if (modes[m] & TRAWL_CSUM_HW_L4) {
				uint16_t ph = ref_csum(NULL, 0, ref_pseudo(ip));

				CHECK_EQ_U64((uint32_t)(tcp[16] << 8 | tcp[17]), ph);
				uint16_t c = (uint16_t)~ref_csum(tcp, 24, 0);

				tcp[16] = (uint8_t)(c >> 8);
				tcp[17] = (uint8_t)c;
			}
			CHECK(memcmp(hw[i], sw[i], ctx.len) == 0);
		}
	}
}

/* The division-free remainder is the remainder: every range size, the values the code feeds it. */
static void
test_sport_mod_exact(void)
{
	struct trawl_validate v;
	uint64_t bad = 0, x = 0x9e3779b97f4a7c15ULL;

	for (uint32_t count = 1; count <= 65535; count++) {
		trawl_validate_ports(&v, 1024, (uint16_t)count);
		for (int k = 0; k < 64; k++) {
			uint32_t y;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			y = (uint32_t)(x % (2 * 65536)); /* tag_hi16 + probe < 2^17 */
			bad += trawl_validate_mod(&v, y) != y % count;
		}
		bad += trawl_validate_mod(&v, 0) != 0;
		bad += trawl_validate_mod(&v, 131071) != 131071 % count;
		bad += trawl_validate_mod(&v, UINT32_MAX) != UINT32_MAX % count;
	}
	CHECK_EQ_U64(bad, 0);
}

static void
test_arp_round_trip(void)
{
	struct rte_ether_addr me = { { 2, 0, 0, 0, 0, 1 } }, bc = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } }, z = { { 0 } };
	struct trawl_arp_view v;
	uint8_t f[64];
	uint32_t l3off;

	CHECK_EQ_U64(trawl_arp_build(f, RTE_ARP_OP_REQUEST, &bc, &me, 0xc6130002, &z, 0xc6130001), 60);
	CHECK(trawl_eth_parse(f, 60, &l3off) == TRAWL_L3_ARP);
	CHECK(trawl_arp_parse(f + l3off, 60 - l3off, &v) == 0);
	CHECK(v.op == RTE_ARP_OP_REQUEST && v.spa == 0xc6130002 && v.tpa == 0xc6130001);
	CHECK(memcmp(v.sha.addr_bytes, me.addr_bytes, 6) == 0);
	CHECK(trawl_arp_parse(f + l3off, 27, &v) != 0);
	f[l3off + 4] = 8; /* hardware length 8: not Ethernet */
	CHECK(trawl_arp_parse(f + l3off, 60 - l3off, &v) != 0);
}

int
main(void)
{
	RUN(test_siphash_reference_vector);
	RUN(test_syn_probe_bytes);
	RUN(test_reply_round_trip);
	RUN(test_flipped_bit_fails);
	RUN(test_parse_bounds);
	RUN(test_malformed_tcp);
	RUN(test_rst_answer);
	RUN(test_checksum_offload);
	RUN(test_sport_mod_exact);
	RUN(test_arp_round_trip);
	return check_done();
}
