/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/window6.h"

/* A prefix length: 1 to 3 digits, 0..128, and nothing after it but @p stop. */
static int
parse_len(const char *s, char stop, unsigned int *len, const char **end)
{
	unsigned int v = 0;
	int n = 0;

	while (isdigit((unsigned char)s[n]) && n < 3)
		v = v * 10 + (unsigned int)(s[n++] - '0');
	if (n == 0 || s[n] != stop || v > 128)
		return -EINVAL;
	*len = v;
	*end = s + n;
	return 0;
}

int
trawl_window6_parse(const char *s, struct trawl_window6 *w)
{
	char buf[TRAWL_IPV6_STRLEN];
	const char *slash = strchr(s, '/'), *end;
	unsigned int a, b;
	struct trawl_ip6 p;

	if (slash == NULL || (size_t)(slash - s) == 0 || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (trawl_parse_ipv6(buf, &p) != 0 || parse_len(slash + 1, '-', &a, &end) != 0 ||
			parse_len(end + 1, '\0', &b, &end) != 0)
		return -EINVAL;
	if (a > b || b - a > TRAWL_WINDOW6_MAX_BITS)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->prefix = trawl_ip6_mask(p, a);
	w->a = (uint8_t)a;
	w->b = (uint8_t)b;
	w->iid = (struct trawl_ip6){ 0, b < 128 ? 1 : 0 }; /* ::1, where the /B leaves room for it */
	return 0;
}

void
trawl_window6_seed(struct trawl_window6 *w, uint64_t seed)
{
	/* The key is the seed spread over 128 bits: a rerun with the seed probes the same IIDs. */
	w->key = (struct trawl_siphash_key){ seed ^ 0x77696e646f773669ULL, seed * 0x9e3779b97f4a7c15ULL + 1 };
	w->seeded = 1;
}
