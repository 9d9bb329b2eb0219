/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_EAL_ARGS_H
#define TRAWL_EAL_ARGS_H

#include <stdint.h>

/*
 * The EAL's argv for one run: our defaults, then the user's --eal words
 * (which win, as later EAL options do), then the device: "-a ADDR" for a
 * PCI address, "--vdev SPEC" for anything else, with the default
 * arguments its drivers/ entry adds unless the spec sets them.
 */
struct trawl_eal_args {
	int argc;
	char *argv[128];
	char *buf;    /**< the split copy of --eal the words point into */
	char *dev;    /**< the vdev spec with its driver entry's default arguments added */
};

/**
 * @p nrx and @p ntx are the queues the port will have (memif says them to
 * its peer). @return 0, or -E2BIG if --eal has too many words.
 */
int trawl_eal_args_build(struct trawl_eal_args *a, const char *prog, const char *eal, const char *dev, uint16_t nrx,
		uint16_t ntx);

void trawl_eal_args_free(struct trawl_eal_args *a);

/** Does @p spec look like a PCI address ("0000:03:00.0" or "03:00.0")? */
int trawl_dev_is_pci(const char *spec);

#endif
