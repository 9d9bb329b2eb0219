/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_MODULES_H
#define TRAWL_SCAN_MODULES_H

#include <stdio.h>

#include "app/core/err.h"
#include "app/scan/conf.h"
#include "app/outputs/filter.h"
#include "app/outputs/output.h"
#include "app/probes/probe.h"

/*
 * The modules a scan's configuration names (-M, --probe-args, -O, -f,
 * --output-filter), looked up where their tables are: app/scan/conf.c knows
 * the names only. No EAL, so the unit tests check it with the flag parser.
 */
struct trawl_scan_modules {
	const struct trawl_probe_ops *probe;
	const struct trawl_output_ops *output;
	const struct trawl_field *fields[TRAWL_MAX_FIELDS];
	unsigned int nfields;
	struct trawl_probe_args args;  /**< --probe-args as the module parsed them */
	int have_filter;               /**< --output-filter given: filter decides what is written */
	struct trawl_filter filter;
};

/**
 * Look up -M, --probe-args, -O, -f and --output-filter. A module without
 * ports gets the one target port 0 (and refuses -p). @return 0, or -EINVAL
 * naming what is wrong in @p err.
 */
int trawl_scan_modules_resolve(struct trawl_scan_conf *c, struct trawl_scan_modules *m, struct trawl_err *err);

/**
 * Print what c->list asks for (--list-output-fields [-M NAME], --list-probe-modules) to @p out.
 * @return 0, or -EINVAL (an unknown -M) with one line in @p err.
 */
int trawl_scan_modules_list(const struct trawl_scan_conf *c, FILE *out, struct trawl_err *err);

#endif
