/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_RUN_H
#define TRAWL_SCAN_RUN_H

/*
 * One `trawl scan` run, shared by scan.c (set-up, supervision, teardown)
 * and report.c (the counters summed, the status line and the
 * metadata). Private to the scan subcommand.
 */
#include <stdint.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "app/core/constraint.h"
#include "app/core/dedup.h"
#include "app/core/metric_names.h"
#include "app/core/outfile.h"
#include "app/scan/conf.h"
#include "app/dp/ctl.h"
#include "app/dp/eal_args.h"
#include "app/dp/flusher.h"
#include "app/dp/lcore.h"
#include "app/dp/port.h"
#include "app/dp/rx.h"
#include "app/dp/tx.h"
#include "app/dp/writer.h"
#include "app/dp/live.h"
#include "app/outputs/output.h"
#include "app/scan/ckpt.h"
#include "app/scan/modules.h"
#include "app/scan/reload.h"

/* Why a run was cut short (every role stopped at once, what it left counted). */
enum trawl_cut {
	TRAWL_CUT_NONE = 0,
	TRAWL_CUT_SECOND_SIGNAL,
	TRAWL_CUT_SIGNAL_DEADLINE,    /**< a first signal, and the cooldown and a half second are over */
	TRAWL_CUT_OUTPUT_FAILED,
	TRAWL_CUT_OUTPUT_STALLED,
	TRAWL_CUT_LAUNCH_FAILED,
};

/** What the metadata's cut_short says for each. */
extern const char *const trawl_cut_names[];

struct scan {
	struct trawl_scan_conf conf;
	struct trawl_scan_modules mods;
	struct trawl_constraint allowed; /**< an IPv4 scan's targets (empty in an IPv6 scan) */
	struct trawl_space6 space6;      /**< an IPv6 scan's targets */
	struct trawl_output out;
	struct trawl_flusher fl;
	struct trawl_outfile of;      /**< -o: written to of.writing, renamed to its name when complete */
	int of_finished;              /**< of renamed, removed or kept for a resume (finish_output ran) */
	struct trawl_dedup dedup;
	struct trawl_engine *eng;
	struct trawl_port port;
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES];
	struct trawl_tx *tx;
	struct trawl_rx *rx;
	struct trawl_writer *writer;
	struct trawl_ctl ctl;
	struct trawl_kpath kpath;     /**< the kernel path (--kernel-iface), if kpath_on */
	int kpath_on;
	struct scan_ckpt ck;
	struct scan_reload reload;    /**< the blocklist read again mid-run (SIGHUP) */
	int reg_fd, registered;       /**< our entry in core/scanreg's registry (for trawl optout) */
	struct trawl_live_block *grown_block; /**< a resumed scan's blocklist, grown since it started: skipped live */
	struct trawl_live live;        /**< telemetry's /trawl/scan and --metrics-file */
	int live_done;
	struct trawl_lcore_map map;
	uint64_t ctl_cycles;          /**< TSC ticks of the main lcore's own work (supervision, ARP, kernel path) */
	uint64_t ctl_idle;            /**< ... in its rounds that neither supervised nor handled a frame */
	struct trawl_role_cycles send_cycles[TRAWL_SCAN_ROLES]; /**< every role's, when the last probe went */
	uint64_t send_items[3];       /**< probes sent, frames received, replies the writer took, then */
	int have_send_cycles;
	uint32_t ntx, nrx;
	uint64_t targets_planned;
	struct timespec start_ts;
	struct timespec end_ts;
	uint64_t start_tsc;
	enum trawl_cut cut;           /**< why the run was cut short, TRAWL_CUT_NONE if it was not */
	const char *failure;          /**< runtime failure to report, NULL if none */
	unsigned int up;              /**< what teardown() has to undo (scan.c's UP_*) */
	unsigned int first;           /**< the phase the run starts in (scan.c's enum phase) */
	struct trawl_eal_args eal;
	char failure_buf[512];
};

/* Every role's counters summed (the main lcore reads them while the roles run). */
struct totals {
	uint64_t sent, targets, blocked_live, alloc_fail, probes_dropped;
	uint64_t ctl_sent, ctl_dropped, answers_sent, answers_refused;
	uint64_t frames, valid, invalid, other, arp, arp_dropped, handed, writer_behind, answers, answers_dropped;
	uint64_t kernel, kernel_dropped;  /* frames not ours handed on for the kernel, dropped on the way (ring full) */
	uint64_t canaries, canaries_dropped, held, held_early, resets;
	uint64_t first_tsc, last_tsc;
	uint64_t window_max;  /* busiest 10 ms: sum of each TX role's own (exact with -T 1, else a bound above) */
	int all_sending_done, all_tx_finished, all_rx_finished;
	/* The port's own counters (rte_eth_stats). */
	uint64_t port_missed, port_nombuf, port_errors, port_tx_errors;
};

/** Record a runtime failure (the first one stands) and say it at the end. @return -1. */
int trawl_scan_fail(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Every role's counters; the port's own (rte_eth_stats: register reads on a NIC) only if @p port. */
void trawl_scan_sum(const struct scan *s, struct totals *t, int port);

/** Replies lost on the way in, every reason: the port's drops, the writer behind, abandoned at a forced end. */
uint64_t trawl_scan_lost(const struct scan *s, const struct totals *t);

/** Every role's cycles (tx, rx, writer, control: core/metric_names' trawl_scan_role_names). */
void trawl_scan_cycles(const struct scan *s, struct trawl_role_cycles c[TRAWL_SCAN_ROLES]);

/** Frames dropped on the kernel path, every reason. */
uint64_t trawl_scan_kernel_drops(const struct scan *s, const struct totals *t);

/** The status line (stderr). */
void trawl_scan_status(const struct scan *s, const char *phase, uint64_t now, double left_s,
		const struct trawl_role_cycles *cyc, const struct trawl_role_cycles *cprev,
		const struct totals *t, const struct totals *prev, double dt);

/** The live counters' row (core/metric_names' scan table) in @p phase (an index of its phase names). */
void trawl_scan_live_row(const struct scan *s, const struct totals *t, unsigned int phase, uint64_t now,
		uint64_t *row);

/** The -m file, whole or not at all. @return 0 or -errno. */
int trawl_scan_write_metadata(const struct scan *s, const struct totals *t);

#endif
