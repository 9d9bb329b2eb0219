/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole of IPv4 on one port with the shipped default blocklist, walked
 * by the real target generator (permutation -> constraint -> address) in
 * two slices on two threads, against a 512 MiB bitmap: no address comes up
 * twice, none in the blocklist comes up at all, and the count of those that
 * do is 2^32 minus the blocked ones, so every other address came up exactly
 * once. The blocklist is read here with an independent parser (sscanf).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/target.h"
#include "test/unit/check.h"

#define SLICES 2

static uint64_t *bitmap;
static struct trawl_target_space space;
static struct trawl_cyclic cyc;

struct walker {
	pthread_t tid;
	uint64_t slice;
	uint64_t count;
	uint64_t dups;
};

static void *
walk(void *arg)
{
	struct walker *w = arg;
	struct trawl_cyclic_iter it;
	struct trawl_target t;
	uint64_t idx;

	trawl_cyclic_slice(&cyc, 0, 1, (uint32_t)w->slice, SLICES, &it);
	while (trawl_cyclic_next(&it, &idx)) {
		uint64_t bit;

		trawl_target_at(&space, idx, &t);
		bit = UINT64_C(1) << (t.addr % 64);
		if (__atomic_fetch_or(&bitmap[t.addr / 64], bit, __ATOMIC_RELAXED) & bit)
			w->dups++;
		w->count++;
	}
	return NULL;
}

/* Blocked ranges, parsed independently of trawl's parser. */
static size_t
read_blocklist(const char *path, uint32_t lo[], uint32_t hi[], size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned int a, b, c, d, len = 32;

		if (sscanf(line, " %u.%u.%u.%u/%u", &a, &b, &c, &d, &len) >= 4) {
			uint32_t base = a << 24 | b << 16 | c << 8 | d;
			uint32_t size = len == 0 ? 0 : (uint32_t)(UINT64_C(1) << (32 - len));

			lo[n] = base;
			hi[n] = base + size - 1;
			n++;
		}
	}
	fclose(f);
	return n;
}

static void
test_full_ipv4_exactly_once(void)
{
	static uint32_t blo[256], bhi[256];
	const char *path = TRAWL_SRCCONFDIR "/blocklist.conf";
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_err err;
	struct trawl_constraint c;
	struct trawl_ports *ports = malloc(sizeof(*ports));
	struct walker w[SLICES];
	uint64_t total = 0, dups = 0, set = 0, blocked_set = 0, blocked = 0;
	size_t nb = read_blocklist(path, blo, bhi, 256);

	REQUIRE(ports != NULL);
	/* 2^32 bits = 512 MiB, on 2 MiB pages where the kernel allows: random bit
	 * sets over 4 KiB pages miss the TLB on nearly every access. */
	bitmap = mmap(NULL, UINT64_C(1) << 29, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bitmap != MAP_FAILED && ports != NULL && nb > 10);
	madvise(bitmap, UINT64_C(1) << 29, MADV_HUGEPAGE);
	trawl_ranges_add(&allow, (struct trawl_range){ 0, UINT32_MAX });
	CHECK(trawl_ranges_load(&block, path, &err) == 0);
	CHECK(trawl_constraint_build(&c, &allow, &block) == 0);
	trawl_ports_parse(ports, "443", NULL);
	trawl_target_space_init(&space, &c, ports);
	CHECK(trawl_cyclic_init(&cyc, space.count, 0x5eed) == 0);
	for (int i = 0; i < SLICES; i++) {
		w[i] = (struct walker){ .slice = (uint64_t)i };
		pthread_create(&w[i].tid, NULL, walk, &w[i]);
	}
	for (int i = 0; i < SLICES; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].count;
		dups += w[i].dups;
	}
	for (uint64_t i = 0; i < (UINT64_C(1) << 26); i++)
		set += (uint64_t)__builtin_popcountll(bitmap[i]);
	/* Blocked addresses: count the union (the list may overlap) and check none was visited. */
	for (uint64_t a = 0; a <= UINT32_MAX; a += 64) {
		uint64_t mask = 0;

		for (size_t k = 0; k < nb; k++) {
			if (bhi[k] < a || blo[k] > a + 63)
				continue;
			uint64_t from = blo[k] > a ? blo[k] - a : 0, to = bhi[k] < a + 63 ? bhi[k] - a : 63;

			mask |= (to - from == 63) ? ~UINT64_C(0) : ((UINT64_C(1) << (to - from + 1)) - 1) << from;
		}
		blocked += (uint64_t)__builtin_popcountll(mask);
		blocked_set += (uint64_t)__builtin_popcountll(mask & bitmap[a / 64]);
	}
	printf("walked %llu addresses; %llu blocked; %llu duplicates; %llu blocked visited\n",
		(unsigned long long)total, (unsigned long long)blocked, (unsigned long long)dups,
		(unsigned long long)blocked_set);
	CHECK_EQ_U64(dups, 0);
	CHECK_EQ_U64(blocked_set, 0);
	CHECK_EQ_U64(total, set);
	CHECK_EQ_U64(set, (UINT64_C(1) << 32) - blocked);
	trawl_constraint_free(&c);
	trawl_ranges_free(&allow);
	trawl_ranges_free(&block);
	munmap(bitmap, UINT64_C(1) << 29);
	free(ports);
}

int
main(void)
{
	RUN(test_full_ipv4_exactly_once);
	return check_done();
}
