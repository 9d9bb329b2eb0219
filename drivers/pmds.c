/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PMDs trawl knows by name, with what their DPDK 22.11 guides
 * (doc/guides/nics/<pmd>.rst and features/<pmd>.ini) document: RSS with a
 * redirection table over IPv4 and IPv6 flows, and TCP checksum offload
 * (IPv4's header checksum too). At start the device's
 * rte_eth_dev_info is checked too, so a VF or an older part without a
 * feature just falls back (software checksums, one RX queue).
 */
#include <stddef.h>

#include "app/core/packet.h"
#include "drivers/driver.h"

/* IPv4 and IPv6 (issue 24), addresses and TCP/UDP ports: the same queue for a flow either way. */
#define RSS_L3L4 (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP | \
		RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)
#define CSUM_ALL (TRAWL_CSUM_HW_IP | TRAWL_CSUM_HW_L4)

/* Intel 82599/X520/X540/X550: RETA of 128 (512 on X550), RSS over up to 16 queues. */
static const struct trawl_driver_desc ixgbe = {
	.name = "net_ixgbe", .model = "Intel 82599/X5x0 (ixgbe)",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = CSUM_ALL,
};

/* Intel X710/XL710/XXV710: RETA of 512 on the PF, up to 64 RSS queues. */
static const struct trawl_driver_desc i40e = {
	.name = "net_i40e", .model = "Intel 700 series (i40e)",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = CSUM_ALL,
};

/* Intel E810: RETA of 2048 on the PF. */
static const struct trawl_driver_desc ice = {
	.name = "net_ice", .model = "Intel E810 (ice)",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = CSUM_ALL,
};

/* The VFs of i40e and ice. */
static const struct trawl_driver_desc iavf = {
	.name = "net_iavf", .model = "Intel adaptive VF (iavf)",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = CSUM_ALL,
};

/* NVIDIA/Mellanox ConnectX-4 and later: RETA up to 512, L3/L4 checksums. */
static const struct trawl_driver_desc mlx5 = {
	.name = "mlx5_pci", .model = "NVIDIA ConnectX (mlx5)",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = CSUM_ALL,
};

/*
 * virtio-net: TCP/UDP checksum offload when the host offers
 * VIRTIO_NET_F_CSUM, no IPv4 header checksum offload; RSS only where the
 * device offers VIRTIO_NET_F_RSS (dev_info says so at run time).
 */
static const struct trawl_driver_desc virtio = {
	.name = "net_virtio", .model = "virtio-net",
	.spread = TRAWL_SPREAD_RSS, .rss_hf = RSS_L3L4, .tx_csum = TRAWL_CSUM_HW_L4,
};

/*
 * AF_PACKET: with qpairs=N the PMD opens N sockets in one PACKET_FANOUT
 * group (hash mode): the kernel spreads replies by flow, no RSS needed, but
 * every socket must be read (--receiver-threads N). Its RX ring is framecnt
 * frames (512 by default), and the PMD does not count what a full ring drops:
 * 512 lost replies at -r 0 on one queue; 4096 still lost some (1 run in 6)
 * with two queue pairs at 250 kpps while a sendto held the lcore; 16384 (32
 * MiB a ring, RX and TX per queue pair) lost none in 10. Each TX burst is
 * a sendto() in which the kernel carries the frames on (veth, the targets'
 * stack) on the sending CPU; when the ring is full, spinning only takes the
 * CPU from that work (sched_yield when full: +7% at the sink on the veth
 * testbed, 8 pairs).
 */
static const struct trawl_driver_desc af_packet = {
	.name = "net_af_packet", .model = "Linux AF_PACKET socket",
	.spread = TRAWL_SPREAD_FANOUT, .devargs = "framecnt=16384", .kernel_tx = 1,
};

/*
 * memif: one ring pair per queue; the peer decides which queue a reply
 * takes. The peer is another process that can exit at any time: see
 * trawl_port_link_up().
 *
 * Both ends must have the same queue counts, and DPDK 22.11 does not check
 * it the one way round: a server with more queues than its client connects,
 * and its extra queues then read and write the client's ring 0 (seen here:
 * the responder got more probes than were sent, the scanner lost replies,
 * nothing counted). A client with more queues than the server is refused
 * (link down). So trawl puts its counts in the connection's secret
 * ("trawl-<client-to-server>x<server-to-client>", app/eal_args.c): a client
 * always sends it, a server with other than one queue pair asks for it, and
 * any mismatch is refused at connection. A server with one queue pair asks
 * for nothing, so other memif clients (testpmd, VPP) still connect to it.
 */
static const struct trawl_driver_desc memif = {
	.name = "net_memif", .model = "shared-memory interface (memif)",
	.spread = TRAWL_SPREAD_PEER, .link_gated = 1, .queue_secret = 1,
};

const struct trawl_driver_desc *const trawl_drivers[] = {
	&ixgbe, &i40e, &ice, &iavf, &mlx5, &virtio, &af_packet, &memif, NULL,
};
