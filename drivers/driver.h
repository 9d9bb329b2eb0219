/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_DRIVER_H
#define TRAWL_DRIVER_H

#include <stdint.h>

#include <rte_ethdev.h>

#include "../app/core/err.h"

/* What the engine asks of a port. */
struct trawl_port_req {
	uint16_t nrx;
	uint16_t ntx;
};

/*
 * Per-PMD port quirks, chosen once by the ethdev driver name. configure()
 * turns the request into an rte_eth_conf the PMD accepts (RSS hash types,
 * offloads), or says in @p err why it cannot (too many queues, no RSS).
 */
struct trawl_driver_ops {
	const char *name;      /**< driver name prefix this entry applies to; "" for the generic path */
	int (*configure)(const struct rte_eth_dev_info *info, const struct trawl_port_req *req,
			struct rte_eth_conf *conf, struct trawl_err *err);
};

/** The entry for @p driver_name; the generic path if none is more specific. */
const struct trawl_driver_ops *trawl_driver_find(const char *driver_name);

/** The generic configuration, also the base the specific ones start from. */
int trawl_driver_generic_configure(const struct rte_eth_dev_info *info, const struct trawl_port_req *req,
		struct rte_eth_conf *conf, struct trawl_err *err);

#endif
