/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udp: one UDP datagram per (address, port) carrying the --probe-args
 * payload; a UDP reply from the target port to our source port is a
 * success (the port is open), and an ICMP destination unreachable quoting
 * our probe classifies it closed (code 3, port unreachable) or filtered.
 *
 * The source port comes from the validation tag (AES-128 of our address,
 * the target, the target port: app/core/mac.h) as in tcp_synscan, so a reply is checked
 * without per-target state. A UDP reply echoes nothing else of the probe:
 * its forgery chance is one in the source-port range, as for ZMap's udp
 * module, and that is inherent to UDP. An ICMP error quotes more: the
 * quoted source port, destination and destination port must all match, and
 * the quoted IP ID must be the one this module sends.
 */
#include <errno.h>
#include <string.h>

#include <rte_udp.h>

#include "app/core/fingerprint.h"
#include "app/core/icmp.h"
#include "app/core/payload.h"
#include "app/probes/frame.h"
#include "app/probes/probe.h"

#define UDP_TTL 255

struct udp_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
} __attribute__((packed, aligned(2)));

enum { IP_BASE, UDP_BASE };

/* --- --probe-args ------------------------------------------------------- */

/* file:PATH: the whole file, at most TRAWL_PROBE_PAYLOAD_MAX bytes. */
static int
args_file(const char *path, struct trawl_probe_args *a, struct trawl_err *err)
{
	size_t len;
	int rc = trawl_payload_file(path, a->payload, sizeof(a->payload), &len);

	if (rc == -E2BIG)
		return trawl_err_set(err, -EINVAL, "--probe-args file:%s: longer than %d bytes (the most one "
				"1500-byte IP packet carries)", path, TRAWL_PROBE_PAYLOAD_MAX);
	if (rc != 0)
		return trawl_err_set(err, -EINVAL, "--probe-args file:%s: %s", path, strerror(-rc));
	a->payload_len = (uint16_t)len;
	return 0;
}

/* hex:HEX: an even number of hex digits. */
static int
args_hex(const char *h, struct trawl_probe_args *a, struct trawl_err *err)
{
	size_t len;

	switch (trawl_payload_hex(h, a->payload, sizeof(a->payload), &len)) {
	case 0:
		a->payload_len = (uint16_t)len;
		return 0;
	case -EINVAL:
		return trawl_err_set(err, -EINVAL, "--probe-args hex: an odd number of hex digits");
	case -E2BIG:
		return trawl_err_set(err, -EINVAL, "--probe-args hex: longer than %d bytes", TRAWL_PROBE_PAYLOAD_MAX);
	default:
		return trawl_err_set(err, -EINVAL, "--probe-args hex: '%c%c' at offset %zu is not a hex byte",
				h[len], h[len + 1], len);
	}
}

int
trawl_probe_payload_args(const char *args, struct trawl_probe_args *a, struct trawl_err *err)
{
	size_t len;

	if (strncmp(args, "text:", 5) == 0) {
		len = strlen(args + 5);
		if (len > sizeof(a->payload))
			return trawl_err_set(err, -EINVAL, "--probe-args text: longer than %d bytes", TRAWL_PROBE_PAYLOAD_MAX);
		memcpy(a->payload, args + 5, len);
		a->payload_len = (uint16_t)len;
		return 0;
	}
	if (strncmp(args, "hex:", 4) == 0)
		return args_hex(args + 4, a, err);
	if (strncmp(args, "file:", 5) == 0)
		return args_file(args + 5, a, err);
	return -ENOENT;
}

static int
udp_parse_args(const char *args, struct trawl_probe_args *a, struct trawl_err *err)
{
	int rc;

	if (args == NULL)
		return trawl_err_set(err, -EINVAL, "-M udp needs --probe-args text:STRING, hex:HEX or file:PATH "
				"(the payload; config/udp-probes/ has some for common services)");
	rc = trawl_probe_payload_args(args, a, err);
	if (rc == -ENOENT)
		return trawl_err_set(err, -EINVAL, "--probe-args '%s': expected text:STRING, hex:HEX or file:PATH", args);
	return rc;
}

/* --- probes ------------------------------------------------------------- */

