/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a scan says about itself: the counters of every role summed, the
 * status line once a second, and the metadata file at the end. Every frame
 * the port delivered is accounted for in the metadata, by where it went:
 *   frames_received = replies_received + frames_other + arp_frames
 *   replies_valid = results_handed + replies_lost_by_reason.writer_behind
 * and every reply that did not become a row says why (duplicates, closed,
 * lost on the way in, unwritten at the end).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_ethdev.h>

#include "app/core/atomicfile.h"
#include "app/core/metric_names.h"
#include "app/dp/stats.h"
#include "app/core/privsep.h"
#include "app/scan/run.h"

const char *const trawl_cut_names[] = {
	[TRAWL_CUT_NONE] = "",
	[TRAWL_CUT_SECOND_SIGNAL] = "second signal",
	[TRAWL_CUT_SIGNAL_DEADLINE] = "signal: cooldown over",
	[TRAWL_CUT_OUTPUT_FAILED] = "output failed",
	[TRAWL_CUT_OUTPUT_STALLED] = "output stalled",
	[TRAWL_CUT_LAUNCH_FAILED] = "launch failed",
};

void
trawl_scan_sum(const struct scan *s, struct totals *t, int port)
{
	struct rte_eth_stats st;

	memset(t, 0, sizeof(*t));
	t->all_sending_done = 1;
	t->all_tx_finished = 1;
	t->all_rx_finished = 1;
	for (uint32_t i = 0; s->tx != NULL && i < s->ntx; i++) {
		const struct trawl_tx *tx = &s->tx[i];
		uint64_t f = __atomic_load_n(&tx->first_tsc, __ATOMIC_RELAXED);
		uint64_t l = __atomic_load_n(&tx->last_tsc, __ATOMIC_RELAXED);

		t->sent += trawl_stat_get(&tx->sent);
		t->targets += trawl_stat_get(&tx->targets);
		t->blocked_live += trawl_stat_get(&tx->blocked_live);
		t->alloc_fail += trawl_stat_get(&tx->alloc_fail);
		t->probes_dropped += trawl_stat_get(&tx->probes_dropped);
		t->ctl_sent += trawl_stat_get(&tx->ctl_sent);
		t->ctl_dropped += trawl_stat_get(&tx->ctl_dropped);
		t->answers_sent += trawl_stat_get(&tx->answers_sent);
		t->answers_refused += trawl_stat_get(&tx->answers_dropped);
		t->window_max += trawl_stat_get(&tx->win.max);
		if (f != 0 && (t->first_tsc == 0 || f < t->first_tsc))
			t->first_tsc = f;
		if (l > t->last_tsc)
			t->last_tsc = l;
		t->all_sending_done &= trawl_flag_get(&tx->sending_done);
		t->all_tx_finished &= trawl_flag_get(&tx->finished);
	}
	for (uint32_t i = 0; s->rx != NULL && i < s->nrx; i++) {
		const struct trawl_rx *rx = &s->rx[i];

		t->frames += trawl_stat_get(&rx->frames);
		t->valid += trawl_stat_get(&rx->valid);
		t->invalid += trawl_stat_get(&rx->invalid);
		t->other += trawl_stat_get(&rx->other);
		t->arp += trawl_stat_get(&rx->arp);
		t->arp_dropped += trawl_stat_get(&rx->arp_dropped);
		t->kernel += trawl_stat_get(&rx->kernel);
		t->kernel_dropped += trawl_stat_get(&rx->kernel_dropped);
		t->handed += trawl_stat_get(&rx->handed);
		t->writer_behind += trawl_stat_get(&rx->writer_behind);
		t->answers += trawl_stat_get(&rx->answers);
		t->answers_dropped += trawl_stat_get(&rx->answers_dropped);
		t->canaries += trawl_stat_get(&rx->canaries);
		t->canaries_dropped += trawl_stat_get(&rx->canaries_dropped);
		t->resets += trawl_stat_get(&rx->resets);
		t->held += trawl_stat_get(&rx->pend.held);
		t->held_early += trawl_stat_get(&rx->pend.early);
		t->all_rx_finished &= trawl_flag_get(&rx->finished);
	}
	if (port && s->port.started && rte_eth_stats_get(s->port.id, &st) == 0) {
		t->port_missed = st.imissed;
		t->port_nombuf = st.rx_nombuf;
		t->port_errors = st.ierrors;
		t->port_tx_errors = st.oerrors;
	}
}

