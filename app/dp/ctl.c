/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_cycles.h>

#include "app/core/icmp.h"
#include "app/core/ndp.h"
#include "app/core/packet.h"
#include "app/dp/ctl.h"
#include "app/dp/stats.h"

/* Hand a frame to TX role 0; returns 0, or -1 if its ring is full (the frame is freed and counted). */
static int
emit(struct trawl_ctl *c, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(c->out, m) != 0) {
		rte_pktmbuf_free(m);
		trawl_stat_add(&c->dropped, 1);
		return -1;
	}
	return 0;
}

static void
send_request(struct trawl_ctl *c)
{
	static const struct rte_ether_addr zero;
	struct rte_ether_addr bcast;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

	if (m == NULL)
		return;
	if (c->six) {
		m->data_len = m->pkt_len = trawl_ndp_build_ns(rte_pktmbuf_mtod(m, uint8_t *), &c->mac, c->saddr6,
				c->gateway_ip6);
		emit(c, m);
		return;
	}
	memset(&bcast, 0xff, sizeof(bcast));
	m->data_len = m->pkt_len = trawl_arp_build(rte_pktmbuf_mtod(m, uint8_t *), RTE_ARP_OP_REQUEST,
			&bcast, &c->mac, c->saddr, &zero, c->gateway_ip);
	emit(c, m);
}

/* ARP in: learn the gateway, answer for our address, ignore the rest. Consumes m. */
static void
handle_arp(struct trawl_ctl *c, struct rte_mbuf *m)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	struct trawl_arp_view a;
	uint32_t l3off;

	if (trawl_eth_parse(frame, m->data_len, &l3off) != TRAWL_L3_ARP ||
	    trawl_arp_parse(frame + l3off, m->data_len - l3off, &a) != 0) {
		trawl_stat_add(&c->arp_ignored, 1);
		rte_pktmbuf_free(m);
		return;
	}
	/* Any ARP from the gateway tells us its MAC (a reply, or its own request). */
	if (c->resolving && a.spa == c->gateway_ip && !rte_is_zero_ether_addr(&a.sha) &&
	    !rte_is_multicast_ether_addr(&a.sha)) {
		c->gateway_mac = a.sha;
		__atomic_store_n(&c->resolved, 1, __ATOMIC_RELEASE);
		c->resolving = 0;
	}
	if (a.op == RTE_ARP_OP_REQUEST && a.tpa == c->saddr) {
		/* Reuse the frame for the reply: it is the right size already. The kernel need not answer too. */
		m->data_len = m->pkt_len = trawl_arp_build(rte_pktmbuf_mtod(m, uint8_t *), RTE_ARP_OP_REPLY,
				&a.sha, &c->mac, c->saddr, &a.sha, a.spa);
		trawl_stat_add(&c->arp_replies_sent, 1);
		emit(c, m);
		return;
	}
	if (!(a.op == RTE_ARP_OP_REPLY && a.spa == c->gateway_ip))
		trawl_stat_add(&c->arp_ignored, 1);
	/* The kernel resolves its own neighbours: every other ARP frame is for it too. */
	if (c->kp != NULL)
		trawl_kpath_to_kernel(c->kp, &m, 1);
	else
		rte_pktmbuf_free(m);
}

/* Hand a frame that is not ours to the kernel, if there is one. Consumes m. */
static void
to_kernel(struct trawl_ctl *c, struct rte_mbuf *m)
{
	if (c->kp != NULL)
		trawl_kpath_to_kernel(c->kp, &m, 1);
	else
		rte_pktmbuf_free(m);
}

/* Neighbour discovery in: learn the gateway, answer for our IPv6 address, the rest to the kernel. Consumes m. */
static void
handle_ndp(struct trawl_ctl *c, struct rte_mbuf *m)
{
	struct trawl_ndp_view v;

	if (!c->has6 || trawl_ndp_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &v) != 0) {
		trawl_stat_add(&c->nd_ignored, 1);
		to_kernel(c, m);
		return;
	}
	/* An advertisement for the gateway, or the gateway's own solicitation, tells us its MAC. */
	if (c->resolving && c->six && !rte_is_multicast_ether_addr(&v.lladdr) && !rte_is_zero_ether_addr(&v.lladdr) &&
	    ((v.type == TRAWL_ICMP6_NA && trawl_ip6_eq(v.target, c->gateway_ip6)) ||
	     (v.type == TRAWL_ICMP6_NS && v.has_option && trawl_ip6_eq(v.src, c->gateway_ip6)))) {
		c->gateway_mac = v.lladdr;
		__atomic_store_n(&c->resolved, 1, __ATOMIC_RELEASE);
		c->resolving = 0;
	}
	if (v.type == TRAWL_ICMP6_NS && trawl_ip6_eq(v.target, c->saddr6) &&
	    rte_pktmbuf_data_room_size(m->pool) >= m->data_off + TRAWL_NDP_FRAME_LEN) {
		m->data_len = m->pkt_len = trawl_ndp_build_na(rte_pktmbuf_mtod(m, uint8_t *), &c->mac, c->saddr6, &v);
		m->ol_flags = 0;
		trawl_stat_add(&c->nd_replies_sent, 1);
		emit(c, m);
		return;
	}
	if (!(v.type == TRAWL_ICMP6_NA && c->six && trawl_ip6_eq(v.target, c->gateway_ip6)))
		trawl_stat_add(&c->nd_ignored, 1);
	to_kernel(c, m);
}

