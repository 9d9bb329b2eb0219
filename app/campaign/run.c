/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl campaign run FILE: each scan of the campaign run as `trawl scan`
 * (this binary) with a checkpoint in the run's directory, then per scan
 * what changed since the previous complete run, then the directory
 * published by a rename. A run that is interrupted (signal, crash, reboot,
 * full disk) stays RUN_ID.partial and the next `run` goes on with it, each
 * scan from its checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "app/campaign/cmd.h"
#include "app/campaign/history.h"
#include "app/campaign/keys.h"
#include "app/campaign/state.h"
#include "app/campaign/units.h"

/* --- run --------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
static volatile pid_t child_pid;

static void
on_signal(int sig)
{
	/* The scan stops sending, has its cooldown and writes its checkpoint; a second signal stops it at once. */
	if (child_pid > 0)
		kill(child_pid, sig);
	/* SIGHUP is no stop: the scan reads its blocklist again (between scans the next one reads it anyway). */
	if (sig != SIGHUP)
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
	const char *self = campaign_self_exe();

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

/*
 * The key files of a scan directory, made from its results.csv if keys.bin
 * is not there yet (the build writes it last, after keys6.bin); unless
 * @p keep_canaries, without the addresses that answered a canary (they
 * answer every port: no change there says anything). A run directory from
 * before IPv6 keys has keys.bin alone: no IPv6 results.
 */
int
campaign_ensure_keys(const char *sdir, struct campaign_keys *k, int keep_canaries, struct trawl_err *err)
{
	static const char *const names[TRAWL_KEY_FAMILIES] = { "keys.bin", "keys6.bin" };
	const char *out[TRAWL_KEY_FAMILIES];
	struct trawl_keys_skip skip = { 0 };
	struct trawl_keys_stats st;
	char csv[PATH_MAX];
	struct stat sb;
	int rc = 0;

	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		snprintf(k->path[f], sizeof(k->path[f]), "%s/%s", sdir, names[f]);
		out[f] = k->path[f];
	}
	snprintf(csv, sizeof(csv), "%s/results.csv", sdir);
	if (stat(k->path[TRAWL_KEY4], &sb) != 0 || sb.st_size % 8 != 0) {
		if (!keep_canaries && (rc = trawl_keys_canaries(csv, &skip, err)) != 0)
			return rc;
		rc = trawl_keys_build(csv, out, TRAWL_KEYS_DEFAULT_MEM, &skip, &st, err);
		trawl_keys_skip_free(&skip);
		if (rc != 0)
			return rc;
		if (st.bad != 0)
			fprintf(stderr, ME ": warning: %s: %" PRIu64 " rows are no saddr,sport pair (left out)\n", csv,
					st.bad);
	}
	k->count = 0;
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		uint64_t kb = trawl_key_words(f) * sizeof(uint64_t);

		k->file[f] = NULL;
		if (stat(k->path[f], &sb) != 0)
			continue;
		if ((uint64_t)sb.st_size % kb != 0)
			return trawl_err_set(err, -EINVAL, "%s: damaged (not whole keys)", k->path[f]);
		k->file[f] = k->path[f];
		k->count += (uint64_t)sb.st_size / kb;
	}
	return 0;
}

/* The keys each side of a diff emits, in order, to a file of keys per family: what trawl_keys_rows reads. */
struct key_files {
	FILE *f[2][TRAWL_KEY_FAMILIES];  /* [added][family] */
};

static int
emit_key(void *arg, int fam, const uint64_t *key, int added)
{
	struct key_files *k = arg;
	size_t kw = trawl_key_words(fam);

	return fwrite(key, sizeof(uint64_t), kw, k->f[added][fam]) == kw ? 0 : -EIO;
}

/*
 * One side's rows: every field of the results.csv the keys come from; for a
 * previous run whose results.csv is gone (pruned), the keys alone.
 */
