/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "app/core/cyclic.h"

uint64_t
trawl_powmod(uint64_t base, uint64_t exp, uint64_t p)
{
	uint64_t r = 1 % p;

	base %= p;
	while (exp != 0) {
		if (exp & 1)
			r = trawl_mulmod(r, base, p);
		base = trawl_mulmod(base, base, p);
		exp >>= 1;
	}
	return r;
}

int
trawl_is_prime(uint64_t n)
{
	/* These 12 bases decide primality for every n < 3.3e24. */
	static const uint64_t bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };
	uint64_t d = n - 1;
	unsigned int s = 0;

	if (n < 2)
		return 0;
	for (unsigned int i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (n == bases[i])
			return 1;
		if (n % bases[i] == 0)
			return 0;
	}
	while ((d & 1) == 0) {
		d >>= 1;
		s++;
	}
	for (unsigned int i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint64_t x = trawl_powmod(bases[i], d, n);

		if (x == 1 || x == n - 1)
			continue;
		unsigned int r;
		for (r = 1; r < s; r++) {
			x = trawl_mulmod(x, x, n);
			if (x == n - 1)
				break;
		}
		if (r == s)
			return 0;
	}
	return 1;
}

/* Distinct prime factors of m into f[]; returns their number (< 16 for 64-bit m). */
static unsigned int
prime_factors(uint64_t m, uint64_t f[16])
{
	unsigned int k = 0;
	/* Once what is left is prime, stop: no need to divide up to its root. */
	int rest_is_prime = trawl_is_prime(m);

	for (uint64_t d = 2; !rest_is_prime && d * d <= m; d += (d == 2) ? 1 : 2) {
		if (m % d != 0)
			continue;
		f[k++] = d;
		while (m % d == 0)
			m /= d;
		rest_is_prime = trawl_is_prime(m);
	}
	if (m > 1)
		f[k++] = m;
	return k;
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int
trawl_cyclic_init(struct trawl_cyclic *c, uint64_t n, uint64_t seed)
{
	uint64_t f[16];
	uint64_t p, g, rng = seed;
	unsigned int nf;

	if (n == 0 || n > TRAWL_CYCLIC_MAX_N)
		return -EINVAL;
	for (p = n + 1; !trawl_is_prime(p); p++)
		;
	c->n = n;
	c->p = p;
	if (p == 2) { /* the trivial group {1} */
		c->g = 1;
		c->start = 1;
		return 0;
	}
	/* The smallest primitive root: g^((p-1)/q) != 1 for every prime q | p-1. */
	nf = prime_factors(p - 1, f);
	for (g = 2;; g++) {
		unsigned int i;

		for (i = 0; i < nf; i++)
			if (trawl_powmod(g, (p - 1) / f[i], p) == 1)
				break;
		if (i == nf)
			break;
	}
	/* g^k generates the group iff gcd(k, p-1) = 1: pick such k from the seed. */
	for (;;) {
		uint64_t k = trawl_splitmix64(&rng) % (p - 1);

		if (k != 0 && gcd(k, p - 1) == 1) {
			c->g = trawl_powmod(g, k, p);
			break;
		}
	}
	c->start = 1 + trawl_splitmix64(&rng) % (p - 1);
	return 0;
}

/* Targets (or positions) before part i when `total` is split into `parts` as evenly as can be. */
static uint64_t
share_prefix(uint64_t total, uint64_t parts, uint64_t i)
{
	return i * (total / parts) + (i < total % parts ? i : total % parts);
}

/*
 * Position of the cut-th target (0-based) along the cycle, or p - 1 (the end)
 * for cut == n: a walk of the whole cycle at most. Only for small groups.
 */
static uint64_t
position_of_target(const struct trawl_cyclic *c, uint64_t cut)
{
	uint64_t step_pre = trawl_shoup_pre(c->g, c->p), e = c->start, seen = 0;

	if (cut >= c->n)
		return c->p - 1;
	for (uint64_t k = 0; k < c->p - 1; k++) {
		if (e <= c->n && seen++ == cut)
			return k;
		e = trawl_mulmod_shoup(e, c->g, step_pre, c->p);
	}
	return c->p - 1; /* not reached: the cycle holds all n targets */
}

uint64_t
trawl_cyclic_shard_targets(const struct trawl_cyclic *c, uint32_t shard, uint32_t nshards)
{
	uint64_t order = c->p - 1;
	uint64_t total = order <= TRAWL_CYCLIC_EXACT_MAX || nshards == 1 ? c->n : order;

	return share_prefix(total, nshards, shard + 1) - share_prefix(total, nshards, shard);
}

int
trawl_cyclic_slice(const struct trawl_cyclic *c, uint32_t shard, uint32_t nshards,
		uint32_t t, uint32_t nthreads, struct trawl_cyclic_iter *it)
{
	uint64_t order = c->p - 1, lo, hi, from, to;
	int exact = order <= TRAWL_CYCLIC_EXACT_MAX;
	uint64_t total = exact ? c->n : order;

	if (nshards == 0 || nthreads == 0 || shard >= nshards || t >= nthreads)
		return -EINVAL;
	/* The shard's share of the whole, then the thread's share of the shard's. */
	lo = share_prefix(total, nshards, shard);
	hi = share_prefix(total, nshards, shard + 1);
	from = lo + share_prefix(hi - lo, nthreads, t);
	to = lo + share_prefix(hi - lo, nthreads, t + 1);
	if (exact) {
		from = position_of_target(c, from);
		to = position_of_target(c, to);
	}
	it->p = c->p;
	it->n = c->n;
	it->step = c->g;
	it->step_pre = trawl_shoup_pre(c->g, c->p);
	it->cur = trawl_mulmod(c->start, trawl_powmod(c->g, from, c->p), c->p);
	it->left = to - from;
	return 0;
}

void
trawl_cyclic_iter_skip(struct trawl_cyclic_iter *it, uint64_t k)
{
	if (k > it->left)
		k = it->left;
	it->cur = trawl_mulmod(it->cur, trawl_powmod(it->step, k, it->p), it->p);
	it->left -= k;
}
