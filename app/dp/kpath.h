/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_KPATH_H
#define TRAWL_KPATH_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "app/core/err.h"
#include "app/core/ipv6.h"

/*
 * The kernel path (exception path): a kernel interface for the port, so
 * the scan address keeps its intent page, ping and same-host tools while
 * trawl owns the NIC. It carries the source addresses (a /32 and a /128,
 * each with a host route to its gateway) and the port's MAC. Frames the port receives that
 * are not the scan's own go to it; what the kernel sends on it goes out of
 * the port. DPDK's exception-path devices: virtio_user over vhost-net where
 * the host has /dev/vhost-net (DPDK's how-to "virtio_user as exception
 * path"; KNI left in 23.11), net_tap otherwise.
 *
 * Polled by the control role on the main lcore, a burst each way per round
 * at most: a flood at the scan address fills bounded rings and is dropped
 * and counted, never waited for, so the scan's own lcores never carry it.
 */
enum trawl_kpath_kind {
	TRAWL_KPATH_TAP,
	TRAWL_KPATH_VIRTIO_USER,
};

#define TRAWL_KPATH_DESC 512  /* descriptors each way on the kernel interface */

struct trawl_kpath {
	enum trawl_kpath_kind kind;
	char iface[IF_NAMESIZE];
	char devname[32];             /**< the vdev's name (its ethdev's) */
	uint16_t port;                /**< its ethdev */
	int probed, started;
	struct rte_ether_addr mac;    /**< the port's: frames for it (and broadcast, multicast) go to the kernel */

	/* Counters (the main lcore writes and reads them). */
	uint64_t offered;             /**< frames handed to trawl_kpath_to_kernel: to_kernel + drop_kernel_full + drop_not_ours */
	uint64_t to_kernel;           /**< frames the kernel took */
	uint64_t to_kernel_bytes;
	uint64_t from_kernel;         /**< kernel frames handed to the port's TX */
	uint64_t from_kernel_bytes;
	uint64_t drop_kernel_full;    /**< frames for the kernel it did not take */
	uint64_t drop_port_full;      /**< kernel frames the TX ring had no room for */
	uint64_t drop_not_ours;       /**< unicast frames for another MAC (a promiscuous port) */
};

/** Which device: virtio_user over vhost-net if @p have_vhost_net, else net_tap. */
enum trawl_kpath_kind trawl_kpath_choose(int have_vhost_net);

/** "virtio_user" or "net_tap". */
const char *trawl_kpath_kind_name(enum trawl_kpath_kind kind);

/**
 * The devargs that create the interface @p iface with MAC @p mac (and its
 * ethdev's name in @p name). @return 0, or -ENAMETOOLONG.
 */
int trawl_kpath_devargs(char *buf, size_t len, char *name, size_t namelen, enum trawl_kpath_kind kind,
		const char *iface, const struct rte_ether_addr *mac);

/**
 * Create the interface (after the EAL, as root), start it with RX buffers
 * from @p pool, give it @p saddr/32 (0: no IPv4) and a host route to
 * @p gateway (0: none), @p saddr6/128 (NULL: IPv6 off on it, no router
 * solicitations of its own on the wire) and a host route to @p gateway6
 * (NULL: none), and bring it up. Its IPv6 has no link-local address, no
 * duplicate address detection, router solicitation or autoconfiguration
 * (trawl answers neighbour solicitations for the address).
 * @return 0 or -errno with the reason in @p err.
 */
int trawl_kpath_open(struct trawl_kpath *k, const char *iface, const struct rte_ether_addr *mac, uint32_t saddr,
		uint32_t gateway, const struct trawl_ip6 *saddr6, const struct trawl_ip6 *gateway6,
		struct rte_mempool *pool, struct trawl_err *err);

/** Hand @p n frames to the kernel; consumes them (what it does not take is counted and freed). */
void trawl_kpath_to_kernel(struct trawl_kpath *k, struct rte_mbuf **m, uint16_t n);

/** Up to @p n frames the kernel sent. */
uint16_t trawl_kpath_from_kernel(struct trawl_kpath *k, struct rte_mbuf **m, uint16_t n);

/** Stop it and remove the interface (safe on one never opened). */
void trawl_kpath_close(struct trawl_kpath *k);

#endif
