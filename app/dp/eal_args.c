/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "drivers/driver.h"
#include "app/dp/eal_args.h"

int
trawl_dev_is_pci(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &n) == 4 && s[n] == '\0')
		return 1;
	return sscanf(s, "%x:%x.%x%n", &bus, &dev, &fn, &n) == 3 && s[n] == '\0';
}

/*
 * memif's queue counts in its secret (drivers/pmds.c): NULL if none is to
 * be added (one given already, or a server with one queue pair).
 */
static const char *
memif_secret(const char *spec, uint16_t nrx, uint16_t ntx, char *buf, size_t len)
{
	int server = strstr(spec, ",role=server") != NULL || strstr(spec, ",role=master") != NULL;
	/* Client-to-server rings are the client's TX queues and the server's RX queues. */
	unsigned int c2s = server ? nrx : ntx, s2c = server ? ntx : nrx;

	if (strstr(spec, ",secret=") != NULL || (server && c2s == 1 && s2c == 1))
		return NULL;
	snprintf(buf, len, "secret=trawl-%ux%u", c2s, s2c);
	return buf;
}

/* SPEC plus its driver entry's default "key=value" unless SPEC has that key already. */
static char *
vdev_with_defaults(const char *spec, uint16_t nrx, uint16_t ntx)
{
	for (const struct trawl_driver_desc *const *d = trawl_drivers; *d != NULL; d++) {
		const char *def = (*d)->devargs;
		size_t klen;
		char key[64], secret[48];
		char *out;

		/* A vdev's driver is the one whose name its own name starts with (net_af_packet0). */
		if (strncmp(spec, (*d)->name, strlen((*d)->name)) != 0)
			continue;
		if ((*d)->queue_secret)
			def = memif_secret(spec, nrx, ntx, secret, sizeof(secret));
		if (def == NULL)
			break;
		klen = strcspn(def, "=") + 1;
		if (klen >= sizeof(key) - 1)
			break;
		snprintf(key, sizeof(key), ",%.*s", (int)klen, def);
		if (strstr(spec, key) != NULL)
			break;
		if (asprintf(&out, "%s,%s", spec, def) < 0)
			return NULL;
		return out;
	}
	return strdup(spec);
}

/*
 * Does this --eal word say which PCI devices the EAL may touch: an allow or
 * block option ("-a ADDR", "-aADDR", "--allow[=ADDR]", "-b", "--block") or
 * "--no-pci"? Then the user has chosen, and we add nothing.
 */
static int
eal_word_names_pci(const char *w)
{
	static const char *const longs[] = { "--allow", "--block", "--no-pci", NULL };

	if (w[0] == '-' && (w[1] == 'a' || w[1] == 'b'))
		return 1;
	for (unsigned int i = 0; longs[i] != NULL; i++) {
		size_t n = strlen(longs[i]);

		if (strncmp(w, longs[i], n) == 0 && (w[n] == '\0' || w[n] == '='))
			return 1;
	}
	return 0;
}

/* Does this --eal word decide how hugepage files live (so that we add no --huge-unlink)? */
static int
eal_word_sets_huge_files(const char *w)
{
	static const char *const opts[] = { "--no-huge", "--in-memory", "--huge-unlink", "--single-file-segments",
		NULL };

	for (unsigned int i = 0; opts[i] != NULL; i++) {
		size_t n = strlen(opts[i]);

		if (strncmp(w, opts[i], n) == 0 && (w[n] == '\0' || w[n] == '='))
			return 1;
	}
	return 0;
}

int
trawl_eal_args_build(struct trawl_eal_args *a, const char *prog, const char *eal, const char *dev, uint16_t nrx,
		uint16_t ntx)
{
	const int max = (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 5;
	int user_pci = 0, user_huge = 0;
	char *p;

	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = (char *)prog;
	/* EAL chatter at INFO would bury the status line; --eal "--log-level=info" brings it back. */
	a->argv[a->argc++] = (char *)"--log-level=notice";
	a->argv[a->argc++] = (char *)"--log-level=lib.telemetry:error";
	a->buf = strdup(eal ? eal : "");
	if (a->buf == NULL)
		return -ENOMEM;
	for (p = strtok(a->buf, " \t\n"); p != NULL; p = strtok(NULL, " \t\n")) {
		if (a->argc >= max)
			return -E2BIG;
		a->argv[a->argc++] = p;
		user_pci |= eal_word_names_pci(p);
		user_huge |= eal_word_sets_huge_files(p);
	}
	/*
	 * Hugepage files unlinked as soon as they are mapped: the memory goes
	 * back when the process ends, however it ends. Without this the EAL
	 * removes them in rte_eal_cleanup, which it cannot once the process is
	 * no longer root (app/privsep): every run left its pages allocated in
	 * /dev/hugepages (25 files of 2 MiB seen). trawl runs no secondary
	 * process that would need the files.
	 */
	if (!user_huge)
		a->argv[a->argc++] = (char *)"--huge-unlink=always";
	/*
	 * Without an allow list the EAL probes every PCI device it can see: on
	 * a VM its own virtio NIC ("Failed to init PCI device"), on a survey
	 * host every port bound to vfio-pci. A vdev run touches no PCI device;
	 * a PCI --dev is allowed alone (-a below). A user who names PCI in
	 * --eal has said what they want.
	 */
	if (dev != NULL && !trawl_dev_is_pci(dev) && !user_pci)
		a->argv[a->argc++] = (char *)"--no-pci";
	if (dev != NULL && !trawl_dev_is_pci(dev)) {
		a->dev = vdev_with_defaults(dev, nrx, ntx);
		if (a->dev == NULL)
			return -ENOMEM;
		a->argv[a->argc++] = (char *)"--vdev";
		a->argv[a->argc++] = a->dev;
	} else if (dev != NULL) {
		a->argv[a->argc++] = (char *)"-a";
		a->argv[a->argc++] = (char *)dev;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

void
trawl_eal_args_free(struct trawl_eal_args *a)
{
	free(a->buf);
	free(a->dev);
	a->buf = NULL;
	a->dev = NULL;
}

int
trawl_eal_start(struct trawl_eal_args *a)
{
	if (rte_eal_init(a->argc, a->argv) < 0)
		return -1;
	rte_mp_disable();
	return 0;
}

void
trawl_eal_quiet_teardown(void)
{
	/* What the EAL logs is the lower of its type's level and the global one (--log-level=notice by default). */
	if (RTE_MIN(rte_log_get_level(RTE_LOGTYPE_EAL), (int)rte_log_get_global_level()) <= (int)RTE_LOG_NOTICE)
		rte_log_set_level(RTE_LOGTYPE_EAL, RTE_LOG_CRIT);
}
