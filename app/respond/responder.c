/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "app/dp/port.h"
#include "app/respond/responder.h"
#include "app/dp/stats.h"

#define RESP_BURST 32

static inline uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void
fingerprint(struct trawl_responder *r, const struct trawl_fp_probe *fp)
{
	int32_t pos = r->last_pos;
	enum trawl_toolchain tc;
	struct trawl_fp_entry *e;
	uint32_t claimed;
	hash_sig_t sig = 0;

	/*
	 * An IPv6 source has no entry: the table is keyed and reported by IPv4
	 * address. Its probes are attributed by the rules that read one probe.
	 */
	if (fp->v6) {
		struct trawl_fp_source scratch = { 0 };

		tc = trawl_fingerprint(fp, &scratch, &claimed);
		trawl_stat_add(&r->toolchains[tc], 1);
		return;
	}
	if (pos < 0 || r->last_saddr != fp->saddr) {
		sig = rte_hash_hash(r->sources, &fp->saddr); /* once, for the lookup and a possible add */
		pos = rte_hash_lookup_with_hash(r->sources, &fp->saddr, sig);
	}
	if (pos < 0) {
		pos = rte_hash_add_key_with_hash(r->sources, &fp->saddr, sig);
		if (pos < 0 || (uint32_t)pos >= r->max_sources) {
			/* Table full: attribute by the per-packet rules alone. */
			struct trawl_fp_source scratch = { 0 };

			trawl_stat_add(&r->sources_overflow, 1);
			tc = trawl_fingerprint(fp, &scratch, &claimed);
			trawl_stat_add(&r->toolchains[tc], 1);
			return;
		}
		memset(&r->src[pos], 0, sizeof(r->src[pos]));
		r->src[pos].saddr = fp->saddr;
	}
	r->last_saddr = fp->saddr;
	r->last_pos = pos;
	e = &r->src[pos];
	tc = trawl_fingerprint(fp, &e->st, &claimed);
	if (claimed != 0) {
		/* Probes counted unknown until this one confirmed a keyed rule. */
		trawl_stat_add(&e->counts[TRAWL_TC_UNKNOWN], (uint64_t)-claimed);
		trawl_stat_add(&r->toolchains[TRAWL_TC_UNKNOWN], (uint64_t)-claimed);
		trawl_stat_add(&e->counts[tc], claimed);
		trawl_stat_add(&r->toolchains[tc], claimed);
	}
	trawl_stat_add(&e->counts[tc], 1);
	trawl_stat_add(&r->toolchains[tc], 1);
}

int
trawl_responder_poll(void *arg)
{
	struct trawl_responder *r = arg;
	struct rte_mbuf *in[RESP_BURST], *out[2 * RESP_BURST];
	uint16_t n, nout = 0, sent;

	if (trawl_flag_get(r->stop))
		return TRAWL_ROLE_DONE;
	/* A scanner that comes and goes (memif): nothing to receive until the next one. */
	n = trawl_port_rx(r->port, r->queue, in, RESP_BURST, r->link_gated);
	if (n == 0)
		return TRAWL_ROLE_BUSY;
	trawl_stat_add(&r->frames, n);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		struct trawl_respond_result res;

		/* Bounds: the first segment as captured; the buffer's room for the reply. */
		trawl_respond_frame(r->cfg, rte_pktmbuf_mtod(m, uint8_t *), m->data_len,
				rte_pktmbuf_data_room_size(m->pool) - m->data_off, &res);
		trawl_stat_add(&r->probes[res.probe], 1);
		if (res.probe == TRAWL_PROBE_TCP_SYN || res.probe == TRAWL_PROBE_ICMP_ECHO || res.probe == TRAWL_PROBE_UDP)
			fingerprint(r, &res.fp);
		if (res.service != TRAWL_SVC_NONE && res.reply != TRAWL_REPLY_FIN) {
			trawl_stat_add(&r->svc_acks[res.service], 1);
			if (res.reply == TRAWL_REPLY_DATA)
				trawl_stat_add(&r->svc_answered[res.service], 1);
		}
		if (res.reply == TRAWL_REPLY_NONE) {
			if (res.probe != TRAWL_PROBE_NOT)
				trawl_stat_add(&r->unanswered, 1);
			rte_pktmbuf_free(m);
			continue;
		}
		/* --loss models lost replies to probes; ARP is the link, not the Internet, and is never lost. */
		if (res.reply != TRAWL_REPLY_ARP && r->loss_below != 0 && xorshift64(&r->rng) < r->loss_below) {
			trawl_stat_add(&r->lost, 1);
			rte_pktmbuf_free(m);
			continue;
		}
		/* The reply was written where the probe starts; only the first segment is kept. */
		if (m->nb_segs > 1) {
			rte_pktmbuf_free(m->next);
			m->next = NULL;
			m->nb_segs = 1;
		}
		m->data_len = m->pkt_len = res.len;
		trawl_stat_add(&r->answered[res.reply], 1);
		out[nout++] = m;
		if (r->dup_below != 0 && xorshift64(&r->rng) < r->dup_below) {
			struct rte_mbuf *d = rte_pktmbuf_copy(m, r->pool, 0, UINT32_MAX);

			if (d != NULL) {
				out[nout++] = d;
				trawl_stat_add(&r->duplicated, 1);
			}
		}
	}
	sent = nout ? trawl_port_tx(r->port, r->queue, out, nout, r->link_gated) : 0;
	if (sent < nout) {
		rte_pktmbuf_free_bulk(out + sent, nout - sent);
		trawl_stat_add(&r->tx_full, nout - sent);
	}
	return TRAWL_ROLE_BUSY;
}
