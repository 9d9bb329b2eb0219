/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "drivers/driver.h"
#include "app/core/faultguard.h"
#include "app/dp/port.h"

int
trawl_port_find(const char *spec, struct trawl_port *p, struct trawl_err *err)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(spec, ",");
	uint16_t id;

	memset(p, 0, sizeof(*p));
	if (len >= sizeof(name))
		return trawl_err_set(err, -ENODEV, "--dev '%s': name too long", spec);
	memcpy(name, spec, len);
	name[len] = '\0';
	if (rte_eth_dev_get_port_by_name(name, &id) != 0) {
		/* A PCI address may be spelled differently from the ethdev name: take the only port. */
		if (rte_eth_dev_count_avail() != 1)
			return trawl_err_set(err, -ENODEV, "--dev '%s': no such DPDK port (%u ports found)",
					spec, rte_eth_dev_count_avail());
		RTE_ETH_FOREACH_DEV(id)
			break;
	}
	p->id = id;
	p->socket = rte_eth_dev_socket_id(id);
	if (p->socket < 0)
		p->socket = 0;
	if (rte_eth_macaddr_get(id, &p->mac) != 0)
		return trawl_err_set(err, -ENODEV, "--dev '%s': cannot read its MAC address", spec);
	return 0;
}

/*
 * Every RX queue the same share of the redirection table, round robin: some
 * PMDs start with a table over fewer queues than configured.
 */
static int
spread_reta(uint16_t port, uint16_t reta_size, uint16_t nrx)
{
	struct rte_eth_rss_reta_entry64 reta[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE * 4];
	uint16_t groups = (uint16_t)((reta_size + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE);

	if (groups > RTE_DIM(reta))
		return -ENOTSUP;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % nrx;
	}
	return rte_eth_dev_rss_reta_update(port, reta, reta_size);
}

int
trawl_port_start(struct trawl_port *p, uint16_t nrx, uint16_t ntx, struct rte_mempool *pool,
		struct trawl_err *err)
{
	struct trawl_port_req req = { .nrx = nrx, .ntx = ntx };
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t nb_rxd = TRAWL_RX_DESC, nb_txd = TRAWL_TX_DESC;
	int rc;

	rc = rte_eth_dev_info_get(p->id, &info);
	if (rc != 0)
		return trawl_err_set(err, rc, "port %u: cannot get device info: %s", p->id, rte_strerror(-rc));
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	rc = trawl_driver_configure(trawl_driver_find(info.driver_name), &info, &req, &conf, &p->caps, err);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_configure(p->id, nrx, ntx, &conf);
	if (rc != 0)
		return trawl_err_set(err, rc, "port %u (%s): configure %u RX / %u TX queues: %s",
				p->id, p->driver, nrx, ntx, rte_strerror(-rc));
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return trawl_err_set(err, rc, "port %u: descriptor counts: %s", p->id, rte_strerror(-rc));
	for (uint16_t q = 0; q < nrx; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, nb_rxd, p->socket, NULL, pool);
		if (rc != 0)
			return trawl_err_set(err, rc, "port %u: RX queue %u: %s", p->id, q, rte_strerror(-rc));
	}
	for (uint16_t q = 0; q < ntx; q++) {
		rc = rte_eth_tx_queue_setup(p->id, q, nb_txd, p->socket, NULL);
		if (rc != 0)
			return trawl_err_set(err, rc, "port %u: TX queue %u: %s", p->id, q, rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(p->id);
	if (rc != 0)
		return trawl_err_set(err, rc, "port %u (%s): start: %s%s", p->id, p->driver, rte_strerror(-rc),
				p->caps.link_gated ? " (memif client: is a server listening on that socket?)" : "");
	if (p->caps.reta_size != 0) {
		rc = spread_reta(p->id, p->caps.reta_size, nrx);
		if (rc != 0)
			return trawl_err_set(err, rc, "port %u (%s): RSS redirection table of %u: %s", p->id,
					p->driver, p->caps.reta_size, rte_strerror(-rc));
	}
	if (p->caps.link_gated) {
		rc = trawl_guard_install();
		if (rc != 0)
			return trawl_err_set(err, rc, "port %u (%s): fault guard: %s", p->id, p->driver, strerror(-rc));
	}
	p->started = 1;
	return 0;
}

void
trawl_port_close(struct trawl_port *p)
{
	if (p->started) {
		rte_eth_dev_stop(p->id);
		p->started = 0;
	}
	rte_eth_dev_close(p->id);
}

/* Guarded bursts (see port.h): the arguments travel through trawl_guard_run's void *. */
struct burst {
	uint16_t port, queue, n, done;
	struct rte_mbuf **m;
};

static uint64_t abandoned;

static void
rx_burst(void *arg)
{
	struct burst *b = arg;

	b->done = rte_eth_rx_burst(b->port, b->queue, b->m, b->n);
}

static void
tx_burst(void *arg)
{
	struct burst *b = arg;

	b->done = rte_eth_tx_burst(b->port, b->queue, b->m, b->n);
}

/*
 * Run one burst guarded. A fault is expected only once the peer has left
 * (link down); with the link up it is a real bug, and we stop there.
 * @p on_fault: what the caller is told (RX: nothing received; TX: all taken,
 * since the PMD may have freed some already and freeing them again would
 * corrupt the pool).
 */
static uint16_t
guarded(struct burst *b, void (*fn)(void *), uint16_t on_fault, const char *dir)
{
	if (!trawl_port_link_up(b->port))
		return 0;
	if (trawl_guard_run(fn, b) == 0)
		return b->done;
	if (trawl_port_link_up(b->port))
		rte_panic("port %u: fault inside a %s burst with the link up\n", b->port, dir);
	__atomic_fetch_add(&abandoned, 1, __ATOMIC_RELAXED);
	return on_fault;
}

uint16_t
trawl_port_rx_guarded(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n)
{
	struct burst b = { .port = port, .queue = queue, .n = n, .m = m };

	return guarded(&b, rx_burst, 0, "receive");
}

uint16_t
trawl_port_tx_guarded(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n)
{
	struct burst b = { .port = port, .queue = queue, .n = n, .m = m };

	return guarded(&b, tx_burst, n, "transmit");
}

uint64_t
trawl_port_bursts_abandoned(void)
{
	return __atomic_load_n(&abandoned, __ATOMIC_RELAXED);
}
