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
#include "app/core/ipv6.h"
#include "app/campaign/keys.h"

#define READ_BUF (4u << 20)
#define RUN_BUF_KEYS 32768u   /* keys per buffer while merging: 256 KiB of IPv4 keys, 768 KiB of IPv6 */
#define MIN_CHUNK 4096u

size_t
trawl_key_format(int fam, const uint64_t *key, char *buf)
{
	char *p;

	if (fam == TRAWL_KEY6) {
		struct trawl_ip6 a = { key[0], key[1] };

		p = trawl_put_ipv6(buf, &a);
		*p++ = ',';
		p = trawl_put_u64(p, key[2]);
	} else {
		p = trawl_put_ipv4(buf, (uint32_t)(key[0] >> 16));
		*p++ = ',';
		p = trawl_put_u64(p, key[0] & 0xffff);
	}
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* "a.b.c.d" at the start of [s, end): @return 0 and the address with *s past it, or -1. */
static int
parse_ipv4(const char **sp, const char *end, uint32_t *addr)
{
	const char *s = *sp;
	uint32_t a = 0;
	int digits;

	for (int i = 0; i < 4; i++) {
		uint32_t o = 0;

		for (digits = 0; s < end && *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			o = o * 10 + (uint32_t)(*s - '0');
		if (digits == 0 || digits > 3 || o > 255)
			return -1;
		a = a << 8 | o;
		if (i < 3) {
			if (s == end || *s != '.')
				return -1;
			s++;
		}
	}
	*sp = s;
	*addr = a;
	return 0;
}

int
trawl_key_parse(const char *s, size_t len, int *fam, uint64_t key[TRAWL_KEY_WORDS_MAX])
{
	const char *end = s + len, *comma = memchr(s, ',', len);
	uint32_t addr = 0, port = 0;
	struct trawl_ip6 a6;
	int digits, six;

	if (comma == NULL)
		return -1;
	/* A colon before the comma: IPv6 (its text has no comma, and IPv4's no colon). */
	six = memchr(s, ':', (size_t)(comma - s)) != NULL;
	if (six) {
		char text[TRAWL_IPV6_STRLEN];

		if ((size_t)(comma - s) >= sizeof(text))
			return -1;
		memcpy(text, s, (size_t)(comma - s));
		text[comma - s] = '\0';
		/* only the address itself: no prefix length, scope or brackets */
		if (strpbrk(text, "/%[]") != NULL || trawl_parse_ipv6(text, &a6) != 0)
			return -1;
		s = comma;
	} else if (parse_ipv4(&s, end, &addr) != 0 || s != comma) {
		return -1;
	}
	s++;
	for (digits = 0; s < end && *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
		port = port * 10 + (uint32_t)(*s - '0');
	if (digits == 0 || digits > 5 || port > 65535 || (s != end && *s != ',' && *s != '\n' && *s != '\r'))
		return -1;
	if (six) {
		*fam = TRAWL_KEY6;
		trawl_key6(key, a6.hi, a6.lo, (uint16_t)port);
	} else {
		*fam = TRAWL_KEY4;
		key[0] = trawl_key(addr, (uint16_t)port);
	}
	return 0;
}

/* -1, 0, 1 as key a of @p kw words is before, equal to or after key b. */
static inline __attribute__((always_inline)) int
key_cmp(const uint64_t *a, const uint64_t *b, unsigned int kw)
{
	for (unsigned int i = 0; i < kw; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/*
 * The 16-bit digits of a key, least significant first: (word, shift). The
 * port word of an IPv6 key has one digit; each address word four; IPv4's
 * 48 bits three.
 */
struct digit {
	uint8_t word, shift;
};
static const struct digit digits4[] = { { 0, 0 }, { 0, 16 }, { 0, 32 } };
static const struct digit digits6[] = { { 2, 0 }, { 1, 0 }, { 1, 16 }, { 1, 32 }, { 1, 48 },
	{ 0, 0 }, { 0, 16 }, { 0, 32 }, { 0, 48 } };
#define MAX_DIGITS 9

/*
 * LSD radix sort of n keys of kw words, 16 bits a pass, between a and its
 * scratch b (as large); a pass whose digit every key shares is skipped.
 * Inlined per width, so IPv4's one-word keys move as words.
 * @return where the sorted keys are.
 */
static inline __attribute__((always_inline)) uint64_t *
radix_sort_w(uint64_t *a, uint64_t *b, size_t n, unsigned int kw, const struct digit *dig, unsigned int nd)
{
	static uint32_t count[MAX_DIGITS][65536];
	uint64_t *src = a, *dst = b, *t;

	memset(count, 0, nd * sizeof(count[0]));
	for (size_t i = 0; i < n; i++)
		for (unsigned int p = 0; p < nd; p++)
			count[p][(a[i * kw + dig[p].word] >> dig[p].shift) & 0xffff]++;
	for (unsigned int p = 0; p < nd; p++) {
		uint32_t sum = 0, w = dig[p].word, sh = dig[p].shift;

		if (n != 0 && count[p][(a[w] >> sh) & 0xffff] == n)
			continue; /* one digit throughout: the order stands */
		for (uint32_t v = 0; v < 65536; v++) {
			uint32_t c = count[p][v];

			count[p][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t *d = &dst[(size_t)count[p][(src[i * kw + w] >> sh) & 0xffff]++ * kw];

			for (unsigned int j = 0; j < kw; j++)
				d[j] = src[i * kw + j];
		}
		t = src;
		src = dst;
		dst = t;
	}
	return src;
}

static uint64_t *
radix_sort(int fam, uint64_t *a, uint64_t *b, size_t n)
{
	if (fam == TRAWL_KEY6)
		return radix_sort_w(a, b, n, 3, digits6, 9);
	return radix_sort_w(a, b, n, 1, digits4, 3);
}

/* The keys made unique in place (sorted): @return how many are left. */
static size_t
unique(uint64_t *a, size_t n, unsigned int kw)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (k == 0 || key_cmp(&a[(k - 1) * kw], &a[i * kw], kw) != 0) {
			memmove(&a[k * kw], &a[i * kw], kw * sizeof(uint64_t));
			k++;
		}
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

/* Is the key's address (its port taken as 0) one of the sorted keys @p v? */
static int
addr_in(const uint64_t *v, size_t n, const uint64_t *key, unsigned int kw)
{
	uint64_t k[TRAWL_KEY_WORDS_MAX];
	size_t lo = 0, hi = n;

	memcpy(k, key, kw * sizeof(uint64_t));
	if (kw == 1)
		k[0] &= ~(uint64_t)0xffff;
	else
		k[kw - 1] = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (key_cmp(&v[mid * kw], k, kw) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && key_cmp(&v[lo * kw], k, kw) == 0;
}

/* --- reading sorted key files, buffered -------------------------------- */

struct reader {
	int fd;
	unsigned int kw;
	uint64_t *buf;
	size_t pos, n;
	int eof;
	uint64_t head[TRAWL_KEY_WORDS_MAX];
};

/* @return 1 with r->head set, 0 at the end, -errno. */
static int
reader_next(struct reader *r)
{
	size_t kb = r->kw * sizeof(uint64_t);

	if (r->pos == r->n) {
		ssize_t got;

		if (r->eof)
			return 0;
		got = read(r->fd, r->buf, RUN_BUF_KEYS * kb);
		if (got < 0)
			return -errno;
		if ((size_t)got % kb != 0)
			return -EINVAL; /* a torn key file */
		r->n = (size_t)got / kb;
		r->pos = 0;
		if (r->n == 0) {
			r->eof = 1;
			return 0;
		}
	}
	memcpy(r->head, &r->buf[r->pos++ * r->kw], kb);
	return 1;
}

/* A reader of keys of @p kw words from @p path (NULL: none). */
static int
reader_open(struct reader *r, const char *path, unsigned int kw)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->kw = kw;
	r->buf = malloc(RUN_BUF_KEYS * kw * sizeof(uint64_t));
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

/* --- build ------------------------------------------------------------- */

/* One family's keys on their way into its file. */
struct builder {
	int fam;
	unsigned int kw;
	const char *out;
	int out_fd;
	uint64_t mem;
	uint64_t *chunk, *scratch;  /* allocated at the family's first key */
	size_t cap, n;              /* in keys */
	uint64_t *wbuf;             /* merge output buffer */
	size_t wn;
	char (*runs)[PATH_MAX];
	unsigned int nruns, runs_cap;
	uint64_t keys;
};

static int
flush_out(struct builder *b)
{
	int rc = write_all(b->out_fd, b->wbuf, b->wn * b->kw * sizeof(uint64_t));

	b->wn = 0;
	return rc;
}

static int
put_key(struct builder *b, const uint64_t *k)
{
	memcpy(&b->wbuf[b->wn++ * b->kw], k, b->kw * sizeof(uint64_t));
	b->keys++;
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
	sorted = radix_sort(b->fam, b->chunk, b->scratch, b->n);
	b->n = unique(sorted, b->n, b->kw);
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
	rc = write_all(fd, sorted, b->n * b->kw * sizeof(uint64_t));
	close(fd);
	b->n = 0;
	return rc;
}

static int
add_key(struct builder *b, const uint64_t *k)
{
	if (b->chunk == NULL) {
		b->cap = (size_t)(b->mem / (16 * b->kw));
		if (b->cap < MIN_CHUNK)
			b->cap = MIN_CHUNK;
		b->chunk = malloc(b->cap * b->kw * sizeof(uint64_t));
		b->scratch = malloc(b->cap * b->kw * sizeof(uint64_t));
		if (b->chunk == NULL || b->scratch == NULL)
			return -ENOMEM;
	}
	if (b->n == b->cap) {
		int rc = spill(b);

		if (rc != 0)
			return rc;
	}
	memcpy(&b->chunk[b->n++ * b->kw], k, b->kw * sizeof(uint64_t));
	return 0;
}

/* The runs merged (a binary heap of their heads), repeats dropped. */
static int
merge_runs(struct builder *b)
{
	struct reader *r = calloc(b->nruns, sizeof(*r));
	unsigned int *heap = calloc(b->nruns, sizeof(*heap)), hn = 0, kw = b->kw;
	uint64_t last[TRAWL_KEY_WORDS_MAX];
	int rc = 0, have_last = 0;

#define HEAD_LT(x, y) (key_cmp(r[heap[x]].head, r[heap[y]].head, kw) < 0)
	if (r == NULL || heap == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < b->nruns; i++)
		r[i].fd = -1;
	for (unsigned int i = 0; i < b->nruns && rc == 0; i++) {
		rc = reader_open(&r[i], b->runs[i], kw);
		if (rc == 0)
			rc = reader_next(&r[i]);
		if (rc == 1) {
			unsigned int c = hn++;

			rc = 0;
			heap[c] = i;
			while (c > 0 && HEAD_LT(c, (c - 1) / 2)) {
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

		if (!have_last || key_cmp(top->head, last, kw) != 0) {
			memcpy(last, top->head, kw * sizeof(uint64_t));
			have_last = 1;
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

			if (l < hn && HEAD_LT(l, m))
				m = l;
			if (l + 1 < hn && HEAD_LT(l + 1, m))
				m = l + 1;
			if (m == c)
				break;
			unsigned int t = heap[c];

			heap[c] = heap[m];
			heap[m] = t;
			c = m;
		}
	}
#undef HEAD_LT
out:
	for (unsigned int i = 0; r != NULL && i < b->nruns; i++)
		reader_close(&r[i]);
	free(r);
	free(heap);
	return rc;
}

/* The family's keys into b->out (by way of b->out.tmp, synced and renamed). @return 0 or -errno. */
static int
finish(struct builder *b, struct trawl_keys_stats *st)
{
	char tmp[PATH_MAX];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", b->out);
	b->out_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b->out_fd < 0)
		return -errno;
	b->wbuf = malloc(RUN_BUF_KEYS * b->kw * sizeof(uint64_t));
	if (b->wbuf == NULL) {
		rc = -ENOMEM;
	} else if (b->nruns == 0) {
		/* It fitted: sorted in memory, written once. */
		uint64_t *sorted = radix_sort(b->fam, b->chunk, b->scratch, b->n);

		b->n = unique(sorted, b->n, b->kw);
		b->keys = b->n;
		st->runs++;
		rc = write_all(b->out_fd, sorted, b->n * b->kw * sizeof(uint64_t));
	} else {
		rc = spill(b);
		free(b->scratch); /* the merge needs neither */
		free(b->chunk);
		b->scratch = b->chunk = NULL;
		st->runs += b->nruns;
		if (rc == 0)
			rc = merge_runs(b);
		if (rc == 0)
			rc = flush_out(b);
	}
	if (rc == 0 && fdatasync(b->out_fd) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, b->out) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static void
builder_free(struct builder *b)
{
	for (unsigned int i = 0; i < b->nruns; i++)
		unlink(b->runs[i]);
	free(b->runs);
	if (b->out_fd >= 0)
		close(b->out_fd);
	free(b->chunk);
	free(b->scratch);
	free(b->wbuf);
}

struct build_ctx {
	struct builder b[TRAWL_KEY_FAMILIES];
	const struct trawl_keys_skip *skip;
	struct trawl_keys_stats *st;
	const char *failed_out;     /* the file an error belongs to */
};

static int
build_line(void *arg, const char *line, size_t len, int first)
{
	struct build_ctx *x = arg;
	uint64_t k[TRAWL_KEY_WORDS_MAX];
	int fam, rc;

	if ((first && len >= 5 && memcmp(line, "saddr", 5) == 0) || len == 0)
		return 0; /* the header row, an empty line */
	x->st->rows++;
	if (trawl_key_parse(line, len, &fam, k) != 0) {
		x->st->bad++;
		return 0;
	}
	if (x->skip != NULL && x->skip->n[fam] != 0 && addr_in(x->skip->k[fam], x->skip->n[fam], k, x->b[fam].kw)) {
		x->st->skipped++;
		return 0;
	}
	rc = add_key(&x->b[fam], k);
	if (rc != 0)
		x->failed_out = x->b[fam].out;
	return rc;
}

int
trawl_keys_build(const char *csv, const char *const out[TRAWL_KEY_FAMILIES], uint64_t mem,
		const struct trawl_keys_skip *skip, struct trawl_keys_stats *st, struct trawl_err *err)
{
	struct build_ctx x = { .skip = skip, .st = st };
	const char *at;
	int rc;

	memset(st, 0, sizeof(*st));
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++)
		x.b[f] = (struct builder){ .fam = f, .kw = trawl_key_words(f), .out = out[f], .out_fd = -1,
			.mem = mem };
	rc = for_each_line(csv, build_line, &x, err);
	if (rc == -ENOMEM && x.failed_out != NULL)
		trawl_err_set(err, rc, "out of memory for %" PRIu64 " MiB of sort buffer", mem >> 20);
	else if (rc != 0 && x.failed_out != NULL)
		trawl_err_set(err, rc, "%s: %s", x.failed_out, strerror(-rc));
	if (rc != 0)
		goto out;
	/* IPv6 first, IPv4 last: the IPv4 file there means both are. */
	at = out[TRAWL_KEY6];
	if (x.b[TRAWL_KEY6].chunk == NULL) {
		if (unlink(at) != 0 && errno != ENOENT)
			rc = -errno;
	} else {
		rc = finish(&x.b[TRAWL_KEY6], st);
	}
	if (rc == 0) {
		at = out[TRAWL_KEY4];
		rc = finish(&x.b[TRAWL_KEY4], st);
	}
	if (rc != 0)
		trawl_err_set(err, rc, "%s: %s", at, strerror(-rc));
	st->keys6 = x.b[TRAWL_KEY6].keys;
	st->keys = x.b[TRAWL_KEY4].keys + st->keys6;
out:
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++)
		builder_free(&x.b[f]);
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
trawl_keys_diff(int fam, const char *before, const char *after, trawl_keys_emit emit, void *arg,
		struct trawl_keys_diff *d, struct trawl_err *err)
{
	struct reader a = { .fd = -1 }, b = { .fd = -1 };
	unsigned int kw = trawl_key_words(fam);
	int ra, rb, rc;

	if ((rc = reader_open(&a, before, kw)) != 0 || (rc = reader_open(&b, after, kw)) != 0) {
		trawl_err_set(err, rc, "%s: %s", rc == -ENOMEM ? "diff" : a.fd < 0 && before != NULL ? before : after,
				strerror(-rc));
		goto out;
	}
	ra = next_or_say(&a, before, err);
	rb = next_or_say(&b, after, err);
	while (ra >= 0 && rb >= 0 && (ra > 0 || rb > 0)) {
		int c = ra == 0 ? 1 : rb == 0 ? -1 : key_cmp(a.head, b.head, kw);

		if (c < 0) {
			d->before++;
			d->removed++;
			if ((rc = emit(arg, fam, a.head, 0)) != 0)
				goto out;
			ra = next_or_say(&a, before, err);
		} else if (c > 0) {
			d->after++;
			d->added++;
			if ((rc = emit(arg, fam, b.head, 1)) != 0)
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
trawl_keys_emit_csv(void *arg, int fam, const uint64_t *key, int added)
{
	struct trawl_keys_csv *o = arg;
	char buf[TRAWL_KEY_TEXT_MAX];
	size_t n = trawl_key_format(fam, key, buf);

	return fwrite(buf, 1, n, added ? o->added : o->removed) == n ? 0 : -EIO;
}

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

struct canaries {
	int col;          /* the classification column, -1: none */
	uint64_t *v[TRAWL_KEY_FAMILIES];
	size_t n[TRAWL_KEY_FAMILIES], cap[TRAWL_KEY_FAMILIES];
};

static int
canary_line(void *arg, const char *line, size_t len, int header)
{
	struct canaries *c = arg;
	uint64_t k[TRAWL_KEY_WORDS_MAX];
	const char *f;
	size_t fl;
	unsigned int kw;
	int fam;

	if (len != 0 && line[len - 1] == '\r')
		len--;
	if (header) {
		for (int i = 0; field(line, len, i, &f, &fl) == 0; i++)
			if (fl == 14 && memcmp(f, "classification", 14) == 0)
				c->col = i;
		return 0;
	}
	if (c->col < 0 || field(line, len, c->col, &f, &fl) != 0 || fl != 6 || memcmp(f, "canary", 6) != 0 ||
	    trawl_key_parse(line, len, &fam, k) != 0)
		return 0;
	kw = trawl_key_words(fam);
	if (c->n[fam] == c->cap[fam]) {
		uint64_t *v = realloc(c->v[fam], (c->cap[fam] * 2 + 1024) * kw * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v[fam] = v;
		c->cap[fam] = c->cap[fam] * 2 + 1024;
	}
	/* the address's key of port 0 */
	if (fam == TRAWL_KEY6)
		k[2] = 0;
	else
		k[0] &= ~(uint64_t)0xffff;
	memcpy(&c->v[fam][c->n[fam]++ * kw], k, kw * sizeof(uint64_t));
	return 0;
}

static int
cmp_key4(const void *a, const void *b)
{
	return key_cmp(a, b, 1);
}

static int
cmp_key6(const void *a, const void *b)
{
	return key_cmp(a, b, 3);
}

int
trawl_keys_canaries(const char *csv, struct trawl_keys_skip *s, struct trawl_err *err)
{
	struct canaries c = { .col = -1 };
	int rc = for_each_line(csv, canary_line, &c, err);

	memset(s, 0, sizeof(*s));
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		unsigned int kw = trawl_key_words(f);

		if (rc != 0) {
			free(c.v[f]);
			continue;
		}
		if (c.n[f] != 0)
			qsort(c.v[f], c.n[f], kw * sizeof(uint64_t), f == TRAWL_KEY6 ? cmp_key6 : cmp_key4);
		s->k[f] = c.v[f];
		s->n[f] = unique(c.v[f], c.n[f], kw);
	}
	return rc;
}

struct rows {
	const uint64_t *keys[TRAWL_KEY_FAMILIES];
	size_t nkeys[TRAWL_KEY_FAMILIES], maplen[TRAWL_KEY_FAMILIES];
	FILE *out;
};

static int
row_line(void *arg, const char *line, size_t len, int header)
{
	struct rows *r = arg;
	uint64_t k[TRAWL_KEY_WORDS_MAX];
	unsigned int kw;
	size_t lo = 0, hi;
	int fam;

	if (!header) {
		if (trawl_key_parse(line, len, &fam, k) != 0)
			return 0;
		kw = trawl_key_words(fam);
		hi = r->nkeys[fam];
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (key_cmp(&r->keys[fam][mid * kw], k, kw) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == r->nkeys[fam] || key_cmp(&r->keys[fam][lo * kw], k, kw) != 0)
			return 0;
	}
	return fwrite(line, 1, len, r->out) == len && fputc('\n', r->out) != EOF ? 0 : -EIO;
}

/* A family's key file mapped into @p r (absent: no keys). @return 0 or -errno with @p err. */
static int
map_keys(struct rows *r, int fam, const char *path, struct trawl_err *err)
{
	size_t kb = trawl_key_words(fam) * sizeof(uint64_t);
	struct stat sb;
	void *map;
	int fd, rc;

	if (path == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && fam != TRAWL_KEY4)
		return 0;
	if (fd < 0 || fstat(fd, &sb) != 0 || (size_t)sb.st_size % kb != 0) {
		rc = fd < 0 ? -errno : -EINVAL;
		if (fd >= 0)
			close(fd);
		return trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
	}
	if (sb.st_size != 0) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			rc = -errno;
			close(fd);
			return trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
		}
		r->keys[fam] = map;
		r->maplen[fam] = (size_t)sb.st_size;
		r->nkeys[fam] = (size_t)sb.st_size / kb;
	}
	close(fd);
	return 0;
}

int
trawl_keys_rows(const char *csv, const char *const keys[TRAWL_KEY_FAMILIES], FILE *out, struct trawl_err *err)
{
	struct rows r = { .out = out };
	int rc = 0;

	for (int f = 0; f < TRAWL_KEY_FAMILIES && rc == 0; f++)
		rc = map_keys(&r, f, keys[f], err);
	if (rc == 0)
		rc = for_each_line(csv, row_line, &r, err);
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++)
		if (r.keys[f] != NULL)
			munmap((void *)r.keys[f], r.maplen[f]);
	return rc;
}
