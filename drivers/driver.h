/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DRIVER_H
#define TRAWL_DRIVER_H

#include <stdint.h>

#include <rte_ethdev.h>

#include "app/core/err.h"

/* What the engine asks of a port. */
struct trawl_port_req {
	uint16_t nrx;
	uint16_t ntx;
};

/* What the port was set up to do, for the engine to use. */
struct trawl_port_caps {
	uint8_t csum_hw;       /**< TRAWL_CSUM_HW_* the port fills in (0: software checksums) */
	uint16_t reta_size;    /**< RSS redirection table entries to spread over the RX queues, 0 = none */
	const char *spread;    /**< how replies reach several RX queues: "rss", "fanout", "peer", "none" */
	uint8_t kernel_tx;     /**< the kernel transmits, on the sending lcore's CPU: yield when its ring is full */
	uint8_t link_gated;    /**< the peer can vanish mid-run: bursts look at the link and run guarded (app/dp/port.h) */
};

/*
 * What trawl uses of one PMD, from its documented capabilities (DPDK's NIC
 * guides and feature matrix). The table says what to ask for; the device's
 * own rte_eth_dev_info always has the last word, and what it lacks falls
 * back to software (checksums) or to one RX queue (spreading).
 */
enum trawl_spread {
	TRAWL_SPREAD_RSS = 0,  /**< RSS hash over the flow, RETA over the queues */
	TRAWL_SPREAD_FANOUT,   /**< the kernel spreads (af_packet PACKET_FANOUT by flow hash) */
	TRAWL_SPREAD_PEER,     /**< the peer chooses the queue (memif: one ring pair per queue) */
};

struct trawl_driver_desc {
	const char *name;      /**< ethdev driver name, exactly as rte_eth_dev_info reports it */
	const char *model;     /**< what it drives, for messages */
	enum trawl_spread spread;
	uint64_t rss_hf;       /**< hash fields asked for (IPv4 and IPv6 + TCP/UDP ports where the NIC has them) */
	uint8_t tx_csum;       /**< TRAWL_CSUM_HW_* it offloads for IPv4/TCP */
	const char *devargs;   /**< added to a vdev's --dev arguments unless given (NULL: none) */
	uint8_t kernel_tx;     /**< the kernel does the transmit work (see trawl_port_caps) */
	uint8_t link_gated;    /**< the peer can vanish mid-run (see trawl_port_caps) */
	uint8_t queue_secret;  /**< memif: queue counts must match the peer's; say them in its secret (eal_args.c) */
};

/** The entry for @p driver_name, or the generic one. */
const struct trawl_driver_desc *trawl_driver_find(const char *driver_name);

/** Every specific entry, NULL-terminated. */
extern const struct trawl_driver_desc *const trawl_drivers[];

/*
 * Turn the request into an rte_eth_conf this device accepts: queue counts
 * checked, RSS hash fields that the device has, TX checksum offloads that
 * both the table and the device have. Fills caps; or says in err why not.
 */
int trawl_driver_configure(const struct trawl_driver_desc *d, const struct rte_eth_dev_info *info,
		const struct trawl_port_req *req, struct rte_eth_conf *conf, struct trawl_port_caps *caps,
		struct trawl_err *err);

#endif
