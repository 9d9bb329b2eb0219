/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_CMD_H
#define TRAWL_CAMPAIGN_CMD_H

/*
 * What the campaign subcommands share: one file per subcommand (check and
 * the dispatch in main.c, run.c, status.c for status and diff, install.c),
 * each taking the loaded campaign and returning the exit status.
 */
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "app/campaign/conf.h"
#include "app/campaign/keys.h"
#include "app/core/err.h"

#define ME "trawl campaign"

/** The subcommands' flags (core/opts rows in main.c). */
struct campaign_opts {
	int json;                    /**< status, diff: JSON on stdout */
	int dry_run;                 /**< install: print the units instead */
	const char *unit_dir;        /**< install: where to write them */
	const char *file;
	const char *run_a, *run_b;   /**< diff: two run ids, or NULL for the last two */
};

static inline void
campaign_say_err(const struct trawl_err *err)
{
	fprintf(stderr, ME ": %s\n", err->msg);
}

/** This binary's path, for the scans a run starts and the units install writes ("trawl" if unknown). */
const char *campaign_self_exe(void);

/**
 * The key files of the scan directory @p sdir (keys.bin, and keys6.bin
 * where it has IPv6 results) into @p k, made from its results.csv if
 * keys.bin is not there yet (the build writes it last). Unless
 * @p keep_canaries, the addresses with a canary row are left out. Runs
 * and diff both need it. @return 0 or -errno with @p err.
 */
/* A scan directory's key files, one per family; file[f] is NULL where the family has none. */
struct campaign_keys {
	char path[TRAWL_KEY_FAMILIES][PATH_MAX];
	const char *file[TRAWL_KEY_FAMILIES];
	uint64_t count;  /**< keys of both families */
};

int campaign_ensure_keys(const char *sdir, struct campaign_keys *k, int keep_canaries, struct trawl_err *err);

int campaign_check(struct trawl_campaign *c, const struct campaign_opts *o);
int campaign_run(struct trawl_campaign *c, const struct campaign_opts *o);
int campaign_status(struct trawl_campaign *c, const struct campaign_opts *o);
int campaign_diff(struct trawl_campaign *c, const struct campaign_opts *o);
int campaign_install(struct trawl_campaign *c, const struct campaign_opts *o);

#endif
