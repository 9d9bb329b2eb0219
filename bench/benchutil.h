/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_BENCHUTIL_H
#define TRAWL_BENCHUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "app/core/clock.h"
#include "app/core/constraint.h"
#include "app/core/target.h"

/* Resident memory of this process, in bytes (/proc/self/statm). */
static inline uint64_t
bench_rss(void)
{
	unsigned long long size, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL && fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	if (f != NULL)
		fclose(f);
	return res * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * The space of a full IPv4 scan on one port: 0.0.0.0/0 less the default
 * blocklist, port 80 (3.7 G targets). @return 0, or -1 with the reason on stderr.
 */
static inline int
bench_ipv4_space(struct trawl_constraint *c, struct trawl_ports *ports, struct trawl_target_space *sp)
{
	struct trawl_ranges allow = { 0 }, block = { 0 };
	struct trawl_err err;

	trawl_ranges_add(&allow, (struct trawl_range){ 0, UINT32_MAX });
	if (trawl_ranges_load(&block, TRAWL_SRCCONFDIR "/blocklist.conf", &err) != 0 ||
	    trawl_constraint_build(c, &allow, &block) != 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return -1;
	}
	trawl_ranges_free(&allow);
	trawl_ranges_free(&block);
	trawl_ports_parse(ports, "80", NULL);
	trawl_target_space_init(sp, c, ports);
	return 0;
}

#endif
