/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>

#include "app/dp/lcore.h"
#include "app/dp/stats.h"

int
trawl_lcore_map_build(struct trawl_lcore_map *m, const struct trawl_role *roles, unsigned int nroles)
{
	unsigned int lcore, n = 0;

	m->nplans = rte_lcore_count();
	m->plans = calloc(m->nplans, sizeof(*m->plans));
	if (m->plans == NULL)
		return -ENOMEM;
	m->plans[n++].lcore_id = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lcore)
		m->plans[n++].lcore_id = lcore;
	for (unsigned int i = 0; i < nroles; i++) {
		/* Role i gets worker i; past the last worker, the main lcore. */
		struct trawl_lcore_plan *p = &m->plans[i + 1 < m->nplans ? i + 1 : 0];

		p->roles[p->nroles++] = roles[i];
	}
	return 0;
}

void
trawl_lcore_map_free(struct trawl_lcore_map *m)
{
	free(m->plans);
	m->plans = NULL;
	m->nplans = 0;
}

/*
 * Poll every role not yet done; returns 1 once all are. Each poll's ticks
 * go to its role, busy or idle by what it returned: one rdtsc per role per
 * round (a burst of up to 32 frames), so the accounting can stay on.
 */
static int
plan_poll(struct trawl_lcore_plan *p)
{
	uint8_t *done = p->done;
	unsigned int ndone = 0;
	uint64_t t0 = rte_rdtsc();

	for (unsigned int i = 0; i < p->nroles; i++) {
		if (!done[i]) {
			int rc = p->roles[i].poll(p->roles[i].arg);
			uint64_t t1 = rte_rdtsc();

			if (rc == TRAWL_ROLE_DONE)
				done[i] = 1;
			trawl_stat_add(rc == TRAWL_ROLE_IDLE ? &p->cycles[i].idle : &p->cycles[i].busy, t1 - t0);
			t0 = t1;
		}
		ndone += done[i];
	}
	return ndone == p->nroles;
}

unsigned int
trawl_lcore_cycles(const struct trawl_lcore_map *m, const char *name, struct trawl_role_cycles *c)
{
	unsigned int n = 0;

	c->busy = c->idle = 0;
	for (unsigned int i = 0; i < m->nplans; i++)
		for (unsigned int r = 0; r < m->plans[i].nroles; r++)
			if (strcmp(m->plans[i].roles[r].name, name) == 0) {
				c->busy += trawl_stat_get(&m->plans[i].cycles[r].busy);
				c->idle += trawl_stat_get(&m->plans[i].cycles[r].idle);
				n++;
			}
	return n;
}

static int
worker_main(void *arg)
{
	struct trawl_lcore_plan *p = arg;

	while (!plan_poll(p))
		;
	return 0;
}

int
trawl_lcore_map_launch(struct trawl_lcore_map *m)
{
	for (unsigned int i = 1; i < m->nplans; i++) {
		if (m->plans[i].nroles == 0)
			continue;
		int rc = rte_eal_remote_launch(worker_main, &m->plans[i], m->plans[i].lcore_id);

		if (rc != 0)
			return rc;
	}
	return 0;
}

int
trawl_lcore_poll_main(struct trawl_lcore_map *m)
{
	return plan_poll(&m->plans[0]);
}

void
trawl_lcore_map_wait(struct trawl_lcore_map *m)
{
	for (unsigned int i = 1; i < m->nplans; i++)
		if (m->plans[i].nroles != 0)
			rte_eal_wait_lcore(m->plans[i].lcore_id);
}
