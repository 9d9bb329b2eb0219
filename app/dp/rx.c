/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "app/dp/port.h"
#include "app/dp/rx.h"
#include "app/dp/stats.h"
#include "app/core/ndp.h"
#include "app/probes/tcp.h"

/*
 * What one burst produced, handed on in bursts at its end. A frame gives
 * at most two results (a handshake module's: a held handshake closed
 * early, and its own) and three frames plus its canaries to send.
 */
#define OUT_RES (2 * TRAWL_BURST)
#define OUT_ANS (TRAWL_BURST * (3 + TRAWL_CANARIES_MAX))
struct burst_out {
	struct trawl_result res[OUT_RES];
	uint8_t (*chunks)[TRAWL_RESULT_CHUNK]; /* the RX role's (trawl_rx.chunks) */
	unsigned int nchunks;
	struct rte_mbuf *ans[OUT_ANS];
	unsigned int nres;
	unsigned int nans;
	unsigned int ncanaries;  /* of ans, the canary SYNs (counted apart) */
};

/* A frame parsed: what it is, and for IP its view. */
struct parsed {
	union {
		struct trawl_ipv4_view v;
		struct trawl_ipv6_view v6;
	};
	enum trawl_l3_kind kind;  /**< TRAWL_L3_OTHER also for IP that does not parse */
};

/*
 * The probe module's answer to a valid reply (the RST). In place in the
 * reply's own mbuf when it is a plain one-segment buffer with room: no
 * allocation, no copy. Consumes m.
 */
static void
answer(struct trawl_rx *rx, struct rte_mbuf *m, const struct trawl_ipv4_view *v, const struct trawl_ipv6_view *v6,
		const struct trawl_result *r, struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;
	struct rte_mbuf *out = m;
	uint16_t len, max = eng->probe->answer_max != 0 ? eng->probe->answer_max : TRAWL_PROBE_MAX_LEN;

	if (unlikely(m->nb_segs != 1 || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1 ||
		     rte_pktmbuf_data_room_size(m->pool) < m->data_off + max)) {
		out = rte_pktmbuf_alloc(rx->pool);
		if (out == NULL) {
			rte_pktmbuf_free(m);
			trawl_stat_add(&rx->answers_dropped, 1);
			return;
		}
	}
	len = v6 != NULL ? eng->probe->answer6(rte_pktmbuf_mtod(out, uint8_t *), v6, &eng->pctx, r) :
		eng->probe->answer(rte_pktmbuf_mtod(out, uint8_t *), v, &eng->pctx, r);
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

/* A new buffer for a frame the module writes (a RST: at most TRAWL_PROBE_MAX_LEN); a failure is a dropped answer. */
static struct rte_mbuf *
new_frame(struct trawl_rx *rx)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rx->pool);

	if (m == NULL)
		trawl_stat_add(&rx->answers_dropped, 1);
	return m;
}

/* Held handshakes that brought nothing: each written as nodata and closed by our RST. */
static void
close_held(struct trawl_rx *rx, const struct trawl_result *held, unsigned int n, struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;

	for (unsigned int i = 0; i < n; i++) {
		struct trawl_result *r = &o->res[o->nres++];
		struct rte_mbuf *m = new_frame(rx);

		*r = held[i];
		r->cls = TRAWL_CLASS_NODATA;
		r->success = 1;
		r->data_len = 0;
		r->repeat = 0;
		if (m == NULL)
			continue;
		m->data_len = eng->space.six != NULL ? eng->probe->reset6(rte_pktmbuf_mtod(m, uint8_t *), &eng->pctx, r) :
			eng->probe->reset(rte_pktmbuf_mtod(m, uint8_t *), &eng->pctx, r);
		m->pkt_len = m->data_len;
		o->ans[o->nans++] = m;
		trawl_stat_add(&rx->resets, 1);
	}
}

/*
 * Canary SYNs for an address that answered: the scan's own probe to ports
 * the MAC picks outside the scan's, once per address as far as a small
 * direct-mapped memory of recent addresses goes (an address with many open
 * ports may get them more than once; each costs N probes). An IPv6 address
 * is remembered by 32 bits of its hash: two that hash alike may cost the
 * second its canaries (about one in 2^32 a pair), never a wrong one.
 */
