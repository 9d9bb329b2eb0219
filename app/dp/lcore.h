/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_LCORE_H
#define TRAWL_LCORE_H

#include <stdint.h>

#include <rte_lcore.h>

/*
 * A role is one poll-mode task (a TX queue, an RX queue, the writer). Each
 * lcore runs a fixed list of roles round-robin until every one of them says
 * it is done. On a machine with a core per role each list has one entry and
 * this is the plain run-to-completion loop; on a 2-core machine roles share
 * lcores and stay correct, just slower: no role ever blocks waiting for
 * another.
 */
#define TRAWL_ROLE_BUSY 0
#define TRAWL_ROLE_DONE 1
#define TRAWL_ROLE_IDLE 2   /* not done, and this round found nothing to do: its cycles count as idle */

struct trawl_role {
	const char *name;
	/** One round of work. Returns TRAWL_ROLE_BUSY, TRAWL_ROLE_IDLE (nothing was there to do) or TRAWL_ROLE_DONE. */
	int (*poll)(void *arg);
	void *arg;
};

#define TRAWL_MAX_ROLES 136 /* 64 TX + 64 RX + writer, with room */

/*
 * Where an lcore's cycles go: TSC ticks per role, in rounds that did work
 * (busy) and rounds that found none (idle), one rdtsc per role per round.
 * Written by the lcore running the plan, read by the main lcore.
 */
struct trawl_role_cycles {
	uint64_t busy;
	uint64_t idle;
};

struct trawl_lcore_plan {
	unsigned int lcore_id;
	unsigned int nroles;
	struct trawl_role roles[TRAWL_MAX_ROLES];
	uint8_t done[TRAWL_MAX_ROLES]; /**< touched only by the lcore running the plan */
	struct trawl_role_cycles cycles[TRAWL_MAX_ROLES];
};

/*
 * Where each role runs. TX roles first take worker lcores one each, then RX
 * roles, then the writer; whatever does not fit runs on the main lcore
 * beside its own work (ARP, status, signals). With 2 lcores: TX on the
 * worker, RX and writer on main.
 */
struct trawl_lcore_map {
	unsigned int nplans;
	struct trawl_lcore_plan *plans; /**< plans[0] is the main lcore */
};

/**
 * Build the plan for @p roles (in TX, RX, writer order) over the EAL's
 * lcores. @return 0 or -ENOMEM.
 */
int trawl_lcore_map_build(struct trawl_lcore_map *m, const struct trawl_role *roles, unsigned int nroles);

void trawl_lcore_map_free(struct trawl_lcore_map *m);

/** Launch every worker plan. @return 0 or a negative errno from rte_eal_remote_launch. */
int trawl_lcore_map_launch(struct trawl_lcore_map *m);

/** Poll the main lcore's roles once; returns 1 when all are done. */
int trawl_lcore_poll_main(struct trawl_lcore_map *m);

/**
 * The cycles of every role whose name is @p name, over every lcore, into
 * @p c (any lcore may call it while the roles run). @return how many roles.
 */
unsigned int trawl_lcore_cycles(const struct trawl_lcore_map *m, const char *name, struct trawl_role_cycles *c);

/** Wait for every worker. */
void trawl_lcore_map_wait(struct trawl_lcore_map *m);

#endif
