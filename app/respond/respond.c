/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `trawl respond`: the virtual internet. Loads the ground truth, starts the
 * port with one queue pair per responder lcore, and answers until SIGINT or
 * SIGTERM; the main lcore prints the status line and writes the JSON report
 * at exit and on SIGUSR1.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "app/core/atomicfile.h"
#include "app/core/clock.h"
#include "app/respond/dataset.h"
#include "app/core/fingerprint.h"
#include "app/core/ipv4.h"
#include "app/core/metric_names.h"
#include "app/respond/conf.h"
#include "app/dp/hashcmp.h"
#include "app/dp/lcore.h"
#include "app/dp/port.h"
#include "app/respond/responder.h"
#include "app/dp/stats.h"
#include "app/dp/eal_args.h"
#include "app/dp/live.h"
#include "app/core/privsep.h"
#include "app/respond/respond.h"

#define MAX_SOURCES 65536

static int quit_signals, report_signals;

static void
on_quit(int sig)
{
	(void)sig;
	__atomic_add_fetch(&quit_signals, 1, __ATOMIC_RELAXED);
}

static void
on_report(int sig)
{
	(void)sig;
	__atomic_add_fetch(&report_signals, 1, __ATOMIC_RELAXED);
}

static int
load(struct trawl_dataset *ds, const char *const *files, unsigned int n, double *secs)
{
	struct trawl_err err;
	double t0 = trawl_mono();

	if (trawl_dataset_init(ds) != 0) {
		fprintf(stderr, "trawl respond: cannot map the dataset bitmaps (1 GiB of address space)\n");
		return 1;
	}
	for (unsigned int i = 0; i < n; i++) {
		int rc = trawl_dataset_load(ds, files[i], &err);

		if (rc != 0) {
			fprintf(stderr, "trawl respond: %s\n", err.msg);
			return rc == -ENOMEM ? 1 : 2;
		}
	}
	trawl_dataset_seal(ds);
	*secs = trawl_mono() - t0;
	return 0;
}

struct totals {
	uint64_t frames, probes[TRAWL_PROBE_KIND_MAX], answered[TRAWL_REPLY_MAX];
	uint64_t unanswered, lost, duplicated, tx_full, toolchains[TRAWL_TC_MAX], sources_overflow;
};

static void
sum(const struct trawl_responder *r, uint32_t n, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < n; i++) {
		t->frames += trawl_stat_get(&r[i].frames);
		for (int k = 0; k < TRAWL_PROBE_KIND_MAX; k++)
			t->probes[k] += trawl_stat_get(&r[i].probes[k]);
		for (int k = 0; k < TRAWL_REPLY_MAX; k++)
			t->answered[k] += trawl_stat_get(&r[i].answered[k]);
		for (int k = 0; k < TRAWL_TC_MAX; k++)
			t->toolchains[k] += trawl_stat_get(&r[i].toolchains[k]);
		t->unanswered += trawl_stat_get(&r[i].unanswered);
		t->lost += trawl_stat_get(&r[i].lost);
		t->duplicated += trawl_stat_get(&r[i].duplicated);
		t->tx_full += trawl_stat_get(&r[i].tx_full);
		t->sources_overflow += trawl_stat_get(&r[i].sources_overflow);
	}
}

static uint64_t
probes_total(const struct totals *t)
{
	uint64_t n = 0;

	for (int k = TRAWL_PROBE_NOT + 1; k < TRAWL_PROBE_KIND_MAX; k++)
		n += t->probes[k];
	return n;
}

static uint64_t
answered_total(const struct totals *t)
{
	uint64_t n = 0;

	for (int k = TRAWL_REPLY_NONE + 1; k < TRAWL_REPLY_MAX; k++)
		n += t->answered[k];
	return n;
}

