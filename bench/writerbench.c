/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The result writer at Internet scale, in process: N results (default 60 M,
 * a full IPv4 port-80 scan's worth of open hosts), every one a different
 * target of 0.0.0.0/0 less the default blocklist on one port (3.7 G
 * targets: the 441 MiB dedup bitmap), in the order a scan meets them (the
 * permutation), through the real writer role (trawl_writer_poll: ring
 * dequeue, dedup, CSV formatting of the default field saddr into the
 * flusher's buffers) and the real flusher thread writing to OUTPUT. The
 * results are put in the writer's ring outside the timed part; every
 * poll call is timed with the TSC. Then the same targets again (every one
 * a repeat: the dedup hit path), and the formatting alone against snprintf.
 * The dedup table is faulted in first, as trawl scan does before sending.
 *   writerbench [EAL args] -- [RESULTS [OUTPUT [nofmt]]]   (OUTPUT default /dev/null;
 *                                                         nofmt: no snprintf comparison, for callgrind)
 * prints markdown rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "app/core/constraint.h"
#include "app/core/cyclic.h"
#include "app/core/dedup.h"
#include "app/core/fmt.h"
#include "app/core/ports.h"
#include "app/core/target.h"
#include "app/dp/engine.h"
#include "app/dp/flusher.h"
#include "app/dp/writer.h"
#include "app/outputs/output.h"
#include "bench/benchutil.h"

#define BURST 64

struct pass {
	uint64_t results, cycles, polls_waiting;
	double wall;
};

/* One pass over the first `count` targets of the permutation, all through the writer. */
static void
run_pass(struct trawl_writer *w, struct rte_ring *ring, const struct trawl_target_space *sp, uint64_t count,
		struct pass *p)
{
	struct trawl_cyclic cyc;
	struct trawl_cyclic_iter it;
	struct trawl_result r[BURST];
	uint64_t idx, fed = 0, before = w->received, waits = w->output_waits;
	double t0 = trawl_mono();

	memset(p, 0, sizeof(*p));
	memset(r, 0, sizeof(r));
	trawl_cyclic_init(&cyc, sp->count, 1);
	trawl_cyclic_slice(&cyc, 0, 1, 0, 1, &it);
	while (fed < count) {
		unsigned int n = 0;

		while (n < BURST && fed + n < count && trawl_cyclic_next(&it, &idx)) {
			struct trawl_target t;

			trawl_target_at(sp, idx, &t);
			r[n].target = idx;
			r[n].saddr = t.addr;
			r[n].sport = t.port;
			r[n].success = 1;
			r[n].tsc = 1;
			n++;
		}
		if (n == 0)
			break;
		while (rte_ring_sp_enqueue_bulk_elem(ring, r, sizeof(r[0]), n, NULL) == 0) {
			uint64_t c0 = rte_rdtsc_precise();

			trawl_writer_poll(w);
			p->cycles += rte_rdtsc_precise() - c0;
		}
		fed += n;
		while (!rte_ring_empty(ring)) {
			uint64_t c0 = rte_rdtsc_precise();

			trawl_writer_poll(w);
			p->cycles += rte_rdtsc_precise() - c0;
		}
	}
	p->results = w->received - before;
	p->polls_waiting = w->output_waits - waits;
	p->wall = trawl_mono() - t0;
}

static double
format_cycles(int use_snprintf, uint64_t n)
{
	static char buf[1 << 20];
	size_t off = 0;
	uint64_t t0 = rte_rdtsc_precise(), x = 99;

	for (uint64_t i = 0; i < n; i++) {
		uint32_t a = (uint32_t)trawl_splitmix64(&x);

		if (off > sizeof(buf) - 64)
			off = 0;
		if (use_snprintf)
			off += (size_t)snprintf(buf + off, 32, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
					a & 0xff);
		else {
			char *e = trawl_put_ipv4(buf + off, a);

			*e++ = '\n';
			off = (size_t)(e - buf);
		}
	}
	t0 = rte_rdtsc_precise() - t0;
	if (buf[0] == 'x')
		printf("(unlikely)\n");
	/* The address generator is in both figures; it is a few cycles. */
	return (double)t0 / (double)n;
}

int
main(int argc, char **argv)
{
	static struct trawl_ports ports;
	struct trawl_constraint c;
	struct trawl_target_space sp;
	struct trawl_engine *eng;
	struct trawl_writer *w;
	struct trawl_dedup dedup;
	struct trawl_output out;
	struct trawl_flusher fl;
	struct trawl_err err;
	struct rte_ring *ring;
	const struct trawl_field *fields[TRAWL_MAX_FIELDS];
	struct pass fresh, again;
	const char *path = "/dev/null";
	uint64_t total = 60000000, rss0;
	double hz, t_fin, t_pop;
	int n = rte_eal_init(argc, argv), fmt = 1;

	if (n < 0)
		return 1;
	if (argc - n > 1)
		total = strtoull(argv[n + 1], NULL, 0);
	if (argc - n > 2)
		path = argv[n + 2];
	if (argc - n > 3 && strcmp(argv[n + 3], "nofmt") == 0)
		fmt = 0;
	hz = (double)rte_get_tsc_hz();
	if (bench_ipv4_space(&c, &ports, &sp) != 0)
		return 1;

	rss0 = bench_rss();
	if (trawl_dedup_init(&dedup, sp.count, UINT64_C(1) << 30) != 0)
		return 1;
	/* As trawl scan does before it sends: the page faults are paid here, not by the writer. */
	t_pop = trawl_mono();
	if (trawl_dedup_populate(&dedup) != 0)
		return 1;
	t_pop = trawl_mono() - t_pop;
	trawl_fields_parse("saddr", TRAWL_FIELDS_TCP, fields, &err);
	trawl_output_init(&out, trawl_output_find("csv"), fields, 1, 1);
	if (trawl_flusher_open(&fl, path, 0, &err) != 0 || trawl_flusher_start(&fl, &err) != 0) {
		fprintf(stderr, "writerbench: %s\n", err.msg);
		return 1;
	}
	eng = rte_zmalloc(NULL, sizeof(*eng), RTE_CACHE_LINE_SIZE);
	w = rte_zmalloc(NULL, sizeof(*w), RTE_CACHE_LINE_SIZE);
	ring = rte_ring_create_elem("wb", sizeof(struct trawl_result), 65536, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (eng == NULL || w == NULL || ring == NULL)
		return 1;
	eng->hz = rte_get_tsc_hz();
	w->eng = eng;
	w->in[w->nin++] = ring;
	w->dedup = &dedup;
	w->out = &out;
	w->fl = &fl;

	run_pass(w, ring, &sp, total, &fresh);
	run_pass(w, ring, &sp, total, &again);
	eng->stop_writer = 1;
	while (trawl_writer_poll(w) != TRAWL_ROLE_DONE)
		;
	t_fin = trawl_mono();
	trawl_flusher_finish(&fl, 10.0, 0);
	t_fin = trawl_mono() - t_fin;
	if (fl.rows_written != total || w->duplicates != total || dedup.used != total) {
		fprintf(stderr, "writerbench: %" PRIu64 " rows written, %" PRIu64 " repeats, %" PRIu64 " remembered, wanted %"
			PRIu64 "\n", fl.rows_written, w->duplicates, dedup.used, total);
		return 1;
	}
	printf("| writer lcore, every result new (dedup bitmap over %" PRIu64 " targets, CSV saddr) | %" PRIu64
		" results | %.1f cycles/result: %.2f M results/s |\n", sp.count, fresh.results,
		(double)fresh.cycles / (double)fresh.results, hz / ((double)fresh.cycles / (double)fresh.results) / 1e6);
	printf("| writer lcore, every result a repeat (dedup hit) | %" PRIu64 " results | %.1f cycles/result: %.2f M "
		"results/s |\n", again.results, (double)again.cycles / (double)again.results,
		hz / ((double)again.cycles / (double)again.results) / 1e6);
	printf("| output thread, %s | %" PRIu64 " rows, %.0f MB, in %.2f s of the writer's %.2f s (+%.2f s to finish); "
		"writer waited for a buffer in %" PRIu64 " polls | %.0f MB/s |\n", path, fl.rows_written,
		(double)fl.bytes_written / 1e6, fresh.wall, fresh.wall + again.wall, t_fin, fresh.polls_waiting,
		(double)fl.bytes_written / 1e6 / (fresh.wall + t_fin));
	printf("| dedup memory after %" PRIu64 " new results | mapped %.0f MiB (stated at start), faulted in before "
		"sending in %.2f s | resident %.0f MiB |\n", total, (double)dedup.bytes / (1 << 20), t_pop,
		(double)(bench_rss() - rss0) / (1 << 20));
	if (fmt)
		printf("| formatting one address | trawl_put_ipv4 %.1f cycles | snprintf(\"%%u.%%u.%%u.%%u\") %.1f cycles |\n",
			format_cycles(0, 20000000), format_cycles(1, 20000000));
	trawl_flusher_close(&fl);
	trawl_dedup_free(&dedup);
	return 0;
}
