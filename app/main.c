/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl: a DPDK kernel-bypass Internet scanner. main() only dispatches the
 * subcommand; each returns the exit status (0 done, 1 runtime failure,
 * 2 usage or configuration error).
 */
#include <stdio.h>
#include <string.h>

#include "app/campaign/campaign.h"
#include "app/optout/optout.h"
#include "app/respond/respond.h"
#include "app/scan/scan.h"

static const char usage[] =
"usage: trawl SUBCOMMAND [OPTIONS]\n"
"  scan      stateless scan of IPv4 targets over a DPDK port (trawl scan --help)\n"
"  respond   the virtual internet: answer probes from a ground-truth dataset (trawl respond --help)\n"
"  campaign  recurring scans from a YAML file: check, run, status, diff, install (trawl campaign --help)\n"
"  optout    opt-out requests into the blocklist, running scans told (trawl optout --help)\n"
"  --version, --help\n";

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("trawl %s\n", TRAWL_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "scan") == 0)
		return trawl_scan_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "campaign") == 0)
		return trawl_campaign_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "optout") == 0)
		return trawl_optout_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "respond") == 0)
		return trawl_respond_main(argc - 1, argv + 1);
	fprintf(stderr, "trawl: unknown subcommand '%s'\n%s", argv[1], usage);
	return 2;
}
