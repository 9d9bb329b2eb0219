/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "port.h"
#include "rx.h"
#include "stats.h"

static void
to_ctl(struct trawl_rx *rx, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(rx->to_ctl, m) != 0) {
		rte_pktmbuf_free(m);
		trawl_stat_add(&rx->ctl_full, 1);
	}
}

/*
 * Send the probe module's answer to a valid reply (the RST). In place in the
 * reply's own mbuf when it is a plain one-segment buffer with room: no
 * allocation, no copy. Consumes m.
 */
static void
answer(struct trawl_rx *rx, struct rte_mbuf *m, const struct trawl_ipv4_view *v, const struct trawl_result *r)
{
	const struct trawl_engine *eng = rx->eng;
	struct rte_mbuf *out = m;
	uint16_t len;

	if (m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
	    rte_pktmbuf_data_room_size(m->pool) < m->data_off + TRAWL_PROBE_MAX_LEN) {
		out = rte_pktmbuf_alloc(rx->pool);
		if (out == NULL) {
			rte_pktmbuf_free(m);
			trawl_stat_add(&rx->ctl_full, 1);
			return;
		}
	}
	len = eng->probe->answer(rte_pktmbuf_mtod(out, uint8_t *), v, &eng->pctx, r);
	if (out != m)
		rte_pktmbuf_free(m);
	if (len == 0) {
		rte_pktmbuf_free(out);
		return;
	}
	out->data_len = len;
	out->pkt_len = len;
	out->ol_flags = 0;
	out->packet_type = 0;
	trawl_stat_add(&rx->answers, 1);
	to_ctl(rx, out);
}

/*
 * Look at one frame. Returns 1 if it produced a result in rx->pend. Frees
 * the mbuf or passes it on.
 */
static int
handle(struct trawl_rx *rx, struct rte_mbuf *m, uint64_t now)
{
	const struct trawl_engine *eng = rx->eng;
	/* Bounds come from what we hold (the first segment), never from headers alone. */
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t caplen = m->data_len, l3off = 0;
	struct trawl_ipv4_view v;
	struct trawl_result *r = &rx->pend[rx->npend];
	enum trawl_rx_verdict verdict;

	switch (trawl_eth_parse(frame, caplen, &l3off)) {
	case TRAWL_L3_ARP:
		trawl_stat_add(&rx->arp, 1);
		to_ctl(rx, m);
		return 0;
	case TRAWL_L3_IPV4:
		break;
	default:
		trawl_stat_add(&rx->other, 1);
		rte_pktmbuf_free(m);
		return 0;
	}
	if (trawl_ipv4_parse(frame + l3off, caplen - l3off, &v) != 0) {
		trawl_stat_add(&rx->other, 1);
		rte_pktmbuf_free(m);
		return 0;
	}
	verdict = eng->probe->classify(&eng->pctx, &v, r);
	if (verdict != TRAWL_RX_VALID) {
		trawl_stat_add(verdict == TRAWL_RX_OTHER ? &rx->other : &rx->invalid, 1);
		rte_pktmbuf_free(m);
		return 0;
	}
	trawl_stat_add(&rx->valid, 1);
	r->tsc = now;
	r->repeat = 0;
	if (eng->probe->answer != NULL)
		answer(rx, m, &v, r);
	else
		rte_pktmbuf_free(m);
	return 1;
}

/* Offer pending results to the writer; returns 1 once none is left. */
static int
flush_results(struct trawl_rx *rx)
{
	unsigned int n = rte_ring_sp_enqueue_burst_elem(rx->to_writer, rx->pend + rx->pend_off,
			sizeof(struct trawl_result), rx->npend, NULL);

	rx->pend_off += n;
	rx->npend -= n;
	if (rx->npend == 0)
		rx->pend_off = 0;
	return rx->npend == 0;
}

int
trawl_rx_poll(void *arg)
{
	struct trawl_rx *rx = arg;
	struct rte_mbuf *m[TRAWL_BURST];
	uint16_t n;
	uint64_t now;

	if (rx->npend != 0 && !flush_results(rx))
		return TRAWL_ROLE_BUSY;
	if (trawl_flag_get(&rx->eng->stop_rx)) {
		trawl_flag_set(&rx->finished);
		return TRAWL_ROLE_DONE;
	}
	n = trawl_port_rx(rx->port, rx->queue, m, TRAWL_BURST, rx->link_gated);
	if (n == 0)
		return TRAWL_ROLE_BUSY;
	now = rte_rdtsc();
	trawl_stat_add(&rx->frames, n);
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		rx->npend += (uint16_t)handle(rx, m[i], now);
	}
	if (rx->npend != 0)
		flush_results(rx);
	return TRAWL_ROLE_BUSY;
}
