/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RX role in isolation: pre-built bursts of valid SYN-ACKs, every one
 * from a different target, fed straight into trawl_rx_burst() (no PMD, no
 * port), so what is timed is exactly the role's own work: parse, validate
 * (the MAC), classify, write the RST over the reply and hand it on, hand
 * the result to the writer's ring. Refilling the mbufs and draining the
 * rings happen outside the timed part.
 *   rxbench [EAL args] -- [REPLIES]
 * prints one markdown row: cycles per reply (TSC) and replies per second.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/constraint.h"
#include "core/cyclic.h"
#include "core/ports.h"
#include "dp/engine.h"
#include "dp/rx.h"

#define NFRAMES 65536 /* distinct replies kept ready (4 MiB): more than any cache level holds per core */

static const struct rte_ether_addr us = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0, 0x01 } };

/* Turn a probe into the SYN-ACK a target would send back (checksums are not looked at by RX). */
static void
to_synack(uint8_t *f)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_tcp_hdr *tcp = (void *)(ip + 1);
	struct rte_ether_addr ea = eth->src_addr;
	uint32_t a = ip->src_addr;
	uint16_t p = tcp->src_port;

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = ea;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 57;
	tcp->src_port = tcp->dst_port;
	tcp->dst_port = p;
	tcp->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(tcp->sent_seq) + 1);
	tcp->sent_seq = rte_cpu_to_be_32(12345);
	tcp->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
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
	uint8_t (*frames)[64];
	uint64_t total = 16 << 20, done = 0, cycles = 0;
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		return 1;
	if (argc - n > 1)
		total = strtoull(argv[n + 1], NULL, 0);
	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc613ffff }); /* 198.18.0.0/15 */
	trawl_constraint_build(&c, &allow, &block);
	trawl_ports_parse(&ports, "80", NULL);

	eng = rte_zmalloc(NULL, sizeof(*eng), RTE_CACHE_LINE_SIZE);
	rx = rte_zmalloc(NULL, sizeof(*rx), RTE_CACHE_LINE_SIZE);
	pool = rte_pktmbuf_pool_create("rxb", 8192, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	frames = malloc(sizeof(*frames) * NFRAMES);
	if (eng == NULL || rx == NULL || pool == NULL || frames == NULL)
		return 1;
	eng->probe = trawl_probe_find("tcp_synscan");
	eng->hz = rte_get_tsc_hz();
	trawl_target_space_init(&eng->space, &c, &ports);
	eng->pctx.val.key = (struct trawl_siphash_key){ 0x0011223344556677ULL, 0x8899aabbccddeeffULL };
	trawl_validate_ports(&eng->pctx.val, 32768, 61000 - 32768 + 1);
	eng->pctx.val.probes = 1;
	eng->pctx.saddr = 0xc6130002; /* 198.19.0.2 */
	eng->pctx.src_mac = us;
	eng->pctx.gw_mac = gw;
	eng->pctx.space = &eng->space;
	eng->probe->prepare(&eng->pctx);

	/* NFRAMES different targets, spread over the /15 as the permutation would. */
	{
		struct trawl_cyclic cyc;
		struct trawl_cyclic_iter it;
		uint64_t idx;

		trawl_cyclic_init(&cyc, eng->space.count, 7);
		trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
		for (unsigned int i = 0; i < NFRAMES && trawl_cyclic_next(&it, &idx); i++) {
			struct trawl_target t;
			uint8_t *b = frames[i];

			trawl_target_at(&eng->space, idx, &t);
			t.probe = 0;
			eng->probe->make(&b, &t, 1, &eng->pctx);
			to_synack(b);
		}
	}
	rx->eng = eng;
	rx->pool = pool;
	rx->to_writer = rte_ring_create_elem("rxb_res", sizeof(struct trawl_result), 65536, 0,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	rx->to_tx = rte_ring_create("rxb_ans", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	rx->to_ctl = rte_ring_create("rxb_ctl", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx->to_writer == NULL || rx->to_tx == NULL || rx->to_ctl == NULL)
		return 1;
	eng->armed = 1;

	while (done < total) {
		struct rte_mbuf *m[TRAWL_BURST], *out[TRAWL_BURST];
		struct trawl_result res[TRAWL_BURST];
		uint64_t t0;
		unsigned int k;

		if (rte_pktmbuf_alloc_bulk(pool, m, TRAWL_BURST) != 0)
			return 1;
		for (unsigned int i = 0; i < TRAWL_BURST; i++) {
			memcpy(rte_pktmbuf_mtod(m[i], void *), frames[(done + i) % NFRAMES], 60);
			m[i]->data_len = m[i]->pkt_len = 60;
		}
		t0 = rte_rdtsc_precise();
		trawl_rx_burst(rx, m, TRAWL_BURST, t0);
		cycles += rte_rdtsc_precise() - t0;
		done += TRAWL_BURST;
		while ((k = rte_ring_sc_dequeue_burst_elem(rx->to_writer, res, sizeof(res[0]), TRAWL_BURST, NULL)) != 0)
			;
		while ((k = rte_ring_sc_dequeue_burst(rx->to_tx, (void **)out, TRAWL_BURST, NULL)) != 0)
			rte_pktmbuf_free_bulk(out, k);
	}
	printf("| RX role alone, pre-built bursts, every reply a new result | %" PRIu64 " replies, %" PRIu64
		" valid, %" PRIu64 " RSTs | %.1f cycles/reply (TSC at %.2f GHz): %.2f M replies/s |\n",
		done, rx->valid, rx->answers, (double)cycles / (double)done, (double)eng->hz / 1e9,
		(double)eng->hz / ((double)cycles / (double)done) / 1e6);
	return rx->valid == done ? 0 : 1;
}
