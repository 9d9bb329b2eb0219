/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "scan_modules.h"

int
trawl_scan_modules_resolve(const struct trawl_scan_conf *c, struct trawl_scan_modules *m, struct trawl_err *err)
{
	int n;

	m->probe = trawl_probe_find(c->probe_module);
	if (m->probe == NULL)
		return trawl_err_set(err, -EINVAL, "unknown probe module '%s' (see --list-probe-modules)", c->probe_module);
	m->output = trawl_output_find(c->output_module);
	if (m->output == NULL)
		return trawl_err_set(err, -EINVAL, "unknown output module '%s' (csv or json)", c->output_module);
	n = trawl_fields_parse(c->output_fields, m->fields, err);
	if (n < 0)
		return n;
	m->nfields = (unsigned int)n;
	return 0;
}

void
trawl_scan_modules_list(const struct trawl_scan_conf *c, FILE *out)
{
	if (c->list == TRAWL_LIST_FIELDS)
		for (const struct trawl_field *f = trawl_fields; f->name != NULL; f++)
			fprintf(out, "%-16s %s\n", f->name, f->help);
	if (c->list == TRAWL_LIST_PROBES)
		for (unsigned int i = 0; trawl_probe_modules[i] != NULL; i++)
			fprintf(out, "%-16s %s\n", trawl_probe_modules[i]->name, trawl_probe_modules[i]->help);
}
