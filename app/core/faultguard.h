/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FAULTGUARD_H
#define TRAWL_FAULTGUARD_H

/*
 * A call that may find its memory unmapped under it, and survives that.
 *
 * Why: DPDK 22.11's memif PMD unmaps the shared rings from its interrupt
 * thread as soon as the peer disconnects, without waiting for lcores inside
 * rte_eth_rx_burst/tx_burst. On a 2-vCPU host that thread only runs by
 * preempting a polling lcore, which is usually inside a burst: `trawl
 * respond` died with SIGSEGV when a scanner left in 3 runs of 25, with a
 * link check before every burst (the link goes down first, but the lcore is
 * already past the check). The PMD offers no hook before the unmap, so the
 * burst itself is guarded: a SIGSEGV/SIGBUS while a guarded call runs on
 * this thread abandons the call (siglongjmp) instead of killing the process.
 * A fault anywhere else gets the default action (a core), as before.
 *
 * Costs one sigsetjmp without the signal mask (no system call) per call.
 * What the abandoned call had half done is lost (for a burst: up to a
 * burst of mbufs leaked); the caller decides whether that fault was the one
 * it expected (for memif: is the link down?).
 */

/** Install the SIGSEGV and SIGBUS handlers (process-wide). @return 0 or -errno. */
int trawl_guard_install(void);

/**
 * Run fn(arg) on this thread under the guard.
 * @return 0 if it returned, -1 if it faulted (and was abandoned).
 */
int trawl_guard_run(void (*fn)(void *), void *arg);

#endif
