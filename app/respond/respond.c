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

/* Every file into @p ds, sealed; on failure nothing is left to free. @return 0, 1 or 2 (said). */
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
			trawl_dataset_free(ds);
			return rc == -ENOMEM ? 1 : 2;
		}
	}
	trawl_dataset_seal(ds);
	*secs = trawl_mono() - t0;
	return 0;
}

struct totals {
	uint64_t frames, probes[TRAWL_PROBE_KIND_MAX], answered[TRAWL_REPLY_MAX];
	uint64_t svc_acks[TRAWL_SVC_MAX], svc_answered[TRAWL_SVC_MAX];
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
		for (int k = 0; k < TRAWL_SVC_MAX; k++) {
			t->svc_acks[k] += trawl_stat_get(&r[i].svc_acks[k]);
			t->svc_answered[k] += trawl_stat_get(&r[i].svc_answered[k]);
		}
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

static int
write_report(const char *path, const struct trawl_responder *r, uint32_t n, const struct trawl_dataset *ds,
		uint64_t live_hosts, double load_s, double uptime_s)
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
	json_object_set_new(dsj, "service_lines", json_integer((json_int_t)ds->nsvc));
	json_object_set_new(dsj, "middlebox_blocks", json_integer((json_int_t)ds->nmbox));
	/* IPv6: addresses listed whole, prefixes, and (address, port) pairs (core of dataset6.h). */
	json_object_set_new(dsj, "ipv6_addresses", json_integer((json_int_t)ds->six.naddrs));
	json_object_set_new(dsj, "ipv6_prefixes", json_integer((json_int_t)ds->six.nranges));
	json_object_set_new(dsj, "ipv6_pairs", json_integer((json_int_t)ds->six.npairs));
	{
		/* Per service: segments that completed a handshake with it (or carried the client's first data), and first flights sent. */
		json_t *sv = json_object();

		for (int k = 1; k < TRAWL_SVC_MAX; k++) {
			json_t *e = json_object();

			json_object_set_new(e, "handshake_segments", json_integer((json_int_t)t.svc_acks[k]));
			json_object_set_new(e, "answered", json_integer((json_int_t)t.svc_answered[k]));
			json_object_set_new(sv, trawl_svc_names[k], e);
		}
		json_object_set_new(o, "services", sv);
	}
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
		fprintf(stderr, "trawl respond: %s -> %s: %" PRIu64 " live hosts, %zu (address, port) pairs; IPv6: %zu "
			"addresses, %zu prefixes, %zu pairs; read in %.2f s, peak memory %.0f MiB\n", c->compile_in,
			c->compile_out, trawl_dataset_count_live(&ds), ds.npairs, ds.six.naddrs, ds.six.nranges,
			ds.six.npairs, secs, (double)ru.ru_maxrss / 1024.0);
	}
	trawl_dataset_free(&ds);
	return rc == 0 ? 0 : 1;
}

/* --- the run, phase by phase ------------------------------------------- */

/* Everything one `trawl respond` holds; the phases fill it, teardown() empties what they filled. */
struct respond {
	struct trawl_respond_conf conf;
	struct trawl_respond_cfg cfg;  /**< what every responder lcore reads */
	struct trawl_live live;        /**< telemetry reads it from its own thread */
	struct trawl_dataset ds;
	struct trawl_eal_args eal;
	struct trawl_port port;
	struct trawl_lcore_map map;
	struct trawl_role roles[64];
	struct trawl_responder *resp;  /**< one per lcore */
	struct rte_mempool *pool;
	uint32_t stop;
	int eal_up;
	uint64_t live_hosts;           /**< counted once after loading: a walk of the 512 MiB bitmap */
	uint64_t key[2];
	double load_s, t_start;
};

#define SAY(...) fprintf(stderr, "trawl respond: " __VA_ARGS__)

