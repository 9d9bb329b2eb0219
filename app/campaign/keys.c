/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/core/fmt.h"
#include "app/campaign/keys.h"

#define READ_BUF (4u << 20)
#define RUN_BUF_KEYS 32768u   /* 256 KiB per run while merging */
#define MIN_CHUNK 4096u

size_t
trawl_key_format(uint64_t key, char *buf)
{
	char *p = trawl_put_ipv4(buf, (uint32_t)(key >> 16));

	*p++ = ',';
	p = trawl_put_u64(p, key & 0xffff);
	*p++ = '\n';
	return (size_t)(p - buf);
}

int
trawl_key_parse(const char *s, size_t len, uint64_t *key)
{
	const char *end = s + len;
	uint32_t addr = 0, port = 0;
	int digits;

	for (int i = 0; i < 4; i++) {
		uint32_t o = 0;

		for (digits = 0; s < end && *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			o = o * 10 + (uint32_t)(*s - '0');
		if (digits == 0 || digits > 3 || o > 255)
			return -1;
		addr = addr << 8 | o;
		if (i < 3) {
			if (s == end || *s != '.')
				return -1;
			s++;
		}
	}
	if (s == end || *s != ',')
		return -1;
	s++;
	for (digits = 0; s < end && *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
		port = port * 10 + (uint32_t)(*s - '0');
	if (digits == 0 || digits > 5 || port > 65535 || (s != end && *s != ',' && *s != '\n' && *s != '\r'))
		return -1;
	*key = trawl_key(addr, (uint16_t)port);
	return 0;
}

/*
 * LSD radix sort of 48-bit keys, 16 bits a pass, between a and its scratch
 * b (as large). @return where the sorted keys are: three passes end in b.
 */
static uint64_t *
radix_sort(uint64_t *a, uint64_t *b, size_t n)
{
	static uint32_t count[3][65536];
	uint64_t *src = a, *dst = b, *t;

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		count[0][a[i] & 0xffff]++;
		count[1][(a[i] >> 16) & 0xffff]++;
		count[2][(a[i] >> 32) & 0xffff]++;
	}
	for (int p = 0; p < 3; p++) {
		uint32_t sum = 0;

		for (uint32_t v = 0; v < 65536; v++) {
			uint32_t c = count[p][v];

			count[p][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[p][(src[i] >> (16 * p)) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	return src;
}

static size_t
unique(uint64_t *a, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (k == 0 || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t n = write(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* --- reading sorted key files, buffered -------------------------------- */

struct reader {
	int fd;
	uint64_t *buf;
	size_t pos, n;
	int eof;
	uint64_t head;
};

/* @return 1 with r->head set, 0 at the end, -errno. */
static int
reader_next(struct reader *r)
{
	if (r->pos == r->n) {
		ssize_t got;

		if (r->eof)
			return 0;
		got = read(r->fd, r->buf, RUN_BUF_KEYS * sizeof(uint64_t));
		if (got < 0)
			return -errno;
		if ((size_t)got % sizeof(uint64_t) != 0)
			return -EINVAL; /* a torn key file */
		r->n = (size_t)got / sizeof(uint64_t);
		r->pos = 0;
		if (r->n == 0) {
			r->eof = 1;
			return 0;
		}
	}
	r->head = r->buf[r->pos++];
	return 1;
}

static int
reader_open(struct reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->buf = malloc(RUN_BUF_KEYS * sizeof(uint64_t));
	if (r->buf == NULL)
		return -ENOMEM;
	if (path == NULL) {
		r->eof = 1;
		return 0;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

static void
reader_close(struct reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
	r->fd = -1;
}

/* --- build ------------------------------------------------------------- */

struct builder {
	const char *out;
	int out_fd;
	uint64_t *chunk, *scratch;
	size_t cap, n;
	uint64_t *wbuf;             /* merge output buffer */
	size_t wn;
	char (*runs)[PATH_MAX];
	unsigned int nruns, runs_cap;
	struct trawl_keys_stats *st;
	const uint32_t *skip;       /* addresses left out (sorted), NULL for none */
	size_t nskip;
};

static int
addr_in(const uint32_t *v, size_t n, uint32_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == a;
}

static int
flush_out(struct builder *b)
{
	int rc = write_all(b->out_fd, b->wbuf, b->wn * sizeof(uint64_t));

	b->wn = 0;
	return rc;
}

static int
put_key(struct builder *b, uint64_t k)
{
	b->wbuf[b->wn++] = k;
	b->st->keys++;
	return b->wn == RUN_BUF_KEYS ? flush_out(b) : 0;
}

/* The chunk sorted and unique, written as the next run. */
static int
spill(struct builder *b)
{
	char (*runs)[PATH_MAX];
	uint64_t *sorted;
	int fd, rc;

	if (b->n == 0)
		return 0;
	sorted = radix_sort(b->chunk, b->scratch, b->n);
	b->n = unique(sorted, b->n);
	if (b->nruns == b->runs_cap) {
		runs = realloc(b->runs, (b->runs_cap * 2 + 8) * sizeof(*runs));
		if (runs == NULL)
			return -ENOMEM;
		b->runs = runs;
		b->runs_cap = b->runs_cap * 2 + 8;
	}
	snprintf(b->runs[b->nruns], PATH_MAX, "%s.run%u", b->out, b->nruns);
	fd = open(b->runs[b->nruns], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	b->nruns++;
	rc = write_all(fd, sorted, b->n * sizeof(uint64_t));
	close(fd);
	b->n = 0;
	return rc;
}

static int
add_key(struct builder *b, uint64_t k)
{
	if (b->n == b->cap) {
		int rc = spill(b);

		if (rc != 0)
			return rc;
	}
	b->chunk[b->n++] = k;
	return 0;
}

static int
read_csv(struct builder *b, const char *csv, struct trawl_err *err)
{
	char *buf = malloc(READ_BUF + 1);
	size_t have = 0;
	int fd = open(csv, O_RDONLY | O_CLOEXEC), first = 1, rc = 0;

	if (buf == NULL || fd < 0) {
		rc = fd < 0 ? -errno : -ENOMEM;
		trawl_err_set(err, rc, "%s: %s", csv, strerror(-rc));
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		ssize_t got = read(fd, buf + have, READ_BUF - have);
		char *p = buf, *end, *nl;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = trawl_err_set(err, -errno, "%s: %s", csv, strerror(errno));
			goto out;
		}
		end = buf + have + got;
		if (got == 0 && have != 0)
			*end++ = '\n'; /* a last row without its newline */
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			uint64_t k;

			if (first && (size_t)(nl - p) >= 5 && memcmp(p, "saddr", 5) == 0) {
				/* the header row */
			} else if (nl != p) {
				b->st->rows++;
				if (trawl_key_parse(p, (size_t)(nl - p), &k) != 0)
					b->st->bad++;
				else if (b->nskip != 0 && addr_in(b->skip, b->nskip, (uint32_t)(k >> 16)))
					b->st->skipped++;
				else if ((rc = add_key(b, k)) != 0) {
					trawl_err_set(err, rc, "%s: %s", b->out, strerror(-rc));
					goto out;
				}
			}
			first = 0;
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (got == 0)
			break;
		if (have == READ_BUF) {
			rc = trawl_err_set(err, -EINVAL, "%s: a line of more than 4 MiB", csv);
			goto out;
		}
		memmove(buf, p, have);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* The runs merged (a binary heap of their heads), repeats dropped. */
static int
merge_runs(struct builder *b)
{
	struct reader *r = calloc(b->nruns, sizeof(*r));
	unsigned int *heap = calloc(b->nruns, sizeof(*heap)), hn = 0;
	uint64_t last = UINT64_MAX;
	int rc = 0;

	if (r == NULL || heap == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < b->nruns; i++)
		r[i].fd = -1;
	for (unsigned int i = 0; i < b->nruns && rc == 0; i++) {
		rc = reader_open(&r[i], b->runs[i]);
		if (rc == 0)
			rc = reader_next(&r[i]);
		if (rc == 1) {
			unsigned int c = hn++;

			rc = 0;
			heap[c] = i;
			while (c > 0 && r[heap[(c - 1) / 2]].head > r[heap[c]].head) {
				unsigned int t = heap[c];

				heap[c] = heap[(c - 1) / 2];
				heap[(c - 1) / 2] = t;
				c = (c - 1) / 2;
			}
		}
	}
	while (rc == 0 && hn > 0) {
		struct reader *top = &r[heap[0]];
		unsigned int c = 0;

		if (top->head != last) {
			last = top->head;
			rc = put_key(b, last);
			if (rc != 0)
				break;
		}
		rc = reader_next(top);
		if (rc < 0)
			break;
		if (rc == 0)
			heap[0] = heap[--hn];
		rc = 0;
		for (;;) { /* sift down */
			unsigned int l = 2 * c + 1, m = c;

			if (l < hn && r[heap[l]].head < r[heap[m]].head)
				m = l;
			if (l + 1 < hn && r[heap[l + 1]].head < r[heap[m]].head)
				m = l + 1;
			if (m == c)
				break;
			unsigned int t = heap[c];

			heap[c] = heap[m];
			heap[m] = t;
			c = m;
		}
	}
out:
	for (unsigned int i = 0; r != NULL && i < b->nruns; i++)
		reader_close(&r[i]);
	free(r);
	free(heap);
	return rc;
}

int
trawl_keys_build(const char *csv, const char *out, uint64_t mem, struct trawl_keys_stats *st,
		struct trawl_err *err)
{
	return trawl_keys_build_skip(csv, out, mem, NULL, 0, st, err);
}

int
trawl_keys_build_skip(const char *csv, const char *out, uint64_t mem, const uint32_t *skip, size_t nskip,
		struct trawl_keys_stats *st, struct trawl_err *err)
{
	struct builder b = { .out = out, .out_fd = -1, .st = st, .skip = skip, .nskip = nskip };
	char tmp[PATH_MAX];
	int rc;

	memset(st, 0, sizeof(*st));
	b.cap = (size_t)(mem / 16);
	if (b.cap < MIN_CHUNK)
		b.cap = MIN_CHUNK;
	b.chunk = malloc(b.cap * sizeof(uint64_t));
	b.scratch = malloc(b.cap * sizeof(uint64_t));
	b.wbuf = malloc(RUN_BUF_KEYS * sizeof(uint64_t));
	if (b.chunk == NULL || b.scratch == NULL || b.wbuf == NULL) {
		rc = trawl_err_set(err, -ENOMEM, "out of memory for %" PRIu64 " MiB of sort buffer", mem >> 20);
		goto out;
	}
	rc = read_csv(&b, csv, err);
	if (rc != 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	b.out_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b.out_fd < 0) {
		rc = trawl_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (b.nruns == 0) {
		/* It fitted: sorted in memory, written once. */
		uint64_t *sorted = radix_sort(b.chunk, b.scratch, b.n);

		b.n = unique(sorted, b.n);
		st->keys = b.n;
		st->runs = 1;
		rc = write_all(b.out_fd, sorted, b.n * sizeof(uint64_t));
	} else {
		rc = spill(&b);
		free(b.scratch); /* the merge needs neither */
		free(b.chunk);
		b.scratch = b.chunk = NULL;
		st->runs = b.nruns;
		if (rc == 0)
			rc = merge_runs(&b);
		if (rc == 0)
			rc = flush_out(&b);
	}
	if (rc == 0 && fdatasync(b.out_fd) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, out) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		trawl_err_set(err, rc, "%s: %s", out, strerror(-rc));
	}
out:
	for (unsigned int i = 0; i < b.nruns; i++)
		unlink(b.runs[i]);
	free(b.runs);
	if (b.out_fd >= 0)
		close(b.out_fd);
	free(b.chunk);
	free(b.scratch);
	free(b.wbuf);
	return rc;
}

/* --- diff -------------------------------------------------------------- */

/* Read the next key of @p r; an error is said in @p err, with @p path. @return as reader_next. */
static int
next_or_say(struct reader *r, const char *path, struct trawl_err *err)
{
	int rc = reader_next(r);

	if (rc < 0)
		trawl_err_set(err, rc, "%s: %s", path, rc == -EINVAL ? "damaged (not whole keys)" : strerror(-rc));
	return rc;
}

int
trawl_keys_diff(const char *before, const char *after, trawl_keys_emit emit, void *arg,
		struct trawl_keys_diff *d, struct trawl_err *err)
{
	struct reader a = { .fd = -1 }, b = { .fd = -1 };
	int ra, rb, rc;

	memset(d, 0, sizeof(*d));
	if ((rc = reader_open(&a, before)) != 0 || (rc = reader_open(&b, after)) != 0) {
		trawl_err_set(err, rc, "%s: %s", rc == -ENOMEM ? "diff" : a.fd < 0 && before != NULL ? before : after,
				strerror(-rc));
		goto out;
	}
	ra = next_or_say(&a, before, err);
	rb = next_or_say(&b, after, err);
	while (ra >= 0 && rb >= 0 && (ra > 0 || rb > 0)) {
		if (rb == 0 || (ra > 0 && a.head < b.head)) {
			d->before++;
			d->removed++;
			if ((rc = emit(arg, a.head, 0)) != 0)
				goto out;
			ra = next_or_say(&a, before, err);
		} else if (ra == 0 || b.head < a.head) {
			d->after++;
			d->added++;
			if ((rc = emit(arg, b.head, 1)) != 0)
				goto out;
			rb = next_or_say(&b, after, err);
		} else {
			d->before++;
			d->after++;
			ra = next_or_say(&a, before, err);
			rb = next_or_say(&b, after, err);
		}
	}
	rc = ra < 0 ? ra : rb < 0 ? rb : 0;
out:
	reader_close(&a);
	reader_close(&b);
	return rc;
}

int
trawl_keys_emit_csv(void *arg, uint64_t key, int added)
{
	struct trawl_keys_csv *o = arg;
	char buf[32];
	size_t n = trawl_key_format(key, buf);

	return fwrite(buf, 1, n, added ? o->added : o->removed) == n ? 0 : -EIO;
}

/*
 * Every line of @p csv in turn (the header first, flagged), without its
 * newline: cb(arg, line, len, header). A last line without a newline counts.
 */
static int
for_each_line(const char *csv, int (*cb)(void *arg, const char *line, size_t len, int header), void *arg,
		struct trawl_err *err)
{
	char *buf = malloc(READ_BUF + 1);
	size_t have = 0;
	int fd = open(csv, O_RDONLY | O_CLOEXEC), first = 1, rc = 0;

	if (buf == NULL || fd < 0) {
		rc = fd < 0 ? -errno : -ENOMEM;
		trawl_err_set(err, rc, "%s: %s", csv, strerror(-rc));
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, buf + have, READ_BUF - have);
		char *p = buf, *end, *nl;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = trawl_err_set(err, -errno, "%s: %s", csv, strerror(errno));
			goto out;
		}
		end = buf + have + got;
		if (got == 0 && have != 0)
			*end++ = '\n';
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if ((rc = cb(arg, p, (size_t)(nl - p), first)) != 0) {
				trawl_err_set(err, rc, "%s: %s", csv, strerror(-rc));
				goto out;
			}
			first = 0;
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (got == 0)
			break;
		if (have == READ_BUF) {
			rc = trawl_err_set(err, -EINVAL, "%s: a line of more than 4 MiB", csv);
			goto out;
		}
		memmove(buf, p, have);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

struct canaries {
	int col;          /* the classification column, -1: none */
	uint32_t *v;
	size_t n, cap;
};

/* The @p col-th comma-separated field of a line (no field holds a comma: outputs/csv.c). */
static int
field(const char *line, size_t len, int col, const char **f, size_t *flen)
{
	const char *p = line, *end = line + len;

	for (int i = 0; i < col; i++) {
		p = memchr(p, ',', (size_t)(end - p));
		if (p == NULL)
			return -1;
		p++;
	}
	*f = p;
	p = memchr(p, ',', (size_t)(end - p));
	*flen = (size_t)((p ? p : end) - *f);
	return 0;
}

static int
canary_line(void *arg, const char *line, size_t len, int header)
{
	struct canaries *c = arg;
	const char *f;
	size_t fl;
	uint64_t k;

	if (len != 0 && line[len - 1] == '\r')
		len--;
	if (header) {
		for (int i = 0; field(line, len, i, &f, &fl) == 0; i++)
			if (fl == 14 && memcmp(f, "classification", 14) == 0)
				c->col = i;
		return 0;
	}
	if (c->col < 0 || field(line, len, c->col, &f, &fl) != 0 || fl != 6 || memcmp(f, "canary", 6) != 0 ||
	    trawl_key_parse(line, len, &k) != 0)
		return 0;
	if (c->n == c->cap) {
		uint32_t *v = realloc(c->v, (c->cap * 2 + 1024) * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = c->cap * 2 + 1024;
	}
	c->v[c->n++] = (uint32_t)(k >> 16);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
trawl_keys_canaries(const char *csv, uint32_t **addrs, size_t *n, struct trawl_err *err)
{
	struct canaries c = { .col = -1 };
	size_t out = 0;
	int rc = for_each_line(csv, canary_line, &c, err);

	if (rc != 0) {
		free(c.v);
		return rc;
	}
	if (c.n != 0)
		qsort(c.v, c.n, sizeof(c.v[0]), cmp_u32);
	for (size_t i = 0; i < c.n; i++)
		if (out == 0 || c.v[out - 1] != c.v[i])
			c.v[out++] = c.v[i];
	*addrs = c.v;
	*n = out;
	return 0;
}

struct rows {
	const uint64_t *keys;
	size_t nkeys;
	FILE *out;
};

static int
row_line(void *arg, const char *line, size_t len, int header)
{
	struct rows *r = arg;
	uint64_t k;
	size_t lo = 0, hi = r->nkeys;

	if (!header) {
		if (trawl_key_parse(line, len, &k) != 0)
			return 0;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (r->keys[mid] < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == r->nkeys || r->keys[lo] != k)
			return 0;
	}
	return fwrite(line, 1, len, r->out) == len && fputc('\n', r->out) != EOF ? 0 : -EIO;
}

int
trawl_keys_rows(const char *csv, const char *keys, FILE *out, struct trawl_err *err)
{
	struct rows r = { .out = out };
	struct stat sb;
	void *map = NULL;
	int fd = open(keys, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size % 8 != 0) {
		rc = fd < 0 ? -errno : -EINVAL;
		if (fd >= 0)
			close(fd);
		return trawl_err_set(err, rc, "%s: %s", keys, strerror(-rc));
	}
	if (sb.st_size != 0) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			rc = -errno;
			close(fd);
			return trawl_err_set(err, rc, "%s: %s", keys, strerror(-rc));
		}
	}
	close(fd);
	r.keys = map;
	r.nkeys = (size_t)sb.st_size / 8;
	rc = for_each_line(csv, row_line, &r, err);
	if (map != NULL)
		munmap(map, (size_t)sb.st_size);
	return rc;
}
