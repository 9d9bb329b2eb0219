/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "app/probes/probe.h"

extern const struct trawl_probe_ops trawl_probe_tcp_synscan;
extern const struct trawl_probe_ops trawl_probe_icmp_echoscan;
extern const struct trawl_probe_ops trawl_probe_udp;
extern const struct trawl_probe_ops trawl_probe_tcp_banner;

const struct trawl_probe_ops *const trawl_probe_modules[] = {
	&trawl_probe_tcp_synscan,
	&trawl_probe_icmp_echoscan,
	&trawl_probe_udp,
	&trawl_probe_tcp_banner,
	NULL,
};

const struct trawl_probe_ops *
trawl_probe_find(const char *name)
{
	for (unsigned int i = 0; trawl_probe_modules[i] != NULL; i++)
		if (strcmp(trawl_probe_modules[i]->name, name) == 0)
			return trawl_probe_modules[i];
	return NULL;
}
