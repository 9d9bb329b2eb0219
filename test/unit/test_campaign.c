/* SPDX-License-Identifier: BSD-3-Clause */
/* Campaigns without running a scan: the file's errors, the keys, the diff, the units. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/campaign/conf.h"
#include "app/campaign/keys.h"
#include "app/campaign/state.h"
#include "app/campaign/units.h"
#include "app/core/yamlconf.h"
#include "test/unit/check.h"

static char dir[] = "/tmp/trawl-campaign-unit-XXXXXX";

static const char *
file_with(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define GOOD_DEFAULTS \
	"defaults:\n" \
	"  dev: net_null0\n" \
	"  source-ip: 198.19.0.2\n" \
	"  gateway-mac: \"02:00:00:00:00:01\"\n" \
	"  blocklist-file: /dev/null\n"

static int
load(const char *text, struct trawl_err *err)
{
	struct trawl_campaign c;
	int rc;

	err->msg[0] = '\0';
	rc = trawl_campaign_load(file_with("c.yaml", text), &c, err);
	trawl_campaign_free(&c);
	return rc;
}

/* The error names the file, the line and the column of what is wrong. */
static void
expect_at(const char *text, int line, int col, const char *words)
{
	struct trawl_err err;
	char where[600];

	CHECK(load(text, &err) == -EINVAL);
	snprintf(where, sizeof(where), "%s/c.yaml:%d:%d: ", dir, line, col);
	if (strncmp(err.msg, where, strlen(where)) != 0 || strstr(err.msg, words) == NULL) {
		fprintf(stderr, "  wanted '%s...%s', got '%s'\n", where, words, err.msg);
		CHECK(0);
	}
}

static void
test_good_file(void)
{
	struct trawl_campaign c;
	struct trawl_err err;
	const char *p = file_with("good.yaml",
		"name: weekly_web-1\n"
		"schedule: \"Sun *-*-* 02:00:00\"\n"
		"state-dir: /tmp/x\n"
		"keep: 3\n"
		GOOD_DEFAULTS
		"  rate: 1000\n"
		"scans:\n"
		"  - name: https\n"
		"    target-ports: [443]\n"
		"    targets: [198.18.0.0/16]\n"
		"  - name: ssh\n"
		"    target-ports: 22\n"
		"    rate: 5\n"
		"    targets: [198.18.0.0/24]\n"
		"    output-fields: [ttl, sport, saddr, classification]\n"
		"after-run: \"echo {run_dir}\"\n");

	CHECK(trawl_campaign_load(p, &c, &err) == 0);
	CHECK(c.nscans == 2);
	CHECK(c.keep == 3);
	CHECK(strcmp(c.state_dir, "/tmp/x") == 0);
	CHECK(strcmp(c.scans[0].fields, "saddr,sport") == 0);
	CHECK(strcmp(c.scans[1].fields, "saddr,sport,ttl,classification") == 0);
	/* the scan's own rate over the defaults' */
	for (size_t i = 0; i < c.scans[1].set.n; i++)
		if (strcmp(c.scans[1].set.s[i].key, "rate") == 0)
			CHECK(strcmp(c.scans[1].set.s[i].items[0], "5") == 0);
	trawl_campaign_free(&c);
	/* no state-dir: /var/lib/trawl/NAME */
	p = file_with("good2.yaml", "name: n\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    targets: [198.18.0.1]\n");
	CHECK(trawl_campaign_load(p, &c, &err) == 0);
	CHECK(strcmp(c.state_dir, "/var/lib/trawl/n") == 0);
	CHECK(c.keep == 0);
	trawl_campaign_free(&c);
}