/* The IP ID: a key-free relation a responder can check (trawl_fp_trawl_udp_ipid), quoted back in ICMP errors. */
static int
udp_prepare(struct trawl_probe_ctx *ctx)
{
	struct udp_frame *f = (void *)ctx->tmpl;
	uint16_t plen = ctx->args.payload_len;
	uint16_t ulen = (uint16_t)(sizeof(f->udp) + plen);

	memset(ctx->tmpl, 0, sizeof(ctx->tmpl));
	trawl_frame_l2l3(&f->eth, &f->ip, ctx, IPPROTO_UDP, ulen, UDP_TTL);
	f->udp.dgram_len = rte_cpu_to_be_16(ulen);
	ctx->len = (uint16_t)RTE_MAX((unsigned int)TRAWL_ETH_MIN_LEN, (unsigned int)(sizeof(*f) + plen));
	ctx->priv[IP_BASE] = trawl_frame_sum((const uint8_t *)&f->ip, sizeof(f->ip));
	/* UDP length twice (header and pseudo-header), protocol, our address, the payload. */
	ctx->priv[UDP_BASE] = 2u * ulen + IPPROTO_UDP + trawl_frame_sum32(ctx->saddr) +
		trawl_frame_sum(ctx->args.payload, plen);
	/* All in software: the payload's sum is taken once, each probe adds three words. */
	ctx->tx_ol_flags = 0;
	return 0;
}

static void
udp_make(uint8_t *const bufs[], const struct trawl_target tgt[], unsigned int n, const struct trawl_probe_ctx *ctx)
{
	uint16_t plen = ctx->args.payload_len;
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target_tags(&ctx->val, ctx->saddr, tgt, n, 1, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct udp_frame *f = (void *)bufs[i];
		uint32_t daddr = tgt[i].addr, dsum = trawl_frame_sum32(daddr);
		uint16_t dport = tgt[i].port;
		uint64_t tag = tags[i];
		uint16_t sport = trawl_validate_sport(&ctx->val, tag, tgt[i].probe);
		uint16_t ipid = trawl_fp_trawl_udp_ipid(daddr, sport, dport);
		uint16_t ck;

		memcpy(f, ctx->tmpl, sizeof(*f));
		memcpy(f + 1, ctx->args.payload, plen);
		if (sizeof(*f) + plen < TRAWL_ETH_MIN_LEN)
			memset((uint8_t *)(f + 1) + plen, 0, TRAWL_ETH_MIN_LEN - sizeof(*f) - plen);
		f->ip.dst_addr = rte_cpu_to_be_32(daddr);
		f->ip.packet_id = rte_cpu_to_be_16(ipid);
		f->ip.hdr_checksum = rte_cpu_to_be_16(trawl_frame_fold(ctx->priv[IP_BASE] + dsum + ipid));
		f->udp.src_port = rte_cpu_to_be_16(sport);
		f->udp.dst_port = rte_cpu_to_be_16(dport);
		ck = trawl_frame_fold(ctx->priv[UDP_BASE] + dsum + sport + dport);
		f->udp.dgram_cksum = rte_cpu_to_be_16(ck == 0 ? 0xffff : ck); /* 0 would mean "no checksum" */
	}
}

/* --- replies ------------------------------------------------------------ */

/* Is (target addr, port) one we probed from source port @p ours? Gives its index. @p hint: the RX role's, or NULL. */
static uint64_t
probed(const struct trawl_probe_ctx *ctx, const struct trawl_tag_hint *hint, uint32_t addr, uint16_t port,
		uint16_t ours)
{
	uint64_t tag = trawl_validate_tag_hinted(&ctx->val, hint, ctx->saddr, addr, port);

	if (!trawl_validate_sport_ok(&ctx->val, tag, ours))
		return TRAWL_TARGET_NONE;
	return trawl_target_index(ctx->space, addr, port);
}

static void
common(struct trawl_result *r, const struct trawl_ipv4_view *v, uint64_t target, uint32_t addr, uint16_t port,
		uint16_t ours)
{
	r->target = target;
	r->saddr = addr;
	r->daddr = v->daddr;
	r->sport = port;
	r->dport = ours;
	r->seq = 0;
	r->ipid = rte_be_to_cpu_16(v->ip->packet_id);
	r->window = 0;
	r->ttl = v->ttl;
	r->responder = v->saddr;
	r->icmp_id = 0;
}

