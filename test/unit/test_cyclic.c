/* SPDX-License-Identifier: BSD-3-Clause */
/* The permutation visits every target exactly once, for every size and slicing. */
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include "app/core/cyclic.h"
#include "app/core/target.h"
#include "test/unit/check.h"

/*
 * Walk every (shard, thread) run of a permutation of n and check that together
 * they produce every index in [0, n) exactly once, that runs are balanced
 * within one target (exact cuts, small groups) or within the prime gap plus
 * one (large groups), and that a shard holds the same targets whatever the
 * thread count (hosts with different -T split a scan the same way).
 */
static void
check_exactly_once(uint64_t n, uint64_t seed, uint32_t nshards, uint32_t nthreads)
{
	struct trawl_cyclic c;
	uint8_t *seen = calloc(n, 1);
	uint64_t total = 0, minc = UINT64_MAX, maxc = 0;
	int dup = 0;

	REQUIRE(seen != NULL);
	CHECK(trawl_cyclic_init(&c, n, seed) == 0);
	CHECK(c.p > n && trawl_is_prime(c.p));
	for (uint32_t s = 0; s < nshards; s++) {
		uint64_t in_shard = 0;

		for (uint32_t t = 0; t < nthreads; t++) {
			struct trawl_cyclic_iter it;
			uint64_t idx, cnt = 0;

			CHECK(trawl_cyclic_slice(&c, s, nshards, t, nthreads, &it) == 0);
			while (trawl_cyclic_next(&it, &idx)) {
				if (idx >= n || seen[idx]) {
					dup = 1;
					break;
				}
				seen[idx] = (uint8_t)(s + 1);
				cnt++;
			}
			total += cnt;
			in_shard += cnt;
			minc = cnt < minc ? cnt : minc;
			maxc = cnt > maxc ? cnt : maxc;
		}
		if (c.p - 1 <= TRAWL_CYCLIC_EXACT_MAX)
			CHECK_EQ_U64(in_shard, trawl_cyclic_shard_targets(&c, s, nshards));
		/* The same shard walked by one thread: the same targets. */
		if (nthreads > 1) {
			struct trawl_cyclic_iter it;
			uint64_t idx, cnt = 0;
			int same = 1;

			trawl_cyclic_slice(&c, s, nshards, 0, 1, &it);
			while (trawl_cyclic_next(&it, &idx)) {
				same &= seen[idx] == s + 1;
				cnt++;
			}
			CHECK(same && cnt == in_shard);
		}
	}
	CHECK(!dup);
	CHECK_EQ_U64(total, n);
	if (c.p - 1 <= TRAWL_CYCLIC_EXACT_MAX)
		CHECK(maxc - minc <= 1);
	else
		CHECK(maxc - minc <= 1 + (c.p - 1 - n));
	free(seen);
}

static void
test_tiny_and_awkward_sizes(void)
{
	static const uint64_t sizes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 97, 127, 128,
		129, 255, 256, 257, 1021, 1024, 1025, 4095, 4096, 4097, 65535, 65536, 65537, 65521 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (uint64_t s = 1; s <= 4; s++)
			check_exactly_once(sizes[i], s * 0x9e3779b97f4a7c15ULL, 1, 1);
}

static void
test_slices_partition(void)
{
	static const uint32_t shards[] = { 1, 2, 3, 7 }, threads[] = { 1, 2, 3, 16 };

	for (unsigned int i = 0; i < sizeof(shards) / sizeof(shards[0]); i++)
		for (unsigned int j = 0; j < sizeof(threads) / sizeof(threads[0]); j++) {
			check_exactly_once(1, 42, shards[i], threads[j]);
			check_exactly_once(10, 42, shards[i], threads[j]);
			check_exactly_once(1000, 9, shards[i], threads[j]);
			check_exactly_once(65536, 42, shards[i], threads[j]);
			check_exactly_once(99991, 7, shards[i], threads[j]);
		}
}

static void
test_millions(void)
{
	check_exactly_once(3000017, 1, 1, 1);        /* a few million, prime */
	check_exactly_once(UINT64_C(1) << 22, 2, 3, 1);
	check_exactly_once((UINT64_C(1) << 22) + 1, 3, 2, 4);
	check_exactly_once((UINT64_C(1) << 22) - 1, 4, 5, 1);
	/* Above the exact-cut size: cuts by position, balanced within the prime gap. */
	check_exactly_once((UINT64_C(1) << 24) + 7, 5, 2, 3);
}

static void
test_is_prime_matches_sieve(void)
{
	enum { N = 200000 };
	static uint8_t composite[N];

	for (uint64_t i = 2; i * i < N; i++)
		if (!composite[i])
			for (uint64_t k = i * i; k < N; k += i)
				composite[k] = 1;
	for (uint64_t i = 0; i < N; i++)
		CHECK(trawl_is_prime(i) == (i >= 2 && !composite[i]));
	/* Large known values: 2^61-1 is prime; 2^32+15 is prime; 2^48+21 is the prime above 2^48. */
	CHECK(trawl_is_prime((UINT64_C(1) << 61) - 1));
	CHECK(trawl_is_prime((UINT64_C(1) << 32) + 15));
	CHECK(trawl_is_prime((UINT64_C(1) << 48) + 21));
	CHECK(!trawl_is_prime((UINT64_C(1) << 48) + 1));
	/* A strong pseudoprime to bases 2..11 must not fool the 12-base test. */
	CHECK(!trawl_is_prime(UINT64_C(3825123056546413051)));
}

