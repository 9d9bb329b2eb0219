/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A frame off the wire through the scanner's RX path: Ethernet (a VLAN tag
 * is no reply: the port strips tags, or the scan is not on that VLAN),
 * then ARP or IPv4, then every probe module's classify (its ICMP quote
 * parsing included) and, for a reply it accepts, its answer.
 * The scan is 198.18.0.0/16 x ports 80,443 (port 0 for icmp_echoscan) from
 * 198.19.0.2 with a fixed key, as test/fuzz/make_corpus.py's seeds are;
 * the TCP modules with two canaries, tcp_banner sending http. IPv6 frames
 * go through the same modules' classify6, answer6 and reset6 where they have them,
 * the scan 2001:2::5, 2001:2::9 and 2001:2:1::/112 from 2001:2:ff::2, and
 * through neighbour discovery's parser (the control role's).
 */
#include "test/fuzz/fuzz.h"

#include "app/core/icmp.h"
#include "app/core/ndp.h"
#include "app/core/packet.h"
#include "app/core/ports.h"
#include "app/probes/probe.h"

#define US 0xc6130002u /* 198.19.0.2 */

static const char *const modules[] = { "tcp_synscan", "icmp_echoscan", "udp", "tcp_banner" };
#define NMOD 4
static struct trawl_probe_ctx ctx[NMOD];
static const struct trawl_probe_ops *ops[NMOD];
static struct trawl_constraint allowed;
static struct trawl_ports ports[2];
static struct trawl_target_space space[2];
static struct trawl_space6 six;
static struct trawl_target_space space6[2];
static struct trawl_probe_ctx ctx6[NMOD];

static void
setup6(void)
{
	struct trawl_ip6 *list = malloc(2 * sizeof(*list)), unused;
	struct trawl_window6 w;
	struct trawl_err err;
	int is_addr;

	if (list == NULL || trawl_parse_ipv6("2001:2::5", &list[0]) != 0 || trawl_parse_ipv6("2001:2::9", &list[1]) != 0 ||
	    trawl_space6_parse_target("2001:2:1::/112", &is_addr, &unused, &w, &err) != 0)
		abort();
	if (trawl_space6_build(&six, list, 2, &w, 1, NULL, &err) != 0)
		abort();
	trawl_target_space_init6(&space6[0], &six, &ports[0]);
	trawl_target_space_init6(&space6[1], &six, &ports[1]);
	for (int i = 0; i < NMOD; i++) {
		if (ops[i]->prepare6 == NULL)
			continue;
		ctx6[i] = ctx[i]; /* the IPv4 context's canaries too: two for the TCP modules */
		ctx6[i].space = ops[i]->uses_ports ? &space6[0] : &space6[1];
		if (trawl_parse_ipv6("2001:2:ff::2", &ctx6[i].saddr6) != 0 || ops[i]->prepare6(&ctx6[i]) != 0)
			abort();
	}
}

static void
one6(const uint8_t *frame, uint32_t size, uint32_t l3off)
{
	struct trawl_ipv6_view v;
	struct trawl_ndp_view nd;

	(void)trawl_ndp_parse(frame, size, &nd);
	if (trawl_ipv6_parse(frame + l3off, size - l3off, &v) != 0)
		return;
	if (v.proto == IPPROTO_ICMPV6) {
		struct trawl_icmp6_quote q;

		if (trawl_icmp6_quote_parse(&v, &q) == 0 && (q.l4_len < TRAWL_ICMP_QUOTE_L4 || q.l4 + q.l4_len > frame + size))
			abort();
	}
	for (int i = 0; i < NMOD; i++) {
		uint8_t *keep, *answer;
		uint16_t amax = ops[i]->answer_max ? ops[i]->answer_max : TRAWL_PROBE_MAX_LEN;
		struct trawl_result r;

		if (ops[i]->classify6 == NULL)
			continue;
		keep = malloc(ops[i]->data_max ? ops[i]->data_max : 1);
		answer = malloc(amax);
		memset(&r, 0, sizeof(r));
		r.data = keep;
		if (ops[i]->classify6(&ctx6[i], &v, &r) == TRAWL_RX_VALID) {
			/*
			 * A valid reply is from a target (a canary's key is count + its
			 * address's first target): its index maps back to the address.
			 */
			if (r.target >= 2 * space6[ops[i]->uses_ports ? 0 : 1].count || r.data_len > ops[i]->data_max)
				abort();
			if (ops[i]->answer6 != NULL && ops[i]->answer6(answer, &v, &ctx6[i], &r) > amax)
				abort();
			if (ops[i]->reset6 != NULL && ops[i]->reset6(answer, &ctx6[i], &r) > TRAWL_PROBE_MAX_LEN)
				abort();
		}
		free(answer);
		free(keep);
	}
}

