/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What changed between two campaign runs at survey scale: two results.csv
 * of N results each (default 60 M; the second shares 90 % of the first's
 * keys, in another order), turned into sorted key files and diffed into
 * new.csv and gone.csv, as `trawl campaign run` does after its scans.
 * Reported per phase: wall time, TSC cycles per row, and the process's
 * peak resident memory; beside it the same sort done the obvious way
 * (every key in memory, qsort), for the ratio and the memory it needs.
 * FAMILY 6 makes the results IPv6 (addresses over 2^16 /64s of 2001:2::/32
 * with scrambled interface identifiers): three-word keys, up to nine radix
 * passes.
 *
 *   diffbench DIR [N] [MEM_MIB] [FAMILY]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "app/campaign/keys.h"
#include "app/core/clock.h"

static uint64_t
peak_rss(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %" SCNu64, &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb << 10;
}

/*
 * Key i (i < 3 * 2^32): one of three ports, and an address scrambled by a
 * bijection of 32 bits (odd multiplier, xorshift), so distinct i are
 * distinct results and the expected diff is exact.
 */
static void
key_of(int fam, uint64_t i, uint64_t *k)
{
	static const uint16_t ports[3] = { 22, 80, 443 };
	uint32_t a = (uint32_t)(i / 3);

	a *= 0x9e3779b1u;
	a ^= a >> 15;
	a *= 0x85ebca6bu;
	a ^= a >> 13;
	if (fam == TRAWL_KEY6) /* the IID a bijection of a (odd multiplier): distinct a, distinct addresses */
		trawl_key6(k, UINT64_C(0x2001000200000000) | (a & 0xffff), (uint64_t)a * UINT64_C(0x9e3779b97f4a7c15),
				ports[i % 3]);
	else
		k[0] = trawl_key(a, ports[i % 3]);
}

