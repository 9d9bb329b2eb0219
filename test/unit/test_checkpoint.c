/* SPDX-License-Identifier: BSD-3-Clause */
/* --checkpoint's pure parts: resuming a walk, the file, and telling one scan from another. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/core/checkpoint.h"
#include "app/core/cyclic.h"
#include "app/core/ipv4.h"
#include "test/unit/check.h"

/* A walk resumed after k positions yields exactly what the uninterrupted walk yields after k. */
static void
test_skip_equals_walk(void)
{
	static const uint64_t sizes[] = { 10, 1000, 65536 * 3 + 7, UINT64_C(1) << 40 };

	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct trawl_cyclic c;
		struct trawl_cyclic_iter a, b;
		uint64_t x = 0, y = 0;

		CHECK(trawl_cyclic_init(&c, sizes[s], 42 + s) == 0);
		for (uint32_t t = 0; t < 3; t++) {
			uint64_t k = 0;

			trawl_cyclic_slice(&c, 0, 2, t % 2, 2, &a);
			b = a;
			/* walk a third of the run (at most 200000 steps), count positions */
			for (uint64_t i = 0; i < 200000 && a.left > b.left - b.left / 3; i++)
				trawl_cyclic_next(&a, &x);
			k = b.left - a.left;
			trawl_cyclic_iter_skip(&b, k);
			CHECK_EQ_U64(a.left, b.left);
			CHECK_EQ_U64(a.cur, b.cur);
			for (int i = 0; i < 1000; i++) {
				int ra = trawl_cyclic_next(&a, &x), rb = trawl_cyclic_next(&b, &y);

				CHECK(ra == rb);
				if (ra)
					CHECK_EQ_U64(x, y);
			}
		}
	}
}

/* Skipping past the end stops at the end: nothing more to send. */
static void
test_skip_to_end(void)
{
	struct trawl_cyclic c;
	struct trawl_cyclic_iter it;
	uint64_t x;

	CHECK(trawl_cyclic_init(&c, 100, 7) == 0);
	trawl_cyclic_slice(&c, 0, 1, 0, 1, &it);
	trawl_cyclic_iter_skip(&it, UINT64_MAX);
	CHECK_EQ_U64(it.left, 0);
	CHECK(!trawl_cyclic_next(&it, &x));
}

static void
sample(struct trawl_ckpt *ck)
{
	memset(ck, 0, sizeof(*ck));
	ck->scan_id = UINT64_MAX - 5; /* above 2^53: must survive JSON */
	ck->seed = UINT64_C(15455184459138356451);
	strcpy(ck->probe_module, "tcp_synscan");
	ck->shards = 3;
	ck->shard = 2;
	ck->tx_threads = 2;
	ck->targets = UINT64_C(1) << 48;
	ck->results = 12345;
	ck->output_bytes = 999999;
	ck->attempts = 4;
	ck->pos[0].left = UINT64_C(1) << 47;
	ck->pos[0].targets = 17;
	ck->pos[1].left = 0;
	ck->pos[1].targets = UINT64_MAX - 1;
}

