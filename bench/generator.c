/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Target generator and constraint figures, no EAL:
 *   generator [SECONDS]   prints markdown rows
 * - generator speed: targets per second on one core, walking 0.0.0.0/0 on
 *   one port with the default blocklist (permutation -> constraint ->
 *   address), for SECONDS (default: the whole walk);
 * - memory of the constraint structure for the default blocklist and for a
 *   blocklist of 100,000 random prefixes (/16 to /32), and its build time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/target.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	double limit = argc > 1 ? atof(argv[1]) : 1e9, t0, t1;
	struct trawl_ranges all = { 0 }, block = { 0 }, rnd = { 0 };
	struct trawl_constraint c, c2;
	struct trawl_ports ports;
	struct trawl_target_space space;
	struct trawl_cyclic cyc;
	struct trawl_cyclic_iter it;
	struct trawl_target t;
	struct trawl_err err;
	uint64_t idx, n = 0, sink = 0, st = 7;

	trawl_ranges_add(&all, (struct trawl_range){ 0, UINT32_MAX });
	if (trawl_ranges_load(&block, TRAWL_SRCCONFDIR "/blocklist.conf", &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	trawl_constraint_build(&c, &all, &block);
	trawl_ports_parse(&ports, "80", NULL);
	trawl_target_space_init(&space, &c, &ports);
	trawl_cyclic_init(&cyc, space.count, 1);
	trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
	t0 = now();
	for (;;) {
		for (int i = 0; i < 1 << 20; i++) {
			if (!trawl_cyclic_next(&it, &idx))
				goto walked;
			trawl_target_at(&space, idx, &t);
			sink += t.addr;
			n++;
		}
		if (now() - t0 > limit)
			break;
	}
walked:
	t1 = now();
	printf("| generator, 0.0.0.0/0 x 1 port, default blocklist, 1 core | %llu targets in %.1f s | %.0f M targets/s (%.2f ns each) |\n",
		(unsigned long long)n, t1 - t0, (double)n / (t1 - t0) / 1e6, (t1 - t0) / (double)n * 1e9);
	printf("| constraint, default blocklist (%zu entries) | %u intervals | %zu bytes |\n", block.n, c.k,
		trawl_constraint_memory(&c));
	for (int i = 0; i < 100000; i++) {
		uint32_t plen = 16 + (uint32_t)(trawl_splitmix64(&st) % 17), a = (uint32_t)trawl_splitmix64(&st);
		uint32_t mask = plen == 0 ? 0 : UINT32_MAX << (32 - plen);

		trawl_ranges_add(&rnd, (struct trawl_range){ a & mask, (a & mask) | ~mask });
	}
	t0 = now();
	trawl_constraint_build(&c2, &all, &rnd);
	t1 = now();
	printf("| constraint, 100,000 random prefixes (/16-/32) | %u intervals, built in %.0f ms | %zu bytes (%.2f MiB) |\n",
		c2.k, (t1 - t0) * 1e3, trawl_constraint_memory(&c2), (double)trawl_constraint_memory(&c2) / (1 << 20));
	return sink == 42; /* keep the walk from being optimised away */
}
