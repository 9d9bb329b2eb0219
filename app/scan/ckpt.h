/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_CKPT_H
#define TRAWL_SCAN_CKPT_H

/*
 * --checkpoint for `trawl scan`: resume, and the commits of a running scan.
 *
 * What a commit promises: every probe before the positions it records was
 * taken by the port at least CKPT_LAG_S before the commit began, and every
 * reply the RX roles had handed on by then is in the output file (written
 * and fdatasync'd) before the checkpoint file names those positions. So
 * after a crash a resumed scan sends again at most what was sent in the
 * lag plus the time since the last commit (a snapshot is taken every
 * CKPT_EVERY_S, and a commit follows the last one as soon as a snapshot
 * is old enough: about 0.6 s in all, under the contract's second), and
 * loses only replies that took longer than the lag to arrive.
 *
 * A resumed scan reads the rows already in the output back (the last,
 * partly written one is cut off), marks their targets as seen in the
 * dedup table, and appends: no row is written twice.
 */
#include <pthread.h>
#include <stdint.h>

#include "app/core/checkpoint.h"
#include "app/core/constraint.h"
#include "app/core/dedup.h"
#include "app/core/outfile.h"
#include "app/dp/engine.h"
#include "app/dp/flusher.h"
#include "app/dp/rx.h"
#include "app/dp/tx.h"
#include "app/dp/writer.h"
#include "app/scan/conf.h"
#include "app/scan/modules.h"

#define CKPT_EVERY_S 0.1
#define CKPT_LAG_S 0.5

/*
 * What a running scan's commits read: the roles' positions and counters
 * and the output's. Given once, at scan_ckpt_start; the scan owns them.
 * (This file knows the parts, not the scan: scan.c calls in, never back.)
 */
struct scan_ckpt_roles {
	struct trawl_tx *tx;
	uint32_t ntx;
	struct trawl_rx *rx;
	uint32_t nrx;
	struct trawl_writer *writer;
	struct trawl_flusher *fl;
	uint64_t hz;                  /**< TSC ticks per second */
};

enum ckpt_phase {
	CKPT_IDLE,          /* waiting for a snapshot to be CKPT_LAG_S old */
	CKPT_WAIT_TAKEN,    /* the writer has yet to take what RX had handed on */
	CKPT_WAIT_ACK,      /* the writer has yet to give its part-filled buffer */
	CKPT_WAIT_WRITTEN,  /* the flusher has yet to write it */
	CKPT_WAIT_SAVED,    /* the commit thread fsyncs and writes the file */
};

#define CKPT_SNAPS 16

struct scan_ckpt {
	const char *path;             /**< NULL: no --checkpoint */
	int resumed;
	struct trawl_ckpt ck;         /**< this scan: identity, and the positions last committed */
	uint64_t rows_before;         /**< rows in the output when this run began */
	uint64_t rows_foreign;        /**< rows read back that are no target of this scan */
	struct scan_ckpt_roles r;     /**< from scan_ckpt_start on */

	/* Snapshots of the positions, taken every CKPT_EVERY_S, committed once CKPT_LAG_S old. */
	struct {
		uint64_t tsc;
		struct trawl_ckpt_pos pos[TRAWL_CKPT_MAX_TX];
	} snap[CKPT_SNAPS];
	unsigned int nsnap;
	uint64_t next_snap;
	enum ckpt_phase phase;
	struct trawl_ckpt_pos pending[TRAWL_CKPT_MAX_TX];
	uint64_t handed[TRAWL_MAX_RX];        /**< each RX role's results handed on at the snapshot's commit */
	uint64_t given;
	uint32_t req;

	/* The commit thread: fdatasync of the output, then the file (no lcore waits on a disk). */
	pthread_t tid;
	int thread_up;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int job, quit, busy;
	struct trawl_ckpt job_ck;
	int out_fd;
	uint64_t commits;
	double last_commit;           /**< CLOCK_MONOTONIC of the last one saved */
	int error;                    /**< -errno of a failed commit, 0 if none */
	char errmsg[512];             /**< why a call failed, or (under mu) why a commit did */
};

/**
 * Before the EAL: read --checkpoint FILE of @p c (if there is one), take
 * its seed if -e was not given, check that it is this scan (@p allowed
 * targets, ports, module and its payload in @p mods), cut the output
 * @p of back to its last whole row. @return 0 to go on, 1 if the scan is
 * already finished (said on stderr: exit 0), or -EINVAL/-errno (why in
 * k->errmsg: exit 2).
 */
int scan_ckpt_open(struct scan_ckpt *k, struct trawl_scan_conf *c, const struct trawl_scan_modules *mods,
		const struct trawl_space6 *six,
		const struct trawl_constraint *allowed, const struct trawl_outfile *of);

/**
 * After the dedup table exists: the rows already in @p path marked as
 * seen in @p dedup, by their index in @p ts. @return 0 or -1 (why in k->errmsg).
 */
int scan_ckpt_read_output(struct scan_ckpt *k, const struct trawl_scan_conf *c, const struct trawl_scan_modules *mods,
		const char *path, const struct trawl_target_space *ts, struct trawl_dedup *dedup);

/** Each TX role's iterator and target count moved to where FILE says (before the roles run). */
void scan_ckpt_place_tx(struct scan_ckpt *k, struct trawl_tx *tx, uint32_t ntx);

/** Start the commit thread over @p roles. @return 0 or -1 (why in k->errmsg). */
int scan_ckpt_start(struct scan_ckpt *k, const struct scan_ckpt_roles *roles);

/** From the supervision loop: snapshots and the commit in progress. */
void scan_ckpt_tick(struct scan_ckpt *k, uint64_t now);

/**
 * At the end, every role stopped and the output finished: the final
 * positions if the run ended @p in_order (its cooldown was had, no
 * failure) and the output took everything, else the last commit stands.
 * Stops the thread.
 */
void scan_ckpt_finish(struct scan_ckpt *k, int in_order);

/*
 * The blocklist a --checkpoint scan started with, kept beside the checkpoint
 * (PATH.blocklist, written once the checkpoint is known to be this scan's).
 * A resumed scan builds its permutation from it, so a blocklist that only
 * grew since (opt-outs) does not make it another scan: the addresses added
 * are skipped live (scan/reload.h), and exactly-once holds for the rest.
 */

/**
 * The list @p ckpt_path's scan started with, into @p rs (empty at first).
 * @return 1 if there is one (and the checkpoint it belongs to), 0 if not,
 * -errno with the reason in @p err.
 */
int scan_ckpt_started_blocklist(const char *ckpt_path, struct trawl_ranges *rs, struct trawl_err *err);

/** Keep @p rs as the list @p ckpt_path's scan started with, unless one is kept already. @return 0 or -errno. */
int scan_ckpt_keep_blocklist(const char *ckpt_path, const struct trawl_ranges *rs);

#endif
