/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "app/core/privsep.h"
#include "app/dp/stats.h"
#include "app/scan/reload.h"

static unsigned int hups;

void
scan_reload_on_signal(int sig)
{
	(void)sig;
	__atomic_add_fetch(&hups, 1, __ATOMIC_RELAXED);
}

/* Every probe the port has taken so far, over all TX roles. */
static uint64_t
probes_sent(const struct scan_reload *r)
{
	uint64_t n = 0;

	for (uint32_t t = 0; t < r->ntx; t++)
		n += trawl_stat_get(&r->tx[t].sent);
	return n;
}

/* Hand @p blk to the TX roles; the list it replaces waits for their quiescent states. */
static void
publish(struct scan_reload *r, struct trawl_live_block *blk)
{
	r->retired = (struct trawl_live_block *)(uintptr_t)r->eng->live_block;
	__atomic_store_n(&r->eng->live_block, blk, __ATOMIC_RELEASE);
	r->token = rte_rcu_qsbr_start(r->eng->rcu);
	r->newly_blocked = trawl_constraint_overlap(r->allowed, &blk->v4);
	r->waiting = 1;
}

struct trawl_live_block *
scan_live_block_build(const struct trawl_ranges *rs)
{
	struct trawl_ranges none = { 0 };
	struct trawl_live_block *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	/* The constraint reads the IPv4 ranges alone; the IPv6 prefixes go to the intervals. */
	if (trawl_constraint_build(&b->v4, rs, &none) != 0) {
		free(b);
		return NULL;
	}
	if (trawl_ip6_ranges_build(rs->v6, rs->n6, &b->lo6, &b->hi6, &b->n6) != 0) {
		trawl_constraint_free(&b->v4);
		free(b);
		return NULL;
	}
	return b;
}

void
scan_live_block_free(struct trawl_live_block *b)
{
	if (b != NULL) {
		trawl_constraint_free(&b->v4);
		free(b->lo6);
		free(b->hi6);
		free(b);
	}
}

int
scan_reload_setup(struct scan_reload *r, struct trawl_live_block *initial)
{
	size_t sz = rte_rcu_qsbr_get_memsize(r->ntx);
	struct rte_rcu_qsbr *v = rte_zmalloc("trawl_rcu", sz, RTE_CACHE_LINE_SIZE);

	if (v == NULL || rte_rcu_qsbr_init(v, r->ntx) != 0) {
		rte_free(v);
		scan_live_block_free(initial);
		return -ENOMEM;
	}
	for (uint32_t t = 0; t < r->ntx; t++) {
		rte_rcu_qsbr_thread_register(v, t);
		rte_rcu_qsbr_thread_online(v, t);
	}
	r->eng->rcu = v;
	if (initial != NULL) {
		/* Before any TX role runs: nothing to wait for. */
		r->eng->live_block = initial;
		r->newly_blocked = trawl_constraint_overlap(r->allowed, &initial->v4);
	}
	return 0;
}

/* Read the list again; on any problem the old one stays and the reason is said. */
static void
reload(struct scan_reload *r)
{
	const char *path = r->path;
	struct trawl_ranges rs = { 0 };
	struct trawl_err err = { "" };
	struct trawl_live_block *blk;
	int rc;

	if (path == NULL) {
		fprintf(stderr, "trawl scan: SIGHUP: this scan has no blocklist file to read again (-b)\n");
		r->failed++;
		return;
	}
	rc = trawl_ranges_load(&rs, path, &err);
	if (rc != 0) {
		fprintf(stderr, "trawl scan: SIGHUP: the blocklist was not reloaded, the one in force stays: %s%s%s%s\n",
				err.msg[0] ? err.msg : strerror(-rc), rc == -EACCES && trawl_privsep_user() ?
				" (the scan runs as " : "", rc == -EACCES && trawl_privsep_user() ? trawl_privsep_user() : "",
				rc == -EACCES && trawl_privsep_user() ? " now: the file and its directories must be readable "
				"to that user)" : "");
		trawl_ranges_free(&rs);
		r->failed++;
		return;
	}
	blk = scan_live_block_build(&rs);
	if (blk == NULL) {
		fprintf(stderr, "trawl scan: SIGHUP: out of memory reading %s; the blocklist in force stays\n", path);
		trawl_ranges_free(&rs);
		r->failed++;
		return;
	}
	r->entries = (uint32_t)(rs.n + rs.n6);
	r->entries6 = (uint32_t)rs.n6;
	trawl_ranges_free(&rs);
	publish(r, blk);
}

void
scan_reload_step(struct scan_reload *r, int sending)
{
	unsigned int seen = __atomic_load_n(&hups, __ATOMIC_RELAXED);

	if (r->waiting) {
		/* Every TX role past a quiescent state (or offline): the old list is no one's. */
		if (rte_rcu_qsbr_check(r->eng->rcu, r->token, false) != 1)
			return;
		scan_live_block_free(r->retired);
		r->retired = NULL;
		r->waiting = 0;
		r->reloads++;
		if (r->six) /* the list's addresses are not counted here (up to GBs, read on this lcore): TX counts them */
			fprintf(stderr, "trawl scan: SIGHUP: blocklist %s reloaded (%" PRIu32 " entries, %" PRIu32 " of them "
				"IPv6 prefixes): after the first %" PRIu64 " probes, none goes to them\n",
				r->path, r->entries, r->entries6, probes_sent(r));
		else
			fprintf(stderr, "trawl scan: SIGHUP: blocklist %s reloaded (%" PRIu32 " entries, %" PRIu64 " of this "
				"scan's target addresses in it): after the first %" PRIu64 " probes, none goes to them\n",
				r->path, r->entries, r->newly_blocked, probes_sent(r));
	}
	if (seen == r->hups_seen)
		return;
	r->hups_seen = seen;
	if (!sending) {
		fprintf(stderr, "trawl scan: SIGHUP: every probe is out already; the blocklist is not read again\n");
		return;
	}
	reload(r);
}

void
scan_reload_free(struct scan_reload *r)
{
	scan_live_block_free(r->retired);
	r->retired = NULL;
	if (r->eng != NULL) {
		scan_live_block_free((struct trawl_live_block *)(uintptr_t)r->eng->live_block);
		r->eng->live_block = NULL;
		rte_free(r->eng->rcu);
		r->eng->rcu = NULL;
	}
}
