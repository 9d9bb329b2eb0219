/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive path on one lcore, in process, by stage. Pre-built replies
 * (SYN-ACKs; for icmp_echoscan echo replies; for udp UDP answers of 512
 * payload bytes, the most a result keeps: the copy that costs most), every
 * one from a different target (the worst case: every reply a new result),
 * go into a net_ring port; then, each timed with the TSC:
 *   A. the PMD's receive burst (rte_eth_rx_burst on net_ring0),
 *   B. the RX role (trawl_rx_burst: parse, validate the MAC, classify,
 *      write the RST over the reply, hand the result to the writer's ring
 *      and the RST to the TX role's),
 *   C. the RSTs out, as the TX role sends them (ring dequeue, tx_burst on
 *      net_ring1).
 * Refilling the port and draining the rings happen outside the timed parts.
 * (The MAC alone, against SipHash-2-4 and libcrypto: bench/macbench.)
 *   rxbench [EAL args] -- [REPLIES [MODULE [UDP_BYTES]]]  (EAL args must create net_ring0 and
 *      net_ring1; MODULE: tcp_synscan; UDP_BYTES: udp's answer payload, default 512)
 * tcp_banner (--probe-args http): MODULE "tcp_banner" sends SYN-ACKs, each a new handshake
 * answered with the ACK and its GET and held in the RX role's table, which fills (2^18) and
 * from then on closes the oldest with a RST and a nodata result for each new one (the case
 * that costs most); "tcp_banner:data" sends the servers' data segments (UDP_BYTES of payload,
 * acknowledging the GET), each a result with its data and a RST.
 * prints markdown rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app/core/constraint.h"
#include "app/core/sort.h"
#include "app/core/space6.h"
#include "app/core/cyclic.h"
#include "app/core/ports.h"
#include "app/dp/engine.h"
#include "app/dp/rx.h"
#include "app/core/l7.h"

#include <rte_udp.h>

#define NFRAMES 65536 /* distinct replies kept ready */
#define FRAME_MAX 1536 /* the largest: a data segment of 1460 bytes */
static unsigned int udp_answer = 512; /* payload bytes of each UDP answer (argument 5) */
#define UDP_ANSWER udp_answer

static const struct rte_ether_addr us = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0, 0x01 } };

/* A probe's Ethernet and IPv4 headers turned around, as the target's reply has them (TTL 57). */
static void
turn_around(uint8_t *f)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_ether_addr ea = eth->src_addr;
	uint32_t a = ip->src_addr;

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = ea;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 57;
}

/* Turn a probe into the SYN-ACK a target would send back (checksums are not looked at by RX). */
static void
to_synack(uint8_t *f)
{
	struct rte_tcp_hdr *tcp = (void *)(f + sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	uint16_t p = tcp->src_port;

	turn_around(f);
	tcp->src_port = tcp->dst_port;
	tcp->dst_port = p;
	tcp->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(tcp->sent_seq) + 1);
	tcp->sent_seq = rte_cpu_to_be_32(12345);
	tcp->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
}

/* A SYN into the data segment the target sends after our GET (payload bytes, acknowledging the GET). */
static uint16_t
to_data(uint8_t *f, const struct trawl_probe_ctx *ctx, unsigned int payload)
{
	struct rte_ipv4_hdr *ip = (void *)(f + sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *tcp = (void *)(ip + 1);
	char get[TRAWL_L7_HTTP_GET_MAX];
	uint32_t plen = (uint32_t)trawl_l7_http_get(get, sizeof(get), rte_be_to_cpu_32(ip->dst_addr));

	(void)ctx;
	to_synack(f);
	tcp->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(tcp->recv_ack) + plen);
	tcp->sent_seq = rte_cpu_to_be_32(12346);
	tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	tcp->data_off = 5 << 4;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*tcp) + payload));
	for (unsigned int i = 0; i < payload; i++)
		((uint8_t *)(tcp + 1))[i] = (uint8_t)("HTTP/1.1 200 OK\r\nServer: x\r\n"[i % 29]);
	return (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(*ip) + sizeof(*tcp) + payload);
}

/* An echo request into the echo reply a target would send back. */
static uint16_t
to_echoreply(uint8_t *f)
{
	turn_around(f);
	f[sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr)] = 0; /* type 0 */
	return 60;
}