/* Signals, the privilege keeper, the dataset, the EAL. @return 0 or the exit status (said). */
static int
setup_host(struct respond *r)
{
	struct trawl_respond_conf *conf = &r->conf;
	struct trawl_err err = { "" };
	int rc;

	/* Before anything slow: a report request during start-up must not kill the responder. */
	signal(SIGINT, on_quit);
	signal(SIGTERM, on_quit);
	signal(SIGUSR1, on_report);
	if (trawl_privsep_init(conf->user, &err) != 0) {
		SAY("%s\n", err.msg);
		return 2;
	}
	rc = load(&r->ds, conf->datasets, conf->ndatasets, &r->load_s);
	if (rc != 0)
		return rc;
	r->live_hosts = trawl_dataset_count_live(&r->ds);
	if (!conf->quiet)
		SAY("dataset loaded in %.2f s: %" PRIu64 " live hosts, %zu listed (address, port) pairs; IPv6: %zu "
			"addresses, %zu prefixes, %zu pairs\n", r->load_s, r->live_hosts, r->ds.npairs, r->ds.six.naddrs,
			r->ds.six.nranges, r->ds.six.npairs);
	if (trawl_eal_args_build(&r->eal, "trawl", conf->eal, conf->dev, (uint16_t)conf->threads,
			(uint16_t)conf->threads) != 0) {
		SAY("--eal: too many arguments\n");
		return 2;
	}
	/* The files the keeper may write for us once we are no longer root. */
	trawl_privsep_allow_write(conf->report);
	trawl_privsep_allow_write(conf->metrics_file);
	if (trawl_privsep_start(&err) != 0) {
		SAY("%s\n", err.msg);
		return 1;
	}
	if (trawl_eal_start(&r->eal) != 0) {
		SAY("cannot start DPDK (EAL) with --dev '%s': %s\n", conf->dev,
			rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
		return 1;
	}
	r->eal_up = 1;
	return 0;
}

/* One responder per lcore/queue: its source table and its share of the loss and duplicate draws. @return 0 or 1. */
static int
setup_responders(struct respond *r)
{
	const struct trawl_respond_conf *conf = &r->conf;

	r->pool = rte_pktmbuf_pool_create("trawl_resp_pool", 2 * TRAWL_RX_DESC * conf->threads + 8192, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, r->port.socket);
	r->resp = rte_zmalloc("trawl_resp", sizeof(*r->resp) * conf->threads, RTE_CACHE_LINE_SIZE);
	if (r->pool == NULL || r->resp == NULL) {
		SAY("out of DPDK memory (give the EAL more: --eal \"-m 512\")\n");
		return 1;
	}
	for (uint32_t i = 0; i < conf->threads; i++) {
		struct trawl_responder *x = &r->resp[i];
		char name[32];
		struct rte_hash_parameters hp = {
			.name = name, .entries = MAX_SOURCES, .key_len = sizeof(uint32_t),
			.hash_func = rte_hash_crc, .socket_id = r->port.socket,
			/* The main lcore reads it for a SIGUSR1 report while the responder adds to it. */
			.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
		};

		snprintf(name, sizeof(name), "trawl_src%u", i);
		x->cfg = &r->cfg;
		x->stop = &r->stop;
		x->pool = r->pool;
		x->port = r->port.id;
		x->queue = (uint16_t)i;
		x->max_sources = MAX_SOURCES;
		x->last_pos = -1;
		x->loss_below = (uint64_t)(conf->loss * 18446744073709551615.0);
		x->dup_below = (uint64_t)(conf->duplicate * 18446744073709551615.0);
		x->rng = r->key[0] ^ (0x9e3779b97f4a7c15ULL * (i + 1)) ^ 1;
		x->sources = rte_hash_create(&hp);
		x->src = rte_zmalloc("trawl_src", sizeof(*x->src) * (MAX_SOURCES + 1), RTE_CACHE_LINE_SIZE);
		if (x->sources == NULL || x->src == NULL) {
			SAY("out of DPDK memory for the source table\n");
			return 1;
		}
		rte_hash_set_cmp_func(x->sources, trawl_hash_key32_cmp);
		r->roles[i] = (struct trawl_role){ "respond", trawl_responder_poll, x };
	}
	return 0;
}

/* Live counters, the port, the answers' key, the responders; then root is dropped. @return 0 or 1 (said). */
static int
setup_port(struct respond *r)
{
	const struct trawl_respond_conf *conf = &r->conf;
	struct trawl_err err = { "" };
	int rc;

	if ((rc = trawl_live_start(&r->live, "trawl respond", "/trawl/respond",
			"The responder's counters, as its status line and report name them.",
			trawl_respond_metrics, TRAWL_RM_MAX, conf->metrics_file)) != 0) {
		SAY("live counters (telemetry, --metrics-file): %s\n", strerror(-rc));
		return 1;
	}
	if (trawl_port_find(conf->dev, &r->port, &err) != 0) {
		SAY("%s\n", err.msg);
		return 1;
	}
	if (getrandom(r->key, sizeof(r->key), 0) != sizeof(r->key)) {
		SAY("getrandom failed\n");
		return 1;
	}
	r->cfg.ds = &r->ds;
	r->cfg.wild_ports = conf->ports;
	r->cfg.isn_key = (struct trawl_siphash_key){ r->key[0], r->key[1] };
	r->cfg.mac = r->port.mac;
	memcpy(r->cfg.gw, conf->gw, sizeof(r->cfg.gw));
	r->cfg.ngw = conf->ngw;
	memcpy(r->cfg.gw6, conf->gw6, sizeof(r->cfg.gw6));
	r->cfg.ngw6 = conf->ngw6;
	r->cfg.udp = conf->udp;
	if (setup_responders(r) != 0)
		return 1;
	if (trawl_port_start(&r->port, (uint16_t)conf->threads, (uint16_t)conf->threads, r->pool, &err) != 0) {
		SAY("%s\n", err.msg);
		return 1;
	}
	for (uint32_t i = 0; i < conf->threads; i++)
		r->resp[i].link_gated = r->port.caps.link_gated; /* before launch: the lcores read it from then on */
	/* Every ARP reply and answer leaves with the port's MAC; accept frames for any MAC, as a router would. */
	rte_eth_promiscuous_enable(r->port.id);
	/* Set up: from here on no root, before the first frame from the wire is read. */
	if (trawl_privsep_drop(&err) != 0) {
		SAY("%s\n", err.msg);
		return 1;
	}
	return 0;
}

static void
status_line(const struct respond *r, const struct totals *t, const struct totals *prev)
{
	fprintf(stderr, "respond %.0fs: probes %" PRIu64 " (%.0f pps), answered %" PRIu64 ", dropped %" PRIu64
		", zmap %" PRIu64 " masscan %" PRIu64 " nmap %" PRIu64 " unicornscan %" PRIu64 " trawl %" PRIu64
		" unknown %" PRIu64 "\n",
		trawl_mono() - r->t_start, probes_total(t), (double)(probes_total(t) - probes_total(prev)),
		answered_total(t), t->unanswered + t->lost + t->tx_full,
		t->toolchains[TRAWL_TC_ZMAP], t->toolchains[TRAWL_TC_MASSCAN], t->toolchains[TRAWL_TC_NMAP],
		t->toolchains[TRAWL_TC_UNICORNSCAN], t->toolchains[TRAWL_TC_TRAWL], t->toolchains[TRAWL_TC_UNKNOWN]);
}

/* Sums, the live row and (with --report) the report file, now. @return 0 or the report's -errno. */
static int
publish(struct respond *r, int with_report, struct totals *t)
{
	uint64_t row[TRAWL_RM_MAX];
	double up = trawl_mono() - r->t_start;

	sum(r->resp, r->conf.threads, t);
	live_row(t, up, row);
	trawl_live_publish(&r->live, row);
	if (!with_report || r->conf.report == NULL)
		return 0;
	return write_report(r->conf.report, r->resp, r->conf.threads, &r->ds, r->live_hosts, r->load_s, up);
}

/*
 * Launch the responders and, on the main lcore, poll its share of them and
 * once a second the status line, the live counters and a report asked for
 * by SIGUSR1, until SIGINT/SIGTERM; then stop them. @return 0 or 1 (said).
 */
static int
supervise(struct respond *r)
{
	/* TSC, not clock_gettime, per round: main may be running the responder role too. */
	uint64_t hz, next;
	struct totals prev = { 0 }, t;
	int reports = 0;

	if (trawl_lcore_map_build(&r->map, r->roles, r->conf.threads) != 0 || trawl_lcore_map_launch(&r->map) != 0) {
		SAY("cannot launch the lcores\n");
		trawl_flag_set(&r->stop);
		trawl_lcore_map_wait(&r->map);
		return 1;
	}
	r->t_start = trawl_mono();
	hz = rte_get_tsc_hz();
	next = rte_rdtsc() + hz;
	while (__atomic_load_n(&quit_signals, __ATOMIC_RELAXED) == 0) {
		int asked;

		trawl_lcore_poll_main(&r->map);
		if (rte_rdtsc() < next)
			continue;
		next += hz;
		asked = __atomic_load_n(&report_signals, __ATOMIC_RELAXED);
		publish(r, asked != reports, &t);
		reports = asked;
		if (!r->conf.quiet)
			status_line(r, &t, &prev);
		prev = t;
	}
	trawl_flag_set(&r->stop);
	while (!trawl_lcore_poll_main(&r->map))
		;
	trawl_lcore_map_wait(&r->map);
	return 0;
}

/* Whatever the phases set up, in reverse; the metrics file's last write is said here. */
static void
teardown(struct respond *r)
{
	int rc;

	if ((rc = trawl_live_finish(&r->live)) != 0)
		SAY("--metrics-file %s: cannot write it: %s\n", r->conf.metrics_file, strerror(-rc));
	if (r->eal_up) {
		trawl_eal_quiet_teardown();
		if (r->port.started)
			trawl_port_close(&r->port);
		for (uint32_t i = 0; r->resp != NULL && i < r->conf.threads; i++) {
			rte_hash_free(r->resp[i].sources);
			rte_free(r->resp[i].src);
		}
		rte_free(r->resp);
		rte_mempool_free(r->pool);
		trawl_lcore_map_free(&r->map);
		rte_eal_cleanup();
	}
	trawl_eal_args_free(&r->eal);
	trawl_dataset_free(&r->ds); /* NULL-safe: a dataset never loaded, or freed by load(), is zeroes */
	trawl_respond_conf_free(&r->conf);
}

int
trawl_respond_main(int argc, char **argv)
{
	/* Static: telemetry's thread may read the live counters until the process is gone. */
	static struct respond run;
	struct respond *r = &run;
	struct trawl_err err = { "" };
	struct totals t;
	int status;

	status = trawl_respond_conf_parse(&r->conf, argc, argv, stdout, &err);
	if (status == TRAWL_OPTS_EXIT)
		return 0;
	if (status < 0) {
		SAY("%s\n", err.msg);
		trawl_respond_conf_free(&r->conf);
		return status == -ENOMEM ? 1 : 2;
	}
	if (r->conf.compile_in != NULL)
		status = compile(&r->conf);
	else if ((status = setup_host(r)) == 0 && (status = setup_port(r)) == 0 && (status = supervise(r)) == 0 &&
			publish(r, 1, &t) != 0) {
		SAY("%s: cannot write the report\n", r->conf.report);
		status = 1;
	}
	teardown(r);
	return status;
}
