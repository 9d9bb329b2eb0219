/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CYCLIC_H
#define TRAWL_CYCLIC_H

#include <stdint.h>

/*
 * The target permutation: the multiplicative group of integers modulo a
 * prime p, the smallest prime above the target count n. The group is
 * cyclic of order p - 1, so for a generator g and any start s the sequence
 * s, s*g, s*g^2, ... visits each of 1 .. p-1 exactly once before it
 * repeats. Element e stands for target index e - 1; the p - 1 - n elements
 * above n are skipped (a prime gap: a handful for any n we can meet).
 *
 * Unlike ZMap's fixed moduli (2^32 + 15 for IPv4 reduced to 32 bits, which
 * folds 15 elements onto the same addresses), p is chosen for each scan
 * and no element is ever reduced, so no target can come up twice. All
 * arithmetic is on 64-bit values with 128-bit products: n may be as large
 * as 2^48 (all of IPv4 times all ports) and no counter can wrap.
 *
 * Sharding splits the cycle into contiguous runs of positions: shard i of
 * N gets one run, and thread t of T within that shard a sub-run of it. The
 * shard cuts depend on N alone, so hosts with different thread counts still
 * split a scan exactly. Each cut is placed so that the runs hold equal
 * numbers of targets (within one): when the group is small (p - 1 <=
 * TRAWL_CYCLIC_EXACT_MAX) the cut points are found by walking the cycle
 * once, so even a 10-target scan splits 4/3/3; above that they are equal in
 * positions, and the skipped elements (fewer than a thousand below 2^48)
 * make no measurable difference to runs of millions.
 */
#define TRAWL_CYCLIC_EXACT_MAX (UINT64_C(1) << 24)
#define TRAWL_CYCLIC_MAX_N (UINT64_C(1) << 48)

struct trawl_cyclic {
	uint64_t n;     /**< group members that are targets: 1 .. n */
	uint64_t p;     /**< prime modulus, > n */
	uint64_t g;     /**< generator of (Z/pZ)*, randomised from the seed */
	uint64_t start; /**< first element of the cycle, in [1, p-1] */
};

/** One slice's walk over the cycle. Plain data: one per TX lcore. */
struct trawl_cyclic_iter {
	uint64_t cur;  /**< element at the next position */
	uint64_t step; /**< g^S mod p */
	uint64_t step_pre; /**< Shoup's precomputed quotient of step, see trawl_mulmod_shoup() */
	uint64_t p;
	uint64_t n;
	uint64_t left; /**< positions of this slice not yet visited */
};

/**
 * Set up the permutation of @p n targets for @p seed.
 * @return 0, or -EINVAL if n is 0 or above TRAWL_CYCLIC_MAX_N.
 */
int trawl_cyclic_init(struct trawl_cyclic *c, uint64_t n, uint64_t seed);

/**
 * Position @p it at the run of thread @p t of @p nthreads within shard
 * @p shard of @p nshards.
 * @return 0, or -EINVAL for shard >= nshards or t >= nthreads.
 */
int trawl_cyclic_slice(const struct trawl_cyclic *c, uint32_t shard, uint32_t nshards,
		uint32_t t, uint32_t nthreads, struct trawl_cyclic_iter *it);

/**
 * Targets in shard @p shard of @p nshards: exact for small groups; for
 * large ones the shard's positions, at most the prime gap above the truth.
 */
uint64_t trawl_cyclic_shard_targets(const struct trawl_cyclic *c, uint32_t shard, uint32_t nshards);

/** a * b mod p for a, b < p < 2^63. */
static inline uint64_t
trawl_mulmod(uint64_t a, uint64_t b, uint64_t p)
{
	return (uint64_t)(((unsigned __int128)a * b) % p);
}

/**
 * a * b mod p for a fixed multiplier b, without division (Shoup's modular
 * multiplication, as in NTT libraries): with b_pre = floor(b * 2^64 / p),
 * q = floor(a * b_pre / 2^64) is the quotient of a * b / p or one less, so
 * a * b - q * p, computed modulo 2^64, is the remainder or the remainder
 * plus p. Exact for a, b < p < 2^63. Three multiplications instead of a
 * 128-by-64-bit division (__umodti3): the permutation step of the TX loop.
 */
static inline uint64_t
trawl_shoup_pre(uint64_t b, uint64_t p)
{
	return (uint64_t)(((unsigned __int128)b << 64) / p);
}

static inline uint64_t
trawl_mulmod_shoup(uint64_t a, uint64_t b, uint64_t b_pre, uint64_t p)
{
	uint64_t q = (uint64_t)(((unsigned __int128)a * b_pre) >> 64);
	uint64_t r = a * b - q * p;

	return r >= p ? r - p : r;
}

/** base^exp mod p. */
uint64_t trawl_powmod(uint64_t base, uint64_t exp, uint64_t p);

/** Deterministic Miller-Rabin, exact for every 64-bit n. */
int trawl_is_prime(uint64_t n);

/**
 * Next target index of the slice into @p idx (0 .. n-1).
 * @return 1 if one was produced, 0 once the slice is exhausted.
 */
static inline int
trawl_cyclic_next(struct trawl_cyclic_iter *it, uint64_t *idx)
{
	while (it->left != 0) {
		uint64_t e = it->cur;

		it->left--;
		it->cur = trawl_mulmod_shoup(it->cur, it->step, it->step_pre, it->p);
		if (e <= it->n) {
			*idx = e - 1;
			return 1;
		}
	}
	return 0;
}

/**
 * Move @p it on by @p k positions (at most it->left), as if they had been
 * walked: a checkpoint's resume, one modular exponentiation.
 */
void trawl_cyclic_iter_skip(struct trawl_cyclic_iter *it, uint64_t k);

/** splitmix64: the seed expander for everything derived from --seed. */
static inline uint64_t
trawl_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
