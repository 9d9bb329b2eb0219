/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "app/scan/modules.h"

int
trawl_scan_modules_resolve(struct trawl_scan_conf *c, struct trawl_scan_modules *m, struct trawl_err *err)
{
	int n;

	memset(&m->args, 0, sizeof(m->args));
	m->have_filter = 0;
	m->probe = trawl_probe_find(c->probe_module);
	if (m->probe == NULL)
		return trawl_err_set(err, -EINVAL, "unknown probe module '%s' (see --list-probe-modules)", c->probe_module);
	if (m->probe->parse_args != NULL) {
		if (m->probe->parse_args(c->probe_args, &m->args, err) != 0)
			return -EINVAL;
	} else if (c->probe_args != NULL) {
		return trawl_err_set(err, -EINVAL, "--probe-args: probe module %s takes no arguments", m->probe->name);
	}
	if (c->six && m->probe->classify6 == NULL)
		return trawl_err_set(err, -EINVAL, "probe module %s: not built for IPv6 targets yet (tcp_synscan, "
				"icmp_echoscan and udp are)", m->probe->name);
	if (c->six && m->args.payload_len > TRAWL_UDP6_PAYLOAD_MAX)
		return trawl_err_set(err, -EINVAL, "--probe-args: %u bytes of payload; over IPv6 a probe carries at most %d "
				"(a 1500-byte packet)", m->args.payload_len, TRAWL_UDP6_PAYLOAD_MAX);
	/* tcp_banner's payload over IPv6: one segment of a 1500-byte IPv6 packet (MSS 1440). */
	if (c->six && m->probe->handshake && m->args.payload_len > TRAWL_BANNER6_PAYLOAD_MAX)
		return trawl_err_set(err, -EINVAL, "--probe-args: %u bytes of payload; over IPv6 one TCP segment carries "
				"at most %d", m->args.payload_len, TRAWL_BANNER6_PAYLOAD_MAX);
	if (c->canaries == TRAWL_CANARIES_UNSET)
		c->canaries = m->probe->handshake ? TRAWL_CANARIES_BANNER : 0;
	else if (c->canaries != 0 && !m->probe->tcp)
		return trawl_err_set(err, -EINVAL, "--canaries: probe module %s sends no SYNs (tcp_synscan and "
				"tcp_banner do)", m->probe->name);
	if (!m->probe->uses_ports) {
		if (c->have_ports)
			return trawl_err_set(err, -EINVAL, "-p/--target-ports: probe module %s probes addresses, not "
					"ports (leave -p out)", m->probe->name);
		/* Addresses alone: one target per address, port 0 (results say sport 0). */
		trawl_ports_parse(c->ports, "0", NULL);
	}
	m->output = trawl_output_find(c->output_module);
	if (m->output == NULL)
		return trawl_err_set(err, -EINVAL, "unknown output module '%s' (csv or json)", c->output_module);
	n = trawl_fields_parse(c->output_fields, m->probe->fields, m->fields, err);
	if (n < 0)
		return n;
	m->nfields = (unsigned int)n;
	if (c->output_filter != NULL) {
		if (trawl_filter_compile(&m->filter, c->output_filter, m->probe->fields, err) != 0)
			return -EINVAL;
		m->have_filter = 1;
	}
	return 0;
}

int
trawl_scan_modules_list(const struct trawl_scan_conf *c, FILE *out, struct trawl_err *err)
{
	const struct trawl_probe_ops *p = trawl_probe_find(c->probe_module);

	if (c->list == TRAWL_LIST_FIELDS) {
		if (p == NULL)
			return trawl_err_set(err, -EINVAL, "unknown probe module '%s' (see --list-probe-modules)",
					c->probe_module);
		fprintf(out, "fields of %s (-f):\n", p->name);
		for (const struct trawl_field *f = trawl_fields; f->name != NULL; f++)
			if (f->modules & p->fields)
				fprintf(out, "%-16s %s\n", f->name, f->help);
	}
	if (c->list == TRAWL_LIST_PROBES)
		for (unsigned int i = 0; trawl_probe_modules[i] != NULL; i++)
			fprintf(out, "%-16s %s\n", trawl_probe_modules[i]->name, trawl_probe_modules[i]->help);
	return 0;
}
