/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_HISTORY_H
#define TRAWL_CAMPAIGN_HISTORY_H

#include <stdint.h>

#include "app/core/err.h"

/*
 * STATE/campaign.db: a campaign's history in SQLite, for operators to ask
 * how it went over a year (`sqlite3 STATE/campaign.db 'select ...'`).
 * Results stay as files; the database holds one row per run and one per
 * scan of a run:
 *
 *   runs(id, state, start, end, previous, error)
 *     state: running, complete, failed, interrupted, pruned (its files
 *     deleted by keep; the row stays)
 *   scans(run_id, name, results, new, gone)
 *
 * Times are UTC, ISO 8601 ("2026-11-23T02:00:00Z"). Every change is one
 * transaction; a busy database is waited for up to 5 s.
 */
#define TRAWL_HISTORY_SCHEMA_VERSION 1

struct sqlite3;

struct trawl_history {
	struct sqlite3 *db;
	char path[4096];
};

struct trawl_history_scan {
	const char *name;
	uint64_t results, added, removed;
};

/** Open (creating it and its tables if need be). @return 0 or -EIO with the reason in @p err. */
int trawl_history_open(struct trawl_history *h, const char *path, struct trawl_err *err);

void trawl_history_close(struct trawl_history *h);

/** A run begins or goes on: its row (state running). */
int trawl_history_run_begin(struct trawl_history *h, const char *id, const char *start, struct trawl_err *err);

/** A run's state (and end time, error text: NULL to leave them). */
int trawl_history_run_state(struct trawl_history *h, const char *id, const char *state, const char *end,
		const char *error, struct trawl_err *err);

/** A run completed: its state, end, previous run and every scan's counts, in one transaction. */
int trawl_history_run_complete(struct trawl_history *h, const char *id, const char *end, const char *previous,
		const struct trawl_history_scan *scans, unsigned int n, struct trawl_err *err);

struct trawl_history_run {
	char id[32];
	char state[16];
	char start[32];
	char end[32];
	char previous[32];
	char error[256];
};

/** Each run, newest first, to @p cb (stop with non-zero). @return 0, cb's value, or -EIO. */
int trawl_history_runs(struct trawl_history *h, int (*cb)(void *arg, const struct trawl_history_run *r), void *arg,
		struct trawl_err *err);

/** Scan counts of run @p id to @p cb. @return 0 or -EIO. */
int trawl_history_scans(struct trawl_history *h, const char *id,
		void (*cb)(void *arg, const struct trawl_history_scan *s), void *arg, struct trawl_err *err);

#endif
