/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic port configuration: queue counts checked against what the PMD
 * reports, RSS over IPv4 addresses and TCP/UDP ports when more than one RX
 * queue is asked for (so both directions of a flow land on one queue and
 * replies spread evenly), and no offloads, which every PMD accepts.
 */
#include <errno.h>
#include <string.h>

#include "driver.h"

int
trawl_driver_generic_configure(const struct rte_eth_dev_info *info, const struct trawl_port_req *req,
		struct rte_eth_conf *conf, struct trawl_err *err)
{
	memset(conf, 0, sizeof(*conf));
	if (req->ntx > info->max_tx_queues)
		return trawl_err_set(err, -EINVAL, "%s has at most %u TX queues: lower --sender-threads",
				info->driver_name, info->max_tx_queues);
	if (req->nrx > info->max_rx_queues)
		return trawl_err_set(err, -EINVAL, "%s has at most %u RX queues: lower --receiver-threads",
				info->driver_name, info->max_rx_queues);
	if (req->nrx > 1) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info->flow_type_rss_offloads;

		if (hf == 0)
			return trawl_err_set(err, -ENOTSUP, "%s cannot spread replies over RX queues (no RSS): "
					"use --receiver-threads 1", info->driver_name);
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = hf;
	}
	return 0;
}

static const struct trawl_driver_ops generic = {
	.name = "",
	.configure = trawl_driver_generic_configure,
};

const struct trawl_driver_ops *
trawl_driver_find(const char *driver_name)
{
	(void)driver_name;
	return &generic;
}
