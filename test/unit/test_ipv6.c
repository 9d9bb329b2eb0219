/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6, the pure parts: the target set (lists, windows, blocklist, index
 * <-> address), packet parsing with extension headers, neighbour discovery
 * frames, and the probe modules' IPv6 probes and replies end to end in
 * memory (make6 -> a reply built here -> classify6 -> answer6).
 */
#include <string.h>

#include <rte_udp.h>

#include "app/core/icmp.h"
#include "app/core/ndp.h"
#include "app/core/space6.h"
#include "app/probes/probe.h"
#include "app/probes/tcp.h"
#include "test/unit/check.h"

static struct trawl_ip6
ip6(const char *s)
{
	struct trawl_ip6 a = { 0, 0 };

	CHECK(trawl_parse_ipv6(s, &a) == 0);
	return a;
}

static struct trawl_window6
win(const char *s)
{
	struct trawl_window6 w;
	struct trawl_ip6 a;
	struct trawl_err err;
	int is_addr = 0;

	memset(&w, 0, sizeof(w));
	CHECK(trawl_space6_parse_target(s, &is_addr, &a, &w, &err) == 0 && !is_addr);
	return w;
}

static struct trawl_ip6 *
list_of(const char *const *s, size_t n)
{
	struct trawl_ip6 *v = malloc(n * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = ip6(s[i]);
	return v;
}

static void
test_space6_index_both_ways(void)
{
	static const char *const l[] = { "2001:2::5", "2001:2::9", "2001:2:1::1:1", "2001:2:7::1" };
	struct trawl_window6 w[2] = { win("2001:2:1::/48-56"), win("2001:2:9::/120") };
	struct trawl_ranges block = { 0 };
	struct trawl_space6 s;
	struct trawl_err err;

	REQUIRE(trawl_ranges_add6(&block, (struct trawl_prefix6){ ip6("2001:2:7::"), 48 }) == 0);
	REQUIRE(trawl_space6_build(&s, list_of(l, 4), 4, w, 2, &block, &err) == 0);
	/* 2001:2:7::1 is blocked; 2001:2:1::1:1 is not the ::1 of its /56 (2001:2:1::1 is): kept. */
	CHECK_EQ_U64(s.nlist, 3);
	CHECK_EQ_U64(s.list_blocked, 1);
	CHECK_EQ_U64(trawl_space6_count(&s), 3 + 256 + 256);
	for (uint64_t i = 0; i < trawl_space6_count(&s); i++)
		CHECK_EQ_U64(trawl_space6_index(&s, trawl_space6_at(&s, i)), i);
	CHECK(trawl_ip6_eq(trawl_space6_at(&s, 3), ip6("2001:2:1::1")));
	CHECK(trawl_ip6_eq(trawl_space6_at(&s, 3 + 255), ip6("2001:2:1:ff00::1")));
	CHECK(trawl_ip6_eq(trawl_space6_at(&s, 3 + 256), ip6("2001:2:9::")));
	/* Not targets: another IID in a window's /56, outside everything, a blocked list address. */
	CHECK_EQ_U64(trawl_space6_index(&s, ip6("2001:2:1::2")), TRAWL_SPACE6_NONE);
	CHECK_EQ_U64(trawl_space6_index(&s, ip6("2001:2:9::100")), TRAWL_SPACE6_NONE);
	CHECK_EQ_U64(trawl_space6_index(&s, ip6("2001:2:7::1")), TRAWL_SPACE6_NONE);
	CHECK_EQ_U64(trawl_space6_index(&s, ip6("::")), TRAWL_SPACE6_NONE);
	trawl_space6_free(&s);
	trawl_ranges_free(&block);
}

static void
test_space6_exactly_once(void)
{
	/* A list address a window probes is the window's alone. */
	static const char *const l[] = { "2001:2:1:100::1", "2001:2::1" };
	struct trawl_window6 w[2] = { win("2001:2:1::/48-56"), win("2001:2:1:4000::/50-56") };
	struct trawl_ranges block = { 0 };
	struct trawl_space6 s;
	struct trawl_err err;

	CHECK(trawl_space6_build(&s, list_of(l, 2), 2, w, 1, NULL, &err) == 0);
	CHECK_EQ_U64(s.nlist, 1);
	CHECK_EQ_U64(s.list_in_window, 1);
	CHECK_EQ_U64(trawl_space6_count(&s), 257);
	trawl_space6_free(&s);
	/* Overlapping windows: refused, naming both. */
	CHECK(trawl_space6_build(&s, NULL, 0, w, 2, NULL, &err) == -EINVAL && strstr(err.msg, "overlap") != NULL);
	/* A window the blocklist holds whole: refused; one it holds in part: flagged, its blocked addresses skipped. */
	REQUIRE(trawl_ranges_add6(&block, (struct trawl_prefix6){ ip6("2001:2::"), 32 }) == 0);
	CHECK(trawl_space6_build(&s, NULL, 0, w, 1, &block, &err) == -EINVAL && strstr(err.msg, "blocklist") != NULL);
	trawl_ranges_free(&block);
	memset(&block, 0, sizeof(block));
	REQUIRE(trawl_ranges_add6(&block, (struct trawl_prefix6){ ip6("2001:2:1:200::"), 56 }) == 0);
	REQUIRE(trawl_space6_build(&s, NULL, 0, w, 1, &block, &err) == 0);
	CHECK(s.win_blocked[0]);
	for (uint64_t i = 0; i < 256; i++)
		CHECK_EQ_U64(trawl_space6_blocked(&s, i, trawl_space6_at(&s, i)), i == 2);
	trawl_space6_free(&s);
	trawl_ranges_free(&block);
}

static void
test_space6_targets(void)
{
	struct trawl_window6 w;
	struct trawl_ip6 a;
	struct trawl_err err;
	int is_addr = 0;

	CHECK(trawl_space6_parse_target("2001:2::1", &is_addr, &a, &w, &err) == 0 && is_addr &&
			trawl_ip6_eq(a, ip6("2001:2::1")));
	CHECK(trawl_space6_parse_target("2001:2::/112", &is_addr, &a, &w, &err) == 0 && !is_addr && w.a == 112 &&
			w.b == 128 && trawl_window6_count(&w) == 65536);
	CHECK(trawl_space6_parse_target("2001:2::/32-48", &is_addr, &a, &w, &err) == 0 && w.a == 32 && w.b == 48);
	CHECK(trawl_space6_parse_target("2001:2::/64", &is_addr, &a, &w, &err) == -EINVAL &&
			strstr(err.msg, "2^64") != NULL);
	CHECK(trawl_space6_parse_target("2001:2::/16-80", &is_addr, &a, &w, &err) == -EINVAL);
	CHECK(trawl_space6_parse_target("2001:2::g", &is_addr, &a, &w, &err) == -EINVAL);
	CHECK(trawl_space6_parse_target("198.18.0.1", &is_addr, &a, &w, &err) == -ENOENT);
}

/* An IPv6 packet: header, then @p ext extension header bytes, then @p l4 bytes, into @p buf. */
static uint32_t
pkt6(uint8_t *buf, uint8_t first, const uint8_t *ext, uint32_t ext_len, uint8_t nh_last, uint32_t l4_len)
{
	struct rte_ipv6_hdr *ip = (void *)buf;

	memset(buf, 0, 40 + ext_len + l4_len);
	ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(ext_len + l4_len));
	ip->proto = ext_len ? first : nh_last;
	ip->hop_limits = 64;
	memcpy(buf + 40, ext, ext_len);
	return 40 + ext_len + l4_len;
}