uint64_t
trawl_scan_lost(const struct scan *s, const struct totals *t)
{
	return t->port_missed + t->port_nombuf + t->port_errors + t->writer_behind +
		(s->writer != NULL ? trawl_stat_get(&s->writer->abandoned) : 0);
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

void
trawl_scan_status(const struct scan *s, const char *phase, uint64_t now, double left_s,
		const struct trawl_role_cycles *cyc, const struct trawl_role_cycles *cprev,
		const struct totals *t, const struct totals *prev, double dt)
{
	double elapsed = (double)(now - s->start_tsc) / (double)s->eng->hz;
	double pct = s->targets_planned ? 100.0 * (double)t->targets / (double)s->targets_planned : 100.0;
	uint64_t lost = trawl_scan_lost(s, t), port = t->port_missed + t->port_nombuf + t->port_errors;
	char el[32], left[32] = "", why[96] = "", kern[128] = "", ticks[160] = "";

	fmt_duration(el, sizeof(el), elapsed);
	if (left_s >= 0)
		fmt_duration(left, sizeof(left), left_s);
	if (lost != 0)
		snprintf(why, sizeof(why), " (port %" PRIu64 ", writer behind %" PRIu64 ")", port, t->writer_behind);
	if (s->kpath_on) {
		const struct trawl_kpath *k = &s->kpath;
		uint64_t drops = trawl_scan_kernel_drops(s, t);

		if (k->to_kernel != 0 || k->from_kernel != 0 || drops != 0)
			snprintf(kern, sizeof(kern), "; kernel in %" PRIu64 ", out %" PRIu64 ", dropped %" PRIu64,
					k->to_kernel, k->from_kernel, drops);
	}
	if (cyc != NULL) {
		/* The last second's: ticks per item by role, and the share of every role's ticks spent idle. */
		uint64_t d[TRAWL_SCAN_ROLES], busy = 0, idle = 0;

		for (unsigned int r = 0; r < TRAWL_SCAN_ROLES; r++) {
			d[r] = cyc[r].busy - cprev[r].busy;
			busy += d[r];
			idle += cyc[r].idle - cprev[r].idle;
		}
		snprintf(ticks, sizeof(ticks), "; ticks tx %.0f/probe, rx %.0f/frame, writer %.0f/reply, idle %.0f%%",
				t->sent > prev->sent ? (double)d[0] / (double)(t->sent - prev->sent) : 0.0,
				t->frames > prev->frames ? (double)d[1] / (double)(t->frames - prev->frames) : 0.0,
				t->handed > prev->handed ? (double)d[2] / (double)(t->handed - prev->handed) : 0.0,
				busy + idle != 0 ? 100.0 * (double)idle / (double)(busy + idle) : 0.0);
	}
	fprintf(stderr, "%s %3.0f%%%s%s%s [%s]; sent %" PRIu64 " (%.1f Kpps); recv %" PRIu64
		" (%.0f pps), valid %" PRIu64 ", results %" PRIu64 "; lost %" PRIu64 "%s%s%s\n",
		el, pct > 100 ? 100 : pct, left[0] ? " (" : "", left, left[0] ? " left)" : "", phase,
		t->sent, dt > 0 ? (double)(t->sent - prev->sent) / dt / 1000.0 : 0.0,
		t->frames, dt > 0 ? (double)(t->frames - prev->frames) / dt : 0.0, t->valid,
		trawl_stat_get(&s->writer->results), lost, why, kern, ticks);
}

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

/* Cycles per item, 0 when there was none. */
static uint64_t
per(uint64_t cycles, uint64_t items)
{
	return items != 0 ? (cycles + items / 2) / items : 0;
}

void
trawl_scan_live_row(const struct scan *s, const struct totals *t, unsigned int phase, uint64_t now, uint64_t *row)
{
	const struct trawl_writer *w = s->writer;

	memset(row, 0, TRAWL_SM_MAX * sizeof(*row));
	row[TRAWL_SM_TARGETS] = s->tx != NULL ? shard_targets(s, t) : s->targets_planned;
	row[TRAWL_SM_TARGETS_SCANNED] = t->targets;
	row[TRAWL_SM_PACKETS_SENT] = t->sent;
	row[TRAWL_SM_FRAMES_RECEIVED] = t->frames;
	row[TRAWL_SM_REPLIES_VALID] = t->valid;
	row[TRAWL_SM_VALIDATION_FAILED] = t->invalid;
	/* As the metadata counts them: with --checkpoint, every attempt's rows. */
	row[TRAWL_SM_RESULTS] = s->ck.rows_before + (w != NULL ? trawl_stat_get(&w->results) : 0);
	row[TRAWL_SM_RESULTS_WRITTEN] = trawl_stat_get(&s->fl.rows_written);
	row[TRAWL_SM_REPLIES_LOST] = trawl_scan_lost(s, t);
	row[TRAWL_SM_WRITER_BEHIND] = t->writer_behind;
	row[TRAWL_SM_PORT_RX_MISSED] = t->port_missed;
	row[TRAWL_SM_KERNEL_IN] = s->kpath.to_kernel;
	row[TRAWL_SM_KERNEL_OUT] = s->kpath.from_kernel;
	row[TRAWL_SM_KERNEL_DROPPED] = s->kpath_on ? trawl_scan_kernel_drops(s, t) : 0;
	row[TRAWL_SM_BLOCKED_LIVE] = t->blocked_live;
	row[TRAWL_SM_BLOCKLIST_RELOADS] = s->reload.reloads;
	{
		struct trawl_role_cycles c[TRAWL_SCAN_ROLES];

		trawl_scan_cycles(s, c);
		for (unsigned int r = 0; r < TRAWL_SCAN_ROLES; r++) {
			row[TRAWL_SM_BUSY + r] = c[r].busy;
			row[TRAWL_SM_IDLE + r] = c[r].idle;
		}
		row[TRAWL_SM_CYCLES_PER_PROBE] = per(c[0].busy, t->sent);
		row[TRAWL_SM_CYCLES_PER_REPLY] = per(c[1].busy, t->frames);
		row[TRAWL_SM_CYCLES_PER_RESULT] = per(c[2].busy, t->handed);
	}
	row[TRAWL_SM_ELAPSED_MS] = s->eng != NULL && now > s->start_tsc ? 
		(uint64_t)((double)(now - s->start_tsc) * 1000.0 / (double)s->eng->hz) : 0;
	row[TRAWL_SM_START_TIME] = (uint64_t)s->start_ts.tv_sec;
	if (phase < TRAWL_SCAN_PHASES)
		row[TRAWL_SM_PHASE + phase] = 1;
}

/* The port's own receive-drop counters beyond rte_eth_stats, where the PMD keeps any (xstats). */
static json_t *
port_xstats_drops(uint16_t port)
{
	json_t *o = json_object();
	int n = rte_eth_xstats_get_names(port, NULL, 0);
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;

	if (n <= 0)
		return o;
	names = calloc((size_t)n, sizeof(*names));
	vals = calloc((size_t)n, sizeof(*vals));
	if (names != NULL && vals != NULL && rte_eth_xstats_get_names(port, names, (unsigned int)n) == n &&
	    rte_eth_xstats_get(port, vals, (unsigned int)n) == n) {
		for (int i = 0; i < n; i++) {
			const char *nm = names[vals[i].id].name;

			if (vals[i].value != 0 && strstr(nm, "rx") != NULL &&
			    (strstr(nm, "drop") || strstr(nm, "miss") || strstr(nm, "error") || strstr(nm, "nombuf") ||
			     strstr(nm, "discard")))
				json_object_set_new(o, nm, json_integer((json_int_t)vals[i].value));
		}
	}
	free(names);
	free(vals);
	return o;
}

/*
 * json_dump_file, with one key holding an unsigned 64-bit number: jansson's
 * integers are signed, and a seed above 2^63 would come out negative. The
 * value goes in as a marker string and is replaced by its digits.
 */
static int
dump_with_u64(json_t *o, const char *path, const char *key, uint64_t v)
{
	static const char marker[] = "\"@trawl-u64@\"";
	char *text, *at, *whole = NULL;
	int rc, len;

	json_object_set_new(o, key, json_string("@trawl-u64@"));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return -ENOMEM;
	at = strstr(text, marker);
	if (at == NULL) {
		free(text);
		return -EINVAL;
	}
	*at = '\0';
	len = asprintf(&whole, "%s%" PRIu64 "%s\n", text, v, at + sizeof(marker) - 1);
	free(text);
	if (len < 0)
		return -ENOMEM;
	/* Whole or not there (PATH.tmp, renamed): a full disk leaves no half a document under the name. */
	rc = trawl_write_file_atomic(path, whole, (size_t)len);
	free(whole);
	return rc;
}

#define SET_U(o, k, v) json_object_set_new((o), (k), json_integer((json_int_t)(v)))

/* What was asked and what went out. */
static void
meta_run(json_t *o, const struct scan *s, const struct totals *t)
{
	const struct trawl_scan_conf *c = &s->conf;
	double send_time = t->last_tsc > t->first_tsc ? (double)(t->last_tsc - t->first_tsc) / (double)s->eng->hz : 0;
	char ip[TRAWL_IPV6_STRLEN];

	json_object_set_new(o, "trawl_version", json_string(TRAWL_VERSION));
	json_object_set_new(o, "seed", json_null()); /* its place in the order; the number goes in at the end */
	json_object_set_new(o, "seed_hex", json_sprintf("0x%016" PRIx64, c->seed));
	json_object_set_new(o, "probe_module", json_string(c->probe_module));
	json_object_set_new(o, "validation_mac", json_sprintf("aes-128 %s", s->eng->pctx.val.mac.impl));
	json_object_set_new(o, "probe_args", c->probe_args ? json_string(c->probe_args) : json_null());
	SET_U(o, "probe_payload_bytes", s->mods.args.payload_len);
	json_object_set_new(o, "run_as_user", trawl_privsep_user() ? json_string(trawl_privsep_user()) : json_null());
	json_object_set_new(o, "source_ip", json_string(c->six ? trawl_ipv6_str(&c->saddr6, ip) :
			trawl_ipv4_str(c->saddr, ip)));
	json_object_set_new(o, "address_family", json_string(c->six ? "ipv6" : "ipv4"));
	SET_U(o, "target_ports", c->ports->n);
	SET_U(o, "allowed_addresses", c->six ? trawl_space6_count(&s->space6) : trawl_constraint_count(&s->allowed));
	if (c->six) {
		/* The IPv6 targets: listed addresses kept and taken out, prefixes and windows. */
		SET_U(o, "ipv6_listed_addresses", s->space6.nlist);
		SET_U(o, "ipv6_list_blocked", s->space6.list_blocked);
		SET_U(o, "ipv6_list_in_window", s->space6.list_in_window);
		SET_U(o, "ipv6_windows", s->space6.nwin);
		SET_U(o, "target_set_bytes", trawl_space6_memory(&s->space6));
	}
	/* -I: its lines and the distinct addresses among them (a repeated line is probed once). */
	json_object_set_new(o, "list_of_ips", c->list_of_ips ? json_string(c->list_of_ips) : json_null());
	SET_U(o, "list_lines", c->list_stats.lines);
	SET_U(o, "list_addresses", c->list_stats.addresses);
	SET_U(o, "targets", shard_targets(s, t));
	SET_U(o, "targets_scanned", t->targets);
	/* The blocklist read again mid-run (SIGHUP): targets drawn and skipped, reloads done and refused. */
	SET_U(o, "targets_blocked_live", t->blocked_live);
	SET_U(o, "blocklist_reloads", s->reload.reloads);
	SET_U(o, "blocklist_reloads_failed", s->reload.failed);
	SET_U(o, "shards", c->shards);
	SET_U(o, "shard", c->shard);
	SET_U(o, "sender_threads", s->ntx);
	SET_U(o, "receiver_threads", s->nrx);
	SET_U(o, "probes_per_target", c->probes);
	SET_U(o, "rate_requested_pps", c->rate);
	SET_U(o, "packets_sent", t->sent);
	/* Probes made but never taken by the port when sending stopped (-t, a signal, a port refusing). */
	SET_U(o, "packets_not_sent", t->probes_dropped);
	json_object_set_new(o, "send_time_s", json_real(send_time));
	json_object_set_new(o, "send_rate_pps", json_real(send_time > 0 ? (double)t->sent / send_time : 0));
	/* Probes in the busiest 10 ms (1 ms steps), as a rate: what a policer upstream sees. */
	SET_U(o, "send_rate_peak_10ms_pps", t->window_max * 100);
}

/* Results: every validated reply the writer took ends in one of these. */
static void
meta_results(json_t *o, const struct scan *s)
{
	const struct trawl_writer *w = s->writer;
	const struct trawl_flusher *fl = &s->fl;

	/* With --checkpoint, the rows of every attempt: what the -o file holds. */
	SET_U(o, "results", s->ck.rows_before + trawl_stat_get(&w->results));
	SET_U(o, "results_written", trawl_stat_get(&fl->rows_written));
	SET_U(o, "results_unwritten", trawl_stat_get(&fl->rows_lost));
	SET_U(o, "successes_unique", trawl_stat_get(&w->successes));
	SET_U(o, "closed_unique", trawl_stat_get(&w->failures));
	{
		/* First-seen results by classification (a canary row counts once per address). */
		json_t *cl = json_object();

		for (unsigned int i = 0; i < TRAWL_CLASS_MAX; i++)
			if (trawl_stat_get(&w->by_class[i]) != 0)
				SET_U(cl, trawl_class_names[i], trawl_stat_get(&w->by_class[i]));
		json_object_set_new(o, "classifications", cl);
	}
	SET_U(o, "duplicates", trawl_stat_get(&w->duplicates));
	SET_U(o, "results_beyond_max", trawl_stat_get(&w->beyond_limit));
	/* With --output-filter: what it kept out (then received = results + beyond max + filtered out). */
	json_object_set_new(o, "output_filter", s->conf.output_filter ? json_string(s->conf.output_filter) : json_null());
	SET_U(o, "results_filtered_out", trawl_stat_get(&w->filtered));
	SET_U(o, "results_data_missing", trawl_stat_get(&w->data_missing)); /* reply data lost between RX and writer: 0 */
}

/* Frames: every one the port delivered, by where it went; replies lost on the way in, by where. */
static void
meta_frames(json_t *o, const struct scan *s, const struct totals *t)
{
	const struct trawl_writer *w = s->writer;
	json_t *lost = json_object();

	SET_U(o, "frames_received", t->frames);
	SET_U(o, "replies_received", t->valid + t->invalid);
	SET_U(o, "replies_valid", t->valid);
	SET_U(o, "validation_failed", t->invalid);
	SET_U(o, "frames_other", t->other);
	SET_U(o, "arp_frames", t->arp); /* and IPv6 neighbour discovery: the control role's frames */
	SET_U(o, "results_handed", t->handed);
	SET_U(o, "writer_received", trawl_stat_get(&w->received));
	SET_U(lost, "port_missed", t->port_missed);
	SET_U(lost, "port_nombuf", t->port_nombuf);
	SET_U(lost, "port_errors", t->port_errors);
	SET_U(lost, "writer_behind", t->writer_behind);
	SET_U(lost, "abandoned_at_exit", trawl_stat_get(&w->abandoned));
	SET_U(o, "replies_lost", trawl_scan_lost(s, t));
	json_object_set_new(o, "replies_lost_by_reason", lost);
	json_object_set_new(o, "port_xstats_rx_drops", port_xstats_drops(s->port.id));
	SET_U(o, "output_waits", trawl_stat_get(&w->output_waits));
	if (s->cut != TRAWL_CUT_NONE)
		json_object_set_new(o, "cut_short", json_string(trawl_cut_names[s->cut]));
}

/* Dedup: the structure, the memory stated at start, and how much of it was needed; --checkpoint's progress. */
static void
meta_dedup(json_t *o, const struct scan *s)
{
	const struct trawl_writer *w = s->writer;
	json_t *dd = json_object();

	json_object_set_new(dd, "method", json_string(s->dedup.kind == TRAWL_DEDUP_BITMAP ? "bitmap" : "hash"));
	json_object_set_new(dd, "exact", json_boolean(trawl_dedup_exact(&s->dedup)));
	SET_U(dd, "memory_bytes", s->dedup.bytes);
	SET_U(dd, "capacity", s->dedup.capacity);
	SET_U(dd, "remembered", s->dedup.used);
	SET_U(dd, "overflow", trawl_stat_get(&w->dedup_full));
	json_object_set_new(o, "dedup", dd);
	SET_U(o, "dedup_overflow", trawl_stat_get(&w->dedup_full));
	if (s->ck.path != NULL) {
		json_t *ck = json_object();

		json_object_set_new(ck, "file", json_string(s->ck.path));
		json_object_set_new(ck, "resumed", json_boolean(s->ck.resumed));
		SET_U(ck, "attempt", s->ck.ck.attempts);
		SET_U(ck, "results_before", s->ck.rows_before);
		SET_U(ck, "results_this_attempt", trawl_stat_get(&w->results));
		SET_U(ck, "rows_not_of_this_scan", s->ck.rows_foreign);
		SET_U(ck, "commits", s->ck.commits);
		json_object_set_new(ck, "done", json_boolean(s->ck.ck.done));
		json_object_set_new(o, "checkpoint", ck);
	}
}

void
trawl_scan_cycles(const struct scan *s, struct trawl_role_cycles c[TRAWL_SCAN_ROLES])
{
	for (unsigned int r = 0; r < TRAWL_SCAN_ROLES - 1; r++)
		trawl_lcore_cycles(&s->map, trawl_scan_role_names[r], &c[r]);
	c[TRAWL_SCAN_ROLES - 1].busy = trawl_stat_get(&s->ctl_cycles);
	c[TRAWL_SCAN_ROLES - 1].idle = trawl_stat_get(&s->ctl_idle);
}

/*
 * Where the cycles went, role by role (dp/lcore.h: one rdtsc per role per
 * round), and what each costs per item: the TX roles per probe, the RX
 * roles per frame received, the writer per reply it took.
 */
static json_t *
roles_json(const struct trawl_role_cycles c[TRAWL_SCAN_ROLES], uint64_t probes, uint64_t frames, uint64_t replies)
{
	json_t *o = json_object();

	for (unsigned int r = 0; r < TRAWL_SCAN_ROLES; r++) {
		json_t *role = json_object();

		SET_U(role, "busy", c[r].busy);
		SET_U(role, "idle", c[r].idle);
		json_object_set_new(o, trawl_scan_role_names[r], role);
	}
	SET_U(json_object_get(o, "tx"), "per_probe", per(c[0].busy, probes));
	SET_U(json_object_get(o, "rx"), "per_frame", per(c[1].busy, frames));
	SET_U(json_object_get(o, "writer"), "per_reply", per(c[2].busy, replies));
	return o;
}

static json_t *
meta_cycles(const struct scan *s, const struct totals *t)
{
	struct trawl_role_cycles c[TRAWL_SCAN_ROLES];
	json_t *o;

	trawl_scan_cycles(s, c);
	o = roles_json(c, t->sent, t->frames, t->handed);
	SET_U(o, "tsc_hz", s->eng->hz);
	SET_U(json_object_get(o, "writer"), "per_result", per(c[2].busy, trawl_stat_get(&s->writer->results)));
	/* The same up to the moment the last probe went: the cooldown's idle rounds left out. */
	if (s->have_send_cycles)
		json_object_set_new(o, "sending", roles_json(s->send_cycles, s->send_items[0], s->send_items[1],
				s->send_items[2]));
	return o;
}

uint64_t
trawl_scan_kernel_drops(const struct scan *s, const struct totals *t)
{
	const struct trawl_kpath *k = &s->kpath;

	return t->kernel_dropped + k->drop_kernel_full + k->drop_port_full + k->drop_not_ours;
}

/* The kernel path: frames each way, and every one dropped on it by the reason. null: there is none. */
static json_t *
meta_kpath(const struct scan *s, const struct totals *t)
{
	const struct trawl_kpath *k = &s->kpath;
	json_t *o, *d;

	if (!s->kpath_on)
		return json_null();
	o = json_object();
	d = json_object();
	json_object_set_new(o, "iface", json_string(k->iface));
	json_object_set_new(o, "driver", json_string(trawl_kpath_kind_name(k->kind)));
	/* handed_on: the RX roles' frames not the scan's own (frames_other + validation_failed, less ring_full);
	 * offered: those and the ARP frames trawl did not answer, as they reached the interface. */
	SET_U(o, "handed_on", t->kernel);
	SET_U(o, "offered", k->offered);
	SET_U(o, "to_kernel", k->to_kernel);
	SET_U(o, "to_kernel_bytes", k->to_kernel_bytes);
	SET_U(o, "from_kernel", k->from_kernel);
	SET_U(o, "from_kernel_bytes", k->from_kernel_bytes);
	/* ring_full: the RX roles' ring to the control role (a flood); kernel_full: the interface refused;
	 * port_full: TX role 0's ring refused what the kernel sent; not_ours: unicast for another MAC. */
	SET_U(d, "ring_full", t->kernel_dropped);
	SET_U(d, "kernel_full", k->drop_kernel_full);
	SET_U(d, "port_full", k->drop_port_full);
	SET_U(d, "not_ours", k->drop_not_ours);
	json_object_set_new(o, "dropped", d);
	return o;
}

/* How the run went on the wire: control frames, the port, how replies were spread over RX queues. */
static void
meta_wire(json_t *o, const struct scan *s, const struct totals *t)
{
	json_t *q = json_array(), *qd = json_array(), *qw = json_array();
	struct rte_eth_stats st;
	int have = s->port.started && rte_eth_stats_get(s->port.id, &st) == 0;

	SET_U(o, "arp_replies_sent", s->ctl.arp_replies_sent);
	/* Every frame answering a reply: RSTs, and for tcp_banner the ACKs that complete handshakes and the canaries. */
	SET_U(o, "rst_sent", t->answers_sent);
	/* Canary SYNs (--canaries): probes beyond the scan's targets, never in packets_sent. */
	SET_U(o, "canaries_sent", t->canaries);
	SET_U(o, "canaries_dropped", t->canaries_dropped);
	if (s->eng->probe->handshake) {
		/* Handshakes completed and held for their data; closed by our RST after the hold (nodata) or early (table full). */
		SET_U(o, "handshakes", t->held);
		SET_U(o, "handshakes_closed_early", t->held_early);
		SET_U(o, "nodata_resets", t->resets);
	}
	/* RSTs and ARP frames lost on the way out: a ring full between roles, or the port refusing. */
	SET_U(o, "control_frames_dropped", t->arp_dropped + t->answers_dropped + t->answers_refused +
			t->ctl_dropped + s->ctl.dropped);
	json_object_set_new(o, "kernel_path", meta_kpath(s, t));
	json_object_set_new(o, "cycles", meta_cycles(s, t));
	json_object_set_new(o, "port_driver", json_string(s->port.driver));
	json_object_set_new(o, "checksum_offload", json_string(
			s->port.caps.csum_hw == (TRAWL_CSUM_HW_IP | TRAWL_CSUM_HW_L4) ? "ipv4+tcp" :
			s->port.caps.csum_hw == TRAWL_CSUM_HW_L4 ? "tcp" :
			s->port.caps.csum_hw == TRAWL_CSUM_HW_IP ? "ipv4" : "none (software)"));
	json_object_set_new(o, "rx_spread", json_string(s->port.caps.spread ? s->port.caps.spread : "none"));
	/* How evenly RSS or fanout spread the replies: frames per RX queue; and where each queue lost any. */
	for (uint32_t i = 0; s->rx != NULL && i < s->nrx; i++) {
		json_array_append_new(q, json_integer((json_int_t)trawl_stat_get(&s->rx[i].frames)));
		json_array_append_new(qw, json_integer((json_int_t)trawl_stat_get(&s->rx[i].writer_behind)));
		/* The port's own per-queue drops, where the PMD keeps them (the first 16 queues). */
		json_array_append_new(qd, have && i < RTE_ETHDEV_QUEUE_STAT_CNTRS ?
				json_integer((json_int_t)st.q_errors[i]) : json_null());
	}
	json_object_set_new(o, "rx_frames_per_queue", q);
	json_object_set_new(o, "writer_behind_per_queue", qw);
	json_object_set_new(o, "port_rx_drops_per_queue", qd);
	/* Bursts abandoned because the peer (memif) left under them: see app/dp/port.h. */
	SET_U(o, "bursts_abandoned", trawl_port_bursts_abandoned());
	SET_U(o, "port_rx_missed", t->port_missed);
	SET_U(o, "port_tx_errors", t->port_tx_errors);
}

int
trawl_scan_write_metadata(const struct scan *s, const struct totals *t)
{
	char start[32], end[32];
	json_t *o = json_object();
	int rc;

	iso_time(&s->start_ts, start, sizeof(start));
	iso_time(&s->end_ts, end, sizeof(end));
	meta_run(o, s, t);
	meta_results(o, s);
	meta_frames(o, s, t);
	meta_dedup(o, s);
	meta_wire(o, s, t);
	json_object_set_new(o, "cooldown_s", json_real(s->conf.cooldown));
	json_object_set_new(o, "start_time", json_string(start));
	json_object_set_new(o, "end_time", json_string(end));
	rc = dump_with_u64(o, s->conf.metadata_file, "seed", s->conf.seed);
	json_decref(o);
	return rc;
}