static void
write_csv(int fam, const char *path, uint64_t from, uint64_t n)
{
	FILE *f = fopen(path, "w");
	char buf[TRAWL_KEY_TEXT_MAX];
	uint64_t k[TRAWL_KEY_WORDS_MAX];

	setvbuf(f, NULL, _IOFBF, 1 << 22);
	fputs("saddr,sport\n", f);
	for (uint64_t i = from; i < from + n; i++) {
		key_of(fam, i, k);
		fwrite(buf, 1, trawl_key_format(fam, k, buf), f);
	}
	fclose(f);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_key6(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 60000000, mem = (argc > 3 ? strtoull(argv[3], NULL, 10) : 128) << 20;
	int fam = argc > 4 && strcmp(argv[4], "6") == 0 ? TRAWL_KEY6 : TRAWL_KEY4;
	unsigned int kw = trawl_key_words(fam);
	char a[512], b[512], ka[2][512], kb[2][512], na[512], ga[512];
	const char *kap[2] = { ka[0], ka[1] }, *kbp[2] = { kb[0], kb[1] };
	struct trawl_keys_stats st;
	struct trawl_keys_diff d;
	struct trawl_err err;
	struct trawl_keys_csv o;
	double hz, t0, t_build_a, t_build_b, t_diff;
	uint64_t c0, c_a, c_b, c_d;

	/* No EAL here: the TSC measured against the monotonic clock over 0.2 s. */
	t0 = trawl_mono();
	c0 = rte_rdtsc();
	while (trawl_mono() - t0 < 0.2)
		;
	hz = (double)(rte_rdtsc() - c0) / (trawl_mono() - t0);
	snprintf(a, sizeof(a), "%s/run1.csv", dir);
	snprintf(b, sizeof(b), "%s/run2.csv", dir);
	snprintf(ka[0], sizeof(ka[0]), "%s/run1.keys", dir);
	snprintf(kb[0], sizeof(kb[0]), "%s/run2.keys", dir);
	snprintf(ka[1], sizeof(ka[1]), "%s/run1.keys6", dir);
	snprintf(kb[1], sizeof(kb[1]), "%s/run2.keys6", dir);
	snprintf(na, sizeof(na), "%s/new.csv", dir);
	snprintf(ga, sizeof(ga), "%s/gone.csv", dir);
	printf("diffbench: %" PRIu64 " IPv%d results per run, 90 %% shared, sort memory %" PRIu64 " MiB, TSC %.2f GHz\n",
			n, fam == TRAWL_KEY6 ? 6 : 4, mem >> 20, hz / 1e9);
	t0 = trawl_mono();
	write_csv(fam, a, 0, n);
	write_csv(fam, b, n / 10, n);
	printf("  two results.csv written in %.1f s\n", trawl_mono() - t0);

	t0 = trawl_mono();
	c0 = rte_rdtsc();
	if (trawl_keys_build(a, kap, mem, NULL, &st, &err) != 0) {
		fprintf(stderr, "diffbench: %s\n", err.msg);
		return 1;
	}
	c_a = rte_rdtsc() - c0;
	t_build_a = trawl_mono() - t0;
	printf("  keys of run 1: %.2f s, %.0f cycles/row, %u sorted runs merged, %" PRIu64 " keys; peak RSS %.0f MiB\n",
			t_build_a, (double)c_a / (double)n, st.runs, st.keys, (double)peak_rss() / 1048576);
	t0 = trawl_mono();
	c0 = rte_rdtsc();
	if (trawl_keys_build(b, kbp, mem, NULL, &st, &err) != 0) {
		fprintf(stderr, "diffbench: %s\n", err.msg);
		return 1;
	}
	c_b = rte_rdtsc() - c0;
	t_build_b = trawl_mono() - t0;
	printf("  keys of run 2: %.2f s, %.0f cycles/row\n", t_build_b, (double)c_b / (double)n);

	o.added = fopen(na, "w");
	o.removed = fopen(ga, "w");
	setvbuf(o.added, NULL, _IOFBF, 1 << 20);
	setvbuf(o.removed, NULL, _IOFBF, 1 << 20);
	t0 = trawl_mono();
	c0 = rte_rdtsc();
	memset(&d, 0, sizeof(d));
	if (trawl_keys_diff(fam, kap[fam], kbp[fam], trawl_keys_emit_csv, &o, &d, &err) != 0) {
		fprintf(stderr, "diffbench: %s\n", err.msg);
		return 1;
	}
	fclose(o.added);
	fclose(o.removed);
	c_d = rte_rdtsc() - c0;
	t_diff = trawl_mono() - t0;
	printf("  diff: %.2f s, %.0f cycles/key, %" PRIu64 " new, %" PRIu64 " gone (want %" PRIu64 " each)\n", t_diff,
			(double)c_d / (double)(d.before + d.after), d.added, d.removed, n / 10);
	printf("  total (both runs' keys built, then diffed): %.1f s; peak RSS %.0f MiB (bound: sort memory + "
			"256 KiB per run + buffers)\n", t_build_a + t_build_b + t_diff, (double)peak_rss() / 1048576);
	if (d.added != n / 10 || d.removed != n / 10) {
		fprintf(stderr, "diffbench: wrong diff\n");
		return 1;
	}

	/* The obvious way, for the ratio: every key of a run in memory, qsort. */
	{
		uint64_t *k = malloc(n * kw * sizeof(*k));

		for (uint64_t i = 0; i < n; i++)
			key_of(fam, i, &k[i * kw]);
		t0 = trawl_mono();
		c0 = rte_rdtsc();
		qsort(k, n, kw * sizeof(*k), fam == TRAWL_KEY6 ? cmp_key6 : cmp_u64);
		c0 = rte_rdtsc() - c0;
		printf("  beside it: qsort of one run's keys in memory (parsing not counted): %.2f s, %.0f cycles/row, "
				"%.0f MiB for the keys alone; keys_build %.2fx its time with the CSV parse and the disk\n",
				trawl_mono() - t0, (double)c0 / (double)n, (double)(n * kw * 8) / 1048576,
				t_build_a / (trawl_mono() - t0));
		free(k);
	}
	printf("  peak RSS of the whole bench (the qsort included): %.0f MiB\n", (double)peak_rss() / 1048576);
	unlink(a);
	unlink(b);
	for (int f = 0; f < 2; f++) {
		unlink(ka[f]);
		unlink(kb[f]);
	}
	unlink(na);
	unlink(ga);
	return 0;
}