static void
send_canaries(struct trawl_rx *rx, const struct parsed *p, const struct trawl_result *r, struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;
	const struct trawl_probe_ctx *ctx = &eng->pctx;
	int six = p->kind == TRAWL_L3_IPV6;
	struct trawl_ip6 a6 = six ? p->v6.saddr : (struct trawl_ip6){ 0, 0 };
	/* IPv6: 32 bits of a hash of the whole address (a plain xor-fold makes neighbouring prefixes collide) */
	uint32_t addr = six ? (uint32_t)(trawl_space6_hash(a6) >> 32) : r->saddr;
	uint32_t slot = (uint32_t)(addr * UINT32_C(2654435761)) >> 20; /* Fibonacci hashing, 12 bits */
	struct trawl_target tgt[TRAWL_CANARIES_MAX];
	struct trawl_target6 tgt6[TRAWL_CANARIES_MAX];
	struct rte_mbuf *m[TRAWL_CANARIES_MAX];
	uint8_t *bufs[TRAWL_CANARIES_MAX];
	unsigned int n = 0;

	RTE_BUILD_BUG_ON(TRAWL_CANARY_CACHE != 1 << 12);
	if (rx->canary_sent[slot] == addr)
		return;
	rx->canary_sent[slot] = addr;
	for (unsigned int i = 0; i < ctx->canaries; i++) {
		uint16_t port = six ? trawl_tcp6_canary_port(ctx, a6, i) : trawl_tcp_canary_port(ctx, addr, i);

		if (port == 0)
			continue;
		if (six)
			tgt6[n++] = (struct trawl_target6){ .addr = a6, .port = port, .probe = 0 };
		else
			tgt[n++] = (struct trawl_target){ .addr = addr, .port = port, .probe = 0 };
	}
	if (n == 0)
		return;
	if (rte_pktmbuf_alloc_bulk(rx->pool, m, n) != 0) {
		trawl_stat_add(&rx->canaries_dropped, n);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t ol = six ? ctx->tx_ol_flags6 : ctx->tx_ol_flags;

		m[i]->data_len = six ? ctx->len6 : ctx->len;
		m[i]->pkt_len = m[i]->data_len;
		if (ol != 0) {
			m[i]->ol_flags = ol;
			m[i]->l2_len = sizeof(struct rte_ether_hdr);
			m[i]->l3_len = six ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
		}
		bufs[i] = rte_pktmbuf_mtod(m[i], uint8_t *);
	}
	if (six)
		eng->probe->make6(bufs, tgt6, n, ctx);
	else
		eng->probe->make(bufs, tgt, n, ctx);
	/* Canaries go first in ans: the burst's end counts them apart by position. */
	memmove(o->ans + o->ncanaries + n, o->ans + o->ncanaries, (o->nans - o->ncanaries) * sizeof(o->ans[0]));
	memcpy(o->ans + o->ncanaries, m, n * sizeof(m[0]));
	o->ncanaries += n;
	o->nans += n;
}

/*
 * A handshake module's SYN-ACK is held, not a result (answer() completes
 * the handshake). The table may have to close older ones at once.
 */
static void
hold(struct trawl_rx *rx, const struct trawl_result *syn, struct burst_out *o)
{
	struct trawl_result out[2];
	int n = trawl_pending_add(&rx->pend, syn, out);

	if (unlikely(n != 0))
		close_held(rx, out, (unsigned int)n, o);
}

/* A result of a held connection ends its hold: a RST after the handshake is a reset, not a closed port. */
static void
end_hold(struct trawl_rx *rx, struct trawl_result *r)
{
	if (r->cls == TRAWL_CLASS_CANARY)
		return; /* never held (and an IPv6 canary's key, count + first, is past what the table's keys hold) */
	if (trawl_pending_take(&rx->pend, trawl_pending_key_of(&rx->pend, r)) &&
	    r->cls == TRAWL_CLASS_RST) {
		r->cls = TRAWL_CLASS_RESET;
		r->success = 1;
	}
}

/*
 * A frame that is not the scan's own (counted already as other or invalid):
 * to the kernel through the control role if there is a kernel path, else
 * freed. A full ring is a flood the control role cannot keep up with: the
 * frame is dropped here and counted, nothing waits.
 */
