#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel testbed of shared/testbed.md, as a library for tests, the demo
# and the benchmarks. Source it, then:
#   tb_up PREFIX OPEN_COUNT [SEED]   build it; the open addresses go to $TB_DIR/open.txt
#   tb_down                          delete everything tb_up made (also called on EXIT)
# Topology (every name carries PREFIX, so parallel runs never collide):
#   ns PREFIX-net  : the "internet". 198.18.0.0/16 is local (AnyIP): the kernel
#                    answers for every address; a listener on :80; nftables
#                    lets port 80 through only for the open set, and answers
#                    RST for the rest. Gateway 198.19.0.1 (to trawl) and
#                    198.19.1.1 (to peers).
#   ns PREFIX-scan : veth PREFIX-a with no kernel address: trawl owns 198.19.0.2.
#   ns PREFIX-peer : veth PREFIX-p with 198.19.1.2 for zmap/masscan.
# Only 198.18.0.0/15 is used, and only inside these namespaces.
set -u

tb_down() {
	[ -n "${TB_PREFIX:-}" ] || return 0
	[ -n "${TB_LISTENER_PID:-}" ] && kill "$TB_LISTENER_PID" 2>/dev/null
	for ns in "$TB_PREFIX-net" "$TB_PREFIX-scan" "$TB_PREFIX-peer"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${TB_DIR:-}" ] && rm -rf "$TB_DIR"
	# The EAL runtime directories of the DPDK processes run against this testbed.
	rm -rf /var/run/dpdk/"$TB_PREFIX" /var/run/dpdk/"$TB_PREFIX"-*
	TB_PREFIX=""
}

tb_up() {
	TB_PREFIX=$1
	local nopen=$2 seed=${3:-$RANDOM}
	TB_DIR=$(mktemp -d "/tmp/$TB_PREFIX.XXXXXX")
	# Run tb_down at exit as well as whatever the caller had set up (not instead of it).
	local prev
	prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
	trap "tb_down; ${prev:-:}" EXIT
	trap 'tb_down; exit 130' INT TERM
	local net=$TB_PREFIX-net scan=$TB_PREFIX-scan peer=$TB_PREFIX-peer
	ip netns add "$net" && ip netns add "$scan" && ip netns add "$peer" || return 1
	ip link add "$TB_PREFIX-a" netns "$scan" type veth peer name "$TB_PREFIX-b" netns "$net" || return 1
	ip link add "$TB_PREFIX-p" netns "$peer" type veth peer name "$TB_PREFIX-c" netns "$net" || return 1
	ip -n "$net" link set lo up
	ip -n "$net" link set "$TB_PREFIX-b" up
	ip -n "$net" link set "$TB_PREFIX-c" up
	ip -n "$net" addr add 198.19.0.1/24 dev "$TB_PREFIX-b"
	ip -n "$net" addr add 198.19.1.1/24 dev "$TB_PREFIX-c"
	ip -n "$net" route add local 198.18.0.0/16 dev lo
	ip -n "$scan" link set lo up
	ip -n "$scan" link set "$TB_PREFIX-a" up
	ip -n "$peer" link set lo up
	ip -n "$peer" link set "$TB_PREFIX-p" up
	ip -n "$peer" addr add 198.19.1.2/24 dev "$TB_PREFIX-p"
	ip -n "$peer" route add 198.18.0.0/15 via 198.19.1.1
	# Real checksums on the wire, so tshark and the scanners see what a NIC would send.
	for dev in "$TB_PREFIX-b" "$TB_PREFIX-c"; do
		ip netns exec "$net" ethtool -K "$dev" tx off >/dev/null 2>&1
	done
	ip netns exec "$peer" ethtool -K "$TB_PREFIX-p" tx off >/dev/null 2>&1
	# A fast scan is a SYN flood to the kernel: let it answer them all.
	ip netns exec "$net" sysctl -qw net.ipv4.tcp_max_syn_backlog=65536 net.core.somaxconn=65535 \
		net.ipv4.tcp_syncookies=2 net.ipv4.tcp_synack_retries=1 net.ipv4.icmp_ratelimit=0
	# The ground truth: NOPEN random addresses of 198.18.0.0/16 (never .0 or .255 hosts, to stay plain).
	python3 - "$nopen" "$seed" > "$TB_DIR/open.txt" <<'PY' || return 1
import random, sys
n, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
pool = [f"198.18.{a}.{b}" for a in range(256) for b in range(1, 255)]
for ip in sorted(rng.sample(pool, n), key=lambda s: tuple(map(int, s.split(".")))):
    print(ip)
PY
	{
		echo "table inet tb {"
		echo "  set open { type ipv4_addr; flags interval; elements = { $(paste -sd, "$TB_DIR/open.txt") } }"
		echo "  chain in { type filter hook input priority 0; policy accept;"
		echo "    ip daddr 198.18.0.0/16 tcp dport 80 ip daddr != @open reject with tcp reset"
		echo "  }"
		echo "}"
	} > "$TB_DIR/rules.nft"
	ip netns exec "$net" nft -f "$TB_DIR/rules.nft" || return 1
	# One listener on 0.0.0.0:80 answers for every local address (AnyIP). Bounded life.
	ip netns exec "$net" timeout 900 python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(65535)
while True: time.sleep(3600)
' &
	TB_LISTENER_PID=$!
	for _ in $(seq 50); do
		ip netns exec "$net" ss -ltn 2>/dev/null | grep -q ':80 ' && break
		sleep 0.1
	done
	TB_GW_MAC_PEER=$(ip netns exec "$net" cat "/sys/class/net/$TB_PREFIX-c/address")
	export TB_PREFIX TB_DIR TB_LISTENER_PID TB_GW_MAC_PEER
}

