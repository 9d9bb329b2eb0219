/* SPDX-License-Identifier: BSD-3-Clause */
/* CSV, as ZMap writes it: a header row of field names, then one line per result. */
#include <inttypes.h>

#include "output.h"

static int
csv_start(struct trawl_output *o)
{
	if (!o->header)
		return 0;
	for (unsigned int i = 0; i < o->nfields; i++)
		fprintf(o->f, "%s%s", i ? "," : "", o->fields[i]->name);
	return fputc('\n', o->f) == EOF ? -1 : 0;
}

static int
csv_write(struct trawl_output *o, const struct trawl_result *r, const struct timespec *ts)
{
	char buf[64];

	/* No field value holds a comma, quote or newline, so nothing needs quoting. */
	for (unsigned int i = 0; i < o->nfields; i++) {
		const struct trawl_field *f = o->fields[i];

		if (i != 0)
			fputc(',', o->f);
		if (f->type == TRAWL_FIELD_INT)
			fprintf(o->f, "%" PRId64, f->get_int(r));
		else
			fputs(f->get_str(r, ts, buf), o->f);
	}
	return fputc('\n', o->f) == EOF ? -1 : 0;
}

const struct trawl_output_ops trawl_output_csv = {
	.name = "csv",
	.start = csv_start,
	.write = csv_write,
};
