/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Remembering who answered, at 60 M responders (a full IPv4 port-80 scan's
 * worth) of 0.0.0.0/0 less the default blocklist on one port (3.7 G
 * targets), side by side in one run: trawl's bitmap (core/dedup, what the
 * writer uses), DPDK's rte_bitmap over the same bits, trawl's hash fallback
 * (what the writer uses when a bitmap is over the budget), and DPDK's
 * rte_hash sized for the responders. For each: the memory it takes, then
 * inserts/s (every key new, in the order a scan meets them) and lookups/s
 * (every key again: all repeats), on bursts of 64 with the burst's lines
 * prefetched first, as the writer does (rte_hash: rte_hash_lookup_bulk,
 * which prefetches on its own). Memory is faulted in before the timed
 * passes, so the structures are compared, not the kernel's page faults
 * (which the first touch of any of them pays: bench/writerbench includes
 * them).
 *   dedupbench [EAL args] -- [RESPONDERS]
 * prints markdown rows. EAL memory must hold rte_hash's table (-m 4096).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALLOW_EXPERIMENTAL_API /* rte_bitmap.h uses an experimental helper inline */
#include <rte_bitmap.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/dedup.h"
#include "app/core/ports.h"
#include "app/core/target.h"
#include "app/dp/hashcmp.h"
#include "bench/benchutil.h"

#define BURST 64
#define MiB (1024.0 * 1024.0)

static uint64_t *keys;
static uint64_t nkeys;
static double hz;
static int quiet;

static uint64_t
heap(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(0, &st);
	return st.heap_allocsz_bytes;
}

static void
row(const char *what, double mem, const char *memnote, uint64_t c_ins, uint64_t c_look, uint64_t wrong)
{
	if (quiet)
		return;
	printf("| %s | %.0f MiB%s | %.1f M inserts/s (%.0f cycles) | %.1f M lookups/s (%.0f cycles) |%s\n", what, mem,
		memnote, hz / ((double)c_ins / (double)nkeys) / 1e6, (double)c_ins / (double)nkeys,
		hz / ((double)c_look / (double)nkeys) / 1e6, (double)c_look / (double)nkeys,
		wrong ? " WRONG ANSWERS |" : "");
}

static void
trawl_structure(const char *what, uint64_t targets, uint64_t budget)
{
	struct trawl_dedup d;
	uint64_t r0 = bench_rss(), c[2] = { 0, 0 }, wrong = 0;
	char note[64];

	if (trawl_dedup_init(&d, targets, budget) != 0)
		return;
	memset(d.words, 0, d.bytes);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (uint64_t i = 0; i < nkeys; i += BURST) {
			uint64_t n = RTE_MIN((uint64_t)BURST, nkeys - i);

			for (uint64_t k = 0; k < n; k++)
				trawl_dedup_prefetch(&d, keys[i + k]);
			for (uint64_t k = 0; k < n; k++)
				wrong += trawl_dedup_insert(&d, keys[i + k]) != (pass ? TRAWL_DEDUP_SEEN : TRAWL_DEDUP_NEW);
		}
		c[pass] = rte_rdtsc_precise() - t0;
	}
	snprintf(note, sizeof(note), " stated, %.0f MiB resident", (double)(bench_rss() - r0) / MiB);
	row(what, (double)d.bytes / MiB, note, c[0], c[1], wrong);
	trawl_dedup_free(&d);
}

