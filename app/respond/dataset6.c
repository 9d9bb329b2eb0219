/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/sort.h"
#include "app/respond/dataset6.h"

/* Room for @p need elements in the array at *v of *cap (doubling, or to need when that is more). */
static int
room(void **v, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 1024;
	if (ncap < need)
		ncap = need;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* Room in both range arrays, which share one capacity. */
static int
room_ranges(struct trawl_dataset6 *d, size_t need)
{
	size_t cap = d->cap_ranges;

	if (room((void **)&d->lo, &cap, need, sizeof(*d->lo)) != 0)
		return -ENOMEM;
	if (cap != d->cap_ranges) {
		size_t cap_hi = d->cap_ranges;

		if (room((void **)&d->hi, &cap_hi, cap, sizeof(*d->hi)) != 0)
			return -ENOMEM; /* lo is larger than cap_ranges says: harmless, it is only room */
		d->cap_ranges = cap;
	}
	return 0;
}


/* The text between s and end as a NUL-terminated string in buf (at most n - 1 bytes), or -EINVAL. */
static int
copy(char *buf, size_t n, const char *s, const char *end)
{
	if (end <= s || (size_t)(end - s) >= n)
		return -EINVAL;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	return 0;
}

int
trawl_dataset6_line(struct trawl_dataset6 *d, const char *s, const char *end)
{
	char buf[TRAWL_IPV6_STRLEN + 8];
	const char *c1 = memchr(s, ':', (size_t)(end - s));

	/* IPv6: a bracket, or two colons (IPv4's ADDR:PORT has one). */
	if (*s != '[' && (c1 == NULL || memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) == NULL))
		return -ENOENT;
	if (*s == '[') {
		const char *rb = memchr(s, ']', (size_t)(end - s));
		struct trawl_pair6 p;
		unsigned long port = 0;
		const char *q;

		if (rb == NULL || rb + 2 > end || rb[1] != ':' || copy(buf, sizeof(buf), s + 1, rb) != 0 ||
		    trawl_parse_ipv6(buf, &p.a) != 0)
			return -EINVAL;
		for (q = rb + 2; q < end && *q >= '0' && *q <= '9' && q - rb <= 7; q++)
			port = port * 10 + (unsigned long)(*q - '0');
		if (q != end || q == rb + 2 || port > 65535)
			return -EINVAL;
		p.port = port;
		if (room((void **)&d->pairs, &d->cap_pairs, d->npairs + 1, sizeof(*d->pairs)) != 0)
			return -ENOMEM;
		d->pairs[d->npairs++] = p;
		return 0;
	}
	if (copy(buf, sizeof(buf), s, end) != 0)
		return -EINVAL;
	if (memchr(s, '/', (size_t)(end - s)) != NULL) {
		struct trawl_prefix6 p;
		struct trawl_ip6 net;

		if (trawl_parse_prefix6(buf, &p) != 0)
			return -EINVAL;
		net = trawl_ip6_mask((struct trawl_ip6){ UINT64_MAX, UINT64_MAX }, p.len);
		if (room_ranges(d, d->nranges + 1) != 0)
			return -ENOMEM;
		d->lo[d->nranges] = p.addr;
		d->hi[d->nranges++] = (struct trawl_ip6){ p.addr.hi | ~net.hi, p.addr.lo | ~net.lo };
		return 0;
	}
	if (room((void **)&d->addrs, &d->cap_addrs, d->naddrs + 1, sizeof(*d->addrs)) != 0)
		return -ENOMEM;
	if (trawl_parse_ipv6(buf, &d->addrs[d->naddrs]) != 0)
		return -EINVAL;
	d->naddrs++;
	return 0;
}

int
trawl_dataset6_service_line(struct trawl_dataset6 *d, const char *s, const char *end, int middlebox,
		int zerowin, const struct trawl_svc6 *sv)
{
	char buf[TRAWL_IPV6_STRLEN + 8];
	int rc;

	if (middlebox) {
		struct trawl_prefix6 p;

		if (*s == '[')
			return memchr(s, ']', (size_t)(end - s)) != NULL ? -EDESTADDRREQ : -EINVAL;
		if (copy(buf, sizeof(buf), s, end) != 0 || trawl_parse_prefix6(buf, &p) != 0)
			return memchr(s, ':', (size_t)(end - s)) != NULL ? -EINVAL : -ENOENT;
		if ((rc = trawl_dataset6_line(d, s, end)) != 0) /* the hosts live */
			return rc;
		if (room((void **)&d->mbox, &d->cap_mbox, d->nmbox + 1, sizeof(*d->mbox)) != 0)
			return -ENOMEM;
		d->mbox[d->nmbox++] = (struct trawl_mbox6){ p.addr, trawl_ip6_last(p.addr, p.len), (uint8_t)zerowin };
		return 0;
	}
	if (*s != '[') {
		/* an IPv6 address or prefix without a port (two colons, as trawl_dataset6_line tells), or not IPv6 */
		const char *c1 = memchr(s, ':', (size_t)(end - s));

		return c1 != NULL && memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) != NULL ? -EDESTADDRREQ : -ENOENT;
	}
	if ((rc = trawl_dataset6_line(d, s, end)) != 0) /* the port is open, as without the service */
		return rc;
	if (room((void **)&d->svc, &d->cap_svc, d->nsvc + 1, sizeof(*d->svc)) != 0)
		return -ENOMEM;
	d->svc[d->nsvc] = *sv;
	d->svc[d->nsvc].a = d->pairs[d->npairs - 1].a;
	d->svc[d->nsvc++].port = (uint16_t)d->pairs[d->npairs - 1].port;
	return 0;
}

