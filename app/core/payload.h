/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PAYLOAD_H
#define TRAWL_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Payload bytes given on the command line, as hex digits or a file, into a
 * caller's buffer of @p cap bytes: what `scan -M udp --probe-args` and
 * `respond --udp` both read. Nothing past cap is ever written.
 */

/**
 * Decode the hex digits @p hex (either case) into @p out.
 * @return 0 with *len the bytes; -EINVAL for an odd number of digits;
 * -E2BIG past @p cap bytes; -EILSEQ with *len the offset (in digits) of the
 * first pair that is no hex byte.
 */
int trawl_payload_hex(const char *hex, uint8_t *out, size_t cap, size_t *len);

/**
 * Read the whole file @p path into @p out.
 * @return 0 with *len the bytes; -E2BIG if it holds more than @p cap;
 * -errno if it cannot be opened or read.
 */
int trawl_payload_file(const char *path, uint8_t *out, size_t cap, size_t *len);

#endif