static int
side_rows(const char *csv, const char *const keys[TRAWL_KEY_FAMILIES], const char *out, struct trawl_err *err)
{
	FILE *f = fopen(out, "we");
	struct stat sb;
	int rc = 0;

	if (f == NULL)
		return trawl_err_set(err, -errno, "%s: %s", out, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	if (csv != NULL && stat(csv, &sb) == 0) {
		rc = trawl_keys_rows(csv, keys, f, err);
	} else {
		/* the keys alone, as saddr,sport rows */
		struct trawl_keys_csv o = { f, f };

		fputs("saddr,sport\n", f);
		for (int fam = 0; fam < TRAWL_KEY_FAMILIES && rc == 0; fam++) {
			FILE *k = fopen(keys[fam], "re");
			uint64_t key[TRAWL_KEY_WORDS_MAX];
			size_t kw = trawl_key_words(fam);

			while (rc == 0 && k != NULL && fread(key, sizeof(uint64_t), kw, k) == kw)
				rc = trawl_keys_emit_csv(&o, fam, key, 1);
			if (k != NULL)
				fclose(k);
		}
		if (rc != 0)
			trawl_err_set(err, rc, "%s: %s", out, strerror(-rc));
	}
	{
		int r2 = close_synced(f);

		if (rc == 0 && r2 != 0)
			rc = trawl_err_set(err, r2, "%s: %s", out, strerror(-r2));
	}
	return rc;
}

/* One scan's diff against the previous run's (@p before NULL: none), through the key files of @p sdir. */
static int
scan_diff(const char *sdir, const struct campaign_keys *before, const struct campaign_keys *after,
		struct key_files *o, char kadd[][PATH_MAX], char krem[][PATH_MAX], struct trawl_keys_diff *d,
		struct trawl_err *err)
{
	static const char *const names[2][TRAWL_KEY_FAMILIES] = { { "gone.keys", "gone6.keys" },
		{ "new.keys", "new6.keys" } };
	int rc = 0;

	memset(o, 0, sizeof(*o));
	memset(d, 0, sizeof(*d));
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		snprintf(krem[f], PATH_MAX, "%s/%s", sdir, names[0][f]);
		snprintf(kadd[f], PATH_MAX, "%s/%s", sdir, names[1][f]);
	}
	for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
		o->f[0][f] = fopen(krem[f], "we");
		o->f[1][f] = fopen(kadd[f], "we");
		if (o->f[0][f] == NULL || o->f[1][f] == NULL) {
			rc = trawl_err_set(err, -errno, "%s: %s", o->f[0][f] == NULL ? krem[f] : kadd[f], strerror(errno));
			break;
		}
	}
	for (int f = 0; f < TRAWL_KEY_FAMILIES && rc == 0; f++) {
		rc = trawl_keys_diff(f, before != NULL ? before->file[f] : NULL, after->file[f], emit_key, o, d, err);
		if (rc == -EIO)
			trawl_err_set(err, rc, "%s: %s", kadd[f], strerror(errno ? errno : EIO));
	}
	for (int s = 0; s < 2; s++)
		for (int f = 0; f < TRAWL_KEY_FAMILIES; f++)
			if (o->f[s][f] != NULL && fclose(o->f[s][f]) != 0 && rc == 0)
				rc = trawl_err_set(err, -EIO, "%s: %s", s ? kadd[f] : krem[f], strerror(errno));
	return rc;
}

/*
 * Per scan: its keys, and what changed since the previous complete run:
 * new.csv holds the rows of this run's results.csv whose (address, port)
 * the previous run did not have, gone.csv the previous run's rows this one
 * does not have, each with every field the scan wrote (the keys go through
 * two sorted key files per family on the way: memory stays bounded).
 */
