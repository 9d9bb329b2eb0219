/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PORTS_H
#define TRAWL_PORTS_H

#include <stdint.h>

/* The target ports of a scan: distinct, ascending. */
struct trawl_ports {
	uint32_t n;
	uint16_t port[65536];
};

/**
 * Parse "80", "80,443", "8000-8100" or a mix ("22,80,8000-8100"). Ports
 * are 0 .. 65535; duplicates and overlaps are merged.
 * @return 0, or -EINVAL with the offending item in @p err.
 */
struct trawl_err;
int trawl_ports_parse(struct trawl_ports *ps, const char *spec, struct trawl_err *err);

#endif
