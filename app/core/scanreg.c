/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/core/scanreg.h"

const char *
trawl_scanreg_dir(void)
{
	const char *d = getenv("TRAWL_RUN_DIR");

	return d != NULL && d[0] != '\0' ? d : "/run/trawl";
}

static int
entry_path(char *buf, size_t len, pid_t pid)
{
	return snprintf(buf, len, "%s/scan-%ld", trawl_scanreg_dir(), (long)pid) < (int)len ? 0 : -ENAMETOOLONG;
}

int
trawl_scanreg_add(const char *blocklist)
{
	char real[PATH_MAX], path[PATH_MAX + 64], tmp[PATH_MAX + 80];
	size_t len;
	int fd, rc;

	if (realpath(blocklist, real) == NULL)
		return -errno;
	if (mkdir(trawl_scanreg_dir(), 0755) != 0 && errno != EEXIST)
		return -errno;
	rc = entry_path(path, sizeof(path), getpid());
	if (rc != 0)
		return rc;
	/*
	 * Locked and written under a name no reader looks at, then renamed into
	 * place: a reader never finds the entry unlocked (it would take it for a
	 * stale one and remove it).
	 */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = strlen(real);
	real[len++] = '\n';
	if (flock(fd, LOCK_SH) != 0 || write(fd, real, len) != (ssize_t)len || rename(tmp, path) != 0) {
		rc = errno != 0 ? -errno : -EIO;
		close(fd);
		unlink(tmp);
		return rc;
	}
	return fd;
}

void
trawl_scanreg_remove(int fd)
{
	char path[PATH_MAX + 64];

	if (fd < 0)
		return;
	if (entry_path(path, sizeof(path), getpid()) == 0)
		unlink(path); /* may fail once privileges are dropped: the next optout removes it */
	close(fd);
}

/* Is the entry @p name in @p dirfd a live scan's, reading @p real? Stale ones are removed. */
static int
live_reader(int dirfd, const char *name, const char *real)
{
	char buf[PATH_MAX + 2];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC), live;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* No scan holds it: its scan is gone. */
		unlinkat(dirfd, name, 0);
		close(fd);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	live = strcmp(buf, real) == 0;
	return live;
}

int
trawl_scanreg_signal(const char *blocklist, int sig, pid_t *pids, int max)
{
	char real[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (realpath(blocklist, real) == NULL)
		return -errno;
	d = opendir(trawl_scanreg_dir());
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, "scan-", 5) != 0)
			continue;
		pid = strtol(e->d_name + 5, &end, 10);
		if (*end != '\0' || pid <= 0 || !live_reader(dirfd(d), e->d_name, real))
			continue;
		if (kill((pid_t)pid, sig) == 0) {
			if (n < max)
				pids[n] = (pid_t)pid;
			n++;
		}
	}
	closedir(d);
	return n;
}