static int
cmp_svc6(const void *x, const void *y)
{
	const struct trawl_svc6 *a = x, *b = y;

	if (!trawl_ip6_eq(a->a, b->a))
		return trawl_ip6_lt(a->a, b->a) ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

static int
cmp_mbox6(const void *x, const void *y)
{
	const struct trawl_mbox6 *a = x, *b = y;

	return trawl_ip6_lt(a->lo, b->lo) ? -1 : trawl_ip6_lt(b->lo, a->lo) ? 1 : 0;
}

const struct trawl_svc6 *
trawl_dataset6_service(const struct trawl_dataset6 *d, struct trawl_ip6 a, uint16_t port)
{
	struct trawl_svc6 key = { .a = a, .port = port };

	return d->nsvc != 0 ? bsearch(&key, d->svc, d->nsvc, sizeof(*d->svc), cmp_svc6) : NULL;
}

int
trawl_dataset6_middlebox(const struct trawl_dataset6 *d, struct trawl_ip6 a)
{
	size_t lo = 0, hi = d->nmbox;

	/* the last block starting at or before a (blocks should not overlap: dataset.h) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (!trawl_ip6_lt(a, d->mbox[mid].lo))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || trawl_ip6_lt(d->mbox[lo - 1].hi, a))
		return -1;
	return d->mbox[lo - 1].zerowin;
}

static int
cmp_range(const void *x, const void *y)
{
	const struct trawl_ip6 *a = x, *b = y;

	return trawl_ip6_lt(a[0], b[0]) ? -1 : trawl_ip6_lt(b[0], a[0]) ? 1 : 0;
}

static int
cmp_pair(const void *x, const void *y)
{
	const struct trawl_pair6 *a = x, *b = y;

	if (!trawl_ip6_eq(a->a, b->a))
		return trawl_ip6_lt(a->a, b->a) ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

void
trawl_dataset6_seal(struct trawl_dataset6 *d)
{
	size_t k = 0;

	if (d->naddrs > 1) {
		trawl_sort_ip6(d->addrs, d->naddrs);
		for (size_t i = 0; i < d->naddrs; i++)
			if (k == 0 || !trawl_ip6_eq(d->addrs[i], d->addrs[k - 1]))
				d->addrs[k++] = d->addrs[i];
		d->naddrs = k;
	}
	if (d->nranges > 1) {
		/* Sort (lo, hi) together: pairs of addresses side by side, then merge what overlaps or touches. */
		struct trawl_ip6 *r = malloc(d->nranges * 2 * sizeof(*r));

		if (r != NULL) {
			for (size_t i = 0; i < d->nranges; i++) {
				r[2 * i] = d->lo[i];
				r[2 * i + 1] = d->hi[i];
			}
			qsort(r, d->nranges, 2 * sizeof(*r), cmp_range);
			k = 0;
			for (size_t i = 0; i < d->nranges; i++) {
				struct trawl_ip6 lo = r[2 * i], hi = r[2 * i + 1];

				if (k != 0) {
					struct trawl_ip6 e = d->hi[k - 1], next = { e.lo == UINT64_MAX ? e.hi + 1 : e.hi, e.lo + 1 };

					if (!trawl_ip6_lt(e, lo) || trawl_ip6_eq(next, lo)) {
						if (trawl_ip6_lt(e, hi))
							d->hi[k - 1] = hi;
						continue;
					}
				}
				d->lo[k] = lo;
				d->hi[k++] = hi;
			}
			d->nranges = k;
			free(r);
		}
	}
	if (d->nsvc > 1)
		qsort(d->svc, d->nsvc, sizeof(*d->svc), cmp_svc6);
	if (d->nmbox > 1)
		qsort(d->mbox, d->nmbox, sizeof(*d->mbox), cmp_mbox6);
	if (d->npairs > 1) {
		qsort(d->pairs, d->npairs, sizeof(*d->pairs), cmp_pair);
		k = 0;
		for (size_t i = 0; i < d->npairs; i++)
			if (k == 0 || cmp_pair(&d->pairs[i], &d->pairs[k - 1]) != 0)
				d->pairs[k++] = d->pairs[i];
		d->npairs = k;
	}
}

