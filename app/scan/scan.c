/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `trawl scan`: parse and check everything (exit 2 on any problem, nothing
 * sent), start the EAL and the port, lay the roles on lcores, wait for the
 * link, resolve the gateway, then supervise the run from the main lcore:
 * status line, signals, stop conditions, cooldown, and an orderly drain.
 * Shape after DPDK's examples/skeleton and l2fwd.
 *
 * Every run ends, whatever the port or the output does: a link that does
 * not come up (or goes and does not come back) within TRAWL_LINK_WAIT_S is
 * an error; -t and signals stop sending even when the port takes nothing;
 * after a first SIGINT/SIGTERM the run is over within the cooldown plus a
 * second, after a second one at once; and an output that takes nothing for
 * OUTPUT_STALL_S is given up on, with what was not written counted.
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

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "app/core/clock.h"
#include "app/core/cyclic.h"
#include "app/core/metric_names.h"
#include "app/core/scanreg.h"
#include "app/core/atomicfile.h"
#include "app/core/stall.h"
#include "app/dp/stats.h"
#include "app/dp/eal_args.h"
#include "app/dp/kpath.h"
#include "app/scan/scan.h"
#include "app/core/privsep.h"
#include "app/scan/run.h"

#define POOL_CACHE 256
#define WRITER_RING 65536     /* results per RX role in flight to the writer: 4.4 ms at 14.88 M/s (4 MiB) */
#define WRITER_DATA_RING 65536 /* their data (udp), 64-byte chunks: 4 MiB, one chunk per result on average */
#define ANSWER_RING 4096      /* RSTs per RX role in flight to its TX role */
#define CTL_RING 1024         /* ARP frames in flight to and from the control role */
#define OUTPUT_STALL_S 2.0    /* an output that takes nothing for this long at the end is given up on */
#define END_MARGIN_S 0.5      /* after a first signal: the run's own end within cooldown + this, exit within + 1 s */

enum phase {
	PHASE_LINK,
	PHASE_ARP,
	PHASE_SEND,
	PHASE_COOLDOWN,
	PHASE_DRAIN,
	PHASE_FINISH,
};

/* Their names: the status line's, and the live counters' (core/metric_names). */
_Static_assert(PHASE_FINISH + 1 == TRAWL_SCAN_PHASES, "a name for every phase");
#define phase_names trawl_scan_phase_names

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
	/* Every descriptor can hold a buffer, so can every answer and control ring, plus a burst per role and slack. */
	unsigned int n = (TRAWL_RX_DESC * s->nrx + TRAWL_TX_DESC * s->ntx) * 2 + (ANSWER_RING + CTL_RING) * s->nrx +
		CTL_RING + 8192 + TRAWL_KPATH_DESC * 2; /* and the kernel path's descriptors */

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

#define fail trawl_scan_fail

int
trawl_scan_fail(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failure != NULL)
		return -1; /* the first failure is the one to report */
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

/* Half the memory the kernel says is available: the default dedup budget. */
static uint64_t
default_dedup_budget(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb != 0 ? (uint64_t)kb * 1024 / 2 : UINT64_C(1) << 30;
}

