/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl campaign check|run|status|diff|install FILE: recurring scans. This
 * file reads the subcommand and its flags, loads the campaign file and
 * hands it to the subcommand's own file; `check` is here, it is short.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/campaign/campaign.h"
#include "app/campaign/cmd.h"
#include "app/campaign/conf.h"
#include "app/campaign/state.h"
#include "app/campaign/units.h"
#include "app/core/opts.h"

#define OFF(f) offsetof(struct campaign_opts, f)

/* Flags only: a campaign's settings are in its file. Which subcommand takes which is checked after the parse. */
static const struct trawl_opt rows[] = {
	{ "json", 0, TRAWL_OPT_FLAG, OFF(json), .flags = TRAWL_OPT_NOT_SETTING, .section = "Options",
		.help = "status, diff: JSON on stdout" },
	{ "dry-run", 0, TRAWL_OPT_FLAG, OFF(dry_run), .flags = TRAWL_OPT_NOT_SETTING,
		.help = "install: print the units, write and enable nothing" },
	{ "unit-dir", 0, TRAWL_OPT_STR, OFF(unit_dir), .meta = "DIR", .flags = TRAWL_OPT_NOT_SETTING,
		.help = "install: write the units to DIR (default /etc/systemd/system),\nnot enabled" },
	{ "help", 'h', TRAWL_OPT_HELP, .help = "this help" },
};

static const struct trawl_opts table = {
	.cmd = "campaign",
	.usage = "usage: trawl campaign SUBCOMMAND [OPTIONS] FILE\n"
		"Recurring scans from a campaign file (YAML: name, schedule, state-dir, keep, defaults, scans, after-run).\n"
		"\n"
		"  check FILE                 validate FILE; print its scans and the next three times of its schedule\n"
		"  run FILE                   one run now, or go on with an interrupted one (what the timer calls);\n"
		"                             a second run while one is going exits 1 at once\n"
		"  status [--json] FILE       the runs, newest first: state, start, end, results and changes per scan\n"
		"  diff [--json] FILE [RUN_A RUN_B]\n"
		"                             (address, port) pairs new and gone between two complete runs\n"
		"                             (default: the last two)\n"
		"  install [--dry-run] [--unit-dir DIR] FILE\n"
		"                             write and enable trawl-campaign-NAME.service and .timer\n"
		"\n",
	.footer = "\nState: STATE/campaign.db (SQLite history), STATE/runs/RUN_ID/ (NAME/results.csv, metadata.json,\n"
		"new.csv, gone.csv; run.json), STATE/latest. Exit status: 0 done, 2 bad file or usage, 1 failure.\n",
	.opt = rows,
	.n = sizeof(rows) / sizeof(rows[0]),
};

const struct trawl_opts *
trawl_campaign_opts(void)
{
	return &table;
}



const char *
campaign_self_exe(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return "trawl";
	buf[n] = '\0';
	return buf;
}

/* --- check ------------------------------------------------------------- */

int
campaign_check(struct trawl_campaign *c, const struct campaign_opts *o)
{
	(void)o; /* it takes no flags */
	struct trawl_err err = { "" };
	int rc = trawl_units_check_calendar(c, 3, NULL, &err);

	if (rc < 0) {
		campaign_say_err(&err);
		return 2;
	}
	printf("campaign %s (%s): %u scan%s, state in %s\n", c->name, c->path, c->nscans,
			c->nscans == 1 ? "" : "s", c->state_dir);
	if (c->keep)
		printf("keep: the %u newest complete runs\n", c->keep);
	else
		printf("keep: every complete run\n");
	for (unsigned int i = 0; i < c->nscans; i++) {
		const struct trawl_campaign_scan *s = &c->scans[i];

		printf("scan %s: ", s->name);
		for (size_t j = 0; j < s->set.n; j++) {
			printf("%s%s=", j ? ", " : "", s->set.s[j].key);
			for (size_t k = 0; k < s->set.s[j].nitems; k++)
				printf("%s%s", k ? "," : "", s->set.s[j].items[k]);
		}
		printf("; results: %s\n", s->fields);
	}
	if (c->after_run != NULL)
		printf("after-run: %s\n", c->after_run);
	trawl_units_check_calendar(c, 3, stdout, &err);
	return 0;
}

/* --- main -------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(struct trawl_campaign *c, const struct campaign_opts *o);
	unsigned int flags;          /* which of json, dry_run/unit_dir it takes */
} subs[] = {
#define TAKES_JSON 0x1
#define TAKES_INSTALL 0x2
	{ "check", campaign_check, 0 },
	{ "run", campaign_run, 0 },
	{ "status", campaign_status, TAKES_JSON },
	{ "diff", campaign_diff, TAKES_JSON },
	{ "install", campaign_install, TAKES_INSTALL },
};

/* FILE and, for diff, two run ids. @return 0 or the exit status 2 (said). */
static int
operands(const char *sub, struct campaign_opts *o, int n, char **v)
{
	if (n < 1) {
		fprintf(stderr, ME " %s: FILE is missing (see trawl campaign --help)\n", sub);
		return 2;
	}
	o->file = v[0];
	if (strcmp(sub, "diff") == 0 && n == 3) {
		o->run_a = v[1];
		o->run_b = v[2];
		if (!trawl_run_id_ok(o->run_a) || !trawl_run_id_ok(o->run_b)) {
			fprintf(stderr, ME " diff: RUN_A and RUN_B are run ids such as 20261123T020000Z\n");
			return 2;
		}
	} else if (n != 1) {
		fprintf(stderr, ME " %s: one FILE%s\n", sub, strcmp(sub, "diff") == 0 ? ", then two run ids or none" : "");
		return 2;
	}
	return 0;
}

int
trawl_campaign_main(int argc, char **argv)
{
	struct campaign_opts o = { 0 };
	struct trawl_campaign c;
	struct trawl_err err = { "" };
	unsigned int k;
	int first, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		trawl_opts_help(&table, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]) && strcmp(argv[1], subs[k].name) != 0; k++)
		;
	if (k == sizeof(subs) / sizeof(subs[0])) {
		fprintf(stderr, ME ": unknown subcommand '%s' (check, run, status, diff, install; see --help)\n", argv[1]);
		return 2;
	}
	rc = trawl_opts_parse(&table, &o, argc - 1, argv + 1, 0, stdout, &first, &err);
	if (rc == TRAWL_OPTS_EXIT)
		return 0;
	if (rc != 0) {
		fprintf(stderr, ME " %s: %s\n", subs[k].name, err.msg);
		return 2;
	}
	if ((o.json && !(subs[k].flags & TAKES_JSON)) || ((o.dry_run || o.unit_dir) && !(subs[k].flags & TAKES_INSTALL))) {
		fprintf(stderr, ME " %s: option '%s' is not for this subcommand\n", subs[k].name,
				o.json ? "--json" : o.dry_run ? "--dry-run" : "--unit-dir");
		return 2;
	}
	rc = operands(subs[k].name, &o, argc - 1 - first, argv + 1 + first);
	if (rc != 0)
		return rc;
	rc = trawl_campaign_load(o.file, &c, &err);
	if (rc != 0) {
		campaign_say_err(&err);
		trawl_campaign_free(&c);
		return rc == -ENOMEM ? 1 : 2;
	}
	rc = subs[k].run(&c, &o);
	trawl_campaign_free(&c);
	return rc;
}