static void
setup(void)
{
	static const struct rte_ether_addr src = { { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_err err;

	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc612ffff });
	if (trawl_constraint_build(&allowed, &allow, &block) != 0)
		abort();
	trawl_ranges_free(&allow);
	if (trawl_ports_parse(&ports[0], "80,443", &err) != 0 || trawl_ports_parse(&ports[1], "0", &err) != 0)
		abort();
	trawl_target_space_init(&space[0], &allowed, &ports[0]);
	trawl_target_space_init(&space[1], &allowed, &ports[1]);
	for (int i = 0; i < NMOD; i++) {
		ops[i] = trawl_probe_find(modules[i]);
		trawl_validate_key(&ctx[i].val, 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
		trawl_validate_ports(&ctx[i].val, 32768, 61000 - 32768 + 1);
		ctx[i].val.probes = 2;
		ctx[i].saddr = US;
		ctx[i].src_mac = src;
		ctx[i].gw_mac = gw;
		ctx[i].space = ops[i]->uses_ports ? &space[0] : &space[1];
		/* tcp_banner: http, whose request (and so the acknowledgement it validates) depends on the target */
		if (ops[i]->parse_args != NULL &&
		    ops[i]->parse_args(ops[i]->handshake ? "http" : "text:trawl-fuzz", &ctx[i].args, &err) != 0)
			abort();
		ctx[i].canaries = ops[i]->tcp ? 2 : 0;
		if (ops[i]->prepare(&ctx[i]) != 0)
			abort();
	}
	setup6();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t *frame;
	uint32_t l3off;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size > 9216)
		return 0; /* a jumbo frame is the most a port hands us */
	frame = fuzz_copy(data, size);
	switch (trawl_eth_parse(frame, (uint32_t)size, &l3off)) {
	case TRAWL_L3_ARP: {
		struct trawl_arp_view a;

		(void)trawl_arp_parse(frame + l3off, (uint32_t)size - l3off, &a);
		break;
	}
	case TRAWL_L3_IPV4: {
		struct trawl_ipv4_view v;

		if (trawl_ipv4_parse(frame + l3off, (uint32_t)size - l3off, &v) != 0)
			break;
		for (int i = 0; i < NMOD; i++) {
			/* classify may keep up to data_max bytes: exactly that much room, on the heap. */
			uint8_t *keep = malloc(ops[i]->data_max ? ops[i]->data_max : 1);
			uint16_t amax = ops[i]->answer_max ? ops[i]->answer_max : TRAWL_PROBE_MAX_LEN;
			uint8_t *answer = malloc(amax);
			struct trawl_result r;

			memset(&r, 0, sizeof(r));
			r.data = keep;
			if (ops[i]->classify(&ctx[i], &v, &r) == TRAWL_RX_VALID) {
				if (r.data_len > ops[i]->data_max)
					abort();
				if (ops[i]->answer != NULL && ops[i]->answer(answer, &v, &ctx[i], &r) > amax)
					abort();
				if (ops[i]->reset != NULL && ops[i]->reset(answer, &ctx[i], &r) > TRAWL_PROBE_MAX_LEN)
					abort();
			}
			free(answer);
			free(keep);
		}
		break;
	}
	case TRAWL_L3_IPV6:
		one6(frame, (uint32_t)size, l3off);
		break;
	default:
		break;
	}
	free(frame);
	return 0;
}
