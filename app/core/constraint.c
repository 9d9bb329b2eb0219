/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/constraint.h"
#include "app/core/sort.h"

/* Sort and merge overlapping or adjacent ranges in place; returns the new count. */
static size_t
normalise(struct trawl_range *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	trawl_sort_ranges(v, n);
	for (size_t i = 1; i < n; i++) {
		if ((uint64_t)v[i].lo <= (uint64_t)v[out].hi + 1) {
			if (v[i].hi > v[out].hi)
				v[out].hi = v[i].hi;
		} else {
			v[++out] = v[i];
		}
	}
	return out + 1;
}

static struct trawl_range *
copy_ranges(const struct trawl_ranges *rs, size_t extra)
{
	struct trawl_range *v = malloc((rs->n + extra + 1) * sizeof(*v));

	if (v != NULL && rs->n != 0)
		memcpy(v, rs->v, rs->n * sizeof(*v));
	return v;
}

int
trawl_constraint_build(struct trawl_constraint *c, const struct trawl_ranges *allow,
		const struct trawl_ranges *block)
{
	struct trawl_range *a = copy_ranges(allow, 0);
	struct trawl_range *b = copy_ranges(block, 2);
	size_t na, nb, i, j, k = 0;
	int rc = -ENOMEM;

	memset(c, 0, sizeof(*c));
	if (a == NULL || b == NULL)
		goto out;
	nb = block->n;
	b[nb++] = (struct trawl_range){ 0, 0 };
	b[nb++] = (struct trawl_range){ UINT32_MAX, UINT32_MAX };
	na = normalise(a, allow->n);
	nb = normalise(b, nb);

	/* Each allowed interval minus the blocked ones splits into at most nb + 1 pieces. */
	c->lo = malloc((na + nb + 1) * sizeof(*c->lo));
	c->cum = malloc((na + nb + 2) * sizeof(*c->cum));
	if (c->lo == NULL || c->cum == NULL)
		goto out;
	c->cum[0] = 0;
	for (i = 0, j = 0; i < na; i++) {
		uint64_t lo = a[i].lo, hi = a[i].hi;

		while (j < nb && b[j].hi < lo)
			j++;
		for (size_t jj = j; jj < nb && b[jj].lo <= hi; jj++) {
			if (b[jj].lo > lo) {
				c->lo[k] = (uint32_t)lo;
				c->cum[k + 1] = c->cum[k] + (b[jj].lo - lo);
				k++;
			}
			lo = (uint64_t)b[jj].hi + 1;
		}
		if (lo <= hi) {
			c->lo[k] = (uint32_t)lo;
			c->cum[k + 1] = c->cum[k] + (hi - lo + 1);
			k++;
		}
	}
	c->k = (uint32_t)k;
	rc = 0;
out:
	free(a);
	free(b);
	if (rc != 0)
		trawl_constraint_free(c);
	return rc;
}

void
trawl_constraint_free(struct trawl_constraint *c)
{
	free(c->lo);
	free(c->cum);
	memset(c, 0, sizeof(*c));
}

size_t
trawl_constraint_memory(const struct trawl_constraint *c)
{
	return (size_t)c->k * sizeof(*c->lo) + ((size_t)c->k + 1) * sizeof(*c->cum);
}

uint64_t
trawl_constraint_overlap(const struct trawl_constraint *a, const struct trawl_constraint *b)
{
	uint64_t n = 0;
	uint32_t i = 0, j = 0;

	while (i < a->k && j < b->k) {
		/* Interval i of a is [lo, lo + size - 1]; the same for b. In 64 bits: the last may end at 2^32 - 1. */
		uint64_t alo = a->lo[i], ahi = alo + (a->cum[i + 1] - a->cum[i]) - 1;
		uint64_t blo = b->lo[j], bhi = blo + (b->cum[j + 1] - b->cum[j]) - 1;
		uint64_t lo = alo > blo ? alo : blo, hi = ahi < bhi ? ahi : bhi;

		if (lo <= hi)
			n += hi - lo + 1;
		if (ahi < bhi)
			i++;
		else
			j++;
	}
	return n;
}
