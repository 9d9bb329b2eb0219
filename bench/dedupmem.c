/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer's dedup table at its bound, measured: DPDK heap bytes taken by
 * an rte_hash created exactly as scan.c does (2^21 8-byte keys, CRC hash).
 *   dedupmem [EAL args]
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

static uint64_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(0, &st);
	return st.heap_allocsz_bytes;
}

int
main(int argc, char **argv)
{
	struct rte_hash_parameters hp = {
		.name = "dedupmem", .entries = 1u << 21, .key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc, .socket_id = 0,
	};
	uint64_t before;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	before = heap_used();
	if (rte_hash_create(&hp) == NULL)
		return 1;
	printf("| dedup table at its bound (rte_hash, %u keys of 8 bytes) | DPDK heap | %.1f MiB (%" PRIu64 " bytes) |\n",
		hp.entries, (double)(heap_used() - before) / (1 << 20), heap_used() - before);
	rte_eal_cleanup();
	return 0;
}
