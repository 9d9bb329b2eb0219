/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PORT_H
#define TRAWL_PORT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "app/core/err.h"
#include "drivers/driver.h"

#define TRAWL_RX_DESC 1024
#define TRAWL_TX_DESC 1024
/* A link not up this many seconds after start (or gone this long mid-run) is an error. */
#define TRAWL_LINK_WAIT_S 5

/* Is the link up? (For a peer that can leave: memif.) */
static inline int
trawl_port_link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

/*
 * Bursts on ports whose peer can leave mid-run (caps.link_gated: memif).
 * DPDK 22.11's memif unmaps the shared rings from its interrupt thread when
 * the peer disconnects, with lcores still inside a burst; these look at the
 * link first and run the burst under core/faultguard.h, so a burst the
 * unmap lands in is abandoned (0 received; for TX all n taken, up to n mbufs
 * leaked) instead of killing the process. trawl_port_start installs the
 * guard's signal handlers for such ports.
 */
uint16_t trawl_port_rx_guarded(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n);
uint16_t trawl_port_tx_guarded(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n);
/** Bursts abandoned because the peer left under them (all ports, all lcores). */
uint64_t trawl_port_bursts_abandoned(void);

static inline uint16_t
trawl_port_rx(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n, int gated)
{
	if (unlikely(gated))
		return trawl_port_rx_guarded(port, queue, m, n);
	return rte_eth_rx_burst(port, queue, m, n);
}

static inline uint16_t
trawl_port_tx(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n, int gated)
{
	if (unlikely(gated))
		return trawl_port_tx_guarded(port, queue, m, n);
	return rte_eth_tx_burst(port, queue, m, n);
}

struct trawl_port {
	uint16_t id;
	int socket;
	struct rte_ether_addr mac;
	char driver[64];
	struct trawl_port_caps caps;  /**< what the port was set up to do (offloads, spreading) */
	int started;
};

/**
 * Find the ethdev that --dev @p spec created (the name before the first
 * comma). @return 0 or -ENODEV with the reason in @p err.
 */
int trawl_port_find(const char *spec, struct trawl_port *p, struct trawl_err *err);

/**
 * Configure @p nrx RX and @p ntx TX queues (RX buffers from @p pool),
 * through the driver entry for this PMD, and start the port.
 * @return 0 or -errno with the reason in @p err.
 */
int trawl_port_start(struct trawl_port *p, uint16_t nrx, uint16_t ntx, struct rte_mempool *pool,
		struct trawl_err *err);

/** Stop and close the port (safe on a port never started). */
void trawl_port_close(struct trawl_port *p);

#endif
