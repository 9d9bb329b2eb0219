/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/privsep: the keeper does the file calls it was registered for and
 * nothing else, also once this process is nobody; the drop leaves no
 * capability and no way back to root. Root only (77 otherwise), as CI runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "test/unit/check.h"
#include "app/core/atomicfile.h"
#include "app/core/privsep.h"

static char dir[64], allowed[128], other[128], tmp[128], final[128];

static int
exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static void
test_keeper_and_drop(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	struct trawl_err err;
	int fd;

	CHECK(trawl_privsep_init("no-such-user-trawl", &err) == -EINVAL && strstr(err.msg, "no-such-user-trawl"));
	CHECK(trawl_privsep_init(NULL, &err) == 0);
	CHECK(strcmp(trawl_privsep_user() ? trawl_privsep_user() : "", "nobody") == 0);
	CHECK(trawl_privsep_allow_write(allowed) == 0);
	CHECK(trawl_privsep_allow_rename(tmp, final) == 0);
	CHECK(trawl_privsep_start(&err) == 0);
	/* The output's PATH.tmp, created while still root (as the flusher does). */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "row\n", 4) == 4);
	CHECK(trawl_privsep_drop(&err) == 0);

	/* Nobody now, for good, with nothing in any capability set. */
	CHECK(getuid() != 0 && geteuid() != 0 && setuid(0) != 0);
	CHECK(syscall(SYS_capget, &h, d) == 0);
	CHECK((d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective | d[1].permitted |
			d[1].inheritable) == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	/* The directory is root's (0711: a name may be looked up, not made): nobody cannot create a file there. */
	CHECK(open(other, O_WRONLY | O_CREAT, 0644) < 0 && errno == EACCES);

	/* The keeper writes what was registered, whole, and refuses the rest. */
	CHECK(trawl_write_file_atomic(allowed, "{}\n", 3) == 0 && exists(allowed));
	CHECK(trawl_write_file_atomic(allowed, "{\"again\": 1}\n", 13) == 0);
	CHECK(trawl_write_file_atomic(other, "x", 1) == -EPERM && !exists(other));
	CHECK(trawl_rename_durable(tmp, other) == -EPERM && !exists(other));
	CHECK(trawl_unlink(allowed) == -EPERM && exists(allowed));
	CHECK(trawl_unlink(final) == -EPERM);
	/* The registered rename, once: then the source is gone. */
	CHECK(fsync(fd) == 0 && close(fd) == 0);
	CHECK(trawl_rename_durable(tmp, final) == 0 && exists(final) && !exists(tmp));
	CHECK(trawl_rename_durable(tmp, final) == -ENOENT);
}

int
main(void)
{
	if (geteuid() != 0) {
		printf("not root: nothing to drop; skipped\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "/tmp/trawl-privsep-XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0711) != 0)
		return 1;
	snprintf(allowed, sizeof(allowed), "%s/meta.json", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(tmp, sizeof(tmp), "%s/out.csv.tmp", dir);
	snprintf(final, sizeof(final), "%s/out.csv", dir);
	/* Nobody cannot remove root's directory: a child that stays root does, once this process is gone. */
	{
		int p[2];
		pid_t pid;

		if (pipe(p) != 0 || (pid = fork()) < 0)
			return 1;
		if (pid == 0) {
			char c, cmd[128];

			close(p[1]);
			while (read(p[0], &c, 1) > 0)
				;
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
			_exit(system(cmd) == 0 ? 0 : 1);
		}
		close(p[0]);
	}
	RUN(test_keeper_and_drop);
	return check_done();
}