static void
not_ours(struct trawl_rx *rx, struct rte_mbuf *m)
{
	if (!rx->kernel_path) {
		rte_pktmbuf_free(m);
		return;
	}
	if (rte_ring_sp_enqueue(rx->to_ctl, m) != 0) {
		rte_pktmbuf_free(m);
		trawl_stat_add(&rx->kernel_dropped, 1);
		return;
	}
	trawl_stat_add(&rx->kernel, 1);
}

/*
 * An IPv6 list's lookups cost two cache misses each (its directory, then
 * the list: core/space6.h). A burst's are made to overlap: every reply's
 * directory entry asked for, then, once they are in, its list entries.
 */
static void
prefetch6(const struct trawl_space6 *s, const uint64_t g[], unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_prefetch0(&s->dir[g[i]]);
	for (unsigned int i = 0; i < n; i++)
		rte_prefetch0(&s->list[s->dir[g[i]]]);
}

/*
 * IPv6 replies' tags, a burst's together: both chained AES blocks of each
 * (validate.h) in two batched calls, the rounds of independent blocks
 * overlapping, where one reply at a time waited on twenty rounds in a row.
 */
static void
tags6(const struct trawl_probe_ctx *ctx, struct trawl_tag_hint6 hint6[], const uint16_t at6[], unsigned int n,
		struct parsed p[])
{
	uint64_t w0[TRAWL_BURST], w1[TRAWL_BURST], h[TRAWL_BURST];

	for (unsigned int j = 0; j < n; j++) {
		w0[j] = hint6[j].addr.hi;
		w1[j] = hint6[j].addr.lo;
	}
	ctx->val.mac.tags(&ctx->val.mac, w0, w1, h, n);
	for (unsigned int j = 0; j < n; j++)
		w1[j] = TRAWL_MAC6_DOMAIN | hint6[j].port;
	ctx->val.mac.tags(&ctx->val.mac, h, w1, w0, n);
	for (unsigned int j = 0; j < n; j++) {
		hint6[j].tag = w0[j];
		p[at6[j]].v6.hint = &hint6[j];
	}
}

/*
 * Parse a burst's frames, and guess each IPv4 reply's MAC block as the
 * probe modules ask it of a direct reply (our address, the reply's source
 * and source port; port 0 for ICMP): their tags computed together cost
 * about a fifth of one at a time (bench/macbench). A wrong guess (an ICMP
 * error's quote, say) costs only the tag the module then computes itself.
 */
static void
parse_burst(const struct trawl_rx *rx, struct rte_mbuf **m, uint16_t n, struct parsed p[],
		struct trawl_tag_hint hint[], struct trawl_tag_hint6 hint6[])
{
	const struct trawl_probe_ctx *ctx = &rx->eng->pctx;
	uint64_t w0[TRAWL_BURST], w1[TRAWL_BURST], tag[TRAWL_BURST], g6[TRAWL_BURST];
	uint16_t at[TRAWL_BURST], at6[TRAWL_BURST], k = 0, k6 = 0, kt6 = 0;