static enum trawl_rx_verdict
udp_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v, struct trawl_result *r)
{
	uint16_t port, ours;
	uint64_t target;

	if (v->daddr != ctx->saddr)
		return TRAWL_RX_OTHER;
	if (v->proto == IPPROTO_UDP) {
		const struct rte_udp_hdr *udp = (const void *)v->l4;
		uint32_t have, ulen;

		/* Cut short, or a UDP length below its header or past the IP payload: malformed. */
		if (v->cut || v->l4_len < sizeof(*udp) || rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) ||
				rte_be_to_cpu_16(udp->dgram_len) > v->l4_len)
			return TRAWL_RX_INVALID;
		port = rte_be_to_cpu_16(udp->src_port);
		ours = rte_be_to_cpu_16(udp->dst_port);
		target = probed(ctx, v->hint, v->saddr, port, ours);
		if (target == TRAWL_TARGET_NONE)
			return TRAWL_RX_INVALID;
		common(r, v, target, v->saddr, port, ours);
		r->cls = TRAWL_CLASS_UDP;
		r->success = 1;
		ulen = rte_be_to_cpu_16(udp->dgram_len);
		r->udp_len = (uint16_t)ulen;
		/* The payload: what the UDP length says (checked above to be within what we hold), then what we keep. */
		have = ulen - (uint32_t)sizeof(*udp);
		r->data_len = (uint16_t)RTE_MIN(have, (uint32_t)TRAWL_UDP_DATA_MAX);
		memcpy(r->data, udp + 1, r->data_len);
		r->icmp_type = 0;
		r->icmp_code = 0;
		return TRAWL_RX_VALID;
	}
	if (v->proto == IPPROTO_ICMP) {
		struct trawl_icmp_quote q;

		if (v->l4_len < TRAWL_ICMP_HDR_LEN || !trawl_icmp_is_error(v->l4[0]))
			return TRAWL_RX_OTHER;
		if (v->cut || trawl_icmp_quote_parse(v, &q) != 0 || q.proto != IPPROTO_UDP || q.saddr != ctx->saddr)
			return TRAWL_RX_INVALID;
		ours = (uint16_t)(q.l4[0] << 8 | q.l4[1]);
		port = (uint16_t)(q.l4[2] << 8 | q.l4[3]);
		if (q.ipid != trawl_fp_trawl_udp_ipid(q.daddr, ours, port))
			return TRAWL_RX_INVALID;
		target = probed(ctx, NULL, q.daddr, port, ours);
		if (target == TRAWL_TARGET_NONE)
			return TRAWL_RX_INVALID;
		common(r, v, target, q.daddr, port, ours);
		r->cls = q.type == TRAWL_ICMP_UNREACH ? TRAWL_CLASS_ICMP_UNREACH : TRAWL_CLASS_OTHER;
		r->success = 0;
		r->udp_len = 0;
		r->data_len = 0;
		r->icmp_type = q.type;
		r->icmp_code = q.code;
		return TRAWL_RX_VALID;
	}
	return TRAWL_RX_OTHER;
}

/* --- IPv6 --------------------------------------------------------------- */

/*
 * The same datagram over IPv6: the UDP checksum is mandatory there (RFC
 * 8200 8.1), the flow label carries the key-free mark the IPv4 probe's IP
 * ID carries. An ICMPv6 error quotes no IP ID: the quoted source port (from
 * the tag of the quoted destination and port) is what validates it, as a
 * UDP reply is validated.
 */
struct udp6_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv6_hdr ip;
	struct rte_udp_hdr udp;
} __attribute__((packed, aligned(2)));

enum { UDP6_BASE };

static int
udp6_prepare(struct trawl_probe_ctx *ctx)
{
	struct udp6_frame *f = (void *)ctx->tmpl6;
	uint16_t plen = ctx->args.payload_len;
	uint16_t ulen = (uint16_t)(sizeof(f->udp) + plen);

	if (plen > TRAWL_UDP6_PAYLOAD_MAX)
		return -EMSGSIZE;
	memset(ctx->tmpl6, 0, sizeof(ctx->tmpl6));
	trawl_frame_l2l3_6(&f->eth, &f->ip, ctx, IPPROTO_UDP, ulen, UDP_TTL);
	f->udp.dgram_len = rte_cpu_to_be_16(ulen);
	ctx->len6 = (uint16_t)(sizeof(*f) + plen);
	ctx->priv6[UDP6_BASE] = 2u * ulen + IPPROTO_UDP + trawl_frame_sum_ip6(ctx->saddr6) +
		trawl_frame_sum(ctx->args.payload, plen);
	return 0;
}

static void
udp6_make(uint8_t *const bufs[], const struct trawl_target6 tgt[], unsigned int n, const struct trawl_probe_ctx *ctx)
{
	uint16_t plen = ctx->args.payload_len;
	uint64_t tags[TRAWL_MAKE_MAX];

	trawl_validate_target6_tags(&ctx->val, tgt, n, 1, tags);
	for (unsigned int i = 0; i < n; i++) {
		struct udp6_frame *f = (void *)bufs[i];
		uint16_t dport = tgt[i].port;
		uint16_t sport = trawl_validate_sport(&ctx->val, tags[i], tgt[i].probe);
		uint16_t ck;

		memcpy(f, ctx->tmpl6, sizeof(*f));
		memcpy(f + 1, ctx->args.payload, plen);
		f->ip.vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28 | trawl_fp_trawl_ipid((uint32_t)tags[i], dport));
		trawl_ip6_store(f->ip.dst_addr, tgt[i].addr);
		f->udp.src_port = rte_cpu_to_be_16(sport);
		f->udp.dst_port = rte_cpu_to_be_16(dport);
		ck = trawl_frame_fold(ctx->priv6[UDP6_BASE] + trawl_frame_sum_ip6(tgt[i].addr) + sport + dport);
		f->udp.dgram_cksum = rte_cpu_to_be_16(ck == 0 ? 0xffff : ck);
	}
}

