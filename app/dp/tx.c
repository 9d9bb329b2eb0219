/* SPDX-License-Identifier: BSD-3-Clause */
#include <sched.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app/dp/stats.h"
#include "app/dp/port.h"
#include "app/dp/tx.h"

/* Tries a burst of control frames or answers gets before what is left is dropped. */
#define CTL_TX_TRIES 64

/*
 * Send what one ring holds now (a burst at most). Frames are few next to
 * probes (a RST per open port, ARP); a port refusing them a few times over is
 * gone or stuck, and they are dropped and counted rather than waited for.
 */
static void
send_ring(struct trawl_tx *tx, struct rte_ring *r, uint64_t *sent_ctr, uint64_t *dropped_ctr)
{
	struct rte_mbuf *m[TRAWL_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(r, (void **)m, TRAWL_BURST, NULL);
	unsigned int sent = 0;

	for (int tries = 0; sent < n && tries < CTL_TX_TRIES; tries++)
		sent += trawl_port_tx(tx->port, tx->queue, m + sent, (uint16_t)(n - sent), tx->link_gated);
	if (sent < n) {
		rte_pktmbuf_free_bulk(m + sent, n - sent);
		trawl_stat_add(dropped_ctr, n - sent);
	}
	if (sent != 0)
		trawl_stat_add(sent_ctr, sent);
}

/* Control frames and answers waiting; returns 1 if any ring still holds frames, and in *worked whether any held one. */
static int
send_replies(struct trawl_tx *tx, int *worked)
{
	int left = 0;

	if (tx->inject != NULL && !rte_ring_empty(tx->inject)) {
		send_ring(tx, tx->inject, &tx->ctl_sent, &tx->ctl_dropped);
		left |= !rte_ring_empty(tx->inject);
		*worked = 1;
	}
	for (unsigned int i = 0; i < tx->nanswers; i++)
		if (!rte_ring_empty(tx->answers[i])) {
			send_ring(tx, tx->answers[i], &tx->answers_sent, &tx->answers_dropped);
			left |= !rte_ring_empty(tx->answers[i]);
			*worked = 1;
		}
	return left;
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

/*
 * Fill tgt[] with up to n probes' targets; returns how many. Targets in a
 * blocklist reloaded mid-run (@p blk, NULL: none) are drawn and skipped:
 * the permutation stays the one the scan started with, so every target
 * still allowed is probed exactly once, checkpoint and all.
 */
static unsigned int
next_targets(struct trawl_tx *tx, struct trawl_target *tgt, unsigned int n, const struct trawl_live_block *blk)
{
	const struct trawl_engine *eng = tx->eng;
	/*
	 * The current target in locals, written back once: built field by field
	 * in *tx and read back whole into tgt[k], it stalled every target on a
	 * failed store-to-load forward (perf: 40% of make_burst's samples).
	 */
	struct trawl_target cur = tx->cur;
	uint16_t left = tx->cur_left;
	unsigned int k = 0;

	while (k < n) {
		if (left == 0) {
			uint64_t idx;

			tx->cur_start_left = tx->it.left;
			tx->cur_start_targets = tx->targets;
			if (tx->targets >= tx->max_targets || !trawl_cyclic_next(&tx->it, &idx))
				break;
			trawl_target_at(&eng->space, idx, &cur);
			if (unlikely(blk != NULL) && trawl_constraint_contains(&blk->v4, cur.addr)) {
				trawl_stat_add(&tx->blocked_live, 1);
				continue;
			}
			cur.probe = 0;
			left = tx->probes;
			trawl_stat_add(&tx->targets, 1);
		}
		tgt[k] = cur;
		k++;
		cur.probe++;
		left--;
	}
	tx->cur = cur;
	tx->cur_left = left;
	return k;
}

/*
 * The same for an IPv6 scan: the addresses of a partly blocked prefix
 * window (core/space6.h) and those in the IPv6 prefixes of a blocklist
 * reloaded mid-run are drawn and skipped.
 */
static unsigned int
next_targets6(struct trawl_tx *tx, struct trawl_target6 *tgt, unsigned int n, const struct trawl_live_block *blk)
{
	const struct trawl_target_space *ts = &tx->eng->space;
	struct trawl_target6 cur = tx->cur6;
	uint16_t left = tx->cur_left;
	unsigned int k = 0;

	while (k < n) {
		if (left == 0) {
			uint64_t idx;

			tx->cur_start_left = tx->it.left;
			tx->cur_start_targets = tx->targets;
			if (tx->targets >= tx->max_targets || !trawl_cyclic_next(&tx->it, &idx))
				break;
			trawl_target6_at(ts, idx, &cur);
			if (unlikely(ts->six->nblk != 0) &&
			    trawl_space6_blocked(ts->six, rte_reciprocal_divide_u64(idx, &ts->nports_recip), cur.addr)) {
				trawl_stat_add(&tx->blocked_live, 1);
				continue;
			}
			if (unlikely(blk != NULL) && blk->n6 != 0 &&
			    trawl_ip6_ranges_contain(blk->lo6, blk->hi6, blk->n6, cur.addr)) {
				trawl_stat_add(&tx->blocked_live, 1);
				continue;
			}
			cur.probe = 0;
			left = tx->probes;
			trawl_stat_add(&tx->targets, 1);
		}
		tgt[k] = cur;
		k++;
		cur.probe++;
		left--;
	}
	tx->cur6 = cur;
	tx->cur_left = left;
	return k;
}

/* Every frame made so far was taken by the port: say where the walk stands (seqlock, one writer). */
static void
publish_position(struct trawl_tx *tx)
{
	uint64_t left = tx->cur_left != 0 ? tx->cur_start_left : tx->it.left;
	uint64_t targets = tx->cur_left != 0 ? tx->cur_start_targets : tx->targets;

	if (left == tx->pos_left && targets == tx->pos_targets)
		return;
	__atomic_store_n(&tx->pos_seq, tx->pos_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&tx->pos_left, left, __ATOMIC_RELAXED);
	__atomic_store_n(&tx->pos_targets, targets, __ATOMIC_RELAXED);
	__atomic_store_n(&tx->pos_seq, tx->pos_seq + 1, __ATOMIC_RELEASE);
}

/* This role makes no more probes: a reload of the blocklist need not wait for it. */
static void
rcu_offline(struct trawl_tx *tx)
{
	if (!tx->rcu_offline && tx->eng->rcu != NULL) {
		rte_rcu_qsbr_thread_offline(tx->eng->rcu, tx->queue);
		tx->rcu_offline = 1;
	}
}

/* The probes of an IPv6 burst: its targets into n of the budget's buffers (the rest freed), returns n. */
static unsigned int
make_burst6(struct trawl_tx *tx, unsigned int budget, uint8_t *bufs[])
{
	const struct trawl_engine *eng = tx->eng;
	struct trawl_target6 tgt[TRAWL_BURST];
	unsigned int n = next_targets6(tx, tgt, budget, __atomic_load_n(&eng->live_block, __ATOMIC_ACQUIRE));

	if (n < budget)
		rte_pktmbuf_free_bulk(tx->pend + n, budget - n);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = tx->pend[i];

		m->data_len = eng->pctx.len6;
		m->pkt_len = eng->pctx.len6;
		if (eng->pctx.tx_ol_flags6 != 0) {
			m->ol_flags = eng->pctx.tx_ol_flags6;
			m->l2_len = sizeof(struct rte_ether_hdr);
			m->l3_len = sizeof(struct rte_ipv6_hdr);
		}
		bufs[i] = rte_pktmbuf_mtod(m, uint8_t *);
	}
	if (n != 0)
		eng->probe->make6(bufs, tgt, n, &eng->pctx);
	return n;
}

static unsigned int
make_burst4(struct trawl_tx *tx, unsigned int budget, uint8_t *bufs[])
{
	const struct trawl_engine *eng = tx->eng;
	struct trawl_target tgt[TRAWL_BURST];
	unsigned int n = next_targets(tx, tgt, budget, __atomic_load_n(&eng->live_block, __ATOMIC_ACQUIRE));

	if (n < budget)
		rte_pktmbuf_free_bulk(tx->pend + n, budget - n);
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
	RTE_BUILD_BUG_ON(TRAWL_BURST > TRAWL_MAKE_MAX);
	if (n != 0)
		eng->probe->make(bufs, tgt, n, &eng->pctx);
	return n;
}

static void
make_burst(struct trawl_tx *tx, unsigned int budget)
{
	uint8_t *bufs[TRAWL_BURST];
	unsigned int n;

	/* Buffers first: a target is drawn only once there is a frame to put it in. */
	if (rte_pktmbuf_alloc_bulk(tx->pool, tx->pend, budget) != 0) {
		trawl_stat_add(&tx->alloc_fail, 1);
		return;
	}
	n = tx->eng->space.six != NULL ? make_burst6(tx, budget, bufs) : make_burst4(tx, budget, bufs);
	if (n == 0) {
		publish_position(tx); /* the end of the run, past any element above n */
		rcu_offline(tx);
		__atomic_store_n(&tx->sending_done, 1, __ATOMIC_RELEASE);
		return;
	}
	tx->npend = (uint16_t)n;
	tx->pend_off = 0;
}

/*
 * No more probes: what was made but not taken is dropped (the port may
 * never take it), and the position stays before that burst. A last burst
 * the port took whole is said, else a --checkpoint resume would send it
 * again: the poll that flushed it publishes nothing, the next one does
 * (found by test_reload under ASan: a stop between the two sent one target
 * twice).
 */
static void
end_sending(struct trawl_tx *tx)
{
	rcu_offline(tx);
	if (tx->npend != 0) {
		rte_pktmbuf_free_bulk(tx->pend + tx->pend_off, tx->npend);
		trawl_stat_add(&tx->probes_dropped, tx->npend);
		tx->npend = 0;
		tx->pend_off = 0;
	} else if (!tx->sending_done) {
		publish_position(tx);
	}
	__atomic_store_n(&tx->sending_done, 1, __ATOMIC_RELEASE);
}

static int
finish(struct trawl_tx *tx)
{
	end_sending(tx);
	trawl_flag_set(&tx->finished);
	return TRAWL_ROLE_DONE;
}

int
trawl_tx_poll(void *arg)
{
	struct trawl_tx *tx = arg;
	const struct trawl_engine *eng = tx->eng;
	int link = !tx->link_gated || trawl_port_link_up(tx->port);
	int left = 0, worked = 0;
	unsigned int budget;

	if (unlikely(trawl_flag_get(&eng->abort)))
		return finish(tx);
	if (!tx->sending_done && trawl_flag_get(&eng->stop_tx))
		end_sending(tx);
	/* Every probe made so far is the port's: the live blocklist may change under the next burst. */
	if (tx->npend == 0 && !tx->rcu_offline && eng->rcu != NULL)
		rte_rcu_qsbr_quiescent(eng->rcu, tx->queue);
	if (link)
		left = send_replies(tx, &worked);
	if (tx->sending_done || !trawl_flag_get(&eng->armed)) {
		/*
		 * Keep sending answers until every RX role has stopped (stop_writer
		 * says so) and they are all out; with the link gone (the peer left)
		 * nothing more can go, and the rings are emptied at teardown.
		 */
		if (trawl_flag_get(&eng->stop_writer) && (!left || !link))
			return finish(tx);
		return worked ? TRAWL_ROLE_BUSY : TRAWL_ROLE_IDLE;
	}
	/* The peer is gone (or not there yet): nothing can be sent until it is back. */
	if (!link)
		return TRAWL_ROLE_IDLE;
	if (tx->npend != 0 && !flush_pending(tx))
		return TRAWL_ROLE_BUSY;
	publish_position(tx);
	budget = trawl_ratelimit_budget(&tx->rl, rte_rdtsc(), TRAWL_BURST);
	if (budget == 0)
		return worked ? TRAWL_ROLE_BUSY : TRAWL_ROLE_IDLE; /* -r: waiting for the limiter */
	make_burst(tx, budget);
	trawl_ratelimit_spend(&tx->rl, tx->npend);
	if (tx->npend != 0)
		flush_pending(tx);
	return TRAWL_ROLE_BUSY;
}
