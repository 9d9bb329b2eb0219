/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app/core/atomicfile.h"
#include "app/core/privsep.h"

#define MAX_ALLOWED 8
#define MAX_DATA (64u << 20)    /* the largest file the keeper writes whole: a metadata or report document */

enum { OP_WRITE = 1, OP_RENAME, OP_UNLINK };

struct request {
	uint32_t op;
	uint32_t alen;   /* the path (OP_RENAME: from), no terminator */
	uint32_t blen;   /* OP_WRITE: the data; OP_RENAME: to */
};

static struct {
	int drop;                       /* the user changes (we are root and it is not root) */
	uid_t uid;
	gid_t gid;
	char name[64];
	const char *writes[MAX_ALLOWED];
	const char *renames[MAX_ALLOWED][2];
	unsigned int nwrites, nrenames;
	int sock;                       /* the scanner's end; -1 without a keeper */
	pthread_mutex_t mu;             /* one request at a time (the checkpoint thread and main) */
} ps = { .sock = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

int
trawl_privsep_init(const char *user, struct trawl_err *err)
{
	struct passwd *pw;

	if (user == NULL && geteuid() != 0)
		return 0; /* not root and no --user: stay who we are (capabilities still go in drop) */
	pw = getpwnam(user != NULL ? user : "nobody");
	if (pw == NULL)
		return trawl_err_set(err, -EINVAL, "--user: no user '%s'%s", user != NULL ? user : "nobody",
				user != NULL ? "" : " (trawl drops root to it: name another with --user)");
	if (pw->pw_uid == geteuid())
		return 0; /* --user root as root, or ourselves: nothing to change */
	if (geteuid() != 0)
		return trawl_err_set(err, -EINVAL, "--user %s: only root can become another user", user);
	ps.drop = 1;
	ps.uid = pw->pw_uid;
	ps.gid = pw->pw_gid;
	snprintf(ps.name, sizeof(ps.name), "%s", pw->pw_name);
	return 0;
}

const char *
trawl_privsep_user(void)
{
	return ps.drop ? ps.name : NULL;
}

int
trawl_privsep_allow_write(const char *path)
{
	if (path == NULL)
		return 0;
	if (ps.nwrites == MAX_ALLOWED)
		return -ENOSPC;
	ps.writes[ps.nwrites++] = path;
	return 0;
}

int
trawl_privsep_allow_rename(const char *from, const char *to)
{
	if (ps.nrenames == MAX_ALLOWED)
		return -ENOSPC;
	ps.renames[ps.nrenames][0] = from;
	ps.renames[ps.nrenames][1] = to;
	ps.nrenames++;
	return 0;
}

/* --- the keeper (root) ------------------------------------------------- */

static int
io_all(int fd, void *buf, size_t len, int out)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		p += n, len -= (size_t)n;
	}
	return 0;
}

static int
is_write_allowed(const char *path)
{
	for (unsigned int i = 0; i < ps.nwrites; i++)
		if (strcmp(ps.writes[i], path) == 0)
			return 1;
	return 0;
}

/* Is (@p from, @p to) a registered rename? @p to NULL: is @p from the source of one (an unlink)? */
static int
is_rename_allowed(const char *from, const char *to)
{
	for (unsigned int i = 0; i < ps.nrenames; i++)
		if (strcmp(ps.renames[i][0], from) == 0 && (to == NULL || strcmp(ps.renames[i][1], to) == 0))
			return 1;
	return 0;
}

/* One request carried out. @return its result for the scanner, or 1 to stop (the scanner is gone or lying). */
static int
keeper_serve(int fd)
{
	static char a[PATH_MAX + 1], b_path[PATH_MAX + 1];
	struct request rq;
	char *data = NULL;
	int32_t rc;

	if (io_all(fd, &rq, sizeof(rq), 0) != 0)
		return 1;
	if (rq.alen == 0 || rq.alen > PATH_MAX || rq.blen > (rq.op == OP_WRITE ? MAX_DATA : PATH_MAX))
		return 1;
	if (io_all(fd, a, rq.alen, 0) != 0)
		return 1;
	a[rq.alen] = '\0';
	if (rq.op == OP_WRITE) {
		data = malloc(rq.blen + 1);
		if (data == NULL || io_all(fd, data, rq.blen, 0) != 0) {
			free(data);
			return 1;
		}
	} else if (rq.blen != 0) {
		if (io_all(fd, b_path, rq.blen, 0) != 0)
			return 1;
	}
	b_path[rq.blen <= PATH_MAX ? rq.blen : 0] = '\0';
	if (rq.op == OP_WRITE)
		rc = is_write_allowed(a) ? trawl_atomicfile_local.write(a, data, rq.blen) : -EPERM;
	else if (rq.op == OP_RENAME)
		rc = is_rename_allowed(a, b_path) ? trawl_atomicfile_local.rename(a, b_path) : -EPERM;
	else if (rq.op == OP_UNLINK)
		rc = is_rename_allowed(a, NULL) ? trawl_atomicfile_local.unlink(a) : -EPERM;
	else
		rc = -EINVAL;
	free(data);
	return io_all(fd, &rc, sizeof(rc), 1) != 0;
}

