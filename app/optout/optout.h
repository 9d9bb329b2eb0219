/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_OPTOUT_H
#define TRAWL_OPTOUT_H

#include <stdio.h>
#include <time.h>

#include "app/core/err.h"

/*
 * `trawl optout`: opt-out requests into the blocklist. One line per
 * opt-out, which every reader of address lists reads as the prefix alone:
 *     198.51.100.0/24 # optout 2026-12-06T03:10:00Z: NOTE
 * Writers take an exclusive flock on the file's directory, read the file,
 * and replace it whole (PATH.tmp, fsync, rename): concurrent adds never
 * lose a line, and no reader ever sees half a file.
 */

#define TRAWL_OPTOUT_NOTE_MAX 400
#define TRAWL_OPTOUT_MARK "# optout "

/**
 * Append @p cidr (IPv4 address or CIDR block, written as its prefix) to
 * @p path with the time @p when and @p note (control characters become
 * spaces; at most TRAWL_OPTOUT_NOTE_MAX bytes). The line written goes to
 * @p line (without its newline). @return 0, -EINVAL (bad prefix or empty
 * note), or -errno with the reason in @p err.
 */
int trawl_optout_add(const char *path, const char *cidr, const char *note, time_t when, char *line,
		size_t linelen, struct trawl_err *err);

/**
 * Print the opt-outs of @p path to @p out, one per line: prefix, date and
 * note, tab-separated. @return the number printed, or -errno (reason in @p err).
 */
int trawl_optout_list(const char *path, FILE *out, struct trawl_err *err);

/** `trawl optout ...` (argv[0] is "optout"). @return the exit status. */
int trawl_optout_main(int argc, char **argv);

#endif