static void
test_errors_say_where(void)
{
	struct trawl_err err;

	expect_at("name: x\nschedule: daily\ncolour: red\n", 3, 1, "unknown key 'colour'");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "  colour: red\nscans:\n  - name: a\n    targets: [198.18.0.1]\n",
			8, 3, "unknown setting 'colour'");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    targets: [198.18.0.1]\n"
			"  - name: a\n    targets: [198.18.0.2]\n", 11, 11, "a second scan named 'a'");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    output-file: /tmp/o.csv\n"
			"    targets: [198.18.0.1]\n", 10, 5, "output-file may not be set");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "  metadata-file: m.json\nscans:\n  - name: a\n"
			"    targets: [198.18.0.1]\n", 8, 3, "metadata-file may not be set");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    checkpoint: c\n"
			"    targets: [198.18.0.1]\n", 10, 5, "checkpoint may not be set");
	expect_at("name: x y\nschedule: daily\n", 1, 7, "letters, digits");
	expect_at("name: x\nschedule: daily\nkeep: 0\n" GOOD_DEFAULTS "scans:\n  - name: a\n    targets: [1.2.3.4]\n",
			3, 7, "keep");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    rate: fast\n"
			"    targets: [198.18.0.1]\n", 10, 11, "");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    target-ports: [80]\n", 9, 5,
			"no targets");
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans: []\n", 8, 8, "a list of scans");
	expect_at("name: x\nname: y\n", 2, 1, "given twice");
	/* IPv6 targets: a scan of them is a campaign's scan like any other; its IPv6 source is still needed. */
	CHECK(load("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    source-ip: [198.19.0.2, "
			"\"2001:2:ff::2\"]\n    targets: [\"2001:2::/120\"]\n", &err) == 0);
	expect_at("name: x\nschedule: daily\n" GOOD_DEFAULTS "scans:\n  - name: a\n    targets: [\"2001:2::/120\"]\n",
			9, 5, "IPv6");
	expect_at("name: x\nschedule: daily\nscans:\n  - name: a\n   bad indent: 1\n", 5, 4, "bad YAML");
}

/* Billion laughs: nine levels of ten aliases each would be 10^9 values. */
static void
test_alias_bomb(void)
{
	struct trawl_yaml_node root;
	struct trawl_err err;
	char text[4096];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char l = 'b'; l <= 'j'; l++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
				l, l, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1);
	CHECK(trawl_yaml_load(file_with("bomb.yaml", text), &root, &err) == -EINVAL);
	CHECK(strstr(err.msg, "too many values") != NULL);
}

