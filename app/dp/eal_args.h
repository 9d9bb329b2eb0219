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

/**
 * rte_eal_init() with these arguments, then multi-process off (rte_mp_disable):
 * trawl runs no secondary process, and from here on the EAL refuses one.
 * @return 0, or -1 with rte_errno set (the EAL has said why on stderr).
 */
int trawl_eal_start(struct trawl_eal_args *a);

/**
 * Before teardown gives the memory back. Once a run has dropped root it
 * cannot open the EAL's runtime directory, and every free of hugepage
 * memory then logs two EAL errors ("Unable to open directory", "Could not
 * send sync request to secondary process") about telling secondary
 * processes of the change: there are none (trawl_eal_start refused them),
 * so those lines say nothing a user can act on. The EAL's log goes down to
 * critical for the teardown, unless --eal asked for more than the default.
 */
void trawl_eal_quiet_teardown(void);

/** Does @p spec look like a PCI address ("0000:03:00.0" or "03:00.0")? */
int trawl_dev_is_pci(const char *spec);

#endif
