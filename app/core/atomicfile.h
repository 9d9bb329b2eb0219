/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ATOMICFILE_H
#define TRAWL_ATOMICFILE_H

#include <stddef.h>

/*
 * Files that are whole or not there: written to PATH.tmp in the same
 * directory, fsync'd, renamed over PATH, and the directory fsync'd, so
 * after a crash or a power cut PATH holds the old contents or the new,
 * never a part. For checkpoints, run.json, metadata, reports, generated
 * scan settings. A PATH that exists and is no regular file (/dev/null, a
 * FIFO) is written where it is: renaming over it would replace the device.
 *
 * A process that has given up its privileges (app/privsep) can no longer
 * create or rename names in a directory it does not own, so the calls
 * that change a directory can be routed to a helper that still can.
 */

/** Write @p len bytes of @p data to @p path atomically. @return 0 or -errno (PATH.tmp removed). */
int trawl_write_file_atomic(const char *path, const char *data, size_t len);

/** Rename @p from over @p to and fsync their directory (both in one). @return 0 or -errno. */
int trawl_rename_durable(const char *from, const char *to);

/** Remove @p path. @return 0 or -errno. */
int trawl_unlink(const char *path);

/** fsync the directory @p path (after a rename or a new file in it). @return 0 or -errno. */
int trawl_fsync_dir(const char *path);

/** Does @p path name something that exists and is no regular file (so it is written in place)? */
int trawl_path_is_special(const char *path);

/* Where the three calls above that change a directory are carried out. */
struct trawl_atomicfile_ops {
	int (*write)(const char *path, const char *data, size_t len);
	int (*rename)(const char *from, const char *to);
	int (*unlink)(const char *path);
};

/** Route them through @p ops from now on (NULL: this process, the default). Not thread-safe: call before threads. */
void trawl_atomicfile_route(const struct trawl_atomicfile_ops *ops);

/** This process's own implementations (what a helper runs). */
extern const struct trawl_atomicfile_ops trawl_atomicfile_local;

#endif
