/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "app/campaign/history.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs ("
	" id TEXT PRIMARY KEY,"          /* the UTC start, 20261123T020000Z */
	" state TEXT NOT NULL,"
	" start TEXT NOT NULL,"
	" end TEXT,"
	" previous TEXT,"                /* the complete run diffed against */
	" error TEXT);"
	"CREATE TABLE IF NOT EXISTS scans ("
	" run_id TEXT NOT NULL REFERENCES runs(id),"
	" name TEXT NOT NULL,"
	" results INTEGER NOT NULL,"
	" new INTEGER NOT NULL,"
	" gone INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, name));"
	"PRAGMA user_version=1;";

static int
db_err(struct trawl_history *h, struct trawl_err *err, const char *what)
{
	return trawl_err_set(err, -EIO, "%s: %s: %s", h->path, what, h->db ? sqlite3_errmsg(h->db) : "cannot open");
}

static int
user_version(struct trawl_history *h)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
trawl_history_open(struct trawl_history *h, const char *path, struct trawl_err *err)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s", path);
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		int rc = db_err(h, err, "open");

		trawl_history_close(h);
		return rc;
	}
	sqlite3_busy_timeout(h->db, 5000);
	/* Only a new database is written to here: opening one must work on a full disk (status, a failed run). */
	if (user_version(h) < TRAWL_HISTORY_SCHEMA_VERSION && sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		int rc = db_err(h, err, "set-up");

		trawl_history_close(h);
		return rc;
	}
	return 0;
}

void
trawl_history_close(struct trawl_history *h)
{
	if (h->db != NULL)
		sqlite3_close(h->db);
	h->db = NULL;
}

/* One statement with text parameters (NULL binds NULL). */
static int
exec_text(struct trawl_history *h, const char *sql, const char *const *args, int n, struct trawl_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(h, err, "prepare");
	for (int i = 0; i < n; i++)
		if (args[i] != NULL)
			sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(h, err, "write");
}

int
trawl_history_run_begin(struct trawl_history *h, const char *id, const char *start, struct trawl_err *err)
{
	const char *a[] = { id, start };

	return exec_text(h, "INSERT INTO runs (id, state, start) VALUES (?1, 'running', ?2) "
			"ON CONFLICT(id) DO UPDATE SET state = 'running', error = NULL", a, 2, err);
}

int
trawl_history_run_state(struct trawl_history *h, const char *id, const char *state, const char *end,
		const char *error, struct trawl_err *err)
{
	const char *a[] = { id, state, end, error };

	return exec_text(h, "UPDATE runs SET state = ?2, end = coalesce(?3, end), error = coalesce(?4, error) "
			"WHERE id = ?1", a, 4, err);
}

int
trawl_history_run_complete(struct trawl_history *h, const char *id, const char *end, const char *previous,
		const struct trawl_history_scan *scans, unsigned int n, struct trawl_err *err)
{
	const char *a[] = { id, end, previous };
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(h, err, "begin");
	rc = exec_text(h, "UPDATE runs SET state = 'complete', end = ?2, previous = ?3, error = NULL WHERE id = ?1",
			a, 3, err);
	if (rc == 0 && sqlite3_prepare_v2(h->db, "INSERT OR REPLACE INTO scans (run_id, name, results, new, gone) "
			"VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
		rc = db_err(h, err, "prepare");
	for (unsigned int i = 0; rc == 0 && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, scans[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)scans[i].results);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)scans[i].added);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)scans[i].removed);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_err(h, err, "write");
	}
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_err(h, err, "commit");
	if (rc != 0)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void
col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

int
trawl_history_runs(struct trawl_history *h, int (*cb)(void *arg, const struct trawl_history_run *r), void *arg,
		struct trawl_err *err)
{
	sqlite3_stmt *st;
	int rc = 0, s;

	if (sqlite3_prepare_v2(h->db, "SELECT id, state, start, end, previous, error FROM runs ORDER BY id DESC", -1,
			&st, NULL) != SQLITE_OK)
		return db_err(h, err, "prepare");
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		struct trawl_history_run r;

		col(st, 0, r.id, sizeof(r.id));
		col(st, 1, r.state, sizeof(r.state));
		col(st, 2, r.start, sizeof(r.start));
		col(st, 3, r.end, sizeof(r.end));
		col(st, 4, r.previous, sizeof(r.previous));
		col(st, 5, r.error, sizeof(r.error));
		rc = cb(arg, &r);
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_err(h, err, "read");
	sqlite3_finalize(st);
	return rc;
}

int
trawl_history_scans(struct trawl_history *h, const char *id,
		void (*cb)(void *arg, const struct trawl_history_scan *s), void *arg, struct trawl_err *err)
{
	sqlite3_stmt *st;
	int s;

	if (sqlite3_prepare_v2(h->db, "SELECT name, results, new, gone FROM scans WHERE run_id = ?1 ORDER BY rowid",
			-1, &st, NULL) != SQLITE_OK)
		return db_err(h, err, "prepare");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct trawl_history_scan sc = {
			(const char *)sqlite3_column_text(st, 0),
			(uint64_t)sqlite3_column_int64(st, 1),
			(uint64_t)sqlite3_column_int64(st, 2),
			(uint64_t)sqlite3_column_int64(st, 3),
		};

		cb(arg, &sc);
	}
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? 0 : db_err(h, err, "read");
}
