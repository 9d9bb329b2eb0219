/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CTL_H
#define TRAWL_CTL_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app/core/ipv6.h"
#include "app/dp/engine.h"
#include "app/dp/kpath.h"

#define TRAWL_ARP_TRIES 5
/*
 * How often the kernel interface is read (a system call each time, found
 * empty most times): every round cost the one-lcore scan 21% of its rate
 * over memif (bench/kpath_memif.py); every 100 us costs it nothing
 * measurable and adds at most that to the kernel's frames' latency.
 */
#define TRAWL_KPOLL_US 100

/*
 * The control role, on the main lcore: the appliance's own ARP and IPv6
 * neighbour discovery (core/ndp.h), and the
 * kernel path (dp/kpath.h) when there is one. It resolves the gateway and
 * answers requests for our source address; every other frame the RX roles
 * hand it (ARP it did not answer, anything that is not the scan's own) goes
 * to the kernel, and what the kernel sends goes out. Frames arrive from each
 * RX role's SPSC ring and leave through TX role 0's SPSC inject ring. Not a
 * hot path: the RSTs that answer replies go from the RX roles to the TX
 * roles directly; a burst each way per round at most.
 */
struct trawl_ctl {
	const struct trawl_engine *eng;
	struct rte_mempool *pool;
	struct rte_ring *in[64];
	unsigned int nin;
	struct rte_ring *out;             /**< TX role 0's inject ring */
	struct trawl_kpath *kp;           /**< the kernel path, NULL: none */
	uint64_t next_kpoll_tsc;          /**< when to read the kernel interface next */

	uint32_t saddr;                   /**< answer ARP for this */
	struct trawl_ip6 saddr6;          /**< answer neighbour solicitations for this (has6) */
	int has6;
	int six;                          /**< the gateway is asked for by NDP (gateway_ip6), not ARP */
	struct trawl_ip6 gateway_ip6;
	struct rte_ether_addr mac;        /**< our MAC */
	uint32_t gateway_ip;
	int resolving;                    /**< looking for gateway_ip's MAC */
	int resolved;
	struct rte_ether_addr gateway_mac;
	unsigned int arp_tries;           /**< requests sent so far */
	uint64_t next_request_tsc;

	uint64_t handled;                 /**< frames handled either way (a round that handled none was idle) */
	uint64_t arp_replies_sent;        /**< requests for saddr answered */
	uint64_t arp_ignored;
	uint64_t nd_replies_sent;         /**< solicitations for saddr6 answered */
	uint64_t nd_ignored;              /**< neighbour discovery frames not for us (to the kernel, if any) */
	uint64_t dropped;                 /**< frames the inject ring would not take */
};

/** Start resolving @p gateway_ip: the first request goes out on the next poll. */
void trawl_ctl_resolve(struct trawl_ctl *c, uint32_t gateway_ip);

/** The same for an IPv6 next hop: neighbour solicitations, once a second. */
void trawl_ctl_resolve6(struct trawl_ctl *c, struct trawl_ip6 gateway_ip6);

/**
 * One round: handle every frame waiting, and (re)send the gateway request
 * once a second while resolving. @return 0, or -ETIMEDOUT once
 * TRAWL_ARP_TRIES requests went unanswered.
 */
int trawl_ctl_poll(struct trawl_ctl *c);

#endif
