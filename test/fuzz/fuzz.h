/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FUZZ_H
#define TRAWL_FUZZ_H

/*
 * libFuzzer harnesses (test/fuzz/README). Each calls a parser of bytes from
 * outside on an exact-size heap copy of the input, so that ASan reports a
 * read one byte past what was "captured" or read from the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @p size bytes of @p data in a heap block of exactly that size (1 byte for an empty input, never read). */
static inline uint8_t *
fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	memcpy(p, data, size);
	return p;
}

/* The same with a terminating NUL (size + 1 bytes), for parsers of strings. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (p == NULL)
		abort();
	memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

#endif
