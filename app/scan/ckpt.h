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
#include "app/dp/engine.h"

#define CKPT_EVERY_S 0.1
#define CKPT_LAG_S 0.5

struct scan;
struct totals;

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
	char errmsg[512];
};

/**
 * Before the EAL: read FILE (if there is one), take its seed if -e was not
 * given, check that it is this scan, cut the output back to its last whole
 * row. @return 0 to go on, 1 if the scan is already finished (said on
 * stderr: exit 0), or -EINVAL/-errno (said in s->failure_buf: exit 2).
 */
int scan_ckpt_open(struct scan *s);

/** After the dedup table exists: the rows already written marked as seen. @return 0 or -1 (fail() called). */
int scan_ckpt_read_output(struct scan *s);

/** Each TX role's iterator and target count moved to where FILE says (before the roles run). */
void scan_ckpt_place_tx(struct scan *s);

/** Start the commit thread. @return 0 or -1 (fail() called). */
int scan_ckpt_start(struct scan *s);

/** From the supervision loop: snapshots and the commit in progress. */
void scan_ckpt_tick(struct scan *s, uint64_t now);

/**
 * At the end, every role stopped and the output finished: the final
 * positions if the run ended in order (its cooldown was had, the output
 * took everything), else the last commit stands. Stops the thread.
 */
void scan_ckpt_finish(struct scan *s);

#endif