static void
test_ipv6_parse_extensions(void)
{
	uint8_t buf[512], ext[256];
	struct trawl_ipv6_view v;
	uint32_t len;

	/* Hop-by-hop (8 bytes) -> destination options (16) -> TCP. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_DSTOPTS;
	ext[1] = 0;
	ext[8] = IPPROTO_TCP;
	ext[9] = 1;
	len = pkt6(buf, IPPROTO_HOPOPTS, ext, 24, IPPROTO_TCP, 20);
	CHECK(trawl_ipv6_parse(buf, len, &v) == 0 && v.proto == IPPROTO_TCP && v.l4 == buf + 64 && v.l4_len == 20 &&
			!v.cut);
	/* The same captured short: cut, the upper layer bounded by what is held. */
	CHECK(trawl_ipv6_parse(buf, len - 5, &v) == 0 && v.cut && v.l4_len == 15);
	/* A chain reaching past the capture: refused. */
	CHECK(trawl_ipv6_parse(buf, 50, &v) == -EINVAL);
	/* An extension header's length past the payload: refused. */
	ext[9] = 20;
	len = pkt6(buf, IPPROTO_HOPOPTS, ext, 24, IPPROTO_TCP, 20);
	CHECK(trawl_ipv6_parse(buf, len, &v) == -EINVAL);
	/* A fragment that is not atomic (offset or more-fragments): refused; an atomic one passes. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_ICMPV6;
	ext[3] = 1; /* M */
	len = pkt6(buf, IPPROTO_FRAGMENT, ext, 8, 0, 8);
	CHECK(trawl_ipv6_parse(buf, len, &v) == -EINVAL);
	ext[3] = 0;
	ext[2] = 0x01; /* offset 32 */
	len = pkt6(buf, IPPROTO_FRAGMENT, ext, 8, 0, 8);
	CHECK(trawl_ipv6_parse(buf, len, &v) == -EINVAL);
	ext[2] = 0;
	len = pkt6(buf, IPPROTO_FRAGMENT, ext, 8, 0, 8);
	CHECK(trawl_ipv6_parse(buf, len, &v) == 0 && v.proto == IPPROTO_ICMPV6);
	/* Nine destination-options headers: past TRAWL_IPV6_MAX_EXT, refused; eight pass. */
	memset(ext, 0, sizeof(ext));
	for (int i = 0; i < 9; i++)
		ext[8 * i] = i == 8 ? IPPROTO_TCP : IPPROTO_DSTOPTS;
	len = pkt6(buf, IPPROTO_DSTOPTS, ext, 72, 0, 20);
	CHECK(trawl_ipv6_parse(buf, len, &v) == -EINVAL);
	ext[8 * 7] = IPPROTO_TCP;
	len = pkt6(buf, IPPROTO_DSTOPTS, ext, 64, 0, 20);
	CHECK(trawl_ipv6_parse(buf, len, &v) == 0 && v.proto == IPPROTO_TCP);
	/* Not version 6, or shorter than the header. */
	buf[0] = 0x40;
	CHECK(trawl_ipv6_parse(buf, len, &v) == -EINVAL);
	CHECK(trawl_ipv6_parse(buf, 39, &v) == -EINVAL);
}

