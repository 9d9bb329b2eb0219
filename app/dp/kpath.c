/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "app/dp/kpath.h"

/* <linux/ipv6.h>'s, which clashes with <netinet/in.h>. */
struct in6_ifreq {
	struct in6_addr ifr6_addr;
	uint32_t ifr6_prefixlen;
	int ifr6_ifindex;
};

enum trawl_kpath_kind
trawl_kpath_choose(int have_vhost_net)
{
	return have_vhost_net ? TRAWL_KPATH_VIRTIO_USER : TRAWL_KPATH_TAP;
}

const char *
trawl_kpath_kind_name(enum trawl_kpath_kind kind)
{
	return kind == TRAWL_KPATH_VIRTIO_USER ? "virtio_user" : "net_tap";
}

int
trawl_kpath_devargs(char *buf, size_t len, char *name, size_t namelen, enum trawl_kpath_kind kind, const char *iface,
		const struct rte_ether_addr *mac)
{
	char m[RTE_ETHER_ADDR_FMT_SIZE];
	int n;

	rte_ether_format_addr(m, sizeof(m), mac);
	/* One kernel path per process: a fixed device name. The driver is the one the name starts with. */
	if (snprintf(name, namelen, "%s", kind == TRAWL_KPATH_VIRTIO_USER ? "virtio_user_trawl" : "net_tap_trawl") >=
	    (int)namelen)
		return -ENAMETOOLONG;
	if (kind == TRAWL_KPATH_VIRTIO_USER)
		n = snprintf(buf, len, "%s,path=/dev/vhost-net,queues=1,queue_size=%u,iface=%s,mac=%s", name,
				TRAWL_KPATH_DESC, iface, m);
	else
		n = snprintf(buf, len, "%s,iface=%s,mac=%s", name, iface, m);
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

/* One of the interface's IPv6 settings. @return 0 or -errno (a kernel without IPv6 has no such file). */
static int
ipv6_conf(const char *iface, const char *name, const char *value)
{
	char path[128];
	size_t len = strlen(value);
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", iface, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}

/*
 * The kernel's IPv6 on it, set before it is up. Without an IPv6 source:
 * none (it would send router solicitations and MLD reports out of the
 * port). With one: only what a host of that one address needs, no more of
 * its own on the wire: no link-local address (addr_gen_mode 1), no
 * duplicate address detection (trawl answers for the address), no router
 * solicitations, no autoconfiguration. What is left is the MLD report a
 * host sends for its address's solicited-node group.
 */
static int
kernel_ipv6(const char *iface, int on)
{
	if (!on) {
		ipv6_conf(iface, "disable_ipv6", "1\n");
		return 0;
	}
	static const char *const off[] = { "addr_gen_mode", "accept_dad", "dad_transmits", "accept_ra", "autoconf",
		"router_solicitations" };
	int rc = 0;

	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]) && rc == 0; i++)
		rc = ipv6_conf(iface, off[i], i == 0 ? "1\n" : "0\n");
	return rc != 0 ? rc : ipv6_conf(iface, "disable_ipv6", "0\n");
}

/* The IPv6 source as a /128 on the interface, and a host route to the gateway (NULL: none). */
static int
configure_iface6(const char *iface, const struct trawl_ip6 *saddr6, const struct trawl_ip6 *gateway6,
		struct trawl_err *err)
{
	struct in6_ifreq ifr6;
	struct in6_rtmsg rt;
	int fd, rc = 0, idx = (int)if_nametoindex(iface);

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || idx == 0) {
		rc = trawl_err_set(err, -errno, "kernel interface %s: IPv6: %s", iface, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	memset(&ifr6, 0, sizeof(ifr6));
	trawl_ip6_store(ifr6.ifr6_addr.s6_addr, *saddr6);
	ifr6.ifr6_prefixlen = 128;
	ifr6.ifr6_ifindex = idx;
	if (ioctl(fd, SIOCSIFADDR, &ifr6) != 0 && errno != EEXIST) {
		rc = trawl_err_set(err, -errno, "kernel interface %s: cannot give it the IPv6 source address: %s", iface,
				strerror(errno));
	} else if (gateway6 != NULL) {
		/* The address is a /128: the gateway is on the link only by this route. */
		memset(&rt, 0, sizeof(rt));
		trawl_ip6_store(rt.rtmsg_dst.s6_addr, *gateway6);
		rt.rtmsg_dst_len = 128;
		rt.rtmsg_flags = RTF_UP | RTF_HOST;
		rt.rtmsg_metric = 1;
		rt.rtmsg_ifindex = idx;
		if (ioctl(fd, SIOCADDRT, &rt) != 0 && errno != EEXIST)
			rc = trawl_err_set(err, -errno, "kernel interface %s: route to the IPv6 gateway: %s", iface,
					strerror(errno));
	}
	close(fd);
	return rc;
}

/* Up, for an interface with no IPv4 address (an IPv6 scan's without an IPv4 source). */
static int
bring_up(const char *iface, struct trawl_err *err)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return trawl_err_set(err, -errno, "kernel interface %s: socket: %s", iface, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 || (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr)) != 0)
		rc = trawl_err_set(err, -errno, "kernel interface %s: cannot bring it up: %s", iface, strerror(errno));
	close(fd);
	return rc;
}

