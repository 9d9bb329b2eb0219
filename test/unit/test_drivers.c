/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/: what each PMD entry asks of a port, given what the device
 * reports (an rte_eth_dev_info filled by hand: no EAL, no device), and the
 * default vdev arguments an entry adds to --dev.
 */
#include <errno.h>
#include <string.h>

#include "test/unit/check.h"
#include "app/dp/eal_args.h"
#include "app/dp/kpath.h"
#include "app/probes/probe.h"
#include "drivers/driver.h"

static struct rte_eth_dev_info
nic(const char *driver, uint64_t tx_capa, uint64_t rss, uint16_t reta)
{
	struct rte_eth_dev_info i;

	memset(&i, 0, sizeof(i));
	i.driver_name = driver;
	i.max_rx_queues = 64;
	i.max_tx_queues = 64;
	i.tx_offload_capa = tx_capa;
	i.flow_type_rss_offloads = rss;
	i.reta_size = reta;
	return i;
}

#define CSUM_CAPA (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
#define RSS_ALL (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static int
configure(const struct rte_eth_dev_info *i, uint16_t nrx, uint16_t ntx, struct rte_eth_conf *conf,
		struct trawl_port_caps *caps, struct trawl_err *err)
{
	struct trawl_port_req req = { .nrx = nrx, .ntx = ntx };

	return trawl_driver_configure(trawl_driver_find(i->driver_name), i, &req, conf, caps, err);
}

