/* SPDX-License-Identifier: BSD-3-Clause */
#include <sched.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "stats.h"
#include "port.h"
#include "tx.h"

/* Control frames are few; a full queue a few times over means the port is gone. */
#define CTL_TX_TRIES 64

static void
send_control(struct trawl_tx *tx)
{
	struct rte_mbuf *m[TRAWL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(tx->inject, (void **)m, TRAWL_BURST, NULL);
	unsigned int sent = 0;

	for (int tries = 0; sent < n && tries < CTL_TX_TRIES; tries++)
		sent += trawl_port_tx(tx->port, tx->queue, m + sent, (uint16_t)(n - sent), tx->link_gated);
	if (sent < n) {
		rte_pktmbuf_free_bulk(m + sent, n - sent);
		trawl_stat_add(&tx->ctl_dropped, n - sent);
	}
	if (sent != 0)
		trawl_stat_add(&tx->ctl_sent, sent);
}

/* Hand pending frames to the port; returns 1 once none is left. */
static int
flush_pending(struct trawl_tx *tx)
{
	uint16_t n = trawl_port_tx(tx->port, tx->queue, tx->pend + tx->pend_off, tx->npend, tx->link_gated);

	if (n != 0) {
		uint64_t now = rte_rdtsc();

		if (tx->first_tsc == 0)
			__atomic_store_n(&tx->first_tsc, now, __ATOMIC_RELAXED);
		__atomic_store_n(&tx->last_tsc, now, __ATOMIC_RELAXED);
		trawl_stat_add(&tx->sent, n);
		trawl_window_count(&tx->win, now, n);
	}
	else if (tx->yield_when_full)
		sched_yield(); /* the kernel is behind on this CPU: let its softirq thread run */
	tx->pend_off += n;
	tx->npend -= n;
	return tx->npend == 0;
}

/* Fill tgt[] with up to n probes' targets; returns how many. */
static unsigned int
next_targets(struct trawl_tx *tx, struct trawl_target *tgt, unsigned int n)
{
	const struct trawl_engine *eng = tx->eng;
	unsigned int k = 0;

	while (k < n) {
		if (tx->cur_left == 0) {
			uint64_t idx;

			if (tx->targets >= tx->max_targets || !trawl_cyclic_next(&tx->it, &idx))
				break;
			trawl_target_at(&eng->space, idx, &tx->cur);
			tx->cur.probe = 0;
			tx->cur_left = tx->probes;
			trawl_stat_add(&tx->targets, 1);
		}
		tgt[k] = tx->cur;
		k++;
		tx->cur.probe++;
		tx->cur_left--;
	}
	return k;
}

static void
make_burst(struct trawl_tx *tx, unsigned int budget)
{
	const struct trawl_engine *eng = tx->eng;
	struct trawl_target tgt[TRAWL_BURST];
	uint8_t *bufs[TRAWL_BURST];
	unsigned int n;

	/* Buffers first: a target is drawn only once there is a frame to put it in. */
	if (rte_pktmbuf_alloc_bulk(tx->pool, tx->pend, budget) != 0) {
		trawl_stat_add(&tx->alloc_fail, 1);
		return;
	}
	n = next_targets(tx, tgt, budget);
	if (n < budget)
		rte_pktmbuf_free_bulk(tx->pend + n, budget - n);
	if (n == 0) {
		__atomic_store_n(&tx->sending_done, 1, __ATOMIC_RELEASE);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = tx->pend[i];

		m->data_len = eng->pctx.len;
		m->pkt_len = eng->pctx.len;
		if (eng->pctx.tx_ol_flags != 0) {
			/* The port finishes the checksums (drivers/ found the offloads). */
			m->ol_flags = eng->pctx.tx_ol_flags;
			m->l2_len = sizeof(struct rte_ether_hdr);
			m->l3_len = sizeof(struct rte_ipv4_hdr);
		}
		bufs[i] = rte_pktmbuf_mtod(m, uint8_t *);
	}
	eng->probe->make(bufs, tgt, n, &eng->pctx);
	tx->npend = (uint16_t)n;
	tx->pend_off = 0;
}

int
trawl_tx_poll(void *arg)
{
	struct trawl_tx *tx = arg;
	const struct trawl_engine *eng = tx->eng;
	unsigned int budget;

	if (tx->link_gated && !trawl_port_link_up(tx->port)) {
		/* The peer is gone (or not there yet): nothing can be sent; do not hang the end of the run. */
		if (trawl_flag_get(&eng->stop_rx))
			return TRAWL_ROLE_DONE;
		return TRAWL_ROLE_BUSY;
	}

	if (tx->inject != NULL && !rte_ring_empty(tx->inject))
		send_control(tx);
	if (tx->npend != 0 && !flush_pending(tx))
		return TRAWL_ROLE_BUSY;
	if (tx->sending_done || !trawl_flag_get(&eng->armed)) {
		/* Keep serving control frames until receiving is over. */
		if (trawl_flag_get(&eng->stop_rx) && (tx->inject == NULL || rte_ring_empty(tx->inject)))
			return TRAWL_ROLE_DONE;
		return TRAWL_ROLE_BUSY;
	}
	if (trawl_flag_get(&eng->stop_tx)) {
		__atomic_store_n(&tx->sending_done, 1, __ATOMIC_RELEASE);
		return TRAWL_ROLE_BUSY;
	}
	budget = trawl_ratelimit_budget(&tx->rl, rte_rdtsc(), TRAWL_BURST);
	if (budget == 0)
		return TRAWL_ROLE_BUSY;
	make_burst(tx, budget);
	trawl_ratelimit_spend(&tx->rl, tx->npend);
	if (tx->npend != 0)
		flush_pending(tx);
	return TRAWL_ROLE_BUSY;
}
