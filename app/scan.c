/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `trawl scan`: parse and check everything (exit 2 on any problem, nothing
 * sent), start the EAL and the port, lay the roles on lcores, resolve the
 * gateway, then supervise the run from the main lcore: status line,
 * signals, stop conditions, cooldown, and an orderly drain. Shape after
 * DPDK's examples/skeleton and l2fwd.
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "core/constraint.h"
#include "core/cyclic.h"
#include "core/scan_conf.h"
#include "dp/ctl.h"
#include "dp/lcore.h"
#include "dp/hashcmp.h"
#include "dp/port.h"
#include "dp/rx.h"
#include "dp/stats.h"
#include "dp/tx.h"
#include "dp/writer.h"
#include "eal_args.h"
#include "scan.h"

#define POOL_CACHE 256
#define WRITER_RING 8192      /* results per RX role in flight to the writer */
#define CTL_RING 4096         /* frames (RSTs, ARP) in flight to the control role and to TX role 0:
                                 at 8 M RSTs/s, 0.5 ms of the TX lcore being preempted */
#define DEDUP_MAX (1u << 21)  /* distinct responding targets remembered: ~100 MiB at most */

enum phase {
	PHASE_ARP,
	PHASE_SEND,
	PHASE_COOLDOWN,
	PHASE_DRAIN,
	PHASE_FINISH,
};

struct scan {
	struct trawl_scan_conf conf;
	struct trawl_constraint allowed;
	struct trawl_output out;
	struct trawl_engine *eng;
	struct trawl_port port;
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES];
	struct trawl_tx *tx;
	struct trawl_rx *rx;
	struct trawl_writer *writer;
	struct trawl_ctl ctl;
	struct trawl_lcore_map map;
	uint32_t ntx, nrx;
	uint64_t targets_planned;
	struct timespec start_ts;
	struct timespec end_ts;
	uint64_t start_tsc;
	const char *failure;          /* runtime failure to report, NULL if none */
	char failure_buf[512];
};

static int signals_seen;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_add_fetch(&signals_seen, 1, __ATOMIC_RELAXED);
}

/* --- set-up ------------------------------------------------------------ */

static struct rte_mempool *
pool_for(struct scan *s, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	/* Every descriptor can hold a buffer, so can every control ring, plus a burst per role and slack. */
	unsigned int n = (TRAWL_RX_DESC * s->nrx + TRAWL_TX_DESC * s->ntx) * 2 + CTL_RING * (s->nrx + 1) + 8192;

	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = 0;
	if (s->pool[socket] != NULL)
		return s->pool[socket];
	snprintf(name, sizeof(name), "trawl_pool_%d", socket);
	s->pool[socket] = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	return s->pool[socket];
}

static struct rte_ring *
ring(const char *kind, unsigned int i, unsigned int esize, unsigned int count, int socket)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "trawl_%s%u", kind, i);
	return rte_ring_create_elem(name, esize, count, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

static int
fail(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->failure_buf, sizeof(s->failure_buf), fmt, ap);
	va_end(ap);
	s->failure = s->failure_buf;
	return -1;
}

static int
lcore_socket_of_role(const struct scan *s, void *arg)
{
	for (unsigned int i = 0; i < s->map.nplans; i++)
		for (unsigned int r = 0; r < s->map.plans[i].nroles; r++)
			if (s->map.plans[i].roles[r].arg == arg)
				return (int)rte_lcore_to_socket_id(s->map.plans[i].lcore_id);
	return s->port.socket;
}

/* Share `total` over `parts` so that the first total % parts get one more. */
static uint64_t
share(uint64_t total, uint64_t parts, uint64_t i)
{
	return total / parts + (i < total % parts ? 1 : 0);
}

