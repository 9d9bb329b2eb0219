/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_GROW_H
#define TRAWL_GROW_H

#include <stddef.h>
#include <stdlib.h>

/*
 * Room for element @p n of a growable array @p v of @p cap elements of
 * @p size bytes: the array itself while n < *cap, else reallocated to twice
 * *cap (@p first at the start) with *cap updated. NULL: out of memory, the
 * array and *cap untouched.
 */
static inline void *
trawl_grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : first;
	nv = realloc(v, ncap * size);
	if (nv != NULL)
		*cap = ncap;
	return nv;
}

#endif