	for (uint16_t i = 0; i < n; i++) {
		/* Bounds come from what we hold (the first segment), never from headers alone. */
		const uint8_t *frame = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint32_t caplen = m[i]->data_len, l3off = 0;
		struct trawl_ipv4_view *v = &p[i].v;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		p[i].kind = trawl_eth_parse(frame, caplen, &l3off);
		if (p[i].kind == TRAWL_L3_IPV6) {
			/* No tags ahead: an IPv6 reply's tag is two chained blocks, computed by the module. */
			if (trawl_ipv6_parse(frame + l3off, caplen - l3off, &p[i].v6) != 0)
				p[i].kind = TRAWL_L3_OTHER;
			else if (ctx->space->six != NULL) {
				const struct trawl_ipv6_view *v6 = &p[i].v6;

				if (ctx->space->six->nlist != 0)
					g6[k6++] = trawl_space6_group(ctx->space->six, v6->saddr);
				/* The block a direct reply's tag is of: its source and source port (0 for ICMPv6). */
				if (v6->proto == IPPROTO_ICMPV6 || ((v6->proto == IPPROTO_TCP || v6->proto == IPPROTO_UDP) &&
						v6->l4_len >= 2)) {
					hint6[kt6] = (struct trawl_tag_hint6){ v6->saddr,
						v6->proto == IPPROTO_ICMPV6 ? 0 : (uint16_t)(v6->l4[0] << 8 | v6->l4[1]), 0 };
					at6[kt6++] = i;
				}
			}
			continue;
		}
		if (p[i].kind != TRAWL_L3_IPV4)
			continue;
		if (trawl_ipv4_parse(frame + l3off, caplen - l3off, v) != 0) {
			p[i].kind = TRAWL_L3_OTHER;
			continue;
		}
		if (v->proto == IPPROTO_ICMP) {
			w1[k] = 0;
		} else if ((v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) && v->l4_len >= 2) {
			w1[k] = (uint16_t)(v->l4[0] << 8 | v->l4[1]);
		} else {
			continue;
		}
		w0[k] = (uint64_t)ctx->saddr << 32 | v->saddr;
		at[k++] = i;
	}
	if (k6 != 0)
		prefetch6(ctx->space->six, g6, k6);
	if (kt6 != 0)
		tags6(ctx, hint6, at6, kt6, p);
	if (k != 0)
		ctx->val.mac.tags(&ctx->val.mac, w0, w1, tag, k);
	for (uint16_t j = 0; j < k; j++) {
		hint[j] = (struct trawl_tag_hint){ w0[j], w1[j], tag[j] };
		p[at[j]].v.hint = &hint[j];
	}
}

/* Look at one parsed frame: a result and an answer into o, an ARP frame to control, the rest not ours. */
static void
handle(struct trawl_rx *rx, struct rte_mbuf *m, const struct parsed *p, uint64_t now, int armed,
		struct burst_out *o)
{
	const struct trawl_engine *eng = rx->eng;
	const struct trawl_ipv4_view *vp = &p->v;
	struct trawl_result *r = &o->res[o->nres];
	struct trawl_result syn;
	enum trawl_rx_verdict verdict;

