/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_args.h"

int
trawl_dev_is_pci(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &n) == 4 && s[n] == '\0')
		return 1;
	return sscanf(s, "%x:%x.%x%n", &bus, &dev, &fn, &n) == 3 && s[n] == '\0';
}

int
trawl_eal_args_build(struct trawl_eal_args *a, const char *prog, const char *eal, const char *dev)
{
	const int max = (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 3;
	char *p;

	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = (char *)prog;
	/* EAL chatter at INFO would bury the status line; --eal "--log-level=info" brings it back. */
	a->argv[a->argc++] = (char *)"--log-level=notice";
	a->argv[a->argc++] = (char *)"--log-level=lib.telemetry:warning";
	a->buf = strdup(eal ? eal : "");
	if (a->buf == NULL)
		return -ENOMEM;
	for (p = strtok(a->buf, " \t\n"); p != NULL; p = strtok(NULL, " \t\n")) {
		if (a->argc >= max)
			return -E2BIG;
		a->argv[a->argc++] = p;
	}
	if (dev != NULL) {
		a->argv[a->argc++] = (char *)(trawl_dev_is_pci(dev) ? "-a" : "--vdev");
		a->argv[a->argc++] = (char *)dev;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

void
trawl_eal_args_free(struct trawl_eal_args *a)
{
	free(a->buf);
	a->buf = NULL;
}
