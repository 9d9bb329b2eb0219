/* SPDX-License-Identifier: BSD-3-Clause */
/* JSON lines: one object per result, fields typed (numbers stay numbers), via jansson. */
#include <jansson.h>

#include "app/outputs/output.h"

static size_t
json_header(const struct trawl_output *o, char *buf)
{
	(void)o;
	(void)buf;
	return 0;
}

static size_t
json_format(const struct trawl_output *o, const struct trawl_result *r, const struct trawl_row *row, char *buf)
{
	json_t *obj = json_object();
	char text[2 * TRAWL_RESULT_DATA_MAX + 8]; /* the longest STR field: data in hex */
	size_t n = 0;
	int rc = 0;

	if (obj == NULL)
		return 0;
	for (unsigned int i = 0; i < o->nfields && rc == 0; i++) {
		const struct trawl_field *f = o->fields[i];
		json_t *v = f->type == TRAWL_FIELD_INT ? json_integer(f->get_int(r)) :
			json_stringn(text, (size_t)(f->put(text, r, row) - text));

		rc = json_object_set_new(obj, f->name, v);
	}
	if (rc == 0)
		n = json_dumpb(obj, buf, TRAWL_OUTPUT_MAX_ROW - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (n == 0 || n > TRAWL_OUTPUT_MAX_ROW - 1)
		return 0; /* json_dumpb says how much it needed when it did not fit */
	buf[n++] = '\n';
	return n;
}

static size_t
json_max_row(const struct trawl_output *o)
{
	(void)o;
	return TRAWL_OUTPUT_MAX_ROW; /* jansson's layout is its own: the bound format() checks */
}

const struct trawl_output_ops trawl_output_json = {
	.name = "json",
	.header = json_header,
	.format = json_format,
	.max_row = json_max_row,
};
