/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SORT_H
#define TRAWL_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/ipv4.h"
#include "app/core/ipv6.h"

/*
 * Sorting by the 32-bit address, for the lists that run to tens of
 * millions (hitlists, the allowlist they join): three passes of an 11-bit
 * least-significant-digit radix sort, linear in n. On 50 M random
 * addresses here it takes 0.7 s where qsort takes 5.8 s (bench/listbench);
 * below TRAWL_SORT_RADIX_MIN elements qsort, a few milliseconds at most,
 * keeps the small lists (a blocklist, a handful of TARGETs) on the path
 * they always took. The radix passes need a second array of n; without the
 * memory for it, qsort.
 */
#define TRAWL_SORT_RADIX_MIN 65536u

void trawl_sort_u32(uint32_t *v, size_t n);

/** Ranges by their first address (equal first addresses in any order). */
void trawl_sort_ranges(struct trawl_range *v, size_t n);

/** IPv6 addresses, as 128-bit numbers: radix passes over the high half, then each /64's addresses by their low half. */
void trawl_sort_ip6(struct trawl_ip6 *v, size_t n);

#endif
