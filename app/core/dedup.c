/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "app/core/dedup.h"

uint64_t
trawl_dedup_bitmap_bytes(uint64_t targets)
{
	return (targets + 63) / 64 * 8;
}

static uint64_t *
map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Random keys over hundreds of MiB: 2 MiB pages spare a TLB miss on nearly every lookup. */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

int
trawl_dedup_init(struct trawl_dedup *d, uint64_t targets, uint64_t budget)
{
	uint64_t slots;

	memset(d, 0, sizeof(*d));
	if (targets == 0)
		return -EINVAL;
	d->targets = targets;
	if (trawl_dedup_bitmap_bytes(targets) <= budget) {
		d->kind = TRAWL_DEDUP_BITMAP;
		d->bytes = trawl_dedup_bitmap_bytes(targets);
		d->capacity = targets;
	} else {
		/* The largest power of two of 8-byte slots within the budget. */
		if (budget / 8 < TRAWL_DEDUP_MIN_SLOTS)
			return -EINVAL;
		slots = UINT64_C(1) << (63 - __builtin_clzll(budget / 8));
		d->kind = TRAWL_DEDUP_HASH;
		d->bytes = slots * 8;
		d->mask = slots - 1;
		d->capacity = slots / 4 * 3;
	}
	d->words = map(d->bytes);
	if (d->words == NULL) {
		memset(d, 0, sizeof(*d));
		return -ENOMEM;
	}
	return 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL and get the loop below */
#endif

int
trawl_dedup_populate(struct trawl_dedup *d)
{
	volatile uint8_t *p = (volatile uint8_t *)d->words;

	if (madvise(d->words, d->bytes, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno == ENOMEM || errno == EFAULT)
		return -ENOMEM;
	/* The table is all zeros: writing a zero to each page faults it in and changes nothing. */
	for (size_t off = 0; off < d->bytes; off += 4096)
		p[off] = 0;
	return 0;
}

void
trawl_dedup_free(struct trawl_dedup *d)
{
	if (d->words != NULL)
		munmap(d->words, d->bytes);
	memset(d, 0, sizeof(*d));
}
