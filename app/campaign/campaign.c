/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl campaign check|run|status|diff|install FILE: recurring scans. A run
 * is each scan of the campaign run as `trawl scan` (this binary) with a
 * checkpoint in the run's directory, then per scan what changed since the
 * previous complete run, then the directory published by a rename. A run
 * that is interrupted (signal, crash, reboot, full disk) stays RUN_ID.partial
 * and the next `run` goes on with it, each scan from its checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "app/campaign/campaign.h"
#include "app/campaign/conf.h"
#include "app/campaign/history.h"
#include "app/campaign/keys.h"
#include "app/campaign/state.h"
#include "app/campaign/units.h"

#define ME "trawl campaign"

static const char usage[] =
"usage: trawl campaign SUBCOMMAND [OPTIONS] FILE\n"
"Recurring scans from a campaign file (YAML: name, schedule, state-dir, keep, defaults, scans, after-run).\n"
"\n"
"  check FILE                 validate FILE; print its scans and the next three times of its schedule\n"
"  run FILE                   one run now, or go on with an interrupted one (what the timer calls);\n"
"                             a second run while one is going exits 1 at once\n"
"  status [--json] FILE       the runs, newest first: state, start, end, results and changes per scan\n"
"  diff [--json] FILE [RUN_A RUN_B]\n"
"                             (address, port) pairs new and gone between two complete runs\n"
"                             (default: the last two)\n"
"  install [--dry-run] [--unit-dir DIR] FILE\n"
"                             write and enable trawl-campaign-NAME.service and .timer (DIR default\n"
"                             /etc/systemd/system); --dry-run prints them instead\n"
"\n"
"State: STATE/campaign.db (SQLite history), STATE/runs/RUN_ID/ (NAME/results.csv, metadata.json,\n"
"new.csv, gone.csv; run.json), STATE/latest. Exit status: 0 done, 2 bad file or usage, 1 failure.\n";

struct opts {
	int json;
	int dry_run;
	const char *unit_dir;
	const char *file;
	const char *run_a, *run_b;
};

static void
say_err(const struct trawl_err *err)
{
	fprintf(stderr, ME ": %s\n", err->msg);
}

static const char *
self_exe(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return "trawl";
	buf[n] = '\0';
	return buf;
}

/* --- check ------------------------------------------------------------- */

static int
cmd_check(struct trawl_campaign *c)
{
	struct trawl_err err = { "" };
	int rc = trawl_units_check_calendar(c, 3, NULL, &err);

	if (rc < 0) {
		say_err(&err);
		return 2;
	}
	printf("campaign %s (%s): %u scan%s, state in %s\n", c->name, c->path, c->nscans,
			c->nscans == 1 ? "" : "s", c->state_dir);
	if (c->keep)
		printf("keep: the %u newest complete runs\n", c->keep);
	else
		printf("keep: every complete run\n");
	for (unsigned int i = 0; i < c->nscans; i++) {
		const struct trawl_campaign_scan *s = &c->scans[i];

		printf("scan %s: ", s->name);
		for (size_t j = 0; j < s->set.n; j++) {
			printf("%s%s=", j ? ", " : "", s->set.s[j].key);
			for (size_t k = 0; k < s->set.s[j].nitems; k++)
				printf("%s%s", k ? "," : "", s->set.s[j].items[k]);
		}
		printf("; results: %s\n", s->fields);
	}
	if (c->after_run != NULL)
		printf("after-run: %s\n", c->after_run);
	trawl_units_check_calendar(c, 3, stdout, &err);
	return 0;
}

/* --- run --------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
static volatile pid_t child_pid;

static void
on_signal(int sig)
{
	/* The scan stops sending, has its cooldown and writes its checkpoint; a second signal stops it at once. */
	if (child_pid > 0)
		kill(child_pid, sig);
	got_signal = sig;
}

/*
 * Run `trawl scan` and wait. Its stderr passes through ours; its last line
 * is kept in @p last (the reason, when it fails). It inherits the run's
 * lock (no O_CLOEXEC): the run is over only when the scan is.
 * @return its exit status, 128 + signal, or -errno.
 */
