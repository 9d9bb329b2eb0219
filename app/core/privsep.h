/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PRIVSEP_H
#define TRAWL_PRIVSEP_H

#include <sys/types.h>

#include "app/core/err.h"

/*
 * Privilege separation for `trawl scan` and `trawl respond`. Everything that
 * needs root (the EAL's hugepages and devices, the port, opening the output
 * files) is done first; then the process becomes an unprivileged user
 * (--user NAME; `nobody` when started as root) with no capabilities at all,
 * before the first byte from the wire is parsed.
 *
 * What an unprivileged process can no longer do is change a directory it
 * does not own: create PATH.tmp and rename it over PATH (checkpoints every
 * second, metadata and reports at the end, -o when complete). For that a
 * keeper process is forked before the EAL starts: it stays root, does
 * nothing but those three calls (core/atomicfile's routed ones), and only
 * for the exact paths registered before the fork, so a scanner taken over
 * by a crafted reply cannot make it touch any other file. It ignores the
 * terminal's signals and exits when the scanner's end of its socket closes
 * (the scanner's exit, a crash included).
 *
 * Without root nothing is forked and nothing changes user; whatever
 * capabilities the process was given (file capabilities) are dropped all
 * the same once set up. --user root keeps root as it is.
 */

/** Resolve @p user (NULL: `nobody` if root, else none). @return 0, or -EINVAL naming it in @p err (exit 2). */
int trawl_privsep_init(const char *user, struct trawl_err *err);

/** May the keeper write @p path whole (core/atomicfile)? Before trawl_privsep_start. */
int trawl_privsep_allow_write(const char *path);

/** May the keeper rename @p from over @p to, and remove @p from? Before trawl_privsep_start. */
int trawl_privsep_allow_rename(const char *from, const char *to);

/** Fork the keeper (if the user changes) and route core/atomicfile through it. Before the EAL. */
int trawl_privsep_start(struct trawl_err *err);

/**
 * Become the user and drop every capability; after it, check that it took
 * (real, effective and saved IDs; no capability left). @return 0 or -errno
 * with the reason in @p err (exit 1: nothing unprivileged has run yet).
 */
int trawl_privsep_drop(struct trawl_err *err);

/** The user the process runs as after trawl_privsep_drop (for the metadata), or NULL if it stays who it is. */
const char *trawl_privsep_user(void);

#endif
