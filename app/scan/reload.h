/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_RELOAD_H
#define TRAWL_SCAN_RELOAD_H

#include <stdint.h>

#include "app/core/constraint.h"
#include "app/dp/engine.h"
#include "app/dp/tx.h"

/*
 * The blocklist read again while a scan runs (SIGHUP, trawl optout). The
 * permutation never changes (exactly-once, checkpoints): the new list is
 * handed to the TX roles as a set of addresses to skip (engine.h's
 * live_block), and the one it replaces is freed once every TX role has
 * passed a quiescent state (rte_rcu_qsbr). Only then is the reload said:
 * from that line on, no probe goes to an address in the new list.
 * Private to the scan subcommand.
 */
struct scan_reload {
	/* The parts it works on (the scan owns them; this file knows them, not the scan). */
	struct trawl_engine *eng;
	const struct trawl_tx *tx;
	uint32_t ntx;
	const struct trawl_constraint *allowed; /**< the scan's targets' addresses (IPv4) */
	int six;                         /**< an IPv6 scan */
	const char *path;                /**< the blocklist file, NULL: none */

	unsigned int hups_seen;          /**< SIGHUPs handled so far */
	int waiting;                     /**< a new list is out, its line not said yet */
	uint64_t token;                  /**< rte_rcu_qsbr_start's, for the list that went out */
	struct trawl_live_block *retired; /**< the list it replaced: freed once the TX roles are past it */
	uint32_t entries;                /**< lines of the list that went out */
	uint32_t entries6;               /**< of which IPv6 prefixes */
	uint64_t newly_blocked;          /**< the scan's target addresses in it */
	uint64_t reloads;                /**< reloads that took effect */
	uint64_t failed;                 /**< reloads refused (the old list stayed) */
};

/** SIGHUP's handler (async-signal-safe): counts the signal. */
void scan_reload_on_signal(int sig);

/**
 * Set up the TX roles' quiescent-state variable (before they run; the
 * parts above filled in) and, if @p initial is not NULL (a resumed scan
 * whose blocklist grew since it started), the list they skip from their
 * first probe; it is taken over either way. @return 0 or -ENOMEM.
 */
int scan_reload_setup(struct scan_reload *r, struct trawl_live_block *initial);

/** The TX roles' form of the blocklist @p rs (both families). @return it (malloc'd) or NULL: out of memory. */
struct trawl_live_block *scan_live_block_build(const struct trawl_ranges *rs);

void scan_live_block_free(struct trawl_live_block *b);

/**
 * One supervision step: read the blocklist again if a SIGHUP came (and no
 * earlier reload is still waiting for the TX roles), and say a reload once
 * it has taken effect. @p sending: probes may still go out.
 */
void scan_reload_step(struct scan_reload *r, int sending);

/** Free the live lists (every TX role has stopped). */
void scan_reload_free(struct scan_reload *r);

#endif
