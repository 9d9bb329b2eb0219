/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_OUTFILE_H
#define TRAWL_OUTFILE_H

#include <limits.h>

/*
 * A results file (-o) that appears under its name only when it is
 * complete: it is written to PATH.tmp in the same directory (so the
 * rename cannot cross file systems) and renamed over PATH at the end, so
 * a full disk, a crash or a failed run never leaves a half-written PATH
 * for a reader to take as the scan's results. Standard output ("-") and
 * a path that exists and is no regular file (/dev/null, a FIFO) are
 * streams: written where they are, with nothing to rename.
 */
struct trawl_outfile {
	const char *path;       /**< the name the results end up under */
	const char *writing;    /**< where they are written meanwhile: tmp, or path itself */
	int in_place;
	char tmp[PATH_MAX];
};

/** Decide where @p path is written. @return 0, or -ENAMETOOLONG. */
int trawl_outfile_init(struct trawl_outfile *o, const char *path);

/**
 * The results are complete: fsync @p fd (the descriptor written to) and
 * rename PATH.tmp over PATH (trawl_rename_durable). Nothing for a stream.
 * @return 0 or -errno.
 */
int trawl_outfile_commit(const struct trawl_outfile *o, int fd);

/** The results will never be complete: remove PATH.tmp (PATH, if any, is left as it was). */
void trawl_outfile_discard(const struct trawl_outfile *o);

#endif
