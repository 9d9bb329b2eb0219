/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/space6.h"

int
trawl_space6_in_block(const struct trawl_space6 *s, struct trawl_ip6 a)
{
	return trawl_ip6_ranges_contain(s->blk_lo, s->blk_hi, s->nblk, a);
}

/* The blocklist's prefixes as sorted disjoint intervals. */
static int
build_block(struct trawl_space6 *s, const struct trawl_ranges *block)
{
	if (block == NULL || block->n6 == 0)
		return 0;
	return trawl_ip6_ranges_build(block->v6, block->n6, &s->blk_lo, &s->blk_hi, &s->nblk);
}

/* Do the /A prefixes of two windows share an address? (One then holds the other.) */
static int
windows_overlap(const struct trawl_window6 *x, const struct trawl_window6 *y)
{
	unsigned int len = x->a < y->a ? x->a : y->a;

	return trawl_ip6_eq(trawl_ip6_mask(x->prefix, len), trawl_ip6_mask(y->prefix, len));
}

/* 0: no blocked address in window w; 1: some; 2: all. */
static int
window_blocked(const struct trawl_space6 *s, const struct trawl_window6 *w)
{
	struct trawl_ip6 first = w->prefix, last = trawl_ip6_last(w->prefix, w->a);
	size_t lo = trawl_ip6_ranges_find(s->blk_hi, s->nblk, first);

	if (lo == s->nblk || trawl_ip6_lt(last, s->blk_lo[lo]))
		return 0;
	return !trawl_ip6_lt(first, s->blk_lo[lo]) && !trawl_ip6_lt(s->blk_hi[lo], last) ? 2 : 1;
}

/*
 * Group the list by its hash's top dir_bits: a counting sort into a second
 * array (one streaming read and one write an address; the in-place swap
 * loop it replaced, each swap two cache misses, took 28 s for 47.5 M
 * addresses on a busy VM, this one 9-12 s: bench/listbench), and where each
 * group starts. The second array is the list for a moment: twice its
 * memory at the peak.
 */
static int
group(struct trawl_space6 *s)
{
	uint64_t n = s->nlist, ng;
	unsigned int bits = 0;
	struct trawl_ip6 *out;
	uint32_t *next;

	/*
	 * About one address a group (0.7-1.4). Tried: 2-4 a group (a directory
	 * a quarter the size) measured 277 cycles a reply against this 192 on a
	 * 4 M list (bench/rxbench tcp_synscan6), but this VM drifted by as much
	 * within the hour: not a settled choice, just the faster one seen.
	 */
	while (bits < 40 && (UINT64_C(1) << bits) < n)
		bits++;
	ng = UINT64_C(1) << bits;
	s->dir_bits = bits;
	s->dir = calloc(ng + 1, sizeof(*s->dir));
	next = malloc(ng * sizeof(*next));
	out = malloc(n * sizeof(*out));
	if (s->dir == NULL || next == NULL || out == NULL) {
		free(next);
		free(out);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++)
		s->dir[trawl_space6_group(s, s->list[i]) + 1]++;
	for (uint64_t g = 0; g < ng; g++) {
		s->dir[g + 1] += s->dir[g];
		next[g] = s->dir[g];
	}
	for (uint64_t i = 0; i < n; i++)
		out[next[trawl_space6_group(s, s->list[i])]++] = s->list[i];
	free(next);
	free(s->list);
	s->list = out;
	return 0;
}

