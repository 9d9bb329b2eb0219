/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_VALIDATE_H
#define TRAWL_VALIDATE_H

#include <stdint.h>

#include "app/core/mac.h"
#include "app/core/siphash.h"
#include "app/core/target.h"

/*
 * Stateless validation, after ZMap's validate.c: a probe carries
 * tag = AES-128_k(source address, target address, target port) (core/mac.h:
 * the first 64 bits of the block's ciphertext) under a 128-bit key drawn at
 * random for each run. The low
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
	struct trawl_mac mac;          /**< the tags (set with trawl_validate_key) */
	struct trawl_siphash_key key;  /**< the same key, for what is derived off the hot path (canary ports, TLS randoms) */
	uint16_t sport_first;   /**< first source port of the range */
	uint16_t sport_count;   /**< ports in the range, >= 1 (set with trawl_validate_ports) */
	uint16_t probes;        /**< probes per target (-P) */
	uint64_t sport_m;       /**< 2^64 / sport_count, rounded up: x % count without a division */
};

/** Set the run's key: the MAC's and the derivations'. */
static inline void
trawl_validate_key(struct trawl_validate *v, uint64_t k0, uint64_t k1)
{
	v->key.k0 = k0;
	v->key.k1 = k1;
	trawl_mac_init(&v->mac, k0, k1, TRAWL_MAC_BEST);
}

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
	return v->mac.tag(&v->mac, ((uint64_t)saddr << 32) | daddr, dport);
}

/*
 * IPv6: the target's 16 bytes are one block of their own, so the tag is
 * two blocks chained (CBC-MAC over fixed-length input, a PRF): the first
 * 64 bits of AES_k(target) become the first word of a second block whose
 * other word is the port with a domain mark above it (bit 56 set: no IPv4
 * block, whose second word is a port, can be the same). Our IPv6 source
 * is not in it: a run has one, and its key is its own.
 */
#define TRAWL_MAC6_DOMAIN (UINT64_C(6) << 56)

static inline uint64_t
trawl_validate_tag6(const struct trawl_validate *v, struct trawl_ip6 daddr, uint16_t dport)
{
	return v->mac.tag(&v->mac, v->mac.tag(&v->mac, daddr.hi, daddr.lo), TRAWL_MAC6_DOMAIN | dport);
}

/** An IPv6 tag computed ahead, with the target and port it is the tag of. */
struct trawl_tag_hint6 {
	struct trawl_ip6 addr;
	uint64_t port;
	uint64_t tag;
};

/** trawl_validate_tag6(), taken from @p hint (may be NULL) when it is of the same target and port. */
static inline uint64_t
trawl_validate_tag6_hinted(const struct trawl_validate *v, const struct trawl_tag_hint6 *hint, struct trawl_ip6 daddr,
		uint16_t dport)
{
	if (hint != NULL && hint->port == dport && hint->addr.hi == daddr.hi && hint->addr.lo == daddr.lo)
		return hint->tag;
	return trawl_validate_tag6(v, daddr, dport);
}

/** trawl_validate_target_tags for IPv6 targets: both blocks of a burst's tags computed together. */
static inline void
trawl_validate_target6_tags(const struct trawl_validate *v, const struct trawl_target6 tgt[], unsigned int n,
		int ports, uint64_t out[])
{
	uint64_t w0[32], w1[32], h[32];

	for (unsigned int i = 0; i < n; i += 32) {
		unsigned int k = n - i < 32 ? n - i : 32;

		for (unsigned int j = 0; j < k; j++) {
			w0[j] = tgt[i + j].addr.hi;
			w1[j] = tgt[i + j].addr.lo;
		}
		v->mac.tags(&v->mac, w0, w1, h, k);
		for (unsigned int j = 0; j < k; j++)
			w1[j] = TRAWL_MAC6_DOMAIN | (ports ? tgt[i + j].port : 0);
		v->mac.tags(&v->mac, h, w1, out + i, k);
	}
}

/**
 * A tag computed ahead, with the block it is the tag of. The RX role
 * guesses each reply's block (our address, the reply's source and source
 * port) and computes a burst's tags together: one AES block alone waits on
 * its ten rounds, several in flight cost their instructions.
 */
struct trawl_tag_hint {
	uint64_t w0, w1, tag;
};

/** trawl_validate_tag(), taken from @p hint (may be NULL) when it is of the same block. */
static inline uint64_t
trawl_validate_tag_hinted(const struct trawl_validate *v, const struct trawl_tag_hint *hint, uint32_t saddr,
		uint32_t daddr, uint16_t dport)
{
	uint64_t w0 = ((uint64_t)saddr << 32) | daddr;

	if (hint != NULL && hint->w0 == w0 && hint->w1 == dport)
		return hint->tag;
	return v->mac.tag(&v->mac, w0, dport);
}

/**
 * The tags of @p n targets' probes from @p saddr at once, into @p out (with
 * each target's port, or with port 0 where @p ports is 0: echo probes): the
 * AES rounds of several blocks overlap (a burst's worth costs about what
 * their instructions cost, not n times one block's latency).
 */
static inline void
trawl_validate_target_tags(const struct trawl_validate *v, uint32_t saddr, const struct trawl_target tgt[],
		unsigned int n, int ports, uint64_t out[])
{
	uint64_t w0[32], w1[32];

	for (unsigned int i = 0; i < n; i += 32) {
		unsigned int k = n - i < 32 ? n - i : 32;

		for (unsigned int j = 0; j < k; j++) {
			w0[j] = (uint64_t)saddr << 32 | tgt[i + j].addr;
			w1[j] = ports ? tgt[i + j].port : 0;
		}
		v->mac.tags(&v->mac, w0, w1, out + i, k);
	}
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
