/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"

#define BITMAP_BYTES (UINT64_C(1) << 29)

static void *
map_bitmap(void)
{
	void *p = mmap(NULL, BITMAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int
trawl_dataset_init(struct trawl_dataset *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->live = map_bitmap();
	ds->wild = map_bitmap();
	if (ds->live == NULL || ds->wild == NULL) {
		trawl_dataset_free(ds);
		return -ENOMEM;
	}
	return 0;
}

void
trawl_dataset_free(struct trawl_dataset *ds)
{
	if (ds->live != NULL)
		munmap(ds->live, BITMAP_BYTES);
	if (ds->wild != NULL)
		munmap(ds->wild, BITMAP_BYTES);
	free(ds->pairs);
	memset(ds, 0, sizeof(*ds));
}

/* Set bits lo..hi (inclusive) of a bitmap, a word at a time where whole. */
static void
set_range(uint64_t *bm, uint32_t lo, uint32_t hi)
{
	uint64_t a = lo, b = (uint64_t)hi + 1;

	while (a < b && (a & 63) != 0) {
		bm[a >> 6] |= UINT64_C(1) << (a & 63);
		a++;
	}
	while (a + 64 <= b) {
		bm[a >> 6] = ~UINT64_C(0);
		a += 64;
	}
	while (a < b) {
		bm[a >> 6] |= UINT64_C(1) << (a & 63);
		a++;
	}
}

static int
add_pair(struct trawl_dataset *ds, uint64_t key)
{
	if (ds->npairs == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 1024;
		uint64_t *v = realloc(ds->pairs, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		ds->pairs = v;
		ds->cap = cap;
	}
	ds->pairs[ds->npairs++] = key;
	return 0;
}

/* Parse a decimal number of at most `max`; advances *p. */
static int
num(const char **p, const char *end, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	const char *s = *p;

	if (s == end || !isdigit((unsigned char)*s))
		return -1;
	while (s < end && isdigit((unsigned char)*s)) {
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > max || s - *p >= 5)
			return -1;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

/*
 * One line, already stripped of comment and white space: ADDR[/LEN][:PORT].
 * A hand-written parser: 61 million lines must load in seconds, and
 * inet_pton plus strtoul per line cost twice as much (measured).
 */
static int
parse_line(struct trawl_dataset *ds, const char *s, const char *end)
{
	uint32_t o[4], len = 32, port = 0, addr, mask;
	int has_port = 0;

	for (int i = 0; i < 4; i++) {
		if (num(&s, end, 255, &o[i]) != 0)
			return -EINVAL;
		if (i < 3 && (s == end || *s++ != '.'))
			return -EINVAL;
	}
	if (s < end && *s == '/') {
		s++;
		if (num(&s, end, 32, &len) != 0)
			return -EINVAL;
	}
	if (s < end && *s == ':') {
		s++;
		if (num(&s, end, 65535, &port) != 0)
			return -EINVAL;
		has_port = 1;
	}
	if (s != end)
		return -EINVAL;
	addr = o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
	mask = len == 0 ? 0 : UINT32_MAX << (32 - len);
	addr &= mask;
	set_range(ds->live, addr, addr | ~mask);
	if (!has_port) {
		set_range(ds->wild, addr, addr | ~mask);
		return 0;
	}
	for (uint64_t a = addr; a <= (uint64_t)(addr | ~mask); a++)
		if (add_pair(ds, a << 16 | port) != 0)
			return -ENOMEM;
	return 0;
}

static int
load_text(struct trawl_dataset *ds, const char *path, const char *buf, size_t size, struct trawl_err *err)
{
	const char *p = buf, *end = buf + size;
	unsigned long lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p, *e;
		const char *hash = memchr(p, '#', (size_t)(le - p));
		int rc;

		lineno++;
		e = hash ? hash : le;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s < e) {
			rc = parse_line(ds, s, e);
			if (rc == -ENOMEM)
				return trawl_err_set(err, rc, "%s: out of memory", path);
			if (rc != 0)
				return trawl_err_set(err, -EINVAL, "%s:%lu:%ld: not ADDR, CIDR, ADDR:PORT or CIDR:PORT: '%.*s'",
						path, lineno, (long)(s - p) + 1, (int)(e - s > 64 ? 64 : e - s), s);
		}
		p = le + 1;
	}
	return 0;
}

static int
load_binary(struct trawl_dataset *ds, const char *path, const uint8_t *buf, size_t size, struct trawl_err *err)
{
	uint64_t nr, np;
	const uint8_t *p = buf + 8;

	if (size < 24)
		return trawl_err_set(err, -EINVAL, "%s: truncated binary dataset", path);
	memcpy(&nr, p, 8);
	memcpy(&np, p + 8, 8);
	p += 16;
	if (nr > (size - 24) / 8 || np > (size - 24 - nr * 8) / 8 || 24 + nr * 8 + np * 8 != size)
		return trawl_err_set(err, -EINVAL, "%s: binary dataset sizes do not match the file", path);
	for (uint64_t i = 0; i < nr; i++, p += 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		if (hi < lo)
			return trawl_err_set(err, -EINVAL, "%s: bad range %" PRIu64, path, i);
		set_range(ds->live, lo, hi);
		set_range(ds->wild, lo, hi);
	}
	if (np != 0) {
		uint64_t *v = realloc(ds->pairs, (ds->npairs + np) * sizeof(*v));

		if (v == NULL)
			return trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
		ds->pairs = v;
		ds->cap = ds->npairs + np;
		memcpy(v + ds->npairs, p, np * 8);
		for (uint64_t i = 0; i < np; i++) {
			uint32_t a = (uint32_t)(v[ds->npairs + i] >> 16);

			ds->live[a >> 6] |= UINT64_C(1) << (a & 63);
		}
		ds->npairs += np;
	}
	ds->nwild_ranges += nr;
	return 0;
}

int
trawl_dataset_load(struct trawl_dataset *ds, const char *path, struct trawl_err *err)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *buf;
	int rc;

	if (fd < 0)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if ((size_t)st.st_size >= 8 && memcmp(buf, TRAWL_DATASET_MAGIC, 8) == 0)
		rc = load_binary(ds, path, buf, (size_t)st.st_size, err);
	else
		rc = load_text(ds, path, buf, (size_t)st.st_size, err);
	munmap(buf, (size_t)st.st_size);
	return rc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void
trawl_dataset_seal(struct trawl_dataset *ds)
{
	size_t out = 0;

	qsort(ds->pairs, ds->npairs, sizeof(uint64_t), cmp_u64);
	for (size_t i = 0; i < ds->npairs; i++)
		if (out == 0 || ds->pairs[out - 1] != ds->pairs[i])
			ds->pairs[out++] = ds->pairs[i];
	ds->npairs = out;
}

uint64_t
trawl_dataset_count_live(const struct trawl_dataset *ds)
{
	uint64_t n = 0;

	/* mincore would skip untouched pages; a plain walk is simple and reads zero pages fast. */
	for (uint64_t i = 0; i < BITMAP_BYTES / 8; i++)
		n += (uint64_t)__builtin_popcountll(ds->live[i]);
	return n;
}

int
trawl_dataset_write(const struct trawl_dataset *ds, const char *path, struct trawl_err *err)
{
	FILE *f = fopen(path, "wb");
	uint64_t nr = 0, zero = 0;
	long at;
	int rc = 0;

	if (f == NULL)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	fwrite(TRAWL_DATASET_MAGIC, 1, 8, f);
	fwrite(&zero, 8, 1, f); /* the range count, filled in below */
	fwrite(&ds->npairs, 8, 1, f);
	/* Wild ranges: runs of set bits, found a word at a time. */
	for (uint64_t w = 0; w < BITMAP_BYTES / 8; w++) {
		uint64_t bits = ds->wild[w];

		while (bits != 0) {
			uint32_t lo = (uint32_t)(w * 64 + (uint64_t)__builtin_ctzll(bits)), hi;
			uint64_t a = lo;

			/* extend the run across words */
			while (a + 1 <= UINT32_MAX && trawl_bit(ds->wild, (uint32_t)(a + 1)))
				a++;
			hi = (uint32_t)a;
			fwrite(&lo, 4, 1, f);
			fwrite(&hi, 4, 1, f);
			nr++;
			if (a / 64 != w) {
				w = a / 64;
				bits = ds->wild[w] & (a % 64 == 63 ? 0 : ~UINT64_C(0) << (a % 64 + 1));
			} else {
				bits &= (a % 64 == 63) ? 0 : ~UINT64_C(0) << (a % 64 + 1);
			}
		}
	}
	fwrite(ds->pairs, 8, ds->npairs, f);
	at = 8;
	if (fseek(f, at, SEEK_SET) != 0 || fwrite(&nr, 8, 1, f) != 1)
		rc = -EIO;
	if (fclose(f) != 0 || rc != 0)
		return trawl_err_set(err, -EIO, "%s: write failed", path);
	return 0;
}
