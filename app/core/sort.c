/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/sort.h"

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_range(const void *a, const void *b)
{
	const struct trawl_range *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/*
 * One stable counting pass of a radix sort: elements of src (size sz each,
 * key at byte offset koff) to dst by the 11-bit digit at @p shift of their
 * key. The count table is the caller's (zeroed here). 11 bits, three
 * passes: 2048 write streams stay in the cache and TLB where 16 bits' 65536
 * did not (50 M addresses: 2 x 16 bits 1.2 s, 3 x 11 bits 0.7 s,
 * 4 x 8 bits 0.8 s; bench/listbench).
 */
#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
static inline __attribute__((always_inline)) void
radix_pass(const void *src, void *dst, size_t n, size_t sz, size_t koff, unsigned int shift, size_t *count)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	size_t sum = 0;

	memset(count, 0, DIGITS * sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint32_t k;

		memcpy(&k, s + i * sz + koff, sizeof(k));
		count[(k >> shift) & (DIGITS - 1)]++;
	}
	for (size_t i = 0; i < DIGITS; i++) {
		size_t c = count[i];

		count[i] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t k;

		memcpy(&k, s + i * sz + koff, sizeof(k));
		memcpy(d + count[(k >> shift) & (DIGITS - 1)]++ * sz, s + i * sz, sz);
	}
}

/* Three passes, low digit first: the result ends in tmp and is copied back. Inlined so that each caller's sz is a constant. */
static inline __attribute__((always_inline)) int
radix_sort(void *v, size_t n, size_t sz, size_t koff)
{
	void *tmp = malloc(n * sz);
	size_t *count = malloc(DIGITS * sizeof(*count));

	if (tmp == NULL || count == NULL) {
		free(tmp);
		free(count);
		return -ENOMEM;
	}
	radix_pass(v, tmp, n, sz, koff, 0, count);
	radix_pass(tmp, v, n, sz, koff, DIGIT_BITS, count);
	radix_pass(v, tmp, n, sz, koff, 2 * DIGIT_BITS, count);
	memcpy(v, tmp, n * sz);
	free(tmp);
	free(count);
	return 0;
}

static int
cmp_ip6(const void *a, const void *b)
{
	const struct trawl_ip6 *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi > y->hi ? 1 : -1;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int
cmp_lo(const void *a, const void *b)
{
	const struct trawl_ip6 *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/*
 * IPv6 addresses: the radix passes over the high half alone (six of 11
 * bits, the last 9 wide), then each run of equal high halves put in order
 * by its low half. A hitlist's addresses are mostly in /64s of their own,
 * so the runs are a handful of addresses and six passes do what twelve
 * did (bench/listbench, 10 M hitlist-shaped lines: 0.81 s to load against
 * 1.20 s with twelve passes). A pass whose digit is the same in every address moves
 * nothing and is skipped: hitlists share their top bits (2001:, 2a0x:).
 */
static int
radix_ip6(struct trawl_ip6 *v, size_t n)
{
	struct trawl_ip6 *tmp = malloc(n * sizeof(*tmp)), *src = v, *dst = tmp;
	size_t *count = malloc(DIGITS * sizeof(*count));

	if (tmp == NULL || count == NULL) {
		free(tmp);
		free(count);
		return -ENOMEM;
	}
	for (unsigned int shift = 0; shift < 64; shift += DIGIT_BITS) {
		size_t sum = 0, top = 0;

		memset(count, 0, DIGITS * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i].hi >> shift) & (DIGITS - 1)]++;
		for (size_t i = 0; i < DIGITS; i++) {
			size_t c = count[i];

			top = c > top ? c : top;
			count[i] = sum;
			sum += c;
		}
		if (top == n)
			continue;
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].hi >> shift) & (DIGITS - 1)]++] = src[i];
		dst = src;
		src = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	free(count);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].hi == v[i].hi; j++)
			;
		if (j - i <= 8) {
			for (size_t k = i + 1; k < j; k++) /* insertion: the common short run */
				for (size_t m = k; m > i && v[m - 1].lo > v[m].lo; m--) {
					struct trawl_ip6 t = v[m];

					v[m] = v[m - 1];
					v[m - 1] = t;
				}
		} else {
			qsort(v + i, j - i, sizeof(*v), cmp_lo);
		}
	}
	return 0;
}

/*
 * Input already in order costs one look: -I's ranges come sorted, and as
 * the whole allowlist (no TARGETs beside them) they need nothing more.
 * Without the memory for the radix passes, qsort: slower, never wrong.
 */
void
trawl_sort_u32(uint32_t *v, size_t n)
{
	size_t i = 1;

	while (i < n && v[i - 1] <= v[i])
		i++;
	if (i >= n)
		return;
	if (n < TRAWL_SORT_RADIX_MIN || radix_sort(v, n, sizeof(*v), 0) != 0)
		qsort(v, n, sizeof(*v), cmp_u32);
}

void
trawl_sort_ranges(struct trawl_range *v, size_t n)
{
	size_t i = 1;

	while (i < n && v[i - 1].lo <= v[i].lo)
		i++;
	if (i >= n)
		return;
	if (n < TRAWL_SORT_RADIX_MIN || radix_sort(v, n, sizeof(*v), offsetof(struct trawl_range, lo)) != 0)
		qsort(v, n, sizeof(*v), cmp_range);
}

void
trawl_sort_ip6(struct trawl_ip6 *v, size_t n)
{
	size_t i = 1;

	while (i < n && cmp_ip6(&v[i - 1], &v[i]) <= 0)
		i++;
	if (i >= n)
		return;
	if (n < TRAWL_SORT_RADIX_MIN || radix_ip6(v, n) != 0)
		qsort(v, n, sizeof(*v), cmp_ip6);
}