static char dir[] = "/tmp/trawl-ckpt-XXXXXX";

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
test_save_load_round_trip(void)
{
	struct trawl_ckpt a, b;
	struct trawl_err err;
	char p[256], tmp[300];

	path_in(p, sizeof(p), "ck.json");
	sample(&a);
	a.done = 1;
	CHECK(trawl_ckpt_save(p, &a, &err) == 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	CHECK(access(tmp, F_OK) != 0); /* renamed, not left behind */
	CHECK(trawl_ckpt_load(p, &b, &err) == 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(trawl_ckpt_differs(&a, &b) == NULL);
	/* saved again over itself: still one whole file */
	a.results++;
	CHECK(trawl_ckpt_save(p, &a, &err) == 0);
	CHECK(trawl_ckpt_load(p, &b, &err) == 0);
	CHECK_EQ_U64(b.results, 12346);
}

static void
test_missing_is_enoent(void)
{
	struct trawl_ckpt b;
	struct trawl_err err;
	char p[256];

	path_in(p, sizeof(p), "none.json");
	CHECK(trawl_ckpt_load(p, &b, &err) == -ENOENT);
}

static int
load_text(const char *text, struct trawl_err *err)
{
	struct trawl_ckpt b;
	char p[256];
	FILE *f;

	path_in(p, sizeof(p), "bad.json");
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return trawl_ckpt_load(p, &b, err);
}

/* Damaged or foreign files are refused with a reason, never half-read. */
static void
test_damaged_refused(void)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"{\"trawl_checkpoint\": 2}",
		"{\"some\": \"json\"}",
		/* one position for two threads */
		"{\"trawl_checkpoint\":1,\"scan_id\":\"1\",\"seed\":\"1\",\"probe_module\":\"tcp_synscan\",\"shards\":1,"
		"\"shard\":0,\"sender_threads\":2,\"targets\":\"5\",\"results\":\"0\",\"output_bytes\":\"0\","
		"\"attempts\":1,\"done\":false,\"positions\":[{\"left\":\"1\",\"targets\":\"0\"}]}",
		/* a negative count */
		"{\"trawl_checkpoint\":1,\"scan_id\":\"1\",\"seed\":\"1\",\"probe_module\":\"tcp_synscan\",\"shards\":1,"
		"\"shard\":0,\"sender_threads\":1,\"targets\":\"5\",\"results\":\"-3\",\"output_bytes\":\"0\","
		"\"attempts\":1,\"done\":false,\"positions\":[{\"left\":\"1\",\"targets\":\"0\"}]}",
		/* 65 threads */
		"{\"trawl_checkpoint\":1,\"scan_id\":\"1\",\"seed\":\"1\",\"probe_module\":\"tcp_synscan\",\"shards\":1,"
		"\"shard\":0,\"sender_threads\":65,\"targets\":\"5\",\"results\":\"0\",\"output_bytes\":\"0\","
		"\"attempts\":1,\"done\":false,\"positions\":[]}",
	};
	struct trawl_err err;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		CHECK(load_text(bad[i], &err) == -EINVAL);
		CHECK(strstr(err.msg, "bad.json") != NULL);
	}
	CHECK(load_text("{\"trawl_checkpoint\":1,\"scan_id\":\"1\",\"seed\":\"1\",\"probe_module\":\"tcp_synscan\","
		"\"shards\":1,\"shard\":0,\"sender_threads\":1,\"targets\":\"5\",\"results\":\"0\",\"output_bytes\":\"0\","
		"\"attempts\":1,\"done\":false,\"positions\":[{\"left\":\"1\",\"targets\":\"0\"}]}", &err) == 0);
}

/* Each setting that makes another scan is named; the same set written another way is the same scan. */
static void
test_differs(void)
{
	struct trawl_ranges allow = { 0 }, allow2 = { 0 }, block = { 0 };
	struct trawl_constraint c1, c2;
	struct trawl_ports p1, p2;
	struct trawl_range r;
	struct trawl_ckpt a, b;

	trawl_parse_cidr("198.18.0.0/16", &r);
	trawl_ranges_add(&allow, r);
	trawl_parse_cidr("198.18.0.0/17", &r);
	trawl_ranges_add(&allow2, r);
	trawl_parse_cidr("198.18.128.0/17", &r);
	trawl_ranges_add(&allow2, r);
	trawl_constraint_build(&c1, &allow, &block);
	trawl_constraint_build(&c2, &allow2, &block);
	trawl_ports_parse(&p1, "80,443", NULL);
	trawl_ports_parse(&p2, "443,80", NULL);
	CHECK_EQ_U64(trawl_ckpt_scan_id(&c1, &p1, "tcp_synscan"), trawl_ckpt_scan_id(&c2, &p2, "tcp_synscan"));
	CHECK(trawl_ckpt_scan_id(&c1, &p1, "tcp_synscan") != trawl_ckpt_scan_id(&c1, &p1, "udp"));
	trawl_ports_parse(&p2, "80,444", NULL);
	CHECK(trawl_ckpt_scan_id(&c1, &p1, "tcp_synscan") != trawl_ckpt_scan_id(&c1, &p2, "tcp_synscan"));

	sample(&a);
	b = a;
	b.seed++;
	CHECK(strstr(trawl_ckpt_differs(&a, &b), "seed") != NULL);
	b = a;
	b.scan_id++;
	CHECK(strstr(trawl_ckpt_differs(&a, &b), "targets") != NULL);
	b = a;
	b.shard = 1;
	CHECK(strstr(trawl_ckpt_differs(&a, &b), "shard") != NULL);
	b = a;
	b.tx_threads = 1;
	CHECK(strstr(trawl_ckpt_differs(&a, &b), "-T") != NULL);
	b = a;
	strcpy(b.probe_module, "udp");
	CHECK(strstr(trawl_ckpt_differs(&a, &b), "probe module") != NULL);
	b = a;
	b.results = 0; /* progress is no part of the identity */
	b.pos[0].left = 1;
	CHECK(trawl_ckpt_differs(&a, &b) == NULL);
	trawl_constraint_free(&c1);
	trawl_constraint_free(&c2);
	trawl_ranges_free(&allow);
	trawl_ranges_free(&allow2);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_skip_equals_walk);
	RUN(test_skip_to_end);
	RUN(test_save_load_round_trip);
	RUN(test_missing_is_enoent);
	RUN(test_damaged_refused);
	RUN(test_differs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done();
}
