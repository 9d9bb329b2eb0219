/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ATOMICFILE_H
#define TRAWL_ATOMICFILE_H

#include <stddef.h>

/*
 * Files that are whole or not there: written to PATH.tmp in the same
 * directory, fsync'd, renamed over PATH, and the directory fsync'd, so
 * after a crash or a power cut PATH holds the old contents or the new,
 * never a part. For checkpoints, run.json, generated scan settings.
 */

/** Write @p len bytes of @p data to @p path atomically. @return 0 or -errno (PATH.tmp removed). */
int trawl_write_file_atomic(const char *path, const char *data, size_t len);

/** fsync the directory @p path (after a rename or a new file in it). @return 0 or -errno. */
int trawl_fsync_dir(const char *path);

#endif