static void
test_ndp_round_trip(void)
{
	const struct rte_ether_addr me = { { 0x02, 0, 0, 0, 0, 0x01 } }, gw = { { 0x02, 0, 0, 0, 0, 0x02 } };
	uint8_t ns[128], na[128];
	struct trawl_ndp_view v, w;
	uint16_t len;

	len = trawl_ndp_build_ns(ns, &gw, ip6("2001:2:ff::1"), ip6("2001:2:ff::2"));
	CHECK_EQ_U64(len, TRAWL_NDP_FRAME_LEN);
	REQUIRE(trawl_ndp_parse(ns, len, &v) == 0);
	CHECK(v.type == TRAWL_ICMP6_NS && trawl_ip6_eq(v.target, ip6("2001:2:ff::2")) && v.has_option &&
			rte_is_same_ether_addr(&v.lladdr, &gw));
	/* To the solicited-node address and its multicast MAC. */
	CHECK(ns[0] == 0x33 && ns[1] == 0x33 && ns[2] == 0xff && ns[5] == 0x02 && ns[14 + 24] == 0xff && ns[14 + 24 + 1] == 0x02);
	len = trawl_ndp_build_na(na, &me, ip6("2001:2:ff::2"), &v);
	REQUIRE(trawl_ndp_parse(na, len, &w) == 0);
	CHECK(w.type == TRAWL_ICMP6_NA && trawl_ip6_eq(w.target, ip6("2001:2:ff::2")) && w.flags == 0x60 &&
			rte_is_same_ether_addr(&w.lladdr, &me));
	CHECK(memcmp(na, &gw, 6) == 0 && trawl_ip6_eq(trawl_ip6_load(na + 14 + 24), ip6("2001:2:ff::1")));
	/* A wrong checksum, a hop limit a router could have lowered, an option of length 0: refused. */
	na[60] ^= 1;
	CHECK(trawl_ndp_parse(na, len, &w) == -EINVAL);
	na[60] ^= 1;
	na[14 + 7] = 254;
	CHECK(trawl_ndp_parse(na, len, &w) == -EINVAL);
	na[14 + 7] = 255;
	na[14 + 40 + 25] = 0;
	CHECK(trawl_ndp_parse(na, len, &w) == -EINVAL);
	CHECK(trawl_ndp_parse(na, 60, &w) == -EINVAL);
}

