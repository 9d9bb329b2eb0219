/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/core/atomicfile.h"
#include "app/core/ipv4.h"
#include "app/core/scanreg.h"
#include "app/optout/optout.h"
#include "app/scan/conf.h"

/* The opt-out line: the prefix as a CIDR block, the date, the note without control characters. */
static int
format_line(char *line, size_t len, const char *prefix, const char *note, time_t when)
{
	char date[32], clean[TRAWL_OPTOUT_NOTE_MAX + 1];
	struct tm tm;
	size_t n = 0;

	for (const char *p = note; *p != '\0' && n < TRAWL_OPTOUT_NOTE_MAX; p++)
		clean[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
	clean[n] = '\0';
	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return snprintf(line, len, "%s %s%s: %s", prefix, TRAWL_OPTOUT_MARK, date, clean) < (int)len ? 0 : -ENAMETOOLONG;
}

/*
 * The canonical text of an opt-out's block: network address and length, an
 * IPv4 CIDR block or an IPv6 prefix (RFC 5952), host bits cleared.
 */
static int
canonical(const char *cidr, char *buf, size_t len)
{
	struct trawl_prefix6 p6;
	struct trawl_range r;

	if (trawl_parse_cidr(cidr, &r) == 0) {
		char ip[16];
		unsigned int plen = 32;
		uint64_t size = (uint64_t)r.hi - r.lo + 1;

		while (size > 1) {
			size >>= 1;
			plen--;
		}
		snprintf(buf, len, "%s/%u", trawl_ipv4_str(r.lo, ip), plen);
		return 0;
	}
	if (trawl_parse_prefix6(cidr, &p6) == 0) {
		char ip6[TRAWL_IPV6_STRLEN];

		snprintf(buf, len, "%s/%u", trawl_ipv6_str(&p6.addr, ip6), p6.len);
		return 0;
	}
	return -EINVAL;
}

/* The whole file (empty if it does not exist yet), NUL-terminated, into *buf. */
static int
read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	int open_errno = f == NULL ? errno : 0; /* before open_memstream may change errno */
	char chunk[65536];
	size_t n;
	FILE *m;

	*buf = NULL;
	*len = 0;
	m = open_memstream(buf, len);
	if (m == NULL) {
		if (f != NULL)
			fclose(f);
		return -ENOMEM;
	}
	if (f == NULL && open_errno != ENOENT) {
		int rc = -open_errno;

		fclose(m);
		free(*buf);
		*buf = NULL;
		return rc;
	}
	while (f != NULL && (n = fread(chunk, 1, sizeof(chunk), f)) != 0)
		fwrite(chunk, 1, n, m);
	if (f != NULL && ferror(f)) {
		fclose(f);
		fclose(m);
		free(*buf);
		*buf = NULL;
		return -EIO;
	}
	if (f != NULL)
		fclose(f);
	return fclose(m) == 0 ? 0 : -ENOMEM;
}

/* An exclusive lock on @p path's directory (the file itself is replaced, so its own inode cannot hold one). */
static int
lock_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int
trawl_optout_add(const char *path, const char *cidr, const char *note, time_t when, char *line, size_t linelen,
		struct trawl_err *err)
{
	char prefix[TRAWL_IPV6_STRLEN + 8];
	char *old = NULL, *all = NULL;
	size_t oldlen = 0, alllen = 0;
	FILE *m;
	int fd, rc;