static int
setup_engine(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	uint64_t key[2];

	eng->probe = trawl_probe_find(c->probe_module);
	eng->hz = rte_get_tsc_hz();
	eng->port_id = s->port.id;
	trawl_target_space_init(&eng->space, &s->allowed, c->ports);
	if (trawl_cyclic_init(&eng->cyclic, eng->space.count, c->seed) != 0)
		return fail(s, "cannot build a permutation of %" PRIu64 " targets", eng->space.count);
	/* A fresh key every run: a reply can only validate against this run's probes. */
	if (c->have_key) {
		key[0] = c->key[0];
		key[1] = c->key[1];
	} else if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		return fail(s, "getrandom: %s", strerror(errno));
	}
	eng->pctx.val.key.k0 = key[0];
	eng->pctx.val.key.k1 = key[1];
	trawl_validate_ports(&eng->pctx.val, c->sport_first,
			(uint16_t)RTE_MIN(65535u, (unsigned int)c->sport_last - c->sport_first + 1));
	eng->pctx.val.probes = (uint16_t)c->probes;
	eng->pctx.saddr = c->saddr;
	eng->pctx.src_mac = s->port.mac;
	eng->pctx.allowed = &s->allowed;

	s->targets_planned = trawl_cyclic_shard_targets(&eng->cyclic, c->shard, c->shards);
	/* The frame length (for -B) is known now; the real next hop comes with arm(). */
	return eng->probe->prepare(&eng->pctx) == 0 ? 0 : fail(s, "probe module %s: set-up failed", c->probe_module);
}

static uint64_t
max_targets_total(const struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;

	if (c->max_targets_pct > 0)
		return (uint64_t)((double)s->targets_planned * c->max_targets_pct / 100.0 + 0.999999);
	if (c->max_targets > 0)
		return c->max_targets;
	return UINT64_MAX;
}