/* The live counters' row (core/metric_names' respond table): the report's own numbers. */
static void
live_row(const struct totals *t, double uptime_s, uint64_t *row)
{
	row[TRAWL_RM_FRAMES] = t->frames;
	row[TRAWL_RM_PROBES] = probes_total(t);
	row[TRAWL_RM_ANSWERED] = answered_total(t);
	row[TRAWL_RM_DROPPED] = t->unanswered + t->lost + t->tx_full;
	row[TRAWL_RM_DUPLICATED] = t->duplicated;
	row[TRAWL_RM_UPTIME_MS] = (uint64_t)(uptime_s * 1000.0);
	for (int k = 0; k < TRAWL_TC_MAX; k++)
		row[TRAWL_RM_TOOLCHAIN + k] = t->toolchains[k];
}

static uint64_t live_hosts; /* counted once after loading: a walk of the 512 MiB bitmap */

static int
write_report(const char *path, const struct trawl_responder *r, uint32_t n, const struct trawl_dataset *ds,
		double load_s, double uptime_s)
{
	static const char *const kinds[TRAWL_PROBE_KIND_MAX] = { "not_probe", "tcp_syn", "icmp_echo", "udp", "arp" };
	json_t *o = json_object(), *pk = json_object(), *ans = json_object(), *drop = json_object();
	json_t *tc = json_object(), *srcs = json_object(), *dsj = json_object();
	struct totals t;
	char ip[16], *text;
	int rc;

	sum(r, n, &t);
	for (int k = 1; k < TRAWL_PROBE_KIND_MAX; k++)
		json_object_set_new(pk, kinds[k], json_integer((json_int_t)t.probes[k]));
	for (int k = 1; k < TRAWL_REPLY_MAX; k++)
		json_object_set_new(ans, trawl_reply_names[k], json_integer((json_int_t)t.answered[k]));
	json_object_set_new(drop, "no_such_host", json_integer((json_int_t)t.unanswered));
	json_object_set_new(drop, "loss", json_integer((json_int_t)t.lost));
	json_object_set_new(drop, "tx_full", json_integer((json_int_t)t.tx_full));
	for (int k = 0; k < TRAWL_TC_MAX; k++)
		json_object_set_new(tc, trawl_toolchain_names[k], json_integer((json_int_t)t.toolchains[k]));
	/* Per source: merged over lcores (RSS keeps a source's probes on several queues). */
	for (uint32_t i = 0; i < n; i++) {
		const void *key;
		void *data;
		uint32_t next = 0;
		int32_t pos;

		while ((pos = rte_hash_iterate(r[i].sources, &key, &data, &next)) >= 0) {
			const struct trawl_fp_entry *e = &r[i].src[pos];
			json_t *s = json_object_get(srcs, trawl_ipv4_str(e->saddr, ip));

			if (s == NULL) {
				s = json_object();
				json_object_set_new(srcs, ip, s);
			}
			for (int k = 0; k < TRAWL_TC_MAX; k++) {
				uint64_t v = __atomic_load_n(&e->counts[k], __ATOMIC_RELAXED);
				json_t *cur = json_object_get(s, trawl_toolchain_names[k]);

				if (v != 0 || cur != NULL)
					json_object_set_new(s, trawl_toolchain_names[k],
						json_integer((json_int_t)v + (cur ? json_integer_value(cur) : 0)));
			}
		}
	}
	json_object_set_new(dsj, "live_hosts", json_integer((json_int_t)live_hosts));
	json_object_set_new(dsj, "open_pairs", json_integer((json_int_t)ds->npairs));
	json_object_set_new(dsj, "load_time_s", json_real(load_s));
	json_object_set_new(o, "trawl_version", json_string(TRAWL_VERSION));
	json_object_set_new(o, "uptime_s", json_real(uptime_s));
	json_object_set_new(o, "frames", json_integer((json_int_t)t.frames));
	json_object_set_new(o, "probes", json_integer((json_int_t)probes_total(&t)));
	json_object_set_new(o, "probes_by_kind", pk);
	json_object_set_new(o, "answered", json_integer((json_int_t)answered_total(&t)));
	json_object_set_new(o, "answered_by_kind", ans);
	json_object_set_new(o, "dropped", json_integer((json_int_t)(t.unanswered + t.lost + t.tx_full)));
	json_object_set_new(o, "dropped_by_reason", drop);
	json_object_set_new(o, "duplicated", json_integer((json_int_t)t.duplicated));
	json_object_set_new(o, "not_probes", json_integer((json_int_t)t.probes[TRAWL_PROBE_NOT]));
	json_object_set_new(o, "toolchains", tc);
	json_object_set_new(o, "sources", srcs);
	/* Scanners that left (memif) while a burst was under way: see app/dp/port.h. */
	json_object_set_new(o, "bursts_abandoned", json_integer((json_int_t)trawl_port_bursts_abandoned()));
	json_object_set_new(o, "sources_overflow", json_integer((json_int_t)t.sources_overflow));
	json_object_set_new(o, "dataset", dsj);
	json_object_set_new(o, "run_as_user", trawl_privsep_user() ? json_string(trawl_privsep_user()) : json_null());
	/* Whole or not there (PATH.tmp, renamed): a reader polling for SIGUSR1's report never sees half of one. */
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	rc = text != NULL ? trawl_write_file_atomic(path, text, strlen(text)) : -ENOMEM;
	free(text);
	return rc;
}

