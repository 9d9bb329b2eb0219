/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PENDING_H
#define TRAWL_PENDING_H

#include <stdint.h>

#include <rte_hash.h>

#include "app/core/result.h"

/*
 * Handshakes a handshake module (tcp_banner) completed and that have not
 * brought a result yet, on one RX role: the only per-connection state
 * trawl keeps, and only for open ports. An rte_hash finds a connection by
 * (target address, target port, our port); entries sit in a ring in the
 * order they came, so the oldest is always at the head: one comparison per
 * poll finds whether anything has waited its hold time. When the ring is
 * full the oldest goes out early (counted), so the table is bounded by its
 * capacity, never by the scan.
 */
struct trawl_pending_ent {
	struct trawl_result r;  /**< the SYN-ACK's result (its data pointer unused) */
	uint64_t key;
	uint8_t live;           /**< 0: its result came (or a newer entry replaced it) */
};

struct trawl_pending {
	struct rte_hash *h;
	struct trawl_pending_ent *ent;
	uint32_t cap;           /**< a power of two */
	uint64_t head, tail;    /**< ring positions (ent[pos & (cap - 1)]), head <= tail */
	uint64_t hold;          /**< TSC ticks a handshake waits for its data */
	int six;                /**< an IPv6 scan's: connections keyed by target index (the address is not in the result) */
	uint64_t held;          /**< counters (this lcore writes): handshakes taken in */
	uint64_t early;         /**< went out before their hold time: the table was full */
};

/* Handshakes held per RX role: 2^18 (about 30 MiB with the hash). */
#define TRAWL_PENDING_CAP (1u << 18)

static inline uint64_t
trawl_pending_key(uint32_t addr, uint16_t port, uint16_t ours)
{
	return (uint64_t)addr << 32 | (uint32_t)port << 16 | ours;
}

/*
 * A result's connection: IPv4 by (address, port, ours); IPv6 by (target
 * index, ours), the index (below 2^48) standing for the address and port.
 */
static inline uint64_t
trawl_pending_key_of(const struct trawl_pending *p, const struct trawl_result *r)
{
	return p->six ? r->target << 16 | r->dport : trawl_pending_key(r->saddr, r->sport, r->dport);
}

/** @return 0 or -rte_errno. */
int trawl_pending_init(struct trawl_pending *p, const char *name, uint32_t cap, uint64_t hold, int socket);
void trawl_pending_free(struct trawl_pending *p);

/*
 * Hold handshake @p r. Returns how many handshakes to close now, copied to
 * @p out: the oldest live one when the ring is full, r itself if the hash
 * refused it. A connection already held (a retransmitted SYN-ACK) is left
 * as it is.
 */
int trawl_pending_add(struct trawl_pending *p, const struct trawl_result *r, struct trawl_result out[2]);

/** Drop the connection of a result: 1 if it was held. */
int trawl_pending_take(struct trawl_pending *p, uint64_t key);

/** Up to @p max handshakes held since before @p now - hold (all of them if now is UINT64_MAX) into @p out. */
unsigned int trawl_pending_expire(struct trawl_pending *p, uint64_t now, struct trawl_result *out, unsigned int max);

static inline int
trawl_pending_empty(const struct trawl_pending *p)
{
	return p->head == p->tail;
}

#endif
