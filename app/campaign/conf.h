/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_CONF_H
#define TRAWL_CAMPAIGN_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"
#include "app/core/yamlconf.h"

/*
 * A campaign file (cli-contract.md, "trawl campaign"): a name, a systemd
 * calendar schedule, a state directory, how many complete runs to keep,
 * scan settings shared by every scan (defaults) and the scans, each a
 * `trawl scan -C` settings map with a name. Read with core/yamlconf, so
 * every error names file:line:column; every scan's settings are checked
 * by the scan's own reader (app/scan/conf.c) before anything runs.
 */
#define TRAWL_CAMPAIGN_MAX_SCANS 64
#define TRAWL_CAMPAIGN_STATE_ROOT "/var/lib/trawl"
#define TRAWL_CAMPAIGN_STATE_MAX 1024   /* characters of state-dir: every path under it fits PATH_MAX */

struct trawl_campaign_scan {
	char *name;
	uint32_t line, col;                 /**< where its entry starts */
	struct trawl_yaml_settings set;     /**< defaults, with the scan's own settings over them */
	char *fields;                       /**< -f for results.csv: saddr,sport, then the scan's other fields */
	unsigned int nports;                /**< target ports (1 for modules without ports) */
	unsigned int canaries;              /**< --canaries in effect: results.csv gets classification */
};

struct trawl_campaign {
	char *path;          /**< the file, absolute */
	char *name;
	char *schedule;
	uint32_t sched_line, sched_col;
	char *state_dir;     /**< absolute */
	uint32_t keep;       /**< complete runs kept, 0 = all */
	char *after_run;     /**< NULL = none */
	int diff_canaries;   /**< diff-canaries: true: addresses answering canaries stay in what changed */
	struct trawl_campaign_scan scans[TRAWL_CAMPAIGN_MAX_SCANS];
	unsigned int nscans;
};

/**
 * Read and check @p path. @return 0, -EINVAL with "path:line:column: what"
 * in @p err, or -errno (unreadable), -ENOMEM.
 */
int trawl_campaign_load(const char *path, struct trawl_campaign *c, struct trawl_err *err);

/** The same for the @p len bytes at @p data, named @p name in errors (no file read: for tests and fuzzing). */
int trawl_campaign_parse(const char *name, const char *data, size_t len, struct trawl_campaign *c,
		struct trawl_err *err);

void trawl_campaign_free(struct trawl_campaign *c);

/**
 * Write scan @p s's settings to @p f as a `trawl scan -C` file (every
 * value a double-quoted YAML string). @return 0 or -errno.
 */
int trawl_campaign_write_scan_yaml(const struct trawl_campaign_scan *s, FILE *f);

/** Whether @p s is a valid campaign or scan name: letters, digits, '-' and '_', 1 to 64 of them. */
int trawl_campaign_name_ok(const char *s);

#endif
