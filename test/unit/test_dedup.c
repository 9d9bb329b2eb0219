/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer's memory of who answered (core/dedup): exact at the edges of
 * the target space (first and last address, every port), far past any fixed
 * table (the old 2^21 bound), the hash fallback exact up to its stated
 * capacity and never claiming a repeat it did not see, and memory that is
 * stated up front and faulted in before the scan sends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/dedup.h"
#include "app/core/target.h"
#include "test/unit/check.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* Resident memory of this process, in bytes. */
static uint64_t
rss(void)
{
	unsigned long long size, res;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	if (f != NULL)
		fclose(f);
	return res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void
test_bitmap_whole_ipv4(void)
{
	struct trawl_dedup d;
	uint64_t n = UINT64_C(4294967294), before = rss();

	/* IPv4 on one port: ZMap's 512 MiB, chosen because it fits the budget. */
	CHECK(trawl_dedup_init(&d, n, GiB) == 0);
	CHECK(d.kind == TRAWL_DEDUP_BITMAP && trawl_dedup_exact(&d));
	CHECK_EQ_U64(d.bytes, 512 * MiB);
	CHECK_EQ_U64(trawl_dedup_bitmap_bytes(n), 512 * MiB);
	/* Stated, not taken: nothing was touched yet. */
	CHECK(rss() < before + 16 * MiB);
	/* First and last target, and both sides of a word boundary. */
	static const uint64_t edge[] = { 0, 1, 63, 64, 65, UINT64_C(4294967293), UINT64_C(4294967292) };
	for (unsigned int i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		CHECK(trawl_dedup_insert(&d, edge[i]) == TRAWL_DEDUP_NEW);
	for (unsigned int i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		CHECK(trawl_dedup_insert(&d, edge[i]) == TRAWL_DEDUP_SEEN);
	CHECK(trawl_dedup_insert(&d, 2) == TRAWL_DEDUP_NEW);
	CHECK(trawl_dedup_insert(&d, 62) == TRAWL_DEDUP_NEW);
	CHECK_EQ_U64(d.used, sizeof(edge) / sizeof(edge[0]) + 2);
	/* Touching keys at both ends takes a page or two, not the table. */
	CHECK(rss() < before + 16 * MiB);
	trawl_dedup_free(&d);
}

/* Before a scan sends, the whole table is faulted in: no page fault stalls the writer mid-scan. */
static void
test_populate(void)
{
	struct trawl_dedup d;
	uint64_t before = rss();

	CHECK(trawl_dedup_init(&d, UINT64_C(64) << 23, GiB) == 0); /* 64 MiB of bits */
	CHECK(rss() < before + 16 * MiB);
	CHECK(trawl_dedup_populate(&d) == 0);
	CHECK(rss() >= before + 60 * MiB);
	/* Still all zeros: every key new. */
	CHECK(trawl_dedup_insert(&d, 0) == TRAWL_DEDUP_NEW && trawl_dedup_insert(&d, d.targets - 1) == TRAWL_DEDUP_NEW);
	CHECK(trawl_dedup_insert(&d, 12345678) == TRAWL_DEDUP_NEW && d.used == 3);
	trawl_dedup_free(&d);
}

/* Past the old fixed bound (2^21 responders): 5 million random targets, each new once and then a repeat. */
static void
test_bitmap_beyond_any_fixed_table(void)
{
	struct trawl_dedup d;
	struct trawl_cyclic cyc;
	struct trawl_cyclic_iter it;
	uint64_t n = UINT64_C(4294967294), idx, fresh = 0, seen = 0;
	const uint64_t want = 5000000;

	CHECK(trawl_dedup_init(&d, n, GiB) == 0);
	/* Distinct keys in the order a scan meets them: a walk of the permutation. */
	trawl_cyclic_init(&cyc, n, 42);
	trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
	for (uint64_t i = 0; i < want && trawl_cyclic_next(&it, &idx); i++)
		fresh += trawl_dedup_insert(&d, idx) == TRAWL_DEDUP_NEW;
	trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
	for (uint64_t i = 0; i < want && trawl_cyclic_next(&it, &idx); i++)
		seen += trawl_dedup_insert(&d, idx) == TRAWL_DEDUP_SEEN;
	CHECK_EQ_U64(fresh, want);
	CHECK_EQ_U64(seen, want);
	CHECK_EQ_U64(d.used, want);
	trawl_dedup_free(&d);
}

/* Every port of one address, and of its neighbours: no key stands for another. */
static void
test_every_port(void)
{
	static struct trawl_ports ports;
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_constraint c;
	struct trawl_target_space ts;
	struct trawl_dedup d;
	uint64_t fresh = 0, seen = 0;

	trawl_ranges_add(&allow, (struct trawl_range){ 0xc6120000, 0xc61200ff });
	trawl_constraint_build(&c, &allow, &block);
	trawl_ports_parse(&ports, "0-65535", NULL);
	trawl_target_space_init(&ts, &c, &ports);
	CHECK(trawl_dedup_init(&d, ts.count, 64 * MiB) == 0);
	CHECK(d.kind == TRAWL_DEDUP_BITMAP);
	for (uint32_t p = 0; p < 65536; p++)
		fresh += trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc6120005, (uint16_t)p)) == TRAWL_DEDUP_NEW;
	for (uint32_t p = 0; p < 65536; p++)
		seen += trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc6120005, (uint16_t)p)) == TRAWL_DEDUP_SEEN;
	CHECK_EQ_U64(fresh, 65536);
	CHECK_EQ_U64(seen, 65536);
	/* The addresses either side, first and last port: still new. */
	CHECK(trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc6120004, 65535)) == TRAWL_DEDUP_NEW);
	CHECK(trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc6120006, 0)) == TRAWL_DEDUP_NEW);
	/* First and last target of the space. */
	CHECK(trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc6120000, 0)) == TRAWL_DEDUP_NEW);
	CHECK(trawl_dedup_insert(&d, trawl_target_index(&ts, 0xc61200ff, 65535)) == TRAWL_DEDUP_NEW);
	CHECK(trawl_dedup_insert(&d, ts.count - 1) == TRAWL_DEDUP_SEEN);
	trawl_dedup_free(&d);
	trawl_constraint_free(&c);
	trawl_ranges_free(&allow);
}