/* What the kernel needs on its side: the address, up, the gateway's route. */
static int
configure_iface(const char *iface, uint32_t saddr, uint32_t gateway, struct trawl_err *err)
{
	struct ifreq ifr;
	struct rtentry rt;
	struct sockaddr_in *sin;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return trawl_err_set(err, -errno, "kernel interface %s: socket: %s", iface, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(saddr);
	if (ioctl(fd, SIOCSIFADDR, &ifr) != 0) {
		rc = trawl_err_set(err, -errno, "kernel interface %s: cannot give it the source address: %s", iface,
				strerror(errno));
		goto out;
	}
	sin->sin_addr.s_addr = htonl(UINT32_MAX);
	if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0) {
		rc = trawl_err_set(err, -errno, "kernel interface %s: netmask: %s", iface, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if ((rc = bring_up(iface, err)) != 0)
		goto out;
	if (gateway != 0) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = trawl_err_set(err, -errno, "kernel interface %s: socket: %s", iface, strerror(errno));
			goto out;
		}
		/* The address is a /32: the gateway is on the link only by this route. */
		memset(&rt, 0, sizeof(rt));
		sin = (struct sockaddr_in *)(void *)&rt.rt_dst;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(gateway);
		sin = (struct sockaddr_in *)(void *)&rt.rt_genmask;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(UINT32_MAX);
		rt.rt_flags = RTF_UP | RTF_HOST;
		rt.rt_dev = (char *)(uintptr_t)iface;
		if (ioctl(fd, SIOCADDRT, &rt) != 0 && errno != EEXIST)
			rc = trawl_err_set(err, -errno, "kernel interface %s: route to the gateway: %s", iface,
					strerror(errno));
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int
trawl_kpath_open(struct trawl_kpath *k, const char *iface, const struct rte_ether_addr *mac, uint32_t saddr,
		uint32_t gateway, const struct trawl_ip6 *saddr6, const struct trawl_ip6 *gateway6,
		struct rte_mempool *pool, struct trawl_err *err)
{
	struct rte_eth_conf conf;
	char args[256];
	unsigned int socket;
	int rc;

	memset(k, 0, sizeof(*k));
	k->kind = trawl_kpath_choose(access("/dev/vhost-net", R_OK | W_OK) == 0);
	k->mac = *mac;
	if (strlen(iface) >= sizeof(k->iface))
		return trawl_err_set(err, -ENAMETOOLONG, "--kernel-iface %s: at most %zu characters", iface,
				sizeof(k->iface) - 1);
	snprintf(k->iface, sizeof(k->iface), "%s", iface);
	if (trawl_kpath_devargs(args, sizeof(args), k->devname, sizeof(k->devname), k->kind, iface, mac) != 0)
		return trawl_err_set(err, -ENAMETOOLONG, "--kernel-iface %s: name too long", iface);
	{
		/*
		 * net_tap says it "failed to create multiq qdisc" and disables rte_flow
		 * where the kernel has no sch_multiq: one queue and no flow rules are
		 * all this path uses, so that is no error of ours (its real failures
		 * come back as rc, said below).
		 */
		int lt = rte_log_register("pmd.net.tap"), prev = lt >= 0 ? rte_log_get_level(lt) : -1;

		if (prev >= 0)
			rte_log_set_level(lt, RTE_LOG_CRIT);
		rc = rte_dev_probe(args);
		if (prev >= 0)
			rte_log_set_level(lt, (uint32_t)prev);
	}
	if (rc != 0)
		return trawl_err_set(err, rc, "kernel interface %s (%s): cannot create it: %s%s", iface,
				trawl_kpath_kind_name(k->kind), rte_strerror(-rc),
				k->kind == TRAWL_KPATH_TAP ? " (is /dev/net/tun there, and the name free?)" : "");
	k->probed = 1;
	if (rte_eth_dev_get_port_by_name(k->devname, &k->port) != 0)
		return trawl_err_set(err, -ENODEV, "kernel interface %s: no ethdev %s after probing", iface, k->devname);
	memset(&conf, 0, sizeof(conf));
	socket = rte_eth_dev_socket_id(k->port) < 0 ? 0 : (unsigned int)rte_eth_dev_socket_id(k->port);
	rc = rte_eth_dev_configure(k->port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(k->port, 0, TRAWL_KPATH_DESC, socket, NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(k->port, 0, TRAWL_KPATH_DESC, socket, NULL);
	if (rc != 0)
		return trawl_err_set(err, rc, "kernel interface %s: queues: %s", iface, rte_strerror(-rc));
	if (kernel_ipv6(iface, saddr6 != NULL) != 0)
		return trawl_err_set(err, -EIO, "kernel interface %s: cannot set up its IPv6 (/proc/sys/net/ipv6/conf/%s)",
				iface, iface);
	rc = rte_eth_dev_start(k->port);
	if (rc != 0)
		return trawl_err_set(err, rc, "kernel interface %s: start: %s", iface, rte_strerror(-rc));
	k->started = 1;
	rc = saddr != 0 ? configure_iface(iface, saddr, gateway, err) : bring_up(iface, err);
	if (rc == 0 && saddr6 != NULL)
		rc = configure_iface6(iface, saddr6, gateway6, err);
	return rc;
}

void
trawl_kpath_to_kernel(struct trawl_kpath *k, struct rte_mbuf **m, uint16_t n)
{
	struct rte_mbuf *keep[64];
	uint32_t len[64];
	uint16_t nk = 0, sent;

	for (; n > RTE_DIM(keep); m += RTE_DIM(keep), n -= RTE_DIM(keep))
		trawl_kpath_to_kernel(k, m, RTE_DIM(keep));
	k->offered += n;
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m[i], const struct rte_ether_hdr *);

		/* The kernel would drop another host's unicast anyway: a promiscuous port's, counted here. */
		if (m[i]->data_len < sizeof(*eth) ||
		    (!rte_is_multicast_ether_addr(&eth->dst_addr) && !rte_is_same_ether_addr(&eth->dst_addr, &k->mac))) {
			k->drop_not_ours++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		/* The port's offload flags mean nothing to the kernel's device. */
		m[i]->ol_flags = 0;
		len[nk] = m[i]->pkt_len;
		keep[nk++] = m[i];
	}
	if (nk == 0)
		return;
	sent = rte_eth_tx_burst(k->port, 0, keep, nk);
	for (uint16_t i = 0; i < sent; i++)
		k->to_kernel_bytes += len[i]; /* taken before: the PMD may have freed them */
	k->to_kernel += sent;
	if (sent < nk) {
		k->drop_kernel_full += (uint64_t)(nk - sent);
		rte_pktmbuf_free_bulk(keep + sent, nk - sent);
	}
}

uint16_t
trawl_kpath_from_kernel(struct trawl_kpath *k, struct rte_mbuf **m, uint16_t n)
{
	return rte_eth_rx_burst(k->port, 0, m, n);
}

void
trawl_kpath_close(struct trawl_kpath *k)
{
	if (k->started)
		rte_eth_dev_stop(k->port);
	k->started = 0;
	if (k->probed) {
		rte_eth_dev_close(k->port);
		rte_eal_hotplug_remove("vdev", k->devname);
	}
	k->probed = 0;
}