	switch (p->kind) {
	case TRAWL_L3_IPV6:
		if (!trawl_ndp_is(&p->v6)) {
			if (eng->space.six == NULL)
				goto other;
			break;
		}
		/* Neighbour discovery is the control role's, as ARP is. */
		__attribute__((fallthrough));
	case TRAWL_L3_ARP:
		trawl_stat_add(&rx->arp, 1);
		if (rte_ring_sp_enqueue(rx->to_ctl, m) != 0) {
			rte_pktmbuf_free(m);
			trawl_stat_add(&rx->arp_dropped, 1);
		}
		return;
	case TRAWL_L3_IPV4:
		if (eng->space.six != NULL)
			goto other;
		break;
	default:
other:
		trawl_stat_add(&rx->other, 1);
		not_ours(rx, m);
		return;
	}
	r->data = o->chunks[o->nchunks];
	verdict = p->kind == TRAWL_L3_IPV6 ? eng->probe->classify6(&eng->pctx, &p->v6, r) :
		eng->probe->classify(&eng->pctx, vp, r);
	if (verdict != TRAWL_RX_VALID) {
		/* The kernel's own connections land here: their SYN-ACKs and data fail our MAC. */
		trawl_stat_add(verdict == TRAWL_RX_OTHER ? &rx->other : &rx->invalid, 1);
		not_ours(rx, m);
		return;
	}
	trawl_stat_add(&rx->valid, 1);
	r->tsc = now;
	r->repeat = 0;
	if (eng->pctx.canaries != 0 && armed && (r->cls == TRAWL_CLASS_SYNACK || r->cls == TRAWL_CLASS_ZEROWIN))
		send_canaries(rx, p, r, o);
	if (eng->probe->handshake && r->cls == TRAWL_CLASS_SYNACK) {
		/* A copy: hold() may write closed handshakes into the slot r points to. */
		syn = *r;
		if (armed)
			hold(rx, &syn, o);
		r = &syn;
	} else {
		if (eng->probe->handshake)
			end_hold(rx, r);
		o->nres++;
		o->nchunks += trawl_result_chunks(r->data_len);
	}
	/* Not armed: no probe has gone out, and the answer's template has no next hop yet. */
	if (p->kind == TRAWL_L3_IPV6 && eng->probe->answer6 != NULL && armed)
		answer(rx, m, NULL, &p->v6, r, o);
	else if (p->kind == TRAWL_L3_IPV4 && eng->probe->answer != NULL && armed)
		answer(rx, m, vp, NULL, r, o);
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

/* Everything a burst (or an expiry) produced: results to the writer, frames to the TX role. */
static void
emit(struct trawl_rx *rx, struct burst_out *o)
{
	unsigned int k;

	if (o->nres != 0)
		hand_on(rx, o);
	if (o->nans != 0) {
		k = rte_ring_sp_enqueue_burst(rx->to_tx, (void **)o->ans, o->nans, NULL);
		/* The canaries are first in ans. */
		trawl_stat_add(&rx->canaries, RTE_MIN(k, o->ncanaries));
		trawl_stat_add(&rx->answers, k > o->ncanaries ? k - o->ncanaries : 0);
		if (unlikely(k < o->nans)) {
			rte_pktmbuf_free_bulk(o->ans + k, o->nans - k);
			trawl_stat_add(&rx->canaries_dropped, k < o->ncanaries ? o->ncanaries - k : 0);
			trawl_stat_add(&rx->answers_dropped, o->nans - RTE_MAX(k, o->ncanaries));
		}
	}
}

static void
out_init(struct trawl_rx *rx, struct burst_out *o)
{
	o->nres = 0;
	o->nans = 0;
	o->ncanaries = 0;
	o->chunks = rx->chunks;
	o->nchunks = 0;
}

void
trawl_rx_burst(struct trawl_rx *rx, struct rte_mbuf **m, uint16_t n, uint64_t now)
{
	struct burst_out o;
	int armed = trawl_flag_get(&rx->eng->armed);

	struct parsed p[TRAWL_BURST];
	struct trawl_tag_hint hint[TRAWL_BURST];
	struct trawl_tag_hint6 hint6[TRAWL_BURST];

	RTE_ASSERT(n <= TRAWL_BURST);
	out_init(rx, &o);
	trawl_stat_add(&rx->frames, n);
	parse_burst(rx, m, n, p, hint, hint6);
	for (uint16_t i = 0; i < n; i++)
		handle(rx, m[i], &p[i], now, armed, &o);
	emit(rx, &o);
}

/*
 * Held handshakes past their hold time (all of them once the cooldown is
 * over: now UINT64_MAX), a burst at a time and no more than the rings take,
 * so that none is lost to a full ring. Returns 1 if any is left.
 */
static int
expire(struct trawl_rx *rx, uint64_t now)
{
	struct trawl_result held[TRAWL_BURST];
	struct burst_out o;
	unsigned int room = RTE_MIN(rte_ring_free_count(rx->to_tx), rte_ring_free_count(rx->to_writer));
	unsigned int n = trawl_pending_expire(&rx->pend, now, held, RTE_MIN(room, (unsigned int)TRAWL_BURST));

	if (n != 0) {
		out_init(rx, &o);
		close_held(rx, held, n, &o);
		emit(rx, &o);
	}
	return !trawl_pending_empty(&rx->pend);
}

int
trawl_rx_poll(void *arg)
{
	struct trawl_rx *rx = arg;
	struct rte_mbuf *m[TRAWL_BURST];
	uint16_t n;

	if (trawl_flag_get(&rx->eng->abort)) {
		trawl_flag_set(&rx->finished);
		return TRAWL_ROLE_DONE;
	}
	if (trawl_flag_get(&rx->eng->stop_rx)) {
		/* The cooldown is over: every connection still held is closed before this role ends. */
		if (rx->eng->probe->handshake && expire(rx, UINT64_MAX))
			return TRAWL_ROLE_BUSY;
		trawl_flag_set(&rx->finished);
		return TRAWL_ROLE_DONE;
	}
	n = trawl_port_rx(rx->port, rx->queue, m, TRAWL_BURST, rx->link_gated);
	if (n != 0) {
		trawl_rx_burst(rx, m, n, rte_rdtsc());
		return TRAWL_ROLE_BUSY;
	}
	if (rx->eng->probe->handshake && !trawl_pending_empty(&rx->pend)) {
		expire(rx, rte_rdtsc());
		return TRAWL_ROLE_BUSY;
	}
	return TRAWL_ROLE_IDLE; /* an empty poll */
}
