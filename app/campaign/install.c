/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl campaign install FILE: the campaign's schedule as a systemd service
 * and timer (units.c writes them), enabled unless --dry-run or --unit-dir.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "app/campaign/cmd.h"
#include "app/campaign/state.h"
#include "app/campaign/units.h"

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

int
campaign_install(struct trawl_campaign *c, const struct campaign_opts *o)
{
	const char *dir = o->unit_dir ? o->unit_dir : "/etc/systemd/system";
	const char *bin = campaign_self_exe();
	struct trawl_err err = { "" };
	char service[160], timer[160];

	if (trawl_units_check_calendar(c, 0, NULL, &err) < 0) {
		campaign_say_err(&err);
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