int
trawl_space6_build(struct trawl_space6 *s, struct trawl_ip6 *list, uint64_t n,
		const struct trawl_window6 *win, unsigned int nwin, const struct trawl_ranges *block,
		struct trawl_err *err)
{
	char a[TRAWL_IPV6_STRLEN], b[TRAWL_IPV6_STRLEN];
	uint64_t keep = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->list = list;
	s->nlist = n;
	if (nwin > TRAWL_SPACE6_MAX_WINDOWS) {
		rc = trawl_err_set(err, -EINVAL, "%u IPv6 windows and prefixes: at most %d", nwin,
				TRAWL_SPACE6_MAX_WINDOWS);
		goto fail;
	}
	rc = build_block(s, block);
	if (rc != 0) {
		trawl_err_set(err, rc, "out of memory for the IPv6 blocklist");
		goto fail;
	}
	for (unsigned int i = 0; i < nwin; i++) {
		int blk;

		for (unsigned int j = 0; j < i; j++)
			if (windows_overlap(&win[i], &win[j])) {
				rc = trawl_err_set(err, -EINVAL,
						"IPv6 targets %s/%u-%u and %s/%u-%u overlap: a target would be probed twice",
						trawl_ipv6_str(&win[j].prefix, a), win[j].a, win[j].b,
						trawl_ipv6_str(&win[i].prefix, b), win[i].a, win[i].b);
				goto fail;
			}
		blk = window_blocked(s, &win[i]);
		if (blk == 2) {
			rc = trawl_err_set(err, -EINVAL, "IPv6 target %s/%u is inside the blocklist: nothing to send to",
					trawl_ipv6_str(&win[i].prefix, a), win[i].a);
			goto fail;
		}
		s->win[i] = win[i];
		s->win_blocked[i] = (uint8_t)(blk != 0);
	}
	s->nwin = nwin;
	/* The list's own addresses: not the blocklist's, not a window's (which probes them already). */
	for (uint64_t i = 0; i < n; i++) {
		int in_win = 0;

		if (trawl_space6_in_block(s, list[i])) {
			s->list_blocked++;
			continue;
		}
		for (unsigned int w = 0; w < nwin && !in_win; w++)
			in_win = trawl_window6_index(&win[w], list[i]) != TRAWL_WINDOW6_NONE;
		if (in_win) {
			s->list_in_window++;
			continue;
		}
		list[keep++] = list[i];
	}
	s->nlist = keep;
	if (keep > TRAWL_SPACE6_MAX_LIST) {
		rc = trawl_err_set(err, -EINVAL, "%" PRIu64 " listed IPv6 addresses: at most %" PRIu32, keep,
				(uint32_t)TRAWL_SPACE6_MAX_LIST);
		goto fail;
	}
	if (keep != 0 && group(s) != 0) {
		rc = trawl_err_set(err, -ENOMEM, "out of memory for the IPv6 list's directory");
		goto fail;
	}
	s->cum[0] = keep;
	for (unsigned int w = 0; w < nwin; w++)
		s->cum[w + 1] = s->cum[w] + trawl_window6_count(&win[w]);
	/* Each term is at most 2^48 and there are at most 64 windows: no wrap before this test. */
	if (s->cum[nwin] > (UINT64_C(1) << 48)) {
		rc = trawl_err_set(err, -EINVAL, "%" PRIu64 " IPv6 targets: more than the 2^48 a scan holds",
				s->cum[nwin]);
		goto fail;
	}
	return 0;
fail:
	trawl_space6_free(s);
	return rc;
}

void
trawl_space6_free(struct trawl_space6 *s)
{
	free(s->list);
	free(s->dir);
	free(s->blk_lo);
	free(s->blk_hi);
	memset(s, 0, sizeof(*s));
}

size_t
trawl_space6_memory(const struct trawl_space6 *s)
{
	return sizeof(*s) + (size_t)s->nlist * sizeof(*s->list) + (s->dir != NULL ? ((size_t)1 << s->dir_bits) + 1 : 0) *
		sizeof(*s->dir) + s->nblk * 2 * sizeof(*s->blk_lo);
}

int
trawl_space6_parse_target(const char *s, int *is_addr, struct trawl_ip6 *addr, struct trawl_window6 *w,
		struct trawl_err *err)
{
	const char *slash = strchr(s, '/');
	struct trawl_prefix6 p;

	if (strchr(s, ':') == NULL)
		return -ENOENT;
	*is_addr = 0;
	if (slash != NULL && strchr(slash, '-') != NULL) {
		if (trawl_window6_parse(s, w) != 0)
			return trawl_err_set(err, -EINVAL, "'%s' is not an IPv6 prefix window PREFIX/A-B "
					"(A <= B <= 128, B - A <= %d)", s, TRAWL_WINDOW6_MAX_BITS);
		return 0;
	}
	if (trawl_parse_prefix6(s, &p) != 0)
		return trawl_err_set(err, -EINVAL, "'%s' is not an IPv6 address or prefix", s);
	if (slash == NULL) {
		*is_addr = 1;
		*addr = p.addr;
		return 0;
	}
	if (128 - p.len > TRAWL_WINDOW6_MAX_BITS)
		return trawl_err_set(err, -EINVAL, "'%s' holds 2^%u addresses, more than the 2^%d a scan can; "
				"probe one address per /B of it with the window %s-B", s, 128 - p.len,
				TRAWL_WINDOW6_MAX_BITS, s);
	memset(w, 0, sizeof(*w));
	w->prefix = p.addr;
	w->a = p.len;
	w->b = 128;
	return 0;
}
