/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_H
#define TRAWL_CAMPAIGN_H

/** `trawl campaign SUBCOMMAND FILE ...` (argv[0] is "campaign"). @return the exit status. */
int trawl_campaign_main(int argc, char **argv);

/** The subcommands' flags (the CLI reference test reads --help). */
struct trawl_opts;
const struct trawl_opts *trawl_campaign_opts(void);

#endif