static void
test_nics_use_offloads_and_rss(void)
{
	static const char *const names[] = { "net_ixgbe", "net_i40e", "net_ice", "net_iavf", "mlx5_pci" };
	struct rte_eth_conf conf;
	struct trawl_port_caps caps;
	struct trawl_err err = { 0 };

	for (size_t k = 0; k < RTE_DIM(names); k++) {
		struct rte_eth_dev_info i = nic(names[k], CSUM_CAPA, RSS_ALL, 512);

		CHECK(strcmp(trawl_driver_find(names[k])->name, names[k]) == 0);
		CHECK(configure(&i, 4, 2, &conf, &caps, &err) == 0);
		CHECK_EQ_U64(caps.csum_hw, TRAWL_CSUM_HW_IP | TRAWL_CSUM_HW_L4);
		CHECK_EQ_U64(conf.txmode.offloads, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
		CHECK(conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS);
		CHECK(conf.rx_adv_conf.rss_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP);
		CHECK(conf.rx_adv_conf.rss_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV6_TCP);
		CHECK_EQ_U64(caps.reta_size, 512);
		CHECK(strcmp(caps.spread, "rss") == 0);
		CHECK(caps.kernel_tx == 0 && caps.link_gated == 0);
		/* One RX queue: no RSS, no table to program. */
		CHECK(configure(&i, 1, 1, &conf, &caps, &err) == 0);
		CHECK(conf.rxmode.mq_mode == RTE_ETH_MQ_RX_NONE);
		CHECK_EQ_U64(caps.reta_size, 0);
	}
}

static void
test_software_fallbacks(void)
{
	struct rte_eth_conf conf;
	struct trawl_port_caps caps;
	struct trawl_err err = { 0 };
	/* An ixgbe the device says has no checksum offload (a VF, a quirk): software checksums. */
	struct rte_eth_dev_info i = nic("net_ixgbe", 0, RSS_ALL, 128);

	CHECK(configure(&i, 2, 1, &conf, &caps, &err) == 0);
	CHECK_EQ_U64(caps.csum_hw, 0);
	CHECK_EQ_U64(conf.txmode.offloads, 0);
	/* virtio: TCP checksum offload only, the IPv4 header in software, whatever the device says. */
	i = nic("net_virtio", CSUM_CAPA, 0, 0);
	CHECK(configure(&i, 1, 1, &conf, &caps, &err) == 0);
	CHECK_EQ_U64(caps.csum_hw, TRAWL_CSUM_HW_L4);
	CHECK_EQ_U64(conf.txmode.offloads, RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	/* ...and without VIRTIO_NET_F_RSS, one RX queue, said plainly. */
	CHECK(configure(&i, 2, 1, &conf, &caps, &err) != 0);
	CHECK(strstr(err.msg, "--receiver-threads 1") != NULL);
	/* A PMD without an entry: generic, no offloads even if offered. */
	i = nic("net_null", CSUM_CAPA, 0, 0);
	CHECK(trawl_driver_find("net_null")->tx_csum == 0);
	CHECK(configure(&i, 1, 1, &conf, &caps, &err) == 0);
	CHECK_EQ_U64(caps.csum_hw, 0);
	CHECK(configure(&i, 2, 2, &conf, &caps, &err) != 0);
	/* Queue limits. */
	i = nic("net_ice", CSUM_CAPA, RSS_ALL, 2048);
	i.max_tx_queues = 4;
	CHECK(configure(&i, 1, 8, &conf, &caps, &err) != 0);
	CHECK(strstr(err.msg, "--sender-threads") != NULL);
}

static void
test_software_spreaders(void)
{
	struct rte_eth_conf conf;
	struct trawl_port_caps caps;
	struct trawl_err err = { 0 };
	struct rte_eth_dev_info i = nic("net_af_packet", 0, 0, 0);

	/* af_packet reports no RSS, but qpairs share a PACKET_FANOUT group. */
	i.max_rx_queues = i.max_tx_queues = 2; /* qpairs=2 */
	CHECK(configure(&i, 2, 2, &conf, &caps, &err) == 0);
	CHECK(strcmp(caps.spread, "fanout") == 0);
	CHECK(caps.kernel_tx == 1);
	CHECK(conf.rxmode.mq_mode == RTE_ETH_MQ_RX_NONE);
	/* ...and every socket of the group must be read, or what lands on the others is lost. */
	CHECK(configure(&i, 1, 2, &conf, &caps, &err) != 0);
	CHECK(strstr(err.msg, "--receiver-threads 2") != NULL);
	i.max_rx_queues = i.max_tx_queues = 1;
	CHECK(configure(&i, 1, 1, &conf, &caps, &err) == 0);
	i = nic("net_memif", 0, 0, 0);
	CHECK(configure(&i, 2, 2, &conf, &caps, &err) == 0);
	CHECK(strcmp(caps.spread, "peer") == 0);
	CHECK(caps.link_gated == 1);
}

static void
test_vdev_default_args(void)
{
	struct trawl_eal_args a;

	CHECK(trawl_eal_args_build(&a, "trawl", "--no-pci", "net_af_packet0,iface=v0", 1, 1) == 0);
	CHECK(strcmp(a.argv[a.argc - 2], "--vdev") == 0);
	CHECK(strcmp(a.argv[a.argc - 1], "net_af_packet0,iface=v0,framecnt=16384") == 0);
	trawl_eal_args_free(&a);
	/* The user's own value wins. */
	CHECK(trawl_eal_args_build(&a, "trawl", NULL, "net_af_packet0,iface=v0,framecnt=1024", 1, 1) == 0);
	CHECK(strcmp(a.argv[a.argc - 1], "net_af_packet0,iface=v0,framecnt=1024") == 0);
	trawl_eal_args_free(&a);
	CHECK(trawl_eal_args_build(&a, "trawl", NULL, "net_null0", 1, 1) == 0);
	CHECK(strcmp(a.argv[a.argc - 1], "net_null0") == 0);
	trawl_eal_args_free(&a);
	CHECK(trawl_eal_args_build(&a, "trawl", NULL, "0000:03:00.0", 1, 1) == 0);
	CHECK(strcmp(a.argv[a.argc - 2], "-a") == 0 && strcmp(a.argv[a.argc - 1], "0000:03:00.0") == 0);
	trawl_eal_args_free(&a);
}

/* How often argv holds @p word. */
static int
argv_count(const struct trawl_eal_args *a, const char *word)
{
	int n = 0;

	for (int i = 0; i < a->argc; i++)
		n += strcmp(a->argv[i], word) == 0;
	return n;
}

/*
 * A vdev run lets the EAL probe no PCI device (issue 12: on a VM it tried the
 * machine's own virtio NIC), unless --eal says which PCI devices it may
 * touch; a PCI --dev is allowed alone.
 */
static void
test_no_pci(void)
{
	static const char *const chosen[] = { "-a 0000:03:00.0", "-a0000:03:00.0", "--allow=0000:03:00.0",
		"--allow 03:00.0", "-b 0000:05:00.0", "--block=0000:05:00.0", "--no-pci", NULL };
	struct trawl_eal_args a;

	CHECK(trawl_eal_args_build(&a, "trawl", NULL, "net_null0", 1, 1) == 0);
	CHECK(argv_count(&a, "--no-pci") == 1);
	trawl_eal_args_free(&a);
	CHECK(trawl_eal_args_build(&a, "trawl", "--no-huge -m 512 --file-prefix x", "net_memif0,role=server", 2, 2) == 0);
	CHECK(argv_count(&a, "--no-pci") == 1);
	trawl_eal_args_free(&a);
	for (unsigned int i = 0; chosen[i] != NULL; i++) {
		CHECK(trawl_eal_args_build(&a, "trawl", chosen[i], "net_null0", 1, 1) == 0);
		CHECK(argv_count(&a, "--no-pci") == (strcmp(chosen[i], "--no-pci") == 0));
		trawl_eal_args_free(&a);
	}
	/* Words that only look alike are not a choice. */
	CHECK(trawl_eal_args_build(&a, "trawl", "--allowed-nothing --base-virtaddr=0x100000000", "net_null0", 1, 1)
			== 0);
	CHECK(argv_count(&a, "--no-pci") == 1);
	trawl_eal_args_free(&a);
	CHECK(trawl_eal_args_build(&a, "trawl", NULL, "0000:03:00.0", 1, 1) == 0);
	CHECK(argv_count(&a, "--no-pci") == 0 && argv_count(&a, "-a") == 1);
	trawl_eal_args_free(&a);
	/* Hugepage files unlinked once mapped, unless --eal decides how they live. */
	CHECK(trawl_eal_args_build(&a, "trawl", "-l 0", "net_null0", 1, 1) == 0);
	CHECK(argv_count(&a, "--huge-unlink=always") == 1);
	trawl_eal_args_free(&a);
	{
		static const char *const own[] = { "--no-huge -m 512", "--in-memory", "--huge-unlink=never",
			"--single-file-segments", NULL };

		for (unsigned int i = 0; own[i] != NULL; i++) {
			CHECK(trawl_eal_args_build(&a, "trawl", own[i], "net_null0", 1, 1) == 0);
			CHECK(argv_count(&a, "--huge-unlink=always") == 0);
			trawl_eal_args_free(&a);
		}
	}
	/* No device (`trawl --version` paths): nothing added. */
	CHECK(trawl_eal_args_build(&a, "trawl", NULL, NULL, 1, 1) == 0);
	CHECK(argv_count(&a, "--no-pci") == 0);
	trawl_eal_args_free(&a);
}

/*
 * memif's queue counts travel in its secret, so a peer with other counts is
 * refused at connection instead of sharing ring 0 (drivers/pmds.c): the
 * client always says them, counted client-to-server first; a server asks
 * only when it has other than one queue pair; a secret given wins.
 */
static void
test_memif_queue_secret(void)
{
	static const struct { const char *spec; uint16_t nrx, ntx; const char *want; } cases[] = {
		{ "net_memif0,role=client,socket=/s", 2, 2, "net_memif0,role=client,socket=/s,secret=trawl-2x2" },
		{ "net_memif0,socket=/s", 1, 1, "net_memif0,socket=/s,secret=trawl-1x1" },          /* client by default */
		{ "net_memif0,role=client,socket=/s", 1, 2, "net_memif0,role=client,socket=/s,secret=trawl-2x1" },
		{ "net_memif0,role=server,socket=/s", 1, 2, "net_memif0,role=server,socket=/s,secret=trawl-1x2" },
		{ "net_memif0,role=server,socket=/s", 3, 3, "net_memif0,role=server,socket=/s,secret=trawl-3x3" },
		{ "net_memif0,role=server,socket=/s", 1, 1, "net_memif0,role=server,socket=/s" },
		{ "net_memif0,role=client,secret=mine", 2, 2, "net_memif0,role=client,secret=mine" },
	};
	struct trawl_eal_args a;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(trawl_eal_args_build(&a, "trawl", NULL, cases[i].spec, cases[i].nrx, cases[i].ntx) == 0);
		if (strcmp(a.argv[a.argc - 1], cases[i].want) != 0)
			fprintf(stderr, "case %u: %s\n", i, a.argv[a.argc - 1]);
		CHECK(strcmp(a.argv[a.argc - 1], cases[i].want) == 0);
		trawl_eal_args_free(&a);
	}
}

/* The kernel path: virtio_user over vhost-net where the host has it, net_tap otherwise; the devargs each needs. */
static void
test_kpath_choice(void)
{
	const struct rte_ether_addr mac = { { 0x02, 0x00, 0x00, 0xab, 0xcd, 0xef } };
	char args[256], name[32], small[24];

	CHECK(trawl_kpath_choose(1) == TRAWL_KPATH_VIRTIO_USER);
	CHECK(trawl_kpath_choose(0) == TRAWL_KPATH_TAP);
	CHECK(strcmp(trawl_kpath_kind_name(TRAWL_KPATH_TAP), "net_tap") == 0);
	CHECK(strcmp(trawl_kpath_kind_name(TRAWL_KPATH_VIRTIO_USER), "virtio_user") == 0);
	CHECK(trawl_kpath_devargs(args, sizeof(args), name, sizeof(name), TRAWL_KPATH_TAP, "trawl0", &mac) == 0);
	CHECK(strcmp(args, "net_tap_trawl,iface=trawl0,mac=02:00:00:AB:CD:EF") == 0);
	CHECK(strcmp(name, "net_tap_trawl") == 0);
	CHECK(trawl_kpath_devargs(args, sizeof(args), name, sizeof(name), TRAWL_KPATH_VIRTIO_USER, "scan0", &mac) == 0);
	CHECK(strcmp(args, "virtio_user_trawl,path=/dev/vhost-net,queues=1,queue_size=512,iface=scan0,"
			"mac=02:00:00:AB:CD:EF") == 0);
	CHECK(strcmp(name, "virtio_user_trawl") == 0);
	CHECK(trawl_kpath_devargs(small, sizeof(small), name, sizeof(name), TRAWL_KPATH_TAP, "trawl0", &mac) ==
			-ENAMETOOLONG);
}

int
main(void)
{
	RUN(test_nics_use_offloads_and_rss);
	RUN(test_software_fallbacks);
	RUN(test_software_spreaders);
	RUN(test_vdev_default_args);
	RUN(test_no_pci);
	RUN(test_memif_queue_secret);
	RUN(test_kpath_choice);
	return check_done();
}