static void
test_full_scale_setup(void)
{
	struct trawl_cyclic c;
	struct trawl_cyclic_iter it;
	uint64_t idx, seen = 0;

	/* All of IPv4 times all ports: sets up, generator has full order, first steps are in range. */
	CHECK(trawl_cyclic_init(&c, TRAWL_CYCLIC_MAX_N, 5) == 0);
	CHECK(c.p > TRAWL_CYCLIC_MAX_N);
	CHECK(trawl_cyclic_init(&c, TRAWL_CYCLIC_MAX_N + 1, 5) == -EINVAL);
	CHECK(trawl_cyclic_init(&c, 0, 5) == -EINVAL);
	CHECK(trawl_cyclic_init(&c, TRAWL_CYCLIC_MAX_N, 5) == 0);
	CHECK(trawl_cyclic_slice(&c, 0, 1, 0, 1, &it) == 0);
	CHECK_EQ_U64(it.left, c.p - 1);
	for (int i = 0; i < 1000000 && trawl_cyclic_next(&it, &idx); i++) {
		CHECK(idx < TRAWL_CYCLIC_MAX_N);
		seen++;
	}
	CHECK(seen >= 999000);
	CHECK(trawl_cyclic_slice(&c, 3, 3, 0, 1, &it) == -EINVAL);
	CHECK(trawl_cyclic_slice(&c, 0, 3, 2, 2, &it) == -EINVAL);
}

static void
test_seed_fixes_order(void)
{
	struct trawl_cyclic a, b, d;
	struct trawl_cyclic_iter ia, ib, id;
	uint64_t x = 0, y = 0, z = 0;
	int same = 1, differs = 0;

	trawl_cyclic_init(&a, 100000, 1234);
	trawl_cyclic_init(&b, 100000, 1234);
	trawl_cyclic_init(&d, 100000, 1235);
	trawl_cyclic_slice(&a, 0, 1, 0, 1, &ia);
	trawl_cyclic_slice(&b, 0, 1, 0, 1, &ib);
	trawl_cyclic_slice(&d, 0, 1, 0, 1, &id);
	for (int i = 0; i < 1000; i++) {
		CHECK(trawl_cyclic_next(&ia, &x) && trawl_cyclic_next(&ib, &y) && trawl_cyclic_next(&id, &z));
		same &= x == y;
		differs |= x != z;
	}
	CHECK(same);
	CHECK(differs);
}

static void
test_shoup_matches_division(void)
{
	uint64_t st = 99;
	static const uint64_t primes[] = { 3, 65537, (UINT64_C(1) << 32) + 15, (UINT64_C(1) << 48) + 21,
		(UINT64_C(1) << 61) - 1 };

	for (unsigned int k = 0; k < sizeof(primes) / sizeof(primes[0]); k++) {
		uint64_t p = primes[k];

		for (int i = 0; i < 200000; i++) {
			uint64_t a = trawl_splitmix64(&st) % p, b = trawl_splitmix64(&st) % p;

			if (i < 4) /* the edges */
				a = (i & 1) ? p - 1 : 0, b = (i & 2) ? p - 1 : 1;
			CHECK_EQ_U64(trawl_mulmod_shoup(a, b, trawl_shoup_pre(b, p), p), trawl_mulmod(a, b, p));
		}
	}
}

static void
test_target_split(void)
{
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_constraint c;
	struct trawl_ports *ps = malloc(sizeof(*ps));
	static const char *const specs[] = { "80", "80,443", "1-3", "1-1000", "0-65535" };

	REQUIRE(ps != NULL);
	trawl_ranges_add(&allow, (struct trawl_range){ 0x0a000000, 0x0a0000ff });
	trawl_constraint_build(&c, &allow, &block);
	for (unsigned int k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct trawl_target_space ts;
		struct trawl_target t;

		trawl_ports_parse(ps, specs[k], NULL);
		trawl_target_space_init(&ts, &c, ps);
		CHECK_EQ_U64(ts.count, 256ULL * ps->n);
		for (uint64_t idx = 0; idx < ts.count; idx += 1 + idx / 7) {
			trawl_target_at(&ts, idx, &t);
			CHECK_EQ_U64(t.addr, 0x0a000000 + idx / ps->n);
			CHECK_EQ_U64(t.port, ps->port[idx % ps->n]);
		}
	}
	trawl_constraint_free(&c);
	trawl_ranges_free(&allow);
	free(ps);
}

int
main(void)
{
	RUN(test_shoup_matches_division);
	RUN(test_target_split);
	RUN(test_is_prime_matches_sieve);
	RUN(test_tiny_and_awkward_sizes);
	RUN(test_slices_partition);
	RUN(test_millions);
	RUN(test_full_scale_setup);
	RUN(test_seed_fixes_order);
	return check_done();
}
