/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/err.h"
#include "app/core/ports.h"

static int
parse_port(const char *s, const char *end, uint32_t *out)
{
	uint32_t v = 0;

	if (s == end || end - s > 5)
		return -EINVAL;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

int
trawl_ports_parse(struct trawl_ports *ps, const char *spec, struct trawl_err *err)
{
	uint64_t seen[65536 / 64] = { 0 };
	const char *item = spec;

	ps->n = 0;
	for (;;) {
		const char *comma = strchr(item, ',');
		const char *end = comma ? comma : item + strlen(item);
		const char *dash = memchr(item, '-', (size_t)(end - item));
		uint32_t lo, hi;
		int rc;

		if (dash != NULL)
			rc = (parse_port(item, dash, &lo) || parse_port(dash + 1, end, &hi) || lo > hi) ? -EINVAL : 0;
		else
			rc = parse_port(item, end, &lo), hi = lo;
		if (rc != 0)
			return trawl_err_set(err, -EINVAL, "invalid port or port range '%.*s' in '%s'",
					(int)(end - item), item, spec);
		for (uint32_t p = lo; p <= hi; p++)
			seen[p / 64] |= UINT64_C(1) << (p % 64);
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	for (uint32_t p = 0; p < 65536; p++)
		if (seen[p / 64] & (UINT64_C(1) << (p % 64)))
			ps->port[ps->n++] = (uint16_t)p;
	return 0;
}