/* --- the probe modules' IPv6 frames, end to end in memory ------------------ */

static struct trawl_space6 space6;
static struct trawl_ports ports;
static struct trawl_target_space space;

static void
setup6(struct trawl_probe_ctx *ctx, const char *module, const char *portspec)
{
	static const char *const l[] = { "2001:2::5", "2001:2::9" };
	static const struct rte_ether_addr src = { { 0x02, 0, 0, 0, 0, 0x01 } }, gw = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct trawl_window6 w = win("2001:2:1::/120");
	struct trawl_err err;

	memset(ctx, 0, sizeof(*ctx));
	trawl_validate_key(&ctx->val, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	trawl_validate_ports(&ctx->val, 32768, 61000 - 32768 + 1);
	ctx->val.probes = 1;
	ctx->saddr6 = ip6("2001:2:ff::2");
	ctx->src_mac = src;
	ctx->gw_mac = gw;
	trawl_space6_free(&space6);
	CHECK(trawl_space6_build(&space6, list_of(l, 2), 2, &w, 1, NULL, &err) == 0);
	trawl_ports_parse(&ports, portspec, NULL);
	trawl_target_space_init6(&space, &space6, &ports);
	ctx->space = &space;
	CHECK(trawl_probe_find(module)->prepare6(ctx) == 0);
}

/* The frame at @p f (Ethernet + IPv6 without extension headers): its upper-layer checksum is right. */
static int
csum6_ok(const uint8_t *f)
{
	/* The folded sum of pseudo-header and segment, checksum included: all ones when right. */
	return __rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)(f + 14), f + 54) == 0xffff;
}

/* A reply to the probe at @p probe: addresses and ports swapped, the flags, ack = seq + 1. */
static uint32_t
syn_reply(const uint8_t *probe, uint8_t *r, uint8_t flags, uint32_t ack_delta)
{
	struct rte_ipv6_hdr *ip = (void *)(r + 14);
	struct rte_tcp_hdr *t = (void *)(r + 54);
	const struct rte_tcp_hdr *pt = (const void *)(probe + 54);

	memcpy(r, probe, 78);
	memcpy(ip->src_addr, probe + 14 + 24, 16);
	memcpy(ip->dst_addr, probe + 14 + 8, 16);
	ip->payload_len = rte_cpu_to_be_16(20);
	t->src_port = pt->dst_port;
	t->dst_port = pt->src_port;
	t->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(pt->sent_seq) + ack_delta);
	t->sent_seq = rte_cpu_to_be_32(777);
	t->tcp_flags = flags;
	t->data_off = 5 << 4;
	t->rx_win = rte_cpu_to_be_16(29200);
	t->cksum = 0;
	t->cksum = rte_ipv6_udptcp_cksum(ip, t);
	return 74;
}

