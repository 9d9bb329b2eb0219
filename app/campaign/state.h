/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_STATE_H
#define TRAWL_CAMPAIGN_STATE_H

#include <stddef.h>

#include "app/core/atomicfile.h"
#include "app/core/err.h"

/*
 * The state directory (cli-contract.md): STATE/campaign.db, STATE/lock,
 * STATE/runs/RUN_ID[.partial]/, STATE/latest. A run's id is its UTC start
 * (20261123T020000Z), so ids sort as times do; a run directory is renamed
 * from RUN_ID.partial only when complete, so a directory without the
 * suffix is a whole run.
 */
#define TRAWL_RUN_ID_LEN 16   /* 20261123T020000Z */
#define TRAWL_MAX_RUNS 100000

struct trawl_runs {
	char (*complete)[TRAWL_RUN_ID_LEN + 1]; /**< ascending */
	size_t n;
	char partial[TRAWL_RUN_ID_LEN + 1];     /**< the unfinished run, "" if none */
};

/** Whether @p s is a run id. */
int trawl_run_id_ok(const char *s);

/** The id of a run starting now, and its start as ISO 8601 ("2026-11-23T02:00:00Z"). */
void trawl_run_id_now(char id[TRAWL_RUN_ID_LEN + 1]);
void trawl_run_id_iso(const char *id, char *iso, size_t len);

/** The current UTC time as ISO 8601. */
void trawl_now_iso(char *iso, size_t len);

/** STATE and STATE/runs made if missing. @return 0 or -errno with @p err. */
int trawl_state_prepare(const char *state, struct trawl_err *err);

/**
 * One run at a time: an exclusive flock on STATE/lock, held as long as
 * this process or a child that inherited @p fd lives (the kernel lets go
 * when they die). @return 0; -EBUSY (another holds it: its pid in
 * @p err); -errno.
 */
int trawl_state_lock(const char *state, int *fd, struct trawl_err *err);

/** Whether a run is going (someone holds the lock). */
int trawl_state_locked(const char *state);

/** The runs in STATE/runs. @return 0 or -errno with @p err. */
int trawl_state_runs(const char *state, struct trawl_runs *r, struct trawl_err *err);
void trawl_state_runs_free(struct trawl_runs *r);

/** Delete a directory tree (no symlink followed). @return 0 or -errno. */
int trawl_rm_rf(const char *path);

/** STATE/latest -> runs/@p id, replaced atomically. @return 0 or -errno. */
int trawl_state_set_latest(const char *state, const char *id);

#endif