/* A UDP probe into an answer of UDP_ANSWER bytes from the target port. */
static uint16_t
to_udpanswer(uint8_t *f)
{
	struct rte_ipv4_hdr *ip = (void *)(f + sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (void *)(ip + 1);
	uint16_t p = udp->src_port;

	turn_around(f);
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*udp) + UDP_ANSWER);
	udp->src_port = udp->dst_port;
	udp->dst_port = p;
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + UDP_ANSWER);
	for (unsigned int i = 0; i < UDP_ANSWER; i++)
		((uint8_t *)(udp + 1))[i] = (uint8_t)(i * 7);
	return (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(*ip) + sizeof(*udp) + UDP_ANSWER);
}

/* IPv6: a probe's Ethernet and IPv6 headers turned around (hop limit 57). */
static void
turn_around6(uint8_t *f)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv6_hdr *ip = (void *)(eth + 1);
	struct rte_ether_addr ea = eth->src_addr;
	uint8_t a[16];

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = ea;
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = 57;
}

/* The IPv6 reply to a probe of @p module: SYN-ACK (74 bytes), echo reply (62) or a UDP answer. */
static uint16_t
to_reply6(uint8_t *f, const char *module)
{
	struct rte_ipv6_hdr *ip = (void *)(f + sizeof(struct rte_ether_hdr));
	uint8_t *l4 = (uint8_t *)(ip + 1);

	turn_around6(f);
	if (strcmp(module, "icmp_echoscan") == 0) {
		l4[0] = 129;
		return 62;
	}
	if (strcmp(module, "udp") == 0) {
		struct rte_udp_hdr *udp = (void *)l4;
		uint16_t p = udp->src_port;

		udp->src_port = udp->dst_port;
		udp->dst_port = p;
		udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + UDP_ANSWER);
		ip->payload_len = udp->dgram_len;
		for (unsigned int i = 0; i < UDP_ANSWER; i++)
			((uint8_t *)(udp + 1))[i] = (uint8_t)(i * 7);
		return (uint16_t)(54 + sizeof(*udp) + UDP_ANSWER);
	}
	{
		struct rte_tcp_hdr *tcp = (void *)l4;
		uint16_t p = tcp->src_port;

		tcp->src_port = tcp->dst_port;
		tcp->dst_port = p;
		tcp->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(tcp->sent_seq) + 1);
		tcp->sent_seq = rte_cpu_to_be_32(12345);
		tcp->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		tcp->data_off = 5 << 4;
		ip->payload_len = rte_cpu_to_be_16(20);
		return 74;
	}
}

static int
port_up(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	return rte_eth_dev_configure(port, 1, 1, &conf) || rte_eth_rx_queue_setup(port, 0, 1024, 0, NULL, pool) ||
		rte_eth_tx_queue_setup(port, 0, 1024, 0, NULL) || rte_eth_dev_start(port);
}