	if (canonical(cidr, prefix, sizeof(prefix)) != 0)
		return trawl_err_set(err, -EINVAL, "'%s' is not an IPv4 or IPv6 address, CIDR block or prefix", cidr);
	if (note == NULL || note[strspn(note, " \t\r\n")] == '\0')
		return trawl_err_set(err, -EINVAL, "an opt-out needs a --note (who asked, and how to reach them)");
	if (format_line(line, linelen, prefix, note, when) != 0)
		return trawl_err_set(err, -ENAMETOOLONG, "the opt-out line is too long");
	fd = lock_dir(path);
	if (fd < 0)
		return trawl_err_set(err, fd, "%s: cannot lock its directory: %s", path, strerror(-fd));
	rc = read_all(path, &old, &oldlen);
	if (rc != 0) {
		trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
		goto out;
	}
	m = open_memstream(&all, &alllen);
	if (m == NULL) {
		rc = trawl_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	fwrite(old, 1, oldlen, m);
	if (oldlen != 0 && old[oldlen - 1] != '\n')
		fputc('\n', m);
	fprintf(m, "%s\n", line);
	if (fclose(m) != 0) {
		rc = trawl_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = trawl_write_file_atomic(path, all, alllen);
	if (rc != 0)
		trawl_err_set(err, rc, "%s: cannot write it: %s", path, strerror(-rc));
out:
	free(old);
	free(all);
	close(fd); /* the lock goes with it */
	return rc;
}

int
trawl_optout_list(const char *path, FILE *out, struct trawl_err *err)
{
	FILE *f = fopen(path, "r");
	char line[TRAWL_OPTOUT_NOTE_MAX + 256];
	int n = 0;

	if (f == NULL)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *mark = strstr(line, TRAWL_OPTOUT_MARK), *date, *note, *end;
		size_t plen;

		line[strcspn(line, "\r\n")] = '\0';
		if (mark == NULL)
			continue;
		plen = strcspn(line, " \t#");
		date = mark + strlen(TRAWL_OPTOUT_MARK);
		end = strstr(date, ": ");
		note = end != NULL ? end + 2 : (char *)"";
		if (end != NULL)
			*end = '\0';
		if (plen == 0)
			continue;
		fprintf(out, "%.*s\t%s\t%s\n", (int)plen, line, date, note);
		n++;
	}
	fclose(f);
	return n;
}

static const char usage[] =
"usage: trawl optout add CIDR --note TEXT [-b FILE]\n"
"       trawl optout list [-b FILE]\n"
"  add   append CIDR (with the date and the note) to the blocklist, atomically, and tell the\n"
"        running scans that read that file to read it again (SIGHUP)\n"
"  list  print the opt-outs: prefix, date, note\n"
"  -b, --blocklist-file FILE   the blocklist (default: the installed one, as trawl scan's)\n"
"  -n, --note TEXT             why, and who asked\n";

int
trawl_optout_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "blocklist-file", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = trawl_default_blocklist(), *note = NULL, *cmd;
	struct trawl_err err = { "" };
	char line[TRAWL_OPTOUT_NOTE_MAX + 128];
	pid_t pids[16];
	int c, rc;

	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("trawl optout %s\n", TRAWL_VERSION);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "b:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			path = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "list") == 0 && optind == argc) {
		rc = trawl_optout_list(path, stdout, &err);
		if (rc < 0)
			fprintf(stderr, "trawl optout: %s\n", err.msg);
		return rc < 0 ? 1 : 0;
	}
	if (strcmp(cmd, "add") != 0 || optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	rc = trawl_optout_add(path, argv[optind], note, time(NULL), line, sizeof(line), &err);
	if (rc != 0) {
		fprintf(stderr, "trawl optout: %s\n", err.msg);
		return rc == -EINVAL ? 2 : 1;
	}
	printf("%s: %s\n", path, line);
	rc = trawl_scanreg_signal(path, SIGHUP, pids, (int)(sizeof(pids) / sizeof(pids[0])));
	if (rc < 0)
		fprintf(stderr, "trawl optout: added, but the running scans could not be looked up (%s): send them "
				"SIGHUP yourself\n", strerror(-rc));
	else if (rc > 0) {
		printf("told %d running scan%s to read it again:", rc, rc == 1 ? "" : "s");
		for (int i = 0; i < rc && i < (int)(sizeof(pids) / sizeof(pids[0])); i++)
			printf(" %ld", (long)pids[i]);
		printf("\n");
	}
	return 0;
}
