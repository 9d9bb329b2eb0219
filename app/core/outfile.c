/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/core/atomicfile.h"
#include "app/core/outfile.h"

int
trawl_outfile_init(struct trawl_outfile *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->in_place = strcmp(path, "-") == 0 || trawl_path_is_special(path);
	o->writing = path;
	if (o->in_place)
		return 0;
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path) >= (int)sizeof(o->tmp))
		return -ENAMETOOLONG;
	o->writing = o->tmp;
	return 0;
}

int
trawl_outfile_commit(const struct trawl_outfile *o, int fd)
{
	if (o->in_place)
		return 0;
	/* The rows reach the disk before the name points at them. */
	if (fd >= 0 && fsync(fd) != 0)
		return -errno;
	return trawl_rename_durable(o->tmp, o->path);
}

void
trawl_outfile_discard(const struct trawl_outfile *o)
{
	if (!o->in_place)
		trawl_unlink(o->tmp);
}