static void
test_key_parse_format(void)
{
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4", "1.2.3.4,", "256.1.1.1,80", "1.2.3.4,65536",
		"1.2.3.4,8x", "a.b.c.d,1", "1..2.3,4", "1.2.3.4,-1", "2001:2::1", "2001:2::1,", "2001:2::1,65536",
		"2001:2::/48,80", "[2001:2::1],80", "fe80::1%eth0,80", "2001:2:::1,80", "2001:2::g,80",
		"1:2:3:4:5:6:7:8:9,80", "::ffff:1.2.3.4.5,80" };
	char buf[TRAWL_KEY_TEXT_MAX];
	uint64_t k[TRAWL_KEY_WORDS_MAX];
	int fam;

	CHECK(trawl_key_parse("198.18.0.5,443", 14, &fam, k) == 0 && fam == TRAWL_KEY4);
	CHECK(k[0] == ((uint64_t)0xc6120005 << 16 | 443));
	CHECK(trawl_key_format(fam, k, buf) == 15 && memcmp(buf, "198.18.0.5,443\n", 15) == 0);
	CHECK(trawl_key_parse("0.0.0.0,0,synack,1", 18, &fam, k) == 0 && k[0] == 0);
	CHECK(trawl_key_parse("255.255.255.255,65535\n", 22, &fam, k) == 0 &&
			k[0] == ((uint64_t)UINT32_MAX << 16 | 65535));
	/* IPv6: any text form in, RFC 5952 out */
	CHECK(trawl_key_parse("2001:0002:0:0::00A,8080,synack", 30, &fam, k) == 0 && fam == TRAWL_KEY6);
	CHECK(k[0] == UINT64_C(0x2001000200000000) && k[1] == 0xa && k[2] == 8080);
	CHECK(trawl_key_format(fam, k, buf) == 15 && memcmp(buf, "2001:2::a,8080\n", 15) == 0);
	CHECK(trawl_key_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,65535\r\n", 47, &fam, k) == 0 &&
			k[0] == UINT64_MAX && k[1] == UINT64_MAX && k[2] == 65535);
	CHECK(trawl_key_format(fam, k, buf) == 46 &&
			memcmp(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,65535\n", 46) == 0);
	CHECK(trawl_key_parse("::,0", 4, &fam, k) == 0 && fam == TRAWL_KEY6 && k[0] == 0 && k[1] == 0 && k[2] == 0);
	CHECK(trawl_key_parse("::ffff:198.18.0.1,1", 19, &fam, k) == 0 && fam == TRAWL_KEY6 &&
			k[1] == UINT64_C(0xffffc6120001));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(trawl_key_parse(bad[i], strlen(bad[i]), &fam, k) != 0);
}

static unsigned int cmp_kw;

static int
cmp_key(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	for (unsigned int i = 0; i < cmp_kw; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random key of @p fam into @p k: addresses under @p addr_mask (IPv6: in 2001:2::/48, mask on both halves). */
static void
rand_key(int fam, uint32_t addr_mask, uint64_t *k)
{
	uint16_t port = (uint16_t)(next_rand() % 3);

	if (fam == TRAWL_KEY6)
		trawl_key6(k, UINT64_C(0x2001000200000000) | (next_rand() & addr_mask & 0xffff),
				next_rand() & addr_mask, port);
	else
		k[0] = trawl_key((uint32_t)next_rand() & addr_mask, port);
}

/*
 * n keys (some repeated), of family @p fam (or, for -1, of both in turn),
 * as a results.csv; the sorted unique set of each family into set[f].
 */
static void
make_csv(const char *name, int fam, size_t n, uint32_t addr_mask, uint64_t *set[2], size_t nset[2])
{
	char path[512], buf[TRAWL_KEY_TEXT_MAX];
	FILE *f;

	for (int g = 0; g < 2; g++) {
		set[g] = malloc(n * 3 * sizeof(uint64_t));
		nset[g] = 0;
		REQUIRE(set[g] != NULL);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("saddr,sport,classification\n", f);
	for (size_t i = 0; i < n; i++) {
		int g = fam >= 0 ? fam : (int)(i % 2);
		unsigned int kw = trawl_key_words(g);
		uint64_t *k = &set[g][nset[g] * kw];

		if (nset[g] > 0 && next_rand() % 10 == 0)
			memcpy(k, &set[g][(next_rand() % nset[g]) * kw], kw * 8); /* a repeat */
		else
			rand_key(g, addr_mask, k);
		nset[g]++;
		buf[trawl_key_format(g, k, buf) - 1] = '\0';
		fprintf(f, "%s,synack\n", buf);
	}
	fputs("not a row\n", f);
	fclose(f);
	for (int g = 0; g < 2; g++) {
		unsigned int kw = trawl_key_words(g);
		size_t u = 0;

		cmp_kw = kw;
		qsort(set[g], nset[g], kw * 8, cmp_key);
		for (size_t i = 0; i < nset[g]; i++)
			if (u == 0 || cmp_key(&set[g][(u - 1) * kw], &set[g][i * kw]) != 0)
				memmove(&set[g][u++ * kw], &set[g][i * kw], kw * 8);
		nset[g] = u;
	}
}

/* The words of file @p name (NULL and 0 if it is absent). */
static uint64_t *
read_keys(const char *name, size_t *nwords)
{
	char path[512];
	FILE *f;
	long len;
	uint64_t *k;

	*nwords = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	k = malloc((size_t)len + 8);
	REQUIRE_OR(k != NULL, (fclose(f), NULL));
	*nwords = fread(k, 8, (size_t)len / 8, f);
	fclose(f);
	return k;
}

static void
key_paths(const char *stem, char out[2][512], const char *outp[2])
{
	snprintf(out[0], 512, "%s/%s.bin", dir, stem);
	snprintf(out[1], 512, "%s/%s6.bin", dir, stem);
	outp[0] = out[0];
	outp[1] = out[1];
}

/*
 * Sorted and unique whatever the memory (one chunk, or many runs merged),
 * for IPv4, IPv6 and both in one CSV; the IPv6 file only where there are
 * IPv6 keys.
 */
static void
test_keys_build(void)
{
	static const uint64_t mems[] = { TRAWL_KEYS_DEFAULT_MEM, 65536 };
	struct trawl_keys_stats st;
	struct trawl_err err;
	uint64_t *want[2], *got;
	size_t nwant[2], nwords = 0;
	char csv[512], out[2][512], name[64];
	const char *outp[2];

	snprintf(csv, sizeof(csv), "%s/a.csv", dir);
	key_paths("a", out, outp);
	for (int fam = -1; fam < 2; fam++) {
		/* 65536 IPv4 addresses x 3 ports, many repeats; IPv6 addresses differing in their top and bottom bits */
		make_csv("a.csv", fam, 200000, 0xffff, want, nwant);
		for (unsigned int m = 0; m < 2; m++) {
			CHECK(trawl_keys_build(csv, outp, mems[m], NULL, &st, &err) == 0);
			CHECK_EQ_U64(st.rows, 200001);
			CHECK_EQ_U64(st.bad, 1);
			CHECK_EQ_U64(st.keys, nwant[0] + nwant[1]);
			CHECK_EQ_U64(st.keys6, nwant[1]);
			CHECK(m == 0 ? st.runs == (fam == TRAWL_KEY4 ? 1u : 2u) : st.runs > 10); /* IPv4's file is always written */
			for (int g = 0; g < 2; g++) {
				unsigned int kw = trawl_key_words(g);

				snprintf(name, sizeof(name), "a%s.bin", g ? "6" : "");
				got = read_keys(name, &nwords);
				if (g == TRAWL_KEY6 && nwant[g] == 0) {
					CHECK(got == NULL); /* none written, none left over */
					continue;
				}
				REQUIRE(got != NULL);
				CHECK_EQ_U64(nwords, nwant[g] * kw);
				CHECK(memcmp(got, want[g], nwords * 8) == 0);
				free(got);
			}
		}
		free(want[0]);
		free(want[1]);
	}
	snprintf(csv, sizeof(csv), "%s/a.bin.run0", dir);
	CHECK(access(csv, F_OK) != 0); /* the runs are gone */
	snprintf(csv, sizeof(csv), "%s/a6.bin.run0", dir);
	CHECK(access(csv, F_OK) != 0);
}

struct collect {
	uint64_t *k[2][2]; /* [added][family] */
	size_t n[2][2];
};

static int
collect(void *arg, int fam, const uint64_t *key, int added)
{
	struct collect *c = arg;
	unsigned int kw = trawl_key_words(fam);

	memcpy(&c->k[added][fam][c->n[added][fam]++ * kw], key, kw * 8);
	return 0;
}

static int
contains(const uint64_t *s, size_t n, unsigned int kw, const uint64_t *k)
{
	cmp_kw = kw;
	return bsearch(k, s, n, kw * 8, cmp_key) != NULL;
}

/* new = after - before, gone = before - after, in order, per family; no earlier run: all new. */
static void
test_keys_diff(void)
{
	struct trawl_keys_stats st;
	struct trawl_keys_diff d;
	struct trawl_err err;
	uint64_t *a[2], *b[2];
	size_t na[2], nb[2];
	char csv[512], ka[2][512], kb[2][512];
	const char *kap[2], *kbp[2];
	struct collect c;

	make_csv("b1.csv", -1, 100000, 0x3fff, a, na);
	make_csv("b2.csv", -1, 100000, 0x3fff, b, nb);
	key_paths("b1", ka, kap);
	key_paths("b2", kb, kbp);
	for (int i = 0; i < 2; i++) {
		snprintf(csv, sizeof(csv), "%s/b%d.csv", dir, i + 1);
		CHECK(trawl_keys_build(csv, i ? kbp : kap, 1 << 20, NULL, &st, &err) == 0);
	}
	for (int s = 0; s < 2; s++)
		for (int f = 0; f < 2; f++) {
			c.k[s][f] = malloc((na[f] + nb[f]) * 24);
			REQUIRE(c.k[s][f] != NULL);
			c.n[s][f] = 0;
		}
	memset(&d, 0, sizeof(d));
	for (int f = 0; f < 2; f++)
		CHECK(trawl_keys_diff(f, kap[f], kbp[f], collect, &c, &d, &err) == 0);
	CHECK_EQ_U64(d.before, na[0] + na[1]);
	CHECK_EQ_U64(d.after, nb[0] + nb[1]);
	for (int f = 0; f < 2; f++) {
		unsigned int kw = trawl_key_words(f);
		size_t wa = 0, wr = 0;

		for (size_t i = 0; i < nb[f]; i++)
			if (!contains(a[f], na[f], kw, &b[f][i * kw]))
				CHECK(memcmp(&c.k[1][f][wa++ * kw], &b[f][i * kw], kw * 8) == 0);
		for (size_t i = 0; i < na[f]; i++)
			if (!contains(b[f], nb[f], kw, &a[f][i * kw]))
				CHECK(memcmp(&c.k[0][f][wr++ * kw], &a[f][i * kw], kw * 8) == 0);
		CHECK_EQ_U64(c.n[1][f], wa);
		CHECK_EQ_U64(c.n[0][f], wr);
		CHECK(wa > 0 && wr > 0);
	}
	CHECK_EQ_U64(d.added, c.n[1][0] + c.n[1][1]);
	CHECK_EQ_U64(d.removed, c.n[0][0] + c.n[0][1]);
	/* no earlier run, and no IPv6 file on one side: every key is new */
	for (int f = 0; f < 2; f++)
		c.n[0][f] = c.n[1][f] = 0;
	memset(&d, 0, sizeof(d));
	for (int f = 0; f < 2; f++)
		CHECK(trawl_keys_diff(f, NULL, kbp[f], collect, &c, &d, &err) == 0);
	for (int f = 0; f < 2; f++) {
		CHECK_EQ_U64(c.n[1][f], nb[f]);
		CHECK_EQ_U64(c.n[0][f], 0);
		CHECK(memcmp(c.k[1][f], b[f], nb[f] * trawl_key_words(f) * 8) == 0);
	}
	c.n[0][1] = c.n[1][1] = 0;
	CHECK(trawl_keys_diff(TRAWL_KEY6, kap[1], NULL, collect, &c, &d, &err) == 0);
	CHECK_EQ_U64(c.n[0][1], na[1]);
	/* a torn key file is said, not read as keys */
	CHECK(truncate(kap[1], 24 * 5 + 8) == 0);
	CHECK(trawl_keys_diff(TRAWL_KEY6, kap[1], kbp[1], collect, &c, &d, &err) == -EINVAL);
	CHECK(strstr(err.msg, "damaged") != NULL);
	for (int f = 0; f < 2; f++) {
		free(a[f]);
		free(b[f]);
		free(c.k[0][f]);
		free(c.k[1][f]);
	}
}

static void
test_run_ids(void)
{
	char id[TRAWL_RUN_ID_LEN + 1], iso[32];

	CHECK(trawl_run_id_ok("20261123T020000Z"));
	CHECK(!trawl_run_id_ok("20261123T020000"));
	CHECK(!trawl_run_id_ok("20261123X020000Z"));
	CHECK(!trawl_run_id_ok("20261123T020000Z.partial"));
	trawl_run_id_now(id);
	CHECK(trawl_run_id_ok(id));
	trawl_run_id_iso("20261123T020304Z", iso, sizeof(iso));
	CHECK(strcmp(iso, "2026-11-23T02:03:04Z") == 0);
}

/* The timer carries the schedule as systemd reads it; the service runs this campaign file. */
static void
test_units_text(void)
{
	struct trawl_campaign c;
	struct trawl_err err;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(trawl_campaign_load(file_with("u.yaml", "name: u\nschedule: \"Mon,Fri *-*-* 04:30\"\n" GOOD_DEFAULTS
			"scans:\n  - name: a\n    targets: [198.18.0.1]\n"), &c, &err) == 0);
	f = open_memstream(&text, &len);
	trawl_units_timer(&c, f);
	trawl_units_service(&c, "/usr/bin/trawl", f);
	fclose(f);
	CHECK(strstr(text, "OnCalendar=Mon,Fri *-*-* 04:30\n") != NULL);
	CHECK(strstr(text, "Persistent=true\n") != NULL);
	CHECK(strstr(text, "Unit=trawl-campaign-u.service\n") != NULL);
	CHECK(strstr(text, "Type=exec\n") != NULL);
	CHECK(strstr(text, "ExecReload=/bin/kill -HUP $MAINPID\n") != NULL);
	CHECK(strstr(text, "ExecStart=\"/usr/bin/trawl\" campaign run \"") != NULL);
	CHECK(strstr(text, "/u.yaml\"\n") != NULL);
	free(text);
	/* a schedule systemd refuses is said where it stands (where systemd-analyze is installed) */
	trawl_campaign_free(&c);
	CHECK(trawl_campaign_load(file_with("u2.yaml", "name: u\nschedule: \"Sux 25:00\"\n" GOOD_DEFAULTS
			"scans:\n  - name: a\n    targets: [198.18.0.1]\n"), &c, &err) == 0);
	if (access("/usr/bin/systemd-analyze", X_OK) == 0) {
		CHECK(trawl_units_check_calendar(&c, 3, NULL, &err) == -EINVAL);
		CHECK(strstr(err.msg, "u2.yaml:2:11: schedule") != NULL);
	} else {
		printf("     (systemd-analyze not installed: the schedule check is left to the integration test)\n");
	}
	trawl_campaign_free(&c);
}

/* trawl_keys_rows of @p csv by the key files @p keys, through the file @p out, into @p buf. */
static void
rows_of(const char *csv, const char *const keys[2], const char *out, char *buf, size_t cap)
{
	struct trawl_err err;
	FILE *f = fopen(out, "w");
	size_t len;

	buf[0] = '\0';
	REQUIRE(f != NULL);
	CHECK(trawl_keys_rows(csv, keys, f, &err) == 0);
	fclose(f);
	f = fopen(out, "r");
	REQUIRE(f != NULL);
	len = fread(buf, 1, cap - 1, f);
	buf[len] = '\0';
	fclose(f);
}

/* tcp_banner results: canary addresses left out of the keys, either family; new.csv/gone.csv rows keep every field. */
static void
test_canaries_and_rows(void)
{
	static const char text[] = "saddr,sport,classification,http_server\n"
		"198.18.0.1,80,data,nginx\n"
		"198.18.0.2,80,nodata,\n"
		"198.18.0.3,80,nodata,\n"
		"198.18.0.3,41234,canary,\n"
		"2001:2::3,80,nodata,\n"
		"2001:2::3,41234,canary,\n"
		"2001:2::4,443,data,lighttpd\n"
		"198.18.0.4,443,data,Apache\n";
	char csv[512], keys[2][512], sel[2][512], out[512], buf[512];
	const char *keysp[2], *selp[2];
	struct trawl_keys_skip skip;
	struct trawl_keys_stats st;
	struct trawl_err err;
	size_t len;
	uint64_t *got, pick[3];
	FILE *f;

	snprintf(csv, sizeof(csv), "%s/banner.csv", dir);
	key_paths("banner", keys, keysp);
	key_paths("sel", sel, selp);
	snprintf(out, sizeof(out), "%s/new.csv", dir);
	f = fopen(csv, "w");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
	CHECK(trawl_keys_canaries(csv, &skip, &err) == 0);
	CHECK(skip.n[0] == 1 && skip.k[0][0] == trawl_key(0xc6120003, 0));
	CHECK(skip.n[1] == 1 && skip.k[1][0] == UINT64_C(0x2001000200000000) && skip.k[1][1] == 3 && skip.k[1][2] == 0);
	CHECK(trawl_keys_build(csv, keysp, 1 << 20, &skip, &st, &err) == 0);
	CHECK(st.keys == 4 && st.keys6 == 1 && st.skipped == 4);
	trawl_keys_skip_free(&skip);
	got = read_keys("banner.bin", &len);
	REQUIRE(got != NULL);
	CHECK(len == 3 && got[0] == trawl_key(0xc6120001, 80) && got[2] == trawl_key(0xc6120004, 443));
	free(got);
	got = read_keys("banner6.bin", &len);
	REQUIRE(got != NULL);
	CHECK(len == 3 && got[0] == UINT64_C(0x2001000200000000) && got[1] == 4 && got[2] == 443);
	free(got);
	/* the rows of three keys, whole, in the CSV's order */
	f = fopen(sel[0], "w");
	REQUIRE(f != NULL);
	pick[0] = trawl_key(0xc6120001, 80);
	fwrite(pick, 8, 1, f);
	pick[0] = trawl_key(0xc6120004, 443);
	fwrite(pick, 8, 1, f);
	fclose(f);
	f = fopen(sel[1], "w");
	REQUIRE(f != NULL);
	trawl_key6(pick, UINT64_C(0x2001000200000000), 4, 443);
	fwrite(pick, 8, 3, f);
	fclose(f);
	rows_of(csv, selp, out, buf, sizeof(buf));
	CHECK(strcmp(buf, "saddr,sport,classification,http_server\n198.18.0.1,80,data,nginx\n"
			"2001:2::4,443,data,lighttpd\n198.18.0.4,443,data,Apache\n") == 0);
	/* no IPv6 key file: no IPv6 rows */
	unlink(sel[1]);
	rows_of(csv, selp, out, buf, sizeof(buf));
	CHECK(strstr(buf, "2001:2::4") == NULL && strstr(buf, "198.18.0.4,443") != NULL);
	/* no classification column: no canaries */
	f = fopen(csv, "w");
	fputs("saddr,sport\n198.18.0.1,80\n", f);
	fclose(f);
	CHECK(trawl_keys_canaries(csv, &skip, &err) == 0 && skip.n[0] == 0 && skip.n[1] == 0);
	trawl_keys_skip_free(&skip);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_good_file);
	RUN(test_canaries_and_rows);
	RUN(test_errors_say_where);
	RUN(test_alias_bomb);
	RUN(test_key_parse_format);
	RUN(test_keys_build);
	RUN(test_keys_diff);
	RUN(test_run_ids);
	RUN(test_units_text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done();
}
