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

#include <rte_common.h>

#include "app/respond/dataset.h"

#define BITMAP_BYTES (UINT64_C(1) << 29)

static void *
map_bitmap(void)
{
	void *p = mmap(NULL, BITMAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	/* Not MADV_HUGEPAGE: measured, it made a 61-million-host binary load 2.5 times slower. */
	return p == MAP_FAILED ? NULL : p;
}

int
trawl_dataset_init(struct trawl_dataset *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->live = map_bitmap();
	if (ds->live == NULL)
		return -ENOMEM;
	ds->wild = ds->live;
	ds->max_pairs = TRAWL_DATASET_MAX_PAIRS;
	return 0;
}

void
trawl_dataset_free(struct trawl_dataset *ds)
{
	if (ds->wild != NULL && ds->wild != ds->live)
		munmap(ds->wild, BITMAP_BYTES);
	if (ds->live != NULL)
		munmap(ds->live, BITMAP_BYTES);
	free(ds->pairs);
	free(ds->svc);
	free(ds->svc_bytes);
	free(ds->mbox);
	trawl_dataset6_free(&ds->six);
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

/*
 * Before the first host that is live but not wild: give wild its own
 * bitmap, a copy of live. Only non-zero words are written, so untouched
 * pages stay unmapped (reading them maps the shared zero page).
 */
static int
unshare_wild(struct trawl_dataset *ds)
{
	uint64_t *w;

	if (ds->wild != ds->live)
		return 0;
	w = map_bitmap();
	if (w == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < BITMAP_BYTES / 8; i++)
		if (ds->live[i] != 0)
			w[i] = ds->live[i];
	ds->wild = w;
	return 0;
}

static int
add_pair(struct trawl_dataset *ds, uint64_t key)
{
	if (ds->npairs >= ds->max_pairs)
		return -E2BIG;
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

/*
 * Bare addresses (the common line) are gathered, bucketed and then set
 * in address order: setting them as read costs a cache and TLB miss per
 * bit in two 512 MiB bitmaps (32 s for 61 million lines, measured with
 * perf), in order it is a sequential sweep.
 */
struct addr_buf {
	uint32_t *v;
	size_t n;
	size_t cap;
};

#define ADDR_BUF_MAX (UINT64_C(1) << 26) /* 64 Mi addresses (512 MiB with the sort's scratch) per flush */

/*
 * One counting-sort pass on the top 16 bits is enough: each bucket's bits
 * then lie in one 8 KiB stretch of the bitmap, which stays in cache.
 */
static void
bucket_by_top16(uint32_t *v, uint32_t *tmp, size_t n)
{
	static size_t count[65536];
	size_t sum = 0;

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++)
		count[v[i] >> 16]++;
	for (size_t b = 0; b < 65536; b++) {
		size_t c = count[b];

		count[b] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		tmp[count[v[i] >> 16]++] = v[i];
	memcpy(v, tmp, n * sizeof(*v));
}

static int
flush_addrs(struct trawl_dataset *ds, struct addr_buf *b)
{
	uint32_t *tmp;

	if (b->n == 0)
		return 0;
	tmp = malloc(b->n * sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	bucket_by_top16(b->v, tmp, b->n);
	free(tmp);
	for (size_t i = 0; i < b->n; i++) {
		uint32_t a = b->v[i];

		ds->live[a >> 6] |= UINT64_C(1) << (a & 63);
		ds->wild[a >> 6] |= UINT64_C(1) << (a & 63); /* the same word while shared */
	}
	b->n = 0;
	return 0;
}

static int
push_addr(struct trawl_dataset *ds, struct addr_buf *b, uint32_t a)
{
	if (b->n == b->cap) {
		size_t cap;
		uint32_t *v;

		if (b->cap >= ADDR_BUF_MAX)
			return flush_addrs(ds, b) != 0 ? -ENOMEM : push_addr(ds, b, a);
		cap = b->cap ? b->cap * 2 : 1 << 16;
		v = realloc(b->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = a;
	return 0;
}

/* Space, tab or CR (CRLF files): ASCII only, no locale table per byte. */
static inline int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse a decimal number of at most `max`; advances *p. */
static int
num(const char **p, const char *end, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	const char *s = *p;

	if (s == end || (unsigned char)(*s - '0') > 9)
		return -1;
	while (s < end && (unsigned char)(*s - '0') <= 9) {
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > max || s - *p >= 5)
			return -1;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

const char *const trawl_svc_names[TRAWL_SVC_MAX] = {
	[TRAWL_SVC_NONE] = "none",
	[TRAWL_SVC_HTTP] = "http",
	[TRAWL_SVC_TLS] = "tls",
	[TRAWL_SVC_SSH] = "ssh",
	[TRAWL_SVC_BANNER] = "banner",
	[TRAWL_SVC_FILE] = "file",
};

/* ADDR[/LEN][:PORT]: the block (host bits masked) and the port. */
static int
parse_addr(const char *s, const char *end, uint32_t *addr, uint32_t *len, uint32_t *port, int *has_port)
{
	uint32_t o[4];

	*len = 32;
	*port = 0;
	*has_port = 0;
	for (int i = 0; i < 4; i++) {
		if (num(&s, end, 255, &o[i]) != 0)
			return -EINVAL;
		if (i < 3 && (s == end || *s++ != '.'))
			return -EINVAL;
	}
	if (s < end && *s == '/') {
		s++;
		if (num(&s, end, 32, len) != 0)
			return -EINVAL;
	}
	if (s < end && *s == ':') {
		s++;
		if (num(&s, end, 65535, port) != 0)
			return -EINVAL;
		*has_port = 1;
	}
	if (s != end)
		return -EINVAL;
	*addr = o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
	return 0;
}

/*
 * One line, already stripped of comment and white space: ADDR[/LEN][:PORT].
 * A hand-written parser: 61 million lines must load in seconds, and
 * inet_pton plus strtoul per line cost twice as much (measured).
 */
static int
parse_line(struct trawl_dataset *ds, struct addr_buf *bare, const char *s, const char *end)
{
	uint32_t len, port, addr, mask;
	int has_port, rc = trawl_dataset6_line(&ds->six, s, end);

	if (rc != -ENOENT)
		return rc;
	if (parse_addr(s, end, &addr, &len, &port, &has_port) != 0)
		return -EINVAL;
	if (len == 32 && !has_port)
		return push_addr(ds, bare, addr);
	mask = len == 0 ? 0 : UINT32_MAX << (32 - len);
	addr &= mask;
	if (!has_port) {
		set_range(ds->live, addr, addr | ~mask);
		if (ds->wild != ds->live)
			set_range(ds->wild, addr, addr | ~mask);
		return 0;
	}
	/* Refused before a byte is spent: the block's pairs would pass the bound. */
	if ((uint64_t)(~mask) + 1 > ds->max_pairs - ds->npairs)
		return -E2BIG;
	if (unshare_wild(ds) != 0)
		return -ENOMEM;
	set_range(ds->live, addr, addr | ~mask);
	for (uint64_t a = addr; a <= (uint64_t)(addr | ~mask); a++)
		if ((rc = add_pair(ds, a << 16 | port)) != 0)
			return rc;
	return 0;
}

/* Append n bytes to the services' bytes; their offset in *off. */
static int
add_bytes(struct trawl_dataset *ds, const void *d, size_t n, uint32_t *off)
{
	uint8_t *v = realloc(ds->svc_bytes, ds->svc_bytes_len + n + 1);

	if (v == NULL)
		return -ENOMEM;
	ds->svc_bytes = v;
	memcpy(v + ds->svc_bytes_len, d, n);
	*off = (uint32_t)ds->svc_bytes_len;
	ds->svc_bytes_len += n;
	return 0;
}

/* The errors of a service line beyond a bad address (load_text words them). */
#define SVC_UNKNOWN (-ENOENT)
#define SVC_NEEDS_PORT (-EDESTADDRREQ)
#define SVC_FILE (-EIO)

/*
 * The service word [w, end) of a line: a middlebox (*mbox 1, *zerowin), or
 * a service into @p sv (kind; banner:/file: bytes appended to the
 * dataset's, their offset and length). Both families' lines read it here.
 */
static int
parse_word(struct trawl_dataset *ds, const char *w, const char *end, struct trawl_service *sv, int *mbox,
		int *zerowin)
{
	size_t wl = (size_t)(end - w);
	int rc;

	*mbox = (wl == 9 && memcmp(w, "middlebox", 9) == 0) || (wl == 17 && memcmp(w, "middlebox:zerowin", 17) == 0);
	*zerowin = wl == 17;
	if (*mbox)
		return 0;
	if (wl == 4 && memcmp(w, "http", 4) == 0)
		sv->kind = TRAWL_SVC_HTTP;
	else if (wl == 3 && memcmp(w, "tls", 3) == 0)
		sv->kind = TRAWL_SVC_TLS;
	else if (wl == 3 && memcmp(w, "ssh", 3) == 0)
		sv->kind = TRAWL_SVC_SSH;
	else if (wl > 7 && memcmp(w, "banner:", 7) == 0) {
		/* The text, and the CR LF a line-based protocol ends its greeting with. */
		char text[TRAWL_SVC_BYTES_MAX + 2];

		if (wl - 7 > TRAWL_SVC_BYTES_MAX)
			return SVC_FILE;
		memcpy(text, w + 7, wl - 7);
		memcpy(text + wl - 7, "\r\n", 2);
		sv->kind = TRAWL_SVC_BANNER;
		sv->len = (uint32_t)(wl - 7 + 2);
		if ((rc = add_bytes(ds, text, sv->len, &sv->off)) != 0)
			return rc;
	} else if (wl > 5 && memcmp(w, "file:", 5) == 0) {
		char path[4096];
		uint8_t buf[TRAWL_SVC_BYTES_MAX + 1];
		ssize_t n;
		int fd;

		if (wl - 5 >= sizeof(path))
			return SVC_FILE;
		memcpy(path, w + 5, wl - 5);
		path[wl - 5] = '\0';
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return SVC_FILE;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0 || n > TRAWL_SVC_BYTES_MAX)
			return SVC_FILE;
		sv->kind = TRAWL_SVC_FILE;
		sv->len = (uint32_t)n;
		if ((rc = add_bytes(ds, buf, (size_t)n, &sv->off)) != 0)
			return rc;
	} else {
		return SVC_UNKNOWN;
	}
	return 0;
}

/*
 * "ADDR[/LEN]:PORT SERVICE" or "CIDR middlebox[:zerowin]": the address
 * part is [s, a_end), the service word [w, end).
 */
static int
parse_service(struct trawl_dataset *ds, struct addr_buf *bare, const char *s, const char *a_end, const char *w,
		const char *end)
{
	uint32_t addr, len, port, mask;
	int has_port, rc, mbox, zerowin;
	struct trawl_service sv = { 0 };

	if (parse_addr(s, a_end, &addr, &len, &port, &has_port) != 0)
		return -EINVAL;
	mask = len == 0 ? 0 : UINT32_MAX << (32 - len);
	addr &= mask;
	if ((rc = parse_word(ds, w, end, &sv, &mbox, &zerowin)) != 0)
		return rc;
	if (mbox) {
		struct trawl_middlebox *v;

		if (has_port)
			return SVC_NEEDS_PORT;
		v = realloc(ds->mbox, (ds->nmbox + 1) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		ds->mbox = v;
		v[ds->nmbox++] = (struct trawl_middlebox){ addr, addr | ~mask, (uint8_t)zerowin };
		set_range(ds->live, addr, addr | ~mask);
		return 0;
	}
	if (!has_port)
		return SVC_NEEDS_PORT;
	rc = parse_line(ds, bare, s, a_end); /* the port is open, as without the service */
	if (rc != 0)
		return rc;
	{
		struct trawl_service *v = realloc(ds->svc, (ds->nsvc + 1) * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		ds->svc = v;
		sv.lo = addr;
		sv.hi = addr | ~mask;
		sv.port = (uint16_t)port;
		v[ds->nsvc++] = sv;
	}
	return 0;
}

/* The same for an IPv6 line: "[ADDR]:PORT SERVICE", "ADDR middlebox" or "PREFIX/LEN middlebox[:zerowin]". */
static int
parse_service6(struct trawl_dataset *ds, const char *s, const char *a_end, const char *w, const char *end)
{
	struct trawl_service sv = { 0 };
	struct trawl_svc6 sv6;
	int rc, mbox, zerowin;

	if ((rc = parse_word(ds, w, end, &sv, &mbox, &zerowin)) != 0)
		return rc;
	sv6 = (struct trawl_svc6){ .kind = sv.kind, .off = sv.off, .len = sv.len };
	rc = trawl_dataset6_service_line(&ds->six, s, a_end, mbox, zerowin, &sv6);
	return rc == -EDESTADDRREQ ? SVC_NEEDS_PORT : rc == -ENOENT ? -EINVAL : rc;
}

const struct trawl_service *
trawl_dataset_service(const struct trawl_dataset *ds, uint32_t addr, uint16_t port)
{
	uint64_t key = (uint64_t)port << 32 | addr;
	size_t lo = 0, hi = ds->nsvc;

	/* the last entry with (port, lo) <= (port, addr) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (((uint64_t)ds->svc[mid].port << 32 | ds->svc[mid].lo) <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	lo--;
	return ds->svc[lo].port == port && ds->svc[lo].hi >= addr ? &ds->svc[lo] : NULL;
}

/*
 * The common line, "a.b.c.d\n", parsed while it is scanned. Returns 1 and
 * the address, with *next past the newline; 0 for anything else (spaces,
 * comments, CIDR, port, errors), which the general path then handles.
 */
static inline int
fast_addr(const char *p, const char *end, uint32_t *addr, const char **next)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		uint32_t v = 0;
		int nd = 0;

		while (p < end && nd < 3 && (unsigned char)(*p - '0') <= 9) {
			v = v * 10 + (uint32_t)(*p - '0');
			p++;
			nd++;
		}
		if (nd == 0 || v > 255)
			return 0;
		if (i < 3) {
			if (p >= end || *p != '.')
				return 0;
			p++;
		}
		a = a << 8 | v;
	}
	if (p < end && *p != '\n')
		return 0;
	*addr = a;
	*next = p < end ? p + 1 : end;
	return 1;
}

static int
load_text(struct trawl_dataset *ds, const char *path, const char *buf, size_t size, struct trawl_err *err)
{
	const char *p = buf, *end = buf + size;
	struct addr_buf bare = { 0 };
	unsigned long lineno = 0;
	int rc = 0;

	/* At most one address per 8 bytes ("1.2.3.4\n"): one allocation, no copies while growing. */
	bare.cap = RTE_MIN(size / 8 + 1, (size_t)ADDR_BUF_MAX);
	bare.v = malloc(bare.cap * sizeof(*bare.v));
	if (bare.v == NULL)
		bare.cap = 0;

	while (p < end) {
		const char *le = p, *s = p, *e;
		uint32_t fast;

		if (fast_addr(p, end, &fast, &le)) {
			lineno++;
			if (push_addr(ds, &bare, fast) != 0) {
				rc = trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
				break;
			}
			p = le;
			continue;
		}

		/* One pass over the line: its end and where a comment starts. */
		while (le < end && *le != '\n' && *le != '#')
			le++;
		e = le;
		if (le < end && *le == '#')
			while (le < end && *le != '\n')
				le++;
		lineno++;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (s < e) {
			const char *sp = s;

			while (sp < e && !is_blank(*sp))
				sp++;
			if (sp < e) {
				const char *w = sp;

				while (w < e && is_blank(*w))
					w++;
				/* IPv6: a bracket, or two colons (IPv4's ADDR:PORT has one) */
				if (*s == '[' || memchr(s, ':', (size_t)(sp - s)) != memrchr(s, ':', (size_t)(sp - s)))
					rc = parse_service6(ds, s, sp, w, e);
				else
					rc = parse_service(ds, &bare, s, sp, w, e);
			} else {
				rc = parse_line(ds, &bare, s, e);
			}
			if (rc == -ENOMEM) {
				rc = trawl_err_set(err, rc, "%s: out of memory", path);
				break;
			}
			if (rc == -E2BIG) {
				rc = trawl_err_set(err, -EINVAL, "%s:%lu:%ld: more than %zu (address, port) pairs listed (for a "
						"whole range open on a port: the CIDR alone, with --ports)", path, lineno,
						(long)(s - p) + 1, ds->max_pairs);
				break;
			}
			if (rc == SVC_UNKNOWN || rc == SVC_NEEDS_PORT || rc == SVC_FILE) {
				rc = trawl_err_set(err, -EINVAL, "%s:%lu:%ld: %s: '%.*s'", path, lineno, (long)(s - p) + 1,
						rc == SVC_UNKNOWN ? "unknown service (http, tls, ssh, banner:TEXT, file:PATH, "
						"middlebox, middlebox:zerowin)" : rc == SVC_NEEDS_PORT ?
						"a service needs ADDR:PORT, CIDR:PORT or [IPV6ADDR]:PORT, a middlebox an address or "
						"prefix without port" :
						"banner:/file: unreadable, empty or longer than 1400 bytes",
						(int)(e - s > 64 ? 64 : e - s), s);
				break;
			}
			if (rc != 0) {
				rc = trawl_err_set(err, -EINVAL, "%s:%lu:%ld: not ADDR, CIDR, ADDR:PORT, CIDR:PORT, IPV6ADDR, IPV6PREFIX/LEN or [IPV6ADDR]:PORT: '%.*s'",
						path, lineno, (long)(s - p) + 1, (int)(e - s > 64 ? 64 : e - s), s);
				break;
			}
		}
		p = le + 1;
	}
	if (rc == 0 && flush_addrs(ds, &bare) != 0)
		rc = trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
	free(bare.v);
	return rc;
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
	if (nr > (size - 24) / 8 || np > (size - 24 - nr * 8) / 8)
		return trawl_err_set(err, -EINVAL, "%s: binary dataset sizes do not match the file", path);
	/* IPv4's part, then IPv6's section if there is one. */
	if (24 + nr * 8 + np * 8 != size) {
		size_t v4 = 24 + nr * 8 + np * 8;
		int rc = trawl_dataset6_read(&ds->six, buf + v4, size - v4);

		if (rc == -ENOMEM)
			return trawl_err_set(err, rc, "%s: out of memory", path);
		if (rc != 0)
			return trawl_err_set(err, -EINVAL, "%s: binary dataset sizes do not match the file", path);
	}
	for (uint64_t i = 0; i < nr; i++, p += 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		if (hi < lo)
			return trawl_err_set(err, -EINVAL, "%s: bad range %" PRIu64, path, i);
		set_range(ds->live, lo, hi);
		if (ds->wild != ds->live)
			set_range(ds->wild, lo, hi);
	}
	if (np != 0) {
		if (unshare_wild(ds) != 0)
			return trawl_err_set(err, -ENOMEM, "%s: out of memory", path);
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
	rc = trawl_dataset_parse(ds, path, buf, (size_t)st.st_size, err);
	munmap(buf, (size_t)st.st_size);
	return rc;
}

int
trawl_dataset_parse(struct trawl_dataset *ds, const char *name, const void *data, size_t len, struct trawl_err *err)
{
	if (len >= 8 && memcmp(data, TRAWL_DATASET_MAGIC, 8) == 0)
		return load_binary(ds, name, data, len, err);
	return load_text(ds, name, data, len, err);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_svc(const void *a, const void *b)
{
	const struct trawl_service *x = a, *y = b;
	uint64_t kx = (uint64_t)x->port << 32 | x->lo, ky = (uint64_t)y->port << 32 | y->lo;

	return (kx > ky) - (kx < ky);
}

static int
cmp_mbox(const void *a, const void *b)
{
	const struct trawl_middlebox *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

void
trawl_dataset_seal(struct trawl_dataset *ds)
{
	size_t out = 0;

	trawl_dataset6_seal(&ds->six);
	if (ds->nsvc != 0)
		qsort(ds->svc, ds->nsvc, sizeof(ds->svc[0]), cmp_svc);
	if (ds->nmbox != 0)
		qsort(ds->mbox, ds->nmbox, sizeof(ds->mbox[0]), cmp_mbox);

	if (ds->npairs == 0)
		return; /* no pairs (a dataset of bare addresses): pairs may be NULL, which qsort must not be given */
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
	FILE *f;
	uint64_t nr = 0, zero = 0;
	long at;
	int rc = 0;

	if (ds->nsvc != 0 || ds->nmbox != 0 || ds->six.nsvc != 0 || ds->six.nmbox != 0)
		return trawl_err_set(err, -EINVAL, "%s: service and middlebox lines are kept in the text form only "
				"(--compile takes addresses and ports)", path);
	f = fopen(path, "wb");
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
	if (!trawl_dataset6_empty(&ds->six) && trawl_dataset6_write(&ds->six, f) != 0)
		rc = -EIO;
	at = 8;
	if (fseek(f, at, SEEK_SET) != 0 || fwrite(&nr, 8, 1, f) != 1)
		rc = -EIO;
	if (fclose(f) != 0 || rc != 0)
		return trawl_err_set(err, -EIO, "%s: write failed", path);
	return 0;
}
