/* SPDX-License-Identifier: BSD-3-Clause */
/* JSON lines: one object per result, fields typed (numbers stay numbers), via jansson. */
#include <jansson.h>

#include "output.h"

static int
json_write(struct trawl_output *o, const struct trawl_result *r, const struct timespec *ts)
{
	json_t *obj = json_object();
	char buf[64];
	int rc = 0;

	if (obj == NULL)
		return -1;
	for (unsigned int i = 0; i < o->nfields && rc == 0; i++) {
		const struct trawl_field *f = o->fields[i];
		json_t *v = f->type == TRAWL_FIELD_INT ? json_integer(f->get_int(r))
						       : json_string(f->get_str(r, ts, buf));

		rc = json_object_set_new(obj, f->name, v);
	}
	if (rc == 0)
		rc = json_dumpf(obj, o->f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (rc == 0 && fputc('\n', o->f) == EOF)
		rc = -1;
	return rc;
}

const struct trawl_output_ops trawl_output_json = {
	.name = "json",
	.start = NULL,
	.write = json_write,
};
