/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PORT_H
#define TRAWL_PORT_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "../core/err.h"
#include "../../drivers/driver.h"

#define TRAWL_RX_DESC 1024
#define TRAWL_TX_DESC 1024

/*
 * Is the link up? For ports whose peer can go away (memif): DPDK 22.11's
 * memif unmaps the shared rings from its interrupt thread the moment the
 * peer disconnects, with no wait for lcores inside a burst (we saw the
 * responder die that way in about 1 run in 10 when a scanner exited). The
 * link goes down first, so a role that looks before each round narrows that
 * window to one round; only a fix in the PMD closes it.
 */
static inline int
trawl_port_link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
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
