/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/core/atomicfile.h"

static const struct trawl_atomicfile_ops *route = &trawl_atomicfile_local;

void
trawl_atomicfile_route(const struct trawl_atomicfile_ops *ops)
{
	route = ops != NULL ? ops : &trawl_atomicfile_local;
}

int
trawl_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int
trawl_path_is_special(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static int
write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		data += n, len -= (size_t)n;
	}
	return 0;
}

static int
fsync_parent(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	return trawl_fsync_dir(dirname(dir));
}

static int
write_local(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (trawl_path_is_special(path)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = write_all(fd, data, len);
		if (close(fd) != 0 && rc == 0)
			rc = -errno;
		return rc;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_parent(path);
}

static int
rename_local(const char *from, const char *to)
{
	if (rename(from, to) != 0)
		return -errno;
	return fsync_parent(to);
}

static int
unlink_local(const char *path)
{
	return unlink(path) == 0 ? 0 : -errno;
}

const struct trawl_atomicfile_ops trawl_atomicfile_local = {
	.write = write_local,
	.rename = rename_local,
	.unlink = unlink_local,
};

int
trawl_write_file_atomic(const char *path, const char *data, size_t len)
{
	return route->write(path, data, len);
}

int
trawl_rename_durable(const char *from, const char *to)
{
	return route->rename(from, to);
}

int
trawl_unlink(const char *path)
{
	return route->unlink(path);
}
