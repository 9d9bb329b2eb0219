/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_VALIDATE_H
#define TRAWL_VALIDATE_H

#include <stdint.h>

#include "siphash.h"

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
struct trawl_validate {
	struct trawl_siphash_key key;
	uint16_t sport_first;   /**< first source port of the range */
	uint16_t sport_count;   /**< ports in the range, >= 1 */
	uint16_t probes;        /**< probes per target (-P) */
};

static inline uint64_t
trawl_validate_tag(const struct trawl_validate *v, uint32_t saddr, uint32_t daddr, uint16_t dport)
{
	return trawl_siphash24_2w(&v->key, ((uint64_t)saddr << 32) | daddr, dport);
}

static inline uint16_t
trawl_validate_sport(const struct trawl_validate *v, uint64_t tag, uint16_t probe)
{
	return (uint16_t)(v->sport_first + ((uint32_t)((tag >> 32) & 0xffff) + probe) % v->sport_count);
}

/** Is @p port one of the source ports the probes for @p tag used? */
static inline int
trawl_validate_sport_ok(const struct trawl_validate *v, uint64_t tag, uint16_t port)
{
	uint32_t off = (uint16_t)(port - v->sport_first);
	uint32_t base = (uint32_t)((tag >> 32) & 0xffff) % v->sport_count;

	if (off >= v->sport_count)
		return 0;
	return (off + v->sport_count - base) % v->sport_count < v->probes;
}

#endif