static void
fmt_bytes(char *buf, size_t len, uint64_t b)
{
	if (b >= (UINT64_C(1) << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (double)(UINT64_C(1) << 30));
	else if (b >= (UINT64_C(1) << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (double)(UINT64_C(1) << 20));
	else if (b >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", b);
}

/*
 * The dedup structure for this scan's targets, within the budget, and what
 * it is said before anything is sent: its memory, and whether it is exact.
 */
static int
setup_dedup(struct scan *s)
{
	/* Canary rows are remembered once per address, on keys past the targets' (probes/tcp.h). */
	uint64_t targets = s->eng->space.count * (s->conf.canaries != 0 ? 2 : 1);
	uint64_t budget = s->conf.dedup_memory ? s->conf.dedup_memory : default_dedup_budget();
	char mem[32], need[32], have[32];
	int rc = trawl_dedup_init(&s->dedup, targets, budget);
	double t0;

	fmt_bytes(need, sizeof(need), trawl_dedup_bitmap_bytes(targets));
	fmt_bytes(have, sizeof(have), budget);
	if (rc == -EINVAL)
		return fail(s, "--dedup-memory %s is too little to remember who answered (at least %u KiB)", have,
				(unsigned int)(TRAWL_DEDUP_MIN_SLOTS * 8 / 1024));
	if (rc != 0)
		return fail(s, "cannot map %s for the dedup table", need);
	fmt_bytes(mem, sizeof(mem), s->dedup.bytes);
	t0 = trawl_mono();
	if (trawl_dedup_populate(&s->dedup) != 0)
		return fail(s, "cannot fault in %s for the dedup table (lower --dedup-memory)", mem);
	if (!trawl_dedup_exact(&s->dedup))
		fprintf(stderr, "trawl scan: warning: an exact record of who answered %" PRIu64 " targets needs %s, over "
			"the %s allowed (--dedup-memory): a %s hash remembers %" PRIu64 " responders exactly; past that, "
			"a repeat may be written again (counted as dedup_overflow)\n", targets, need, have, mem,
			s->dedup.capacity);
	else if (!s->conf.quiet)
		fprintf(stderr, "dedup: a bitmap over %" PRIu64 " targets, %s (exact), ready in %.2f s\n", targets, mem,
			trawl_mono() - t0);
	return 0;
}

/* The scan's target space: the IPv4 allowed set, or the IPv6 one. */
static void
space_init(const struct scan *s, struct trawl_target_space *ts)
{
	if (s->conf.six)
		trawl_target_space_init6(ts, &s->space6, s->conf.ports);
	else
		trawl_target_space_init(ts, &s->allowed, s->conf.ports);
}

static int
setup_engine(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	uint64_t key[2];

	eng->probe = s->mods.probe;
	eng->pctx.args = s->mods.args;
	eng->hz = rte_get_tsc_hz();
	eng->port_id = s->port.id;
	space_init(s, &eng->space);
	if (trawl_cyclic_init(&eng->cyclic, eng->space.count, c->seed) != 0)
		return fail(s, "cannot build a permutation of %" PRIu64 " targets", eng->space.count);
	/* A fresh key every run: a reply can only validate against this run's probes. */
	if (c->have_key) {
		key[0] = c->key[0];
		key[1] = c->key[1];
	} else if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		return fail(s, "getrandom: %s", strerror(errno));
	}
	trawl_validate_key(&eng->pctx.val, key[0], key[1]);
	if (!trawl_mac_have_aesni())
		fprintf(stderr, "trawl: this CPU has no AES instructions: each probe's and reply's MAC goes through the "
				"portable AES rounds (about 100 times slower), so expect a much lower top rate\n");
	trawl_validate_ports(&eng->pctx.val, c->sport_first,
			(uint16_t)RTE_MIN(65535u, (unsigned int)c->sport_last - c->sport_first + 1));
	eng->pctx.val.probes = (uint16_t)c->probes;
	eng->pctx.saddr = c->saddr;
	eng->pctx.saddr6 = c->saddr6;
	eng->pctx.src_mac = s->port.mac;
	eng->pctx.space = &eng->space;
	eng->pctx.canaries = (uint8_t)c->canaries;

	s->targets_planned = trawl_cyclic_shard_targets(&eng->cyclic, c->shard, c->shards);
	if (setup_dedup(s) != 0)
		return -1;
	if (scan_ckpt_read_output(&s->ck, c, &s->mods, s->of.writing, &eng->space, &s->dedup) != 0)
		return fail(s, "%s", s->ck.errmsg);
	/* The frame length (for -B) is known now; the real next hop comes with arm(). */
	if (eng->probe->prepare(&eng->pctx) != 0 || (c->six && eng->probe->prepare6(&eng->pctx) != 0))
		return fail(s, "probe module %s: set-up failed", c->probe_module);
	return 0;
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

/* One TX role per sender: its queue, pool, share of the rate and targets, and slice of the permutation. */
static int
setup_tx_roles(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	uint64_t limit = max_targets_total(s);
	uint64_t pps = c->rate;

	if (c->bandwidth != 0)
		pps = c->bandwidth / (((uint64_t)eng->pctx.len + TRAWL_WIRE_OVERHEAD) * 8);
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
			return fail(s, "cannot create the mbuf pool on socket %d: %s", socket,
					rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
	}
	scan_ckpt_place_tx(&s->ck, s->tx, s->ntx);
	s->tx[0].inject = ring("inj", 0, sizeof(void *), CTL_RING, s->port.socket);
	if (s->tx[0].inject == NULL)
		return fail(s, "cannot create the control ring: %s", rte_strerror(rte_errno));
	return 0;
}

/* The control role (ARP, out through TX 0) and the writer (its limits; -N over every attempt). */
static void
setup_ctl_writer(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;

	s->ctl.eng = s->eng;
	s->ctl.pool = pool_for(s, s->port.socket);
	s->ctl.out = s->tx[0].inject;
	s->ctl.saddr = c->saddr;
	s->ctl.saddr6 = c->saddr6;
	s->ctl.has6 = c->have_saddr6;
	s->ctl.mac = s->port.mac;
	s->writer->eng = s->eng;
	s->writer->out = &s->out;
	s->writer->fl = &s->fl;
	s->writer->dedup = &s->dedup;
	s->writer->max_results = c->max_results;
	s->writer->filter = s->mods.have_filter ? &s->mods.filter : NULL;
	if (c->max_results != 0 && s->ck.rows_before != 0) {
		/* -N counts the rows of every attempt of a --checkpoint scan. */
		if (s->ck.rows_before >= c->max_results)
			s->writer->limit_reached = 1;
		else
			s->writer->max_results = c->max_results - s->ck.rows_before;
	}
}

/* One RX role per receiver: its queue, pool and rings to the writer, the control role and a TX role. */
static int
setup_rx_roles(struct scan *s)
{
	struct trawl_engine *eng = s->eng;

	for (uint32_t r = 0; r < s->nrx; r++) {
		struct trawl_rx *rx = &s->rx[r];
		struct trawl_tx *tx = &s->tx[r % s->ntx];
		int socket = lcore_socket_of_role(s, rx);

		rx->eng = eng;
		rx->port = s->port.id;
		rx->queue = (uint16_t)r;
		rx->pool = pool_for(s, socket);
		rx->to_writer = ring("res", r, sizeof(struct trawl_result), WRITER_RING, socket);
		rx->to_writer_data = eng->probe->data_max == 0 ? NULL :
			ring("dat", r, TRAWL_RESULT_CHUNK, WRITER_DATA_RING, socket);
		if (eng->probe->data_max != 0 && rx->to_writer_data == NULL)
			return fail(s, "cannot create RX %u's data ring: %s", r, rte_strerror(rte_errno));
		s->writer->in_data[s->writer->nin] = rx->to_writer_data;
		rx->to_tx = ring("ans", r, sizeof(void *), ANSWER_RING, socket);
		rx->to_ctl = ring("ctl", r, sizeof(void *), CTL_RING, socket);
		if (rx->pool == NULL || rx->to_writer == NULL || rx->to_tx == NULL || rx->to_ctl == NULL)
			return fail(s, "cannot create RX %u's pool or rings: %s", r, rte_strerror(rte_errno));
		if (eng->probe->handshake) {
			char name[32];
			/* A handshake waits for its data as long as the cooldown waits for replies. */
			uint64_t hold = (uint64_t)(s->conf.cooldown * (double)eng->hz);
			int rc;

			snprintf(name, sizeof(name), "trawl_hold%u", r);
			rc = trawl_pending_init(&rx->pend, name, TRAWL_PENDING_CAP, hold, socket);
			if (rc != 0)
				return fail(s, "cannot make RX %u's table of %u handshakes: %s (give the EAL more "
						"memory: --eal \"-m 512\")", r, TRAWL_PENDING_CAP, rte_strerror(-rc));
			rx->pend.six = s->conf.six;
		}
		s->writer->in[s->writer->nin++] = rx->to_writer;
		s->ctl.in[s->ctl.nin++] = rx->to_ctl;
		/* RX role r's RSTs leave through TX role r % ntx: no lcore hop in between. */
		tx->answers[tx->nanswers++] = rx->to_tx;
	}
	return 0;
}

/* --kernel-iface as it applies: NULL for none (the default for a vdev port). */
static const char *
kernel_iface(const struct scan *s)
{
	const char *k = s->conf.kernel_iface;

	if (k == NULL)
		return trawl_dev_is_pci(s->conf.dev) ? "trawl0" : NULL;
	return strcmp(k, "none") == 0 ? NULL : k;
}

/*
 * The kernel path (dp/kpath.h), as root and before any lcore runs: the
 * control role forwards, the RX roles hand on what is not the scan's own.
 */
static int
setup_kpath(struct scan *s)
{
	const struct trawl_scan_conf *c = &s->conf;
	const char *name = kernel_iface(s);
	struct trawl_err err = { "" };
	char ip[16], ip6[TRAWL_IPV6_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (name == NULL)
		return 0;
	if (trawl_kpath_open(&s->kpath, name, &s->port.mac, c->have_saddr ? c->saddr : 0,
			c->have_saddr && c->have_gateway_ip ? c->gateway_ip : 0, c->have_saddr6 ? &c->saddr6 : NULL,
			c->have_saddr6 && c->have_gateway_ip6 ? &c->gateway_ip6 : NULL, pool_for(s, s->port.socket), &err) != 0) {
		trawl_kpath_close(&s->kpath);
		return fail(s, "%s (--kernel-iface none runs without it)", err.msg);
	}
	s->kpath_on = 1;
	s->ctl.kp = &s->kpath;
	for (uint32_t r = 0; r < s->nrx; r++)
		s->rx[r].kernel_path = 1;
	rte_ether_format_addr(mac, sizeof(mac), &s->port.mac);
	if (!c->quiet)
		fprintf(stderr, "kernel path: %s (%s: %s) has %s%s%s%s%s and %s; frames not the scan's own go to the "
				"kernel through it\n", name, trawl_kpath_kind_name(s->kpath.kind),
				s->kpath.kind == TRAWL_KPATH_TAP ? "no /dev/vhost-net here" : "over /dev/vhost-net",
				c->have_saddr ? trawl_ipv4_str(c->saddr, ip) : "", c->have_saddr ? "/32" : "",
				c->have_saddr && c->have_saddr6 ? ", " : "", c->have_saddr6 ? trawl_ipv6_str(&c->saddr6, ip6) : "",
				c->have_saddr6 ? "/128" : "", mac);
	return 0;
}

/* The roles on their lcores, wired together; then the port started with their queue counts. */
static int
setup_roles(struct scan *s)
{
	struct trawl_role roles[TRAWL_MAX_ROLES];
	unsigned int nroles = 0;
	struct trawl_err err;

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
	if (setup_tx_roles(s) != 0)
		return -1;
	setup_ctl_writer(s);
	if (setup_rx_roles(s) != 0)
		return -1;
	/* RX queues take buffers from the pool of the socket their lcore is on. */
	if (trawl_port_start(&s->port, (uint16_t)s->nrx, (uint16_t)s->ntx, s->rx[0].pool, &err) != 0)
		return fail(s, "%s", err.msg);
	/* What the port turned out to be, before any lcore runs. */
	for (uint32_t i = 0; i < s->ntx; i++) {
		s->tx[i].yield_when_full = s->port.caps.kernel_tx;
		s->tx[i].link_gated = s->port.caps.link_gated;
	}
	for (uint32_t i = 0; i < s->nrx; i++)
		s->rx[i].link_gated = s->port.caps.link_gated;
	return setup_kpath(s);
}

/* SIGHUP's reloads over the TX roles just set up; a resumed scan's grown blocklist skipped from the start. */
static int
setup_reload(struct scan *s)
{
	struct trawl_live_block *grown = s->grown_block;

	s->reload.eng = s->eng;
	s->reload.six = s->conf.six;
	s->reload.tx = s->tx;
	s->reload.ntx = s->ntx;
	s->reload.allowed = &s->allowed;
	s->reload.path = s->conf.blocklist_file;
	s->grown_block = NULL; /* taken over, used or freed */
	if (scan_reload_setup(&s->reload, grown) != 0)
		return fail(s, "out of memory for the blocklist's reload state");
	return 0;
}

/* The header row (if the module writes one) goes out first, in a buffer of its own. */
static int
setup_output(struct scan *s)
{
	struct trawl_err err;
	struct trawl_outbuf *b;

	if (trawl_flusher_start(&s->fl, &err) != 0)
		return fail(s, "%s", err.msg);
	b = trawl_flusher_take(&s->fl);
	b->len = s->out.ops->header(&s->out, b->data);
	b->rows = 0;
	trawl_flusher_give(&s->fl, b);
	return 0;
}

/* --- supervision ------------------------------------------------------- */

static void
arm(struct scan *s, const struct rte_ether_addr *gw)
{
	struct trawl_engine *eng = s->eng;

	eng->pctx.gw_mac = *gw;
	eng->pctx.csum_hw = s->port.caps.csum_hw; /* the port is started: its offloads are known */
	eng->probe->prepare(&eng->pctx);
	if (s->conf.six)
		eng->probe->prepare6(&eng->pctx);
	trawl_flag_set(&eng->armed);
}

static void
stop_all(struct scan *s)
{
	trawl_flag_set(&s->eng->stop_tx);
	trawl_flag_set(&s->eng->stop_rx);
	trawl_flag_set(&s->eng->stop_writer);
}

/* Every role stops at its next round, counting what it leaves. */
static void
abort_run(struct scan *s, enum trawl_cut why)
{
	if (s->cut != TRAWL_CUT_NONE)
		return;
	s->cut = why;
	stop_all(s);
	trawl_flag_set(&s->eng->abort);
}

static const char *
link_advice(const struct scan *s)
{
	static char buf[256];

	if (strcmp(s->port.driver, "net_memif") == 0) {
		snprintf(buf, sizeof(buf), " (memif: is the peer running on that socket, with exactly %u TX and %u RX "
			"queues? trawl respond --threads N offers N of each; memif refuses any other count)", s->ntx, s->nrx);
		return buf;
	}
	return " (cable, peer, or a vdev without one)";
}

struct supervisor {
	enum phase ph;
	uint64_t now, phase_start, send_start;
	uint64_t hard_end;       /* after a first signal: the run is over by then (TSC), 0 = none */
	double link_wait;        /* seconds the link has been seen down (at the start, or while sending) */
	uint64_t out_bytes;      /* output progress, to tell a stuck output from a slow one */
	double out_stalled;      /* seconds without output progress (core/stall.h) */
	uint64_t last_step;      /* TSC of the step before */
	int signalled;
};

/* Ask for the next hop's MAC: ARP, or NDP in an IPv6 scan. */
static void
resolve(struct scan *s)
{
	if (s->conf.six)
		trawl_ctl_resolve6(&s->ctl, s->conf.gateway_ip6);
	else
		trawl_ctl_resolve(&s->ctl, s->conf.gateway_ip);
}

/* Waiting for the link: then the gateway's MAC (given, or asked by ARP); a link that never comes is an error. */
static void
step_link(struct scan *s, struct supervisor *v, int sig, double dt)
{
	const struct trawl_scan_conf *c = &s->conf;
	uint64_t now = v->now;

	if (trawl_port_link_up(s->port.id)) {
		if (c->have_gateway_mac) {
			arm(s, &c->gateway_mac);
			v->ph = PHASE_SEND;
			v->send_start = now;
		} else {
			resolve(s);
			v->ph = PHASE_ARP;
		}
		v->phase_start = now;
		v->link_wait = 0;
	} else if (sig != 0 || (v->link_wait = trawl_stall_add(v->link_wait, dt, 0)) >= TRAWL_LINK_WAIT_S) {
		if (sig == 0)
			fail(s, "port %u (%s): the link did not come up within %u s%s; nothing was sent", s->port.id,
				s->port.driver, TRAWL_LINK_WAIT_S, link_advice(s));
		stop_all(s);
		v->ph = PHASE_DRAIN;
	}
}

/* Sending: until every TX role is done, or told to stop (@p stop: a signal or -N), -t, or a link down too long. */
static void
step_send(struct scan *s, struct supervisor *v, const struct totals *t, int stop, double dt)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	uint64_t now = v->now, hz = eng->hz;

	if (s->port.caps.link_gated && !trawl_port_link_up(s->port.id)) {
		if ((v->link_wait = trawl_stall_add(v->link_wait, dt, 0)) >= TRAWL_LINK_WAIT_S) {
			fail(s, "port %u (%s): the link went down at %" PRIu64 " of %" PRIu64 " targets and did not come "
				"back within %u s", s->port.id, s->port.driver, t->targets, s->targets_planned,
				TRAWL_LINK_WAIT_S);
			trawl_flag_set(&eng->stop_tx);
		}
	} else {
		v->link_wait = 0;
	}
	if (stop || (c->max_runtime > 0 && (double)(now - v->send_start) >= c->max_runtime * (double)hz))
		trawl_flag_set(&eng->stop_tx);
	if (t->all_sending_done) {
		v->ph = PHASE_COOLDOWN;
		v->phase_start = now;
		/* Where the cycles went while sending, before the cooldown's idle rounds dilute it. */
		trawl_scan_cycles(s, s->send_cycles);
		s->send_items[0] = t->sent;
		s->send_items[1] = t->frames;
		s->send_items[2] = t->handed;
		s->have_send_cycles = 1;
	}
}

/*
 * An output that fails (disk full, reader gone): nothing more can be
 * recorded, so nothing more is sent. An output that takes nothing while
 * results wait for it: given up on after OUTPUT_STALL_S of it, a guest
 * stopped by its host not counted (core/stall.h).
 */
static void
watch_output(struct scan *s, struct supervisor *v, double dt)
{
	int moved;

	if (trawl_flusher_error(&s->fl) != 0)
		abort_run(s, TRAWL_CUT_OUTPUT_FAILED);
	moved = trawl_stat_get(&s->fl.bytes_written) != v->out_bytes || trawl_flag_get(&s->writer->finished);
	v->out_bytes = trawl_stat_get(&s->fl.bytes_written);
	v->out_stalled = trawl_stall_add(v->out_stalled, dt, moved);
	if (v->ph == PHASE_FINISH && v->out_stalled >= OUTPUT_STALL_S)
		abort_run(s, TRAWL_CUT_OUTPUT_STALLED);
}

/* One supervision step; returns 1 once the run is over. */
static int
step(struct scan *s, struct supervisor *v, const struct totals *t, int main_done)
{
	const struct trawl_scan_conf *c = &s->conf;
	struct trawl_engine *eng = s->eng;
	uint64_t hz = eng->hz, now = v->now;
	int sig = __atomic_load_n(&signals_seen, __ATOMIC_RELAXED);
	int limit = __atomic_load_n(&s->writer->limit_reached, __ATOMIC_ACQUIRE);
	/* Time since the step before, for the waits below: a guest its host stopped counts 0.1 s of it. */
	double dt = (double)(now - v->last_step) / (double)hz;

	v->last_step = now;

	if (sig >= 1 && !v->signalled) {
		v->signalled = 1;
		v->hard_end = now + (uint64_t)((c->cooldown + END_MARGIN_S) * (double)hz);
	}
	if (sig >= 2)
		abort_run(s, TRAWL_CUT_SECOND_SIGNAL);
	else if (v->hard_end != 0 && now >= v->hard_end)
		abort_run(s, TRAWL_CUT_SIGNAL_DEADLINE);
	switch (v->ph) {
	case PHASE_LINK:
		step_link(s, v, sig, dt);
		break;
	case PHASE_ARP:
		if (__atomic_load_n(&s->ctl.resolved, __ATOMIC_ACQUIRE)) {
			arm(s, &s->ctl.gateway_mac);
			v->ph = PHASE_SEND;
			v->phase_start = v->send_start = now;
		} else if (sig != 0) {
			stop_all(s);
			v->ph = PHASE_DRAIN;
		}
		break;
	case PHASE_SEND:
		step_send(s, v, t, sig || limit, dt);
		break;
	case PHASE_COOLDOWN:
		if (limit || s->failure != NULL || (double)(now - v->phase_start) >= c->cooldown * (double)hz) {
			trawl_flag_set(&eng->stop_rx);
			v->ph = PHASE_DRAIN;
		}
		break;
	case PHASE_DRAIN:
		if (t->all_rx_finished) {
			trawl_flag_set(&eng->stop_writer);
			v->ph = PHASE_FINISH;
			v->out_stalled = 0;
		}
		break;
	case PHASE_FINISH:
		break;
	}
	watch_output(s, v, dt);
	return (v->ph == PHASE_FINISH || s->cut != TRAWL_CUT_NONE) && main_done && t->all_tx_finished && t->all_rx_finished &&
		trawl_flag_get(&s->writer->finished);
}

/* Seconds left, for the status line: the send's estimate plus the cooldown, or the cooldown's rest. */
static double
time_left(const struct scan *s, const struct supervisor *v, const struct totals *t)
{
	double hz = (double)s->eng->hz;

	if (v->ph == PHASE_SEND && t->targets != 0 && t->targets < s->targets_planned && t->first_tsc != 0) {
		double sending = (double)(v->now - t->first_tsc) / hz;

		return sending * (double)(s->targets_planned - t->targets) / (double)t->targets + s->conf.cooldown;
	}
	if (v->ph == PHASE_COOLDOWN)
		return s->conf.cooldown - (double)(v->now - v->phase_start) / hz;
	return -1;
}

/* The link, then the gateway: as far as they go now, before any lcore runs (a reply may be waiting already). */
static enum phase
first_phase(struct scan *s)
{
	if (!trawl_port_link_up(s->port.id))
		return PHASE_LINK;
	if (s->conf.have_gateway_mac) {
		arm(s, &s->conf.gateway_mac);
		return PHASE_SEND;
	}
	resolve(s);
	return PHASE_ARP;
}

static void
supervise(struct scan *s, enum phase first)
{
	uint64_t hz = s->eng->hz;
	struct supervisor v = { .ph = first };
	uint64_t next_status, last_status, next_check;
	struct totals t, prev;
	struct trawl_role_cycles cprev[TRAWL_SCAN_ROLES];

	v.now = v.phase_start = v.send_start = v.last_step = rte_rdtsc();
	next_status = v.now + hz;
	last_status = next_check = v.now;
	memset(&prev, 0, sizeof(prev));
	trawl_scan_cycles(s, cprev);
	for (;;) {
		int main_done = trawl_lcore_poll_main(&s->map);

		uint64_t handled = s->ctl.handled;
		int supervised = 0;

		v.now = rte_rdtsc();
		/*
		 * Supervise once a millisecond, not every round: summing reads every
		 * role's counters, and on a shared main lcore doing it per round kept
		 * pulling the TX lcore's hot cache lines across cores.
		 */
		if (v.now >= next_check) {
			supervised = 1;
			next_check = v.now + hz / 1000;
			trawl_scan_sum(s, &t, 0);
			if (step(s, &v, &t, main_done))
				break;
			scan_ckpt_tick(&s->ck, v.now);
			scan_reload_step(&s->reload, v.ph <= PHASE_SEND && !trawl_flag_get(&s->eng->stop_tx));
			if (__atomic_load_n(&s->ck.error, __ATOMIC_RELAXED) != 0 && s->failure == NULL) {
				pthread_mutex_lock(&s->ck.mu);
				fail(s, "--checkpoint %s", s->ck.errmsg);
				pthread_mutex_unlock(&s->ck.mu);
				trawl_flag_set(&s->eng->stop_tx);
			}
			if (v.now >= next_status) {
				uint64_t row[TRAWL_SM_MAX];
				struct trawl_role_cycles cyc[TRAWL_SCAN_ROLES];

				trawl_scan_sum(s, &t, 1); /* the port's counters too, once a second */
				trawl_scan_cycles(s, cyc);
				if (!s->conf.quiet)
					trawl_scan_status(s, phase_names[v.ph], v.now, time_left(s, &v, &t),
							s->conf.status_cycles ? cyc : NULL, cprev, &t, &prev,
							(double)(v.now - last_status) / (double)hz);
				memcpy(cprev, cyc, sizeof(cprev));
				trawl_scan_live_row(s, &t, v.ph, v.now, row);
				trawl_live_publish(&s->live, row);
				prev = t;
				last_status = v.now;
				next_status = v.now + hz;
			}
		}
		if (trawl_ctl_poll(&s->ctl) == -ETIMEDOUT && v.ph == PHASE_ARP) {
			char ip[TRAWL_IPV6_STRLEN];

			stop_all(s);
			fail(s, "%s: no reply from gateway %s after %u requests over %u s on port %u (%s); "
					"nothing was scanned", s->conf.six ? "NDP" : "ARP", s->conf.six ?
					trawl_ipv6_str(&s->conf.gateway_ip6, ip) : trawl_ipv4_str(s->conf.gateway_ip, ip),
					TRAWL_ARP_TRIES, TRAWL_ARP_TRIES, s->port.id, s->port.driver);
			s->ctl.resolving = 0;
			v.ph = PHASE_DRAIN;
		}
		/*
		 * The control role's cycles: everything the main lcore did this round
		 * besides its roles; busy when it supervised (once a millisecond) or
		 * handled a frame, idle otherwise.
		 */
		{
			uint64_t dt = rte_rdtsc() - v.now;

			trawl_stat_add(supervised || s->ctl.handled != handled ? &s->ctl_cycles : &s->ctl_idle, dt);
		}
	}
	trawl_lcore_map_wait(&s->map);
	/* The output thread gets what is left of the time: until the deadline after a signal, else while it moves. */
	{
		double deadline = 0;

		if (v.hard_end != 0)
			deadline = trawl_mono() + (v.now < v.hard_end ? (double)(v.hard_end - v.now) / (double)hz : 0) + 0.2;
		if (s->cut == TRAWL_CUT_SECOND_SIGNAL)
			deadline = trawl_mono() + 0.2;
		if (s->cut == TRAWL_CUT_OUTPUT_STALLED)
			deadline = trawl_mono(); /* it had its OUTPUT_STALL_S already */
		trawl_flusher_finish(&s->fl, OUTPUT_STALL_S, deadline);
	}
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
	struct trawl_target6 tgt6;
	uint64_t idx;

	while (w->count < w->cap && trawl_cyclic_next(&w->it, &idx)) {
		if (w->space->six != NULL)
			trawl_target6_at(w->space, idx, &tgt6);
		else
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

	space_init(s, &space);
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

/*
 * -o once the run is over: complete results get their name. A failed run's
 * are removed (a full disk's half a file frees its space), except under
 * --checkpoint, where PATH.tmp is where the next attempt goes on.
 */
static void
finish_output(struct scan *s)
{
	int rc;

	if (s->of.in_place || s->of_finished)
		return;
	s->of_finished = 1;
	if (s->conf.checkpoint != NULL && (s->failure != NULL || !s->ck.ck.done)) {
		if (!s->conf.quiet && s->failure == NULL)
			fprintf(stderr, "checkpoint: the scan is not finished; its results so far are in %s, and the same "
					"command goes on from there\n", s->of.tmp);
		return;
	}
	if (s->failure != NULL) {
		trawl_outfile_discard(&s->of);
		return;
	}
	rc = trawl_outfile_commit(&s->of, s->fl.fd);
	if (rc != 0) {
		fail(s, "%s: cannot give the results their name (from %s): %s", s->of.path, s->of.tmp, strerror(-rc));
		trawl_outfile_discard(&s->of);
	}
}

/*
 * The live counters' last row, from the totals the metadata was made of
 * (so the last --metrics-file says what -m says), in phase "done". A file
 * that cannot be written is a warning: the counters are for watching.
 */
static void
finish_live(struct scan *s, const struct totals *t)
{
	uint64_t row[TRAWL_SM_MAX];
	int rc;

	s->live_done = 1;
	trawl_scan_live_row(s, t, PHASE_FINISH, rte_rdtsc(), row);
	trawl_live_publish(&s->live, row);
	if ((rc = trawl_live_finish(&s->live)) != 0)
		fprintf(stderr, "trawl scan: --metrics-file %s: cannot write it: %s\n", s->conf.metrics_file,
				strerror(-rc));
}

/* A run that ends before it began (no EAL): nothing to name, and a checkpoint's results so far stay. */
static void
drop_output(struct scan *s)
{
	if (!s->of.in_place && s->conf.checkpoint == NULL)
		trawl_outfile_discard(&s->of);
	s->of_finished = 1;
}

static void
free_ring_mbufs(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r != NULL && rte_ring_sc_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

/* Every DPDK object the set-up made, in reverse (the checkpoint thread first: it reads the roles). */
static void
free_dpdk(struct scan *s)
{
	scan_ckpt_finish(&s->ck, 0); /* stops its thread if a failed start left it running; else nothing */
	trawl_kpath_close(&s->kpath); /* its interface goes with it */
	if (s->port.started)
		trawl_port_close(&s->port);
	for (uint32_t r = 0; s->rx != NULL && r < s->nrx; r++) {
		rte_ring_free(s->rx[r].to_writer);
		if (s->rx[r].pend.h != NULL)
			trawl_pending_free(&s->rx[r].pend);
		free_ring_mbufs(s->rx[r].to_tx);
		free_ring_mbufs(s->rx[r].to_ctl);
	}
	if (s->tx != NULL)
		free_ring_mbufs(s->tx[0].inject);
	trawl_lcore_map_free(&s->map);
	scan_reload_free(&s->reload);
	trawl_flusher_close(&s->fl);
	trawl_dedup_free(&s->dedup);
	rte_free(s->tx);
	rte_free(s->rx);
	rte_free(s->writer);
	rte_free(s->eng);
	for (int i = 0; i < RTE_MAX_NUMA_NODES; i++)
		rte_mempool_free(s->pool[i]);
}

/* The commit thread of --checkpoint, over the roles just set up. */
static int
start_ckpt(struct scan *s)
{
	const struct scan_ckpt_roles roles = {
		.tx = s->tx, .ntx = s->ntx, .rx = s->rx, .nrx = s->nrx,
		.writer = s->writer, .fl = &s->fl, .hz = s->eng->hz,
	};

	return scan_ckpt_start(&s->ck, &roles) == 0 ? 0 : fail(s, "%s", s->ck.errmsg);
}

/* --- the run, phase by phase ------------------------------------------- */

/* What the phases set up that only teardown() undoes. */
enum {
	UP_TARGETS = 0x1,   /* s->allowed built */
	UP_OUTPUT = 0x2,    /* -o opened (drop it unless the run finishes it) */
	UP_EAL = 0x4,       /* rte_eal_init done */
};

/* A phase's "not done yet": any other return is the exit status, said already. */
#define GO_ON (-1)

/* Flags, -C, modules; --list-* answered here. @return GO_ON or the exit status. */
static int
parse(struct scan *s, int argc, char **argv)
{
	struct trawl_err err = { "" };
	int rc = trawl_scan_conf_parse(&s->conf, argc, argv, stdout, &err);

	if (rc == TRAWL_CONF_EXIT) {
		if (trawl_scan_modules_list(&s->conf, stdout, &err) == 0)
			return 0;
		fprintf(stderr, "trawl scan: %s\n", err.msg);
		return 2;
	}
	if (rc == 0 && trawl_scan_modules_resolve(&s->conf, &s->mods, &err) != 0)
		rc = -EINVAL;
	if (rc < 0) {
		if (err.msg[0])
			fprintf(stderr, "trawl scan: %s\n", err.msg);
		return rc == -ENOMEM ? 1 : 2;
	}
	return GO_ON;
}

/*
 * A --checkpoint scan resumed: its permutation is the one it started with,
 * over the blocklist kept beside the checkpoint. A blocklist that only grew
 * since is skipped live from the first probe on; one that lost addresses
 * would leave targets out of a scan that never probed them, and is refused.
 * Leaves conf.block as the list the permutation is built from.
 * @return GO_ON or the exit status.
 */
/* Do two lists hold the same IPv6 prefixes, in the same order? (Field by field: the records have padding.) */
static int
same_v6(const struct trawl_ranges *a, const struct trawl_ranges *b)
{
	if (a->n6 != b->n6)
		return 0;
	for (size_t i = 0; i < a->n6; i++)
		if (!trawl_ip6_eq(a->v6[i].addr, b->v6[i].addr) || a->v6[i].len != b->v6[i].len)
			return 0;
	return 1;
}

/*
 * The IPv6 side of a resume: an IPv6 list is cut by the blocklist before
 * it is numbered, so the scan is numbered with the blocklist it started
 * with; prefixes added since are skipped live, as IPv4's ranges are, and
 * a blocklist that lost IPv6 addresses is refused the same way.
 * @return the number of IPv6 intervals added (0: no change), or -1 (lost), -ENOMEM.
 */
static long
resume_v6(const struct trawl_ranges *started, const struct trawl_ranges *now)
{
	struct trawl_ip6 *wlo, *whi, *nlo, *nhi;
	size_t wn, nn;
	long rc;

	if (same_v6(started, now))
		return 0;
	if (trawl_ip6_ranges_build(started->v6, started->n6, &wlo, &whi, &wn) != 0)
		return -ENOMEM;
	if (trawl_ip6_ranges_build(now->v6, now->n6, &nlo, &nhi, &nn) != 0) {
		free(wlo);
		free(whi);
		return -ENOMEM;
	}
	if (!trawl_ip6_ranges_within(wlo, whi, wn, nlo, nhi, nn))
		rc = -1;
	else
		rc = trawl_ip6_ranges_within(nlo, nhi, nn, wlo, whi, wn) ? 0 : (long)nn;
	free(wlo);
	free(whi);
	free(nlo);
	free(nhi);
	return rc;
}

static int
resume_blocklist(struct scan *s)
{
	struct trawl_ranges started = { 0 };
	struct trawl_constraint was, now;
	struct trawl_err err = { "" };
	uint64_t lost, skipped;
	long grew6 = 0;
	int rc = scan_ckpt_started_blocklist(s->conf.checkpoint, &started, &err);

	if (rc <= 0) {
		trawl_ranges_free(&started);
		if (rc < 0)
			fprintf(stderr, "trawl scan: --checkpoint: %s\n", err.msg);
		return rc < 0 ? 2 : GO_ON;
	}
	if (trawl_constraint_build(&was, &s->conf.allow, &started) != 0) {
		trawl_ranges_free(&started);
		return 1;
	}
	if (trawl_constraint_build(&now, &s->conf.allow, &s->conf.block) != 0) {
		trawl_constraint_free(&was);
		trawl_ranges_free(&started);
		return 1;
	}
	lost = trawl_constraint_count(&now) - trawl_constraint_overlap(&now, &was);
	skipped = trawl_constraint_count(&was) - trawl_constraint_overlap(&now, &was);
	trawl_constraint_free(&was);
	trawl_constraint_free(&now);
	if (s->conf.six && (grew6 = resume_v6(&started, &s->conf.block)) == -ENOMEM) {
		trawl_ranges_free(&started);
		return 1;
	}
	if (lost != 0 || grew6 < 0) {
		if (lost != 0)
			fprintf(stderr, "trawl scan: --checkpoint %s: the blocklist no longer blocks %" PRIu64 " target "
					"addresses it blocked when the scan started (kept in %s.blocklist): resuming would leave "
					"them out; start a new scan to probe them\n", s->conf.checkpoint, lost, s->conf.checkpoint);
		else
			fprintf(stderr, "trawl scan: --checkpoint %s: the blocklist's IPv6 lines no longer block all the "
					"addresses they blocked when the scan started (kept in %s.blocklist): resuming would "
					"leave them out; start a new scan to probe them\n", s->conf.checkpoint, s->conf.checkpoint);
		trawl_ranges_free(&started);
		return 2;
	}
	if (skipped != 0 || grew6 > 0) {
		s->grown_block = scan_live_block_build(&s->conf.block);
		if (s->grown_block == NULL) {
			trawl_ranges_free(&started);
			return 1;
		}
		if (!s->conf.quiet && skipped != 0)
			fprintf(stderr, "checkpoint: the blocklist grew since the scan started: %" PRIu64 " of its target "
					"addresses are skipped from now on\n", skipped);
		if (!s->conf.quiet && grew6 > 0)
			fprintf(stderr, "checkpoint: the blocklist's IPv6 lines grew since the scan started: the addresses "
					"of this scan in them are skipped from now on (targets_blocked_live counts them)\n");
	}
	/* The permutation is numbered over the list it started with. */
	trawl_ranges_free(&s->conf.block);
	s->conf.block = started;
	return GO_ON;
}

/* An IPv6 scan's targets: the list (taken from the configuration), the windows, the blocklist. */
static int
build_targets6(struct scan *s)
{
	struct trawl_scan_conf *c = &s->conf;
	struct trawl_err err = { "" };
	const struct trawl_space6 *sp = &s->space6;
	char mem[32];

	int rc = trawl_space6_build(&s->space6, c->list6.v, c->list6.n, c->win6, c->nwin6, &c->block, &err);

	if (rc != 0) {
		c->list6.v = NULL; /* the set took it, and freed it */
		c->list6.n = 0;
		fprintf(stderr, "trawl scan: %s\n", err.msg);
		return rc == -ENOMEM ? 1 : 2;
	}
	c->list6.v = NULL;
	c->list6.n = 0;
	if (!c->quiet) {
		const struct trawl_addrlist_stats *ls = &c->list_stats;

		fmt_bytes(mem, sizeof(mem), trawl_space6_memory(sp));
		if (c->list_of_ips != NULL)
			fprintf(stderr, "targets: -I %s: %" PRIu64 " addresses in %" PRIu64 " lines (%" PRIu64 " repeated, "
					"probed once), read in %.2f s\n", c->list_of_ips, ls->addresses, ls->lines,
					ls->lines - ls->addresses, c->list_load_s);
		fprintf(stderr, "targets: IPv6, %" PRIu64 " listed addresses (%" PRIu64 " blocklisted, %" PRIu64
				" also in a window) and %u prefixes or windows, %" PRIu64 " addresses in all; the target "
				"set holds %s\n", sp->nlist, sp->list_blocked, sp->list_in_window, sp->nwin,
				trawl_space6_count(sp), mem);
	}
	if (trawl_space6_count(sp) == 0) {
		fprintf(stderr, "trawl scan: no targets left: every target address is in the blocklist%s%s\n",
				c->blocklist_file ? " " : "", c->blocklist_file ? c->blocklist_file : "");
		return 2;
	}
	return GO_ON;
}

/* The privilege keeper, and the targets left once the blocklist is taken out. @return GO_ON or the exit status. */
static int
plan(struct scan *s)
{
	struct trawl_err err = { "" };

	if (trawl_privsep_init(s->conf.user, &err) != 0) {
		fprintf(stderr, "trawl scan: %s\n", err.msg);
		return 2;
	}
	if (s->conf.checkpoint != NULL) {
		int rc = resume_blocklist(s);

		if (rc != GO_ON)
			return rc;
	}
	if (trawl_constraint_build(&s->allowed, &s->conf.allow, &s->conf.block) != 0) {
		fprintf(stderr, "trawl scan: out of memory building the target set\n");
		return 1;
	}
	s->up |= UP_TARGETS;
	if (s->conf.six)
		return build_targets6(s);
	if (s->conf.list_of_ips != NULL && !s->conf.quiet) {
		const struct trawl_addrlist_stats *ls = &s->conf.list_stats;
		char mem[32];

		fmt_bytes(mem, sizeof(mem), trawl_constraint_memory(&s->allowed));
		fprintf(stderr, "targets: -I %s: %" PRIu64 " addresses in %" PRIu64 " lines (%" PRIu64 " repeated, "
				"probed once), read in %.2f s; the target set holds %s\n", s->conf.list_of_ips, ls->addresses,
				ls->lines, ls->lines - ls->addresses, s->conf.list_load_s, mem);
	}
	if (trawl_constraint_count(&s->allowed) == 0) {
		fprintf(stderr, "trawl scan: no targets left: every target address is in the blocklist%s%s\n",
				s->conf.blocklist_file ? " " : "", s->conf.blocklist_file ? s->conf.blocklist_file : "");
		return 2;
	}
	return GO_ON;
}

/*
 * Say which blocklist this scan reads, so that `trawl optout` finds it
 * (core/scanreg.h). After the keeper's fork: the lock must be ours alone.
 * A registry we cannot write is no reason not to scan: SIGHUP still works.
 */
static void
register_scan(struct scan *s)
{
	const char *b = s->conf.blocklist_file;
	int fd;

	if (b == NULL || trawl_path_is_special(b))
		return;
	fd = trawl_scanreg_add(b);
	if (fd >= 0) {
		s->reg_fd = fd;
		s->registered = 1;
	} else if (!s->conf.quiet) {
		fprintf(stderr, "trawl scan: warning: cannot register in %s (%s): trawl optout will not find this "
				"scan; SIGHUP still reloads its blocklist\n", trawl_scanreg_dir(), strerror(-fd));
	}
}

/*
 * Before the EAL: -o and --checkpoint (a finished scan ends here, exit 0),
 * what the keeper may write for us, and the keeper itself. @return GO_ON
 * or the exit status.
 */
static int
open_files(struct scan *s)
{
	struct trawl_err err = { "" };
	int rc;

	if (trawl_outfile_init(&s->of, s->conf.output_file) != 0) {
		fprintf(stderr, "trawl scan: %s: file name too long\n", s->conf.output_file);
		return 2;
	}
	rc = scan_ckpt_open(&s->ck, &s->conf, &s->mods, s->conf.six ? &s->space6 : NULL, &s->allowed, &s->of);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "trawl scan: %s\n", s->ck.errmsg);
		return rc < 0 ? 2 : 0;
	}
	rc = s->conf.checkpoint == NULL ? 0 : scan_ckpt_keep_blocklist(s->conf.checkpoint, &s->conf.block);
	if (rc != 0) {
		fprintf(stderr, "trawl scan: --checkpoint %s: cannot keep the blocklist beside it: %s\n", s->conf.checkpoint,
				strerror(-rc));
		return 2;
	}
	/* A resumed scan adds to what it wrote: no second header row. */
	trawl_output_init(&s->out, s->mods.output, s->mods.fields, s->mods.nfields,
			!s->conf.no_header && !s->ck.resumed);
	if (trawl_flusher_open(&s->fl, s->of.writing, s->ck.resumed, &err) != 0) {
		fprintf(stderr, "trawl scan: output: %s\n", err.msg);
		return 2;
	}
	s->up |= UP_OUTPUT;
	/* The files the keeper may write or rename for us once we are no longer root, and nothing else. */
	trawl_privsep_allow_write(s->conf.checkpoint);
	trawl_privsep_allow_write(s->conf.metadata_file);
	trawl_privsep_allow_write(s->conf.metrics_file);
	if (!s->of.in_place)
		trawl_privsep_allow_rename(s->of.tmp, s->of.path);
	if (trawl_privsep_start(&err) != 0) {
		fprintf(stderr, "trawl scan: %s\n", err.msg);
		return 1;
	}
	register_scan(s);
	return GO_ON;
}

/* The EAL, signals, the clock the run is timed by. @return GO_ON or the exit status. */
static int
start_eal(struct scan *s)
{
	s->ntx = s->conf.tx_threads;
	s->nrx = s->conf.rx_threads;
	if (trawl_eal_args_build(&s->eal, "trawl", s->conf.eal, s->conf.dev, (uint16_t)s->nrx, (uint16_t)s->ntx) != 0) {
		fprintf(stderr, "trawl scan: --eal: too many arguments\n");
		return 2;
	}
	if (trawl_eal_start(&s->eal) != 0) {
		fprintf(stderr, "trawl scan: cannot start DPDK (EAL) with --dev '%s': %s\n", s->conf.dev,
				rte_errno ? rte_strerror(rte_errno) : "see the EAL message above");
		return 1;
	}
	s->up |= UP_EAL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A reader that went away (| head) is a write error of the output, not a reason to die unreported. */
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_REALTIME, &s->start_ts);
	s->start_tsc = rte_rdtsc();
	return GO_ON;
}

/*
 * Live counters, the port, the engine, the roles, the output, the commits;
 * then root is dropped. @return 0 or -1 (fail()).
 */
static int
setup(struct scan *s)
{
	struct trawl_err err = { "" };
	struct totals t;
	uint64_t row[TRAWL_SM_MAX];
	int rc;

	s->eng = rte_zmalloc("trawl_engine", sizeof(*s->eng), RTE_CACHE_LINE_SIZE);
	if (s->eng == NULL)
		return fail(s, "out of memory");
	s->eng->hz = rte_get_tsc_hz(); /* the live row divides by it, setup_engine or not */
	if ((rc = trawl_live_start(&s->live, "trawl scan", "/trawl/scan",
			"The running scan's counters, as its status line and metadata name them.",
			trawl_scan_metrics, TRAWL_SM_MAX, s->conf.metrics_file)) != 0)
		return fail(s, "live counters (telemetry, --metrics-file): %s", strerror(-rc));
	if (trawl_port_find(s->conf.dev, &s->port, &err) != 0)
		return fail(s, "%s", err.msg);
	if (setup_engine(s) != 0 || setup_roles(s) != 0 || setup_reload(s) != 0 || setup_output(s) != 0 ||
	    start_ckpt(s) != 0)
		return -1;
	/* Set up: from here on no root, before the first byte from the wire is read (ARP included). */
	if (trawl_privsep_drop(&err) != 0)
		return fail(s, "%s", err.msg);
	s->writer->tsc0 = s->start_tsc;
	s->writer->wall0 = s->start_ts;
	s->first = (unsigned int)first_phase(s);
	trawl_scan_sum(s, &t, 0);
	trawl_scan_live_row(s, &t, s->first, rte_rdtsc(), row);
	trawl_live_publish(&s->live, row);
	return 0;
}

/* The lcores, from launch to the last one stopped, and the final commit. @return 0 or -1 (fail()). */
static int
run(struct scan *s)
{
	if (trawl_lcore_map_launch(&s->map) != 0) {
		abort_run(s, TRAWL_CUT_LAUNCH_FAILED);
		trawl_lcore_map_wait(&s->map);
		return fail(s, "cannot launch the lcores");
	}
	supervise(s, (enum phase)s->first);
	scan_ckpt_finish(&s->ck, s->cut == TRAWL_CUT_NONE && s->failure == NULL);
	clock_gettime(CLOCK_REALTIME, &s->end_ts);
	return 0;
}

/* A run that got to its end: the output named, the metadata, the last live row, the done line. */
static void
report(struct scan *s)
{
	struct totals t;
	int rc;

	trawl_scan_sum(s, &t, 1);
	if (trawl_flusher_error(&s->fl) != 0)
		fail(s, "%s: results could not be written in full: %s (%" PRIu64 " of %" PRIu64 " written)",
			s->conf.output_file, strerror(trawl_flusher_error(&s->fl)), s->fl.rows_written, s->writer->results);
	else if (s->fl.rows_lost != 0)
		fail(s, "%s: the output took nothing for %.0f s%s: %" PRIu64 " of %" PRIu64 " results not written",
			s->conf.output_file, OUTPUT_STALL_S, s->fl.stuck ? " and its write never returned" : "",
			s->fl.rows_lost, s->writer->results);
	finish_output(s); /* whole results keep their name even if the metadata cannot be written */
	if (s->conf.metadata_file != NULL && (rc = trawl_scan_write_metadata(s, &t)) != 0)
		fail(s, "%s: cannot write the metadata: %s", s->conf.metadata_file, strerror(-rc));
	finish_live(s, &t);
	if (!s->conf.quiet && s->failure == NULL)
		fprintf(stderr, "trawl: done: %" PRIu64 " targets, %" PRIu64 " probes sent, %" PRIu64
			" replies validated, %" PRIu64 " failed validation, %" PRIu64 " results, %" PRIu64 " replies lost\n",
			t.targets, t.sent, t.valid, t.invalid, trawl_stat_get(&s->writer->results), trawl_scan_lost(s, &t));
}

/*
 * The one unwind, whichever phase ended the run: the output's fate, the
 * last live row, the failure said, the DPDK objects, the EAL.
 */
static void
teardown(struct scan *s)
{
	struct totals t;

	if (s->up & UP_EAL) {
		finish_output(s); /* a run that failed before its end */
		if (!s->live_done && s->eng != NULL) {
			trawl_scan_sum(s, &t, 1);
			finish_live(s, &t);
		}
	} else if (s->up & UP_OUTPUT) {
		drop_output(s);
	}
	if (s->failure != NULL)
		fprintf(stderr, "trawl scan: %s\n", s->failure);
	if (s->up & UP_EAL) {
		trawl_eal_quiet_teardown();
		free_dpdk(s);
		rte_eal_cleanup();
	}
	trawl_eal_args_free(&s->eal);
	if (s->registered)
		trawl_scanreg_remove(s->reg_fd);
	if (s->up & UP_TARGETS) {
		trawl_constraint_free(&s->allowed);
		trawl_space6_free(&s->space6);
	}
	if (s->grown_block != NULL) {
		/* Never handed to the engine: the run ended before its set-up. */
		scan_live_block_free(s->grown_block);
	}
	trawl_scan_conf_free(&s->conf);
}

int
trawl_scan_main(int argc, char **argv)
{
	/* Static: telemetry's thread may read the live counters until the process is gone. */
	static struct scan scan;
	struct scan *s = &scan;
	int status;

	/* First: trawl optout may signal a scan from the moment it is registered, and SIGHUP's default kills. */
	signal(SIGHUP, scan_reload_on_signal);
	if ((status = parse(s, argc, argv)) != GO_ON)
		return status;
	status = plan(s);
	if (status == GO_ON && s->conf.dryrun)
		status = dryrun(s);
	if (status == GO_ON)
		status = open_files(s);
	if (status == GO_ON)
		status = start_eal(s);
	if (status == GO_ON) {
		if (setup(s) == 0 && run(s) == 0)
			report(s);
		status = s->failure != NULL;
	}
	teardown(s);
	return status;
}
