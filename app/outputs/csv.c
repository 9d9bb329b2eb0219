/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSV, as ZMap writes it: a header row of field names, then one line per
 * result. No field value holds a comma, quote or newline, so nothing is
 * quoted. Every field set fits TRAWL_OUTPUT_MAX_ROW (the longest, data, is 1024).
 */
#include <string.h>

#include "app/core/fmt.h"
#include "app/outputs/output.h"

static size_t
csv_header(const struct trawl_output *o, char *buf)
{
	char *p = buf;

	if (!o->header)
		return 0;
	for (unsigned int i = 0; i < o->nfields; i++) {
		size_t n = strlen(o->fields[i]->name);

		if (i != 0)
			*p++ = ',';
		memcpy(p, o->fields[i]->name, n);
		p += n;
	}
	*p++ = '\n';
	return (size_t)(p - buf);
}

static size_t
csv_format(const struct trawl_output *o, const struct trawl_result *r, const struct trawl_row *row, char *buf)
{
	char *p = buf;

	for (unsigned int i = 0; i < o->nfields; i++) {
		const struct trawl_field *f = o->fields[i];

		if (i != 0)
			*p++ = ',';
		p = f->type == TRAWL_FIELD_INT ? trawl_put_i64(p, f->get_int(r)) : f->put(p, r, row);
	}
	*p++ = '\n';
	return (size_t)(p - buf);
}

/* Every field at its longest, a comma between, the newline: the writer sizes its bursts by it. */
static size_t
csv_max_row(const struct trawl_output *o)
{
	size_t n = 0;

	for (unsigned int i = 0; i < o->nfields; i++)
		n += o->fields[i]->max_len + 1;
	return n;
}

const struct trawl_output_ops trawl_output_csv = {
	.name = "csv",
	.header = csv_header,
	.format = csv_format,
	.max_row = csv_max_row,
};