static int
setup_roles(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	struct trawl_role roles[TRAWL_MAX_ROLES];
	unsigned int nroles = 0;
	uint64_t limit = max_targets_total(s);
	uint64_t pps = c->rate;
	struct trawl_err err;
	int rc;

	if (c->bandwidth != 0)
		pps = c->bandwidth / (((uint64_t)eng->pctx.len + TRAWL_WIRE_OVERHEAD) * 8);
	s->tx = rte_zmalloc("trawl_tx", sizeof(*s->tx) * s->ntx, RTE_CACHE_LINE_SIZE);
	s->rx = rte_zmalloc("trawl_rx", sizeof(*s->rx) * s->nrx, RTE_CACHE_LINE_SIZE);
	s->writer = rte_zmalloc("trawl_writer", sizeof(*s->writer), RTE_CACHE_LINE_SIZE);
	if (s->tx == NULL || s->rx == NULL || s->writer == NULL)
		return fail(s, "out of memory for lcore state (give the EAL more memory: --eal \"-m 512\")");

	for (uint32_t t = 0; t < s->ntx; t++)
		roles[nroles++] = (struct trawl_role){ "tx", trawl_tx_poll, &s->tx[t] };
	for (uint32_t r = 0; r < s->nrx; r++)
		roles[nroles++] = (struct trawl_role){ "rx", trawl_rx_poll, &s->rx[r] };
	roles[nroles++] = (struct trawl_role){ "writer", trawl_writer_poll, s->writer };
	if (trawl_lcore_map_build(&s->map, roles, nroles) != 0)
		return fail(s, "out of memory");

	for (uint32_t t = 0; t < s->ntx; t++) {
		struct trawl_tx *tx = &s->tx[t];
		int socket = lcore_socket_of_role(s, tx);

		tx->eng = eng;
		tx->port = s->port.id;
		tx->queue = (uint16_t)t;
		tx->pool = pool_for(s, socket);
		tx->probes = (uint16_t)c->probes;
		/* The whole rate and target budget, shared fairly over the TX lcores. */
		trawl_ratelimit_init(&tx->rl, pps == 0 ? 0 : RTE_MAX(share(pps, s->ntx, t), (uint64_t)1), eng->hz,
				TRAWL_BURST);
		trawl_window_init(&tx->win, eng->hz / 1000);
		tx->max_targets = limit == UINT64_MAX ? UINT64_MAX : share(limit, s->ntx, t);
		trawl_cyclic_slice(&eng->cyclic, c->shard, c->shards, t, s->ntx, &tx->it);
		if (tx->pool == NULL)
			return fail(s, "cannot create the mbuf pool on socket %d: %s", socket, rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
	}
	s->tx[0].inject = ring("inj", 0, sizeof(void *), CTL_RING, s->port.socket);
	if (s->tx[0].inject == NULL)
		return fail(s, "cannot create the control ring: %s", rte_strerror(rte_errno));

	s->ctl.eng = eng;
	s->ctl.pool = pool_for(s, s->port.socket);
	s->ctl.out = s->tx[0].inject;
	s->ctl.saddr = c->saddr;
	s->ctl.mac = s->port.mac;
	s->writer->eng = eng;
	s->writer->out = &s->out;
	s->writer->max_results = c->max_results;
	for (uint32_t r = 0; r < s->nrx; r++) {
		struct trawl_rx *rx = &s->rx[r];
		int socket = lcore_socket_of_role(s, rx);

		rx->eng = eng;
		rx->port = s->port.id;
		rx->queue = (uint16_t)r;
		rx->pool = pool_for(s, socket);
		rx->to_writer = ring("res", r, sizeof(struct trawl_result), WRITER_RING, socket);
		rx->to_ctl = ring("ctl", r, sizeof(void *), CTL_RING, socket);
		if (rx->pool == NULL || rx->to_writer == NULL || rx->to_ctl == NULL)
			return fail(s, "cannot create RX %u's pool or rings: %s", r, rte_strerror(rte_errno));
		s->writer->in[s->writer->nin++] = rx->to_writer;
		s->ctl.in[s->ctl.nin++] = rx->to_ctl;
	}

	/* Dedup: one entry per responding target, bounded; past the bound repeats go unnoticed (counted). */
	struct rte_hash_parameters hp = {
		.name = "trawl_seen",
		.entries = (uint32_t)RTE_MAX(RTE_MIN(eng->space.count, (uint64_t)DEDUP_MAX), (uint64_t)64),
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = lcore_socket_of_role(s, s->writer),
	};
	s->writer->seen = rte_hash_create(&hp);
	if (s->writer->seen == NULL)
		return fail(s, "cannot create the dedup table (%u entries): %s", hp.entries, rte_strerror(rte_errno));
	/* rte_hash has no compare of its own for 8-byte keys and would call memcmp per probe of a bucket. */
	rte_hash_set_cmp_func(s->writer->seen, trawl_hash_key64_cmp);

	/* RX queues take buffers from the pool of the socket their lcore is on. */
	rc = trawl_port_start(&s->port, (uint16_t)s->nrx, (uint16_t)s->ntx, s->rx[0].pool, &err);
	if (rc != 0)
		return fail(s, "%s", err.msg);
	/* What the port turned out to be, before any lcore runs. */
	for (uint32_t i = 0; i < s->ntx; i++) {
		s->tx[i].yield_when_full = s->port.caps.kernel_tx;
		s->tx[i].link_gated = s->port.caps.link_gated;
	}
	for (uint32_t i = 0; i < s->nrx; i++)
		s->rx[i].link_gated = s->port.caps.link_gated;
	return 0;
}

/* --- supervision ------------------------------------------------------- */

struct totals {
	uint64_t sent, targets, frames, valid, invalid, other, alloc_fail, ctl_dropped, rx_ctl_full;
	uint64_t first_tsc, last_tsc;
	uint64_t window_max;  /* busiest 10 ms: sum of each TX role's own (exact with -T 1, else a bound above) */
	int all_sending_done, all_rx_finished;
};

static void
sum(const struct scan *s, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->all_sending_done = 1;
	t->all_rx_finished = 1;
	for (uint32_t i = 0; i < s->ntx; i++) {
		const struct trawl_tx *tx = &s->tx[i];
		uint64_t f = __atomic_load_n(&tx->first_tsc, __ATOMIC_RELAXED);
		uint64_t l = __atomic_load_n(&tx->last_tsc, __ATOMIC_RELAXED);

		t->sent += trawl_stat_get(&tx->sent);
		t->targets += trawl_stat_get(&tx->targets);
		t->alloc_fail += trawl_stat_get(&tx->alloc_fail);
		t->ctl_dropped += trawl_stat_get(&tx->ctl_dropped);
		t->window_max += trawl_stat_get(&tx->win.max);
		if (f != 0 && (t->first_tsc == 0 || f < t->first_tsc))
			t->first_tsc = f;
		if (l > t->last_tsc)
			t->last_tsc = l;
		t->all_sending_done &= trawl_flag_get(&tx->sending_done);
	}
	for (uint32_t i = 0; i < s->nrx; i++) {
		const struct trawl_rx *rx = &s->rx[i];

		t->frames += trawl_stat_get(&rx->frames);
		t->valid += trawl_stat_get(&rx->valid);
		t->invalid += trawl_stat_get(&rx->invalid);
		t->other += trawl_stat_get(&rx->other);
		t->rx_ctl_full += trawl_stat_get(&rx->ctl_full);
		t->all_rx_finished &= trawl_flag_get(&rx->finished);
	}
}

static void
fmt_duration(char *buf, size_t len, double secs)
{
	unsigned long t = (unsigned long)(secs + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

static void
status_line(const struct scan *s, enum phase ph, uint64_t now, uint64_t phase_start,
		const struct totals *t, const struct totals *prev, double dt)
{
	static const char *const names[] = { "arp", "send", "cooldown", "drain", "done" };
	const struct trawl_engine *eng = s->eng;
	double elapsed = (double)(now - s->start_tsc) / (double)eng->hz;
	double pct = s->targets_planned ? 100.0 * (double)t->targets / (double)s->targets_planned : 100.0;
	char el[32], left[32] = "";
	struct rte_eth_stats st;
	uint64_t drops = 0;

	if (rte_eth_stats_get(s->port.id, &st) == 0)
		drops = st.imissed + st.rx_nombuf + st.oerrors;
	fmt_duration(el, sizeof(el), elapsed);
	if (ph == PHASE_SEND && t->targets != 0 && t->targets < s->targets_planned && t->first_tsc != 0) {
		double sending = (double)(now - t->first_tsc) / (double)eng->hz;
		double rem = sending * (double)(s->targets_planned - t->targets) / (double)t->targets;

		fmt_duration(left, sizeof(left), rem + s->conf.cooldown);
	} else if (ph == PHASE_COOLDOWN) {
		fmt_duration(left, sizeof(left), s->conf.cooldown - (double)(now - phase_start) / (double)eng->hz);
	}
	fprintf(stderr, "%s %3.0f%%%s%s%s [%s]; sent %" PRIu64 " (%.1f Kpps); recv %" PRIu64
		" (%.0f pps), valid %" PRIu64 ", results %" PRIu64 "; drops %" PRIu64 "\n",
		el, pct > 100 ? 100 : pct, left[0] ? " (" : "", left, left[0] ? " left)" : "", names[ph],
		t->sent, dt > 0 ? (double)(t->sent - prev->sent) / dt / 1000.0 : 0.0,
		t->frames, dt > 0 ? (double)(t->frames - prev->frames) / dt : 0.0, t->valid,
		trawl_stat_get(&s->writer->results), drops);
}

static void
arm(struct scan *s, const struct rte_ether_addr *gw)
{
	struct trawl_engine *eng = s->eng;

	eng->pctx.gw_mac = *gw;
	eng->pctx.csum_hw = s->port.caps.csum_hw; /* the port is started: its offloads are known */
	eng->probe->prepare(&eng->pctx);
	trawl_flag_set(&eng->armed);
}

static void
stop_all(struct scan *s)
{
	trawl_flag_set(&s->eng->stop_tx);
	trawl_flag_set(&s->eng->stop_rx);
	trawl_flag_set(&s->eng->stop_writer);
}

static int
supervise(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	enum phase ph = PHASE_SEND;
	uint64_t hz = eng->hz;
	uint64_t now = rte_rdtsc(), phase_start = now, send_start = now, next_status = now + hz;
	uint64_t last_status = now, next_check = now;
	struct totals t, prev;
	int rc = 0;

	memset(&prev, 0, sizeof(prev));
	if (c->have_gateway_mac) {
		arm(s, &c->gateway_mac);
	} else {
		trawl_ctl_resolve(&s->ctl, c->gateway_ip);
		ph = PHASE_ARP;
	}
	for (;;) {
		int main_done = trawl_lcore_poll_main(&s->map);
		int sig = __atomic_load_n(&signals_seen, __ATOMIC_RELAXED);

		if (trawl_ctl_poll(&s->ctl) == -ETIMEDOUT && ph == PHASE_ARP) {
			char ip[16];

			stop_all(s);
			rc = fail(s, "ARP: no reply from gateway %s after %u requests over %u s on port %u (%s); "
					"nothing was scanned", trawl_ipv4_str(c->gateway_ip, ip), TRAWL_ARP_TRIES,
					TRAWL_ARP_TRIES, s->port.id, s->port.driver);
			s->ctl.resolving = 0;
			ph = PHASE_DRAIN;
		}
		now = rte_rdtsc();
		/*
		 * Supervise once a millisecond, not every round: summing reads every
		 * role's counters, and on a shared main lcore doing it per round kept
		 * pulling the TX lcore's hot cache lines across cores.
		 */
		if (now < next_check)
			continue;
		next_check = now + hz / 1000;
		sum(s, &t);
		switch (ph) {
		case PHASE_ARP:
			if (__atomic_load_n(&s->ctl.resolved, __ATOMIC_ACQUIRE)) {
				arm(s, &s->ctl.gateway_mac);
				ph = PHASE_SEND;
				phase_start = send_start = now;
			} else if (sig != 0) {
				stop_all(s);
				ph = PHASE_DRAIN;
			}
			break;
		case PHASE_SEND:
			if (sig != 0 || __atomic_load_n(&s->writer->limit_reached, __ATOMIC_ACQUIRE) ||
			    (c->max_runtime > 0 && (double)(now - send_start) >= c->max_runtime * (double)hz))
				trawl_flag_set(&eng->stop_tx);
			if (t.all_sending_done) {
				ph = PHASE_COOLDOWN;
				phase_start = now;
			}
			break;
		case PHASE_COOLDOWN:
			if (sig >= 2 || __atomic_load_n(&s->writer->limit_reached, __ATOMIC_ACQUIRE) ||
			    (double)(now - phase_start) >= c->cooldown * (double)hz) {
				trawl_flag_set(&eng->stop_rx);
				ph = PHASE_DRAIN;
			}
			break;
		case PHASE_DRAIN:
			if (t.all_rx_finished) {
				trawl_flag_set(&eng->stop_writer);
				ph = PHASE_FINISH;
			}
			break;
		case PHASE_FINISH:
			break;
		}
		if (ph == PHASE_FINISH && main_done)
			break;
		if (!c->quiet && now >= next_status) {
			status_line(s, ph, now, phase_start, &t, &prev, (double)(now - last_status) / (double)hz);
			prev = t;
			last_status = now;
			next_status = now + hz;
		}
	}
	trawl_lcore_map_wait(&s->map);
	return rc;
}

/* --- results ----------------------------------------------------------- */

static void
iso_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Targets in this shard after the blocklist. With one shard that is the
 * target count. With several, a slice's positions include the few group
 * elements above the target count that are skipped, so the exact figure is
 * the walk's own once every slice ran to its end; until then, the
 * positions (at most a prime gap more).
 */
static uint64_t
shard_targets(const struct scan *s, const struct totals *t)
{
	int walked_all = 1;

	for (uint32_t i = 0; i < s->ntx; i++)
		walked_all &= s->tx[i].it.left == 0 && s->tx[i].cur_left == 0;
	return (s->conf.shards > 1 && walked_all) ? t->targets : s->targets_planned;
}

static int
write_metadata(const struct scan *s, const struct totals *t)
{
	const struct trawl_scan_conf *c = &s->conf;
	const struct trawl_writer *w = s->writer;
	double send_time = t->last_tsc > t->first_tsc ? (double)(t->last_tsc - t->first_tsc) / (double)s->eng->hz : 0;
	char start[32], end[32], ip[16];
	struct rte_eth_stats st;
	json_t *o = json_object();
	int rc;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(s->port.id, &st);
	iso_time(&s->start_ts, start, sizeof(start));
	iso_time(&s->end_ts, end, sizeof(end));
	json_object_set_new(o, "trawl_version", json_string(TRAWL_VERSION));
	json_object_set_new(o, "seed", json_integer((json_int_t)c->seed));
	json_object_set_new(o, "seed_hex", json_sprintf("0x%016" PRIx64, c->seed));
	json_object_set_new(o, "probe_module", json_string(c->probe_module));
	json_object_set_new(o, "source_ip", json_string(trawl_ipv4_str(c->saddr, ip)));
	json_object_set_new(o, "target_ports", json_integer(c->ports->n));
	json_object_set_new(o, "allowed_addresses", json_integer((json_int_t)trawl_constraint_count(&s->allowed)));
	json_object_set_new(o, "targets", json_integer((json_int_t)shard_targets(s, t)));
	json_object_set_new(o, "targets_scanned", json_integer((json_int_t)t->targets));
	json_object_set_new(o, "shards", json_integer(c->shards));
	json_object_set_new(o, "shard", json_integer(c->shard));
	json_object_set_new(o, "sender_threads", json_integer(s->ntx));
	json_object_set_new(o, "receiver_threads", json_integer(s->nrx));
	json_object_set_new(o, "probes_per_target", json_integer(c->probes));
	json_object_set_new(o, "rate_requested_pps", json_integer((json_int_t)c->rate));
	json_object_set_new(o, "packets_sent", json_integer((json_int_t)t->sent));
	json_object_set_new(o, "send_time_s", json_real(send_time));
	json_object_set_new(o, "send_rate_pps", json_real(send_time > 0 ? (double)t->sent / send_time : 0));
	/* Probes in the busiest 10 ms (1 ms steps), as a rate: what a policer upstream sees. */
	json_object_set_new(o, "send_rate_peak_10ms_pps", json_integer((json_int_t)(t->window_max * 100)));
	json_object_set_new(o, "results", json_integer((json_int_t)trawl_stat_get(&w->results)));
	json_object_set_new(o, "successes_unique", json_integer((json_int_t)trawl_stat_get(&w->successes)));
	json_object_set_new(o, "replies_received", json_integer((json_int_t)(t->valid + t->invalid)));
	json_object_set_new(o, "replies_valid", json_integer((json_int_t)t->valid));
	json_object_set_new(o, "validation_failed", json_integer((json_int_t)t->invalid));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)trawl_stat_get(&w->duplicates)));
	json_object_set_new(o, "dedup_overflow", json_integer((json_int_t)trawl_stat_get(&w->dedup_full)));
	json_object_set_new(o, "frames_received", json_integer((json_int_t)t->frames));
	json_object_set_new(o, "frames_other", json_integer((json_int_t)t->other));
	json_object_set_new(o, "arp_replies_sent", json_integer((json_int_t)s->ctl.arp_replies_sent));
	json_object_set_new(o, "rst_sent", json_integer((json_int_t)trawl_stat_get(&s->ctl.forwarded)));
	/* RSTs and ARP frames lost on the way out: a ring full between roles, or the port refusing. */
	json_object_set_new(o, "control_frames_dropped", json_integer((json_int_t)(t->rx_ctl_full +
			trawl_stat_get(&s->ctl.dropped) + t->ctl_dropped)));
	json_object_set_new(o, "port_driver", json_string(s->port.driver));
	json_object_set_new(o, "checksum_offload", json_string(
			s->port.caps.csum_hw == (TRAWL_CSUM_HW_IP | TRAWL_CSUM_HW_L4) ? "ipv4+tcp" :
			s->port.caps.csum_hw == TRAWL_CSUM_HW_L4 ? "tcp" :
			s->port.caps.csum_hw == TRAWL_CSUM_HW_IP ? "ipv4" : "none (software)"));
	json_object_set_new(o, "rx_spread", json_string(s->port.caps.spread ? s->port.caps.spread : "none"));
	{
		/* How evenly RSS or fanout spread the replies: frames per RX queue. */
		json_t *q = json_array();

		for (uint32_t i = 0; s->rx != NULL && i < s->nrx; i++)
			json_array_append_new(q, json_integer((json_int_t)trawl_stat_get(&s->rx[i].frames)));
		json_object_set_new(o, "rx_frames_per_queue", q);
	}
	/* Bursts abandoned because the peer (memif) left under them: see app/dp/port.h. */
	json_object_set_new(o, "bursts_abandoned", json_integer((json_int_t)trawl_port_bursts_abandoned()));
	json_object_set_new(o, "port_rx_missed", json_integer((json_int_t)st.imissed));
	json_object_set_new(o, "port_tx_errors", json_integer((json_int_t)st.oerrors));
	json_object_set_new(o, "cooldown_s", json_real(c->cooldown));
	json_object_set_new(o, "start_time", json_string(start));
	json_object_set_new(o, "end_time", json_string(end));
	rc = json_dump_file(o, c->metadata_file, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return rc;
}

/* --- the whole run ----------------------------------------------------- */

struct dry_walker {
	pthread_t tid;
	const struct trawl_target_space *space;
	struct trawl_cyclic_iter it;
	uint64_t cap;
	uint64_t count;
};

static void *
dry_walk(void *arg)
{
	struct dry_walker *w = arg;
	struct trawl_target tgt;
	uint64_t idx;

	while (w->count < w->cap && trawl_cyclic_next(&w->it, &idx)) {
		trawl_target_at(w->space, idx, &tgt);
		w->count++;
	}
	return NULL;
}

/*
 * --dryrun: walk exactly what the TX lcores would (same runs, same -n
 * shares, every index mapped to its address and port), one thread per -T,
 * and print the number of targets. Nothing is sent; no EAL.
 */
static int
dryrun(struct scan *s)
{
	struct trawl_target_space space;
	struct trawl_cyclic cyc;
	struct dry_walker *w;
	uint32_t nt = s->conf.tx_threads;
	uint64_t count = 0, limit;

	trawl_target_space_init(&space, &s->allowed, s->conf.ports);
	if (trawl_cyclic_init(&cyc, space.count, s->conf.seed) != 0)
		return 2;
	s->targets_planned = trawl_cyclic_shard_targets(&cyc, s->conf.shard, s->conf.shards);
	limit = max_targets_total(s);
	w = calloc(nt, sizeof(*w));
	if (w == NULL)
		return 1;
	for (uint32_t t = 0; t < nt; t++) {
		w[t].space = &space;
		w[t].cap = limit == UINT64_MAX ? UINT64_MAX : share(limit, nt, t);
		trawl_cyclic_slice(&cyc, s->conf.shard, s->conf.shards, t, nt, &w[t].it);
		if (pthread_create(&w[t].tid, NULL, dry_walk, &w[t]) != 0)
			dry_walk(&w[t]), w[t].tid = 0;
	}
	for (uint32_t t = 0; t < nt; t++) {
		if (w[t].tid != 0)
			pthread_join(w[t].tid, NULL);
		count += w[t].count;
	}
	free(w);
	printf("%" PRIu64 "\n", count);
	return 0;
}

static void
teardown(struct scan *s)
{
	if (s->port.started)
		trawl_port_close(&s->port);
	if (s->writer != NULL)
		rte_hash_free(s->writer->seen);
	for (uint32_t r = 0; s->rx != NULL && r < s->nrx; r++) {
		struct rte_mbuf *m;

		rte_ring_free(s->rx[r].to_writer);
		while (s->rx[r].to_ctl != NULL && rte_ring_sc_dequeue(s->rx[r].to_ctl, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->rx[r].to_ctl);
	}
	if (s->tx != NULL && s->tx[0].inject != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_sc_dequeue(s->tx[0].inject, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->tx[0].inject);
	}
	trawl_lcore_map_free(&s->map);
	rte_free(s->tx);
	rte_free(s->rx);
	rte_free(s->writer);
	rte_free(s->eng);
	for (int i = 0; i < RTE_MAX_NUMA_NODES; i++)
		rte_mempool_free(s->pool[i]);
}

int
trawl_scan_main(int argc, char **argv)
{
	static struct scan scan;
	struct scan *s = &scan;
	const struct trawl_field *fields[TRAWL_MAX_FIELDS];
	struct trawl_eal_args eal;
	struct trawl_err err = { "" };
	struct totals t;
	int rc, nfields, status = 0;

	rc = trawl_scan_conf_parse(&s->conf, argc, argv, stdout, &err);
	if (rc == TRAWL_CONF_EXIT)
		return 0;
	if (rc < 0) {
		if (err.msg[0])
			fprintf(stderr, "trawl scan: %s\n", err.msg);
		return rc == -ENOMEM ? 1 : 2;
	}
	if (trawl_constraint_build(&s->allowed, &s->conf.allow, &s->conf.block) != 0) {
		fprintf(stderr, "trawl scan: out of memory building the target set\n");
		return 1;
	}
	if (trawl_constraint_count(&s->allowed) == 0) {
		fprintf(stderr, "trawl scan: no targets left: every target address is in the blocklist%s%s\n",
				s->conf.blocklist_file ? " " : "", s->conf.blocklist_file ? s->conf.blocklist_file : "");
		return 2;
	}
	if (s->conf.dryrun)
		return dryrun(s);
	nfields = trawl_fields_parse(s->conf.output_fields, fields, &err);
	if (trawl_output_open(&s->out, trawl_output_find(s->conf.output_module), s->conf.output_file,
			fields, (unsigned int)nfields, !s->conf.no_header, &err) != 0) {
		fprintf(stderr, "trawl scan: output: %s\n", err.msg);
		return 2;
	}
	s->ntx = s->conf.tx_threads;
	s->nrx = s->conf.rx_threads;

	if (trawl_eal_args_build(&eal, "trawl", s->conf.eal, s->conf.dev) != 0) {
		fprintf(stderr, "trawl scan: --eal: too many arguments\n");
		return 2;
	}
	rc = rte_eal_init(eal.argc, eal.argv);
	if (rc < 0) {
		fprintf(stderr, "trawl scan: cannot start DPDK (EAL) with --dev '%s': %s\n", s->conf.dev,
				rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
		trawl_eal_args_free(&eal);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	clock_gettime(CLOCK_REALTIME, &s->start_ts);
	s->start_tsc = rte_rdtsc();

	s->eng = rte_zmalloc("trawl_engine", sizeof(*s->eng), RTE_CACHE_LINE_SIZE);
	if (s->eng == NULL) {
		fail(s, "out of memory");
		goto out;
	}
	if (trawl_port_find(s->conf.dev, &s->port, &err) != 0) {
		fail(s, "%s", err.msg);
		goto out;
	}
	if (setup_engine(s) != 0 || setup_roles(s) != 0)
		goto out;
	s->writer->tsc0 = s->start_tsc;
	s->writer->wall0 = s->start_ts;
	if (trawl_lcore_map_launch(&s->map) != 0) {
		stop_all(s);
		trawl_lcore_map_wait(&s->map);
		fail(s, "cannot launch the lcores");
		goto out;
	}
	supervise(s);
	clock_gettime(CLOCK_REALTIME, &s->end_ts);
	sum(s, &t);
	if (trawl_output_close(&s->out) != 0 || s->writer->io_error)
		fail(s, "%s: results could not be written in full", s->conf.output_file);
	if (s->conf.metadata_file != NULL && write_metadata(s, &t) != 0)
		fail(s, "%s: cannot write the metadata", s->conf.metadata_file);
	if (!s->conf.quiet && s->failure == NULL)
		fprintf(stderr, "trawl: done: %" PRIu64 " targets, %" PRIu64 " probes sent, %" PRIu64
			" replies validated, %" PRIu64 " failed validation, %" PRIu64 " results\n",
			t.targets, t.sent, t.valid, t.invalid, trawl_stat_get(&s->writer->results));
out:
	if (s->failure != NULL) {
		fprintf(stderr, "trawl scan: %s\n", s->failure);
		status = 1;
	}
	trawl_output_close(&s->out);
	teardown(s);
	rte_eal_cleanup();
	trawl_eal_args_free(&eal);
	trawl_constraint_free(&s->allowed);
	trawl_scan_conf_free(&s->conf);
	return status;
}