/* Too many targets for a bitmap in the budget: a hash, exact up to what it states, then full. */
static void
test_hash_fallback(void)
{
	struct trawl_dedup d;
	/* All of IPv4 on all ports: a 32 TiB bitmap. */
	uint64_t n = (UINT64_C(4294967294)) * 65536, x = 7, full = 0, wrong = 0;
	uint64_t *keys;

	CHECK(trawl_dedup_init(&d, n, 64 * MiB + 12345) == 0);
	CHECK(d.kind == TRAWL_DEDUP_HASH && !trawl_dedup_exact(&d));
	CHECK_EQ_U64(d.bytes, 64 * MiB);             /* the largest power of two that fits */
	CHECK_EQ_U64(d.capacity, 64 * MiB / 8 / 4 * 3);
	keys = malloc(sizeof(*keys) * (d.capacity + 1000));
	REQUIRE(keys != NULL);
	/* Distinct keys, with the space's first and last among them. */
	keys[0] = 0;
	keys[1] = n - 1;
	for (uint64_t i = 2; i < d.capacity + 1000; i++)
		keys[i] = 2 + trawl_splitmix64(&x) % (n - 2);
	for (uint64_t i = 0; i < d.capacity; i++)
		wrong += trawl_dedup_insert(&d, keys[i]) != TRAWL_DEDUP_NEW;
	/* splitmix64 mod n may repeat a key now and then: those are repeats, rightly. */
	CHECK(wrong < 10);
	for (uint64_t i = 0; i < d.capacity; i++)
		CHECK(trawl_dedup_insert(&d, keys[i]) == TRAWL_DEDUP_SEEN);
	CHECK_EQ_U64(d.used, d.capacity - wrong);
	/* Fill to capacity, then: a new key is not remembered, and is never taken for a repeat. */
	for (uint64_t i = d.capacity; i < d.capacity + 1000; i++) {
		int rc = trawl_dedup_insert(&d, keys[i]);

		full += rc == TRAWL_DEDUP_FULL;
		CHECK(rc != TRAWL_DEDUP_SEEN || d.used < d.capacity);
	}
	CHECK(full > 0);
	CHECK_EQ_U64(d.used, d.capacity);
	CHECK(trawl_dedup_insert(&d, keys[d.capacity + 999]) == TRAWL_DEDUP_FULL);
	CHECK(trawl_dedup_insert(&d, 0) == TRAWL_DEDUP_SEEN && trawl_dedup_insert(&d, n - 1) == TRAWL_DEDUP_SEEN);
	free(keys);
	trawl_dedup_free(&d);
}

static void
test_budget_limits(void)
{
	struct trawl_dedup d;

	/* Exactly the bitmap's size is enough; one byte less is not. */
	CHECK(trawl_dedup_init(&d, 1 << 20, (1 << 20) / 8) == 0 && d.kind == TRAWL_DEDUP_BITMAP);
	trawl_dedup_free(&d);
	CHECK(trawl_dedup_init(&d, UINT64_C(1) << 40, 8 * TRAWL_DEDUP_MIN_SLOTS) == 0 && d.kind == TRAWL_DEDUP_HASH);
	trawl_dedup_free(&d);
	/* Below the smallest table, and no targets at all: refused. */
	CHECK(trawl_dedup_init(&d, UINT64_C(1) << 40, 8 * TRAWL_DEDUP_MIN_SLOTS - 1) == -EINVAL);
	CHECK(trawl_dedup_init(&d, 0, GiB) == -EINVAL);
	/* One target: a word. */
	CHECK(trawl_dedup_init(&d, 1, 8) == 0 && d.bytes == 8);
	CHECK(trawl_dedup_insert(&d, 0) == TRAWL_DEDUP_NEW && trawl_dedup_insert(&d, 0) == TRAWL_DEDUP_SEEN);
	trawl_dedup_free(&d);
}

int
main(void)
{
	RUN(test_bitmap_whole_ipv4);
	RUN(test_populate);
	RUN(test_bitmap_beyond_any_fixed_table);
	RUN(test_every_port);
	RUN(test_hash_fallback);
	RUN(test_budget_limits);
	return check_done();
}
