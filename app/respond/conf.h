/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESPOND_CONF_H
#define TRAWL_RESPOND_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"
#include "app/core/opts.h"
#include "app/respond/packet.h"

#define TRAWL_RESPOND_MAX_DATASETS 16
/* The longest UDP answer payload (--udp). */
#define TRAWL_RESPOND_UDP_MAX 1400

/* `trawl respond` as asked. */
struct trawl_respond_conf {
	const char *dev;
	const char *eal;
	const char *datasets[TRAWL_RESPOND_MAX_DATASETS];
	unsigned int ndatasets;
	uint64_t *ports;             /**< --ports bitmap, NULL = every port */
	uint32_t gw[TRAWL_RESPOND_MAX_GW];
	unsigned int ngw;
	struct trawl_ip6 gw6[TRAWL_RESPOND_MAX_GW];
	unsigned int ngw6;
	double loss;
	double duplicate;
	const char *metrics_file;   /**< --metrics-file FILE: live counters, Prometheus text (NULL: none) */
	const char *report;
	const char *user;           /**< --user NAME: run as it once set up (NULL: nobody when root) */
	const char *compile_in;
	const char *compile_out;
	struct trawl_udp_payload *udp; /**< 65536 entries, NULL until a --udp */
	uint32_t threads;
	int quiet;
};

/**
 * Parse `trawl respond` arguments (argv[0] is "respond").
 * @return 0 to run, 1 after --help (printed to @p out), or -EINVAL with
 * one line in @p err.
 */
int trawl_respond_conf_parse(struct trawl_respond_conf *c, int argc, char **argv, FILE *out,
		struct trawl_err *err);

/** The option table behind the parse and --help (the CLI reference test reads --help). */
const struct trawl_opts *trawl_respond_opts(void);

void trawl_respond_conf_free(struct trawl_respond_conf *c);

#endif
