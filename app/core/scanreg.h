/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCANREG_H
#define TRAWL_SCANREG_H

#include <sys/types.h>

/*
 * Which running scans read which blocklist, so that `trawl optout` can tell
 * them to read it again (SIGHUP). Each scan keeps a file DIR/scan-PID that
 * names its blocklist (the real path) and holds a shared flock on it for as
 * long as it runs: an entry whose lock can be taken belongs to no live scan
 * (it crashed, or its pid was reused) and is removed by whoever finds it.
 * DIR: $TRAWL_RUN_DIR, else /run/trawl.
 */

/** The registry's directory. */
const char *trawl_scanreg_dir(void);

/**
 * Register this process as a scan reading @p blocklist (made absolute).
 * @return an fd to keep open for the life of the scan (its lock), or -errno.
 */
int trawl_scanreg_add(const char *blocklist);

/** Unregister (the entry removed if we still may; the lock goes with the fd). */
void trawl_scanreg_remove(int fd);

/**
 * Send @p sig to every live scan registered as reading @p blocklist (made
 * absolute), removing stale entries on the way. Their pids go to @p pids
 * (up to @p max). @return how many were signalled, or -errno.
 */
int trawl_scanreg_signal(const char *blocklist, int sig, pid_t *pids, int max);

#endif