static int
compile(const struct trawl_respond_conf *c)
{
	struct trawl_dataset ds;
	struct trawl_err err;
	double secs;
	int rc = load(&ds, &c->compile_in, 1, &secs);

	if (rc != 0)
		return rc;
	rc = trawl_dataset_write(&ds, c->compile_out, &err);
	if (rc != 0)
		fprintf(stderr, "trawl respond: %s\n", err.msg);
	else {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "trawl respond: %s -> %s: %" PRIu64 " live hosts, %zu (address, port) pairs, "
			"read in %.2f s, peak memory %.0f MiB\n", c->compile_in, c->compile_out,
			trawl_dataset_count_live(&ds), ds.npairs, secs, (double)ru.ru_maxrss / 1024.0);
	}
	trawl_dataset_free(&ds);
	return rc == 0 ? 0 : 1;
}

int
trawl_respond_main(int argc, char **argv)
{
	static struct trawl_respond_conf conf;
	static struct trawl_respond_cfg cfg;
	static struct trawl_live live;
	struct trawl_dataset ds;
	struct trawl_eal_args eal;
	struct trawl_err err = { "" };
	struct trawl_port port = { 0 };
	struct trawl_lcore_map map = { 0 };
	struct trawl_role roles[64];
	struct trawl_responder *resp = NULL;
	struct rte_mempool *pool = NULL;
	uint32_t stop = 0;
	double load_s = 0, t_start;
	uint64_t key[2];
	int rc, status = 0;

	rc = trawl_respond_conf_parse(&conf, argc, argv, stdout, &err);
	if (rc == 1)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		trawl_respond_conf_free(&conf);
		return rc == -ENOMEM ? 1 : 2;
	}
	if (conf.compile_in != NULL) {
		rc = compile(&conf);
		trawl_respond_conf_free(&conf);
		return rc;
	}
	/* Before anything slow: a report request during start-up must not kill the responder. */
	signal(SIGINT, on_quit);
	signal(SIGTERM, on_quit);
	signal(SIGUSR1, on_report);
	if (trawl_privsep_init(conf.user, &err) != 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		return 2;
	}
	rc = load(&ds, conf.datasets, conf.ndatasets, &load_s);
	if (rc != 0)
		return rc;
	live_hosts = trawl_dataset_count_live(&ds);
	if (!conf.quiet)
		fprintf(stderr, "trawl respond: dataset loaded in %.2f s: %" PRIu64 " live hosts, %zu listed (address, port) pairs\n",
			load_s, live_hosts, ds.npairs);
	if (trawl_eal_args_build(&eal, "trawl", conf.eal, conf.dev, (uint16_t)conf.threads, (uint16_t)conf.threads) != 0) {
		fprintf(stderr, "trawl respond: --eal: too many arguments\n");
		return 2;
	}
	/* The one file the keeper may write for us once we are no longer root. */
	trawl_privsep_allow_write(conf.report);
	trawl_privsep_allow_write(conf.metrics_file);
	if (trawl_privsep_start(&err) != 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		return 1;
	}
	if (trawl_eal_start(&eal) != 0) {
		fprintf(stderr, "trawl respond: cannot start DPDK (EAL) with --dev '%s': %s\n", conf.dev,
			rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
		return 1;
	}
	if ((rc = trawl_live_start(&live, "trawl respond", "/trawl/respond",
			"The responder's counters, as its status line and report name them.",
			trawl_respond_metrics, TRAWL_RM_MAX, conf.metrics_file)) != 0) {
		fprintf(stderr, "trawl respond: live counters (telemetry, --metrics-file): %s\n", strerror(-rc));
		status = 1;
		goto out;
	}
	if (trawl_port_find(conf.dev, &port, &err) != 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		status = 1;
		goto out;
	}
	if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		fprintf(stderr, "trawl respond: getrandom failed\n");
		status = 1;
		goto out;
	}
	cfg.ds = &ds;
	cfg.wild_ports = conf.ports;
	cfg.isn_key = (struct trawl_siphash_key){ key[0], key[1] };
	cfg.mac = port.mac;
	memcpy(cfg.gw, conf.gw, sizeof(cfg.gw));
	cfg.ngw = conf.ngw;
	cfg.udp = conf.udp;

	pool = rte_pktmbuf_pool_create("trawl_resp_pool", 2 * TRAWL_RX_DESC * conf.threads + 8192, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, port.socket);
	resp = rte_zmalloc("trawl_resp", sizeof(*resp) * conf.threads, RTE_CACHE_LINE_SIZE);
	if (pool == NULL || resp == NULL) {
		fprintf(stderr, "trawl respond: out of DPDK memory (give the EAL more: --eal \"-m 512\")\n");
		status = 1;
		goto out;
	}
	for (uint32_t i = 0; i < conf.threads; i++) {
		char name[32];
		struct rte_hash_parameters hp = {
			.name = name, .entries = MAX_SOURCES, .key_len = sizeof(uint32_t),
			.hash_func = rte_hash_crc, .socket_id = port.socket,
			/* The main lcore reads it for a SIGUSR1 report while the responder adds to it. */
			.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
		};

		snprintf(name, sizeof(name), "trawl_src%u", i);
		resp[i].cfg = &cfg;
		resp[i].stop = &stop;
		resp[i].pool = pool;
		resp[i].port = port.id;
		resp[i].queue = (uint16_t)i;
		resp[i].max_sources = MAX_SOURCES;
		resp[i].last_pos = -1;
		resp[i].loss_below = (uint64_t)(conf.loss * 18446744073709551615.0);
		resp[i].dup_below = (uint64_t)(conf.duplicate * 18446744073709551615.0);
		resp[i].rng = key[0] ^ (0x9e3779b97f4a7c15ULL * (i + 1)) ^ 1;
		resp[i].sources = rte_hash_create(&hp);
		resp[i].src = rte_zmalloc("trawl_src", sizeof(*resp[i].src) * (MAX_SOURCES + 1), RTE_CACHE_LINE_SIZE);
		if (resp[i].sources == NULL || resp[i].src == NULL) {
			fprintf(stderr, "trawl respond: out of DPDK memory for the source table\n");
			status = 1;
			goto out;
		}
		rte_hash_set_cmp_func(resp[i].sources, trawl_hash_key32_cmp);
		roles[i] = (struct trawl_role){ "respond", trawl_responder_poll, &resp[i] };
	}
	if (trawl_port_start(&port, (uint16_t)conf.threads, (uint16_t)conf.threads, pool, &err) != 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		status = 1;
		goto out;
	}
	for (uint32_t i = 0; i < conf.threads; i++)
		resp[i].link_gated = port.caps.link_gated; /* before launch: the lcores read it from then on */
	/* Every ARP reply and answer leaves with the port's MAC; accept frames for any MAC, as a router would. */
	rte_eth_promiscuous_enable(port.id);
	/* Set up: from here on no root, before the first frame from the wire is read. */
	if (trawl_privsep_drop(&err) != 0) {
		fprintf(stderr, "trawl respond: %s\n", err.msg);
		status = 1;
		goto out;
	}
	if (trawl_lcore_map_build(&map, roles, conf.threads) != 0 || trawl_lcore_map_launch(&map) != 0) {
		fprintf(stderr, "trawl respond: cannot launch the lcores\n");
		trawl_flag_set(&stop);
		trawl_lcore_map_wait(&map);
		status = 1;
		goto out;
	}
	t_start = trawl_mono();
	{
		/* TSC, not clock_gettime, per round: main may be running the responder role too. */
		uint64_t hz = rte_get_tsc_hz(), next = rte_rdtsc() + hz;
		struct totals prev = { 0 }, t;
		uint64_t row[TRAWL_RM_MAX];
		int reports = 0;

		while (__atomic_load_n(&quit_signals, __ATOMIC_RELAXED) == 0) {
			trawl_lcore_poll_main(&map);
			if (rte_rdtsc() < next)
				continue;
			next += hz;
			sum(resp, conf.threads, &t);
			if (!conf.quiet)
				fprintf(stderr, "respond %.0fs: probes %" PRIu64 " (%.0f pps), answered %" PRIu64
					", dropped %" PRIu64 ", zmap %" PRIu64 " masscan %" PRIu64 " nmap %" PRIu64
					" unicornscan %" PRIu64 " trawl %" PRIu64 " unknown %" PRIu64 "\n",
					trawl_mono() - t_start, probes_total(&t), (double)(probes_total(&t) - probes_total(&prev)),
					answered_total(&t), t.unanswered + t.lost + t.tx_full,
					t.toolchains[TRAWL_TC_ZMAP], t.toolchains[TRAWL_TC_MASSCAN], t.toolchains[TRAWL_TC_NMAP],
					t.toolchains[TRAWL_TC_UNICORNSCAN], t.toolchains[TRAWL_TC_TRAWL],
					t.toolchains[TRAWL_TC_UNKNOWN]);
			prev = t;
			live_row(&t, trawl_mono() - t_start, row);
			trawl_live_publish(&live, row);
			if (conf.report != NULL && __atomic_load_n(&report_signals, __ATOMIC_RELAXED) != reports) {
				reports = __atomic_load_n(&report_signals, __ATOMIC_RELAXED);
				write_report(conf.report, resp, conf.threads, &ds, load_s, trawl_mono() - t_start);
			}
		}
	}
	trawl_flag_set(&stop);
	while (!trawl_lcore_poll_main(&map))
		;
	trawl_lcore_map_wait(&map);
	if (conf.report != NULL && write_report(conf.report, resp, conf.threads, &ds, load_s, trawl_mono() - t_start) != 0) {
		fprintf(stderr, "trawl respond: %s: cannot write the report\n", conf.report);
		status = 1;
	}
	{
		/* The last row: what the report says (a warning if the file cannot take it). */
		struct totals t;
		uint64_t row[TRAWL_RM_MAX];

		sum(resp, conf.threads, &t);
		live_row(&t, trawl_mono() - t_start, row);
		trawl_live_publish(&live, row);
	}
out:
	if ((rc = trawl_live_finish(&live)) != 0)
		fprintf(stderr, "trawl respond: --metrics-file %s: cannot write it: %s\n", conf.metrics_file, strerror(-rc));
	trawl_eal_quiet_teardown();
	if (port.started)
		trawl_port_close(&port);
	for (uint32_t i = 0; resp != NULL && i < conf.threads; i++) {
		rte_hash_free(resp[i].sources);
		rte_free(resp[i].src);
	}
	rte_free(resp);
	rte_mempool_free(pool);
	trawl_lcore_map_free(&map);
	rte_eal_cleanup();
	trawl_eal_args_free(&eal);
	trawl_dataset_free(&ds);
	trawl_respond_conf_free(&conf);
	return status;
}