static int
run_diffs(struct run_ctx *r)
{
	struct trawl_err err = { "" };

	for (unsigned int i = 0; i < r->c->nscans; i++) {
		const struct trawl_campaign_scan *s = &r->c->scans[i];
		char sdir[PATH_MAX], pdir[PATH_MAX], path[PATH_MAX], csv[PATH_MAX], pcsv[PATH_MAX];
		char kadd[TRAWL_KEY_FAMILIES][PATH_MAX], krem[TRAWL_KEY_FAMILIES][PATH_MAX];
		const char *add[TRAWL_KEY_FAMILIES], *rem[TRAWL_KEY_FAMILIES];
		struct campaign_keys keys, pkeys;
		const struct campaign_keys *before = NULL;
		struct trawl_keys_diff d;
		struct key_files o;
		struct stat sb;
		int rc;

		snprintf(sdir, sizeof(sdir), "%s/%s", r->dir, s->name);
		rc = campaign_ensure_keys(sdir, &keys, r->c->diff_canaries, &err);
		if (rc != 0)
			return run_failed(r, "failed", "%s", err.msg);
		if (r->prev[0]) {
			snprintf(pdir, sizeof(pdir), "%s/runs/%s/%s", r->c->state_dir, r->prev, s->name);
			if (stat(pdir, &sb) == 0) {
				if ((rc = campaign_ensure_keys(pdir, &pkeys, r->c->diff_canaries, &err)) != 0)
					return run_failed(r, "failed", "%s", err.msg);
				before = &pkeys;
			}
		}
		rc = scan_diff(sdir, before, &keys, &o, kadd, krem, &d, &err);
		for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
			add[f] = kadd[f];
			rem[f] = krem[f];
		}
		snprintf(csv, sizeof(csv), "%s/results.csv", sdir);
		snprintf(pcsv, sizeof(pcsv), "%s/results.csv", before != NULL ? pdir : sdir);
		snprintf(path, sizeof(path), "%s/new.csv", sdir);
		if (rc == 0)
			rc = side_rows(csv, add, path, &err);
		snprintf(path, sizeof(path), "%s/gone.csv", sdir);
		if (rc == 0)
			rc = side_rows(before != NULL ? pcsv : NULL, rem, path, &err);
		for (int f = 0; f < TRAWL_KEY_FAMILIES; f++) {
			unlink(kadd[f]);
			unlink(krem[f]);
		}
		if (rc != 0)
			return run_failed(r, "failed", "%s", err.msg);
		r->counts[i] = (struct trawl_history_scan){ s->name, keys.count, d.added, d.removed };
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

/*
 * The run's id: the interrupted run's if there is one, else now (a run in
 * the same second as the last one waits for the next); and the previous
 * complete run it is compared with. @return 0, or 1 (said).
 */
static int
pick_run(struct run_ctx *r)
{
	struct trawl_campaign *c = r->c;
	struct trawl_err err = { "" };
	struct trawl_runs runs;
	int rc = 0;

	if (trawl_state_runs(c->state_dir, &runs, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		return 1;
	}
	if (runs.partial[0]) {
		memcpy(r->id, runs.partial, sizeof(r->id));
		fprintf(stderr, ME ": %s: going on with run %s (interrupted or failed before)\n", c->name, r->id);
	} else {
		for (int tries = 0; tries < 3; tries++) {
			trawl_run_id_now(r->id);
			if (runs.n == 0 || strcmp(r->id, runs.complete[runs.n - 1]) > 0)
				break;
			sleep(1);
		}
		if (runs.n != 0 && strcmp(r->id, runs.complete[runs.n - 1]) <= 0) {
			fprintf(stderr, ME ": %s: the clock (%s) is behind the last run %s: not starting a run that would "
					"sort before it\n", c->name, r->id, runs.complete[runs.n - 1]);
			rc = 1;
		}
	}
	/* The previous complete run: the newest before this one. */
	for (size_t i = runs.n; rc == 0 && i > 0; i--)
		if (strcmp(runs.complete[i - 1], r->id) < 0) {
			memcpy(r->prev, runs.complete[i - 1], sizeof(r->prev));
			break;
		}
	trawl_state_runs_free(&runs);
	return rc;
}

/*
 * Set up: the schedule is valid, the state directory ours (locked), signals
 * forwarded, the history open, the run picked and its directory made.
 * @return 0, 1 or 2 (said).
 */
static int
run_open(struct run_ctx *r)
{
	struct trawl_campaign *c = r->c;
	struct trawl_err err = { "" };
	struct sigaction sa;
	char path[PATH_MAX];

	if (trawl_units_check_calendar(c, 0, NULL, &err) < 0) {
		campaign_say_err(&err);
		return 2;
	}
	if (trawl_state_prepare(c->state_dir, &err) != 0 || trawl_state_lock(c->state_dir, &r->lock_fd, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	snprintf(path, sizeof(path), "%s/campaign.db", c->state_dir);
	if (trawl_history_open(&r->h, path, &err) != 0) {
		fprintf(stderr, ME ": %s: %s\n", c->name, err.msg);
		return 1;
	}
	r->have_db = 1;
	if (pick_run(r) != 0)
		return 1;
	snprintf(r->dir, sizeof(r->dir), "%s/runs/%s.partial", c->state_dir, r->id);
	if (mkdir(r->dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, ME ": %s: %s: %s\n", c->name, r->dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* The scans, their diffs, run.json, and the directory published as runs/ID. @return 0 or 1 (said; it stays partial). */
static int
run_body(struct run_ctx *r, char *end, size_t end_len, char *final, size_t final_len)
{
	struct trawl_err err = { "" };
	char start[32];
	int rc;

	trawl_run_id_iso(r->id, start, sizeof(start));
	if (trawl_history_run_begin(&r->h, r->id, start, &err) != 0)
		return run_failed(r, "failed", "%s", err.msg);
	rc = run_scans(r);
	if (rc == 0)
		rc = run_diffs(r);
	if (rc != 0)
		return rc;
	trawl_now_iso(end, end_len);
	rc = write_run_json(r, start, end);
	if (rc != 0)
		return run_failed(r, "failed", "%s/run.json: %s", r->dir, strerror(-rc));
	rc = publish(r, final, final_len);
	if (rc != 0)
		return run_failed(r, "failed", "publishing %s: %s", r->dir, strerror(-rc));
	snprintf(r->dir, sizeof(r->dir), "%s", final);
	return 0;
}

/*
 * A published run: latest, its history, a line per scan, old runs pruned, after-run.
 * @return 0, or 1 if after-run failed.
 */
static int
run_close(struct run_ctx *r, const char *end, const char *final)
{
	struct trawl_campaign *c = r->c;
	struct trawl_err err = { "" };
	int rc;

	if ((rc = trawl_state_set_latest(c->state_dir, r->id)) != 0)
		fprintf(stderr, ME ": warning: %s/latest: %s\n", c->state_dir, strerror(-rc));
	if (trawl_history_run_complete(&r->h, r->id, end, r->prev[0] ? r->prev : NULL, r->counts, c->nscans, &err) != 0)
		fprintf(stderr, ME ": warning: the run is complete, but its history could not be recorded: %s\n", err.msg);
	for (unsigned int i = 0; i < c->nscans; i++)
		fprintf(stderr, ME ": %s: run %s: scan %s: %" PRIu64 " results, %" PRIu64 " new, %" PRIu64 " gone%s%s\n",
				c->name, r->id, c->scans[i].name, r->counts[i].results, r->counts[i].added, r->counts[i].removed,
				r->prev[0] ? " since " : " (first run)", r->prev);
	prune(r);
	if (c->after_run != NULL) {
		int hs = after_run(r, final);

		if (hs != 0) {
			fprintf(stderr, ME ": %s: run %s is complete, but after-run %s %d\n", c->name, r->id,
					hs > 128 ? "was killed by signal" : "exited", hs > 128 ? hs - 128 : hs);
			return 1;
		}
	}
	return 0;
}

int
campaign_run(struct trawl_campaign *c, const struct campaign_opts *o)
{
	struct run_ctx r = { .c = c, .lock_fd = -1 };
	char end[32], final[PATH_MAX];
	int rc;

	(void)o; /* it takes no flags */
	rc = run_open(&r);
	if (rc == 0)
		rc = run_body(&r, end, sizeof(end), final, sizeof(final));
	if (rc == 0)
		rc = run_close(&r, end, final);
	/* One unwind: the scans are over (each waited for), so the lock can go. */
	if (r.have_db)
		trawl_history_close(&r.h);
	if (r.lock_fd >= 0)
		close(r.lock_fd);
	return rc;
}
