/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_STATS_H
#define TRAWL_STATS_H

#include <stdint.h>

/*
 * Counters are written by exactly one lcore and read by the main lcore.
 * The owner adds with a plain load and a relaxed store (no atomic
 * read-modify-write, nothing locked on the bus); the reader uses a relaxed
 * load, which is enough for a status line and exact once the owner has
 * stopped.
 */
static inline void
trawl_stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t
trawl_stat_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Run-phase flags: set once by the main lcore (release), polled by the others (acquire). */
static inline void
trawl_flag_set(uint32_t *f)
{
	__atomic_store_n(f, 1, __ATOMIC_RELEASE);
}

static inline int
trawl_flag_get(const uint32_t *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE) != 0;
}

#endif
