/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/campaign/units.h"

extern char **environ;

void
trawl_units_names(const struct trawl_campaign *c, char *service, char *timer, size_t len)
{
	snprintf(service, len, "trawl-campaign-%s.service", c->name);
	snprintf(timer, len, "trawl-campaign-%s.timer", c->name);
}

/* systemd's command-line quoting: "...", with \ and " escaped, % doubled (specifiers), $ doubled. */
static void
sd_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '%' || *s == '$')
			fputc(*s, f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
trawl_units_service(const struct trawl_campaign *c, const char *trawl_bin, FILE *f)
{
	fprintf(f, "# Written by trawl campaign install %s\n", c->path);
	fprintf(f, "[Unit]\nDescription=trawl campaign %s (one run)\n", c->name);
	fprintf(f, "After=network-online.target\nWants=network-online.target\n\n");
	/*
	 * exec, not oneshot: a oneshot unit stays "activating" while it runs,
	 * and systemd merges a reload into its start job, so ExecReload would
	 * never reach a running campaign.
	 */
	fprintf(f, "[Service]\nType=exec\nExecStart=");
	sd_quoted(f, trawl_bin);
	fprintf(f, " campaign run ");
	sd_quoted(f, c->path);
	/* An opt-out added to the blocklist: the running scan reads it again (the campaign passes SIGHUP on). */
	fprintf(f, "\nExecReload=/bin/kill -HUP $MAINPID");
	/* A run may take days: no start timeout; a stop (SIGTERM) lets it end its scans and keep them resumable. */
	fprintf(f, "\nTimeoutStartSec=infinity\nKillMode=mixed\nTimeoutStopSec=60\n");
}

void
trawl_units_timer(const struct trawl_campaign *c, FILE *f)
{
	char service[160], timer[160];

	trawl_units_names(c, service, timer, sizeof(service));
	fprintf(f, "# Written by trawl campaign install %s\n", c->path);
	fprintf(f, "[Unit]\nDescription=trawl campaign %s schedule\n\n", c->name);
	fprintf(f, "[Timer]\nOnCalendar=%s\nPersistent=true\nUnit=%s\n\n", c->schedule, service);
	fprintf(f, "[Install]\nWantedBy=timers.target\n");
}

static const char *
find_analyze(void)
{
	static const char *const where[] = { "/usr/bin/systemd-analyze", "/bin/systemd-analyze", NULL };

	for (unsigned int i = 0; where[i] != NULL; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

int
trawl_units_check_calendar(const struct trawl_campaign *c, unsigned int n, FILE *out, struct trawl_err *err)
{
	const char *bin = find_analyze();
	char iters[32], buf[4096], *line, *save;
	posix_spawn_file_actions_t fa;
	size_t len = 0;
	int pipefd[2], status = 0;
	pid_t pid;

	/* Nothing systemd reads may hold a newline: it would end the OnCalendar= line. */
	if (strpbrk(c->schedule, "\n\r") != NULL || c->schedule[0] == '\0')
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: schedule: one systemd calendar expression on one line",
				c->path, c->sched_line, c->sched_col);
	if (bin == NULL) {
		if (out != NULL)
			fprintf(out, "schedule: %s (not checked: systemd-analyze is not installed)\n", c->schedule);
		return 1;
	}
	snprintf(iters, sizeof(iters), "--iterations=%u", n ? n : 1);
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return trawl_err_set(err, -errno, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	{
		char *argv[] = { (char *)bin, (char *)"calendar", iters, (char *)"--", c->schedule, NULL };
		int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);

		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[1]);
		if (rc != 0) {
			close(pipefd[0]);
			return trawl_err_set(err, -rc, "%s: %s", bin, strerror(rc));
		}
	}
	for (;;) {
		ssize_t got = read(pipefd[0], buf + len, sizeof(buf) - 1 - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl = strchr(buf, '\n');

		if (nl != NULL)
			*nl = '\0';
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: schedule \"%s\" is no systemd calendar expression (%s)",
				c->path, c->sched_line, c->sched_col, c->schedule, buf[0] ? buf : "systemd-analyze refused it");
	}
	if (out == NULL)
		return 0;
	/* "Next elapse:" and "Iter. #k:" lines carry the times. */
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *p = line + strspn(line, " ");

		if (strncmp(p, "Normalized form:", 16) == 0)
			fprintf(out, "schedule: %s (systemd: %s)\n", c->schedule, p + 17);
		else if (strncmp(p, "Next elapse:", 12) == 0)
			fprintf(out, "next runs: %s\n", p + 13);
		else if (strncmp(p, "Iter. #", 7) == 0 && strchr(p, ':') != NULL)
			fprintf(out, "           %s\n", strchr(p, ':') + 2);
	}
	return 0;
}