/* Is the frame neighbour discovery (what the RX roles hand the control role with ARP)? */
static int
is_ndp(const uint8_t *frame, uint32_t len)
{
	struct trawl_ipv6_view v;
	uint32_t l3off;

	return trawl_eth_parse(frame, len, &l3off) == TRAWL_L3_IPV6 &&
		trawl_ipv6_parse(frame + l3off, len - l3off, &v) == 0 && trawl_ndp_is(&v);
}

/* What the kernel sent, out through TX role 0; what its ring has no room for is dropped and counted. */
static void
from_kernel(struct trawl_ctl *c)
{
	struct trawl_kpath *k = c->kp;
	struct rte_mbuf *m[TRAWL_BURST];
	uint32_t len[TRAWL_BURST];
	uint16_t n = trawl_kpath_from_kernel(k, m, TRAWL_BURST);
	unsigned int sent;

	if (n == 0)
		return;
	c->handled += n;
	/* Lengths first: once in the ring, TX role 0 may send and free them at any moment. */
	for (uint16_t i = 0; i < n; i++) {
		len[i] = m[i]->pkt_len;
		m[i]->ol_flags = 0; /* whole frames, checksums done by the kernel */
	}
	sent = rte_ring_sp_enqueue_burst(c->out, (void **)m, n, NULL);
	for (unsigned int i = 0; i < sent; i++)
		k->from_kernel_bytes += len[i];
	k->from_kernel += sent;
	if (sent < n) {
		k->drop_port_full += n - sent;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
}

void
trawl_ctl_resolve(struct trawl_ctl *c, uint32_t gateway_ip)
{
	c->gateway_ip = gateway_ip;
	c->six = 0;
	c->resolving = 1;
	c->resolved = 0;
	c->arp_tries = 0;
	c->next_request_tsc = 0;
}

void
trawl_ctl_resolve6(struct trawl_ctl *c, struct trawl_ip6 gateway_ip6)
{
	trawl_ctl_resolve(c, 0);
	c->six = 1;
	c->gateway_ip6 = gateway_ip6;
}

int
trawl_ctl_poll(struct trawl_ctl *c)
{
	struct rte_mbuf *m[TRAWL_BURST];

	/* Ask before reading, so the request is out before any answer is looked at. */
	if (c->resolving) {
		uint64_t now = rte_rdtsc();

		if (now >= c->next_request_tsc) {
			if (c->arp_tries == TRAWL_ARP_TRIES)
				return -ETIMEDOUT;
			send_request(c);
			c->arp_tries++;
			c->next_request_tsc = now + c->eng->hz;
		}
	}
	for (unsigned int i = 0; i < c->nin; i++) {
		unsigned int n = rte_ring_sc_dequeue_burst(c->in[i], (void **)m, TRAWL_BURST, NULL);
		struct rte_mbuf *other[TRAWL_BURST];
		uint16_t nother = 0;

		c->handled += n;
		for (unsigned int k = 0; k < n; k++) {
			const uint8_t *frame = rte_pktmbuf_mtod(m[k], const uint8_t *);
			uint32_t l3off;

			/* The RX roles hand on ARP and NDP, and (with a kernel path) every frame not the scan's own. */
			if (trawl_eth_parse(frame, m[k]->data_len, &l3off) == TRAWL_L3_ARP)
				handle_arp(c, m[k]);
			else if (is_ndp(frame, m[k]->data_len))
				handle_ndp(c, m[k]);
			else
				other[nother++] = m[k];
		}
		if (nother != 0 && c->kp != NULL)
			trawl_kpath_to_kernel(c->kp, other, nother);
		else if (nother != 0)
			rte_pktmbuf_free_bulk(other, nother);
	}
	if (c->kp != NULL) {
		uint64_t now = rte_rdtsc();

		if (now >= c->next_kpoll_tsc) {
			c->next_kpoll_tsc = now + c->eng->hz / 1000000 * TRAWL_KPOLL_US;
			from_kernel(c);
		}
	}
	return 0;
}
