/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * -I at hitlist size: a list of N random addresses (one line in 20 a repeat)
 * written to FILE, then read as trawl scan reads it (trawl_addrlist_load,
 * then the target set), beside the line-by-line reader the allowlist uses
 * (trawl_ranges_load) on the same file; a list of N IPv6 addresses read the
 * same way; and the radix sort against qsort on N addresses: the measured
 * reason for app/core/sort.c. No EAL.
 *
 *   listbench FILE [N]      (default N = 50,000,000; FILE is removed at the end)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/addrlist.h"
#include "app/core/dedup.h"
#include "app/core/space6.h"
#include "app/core/target.h"
#include "app/respond/dataset.h"
#include "app/core/sort.h"
#include "bench/benchutil.h"

static uint64_t state = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 16);
}

static int
cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 50000000;
	struct trawl_ranges rs = { 0 }, none = { 0 }, old = { 0 };
	struct trawl_addrlist_stats st;
	struct trawl_constraint c;
	struct trawl_err err = { "" };
	uint32_t *v, *w, prev = 0;
	double t0, t_list, t_set, t_old, t_q, t_r;
	uint64_t rss0;
	FILE *f;

	if (path == NULL || n == 0) {
		fprintf(stderr, "usage: listbench FILE [N]\n");
		return 2;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t a = i % 20 == 19 ? prev : rnd();

		fprintf(f, "%u.%u.%u.%u\n", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
		prev = a;
	}
	if (fclose(f) != 0) {
		perror(path);
		return 1;
	}

	rss0 = bench_rss();
	t0 = trawl_mono();
	if (trawl_addrlist_load(&rs, NULL, path, &st, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t_list = trawl_mono() - t0;
	t0 = trawl_mono();
	if (trawl_constraint_build(&c, &rs, &none) != 0)
		return 1;
	t_set = trawl_mono() - t0;
	printf("| -I: a list of %zu random addresses (%" PRIu64 " distinct) read and sorted | %zu lines | %.2f s, "
	       "%.0f ns/line |\n", n, st.addresses, n, t_list, t_list * 1e9 / (double)n);
	printf("| the target set built from it | %u intervals | %.2f s; it holds %.0f MiB (peak while loading: "
	       "%.0f MiB more resident) |\n", c.k, t_set, (double)trawl_constraint_memory(&c) / 1048576.0,
	       (double)(bench_rss() - rss0) / 1048576.0);
	trawl_constraint_free(&c);
	trawl_ranges_free(&rs);

	t0 = trawl_mono();
	if (trawl_ranges_load(&old, path, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t_old = trawl_mono() - t0;
	printf("| the same file through the allowlist's line reader (-w) | %zu lines | %.2f s, %.0f ns/line "
	       "(%.1fx -I's read and sort) |\n", n, t_old, t_old * 1e9 / (double)n, t_old / t_list);
	trawl_ranges_free(&old);
	unlink(path);

	/* IPv6, as a hitlist looks: 65,536 /48s with random /64s and interface identifiers, one line in 20 a repeat. */
	{
		struct trawl_addrs6 v6 = { 0 };
		struct trawl_ranges none4 = { 0 };
		uint64_t hi = 0, lo = 0;
		double t6;

		f = fopen(path, "w");
		if (f == NULL) {
			perror(path);
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (i % 20 != 19) {
				hi = 0x2001000000000000ULL | (uint64_t)(rnd() & 0xffff) << 16 | (rnd() & 0xffff);
				lo = (uint64_t)rnd() << 32 | rnd();
			}
			fprintf(f, "%x:%x:%x:%x:%x:%x:%x:%x\n", (unsigned int)(hi >> 48), (unsigned int)(hi >> 32 & 0xffff),
				(unsigned int)(hi >> 16 & 0xffff), (unsigned int)(hi & 0xffff), (unsigned int)(lo >> 48),
				(unsigned int)(lo >> 32 & 0xffff), (unsigned int)(lo >> 16 & 0xffff), (unsigned int)(lo & 0xffff));
		}
		if (fclose(f) != 0) {
			perror(path);
			return 1;
		}
		rss0 = bench_rss();
		t0 = trawl_mono();
		if (trawl_addrlist_load(&none4, &v6, path, &st, &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		t6 = trawl_mono() - t0;
		printf("| -I: a list of %zu IPv6 addresses (%" PRIu64 " distinct) read, sorted and made unique | %zu lines | "
		       "%.2f s, %.0f ns/line; %.0f MiB held (16 bytes an address), %.0f MiB more resident |\n", n,
		       st.addresses6, n, t6, t6 * 1e9 / (double)n, (double)v6.n * 16 / 1048576.0,
		       (double)(bench_rss() - rss0) / 1048576.0);
		/* The scan's target set over it (the directory of core/space6.h), and its dedup for 3 ports. */
		{
			struct trawl_space6 sp;
			struct trawl_ports p3;
			struct trawl_target_space ts;
			double tb;

			trawl_ports_parse(&p3, "22,80,443", NULL);
			rss0 = bench_rss();
			t0 = trawl_mono();
			if (trawl_space6_build(&sp, v6.v, v6.n, NULL, 0, NULL, &err) != 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			tb = trawl_mono() - t0;
			v6.v = NULL; /* the set took it */
			trawl_target_space_init6(&ts, &sp, &p3);
			printf("| -I IPv6: the target set over them (hash directory) | %" PRIu64 " addresses | %.2f s; %.0f MiB in all "
			       "(list and directory); dedup of %" PRIu64 " targets (3 ports): a %.0f MiB bitmap, exact |\n",
			       sp.nlist, tb, (double)trawl_space6_memory(&sp) / 1048576.0, ts.count,
			       (double)trawl_dedup_bitmap_bytes(ts.count) / 1048576.0);
			(void)rss0;
			trawl_space6_free(&sp);
		}
		/* trawl respond: the same lines as a dataset, text and compiled. */
		{
			struct trawl_dataset ds, db;
			char bin[4096];
			double tt, tc;

			snprintf(bin, sizeof(bin), "%s.bin", path);
			if (trawl_dataset_init(&ds) != 0)
				return 1;
			t0 = trawl_mono();
			if (trawl_dataset_load(&ds, path, &err) != 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			trawl_dataset_seal(&ds);
			tt = trawl_mono() - t0;
			if (trawl_dataset_write(&ds, bin, &err) != 0 || trawl_dataset_init(&db) != 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			t0 = trawl_mono();
			if (trawl_dataset_load(&db, bin, &err) != 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			trawl_dataset_seal(&db);
			tc = trawl_mono() - t0;
			printf("| trawl respond: the same %zu lines as an IPv6 dataset | %zu hosts | text %.2f s, compiled %.2f s "
			       "(%.0f MiB held) |\n", n, db.six.naddrs, tt, tc, (double)db.six.naddrs * 16 / 1048576.0);
			trawl_dataset_free(&ds);
			trawl_dataset_free(&db);
			unlink(bin);
		}
		trawl_addrs6_free(&v6);
		unlink(path);
	}

	v = malloc(n * sizeof(*v));
	w = malloc(n * sizeof(*w));
	if (v == NULL || w == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		v[i] = w[i] = rnd();
	t0 = trawl_mono();
	qsort(v, n, sizeof(*v), cmp32);
	t_q = trawl_mono() - t0;
	t0 = trawl_mono();
	trawl_sort_u32(w, n);
	t_r = trawl_mono() - t0;
	if (memcmp(v, w, n * sizeof(*v)) != 0) {
		fprintf(stderr, "listbench: the radix sort differs from qsort\n");
		return 1;
	}
	printf("| sorting %zu random addresses: qsort against trawl_sort_u32 (radix, 3 x 11 bits) | %zu | qsort %.2f s, "
	       "radix %.2f s (%.1fx) |\n", n, n, t_q, t_r, t_q / t_r);
	free(v);
	free(w);
	return 0;
}
