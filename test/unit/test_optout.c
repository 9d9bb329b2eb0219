/* SPDX-License-Identifier: BSD-3-Clause */
/* trawl optout's file (lines, list, the blocklist reading them back), the scan registry, ranges written back. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/core/ipv4.h"
#include "app/core/scanreg.h"
#include "app/optout/optout.h"
#include "test/unit/check.h"

static char dir[] = "/tmp/trawl-optout-XXXXXX";

static void
test_add_list(void)
{
	char path[256], line[512], *text = NULL;
	struct trawl_err err = { "" };
	struct trawl_ranges rs = { 0 };
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/block.conf", dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("# installed\n10.0.0.0/8", f); /* no newline at the end: the add must not glue onto it */
	fclose(f);
	/* 2026-12-06 03:10:00 UTC; host bits dropped; a newline in the note cannot start a line of its own. */
	CHECK(trawl_optout_add(path, "198.51.100.77/24", "mail from\nbob", 1796526600, line, sizeof(line), &err) == 0);
	CHECK(strcmp(line, "198.51.100.0/24 # optout 2026-12-06T03:10:00Z: mail from bob") == 0);
	CHECK(trawl_optout_add(path, "203.0.113.9", "web form", 1796526601, line, sizeof(line), &err) == 0);
	CHECK(trawl_optout_add(path, "203.0.113.0/33", "x", 0, line, sizeof(line), &err) == -EINVAL);
	CHECK(strstr(err.msg, "203.0.113.0/33") != NULL);
	CHECK(trawl_optout_add(path, "203.0.113.0/24", " \t", 0, line, sizeof(line), &err) == -EINVAL);
	CHECK(strstr(err.msg, "--note") != NULL);
	/* IPv6: RFC 5952's form, host bits dropped; kept apart by the reader (rs.v6). */
	CHECK(trawl_optout_add(path, "2001:DB8:0:0:1::77/64", "noc", 1796526602, line, sizeof(line), &err) == 0);
	CHECK(strcmp(line, "2001:db8:0:0::/64 # optout 2026-12-06T03:10:02Z: noc") != 0); /* not the long form */
	CHECK(strcmp(line, "2001:db8::/64 # optout 2026-12-06T03:10:02Z: noc") == 0);
	CHECK(trawl_optout_add(path, "2001:db8::/129", "x", 0, line, sizeof(line), &err) == -EINVAL);

	/* The scan reads the file as prefixes. */
	CHECK(trawl_ranges_load(&rs, path, &err) == 0);
	REQUIRE(rs.n == 3 && rs.n6 == 1);
	CHECK(rs.v[1].lo == 0xc6336400 && rs.v[1].hi == 0xc63364ff);
	CHECK(rs.v[2].lo == 0xcb007109 && rs.v[2].hi == 0xcb007109);
	CHECK(rs.v6[0].len == 64 && rs.v6[0].addr.hi == 0x20010db800000000ULL && rs.v6[0].addr.lo == 0);
	trawl_ranges_free(&rs);

	f = open_memstream(&text, &len);
	REQUIRE(f != NULL);
	CHECK(trawl_optout_list(path, f, &err) == 3);
	fclose(f);
	CHECK(strcmp(text, "198.51.100.0/24\t2026-12-06T03:10:00Z\tmail from bob\n"
			"203.0.113.9/32\t2026-12-06T03:10:01Z\tweb form\n"
			"2001:db8::/64\t2026-12-06T03:10:02Z\tnoc\n") == 0);
	free(text);
	snprintf(line, sizeof(line), "%s/none", dir);
	CHECK(trawl_optout_list(line, stdout, &err) == -ENOENT);
	unlink(path);
}

/* Ranges written as CIDR blocks read back to the same addresses, block by block. */
static void
test_ranges_write(void)
{
	struct trawl_ranges rs = { 0 }, back = { 0 };
	struct trawl_err err = { "" };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	trawl_ranges_add(&rs, (struct trawl_range){ 0x0a000003, 0x0a000102 }); /* .3 - .1.2: 7 blocks */
	trawl_ranges_add(&rs, (struct trawl_range){ 0, UINT32_MAX });
	trawl_ranges_add(&rs, (struct trawl_range){ 0xc0000200, 0xc0000200 });
	f = open_memstream(&text, &len);
	REQUIRE(f != NULL);
	CHECK(trawl_ranges_write(&rs, f) == 0);
	fclose(f);
	CHECK(strcmp(text, "10.0.0.3/32\n10.0.0.4/30\n10.0.0.8/29\n10.0.0.16/28\n10.0.0.32/27\n10.0.0.64/26\n"
			"10.0.0.128/25\n10.0.1.0/31\n10.0.1.2/32\n0.0.0.0/0\n192.0.2.0/32\n") == 0);
	f = fmemopen(text, len, "r");
	REQUIRE(f != NULL);
	CHECK(trawl_ranges_read(&back, f, "mem", &err) == 0);
	fclose(f);
	CHECK(back.n == 11 && back.v[0].lo == 0x0a000003 && back.v[8].hi == 0x0a000102 && back.v[9].hi == UINT32_MAX);
	free(text);
	trawl_ranges_free(&rs);
	trawl_ranges_free(&back);
}

/* A live registrant is signalled; one whose process is gone (its lock free) is removed, not signalled. */
static void
test_scanreg(void)
{
	char path[256], other[256], entry[300];
	pid_t pids[4], child;
	int fd, pipefd[2], status;
	char c;

	snprintf(path, sizeof(path), "%s/block.conf", dir);
	snprintf(other, sizeof(other), "%s/other.conf", dir);
	fclose(fopen(path, "w"));
	fclose(fopen(other, "w"));
	setenv("TRAWL_RUN_DIR", dir, 1);
	REQUIRE(pipe(pipefd) == 0);
	child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		/* A scan: registered, waits for SIGHUP, says so on the pipe. */
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (trawl_scanreg_add(path) < 0)
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1 || sigwait(&set, &sig) != 0 || write(pipefd[1], "h", 1) != 1)
			_exit(1);
		_exit(0);
	}
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'r');
	/* A stale entry: a file no one holds a lock on. */
	snprintf(entry, sizeof(entry), "%s/scan-999999", dir);
	fd = open(entry, O_WRONLY | O_CREAT, 0644);
	REQUIRE(fd >= 0);
	CHECK(write(fd, path, strlen(path)) == (ssize_t)strlen(path));
	close(fd);
	CHECK(trawl_scanreg_signal(other, SIGHUP, pids, 4) == 0);
	CHECK(trawl_scanreg_signal(path, SIGHUP, pids, 4) == 1 && pids[0] == child);
	CHECK(access(entry, F_OK) != 0);
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'h');
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Its process gone, its entry is stale too. */
	CHECK(trawl_scanreg_signal(path, SIGHUP, pids, 4) == 0);
	snprintf(entry, sizeof(entry), "%s/scan-%ld", dir, (long)child);
	CHECK(access(entry, F_OK) != 0);
	close(pipefd[0]);
	close(pipefd[1]);
	unlink(path);
	unlink(other);
}

int
main(void)
{
	REQUIRE_OR(mkdtemp(dir) != NULL, 1);
	RUN(test_add_list);
	RUN(test_ranges_write);
	RUN(test_scanreg);
	rmdir(dir);
	return check_done();
}
