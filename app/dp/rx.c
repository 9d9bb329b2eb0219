/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "app/dp/port.h"
#include "app/dp/rx.h"
#include "app/dp/stats.h"

/* What one burst produced, handed on in bursts at its end. */
struct burst_out {
	struct trawl_result res[TRAWL_BURST];
	uint8_t (*chunks)[TRAWL_RESULT_CHUNK]; /* the RX role's (trawl_rx.chunks) */
	unsigned int nchunks;
	struct rte_mbuf *ans[TRAWL_BURST];
	unsigned int nres;
	unsigned int nans;
};

/*
 * The probe module's answer to a valid reply (the RST). In place in the
 * reply's own mbuf when it is a plain one-segment buffer with room: no
 * allocation, no copy. Consumes m.
 */
static void
answer(struct trawl_rx *rx, struct rte_mbuf *m, const struct trawl_ipv4_view *v, const struct trawl_result *r,
		struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;
	struct rte_mbuf *out = m;
	uint16_t len;

	if (unlikely(m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
		     rte_pktmbuf_data_room_size(m->pool) < m->data_off + TRAWL_PROBE_MAX_LEN)) {
		out = rte_pktmbuf_alloc(rx->pool);
		if (out == NULL) {
			rte_pktmbuf_free(m);
			trawl_stat_add(&rx->answers_dropped, 1);
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
	o->ans[o->nans++] = out;
}

/* Look at one frame: a result and an answer into o, an ARP frame to control, the rest freed. */
static void
handle(struct trawl_rx *rx, struct rte_mbuf *m, uint64_t now, int armed, struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;
	/* Bounds come from what we hold (the first segment), never from headers alone. */
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t caplen = m->data_len, l3off = 0;
	struct trawl_ipv4_view v;
	struct trawl_result *r = &o->res[o->nres];
	enum trawl_rx_verdict verdict;

	switch (trawl_eth_parse(frame, caplen, &l3off)) {
	case TRAWL_L3_ARP:
		trawl_stat_add(&rx->arp, 1);
		if (rte_ring_sp_enqueue(rx->to_ctl, m) != 0) {
			rte_pktmbuf_free(m);
			trawl_stat_add(&rx->arp_dropped, 1);
		}
		return;
	case TRAWL_L3_IPV4:
		break;
	default:
		trawl_stat_add(&rx->other, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (trawl_ipv4_parse(frame + l3off, caplen - l3off, &v) != 0) {
		trawl_stat_add(&rx->other, 1);
		rte_pktmbuf_free(m);
		return;
	}
	r->data = o->chunks[o->nchunks];
	verdict = eng->probe->classify(&eng->pctx, &v, r);
	if (verdict != TRAWL_RX_VALID) {
		trawl_stat_add(verdict == TRAWL_RX_OTHER ? &rx->other : &rx->invalid, 1);
		rte_pktmbuf_free(m);
		return;
	}
	trawl_stat_add(&rx->valid, 1);
	r->tsc = now;
	r->repeat = 0;
	o->nres++;
	o->nchunks += trawl_result_chunks(r->data_len);
	/* Not armed: no probe has gone out, and the answer's template has no next hop yet. */
	if (eng->probe->answer != NULL && armed)
		answer(rx, m, &v, r, o);
	else
		rte_pktmbuf_free(m);
}

/*
 * The burst's results to the writer. Their data goes first, on its own
 * ring, so the writer finds a result's chunks there once it has the result.
 * Nothing waits: the results the record ring has no room for, or whose data
 * the data ring has no room for, are dropped and counted (writer_behind).
 * The record ring's free count only grows while we look (we are its one
 * producer), so the results counted in below are all taken.
 */
static void
hand_on(struct trawl_rx *rx, struct burst_out *o)
{
	unsigned int n = o->nres, k;

	if (o->nchunks != 0) {
		unsigned int chunks = 0, keep = 0;

		n = RTE_MIN(n, rte_ring_free_count(rx->to_writer));
		for (unsigned int i = 0; i < n; i++)
			chunks += trawl_result_chunks(o->res[i].data_len);
		if (chunks != 0 &&
		    rte_ring_sp_enqueue_bulk_elem(rx->to_writer_data, o->chunks, TRAWL_RESULT_CHUNK, chunks, NULL) == 0) {
			/* No room for the data: only the results without any go on. */
			for (unsigned int i = 0; i < n; i++)
				if (o->res[i].data_len == 0)
					o->res[keep++] = o->res[i];
			n = keep;
		}
	}
	k = n == 0 ? 0 : rte_ring_sp_enqueue_burst_elem(rx->to_writer, o->res, sizeof(o->res[0]), n, NULL);
	trawl_stat_add(&rx->handed, k);
	if (unlikely(k < o->nres))
		trawl_stat_add(&rx->writer_behind, o->nres - k);
}

void
trawl_rx_burst(struct trawl_rx *rx, struct rte_mbuf **m, uint16_t n, uint64_t now)
{
	struct burst_out o;
	int armed = trawl_flag_get(&rx->eng->armed);
	unsigned int k;

	o.nres = 0;
	o.nans = 0;
	o.chunks = rx->chunks;
	o.nchunks = 0;
	trawl_stat_add(&rx->frames, n);
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		handle(rx, m[i], now, armed, &o);
	}
	if (o.nres != 0)
		hand_on(rx, &o);
	if (o.nans != 0) {
		k = rte_ring_sp_enqueue_burst(rx->to_tx, (void **)o.ans, o.nans, NULL);
		trawl_stat_add(&rx->answers, k);
		if (unlikely(k < o.nans)) {
			rte_pktmbuf_free_bulk(o.ans + k, o.nans - k);
			trawl_stat_add(&rx->answers_dropped, o.nans - k);
		}
	}
}

int
trawl_rx_poll(void *arg)
{
	struct trawl_rx *rx = arg;
	struct rte_mbuf *m[TRAWL_BURST];
	uint16_t n;

	if (trawl_flag_get(&rx->eng->stop_rx) || trawl_flag_get(&rx->eng->abort)) {
		trawl_flag_set(&rx->finished);
		return TRAWL_ROLE_DONE;
	}
	n = trawl_port_rx(rx->port, rx->queue, m, TRAWL_BURST, rx->link_gated);
	if (n != 0)
		trawl_rx_burst(rx, m, n, rte_rdtsc());
	return TRAWL_ROLE_BUSY;
}
