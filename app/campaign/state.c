/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/core/atomicfile.h"
#include "app/campaign/state.h"

int
trawl_run_id_ok(const char *s)
{
	if (strlen(s) != TRAWL_RUN_ID_LEN)
		return 0;
	for (int i = 0; i < TRAWL_RUN_ID_LEN; i++) {
		if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' : (s[i] < '0' || s[i] > '9'))
			return 0;
	}
	return 1;
}

void
trawl_run_id_now(char id[TRAWL_RUN_ID_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(id, TRAWL_RUN_ID_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

void
trawl_run_id_iso(const char *id, char *iso, size_t len)
{
	snprintf(iso, len, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", id, id + 4, id + 6, id + 9, id + 11, id + 13);
}

void
trawl_now_iso(char *iso, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(iso, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

int
trawl_state_prepare(const char *state, struct trawl_err *err)
{
	char runs[PATH_MAX];
	int rc;

	snprintf(runs, sizeof(runs), "%s/runs", state);
	rc = mkdir_p(runs);
	if (rc != 0)
		return trawl_err_set(err, rc, "state directory %s: %s", state, strerror(-rc));
	return 0;
}

int
trawl_state_lock(const char *state, int *fd, struct trawl_err *err)
{
	char path[PATH_MAX], pid[32] = "";
	ssize_t n;

	snprintf(path, sizeof(path), "%s/lock", state);
	/* No O_CLOEXEC: the scans it starts hold it too, so a run is over only when they are. */
	*fd = open(path, O_RDWR | O_CREAT, 0644);
	if (*fd < 0)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		n = pread(*fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK)
			return trawl_err_set(err, -EBUSY, "a run of this campaign is already going (pid %s holds %s)",
					pid[0] ? pid : "?", path);
		return trawl_err_set(err, -e, "%s: flock: %s", path, strerror(e));
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) != 0 || pwrite(*fd, pid, (size_t)n, 0) != n) {
		/* The pid is only for the message above: a full disk must not stop the lock. */
	}
	return 0;
}

int
trawl_state_locked(const char *state)
{
	char path[PATH_MAX];
	int fd, busy;

	snprintf(path, sizeof(path), "%s/lock", state);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	busy = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
trawl_state_runs(const char *state, struct trawl_runs *r, struct trawl_err *err)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/runs", state);
	d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char id[TRAWL_RUN_ID_LEN + 1];
		size_t len = strlen(e->d_name);

		if (len < TRAWL_RUN_ID_LEN)
			continue;
		snprintf(id, sizeof(id), "%.*s", TRAWL_RUN_ID_LEN, e->d_name);
		if (!trawl_run_id_ok(id))
			continue;
		if (len == TRAWL_RUN_ID_LEN) {
			if (r->n == cap) {
				void *p = realloc(r->complete, (cap * 2 + 16) * sizeof(*r->complete));

				if (p == NULL) {
					closedir(d);
					return trawl_err_set(err, -ENOMEM, "out of memory");
				}
				r->complete = p;
				cap = cap * 2 + 16;
			}
			memcpy(r->complete[r->n++], id, sizeof(id));
		} else if (strcmp(e->d_name + TRAWL_RUN_ID_LEN, ".partial") == 0) {
			/* Two partial runs cannot happen (one at a time); the newer wins if one was made by hand. */
			if (strcmp(id, r->partial) > 0)
				memcpy(r->partial, id, sizeof(id));
		}
	}
	closedir(d);
	if (r->n != 0)
		qsort(r->complete, r->n, sizeof(*r->complete), cmp_id);
	return 0;
}

void
trawl_state_runs_free(struct trawl_runs *r)
{
	free(r->complete);
	memset(r, 0, sizeof(*r));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 ? -1 : 0;
}

int
trawl_rm_rf(const char *path)
{
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) != 0 ? -errno : 0;
}

int
trawl_state_set_latest(const char *state, const char *id)
{
	char tmp[PATH_MAX], link[PATH_MAX], target[64];

	snprintf(tmp, sizeof(tmp), "%s/latest.tmp", state);
	snprintf(link, sizeof(link), "%s/latest", state);
	snprintf(target, sizeof(target), "runs/%s", id);
	unlink(tmp);
	if (symlink(target, tmp) != 0)
		return -errno;
	if (rename(tmp, link) != 0) {
		int rc = -errno;

		unlink(tmp);
		return rc;
	}
	return trawl_fsync_dir(state);
}