void
trawl_dataset6_free(struct trawl_dataset6 *d)
{
	free(d->addrs);
	free(d->lo);
	free(d->hi);
	free(d->pairs);
	free(d->svc);
	free(d->mbox);
	memset(d, 0, sizeof(*d));
}

int
trawl_dataset6_wild(const struct trawl_dataset6 *d, struct trawl_ip6 a)
{
	/* the first address >= a: the same search as an interval's end */
	size_t lo = trawl_ip6_ranges_find(d->addrs, d->naddrs, a);

	if (lo < d->naddrs && trawl_ip6_eq(d->addrs[lo], a))
		return 1;
	return trawl_ip6_ranges_contain(d->lo, d->hi, d->nranges, a);
}

/* The first pair at or after (a, port). */
static size_t
pair_at(const struct trawl_dataset6 *d, struct trawl_ip6 a, uint16_t port)
{
	struct trawl_pair6 key = { a, port };
	size_t lo = 0, hi = d->npairs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_pair(&d->pairs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
trawl_dataset6_live(const struct trawl_dataset6 *d, struct trawl_ip6 a)
{
	size_t i;

	if (trawl_dataset6_wild(d, a))
		return 1;
	i = pair_at(d, a, 0);
	return i < d->npairs && trawl_ip6_eq(d->pairs[i].a, a);
}

int
trawl_dataset6_open(const struct trawl_dataset6 *d, struct trawl_ip6 a, uint16_t port, const uint64_t *wild_ports)
{
	size_t i;

	if ((wild_ports == NULL || (wild_ports[port >> 6] >> (port & 63) & 1)) && trawl_dataset6_wild(d, a))
		return 1;
	i = pair_at(d, a, port);
	return i < d->npairs && trawl_ip6_eq(d->pairs[i].a, a) && d->pairs[i].port == port;
}

size_t
trawl_dataset6_section_size(const struct trawl_dataset6 *d)
{
	return 32 + d->naddrs * 16 + d->nranges * 32 + d->npairs * 24;
}

int
trawl_dataset6_write(const struct trawl_dataset6 *d, FILE *f)
{
	uint64_t n[3] = { d->naddrs, d->nranges, d->npairs };
	int ok = fwrite(TRAWL_DATASET6_MAGIC, 1, 8, f) == 8 && fwrite(n, 8, 3, f) == 3;

	/* The in-memory records are the file's words on a little-endian host (the project builds for x86-64). */
	ok = ok && fwrite(d->addrs, 16, d->naddrs, f) == d->naddrs;
	for (size_t i = 0; ok && i < d->nranges; i++)
		ok = fwrite(&d->lo[i], 16, 1, f) == 1 && fwrite(&d->hi[i], 16, 1, f) == 1;
	ok = ok && fwrite(d->pairs, 24, d->npairs, f) == d->npairs;
	return ok ? 0 : -EIO;
}

int
trawl_dataset6_read(struct trawl_dataset6 *d, const uint8_t *p, size_t size)
{
	uint64_t n[3];

	if (size < 32 || memcmp(p, TRAWL_DATASET6_MAGIC, 8) != 0)
		return -EINVAL;
	memcpy(n, p + 8, 24);
	p += 32;
	size -= 32;
	if (n[0] > size / 16 || n[1] > (size - n[0] * 16) / 32 || n[2] > (size - n[0] * 16 - n[1] * 32) / 24 ||
	    n[0] * 16 + n[1] * 32 + n[2] * 24 != size)
		return -EINVAL;
	if (room((void **)&d->addrs, &d->cap_addrs, d->naddrs + n[0], sizeof(*d->addrs)) != 0 ||
	    room((void **)&d->pairs, &d->cap_pairs, d->npairs + n[2], sizeof(*d->pairs)) != 0 ||
	    room_ranges(d, d->nranges + n[1]) != 0)
		return -ENOMEM;
	if (n[0] != 0) /* memcpy's pointers may not be NULL, not even for 0 bytes */
		memcpy(d->addrs + d->naddrs, p, n[0] * 16);
	d->naddrs += n[0];
	p += n[0] * 16;
	for (uint64_t i = 0; i < n[1]; i++, p += 32) {
		memcpy(&d->lo[d->nranges], p, 16);
		memcpy(&d->hi[d->nranges], p + 16, 16);
		if (trawl_ip6_lt(d->hi[d->nranges], d->lo[d->nranges]))
			return -EINVAL;
		d->nranges++;
	}
	if (n[2] != 0)
		memcpy(d->pairs + d->npairs, p, n[2] * 24);
	for (uint64_t i = 0; i < n[2]; i++)
		if (d->pairs[d->npairs + i].port > 65535)
			return -EINVAL;
	d->npairs += n[2];
	return 0;
}
