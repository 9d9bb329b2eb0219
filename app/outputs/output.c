/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "output.h"

extern const struct trawl_output_ops trawl_output_csv;
extern const struct trawl_output_ops trawl_output_json;

static const struct trawl_output_ops *const modules[] = {
	&trawl_output_csv,
	&trawl_output_json,
	NULL,
};

const struct trawl_output_ops *
trawl_output_find(const char *name)
{
	for (unsigned int i = 0; modules[i] != NULL; i++)
		if (strcmp(modules[i]->name, name) == 0)
			return modules[i];
	return NULL;
}

int
trawl_output_open(struct trawl_output *o, const struct trawl_output_ops *ops, const char *path,
		const struct trawl_field *const *fields, unsigned int nfields, int header,
		struct trawl_err *err)
{
	memset(o, 0, sizeof(*o));
	o->ops = ops;
	o->header = header;
	o->nfields = nfields;
	memcpy(o->fields, fields, nfields * sizeof(fields[0]));
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
	} else {
		o->f = fopen(path, "w");
		if (o->f == NULL)
			return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
		o->close_f = 1;
	}
	if (ops->start != NULL && ops->start(o) != 0)
		return trawl_err_set(err, -EIO, "%s: write failed", path);
	return 0;
}

int
trawl_output_close(struct trawl_output *o)
{
	int rc = 0;

	if (o->f == NULL)
		return 0;
	if (fflush(o->f) != 0 || ferror(o->f))
		rc = -EIO;
	if (o->close_f && fclose(o->f) != 0)
		rc = -EIO;
	o->f = NULL;
	return rc;
}
