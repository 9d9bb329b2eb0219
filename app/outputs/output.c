/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/outputs/output.h"

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

void
trawl_output_init(struct trawl_output *o, const struct trawl_output_ops *ops,
		const struct trawl_field *const *fields, unsigned int nfields, int header)
{
	memset(o, 0, sizeof(*o));
	o->ops = ops;
	o->header = header;
	o->nfields = nfields;
	memcpy(o->fields, fields, nfields * sizeof(fields[0]));
	for (unsigned int i = 0; i < nfields; i++)
		o->needs_time |= fields[i]->needs_time;
	o->max_row = ops->max_row(o);
}