int
main(int argc, char **argv)
{
	static struct trawl_ports ports;
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_constraint c;
	struct trawl_engine *eng;
	struct trawl_rx *rx;
	struct rte_mempool *pool;
	struct rte_ring *answers;
	uint8_t *frames;
	size_t stride = FRAME_MAX, nframes = NFRAMES;
	uint16_t flen = 60;
	const char *module = "tcp_synscan", *name;
	int banner_data = 0, six = 0;
	static char base[32];
	static struct trawl_space6 space6;
	uint16_t in_port, out_port;
	uint64_t total = 16 << 20, done = 0, cyc[3] = { 0, 0, 0 };
	double hz;
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		return 1;
	if (argc - n > 1)
		total = strtoull(argv[n + 1], NULL, 0);
	if (argc - n > 2)
		module = argv[n + 2];
	if (argc - n > 3)
		udp_answer = (unsigned int)RTE_MIN(strtoul(argv[n + 3], NULL, 0), 1460ul);
	name = module;
	/* MODULE6: IPv6 replies, the targets a hitlist of 2^22 addresses (a 64 MiB sorted array to search). */
	if (strlen(module) > 1 && strlen(module) < sizeof(base) && module[strlen(module) - 1] == '6') {
		memcpy(base, module, strlen(module) - 1);
		module = base;
		six = 1;
	}
	if (strcmp(module, "tcp_banner:data") == 0) {
		module = "tcp_banner";
		banner_data = 1;
	}
	if (rte_eth_dev_get_port_by_name("net_ring0", &in_port) != 0 ||
	    rte_eth_dev_get_port_by_name("net_ring1", &out_port) != 0) {
		fprintf(stderr, "rxbench: needs --vdev net_ring0 --vdev net_ring1\n");
		return 1;
	}
	hz = (double)rte_get_tsc_hz();
	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc613ffff }); /* 198.18.0.0/15 */
	trawl_constraint_build(&c, &allow, &block);
	/* tcp_banner's handshakes: 2^20 targets (the /15 on 8 ports), more than its table holds */
	trawl_ports_parse(&ports, strcmp(module, "icmp_echoscan") == 0 ? "0" :
			strcmp(module, "tcp_banner") == 0 && !banner_data ? "80-87" : "80", NULL);

	eng = rte_zmalloc(NULL, sizeof(*eng), RTE_CACHE_LINE_SIZE);
	rx = rte_zmalloc(NULL, sizeof(*rx), RTE_CACHE_LINE_SIZE);
	pool = rte_pktmbuf_pool_create("rxb", 16384, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (strcmp(module, "tcp_banner") == 0 && !banner_data) {
		/* More distinct handshakes than the table holds (2^18), so that it fills: 60-byte frames, 2^20 of them. */
		stride = 64;
		nframes = 1u << 20;
	}
	frames = malloc(stride * nframes);
	if (eng == NULL || rx == NULL || pool == NULL || frames == NULL || port_up(in_port, pool) ||
	    port_up(out_port, pool))
		return 1;
	eng->probe = trawl_probe_find(module);
	if (eng->probe == NULL)
		return 1;
	eng->hz = rte_get_tsc_hz();
	trawl_target_space_init(&eng->space, &c, &ports);
	if (six) {
		size_t nl = (size_t)1 << 22;
		struct trawl_ip6 *l = malloc(nl * sizeof(*l));
		uint64_t x = 88172645463325252ULL;
		struct trawl_err err;

		for (size_t i = 0; l != NULL && i < nl; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			l[i] = (struct trawl_ip6){ UINT64_C(0x2001000200000000) | (x >> 48), x * 0x9e3779b97f4a7c15ULL };
		}
		if (l == NULL)
			return 1;
		trawl_sort_ip6(l, nl);
		if (trawl_space6_build(&space6, l, nl, NULL, 0, NULL, &err) != 0)
			return 1;
		trawl_target_space_init6(&eng->space, &space6, &ports);
		trawl_parse_ipv6("2001:2:ff::2", &eng->pctx.saddr6);
	}
	trawl_validate_key(&eng->pctx.val, 0x0011223344556677ULL, 0x8899aabbccddeeffULL);
	trawl_validate_ports(&eng->pctx.val, 32768, 61000 - 32768 + 1);
	eng->pctx.val.probes = 1;
	eng->pctx.saddr = 0xc6130002; /* 198.19.0.2 */
	eng->pctx.src_mac = us;
	eng->pctx.gw_mac = gw;
	eng->pctx.space = &eng->space;
	eng->pctx.args.payload_len = 29; /* udp: a DNS query's worth */
	if (eng->probe->parse_args != NULL && strcmp(module, "tcp_banner") == 0) {
		struct trawl_err err;

		eng->probe->parse_args("http", &eng->pctx.args, &err);
	}
	eng->probe->prepare(&eng->pctx);
	if (six && (eng->probe->prepare6 == NULL || eng->probe->prepare6(&eng->pctx) != 0))
		return 1;
	eng->armed = 1;

	/* NFRAMES different targets, spread over the /15 as the permutation would. */
	{
		struct trawl_cyclic cyc;
		struct trawl_cyclic_iter it;
		uint64_t idx;

		trawl_cyclic_init(&cyc, eng->space.count, 7);
		trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
		for (unsigned int i = 0; i < nframes && trawl_cyclic_next(&it, &idx); i++) {
			struct trawl_target t;
			uint8_t *b = frames + (size_t)i * stride;

			if (six) {
				struct trawl_target6 t6;

				trawl_target6_at(&eng->space, idx, &t6);
				t6.probe = 0;
				eng->probe->make6(&b, &t6, 1, &eng->pctx);
				flen = to_reply6(b, module);
				continue;
			}
			trawl_target_at(&eng->space, idx, &t);
			t.probe = 0;
			eng->probe->make(&b, &t, 1, &eng->pctx);
			if (strcmp(module, "icmp_echoscan") == 0)
				flen = to_echoreply(b);
			else if (strcmp(module, "udp") == 0)
				flen = to_udpanswer(b);
			else if (banner_data)
				flen = to_data(b, &eng->pctx, udp_answer);
			else
				to_synack(b);
		}
	}
	rx->eng = eng;
	rx->pool = pool;
	rx->port = in_port;
	if (eng->probe->data_max != 0)
		rx->to_writer_data = rte_ring_create_elem("rxb_dat", TRAWL_RESULT_CHUNK, 65536, 0,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	rx->to_writer = rte_ring_create_elem("rxb_res", sizeof(struct trawl_result), 65536, 0,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	answers = rx->to_tx = rte_ring_create("rxb_ans", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	rx->to_ctl = rte_ring_create("rxb_ctl", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx->to_writer == NULL || rx->to_tx == NULL || rx->to_ctl == NULL)
		return 1;
	/* Handshakes held as the scan holds them, for longer than the run: the table fills, then closes the oldest. */
	if (eng->probe->handshake && trawl_pending_init(&rx->pend, "rxb_hold", TRAWL_PENDING_CAP, UINT64_MAX / 2, 0) != 0)
		return 1;

	while (done < total) {
		struct rte_mbuf *m[TRAWL_BURST], *out[TRAWL_BURST];
		struct trawl_result res[TRAWL_BURST];
		static uint8_t chunks[TRAWL_BURST_CHUNKS(TRAWL_BURST)][TRAWL_RESULT_CHUNK];
		uint64_t t0, t1, t2, t3;
		unsigned int k, sent;
		uint16_t got;

		if (rte_pktmbuf_alloc_bulk(pool, m, TRAWL_BURST) != 0)
			return 1;
		for (unsigned int i = 0; i < TRAWL_BURST; i++) {
			memcpy(rte_pktmbuf_mtod(m[i], void *), frames + (size_t)((done + i) % nframes) * stride, flen);
			m[i]->data_len = m[i]->pkt_len = flen;
		}
		if (rte_eth_tx_burst(in_port, 0, m, TRAWL_BURST) != TRAWL_BURST)
			return 1;
		t0 = rte_rdtsc_precise();
		got = rte_eth_rx_burst(in_port, 0, m, TRAWL_BURST);
		t1 = rte_rdtsc_precise();
		trawl_rx_burst(rx, m, got, t1);
		t2 = rte_rdtsc_precise();
		/* Every answer of the burst (tcp_banner's closes make two a reply). */
		do {
			k = rte_ring_sc_dequeue_burst(answers, (void **)out, TRAWL_BURST, NULL);
			sent = rte_eth_tx_burst(out_port, 0, out, (uint16_t)k);
			if (sent < k)
				rte_pktmbuf_free_bulk(out + sent, k - sent);
		} while (k == TRAWL_BURST);
		t3 = rte_rdtsc_precise();
		cyc[0] += t1 - t0;
		cyc[1] += t2 - t1;
		cyc[2] += t3 - t2;
		done += got;
		while ((k = rte_eth_rx_burst(out_port, 0, out, TRAWL_BURST)) != 0)
			rte_pktmbuf_free_bulk(out, k);
		while (rte_ring_sc_dequeue_burst_elem(rx->to_writer, res, sizeof(res[0]), TRAWL_BURST, NULL) != 0)
			;
		while (rx->to_writer_data != NULL &&
		       rte_ring_sc_dequeue_burst_elem(rx->to_writer_data, chunks, TRAWL_RESULT_CHUNK,
				       TRAWL_BURST_CHUNKS(TRAWL_BURST), NULL) != 0)
			;
	}
	{
		double a = (double)cyc[0] / (double)done, b = (double)cyc[1] / (double)done, c3 = (double)cyc[2] / (double)done;

		printf("| %s: RX role alone (B), every reply a new result (%u-byte frames) | %" PRIu64 " replies, %" PRIu64
			" valid, %" PRIu64 " answers%s | %.1f cycles/reply: %.2f M replies/s |\n", name, flen, done, rx->valid,
			rx->answers, eng->probe->handshake ? " (ACK+GET, and RSTs of handshakes closed early)" : "", b,
			hz / b / 1e6);
		if (eng->probe->handshake)
			printf("| %s: handshakes held %" PRIu64 ", closed early (table of %u full) %" PRIu64 " | | |\n", name,
				rx->pend.held, TRAWL_PENDING_CAP, rx->pend.early);
		printf("| %s: the whole receive path on one lcore (A + B + C) | A: PMD receive (net_ring) %.1f, B: RX role "
			"%.1f, C: RSTs out (TX role's dequeue + net_ring tx_burst) %.1f cycles/reply | %.1f cycles/reply: %.2f M "
			"replies/s |\n", name, a, b, c3, a + b + c3, hz / (a + b + c3) / 1e6);
	}
	return rx->valid == done ? 0 : 1;
}