static void
dpdk_bitmap(uint64_t targets)
{
	uint32_t size = rte_bitmap_get_memory_footprint((uint32_t)targets);
	uint64_t r0 = bench_rss(), c[2] = { 0, 0 }, wrong = 0;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct rte_bitmap *b;
	char note[64];

	if (mem == MAP_FAILED)
		return;
	madvise(mem, size, MADV_HUGEPAGE);
	memset(mem, 0, size);
	b = rte_bitmap_init((uint32_t)targets, mem, size);
	if (b == NULL)
		return;
	for (int pass = 0; pass < 2; pass++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (uint64_t i = 0; i < nkeys; i += BURST) {
			uint64_t n = RTE_MIN((uint64_t)BURST, nkeys - i);

			for (uint64_t k = 0; k < n; k++)
				rte_bitmap_prefetch0(b, (uint32_t)keys[i + k]);
			for (uint64_t k = 0; k < n; k++) {
				uint32_t pos = (uint32_t)keys[i + k];
				int was = rte_bitmap_get(b, pos) != 0;

				if (!was)
					rte_bitmap_set(b, pos);
				wrong += was != pass;
			}
		}
		c[pass] = rte_rdtsc_precise() - t0;
	}
	snprintf(note, sizeof(note), ", %.0f MiB resident; positions are 32-bit", (double)(bench_rss() - r0) / MiB);
	row("rte_bitmap over the same targets", (double)size / MiB, note, c[0], c[1], wrong);
	munmap(mem, size);
}

static void
dpdk_hash(void)
{
	struct rte_hash_parameters hp = {
		.name = "dedupbench", .entries = (uint32_t)nkeys, .key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc, .socket_id = 0,
	};
	uint64_t h0 = heap(), c[2] = { 0, 0 }, wrong = 0;
	struct rte_hash *h = rte_hash_create(&hp);
	char note[64];

	if (h == NULL) {
		if (!quiet)
			printf("| rte_hash, %" PRIu64 " entries | not created (EAL memory: -m 4096) | | |\n", nkeys);
		return;
	}
	rte_hash_set_cmp_func(h, trawl_hash_key64_cmp);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (uint64_t i = 0; i < nkeys; i += BURST) {
			uint32_t n = (uint32_t)RTE_MIN((uint64_t)BURST, nkeys - i);
			const void *kp[BURST];
			int32_t pos[BURST];

			for (uint32_t k = 0; k < n; k++)
				kp[k] = &keys[i + k];
			rte_hash_lookup_bulk(h, kp, n, pos);
			for (uint32_t k = 0; k < n; k++) {
				if (pos[k] < 0 && rte_hash_add_key(h, kp[k]) < 0)
					wrong++;
				wrong += (pos[k] >= 0) != pass;
			}
		}
		c[pass] = rte_rdtsc_precise() - t0;
	}
	snprintf(note, sizeof(note), " of DPDK heap (hugepages in production)");
	row("rte_hash, 8-byte keys, sized for the responders", (double)(heap() - h0) / MiB, note, c[0], c[1], wrong);
	rte_hash_free(h);
}

int
main(int argc, char **argv)
{
	static struct trawl_ports ports;
	struct trawl_constraint c;
	struct trawl_target_space sp;
	struct trawl_cyclic cyc;
	struct trawl_cyclic_iter it;
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		return 1;
	nkeys = argc - n > 1 ? strtoull(argv[n + 1], NULL, 0) : 60000000;
	hz = (double)rte_get_tsc_hz();
	if (bench_ipv4_space(&c, &ports, &sp) != 0)
		return 1;
	/* The responders: the first N targets of a scan's permutation. */
	keys = malloc(sizeof(*keys) * nkeys);
	trawl_cyclic_init(&cyc, sp.count, 1);
	trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
	for (uint64_t i = 0; i < nkeys; i++)
		trawl_cyclic_next(&it, &keys[i]);

	/* Twice round, and only the second round printed: caches and the allocator warmed alike for all. */
	for (quiet = 1; quiet >= 0; quiet--) {
		trawl_structure("trawl bitmap (core/dedup), one bit per target", sp.count, UINT64_C(1) << 30);
		dpdk_bitmap(sp.count);
		trawl_structure("trawl hash (core/dedup fallback), 1 GiB budget", UINT64_C(1) << 40, UINT64_C(1) << 30);
		dpdk_hash();
	}
	free(keys);
	rte_eal_cleanup();
	return 0;
}