static int
spawn_scan(char *const argv[], char *last, size_t last_len)
{
	pid_t parent = getpid(), pid;
	char buf[4096], line[512];
	size_t llen = 0;
	int p[2], status;

	last[0] = '\0';
	if (pipe(p) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		/* Its own process group: a terminal's ^C reaches it once, forwarded; and it dies with us. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	child_pid = pid;
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stderr) != (size_t)n) {
			/* stderr gone: keep reading so the scan never blocks on a full pipe */
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || buf[i] == '\r') {
				if (llen != 0) {
					memcpy(last, line, llen < last_len - 1 ? llen : last_len - 1);
					last[llen < last_len - 1 ? llen : last_len - 1] = '\0';
				}
				llen = 0;
			} else if (llen < sizeof(line)) {
				line[llen++] = buf[i];
			}
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	child_pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

struct run_ctx {
	struct trawl_campaign *c;
	struct trawl_history h;
	int have_db;
	int lock_fd;
	char id[TRAWL_RUN_ID_LEN + 1];
	char dir[PATH_MAX];          /* runs/ID.partial */
	char prev[TRAWL_RUN_ID_LEN + 1];
	struct trawl_history_scan counts[TRAWL_CAMPAIGN_MAX_SCANS];
	char failure[1024];
};

static int
run_failed(struct run_ctx *r, const char *state, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
run_failed(struct run_ctx *r, const char *state, const char *fmt, ...)
{
	struct trawl_err err;
	char end[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	va_end(ap);
	trawl_now_iso(end, sizeof(end));
	if (r->have_db)
		trawl_history_run_state(&r->h, r->id, state, end, r->failure, &err);
	fprintf(stderr, ME ": %s: run %s %s: %s; it stays partial (%s), and `trawl campaign run %s` goes on with it\n",
			r->c->name, r->id, state, r->failure, r->dir, r->c->path);
	return 1;
}

static int
write_scan_yaml(const struct trawl_campaign_scan *s, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return -ENOMEM;
	rc = trawl_campaign_write_scan_yaml(s, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0)
		rc = trawl_write_file_atomic(path, text, len);
	free(text);
	return rc;
}

static int
run_scans(struct run_ctx *r)
{
	const char *self = self_exe();

	for (unsigned int i = 0; i < r->c->nscans; i++) {
		const struct trawl_campaign_scan *s = &r->c->scans[i];
		char sdir[PATH_MAX], yaml[PATH_MAX], res[PATH_MAX], meta[PATH_MAX], ck[PATH_MAX], last[512];
		char *argv[16];
		int n = 0, rc;

		snprintf(sdir, sizeof(sdir), "%s/%s", r->dir, s->name);
		snprintf(yaml, sizeof(yaml), "%s/scan.yaml", sdir);
		snprintf(res, sizeof(res), "%s/results.csv", sdir);
		snprintf(meta, sizeof(meta), "%s/metadata.json", sdir);
		snprintf(ck, sizeof(ck), "%s/checkpoint.json", sdir);
		if (mkdir(sdir, 0755) != 0 && errno != EEXIST)
			return run_failed(r, "failed", "%s: %s", sdir, strerror(errno));
		rc = write_scan_yaml(s, yaml);
		if (rc != 0)
			return run_failed(r, "failed", "%s: %s", yaml, strerror(-rc));
		argv[n++] = (char *)self;
		argv[n++] = (char *)"scan";
		argv[n++] = (char *)"-C";
		argv[n++] = yaml;
		argv[n++] = (char *)"-o";
		argv[n++] = res;
		argv[n++] = (char *)"-m";
		argv[n++] = meta;
		argv[n++] = (char *)"--checkpoint";
		argv[n++] = ck;
		argv[n++] = (char *)"-f";
		argv[n++] = s->fields;
		if (!isatty(STDERR_FILENO))
			argv[n++] = (char *)"-q"; /* a status line a second is for people, not journals */
		argv[n] = NULL;
		fprintf(stderr, ME ": %s: run %s: scan %s (%u of %u)\n", r->c->name, r->id, s->name, i + 1, r->c->nscans);
		rc = spawn_scan(argv, last, sizeof(last));
		if (got_signal)
			return run_failed(r, "interrupted", "stopped by signal %d during scan %s", (int)got_signal, s->name);
		if (rc != 0)
			return run_failed(r, "failed", "scan %s %s %d: %s", s->name, rc > 128 ? "killed by signal" : "exited",
					rc > 128 ? rc - 128 : rc, last[0] ? last : "(no message)");
	}
	return 0;
}

static FILE *
open_csv(const char *path)
{
	FILE *f = fopen(path, "we");

	if (f != NULL) {
		setvbuf(f, NULL, _IOFBF, 1 << 20);
		fputs("saddr,sport\n", f);
	}
	return f;
}

static int
close_synced(FILE *f)
{
	int rc = 0;

	if (fflush(f) != 0 || ferror(f))
		rc = -errno ? -errno : -EIO;
	if (rc == 0 && fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* keys.bin of a scan directory, made from its results.csv if it is not there yet. */
static int
ensure_keys(const char *sdir, char *keys, size_t len, uint64_t *count, struct trawl_err *err)
{
	char csv[PATH_MAX];
	struct trawl_keys_stats st;
	struct stat sb;
	int rc;

	snprintf(keys, len, "%s/keys.bin", sdir);
	snprintf(csv, sizeof(csv), "%s/results.csv", sdir);
	if (stat(keys, &sb) == 0 && sb.st_size % 8 == 0) {
		*count = (uint64_t)sb.st_size / 8;
		return 0;
	}
	rc = trawl_keys_build(csv, keys, TRAWL_KEYS_DEFAULT_MEM, &st, err);
	if (rc == 0 && st.bad != 0)
		fprintf(stderr, ME ": warning: %s: %" PRIu64 " rows are no saddr,sport pair (left out)\n", csv, st.bad);
	*count = st.keys;
	return rc;
}

/* Per scan: its keys, and what changed since the previous complete run. */
static int
run_diffs(struct run_ctx *r)
{
	struct trawl_err err = { "" };

	for (unsigned int i = 0; i < r->c->nscans; i++) {
		const struct trawl_campaign_scan *s = &r->c->scans[i];
		char sdir[PATH_MAX], pdir[PATH_MAX], keys[PATH_MAX], pkeys[PATH_MAX], path[PATH_MAX];
		const char *before = NULL;
		struct trawl_keys_diff d;
		struct trawl_keys_csv o;
		uint64_t count, pcount;
		struct stat sb;
		int rc;

		snprintf(sdir, sizeof(sdir), "%s/%s", r->dir, s->name);
		rc = ensure_keys(sdir, keys, sizeof(keys), &count, &err);
		if (rc != 0)
			return run_failed(r, "failed", "%s", err.msg);
		if (r->prev[0]) {
			snprintf(pdir, sizeof(pdir), "%s/runs/%s/%s", r->c->state_dir, r->prev, s->name);
			if (stat(pdir, &sb) == 0) {
				if ((rc = ensure_keys(pdir, pkeys, sizeof(pkeys), &pcount, &err)) != 0)
					return run_failed(r, "failed", "%s", err.msg);
				before = pkeys;
			}
		}
		snprintf(path, sizeof(path), "%s/new.csv", sdir);
		o.added = open_csv(path);
		snprintf(path, sizeof(path), "%s/gone.csv", sdir);
		o.removed = open_csv(path);
		if (o.added == NULL || o.removed == NULL) {
			rc = -errno;
			if (o.added)
				fclose(o.added);
			if (o.removed)
				fclose(o.removed);
			return run_failed(r, "failed", "%s: %s", path, strerror(-rc));
		}
		rc = trawl_keys_diff(before, keys, trawl_keys_emit_csv, &o, &d, &err);
		if (rc == -EIO)
			snprintf(err.msg, sizeof(err.msg), "%s/new.csv or gone.csv: %s", sdir, strerror(errno ? errno : EIO));
		{
			int r1 = close_synced(o.added), r2 = close_synced(o.removed);

			if (rc == 0 && (r1 != 0 || r2 != 0)) {
				rc = r1 ? r1 : r2;
				snprintf(err.msg, sizeof(err.msg), "%s/new.csv or gone.csv: %s", sdir, strerror(-rc));
			}
		}
		if (rc != 0)
			return run_failed(r, "failed", "%s", err.msg);
		r->counts[i] = (struct trawl_history_scan){ s->name, count, d.added, d.removed };
	}
	return 0;
}

static int
fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static int
write_run_json(struct run_ctx *r, const char *start, const char *end)
{
	json_t *o = json_object(), *scans = json_object();
	char path[PATH_MAX], *text;
	int rc;

	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "state", json_string("complete"));
	json_object_set_new(o, "start", json_string(start));
	json_object_set_new(o, "end", json_string(end));
	json_object_set_new(o, "previous", r->prev[0] ? json_string(r->prev) : json_null());
	json_object_set_new(o, "campaign", json_string(r->c->name));
	for (unsigned int i = 0; i < r->c->nscans; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "results", json_integer((json_int_t)r->counts[i].results));
		json_object_set_new(s, "new", json_integer((json_int_t)r->counts[i].added));
		json_object_set_new(s, "gone", json_integer((json_int_t)r->counts[i].removed));
		json_object_set_new(scans, r->c->scans[i].name, s);
	}
	json_object_set_new(o, "scans", scans);
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/run.json", r->dir);
	{
		size_t len = strlen(text);
		char *t2 = realloc(text, len + 2);

		if (t2 == NULL) {
			free(text);
			return -ENOMEM;
		}
		text = t2;
		text[len] = '\n';
		rc = trawl_write_file_atomic(path, text, len + 1);
	}
	free(text);
	return rc;
}

/* The run's files on disk, then its directory renamed: a run under its own name is whole. */
static int
publish(struct run_ctx *r, char *final, size_t len)
{
	char path[PATH_MAX], runs[PATH_MAX];
	int rc = 0;

	for (unsigned int i = 0; i < r->c->nscans && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s/metadata.json", r->dir, r->c->scans[i].name);
		rc = fsync_path(path);
		if (rc == 0) {
			snprintf(path, sizeof(path), "%s/%s", r->dir, r->c->scans[i].name);
			rc = trawl_fsync_dir(path);
		}
	}
	if (rc == 0)
		rc = trawl_fsync_dir(r->dir);
	snprintf(runs, sizeof(runs), "%s/runs", r->c->state_dir);
	snprintf(final, len, "%s/%s", runs, r->id);
	if (rc == 0 && rename(r->dir, final) != 0)
		rc = -errno;
	if (rc == 0)
		rc = trawl_fsync_dir(runs);
	return rc;
}

static void
prune(struct run_ctx *r)
{
	struct trawl_runs runs;
	struct trawl_err err;

	if (r->c->keep == 0 || trawl_state_runs(r->c->state_dir, &runs, &err) != 0)
		return;
	for (size_t i = 0; i + r->c->keep < runs.n; i++) {
		char path[PATH_MAX];
		int rc;

		snprintf(path, sizeof(path), "%s/runs/%s", r->c->state_dir, runs.complete[i]);
		rc = trawl_rm_rf(path);
		if (rc != 0) {
			fprintf(stderr, ME ": warning: keep %u: cannot delete %s: %s\n", r->c->keep, path, strerror(-rc));
			continue;
		}
		fprintf(stderr, ME ": %s: keep %u: deleted run %s\n", r->c->name, r->c->keep, runs.complete[i]);
		if (r->have_db)
			trawl_history_run_state(&r->h, runs.complete[i], "pruned", NULL, NULL, &err);
	}
	trawl_state_runs_free(&runs);
}

/* "'...'" for sh, with ' as '\'' */
static char *
sh_quote(const char *s)
{
	size_t n = 3;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	q = p = malloc(n);
	if (q == NULL)
		return NULL;
	*p++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *s;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

static int
after_run(struct run_ctx *r, const char *run_dir)
{
	char *q = sh_quote(run_dir), *cmd;
	const char *tmpl = r->c->after_run, *at;
	size_t len = 1;
	pid_t pid;
	int status;

	if (q == NULL)
		return -ENOMEM;
	for (const char *p = tmpl; (at = strstr(p, "{run_dir}")) != NULL; p = at + 9)
		len += strlen(q);
	len += strlen(tmpl);
	cmd = malloc(len);
	if (cmd == NULL) {
		free(q);
		return -ENOMEM;
	}
	cmd[0] = '\0';
	for (const char *p = tmpl;; p = at + 9) {
		at = strstr(p, "{run_dir}");
		if (at == NULL) {
			strcat(cmd, p);
			break;
		}
		strncat(cmd, p, (size_t)(at - p));
		strcat(cmd, q);
	}
	free(q);
	fprintf(stderr, ME ": %s: after-run: %s\n", r->c->name, cmd);
	pid = fork();
	if (pid == 0) {
		/* The run is over and published: the hook does not hold the next run back. */
		close(r->lock_fd);
		setenv("TRAWL_RUN_DIR", run_dir, 1);
		setenv("TRAWL_CAMPAIGN", r->c->name, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
cmd_run(struct trawl_campaign *c)
{
	struct run_ctx r = { .c = c, .lock_fd = -1 };
	struct trawl_err err = { "" };
	struct trawl_runs runs;
	struct sigaction sa;
	char path[PATH_MAX], start[32], end[32], final[PATH_MAX];
	int rc;

	if (trawl_units_check_calendar(c, 0, NULL, &err) < 0) {
		say_err(&err);
		return 2;
	}
	if (trawl_state_prepare(c->state_dir, &err) != 0 || trawl_state_lock(c->state_dir, &r.lock_fd, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	snprintf(path, sizeof(path), "%s/campaign.db", c->state_dir);
	if (trawl_history_open(&r.h, path, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		return 1;
	}
	r.have_db = 1;
	if (trawl_state_runs(c->state_dir, &runs, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		trawl_history_close(&r.h);
		return 1;
	}
	if (runs.partial[0]) {
		memcpy(r.id, runs.partial, sizeof(r.id));
		fprintf(stderr, ME ": %s: going on with run %s (interrupted or failed before)\n", c->name, r.id);
	} else {
		/* Ids are start seconds: a run in the same second as the last one waits for the next. */
		for (int tries = 0; tries < 3; tries++) {
			trawl_run_id_now(r.id);
			if (runs.n == 0 || strcmp(r.id, runs.complete[runs.n - 1]) > 0)
				break;
			sleep(1);
		}
		if (runs.n != 0 && strcmp(r.id, runs.complete[runs.n - 1]) <= 0) {
			fprintf(stderr, ME ": %s: the clock (%s) is behind the last run %s: not starting a run that would "
					"sort before it\n", c->name, r.id, runs.complete[runs.n - 1]);
			trawl_state_runs_free(&runs);
			trawl_history_close(&r.h);
			close(r.lock_fd);
			return 1;
		}
	}
	/* The previous complete run: the newest before this one. */
	for (size_t i = runs.n; i > 0; i--)
		if (strcmp(runs.complete[i - 1], r.id) < 0) {
			memcpy(r.prev, runs.complete[i - 1], sizeof(r.prev));
			break;
		}
	trawl_state_runs_free(&runs);
	snprintf(r.dir, sizeof(r.dir), "%s/runs/%s.partial", c->state_dir, r.id);
	if (mkdir(r.dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, ME ": %s: %s: %s\n", c->name, r.dir, strerror(errno));
		trawl_history_close(&r.h);
		return 1;
	}
	trawl_run_id_iso(r.id, start, sizeof(start));
	if (trawl_history_run_begin(&r.h, r.id, start, &err) != 0) {
		rc = run_failed(&r, "failed", "%s", err.msg);
		goto out;
	}
	rc = run_scans(&r);
	if (rc == 0)
		rc = run_diffs(&r);
	if (rc != 0)
		goto out;
	trawl_now_iso(end, sizeof(end));
	rc = write_run_json(&r, start, end);
	if (rc != 0) {
		rc = run_failed(&r, "failed", "%s/run.json: %s", r.dir, strerror(-rc));
		goto out;
	}
	rc = publish(&r, final, sizeof(final));
	if (rc != 0) {
		rc = run_failed(&r, "failed", "publishing %s: %s", r.dir, strerror(-rc));
		goto out;
	}
	snprintf(r.dir, sizeof(r.dir), "%s", final);
	if ((rc = trawl_state_set_latest(c->state_dir, r.id)) != 0)
		fprintf(stderr, ME ": warning: %s/latest: %s\n", c->state_dir, strerror(-rc));
	if (trawl_history_run_complete(&r.h, r.id, end, r.prev[0] ? r.prev : NULL, r.counts, c->nscans, &err) != 0)
		fprintf(stderr, ME ": warning: the run is complete, but its history could not be recorded: %s\n", err.msg);
	for (unsigned int i = 0; i < c->nscans; i++)
		fprintf(stderr, ME ": %s: run %s: scan %s: %" PRIu64 " results, %" PRIu64 " new, %" PRIu64 " gone%s%s\n",
				c->name, r.id, c->scans[i].name, r.counts[i].results, r.counts[i].added, r.counts[i].removed,
				r.prev[0] ? " since " : " (first run)", r.prev);
	prune(&r);
	rc = 0;
	if (c->after_run != NULL) {
		int hs = after_run(&r, final);

		if (hs != 0) {
			fprintf(stderr, ME ": %s: run %s is complete, but after-run %s %d\n", c->name, r.id,
					hs > 128 ? "was killed by signal" : "exited", hs > 128 ? hs - 128 : hs);
			rc = 1;
		}
	}
out:
	trawl_history_close(&r.h);
	close(r.lock_fd);
	return rc;
}

/* --- status ------------------------------------------------------------ */

struct status_ctx {
	struct trawl_history *h;
	int json, locked;
	json_t *runs;
	unsigned int n;
};

static void
status_scan_text(void *arg, const struct trawl_history_scan *s)
{
	int *first = arg;

	printf("%s%s %" PRIu64 " +%" PRIu64 " -%" PRIu64, *first ? "" : ", ", s->name, s->results, s->added, s->removed);
	*first = 0;
}

static void
status_scan_json(void *arg, const struct trawl_history_scan *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "results", json_integer((json_int_t)s->results));
	json_object_set_new(o, "new", json_integer((json_int_t)s->added));
	json_object_set_new(o, "gone", json_integer((json_int_t)s->removed));
	json_object_set_new(arg, s->name, o);
}

static int
status_run(void *arg, const struct trawl_history_run *run)
{
	struct status_ctx *x = arg;
	struct trawl_err err;
	const char *state = run->state;

	/* A run the database says is going, with nobody holding the lock: it died (crash, SIGKILL, reboot). */
	if (strcmp(state, "running") == 0 && !x->locked)
		state = "interrupted";
	if (x->json) {
		json_t *o = json_object(), *scans = json_object();

		json_object_set_new(o, "id", json_string(run->id));
		json_object_set_new(o, "state", json_string(state));
		json_object_set_new(o, "start", json_string(run->start));
		json_object_set_new(o, "end", run->end[0] ? json_string(run->end) : json_null());
		json_object_set_new(o, "previous", run->previous[0] ? json_string(run->previous) : json_null());
		if (run->error[0])
			json_object_set_new(o, "error", json_string(run->error));
		trawl_history_scans(x->h, run->id, status_scan_json, scans, &err);
		json_object_set_new(o, "scans", scans);
		json_array_append_new(x->runs, o);
	} else {
		int first = 1;

		if (x->n == 0)
			printf("%-17s %-12s %-21s %-21s %s\n", "RUN", "STATE", "START", "END", "SCANS: results +new -gone");
		printf("%-17s %-12s %-21s %-21s ", run->id, state, run->start, run->end[0] ? run->end : "-");
		trawl_history_scans(x->h, run->id, status_scan_text, &first, &err);
		if (run->error[0] && strcmp(state, "complete") != 0)
			printf("%s(%s)", first ? "" : " ", run->error);
		printf("\n");
	}
	x->n++;
	return 0;
}

/* The JSON document (the runs gathered), or the text's last word when there were none. */
static int
status_print(const struct trawl_campaign *c, struct status_ctx *x)
{
	if (x->json) {
		json_t *out = json_pack("{s:s, s:o}", "campaign", c->name, "runs", x->runs);

		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(out);
	} else {
		json_decref(x->runs);
		if (x->n == 0)
			printf("campaign %s: no runs yet (%s)\n", c->name, c->state_dir);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_status(struct trawl_campaign *c, const struct opts *o)
{
	struct status_ctx x = { .json = o->json };
	struct trawl_history h;
	struct trawl_err err = { "" };
	char path[PATH_MAX];
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/campaign.db", c->state_dir);
	x.locked = trawl_state_locked(c->state_dir);
	x.runs = json_array();
	if (stat(path, &sb) != 0)
		return status_print(c, &x); /* no database: no runs yet */
	if (trawl_history_open(&h, path, &err) != 0) {
		say_err(&err);
		json_decref(x.runs);
		return 1;
	}
	x.h = &h;
	rc = trawl_history_runs(&h, status_run, &x, &err);
	trawl_history_close(&h);
	if (rc != 0) {
		say_err(&err);
		json_decref(x.runs);
		return 1;
	}
	return status_print(c, &x);
}

/* --- diff -------------------------------------------------------------- */

struct diff_print {
	const char *scan;
	int json;
};

static int
emit_print(void *arg, uint64_t key, int added)
{
	struct diff_print *p = arg;
	char buf[32];
	size_t n = trawl_key_format(key, buf);

	if (p->json) {
		char *comma = memchr(buf, ',', n);

		*comma = '\0';
		printf("{\"scan\":\"%s\",\"change\":\"%s\",\"saddr\":\"%s\",\"sport\":%" PRIu64 "}\n", p->scan,
				added ? "new" : "gone", buf, key & 0xffff);
	} else {
		putchar(added ? '+' : '-');
		fwrite(buf, 1, n, stdout);
	}
	return ferror(stdout) ? -EIO : 0;
}

static int
cmd_diff(struct trawl_campaign *c, const struct opts *o)
{
	struct trawl_err err = { "" };
	struct trawl_runs runs;
	char a[TRAWL_RUN_ID_LEN + 1], b[TRAWL_RUN_ID_LEN + 1];
	int found_a = 0, found_b = 0;

	if (trawl_state_runs(c->state_dir, &runs, &err) != 0) {
		say_err(&err);
		return 1;
	}
	if (o->run_a != NULL) {
		snprintf(a, sizeof(a), "%s", o->run_a);
		snprintf(b, sizeof(b), "%s", o->run_b);
		for (size_t i = 0; i < runs.n; i++) {
			found_a |= strcmp(runs.complete[i], o->run_a) == 0;
			found_b |= strcmp(runs.complete[i], o->run_b) == 0;
		}
		if (!found_a || !found_b) {
			fprintf(stderr, ME ": %s: no complete run %s in %s/runs\n", c->name, !found_a ? o->run_a : o->run_b,
					c->state_dir);
			trawl_state_runs_free(&runs);
			return 1;
		}
	} else if (runs.n < 2) {
		fprintf(stderr, ME ": %s: diff needs two complete runs; there %s %zu in %s/runs\n", c->name,
				runs.n == 1 ? "is" : "are", runs.n, c->state_dir);
		trawl_state_runs_free(&runs);
		return 1;
	} else {
		memcpy(a, runs.complete[runs.n - 2], sizeof(a));
		memcpy(b, runs.complete[runs.n - 1], sizeof(b));
	}
	trawl_state_runs_free(&runs);
	for (unsigned int i = 0; i < c->nscans; i++) {
		const char *name = c->scans[i].name;
		char da[PATH_MAX], db[PATH_MAX], ka[PATH_MAX], kb[PATH_MAX];
		struct diff_print p = { name, o->json };
		struct trawl_keys_diff d;
		struct stat sb;
		uint64_t n;
		int have_a;

		snprintf(da, sizeof(da), "%s/runs/%s/%s", c->state_dir, a, name);
		snprintf(db, sizeof(db), "%s/runs/%s/%s", c->state_dir, b, name);
		if (stat(db, &sb) != 0)
			continue; /* a scan the later run did not have */
		have_a = stat(da, &sb) == 0;
		if ((have_a && ensure_keys(da, ka, sizeof(ka), &n, &err) != 0) || ensure_keys(db, kb, sizeof(kb), &n, &err) != 0 ||
				trawl_keys_diff(have_a ? ka : NULL, kb, emit_print, &p, &d, &err) != 0) {
			say_err(&err);
			return 1;
		}
		if (o->json)
			printf("{\"scan\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"new\":%" PRIu64 ",\"gone\":%" PRIu64
				",\"results_from\":%" PRIu64 ",\"results_to\":%" PRIu64 "}\n", name, a, b, d.added, d.removed,
				d.before, d.after);
		else
			printf("# scan %s: %s -> %s: %" PRIu64 " new, %" PRIu64 " gone (%" PRIu64 " -> %" PRIu64 " results)\n",
				name, a, b, d.added, d.removed, d.before, d.after);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* --- install ----------------------------------------------------------- */

static int
write_unit(const char *dir, const char *name, void (*fill)(const struct trawl_campaign *, FILE *),
		const struct trawl_campaign *c, const char *bin)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return -ENOMEM;
	if (fill != NULL)
		fill(c, f);
	else
		trawl_units_service(c, bin, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = trawl_write_file_atomic(path, text, len);
	free(text);
	if (rc == 0)
		fprintf(stderr, ME ": wrote %s\n", path);
	else
		fprintf(stderr, ME ": %s: %s\n", path, strerror(-rc));
	return rc;
}

static int
systemctl(const char *a, const char *b, const char *c3)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execlp("systemctl", "systemctl", a, b, c3, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
cmd_install(struct trawl_campaign *c, const struct opts *o)
{
	const char *dir = o->unit_dir ? o->unit_dir : "/etc/systemd/system";
	const char *bin = self_exe();
	struct trawl_err err = { "" };
	char service[160], timer[160];

	if (trawl_units_check_calendar(c, 0, NULL, &err) < 0) {
		say_err(&err);
		return 2;
	}
	trawl_units_names(c, service, timer, sizeof(service));
	if (o->dry_run) {
		printf("# %s/%s\n", dir, service);
		trawl_units_service(c, bin, stdout);
		printf("\n# %s/%s\n", dir, timer);
		trawl_units_timer(c, stdout);
		return 0;
	}
	if (write_unit(dir, service, NULL, c, bin) != 0 || write_unit(dir, timer, trawl_units_timer, c, bin) != 0)
		return 1;
	if (o->unit_dir != NULL) {
		fprintf(stderr, ME ": --unit-dir given: not enabled (systemctl enable --now %s when it is in place)\n", timer);
		return 0;
	}
	if (systemctl("daemon-reload", NULL, NULL) != 0 || systemctl("enable", "--now", timer) != 0) {
		fprintf(stderr, ME ": the units are written, but systemctl could not enable %s\n", timer);
		return 1;
	}
	fprintf(stderr, ME ": %s enabled: next run per `systemctl list-timers %s`\n", timer, timer);
	return 0;
}

/* --- main -------------------------------------------------------------- */

int
trawl_campaign_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "unit-dir", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct trawl_campaign c;
	struct trawl_err err = { "" };
	const char *sub;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "check") && strcmp(sub, "run") && strcmp(sub, "status") && strcmp(sub, "diff") &&
			strcmp(sub, "install")) {
		fprintf(stderr, ME ": unknown subcommand '%s' (check, run, status, diff, install; see --help)\n", sub);
		return 2;
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc - 1, argv + 1, "+h", lo, NULL)) != -1) {
		switch (opt) {
		case 'j': o.json = 1; break;
		case 'n': o.dry_run = 1; break;
		case 'u': o.unit_dir = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			fprintf(stderr, ME " %s: unknown option '%s' (see trawl campaign --help)\n", sub, argv[optind]);
			return 2;
		}
		if ((o.json && strcmp(sub, "status") && strcmp(sub, "diff")) ||
				((o.dry_run || o.unit_dir) && strcmp(sub, "install"))) {
			fprintf(stderr, ME " %s: option '%s' is not for this subcommand\n", sub, argv[optind]);
			return 2;
		}
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (argc < 1) {
		fprintf(stderr, ME " %s: FILE is missing (see trawl campaign --help)\n", sub);
		return 2;
	}
	o.file = argv[0];
	if (strcmp(sub, "diff") == 0 && argc == 3) {
		o.run_a = argv[1];
		o.run_b = argv[2];
		if (!trawl_run_id_ok(o.run_a) || !trawl_run_id_ok(o.run_b)) {
			fprintf(stderr, ME " diff: RUN_A and RUN_B are run ids such as 20261123T020000Z\n");
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, ME " %s: one FILE%s\n", sub, strcmp(sub, "diff") == 0 ? ", then two run ids or none" : "");
		return 2;
	}
	rc = trawl_campaign_load(o.file, &c, &err);
	if (rc != 0) {
		say_err(&err);
		trawl_campaign_free(&c);
		return rc == -ENOMEM ? 1 : 2;
	}
	if (strcmp(sub, "check") == 0)
		rc = cmd_check(&c);
	else if (strcmp(sub, "run") == 0)
		rc = cmd_run(&c);
	else if (strcmp(sub, "status") == 0)
		rc = cmd_status(&c, &o);
	else if (strcmp(sub, "diff") == 0)
		rc = cmd_diff(&c, &o);
	else
		rc = cmd_install(&c, &o);
	trawl_campaign_free(&c);
	return rc;
}