/* Is (target addr, port) one we probed from source port @p ours? Gives its index. */
static uint64_t
probed6(const struct trawl_probe_ctx *ctx, const struct trawl_tag_hint6 *hint, struct trawl_ip6 addr, uint16_t port,
		uint16_t ours)
{
	uint64_t tag = trawl_validate_tag6_hinted(&ctx->val, hint, addr, port);

	if (!trawl_validate_sport_ok(&ctx->val, tag, ours))
		return TRAWL_TARGET_NONE;
	return trawl_target6_index(ctx->space, addr, port);
}

static void
common6(struct trawl_result *r, const struct trawl_ipv6_view *v, uint64_t target, uint16_t port, uint16_t ours)
{
	r->target = target;
	memcpy(r->responder6, v->ip->src_addr, 16);
	r->sport = port;
	r->dport = ours;
	r->seq = 0;
	r->ipid = 0;
	r->window = 0;
	r->ttl = v->hlim;
	r->icmp_id = 0;
}

static enum trawl_rx_verdict
udp6_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v, struct trawl_result *r)
{
	uint16_t port, ours;
	uint64_t target;

	if (!trawl_ip6_eq(v->daddr, ctx->saddr6))
		return TRAWL_RX_OTHER;
	if (v->proto == IPPROTO_UDP) {
		const struct rte_udp_hdr *udp = (const void *)v->l4;
		uint32_t ulen;

		if (v->cut || v->l4_len < sizeof(*udp) || rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) ||
				rte_be_to_cpu_16(udp->dgram_len) > v->l4_len)
			return TRAWL_RX_INVALID;
		port = rte_be_to_cpu_16(udp->src_port);
		ours = rte_be_to_cpu_16(udp->dst_port);
		target = probed6(ctx, v->hint, v->saddr, port, ours);
		if (target == TRAWL_TARGET_NONE)
			return TRAWL_RX_INVALID;
		common6(r, v, target, port, ours);
		r->cls = TRAWL_CLASS_UDP;
		r->success = 1;
		ulen = rte_be_to_cpu_16(udp->dgram_len);
		r->udp_len = (uint16_t)ulen;
		r->data_len = (uint16_t)RTE_MIN(ulen - (uint32_t)sizeof(*udp), (uint32_t)TRAWL_UDP_DATA_MAX);
		memcpy(r->data, udp + 1, r->data_len);
		r->icmp_type = 0;
		r->icmp_code = 0;
		return TRAWL_RX_VALID;
	}
	if (v->proto == IPPROTO_ICMPV6) {
		struct trawl_icmp6_quote q;

		if (v->l4_len < TRAWL_ICMP_HDR_LEN || !trawl_icmp6_is_error(v->l4[0]))
			return TRAWL_RX_OTHER;
		if (v->cut || trawl_icmp6_quote_parse(v, &q) != 0 || q.proto != IPPROTO_UDP ||
		    !trawl_ip6_eq(q.saddr, ctx->saddr6))
			return TRAWL_RX_INVALID;
		ours = (uint16_t)(q.l4[0] << 8 | q.l4[1]);
		port = (uint16_t)(q.l4[2] << 8 | q.l4[3]);
		target = probed6(ctx, NULL, q.daddr, port, ours);
		if (target == TRAWL_TARGET_NONE)
			return TRAWL_RX_INVALID;
		common6(r, v, target, port, ours);
		r->cls = q.type == TRAWL_ICMP6_UNREACH ? TRAWL_CLASS_ICMP_UNREACH : TRAWL_CLASS_OTHER;
		r->success = 0;
		r->udp_len = 0;
		r->data_len = 0;
		r->icmp_type = q.type;
		r->icmp_code = q.code;
		return TRAWL_RX_VALID;
	}
	return TRAWL_RX_OTHER;
}

const struct trawl_probe_ops trawl_probe_udp = {
	.name = "udp",
	.help = "UDP datagram (--probe-args text:|hex:|file:) to each (address, port); UDP reply = open (success), "
		"ICMP unreachable = closed",
	.uses_ports = 1,
	.fields = TRAWL_FIELDS_UDP,
	.data_max = TRAWL_UDP_DATA_MAX,
	.parse_args = udp_parse_args,
	.prepare = udp_prepare,
	.make = udp_make,
	.classify = udp_classify,
	.answer = NULL,
	.prepare6 = udp6_prepare,
	.make6 = udp6_make,
	.classify6 = udp6_classify,
};