static void __attribute__((noreturn))
keeper_main(int fd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGTSTP };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (unsigned int i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "trawl-keeper", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Hold none of the scanner's descriptors: a reader of its stdout sees EOF when the scanner exits. */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (dup2(fd, 3) != 3)
		_exit(1);
	syscall(SYS_close_range, 4, ~0u, 0);
	while (keeper_serve(3) == 0)
		;
	_exit(0);
}

/* --- the scanner's side ------------------------------------------------ */

static int
ask(uint32_t op, const char *a, const void *b, size_t blen)
{
	struct request rq = { .op = op, .alen = (uint32_t)strlen(a), .blen = (uint32_t)blen };
	int32_t rc;
	int e;

	if (blen > MAX_DATA)
		return -EFBIG;
	pthread_mutex_lock(&ps.mu);
	e = io_all(ps.sock, &rq, sizeof(rq), 1);
	if (e == 0)
		e = io_all(ps.sock, (void *)a, rq.alen, 1);
	if (e == 0 && blen != 0)
		e = io_all(ps.sock, (void *)b, blen, 1);
	if (e == 0)
		e = io_all(ps.sock, &rc, sizeof(rc), 0);
	pthread_mutex_unlock(&ps.mu);
	return e != 0 ? e : rc;
}

static int
ask_write(const char *path, const char *data, size_t len)
{
	return ask(OP_WRITE, path, data, len);
}

static int
ask_rename(const char *from, const char *to)
{
	return ask(OP_RENAME, from, to, strlen(to));
}

static int
ask_unlink(const char *path)
{
	return ask(OP_UNLINK, path, NULL, 0);
}

static const struct trawl_atomicfile_ops keeper_ops = {
	.write = ask_write,
	.rename = ask_rename,
	.unlink = ask_unlink,
};

int
trawl_privsep_start(struct trawl_err *err)
{
	int sv[2];
	pid_t pid;

	if (!ps.drop)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return trawl_err_set(err, -errno, "cannot start the file keeper: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return trawl_err_set(err, -errno, "cannot start the file keeper: %s", strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		keeper_main(sv[1]);
	}
	close(sv[1]);
	ps.sock = sv[0];
	trawl_atomicfile_route(&keeper_ops);
	return 0;
}

/* --- the drop ---------------------------------------------------------- */

static int
caps(struct __user_cap_data_struct d[2], int set)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	return (int)syscall(set ? SYS_capset : SYS_capget, &h, d);
}

int
trawl_privsep_drop(struct trawl_err *err)
{
	struct __user_cap_data_struct d[2];
	uid_t r, e, s;

	if (!ps.drop && geteuid() == 0)
		return 0; /* --user root: root was asked for, with what root holds */
	if (ps.drop) {
		/* No capability can come back through an execve of this thread (the bounding set is per thread). */
		for (int cap = 0; cap < 64; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
				return trawl_err_set(err, -errno, "cannot drop capability %d from the bounding set: %s", cap,
						strerror(errno));
		/* glibc applies each of these to every thread of the process (the EAL's included). */
		if (setgroups(1, &ps.gid) != 0 || setresgid(ps.gid, ps.gid, ps.gid) != 0 ||
				setresuid(ps.uid, ps.uid, ps.uid) != 0)
			return trawl_err_set(err, -errno, "cannot become user %s: %s", ps.name, strerror(errno));
		if (getresuid(&r, &e, &s) != 0 || r != ps.uid || e != ps.uid || s != ps.uid || setuid(0) == 0)
			return trawl_err_set(err, -EPERM, "user %s: still able to become root", ps.name);
	}
	/*
	 * Leaving root cleared every capability already; a process that was
	 * given some without root (file capabilities) gives them up here. No
	 * execve may gain any back (this thread; nothing of ours execs).
	 */
	memset(d, 0, sizeof(d));
	if (caps(d, 1) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return trawl_err_set(err, -errno, "cannot drop capabilities: %s", strerror(errno));
	if (caps(d, 0) != 0 || d[0].effective || d[0].permitted || d[0].inheritable || d[1].effective ||
			d[1].permitted || d[1].inheritable)
		return trawl_err_set(err, -EPERM, "capabilities still held after dropping them");
	return 0;
}