static void
test_tcp6_round_trip(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_synscan");
	struct trawl_probe_ctx ctx;
	struct trawl_target6 t = { .addr = ip6("2001:2:1::7"), .port = 443, .probe = 0 };
	uint8_t probe[128], reply[128], *bufs[1] = { probe };
	struct trawl_ipv6_view v;
	struct trawl_result r;
	uint64_t tag;

	setup6(&ctx, "tcp_synscan", "80,443");
	ops->make6(bufs, &t, 1, &ctx);
	CHECK_EQ_U64(ctx.len6, 78);
	CHECK(csum6_ok(probe));
	CHECK(trawl_ip6_eq(trawl_ip6_load(probe + 14 + 24), t.addr) && probe[14 + 7] == 255 && probe[14 + 6] == IPPROTO_TCP);
	/* The tag: AES of the target, then of that and the port (validate.h), the portable AES as the check. */
	{
		struct trawl_mac m;

		trawl_mac_init(&m, 0x0123456789abcdefULL, 0xfedcba9876543210ULL, TRAWL_MAC_PORTABLE);
		tag = m.tag(&m, m.tag(&m, t.addr.hi, t.addr.lo), TRAWL_MAC6_DOMAIN | 443);
		CHECK_EQ_U64(tag, trawl_validate_tag6(&ctx.val, t.addr, 443));
		CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(probe + 54))->sent_seq), (uint32_t)tag);
	}
	/* Its SYN-ACK: valid, the target's index, the reply's source as responder; the RST answers it. */
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	REQUIRE(trawl_ipv6_parse(reply + 14, 74 - 14, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_SYNACK && r.success && r.sport == 443 && r.window == 29200);
	CHECK_EQ_U64(r.target, trawl_target6_index(&space, t.addr, 443));
	CHECK(trawl_ip6_eq(trawl_target6_addr(&space, r.target), t.addr));
	CHECK(trawl_ip6_eq(trawl_ip6_load(r.responder6), t.addr));
	{
		uint8_t rst[128];
		uint16_t len = ops->answer6(rst, &v, &ctx, &r);

		CHECK_EQ_U64(len, 74);
		CHECK(csum6_ok(rst) && rst[54 + 13] == RTE_TCP_RST_FLAG);
		CHECK(trawl_ip6_eq(trawl_ip6_load(rst + 14 + 24), t.addr));
		CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(rst + 54))->sent_seq), (uint32_t)tag + 1);
	}
	/* A RST: valid, closed. A wrong acknowledgement, another address, a port not scanned: invalid. */
	syn_reply(probe, reply, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 1);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID && r.cls == TRAWL_CLASS_RST && !r.success);
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 2);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	reply[14 + 8 + 15] ^= 1;
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	/* Not to our address: not ours at all. */
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	reply[14 + 24 + 15] ^= 1;
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_OTHER);
	/*
	 * TCP checksum offload (drivers/ found it): the probe carries the
	 * pseudo-header's sum where the checksum goes, the port sums the
	 * segment over it; done here by hand, it is the software probe.
	 */
	{
		uint8_t hw[128], *hb[1] = { hw };
		uint32_t sum = 0;

		ctx.csum_hw = TRAWL_CSUM_HW_L4;
		REQUIRE(ops->prepare6(&ctx) == 0);
		CHECK(ctx.tx_ol_flags6 == (RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM));
		ops->make6(hb, &t, 1, &ctx);
		for (int i = 54; i < 78; i += 2)
			sum += (uint32_t)(hw[i] << 8 | hw[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		sum = (uint16_t)~sum;
		hw[54 + 16] = (uint8_t)(sum >> 8);
		hw[54 + 17] = (uint8_t)sum;
		CHECK(memcmp(hw, probe, 78) == 0);
		ctx.csum_hw = 0;
		REQUIRE(ops->prepare6(&ctx) == 0);
		CHECK(ctx.tx_ol_flags6 == 0);
	}
	/* A probe to an address that is no target (the window's /120 holds ::0-::ff only) validates nothing. */
	t.addr = ip6("2001:2:1::100");
	ops->make6(bufs, &t, 1, &ctx);
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
}

/*
 * tcp_banner over IPv6: SYN-ACK -> the ACK carrying the HTTP request (Host
 * an IPv6 literal); the server's data -> a DATA result and the RST at
 * what it acknowledged; a held handshake's reset at isn + 1 + the
 * request; a SYN-ACK acknowledging past our SYN: invalid.
 */
static void
test_banner6_round_trip(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("tcp_banner");
	struct trawl_probe_ctx ctx;
	struct trawl_target6 t = { .addr = ip6("2001:2::9"), .port = 80, .probe = 0 };
	uint8_t probe[128], reply[256], out[1600], *bufs[1] = { probe }, data[RTE_ALIGN(TRAWL_RESULT_DATA_MAX, 64)];
	struct trawl_ipv6_view v;
	struct trawl_result r;
	struct trawl_err err;
	uint32_t isn;
	uint16_t len, glen;
	static const char want_get[] = "GET / HTTP/1.1\r\nHost: [2001:2::9]\r\n";

	setup6(&ctx, "tcp_banner", "80");
	memset(&ctx.args, 0, sizeof(ctx.args));
	REQUIRE(ops->parse_args("http", &ctx.args, &err) == 0);
	REQUIRE(ops->prepare6(&ctx) == 0);
	ops->make6(bufs, &t, 1, &ctx);
	CHECK(csum6_ok(probe));
	isn = (uint32_t)trawl_validate_tag6(&ctx.val, t.addr, 80);
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	r.data = data;
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_SYNACK && r.success && r.seq == 777);
	len = ops->answer6(out, &v, &ctx, &r);
	glen = (uint16_t)(len - 74);
	CHECK(len > 74 && len <= 1514 && csum6_ok(out) && out[54 + 13] == (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG));
	CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(out + 54))->sent_seq), isn + 1);
	CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(out + 54))->recv_ack), 778);
	CHECK_EQ_U64(rte_be_to_cpu_16(((struct rte_ipv6_hdr *)(out + 14))->payload_len), 20u + glen);
	CHECK(memcmp(out + 74, want_get, sizeof(want_get) - 1) == 0);
	CHECK(trawl_ip6_eq(trawl_ip6_load(out + 14 + 24), t.addr));
	/* The server's response, acknowledging our request: a DATA result, and the RST at that acknowledgement. */
	syn_reply(probe, reply, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1 + glen);
	memcpy(reply + 74, "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", 30);
	((struct rte_ipv6_hdr *)(reply + 14))->payload_len = rte_cpu_to_be_16(50);
	((struct rte_tcp_hdr *)(reply + 54))->cksum = 0;
	((struct rte_tcp_hdr *)(reply + 54))->cksum = rte_ipv6_udptcp_cksum((void *)(reply + 14), reply + 54);
	REQUIRE(trawl_ipv6_parse(reply + 14, 90, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_DATA && r.success && r.data_len == 30 && memcmp(r.data, "HTTP/1.1 200", 12) == 0);
	CHECK_EQ_U64(r.target, trawl_target6_index(&space, t.addr, 80));
	len = ops->answer6(out, &v, &ctx, &r);
	CHECK(len == 74 && csum6_ok(out) && out[54 + 13] == RTE_TCP_RST_FLAG);
	CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(out + 54))->sent_seq), isn + 1 + glen);
	/* A handshake that brought nothing: reset6 at isn + 1 + the request, to the target. */
	len = ops->reset6(out, &ctx, &r);
	CHECK(len == 74 && csum6_ok(out) && out[54 + 13] == RTE_TCP_RST_FLAG);
	CHECK_EQ_U64(rte_be_to_cpu_32(((struct rte_tcp_hdr *)(out + 54))->sent_seq), isn + 1 + glen);
	CHECK(trawl_ip6_eq(trawl_ip6_load(out + 14 + 24), t.addr));
	/* Acknowledging neither isn + 1 nor past the request: invalid. */
	syn_reply(probe, reply, RTE_TCP_ACK_FLAG, 2);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	/* A SYN-ACK that acknowledges the request (it cannot have): invalid. */
	syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1 + glen);
	REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	/*
	 * Canaries: a port the MAC picks outside the scan's; its SYN-ACK is a
	 * canary result keyed count + the address's first target, whose row
	 * prints the address; its RST is nothing to learn; its data and a
	 * closed scan port's RST as before. Both modules.
	 */
	ctx.canaries = 2;
	for (int mod = 0; mod < 2; mod++) {
		const struct trawl_probe_ops *o = trawl_probe_find(mod ? "tcp_synscan" : "tcp_banner");
		struct trawl_target6 ct = t;
		int canary;

		ct.port = trawl_tcp6_canary_port(&ctx, t.addr, 1);
		CHECK(ct.port != 0 && ct.port != 80 && trawl_target6_index(&space, t.addr, ct.port) == TRAWL_TARGET_NONE);
		CHECK(ct.port == trawl_tcp6_canary_port(&ctx, t.addr, 1) && ct.port != trawl_tcp6_canary_port(&ctx, t.addr, 0));
		CHECK_EQ_U64(trawl_tcp6_target(&ctx, t.addr, ct.port, &canary), space.count + trawl_target6_index(&space, t.addr, 80));
		CHECK(canary == 1);
		o->make6(bufs, &ct, 1, &ctx);
		syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
		REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
		REQUIRE(o->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
		CHECK(r.cls == TRAWL_CLASS_CANARY && !r.success && r.sport == ct.port);
		CHECK(r.target >= space.count && trawl_ip6_eq(trawl_target6_addr(&space, r.target), t.addr));
		len = o->answer6(out, &v, &ctx, &r);
		CHECK(len == 74 && csum6_ok(out) && out[54 + 13] == RTE_TCP_RST_FLAG);
		syn_reply(probe, reply, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 1);
		REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
		CHECK(o->classify6(&ctx, &v, &r) == TRAWL_RX_OTHER);
		/* no canaries asked: that port is no target */
		ctx.canaries = 0;
		syn_reply(probe, reply, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
		REQUIRE(trawl_ipv6_parse(reply + 14, 60, &v) == 0);
		CHECK(o->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
		ctx.canaries = 2;
	}
}

static void
test_icmp6_round_trip(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("icmp_echoscan");
	struct trawl_probe_ctx ctx;
	struct trawl_target6 t = { .addr = ip6("2001:2::9"), .port = 0, .probe = 0 };
	uint8_t probe[128], reply[256], *bufs[1] = { probe };
	struct rte_ipv6_hdr *ip = (void *)(reply + 14);
	struct trawl_ipv6_view v;
	struct trawl_result r;

	setup6(&ctx, "icmp_echoscan", "0");
	ops->make6(bufs, &t, 1, &ctx);
	CHECK_EQ_U64(ctx.len6, 62);
	CHECK(csum6_ok(probe) && probe[54] == TRAWL_ICMP6_ECHO);
	/* The echo reply. */
	memcpy(reply, probe, 62);
	memcpy(ip->src_addr, probe + 14 + 24, 16);
	memcpy(ip->dst_addr, probe + 14 + 8, 16);
	reply[54] = TRAWL_ICMP6_ECHOREPLY;
	REQUIRE(trawl_ipv6_parse(reply + 14, 48, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_ECHOREPLY && r.success && r.target == trawl_target6_index(&space, t.addr, 0));
	/* A router's address unreachable quoting the probe: valid, about the target, from the router. */
	memcpy(reply + 62, probe + 14, 48); /* the quote: the probe's IPv6 header and ICMPv6 */
	memset(reply + 54, 0, 8);
	reply[54] = TRAWL_ICMP6_UNREACH;
	reply[55] = 3;
	trawl_ip6_store(ip->src_addr, ip6("2001:2:ff::1"));
	ip->payload_len = rte_cpu_to_be_16(8 + 48);
	REQUIRE(trawl_ipv6_parse(reply + 14, 40 + 56, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_UNREACH && !r.success && r.icmp_type == 1 && r.icmp_code == 3);
	CHECK(r.target == trawl_target6_index(&space, t.addr, 0));
	CHECK(trawl_ip6_eq(trawl_ip6_load(r.responder6), ip6("2001:2:ff::1")));
	/* The quote cut inside the echo header, or of a probe from another source: invalid. */
	ip->payload_len = rte_cpu_to_be_16(8 + 44);
	REQUIRE(trawl_ipv6_parse(reply + 14, 40 + 52, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	ip->payload_len = rte_cpu_to_be_16(8 + 48);
	reply[62 + 8 + 15] ^= 1;
	REQUIRE(trawl_ipv6_parse(reply + 14, 40 + 56, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	/* A neighbour solicitation is not about a probe. */
	reply[54] = TRAWL_ICMP6_NS;
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_OTHER);
}

static void
test_udp6_round_trip(void)
{
	const struct trawl_probe_ops *ops = trawl_probe_find("udp");
	struct trawl_probe_ctx ctx;
	struct trawl_target6 t = { .addr = ip6("2001:2::5"), .port = 443, .probe = 0 };
	uint8_t probe[256], reply[512], *bufs[1] = { probe };
	struct rte_ipv6_hdr *ip = (void *)(reply + 14);
	struct rte_udp_hdr *u = (void *)(reply + 54);
	uint8_t keep[TRAWL_UDP_DATA_MAX];
	struct trawl_ipv6_view v;
	struct trawl_result r = { .data = keep };
	struct trawl_err err;

	setup6(&ctx, "udp", "53,443");
	REQUIRE(ops->parse_args("text:hello", &ctx.args, &err) == 0);
	REQUIRE(ops->prepare6(&ctx) == 0);
	ops->make6(bufs, &t, 1, &ctx);
	CHECK_EQ_U64(ctx.len6, 62 + 5);
	CHECK(csum6_ok(probe) && memcmp(probe + 62, "hello", 5) == 0);
	/* The reply from the target port to our source port, 4 bytes of data. */
	memcpy(reply, probe, 62);
	memcpy(ip->src_addr, probe + 14 + 24, 16);
	memcpy(ip->dst_addr, probe + 14 + 8, 16);
	u->src_port = rte_cpu_to_be_16(443);
	u->dst_port = ((struct rte_udp_hdr *)(probe + 54))->src_port;
	u->dgram_len = rte_cpu_to_be_16(12);
	ip->payload_len = rte_cpu_to_be_16(12);
	memcpy(reply + 62, "data", 4);
	REQUIRE(trawl_ipv6_parse(reply + 14, 52, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_UDP && r.success && r.data_len == 4 && memcmp(keep, "data", 4) == 0);
	CHECK(r.target == trawl_target6_index(&space, t.addr, 443));
	/* Another destination port of ours: invalid. */
	u->dst_port = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(u->dst_port) + 1));
	REQUIRE(trawl_ipv6_parse(reply + 14, 52, &v) == 0);
	CHECK(ops->classify6(&ctx, &v, &r) == TRAWL_RX_INVALID);
	/* The target's port unreachable quoting the probe: closed. */
	memset(reply + 54, 0, 8);
	reply[54] = TRAWL_ICMP6_UNREACH;
	reply[55] = TRAWL_ICMP6_UNREACH_PORT;
	ip->proto = IPPROTO_ICMPV6;
	memcpy(reply + 62, probe + 14, 40 + 8 + 5);
	ip->payload_len = rte_cpu_to_be_16(8 + 53);
	REQUIRE(trawl_ipv6_parse(reply + 14, 40 + 61, &v) == 0);
	REQUIRE(ops->classify6(&ctx, &v, &r) == TRAWL_RX_VALID);
	CHECK(r.cls == TRAWL_CLASS_ICMP_UNREACH && !r.success && r.icmp_type == 1 && r.icmp_code == 4);
	/* A payload too long for a 1500-byte IPv6 packet is refused at set-up. */
	ctx.args.payload_len = TRAWL_UDP6_PAYLOAD_MAX + 1;
	CHECK(ops->prepare6(&ctx) == -EMSGSIZE);
}

int
main(void)
{
	RUN(test_space6_index_both_ways);
	RUN(test_space6_exactly_once);
	RUN(test_space6_targets);
	RUN(test_ipv6_parse_extensions);
	RUN(test_ndp_round_trip);
	RUN(test_tcp6_round_trip);
	RUN(test_banner6_round_trip);
	RUN(test_icmp6_round_trip);
	RUN(test_udp6_round_trip);
	trawl_space6_free(&space6);
	return check_done();
}
