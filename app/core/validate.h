/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_VALIDATE_H
#define TRAWL_VALIDATE_H

#include <stdint.h>

#include "app/core/siphash.h"

/*
 * Stateless validation, after ZMap's validate.c but with a real MAC: a
 * probe carries tag = SipHash-2-4_k(source address, target address,
 * target port) under a 128-bit key drawn at random for each run. The low
 * 32 bits are the TCP sequence number, so an answer must acknowledge
 * seq + 1; bits 32..47 choose the source port. A host that did not see the
 * probe can guess a matching pair with chance 2^-32 per packet at best,
 * and the scanner keeps no per-target state at all.
 *
 * Probe i of -P n uses source port first + (tag_hi + i) mod count, so each
 * retry is its own connection to the target, and a reply to any of them
 * validates.
 */
/* Canary SYNs per answering address at most (--canaries; probes/tcp.h derives their ports from the MAC). */
#define TRAWL_CANARIES_MAX 16

struct trawl_validate {
	struct trawl_siphash_key key;
	uint16_t sport_first;   /**< first source port of the range */
	uint16_t sport_count;   /**< ports in the range, >= 1 (set with trawl_validate_ports) */
	uint16_t probes;        /**< probes per target (-P) */
	uint64_t sport_m;       /**< 2^64 / sport_count, rounded up: x % count without a division */
};

/** Set the source port range (count >= 1). */
static inline void
trawl_validate_ports(struct trawl_validate *v, uint16_t first, uint16_t count)
{
	v->sport_first = first;
	v->sport_count = count;
	v->sport_m = UINT64_MAX / count + 1;
}

/*
 * x % sport_count by two multiplications (Lemire, Kaser and Kurz, "Faster
 * remainder by direct computation", 2019; exact for every 32-bit x): a
 * hardware division costs tens of cycles, and every probe and every reply
 * took one or two.
 */
static inline uint32_t
trawl_validate_mod(const struct trawl_validate *v, uint32_t x)
{
	uint64_t low = v->sport_m * x;

	return (uint32_t)(((unsigned __int128)low * v->sport_count) >> 64);
}

static inline uint64_t
trawl_validate_tag(const struct trawl_validate *v, uint32_t saddr, uint32_t daddr, uint16_t dport)
{
	return trawl_siphash24_2w(&v->key, ((uint64_t)saddr << 32) | daddr, dport);
}

static inline uint16_t
trawl_validate_sport(const struct trawl_validate *v, uint64_t tag, uint16_t probe)
{
	return (uint16_t)(v->sport_first + trawl_validate_mod(v, (uint32_t)((tag >> 32) & 0xffff) + probe));
}

/** Is @p port one of the source ports the probes for @p tag used? */
static inline int
trawl_validate_sport_ok(const struct trawl_validate *v, uint64_t tag, uint16_t port)
{
	uint32_t off = (uint16_t)(port - v->sport_first);
	uint32_t base = trawl_validate_mod(v, (uint32_t)((tag >> 32) & 0xffff));
	uint32_t d;

	if (off >= v->sport_count)
		return 0;
	/* (off - base) mod count, both below count: one conditional add, no division. */
	d = off >= base ? off - base : off + v->sport_count - base;
	return d < v->probes;
}

#endif
