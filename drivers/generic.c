/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port configuration from a driver entry and what the device reports. The
 * generic entry (any PMD without one) asks for RSS over IPv4 addresses and
 * TCP/UDP ports when more than one RX queue is wanted and no offloads; a
 * specific entry adds its checksum offloads and its way of spreading.
 * Whatever the device does not report is not used: checksums stay in
 * software, and asking for several RX queues where nothing would spread
 * replies over them is an error that says so.
 */
#include <errno.h>
#include <string.h>

#include "app/core/packet.h"
#include "drivers/driver.h"

static const struct trawl_driver_desc generic = {
	.name = "",
	.model = "any other PMD",
	.spread = TRAWL_SPREAD_RSS,
	.rss_hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP,
	.tx_csum = 0,
};

const struct trawl_driver_desc *
trawl_driver_find(const char *driver_name)
{
	for (const struct trawl_driver_desc *const *d = trawl_drivers; *d != NULL; d++)
		if (strcmp((*d)->name, driver_name) == 0)
			return *d;
	return &generic;
}

static uint8_t
csum_offloads(const struct trawl_driver_desc *d, const struct rte_eth_dev_info *info, uint64_t *txo)
{
	uint8_t hw = 0;

	if ((d->tx_csum & TRAWL_CSUM_HW_IP) && (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		hw |= TRAWL_CSUM_HW_IP;
		*txo |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	}
	if ((d->tx_csum & TRAWL_CSUM_HW_L4) && (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) {
		hw |= TRAWL_CSUM_HW_L4;
		*txo |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	}
	return hw;
}

int
trawl_driver_configure(const struct trawl_driver_desc *d, const struct rte_eth_dev_info *info,
		const struct trawl_port_req *req, struct rte_eth_conf *conf, struct trawl_port_caps *caps,
		struct trawl_err *err)
{
	memset(conf, 0, sizeof(*conf));
	memset(caps, 0, sizeof(*caps));
	caps->spread = "none";
	if (req->ntx > info->max_tx_queues)
		return trawl_err_set(err, -EINVAL, "%s has at most %u TX queues: lower --sender-threads",
				info->driver_name, info->max_tx_queues);
	if (req->nrx > info->max_rx_queues)
		return trawl_err_set(err, -EINVAL, "%s has at most %u RX queues: lower --receiver-threads",
				info->driver_name, info->max_rx_queues);
	caps->csum_hw = csum_offloads(d, info, &conf->txmode.offloads);
	caps->kernel_tx = d->kernel_tx;
	caps->link_gated = d->link_gated;
	/*
	 * A fanout group hands each flow to one of its sockets whether or not
	 * anyone reads it: with fewer RX queues polled than sockets, replies
	 * (and the gateway's ARP reply) vanish into the unread ones.
	 */
	if (d->spread == TRAWL_SPREAD_FANOUT && req->nrx != info->max_rx_queues)
		return trawl_err_set(err, -EINVAL, "%s has %u queue pairs sharing the replies: use --receiver-threads %u",
				info->driver_name, info->max_rx_queues, info->max_rx_queues);
	if (req->nrx <= 1)
		return 0;
	switch (d->spread) {
	case TRAWL_SPREAD_FANOUT:
		caps->spread = "fanout";
		return 0;
	case TRAWL_SPREAD_PEER:
		caps->spread = "peer";
		return 0;
	case TRAWL_SPREAD_RSS:
		break;
	}
	uint64_t hf = d->rss_hf & info->flow_type_rss_offloads;

	if (hf == 0)
		return trawl_err_set(err, -ENOTSUP, "%s cannot spread replies over RX queues (no RSS): "
				"use --receiver-threads 1", info->driver_name);
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
	caps->reta_size = info->reta_size;
	caps->spread = "rss";
	return 0;
}
