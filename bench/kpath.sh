#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel path (issue 22) on one veth testbed: trawl scan over net_af_packet with
# --kernel-iface against --kernel-iface none, rounds interleaved, each at its top rate (-r 0)
# over 198.18.0.0/16 x 8 ports (the kernel answering, 300 open); then, while a slow scan runs with
# the kernel path on, iperf3 through it each way (TCP Mbit/s; UDP 64-byte datagrams, pps) and ping
# of the scan address (the kernel behind trawl) against the same over a plain veth pair between
# the same namespaces (no trawl). Prints markdown rows (bench/run.sh section 8).
#   bench/kpath.sh [ROUNDS]
# Root (namespaces, tap). Only 198.18.0.0/15, only in the namespaces this script makes; deletes them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
TRAWL=${TRAWL:-$top/build/app/trawl}
PY=/usr/bin/python3
rounds=${1:-3}
[ "$(id -u)" = 0 ] || { echo "kpath.sh: run as root" >&2; exit 1; }
for t in iperf3 ping; do command -v $t >/dev/null || { echo "kpath.sh: needs $t (deploy/setup.sh --bench)" >&2; exit 1; }; done
P=kb$$
W=$(mktemp -d "/tmp/$P.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$P-n" 2>/dev/null; ip netns del "$P-s" 2>/dev/null
	rm -rf "$W" /var/run/dpdk/"$P"-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM
N=$P-n S=$P-s K=$P-k
ip netns add "$N" && ip netns add "$S" || exit 1
ip link add "$P-a" netns "$S" type veth peer name "$P-b" netns "$N" || exit 1
ip link add "$P-c" netns "$S" type veth peer name "$P-d" netns "$N" || exit 1   # the plain pair, for the baseline
for ns in "$N" "$S"; do ip -n "$ns" link set lo up; done
ip -n "$N" addr add 198.19.0.1/24 dev "$P-b"; ip -n "$N" link set "$P-b" up
ip -n "$N" addr add 198.19.1.1/24 dev "$P-d"; ip -n "$N" link set "$P-d" up
ip -n "$S" addr add 198.19.1.2/24 dev "$P-c"; ip -n "$S" link set "$P-c" up
ip -n "$N" route add local 198.18.0.0/16 dev lo
ip netns exec "$S" sysctl -qw "net.ipv6.conf.$P-a.disable_ipv6=1"
ip netns exec "$S" sysctl -qw net.ipv4.ip_local_port_range="61001 65000"
ip netns exec "$S" nft -f - <<NFT || exit 1
table netdev trawlport {
  chain in { type filter hook ingress device "$P-a" priority 0; policy drop; }
}
NFT
ip -n "$S" link set "$P-a" up
for ns in "$N" "$S"; do for d in a b; do ip netns exec "$ns" ethtool -K "$P-$d" tx off >/dev/null 2>&1; done; done
$PY -c "
import random
r = random.Random(22)
print('table inet kb {')
print('  set open { type ipv4_addr; elements = { ' + ', '.join(f'198.18.{i >> 8}.{i & 255}' for i in r.sample(range(1, 65535), 300)) + ' }; }')
print('  chain in { type filter hook input priority 0; ip daddr 198.18.0.0/16 tcp dport 1-8 ip daddr != @open drop; }')
print('}')
" > "$W/rules.nft"
ip netns exec "$N" nft -f "$W/rules.nft" || exit 1

scan() { # $1 name, $2 kernel-iface, $3 rate, $4 ports; backgrounded when $5 = bg
	local cmd=(ip netns exec "$S" timeout 300 "$TRAWL" scan --dev "net_af_packet0,iface=$P-a"
		--eal "--no-huge -m 512 --no-pci --file-prefix $P-$1 -l 0-1" --kernel-iface "$2" -S 198.19.0.2
		--gateway-ip 198.19.0.1 -b /dev/null -p "$4" -r "$3" -c 1 -q -o /dev/null -m "$W/$1.json" 198.18.0.0/16)
	if [ "${5:-}" = bg ]; then "${cmd[@]}" & SCANPID=$!; else "${cmd[@]}"; fi
}
meta() { $PY -c "import json,sys; m=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }

# 1. Top rate, kernel path on and off, interleaved.
on="" off=""
for r in $(seq 1 "$rounds"); do
	scan "on$r" "$K" 0 1-8; on="$on $(meta "$W/on$r.json" "round(m['send_rate_pps'])")"
	scan "off$r" none 0 1-8; off="$off $(meta "$W/off$r.json" "round(m['send_rate_pps'])")"
done
$PY - "$on" "$off" <<'PY'
import statistics, sys
on, off = ([int(x) for x in a.split()] for a in sys.argv[1:3])
mo, mf = statistics.median(on), statistics.median(off)
print(f"| top rate, kernel path on | {mo/1e3:.0f} kpps (median; {min(on)/1e3:.0f}-{max(on)/1e3:.0f}) |")
print(f"| top rate, kernel path off | {mf/1e3:.0f} kpps (median; {min(off)/1e3:.0f}-{max(off)/1e3:.0f}) |")
print(f"| on / off | {100*mo/mf:.1f}% |")
PY

# 2. Through the kernel path while a slow scan runs, against the plain pair.
scan slow "$K" 2000 1-8 bg
for _ in $(seq 1 100); do ip -n "$S" -4 addr show dev "$K" 2>/dev/null | grep -q 198.19.0.2 && break; sleep 0.1; done
ip -n "$S" route add 198.19.0.0/24 dev "$K" src 198.19.0.2 2>/dev/null
ip netns exec "$N" iperf3 -s -D -1 -p 5201 >/dev/null 2>&1
iperf() { # $1 server address, $2 bind address, extra flags; prints "Mbit/s pps"
	local a=$1 b=$2
	shift 2
	ip netns exec "$N" timeout 30 iperf3 -s -1 -p 5202 >/dev/null 2>&1 & local sp=$!
	sleep 0.3
	ip netns exec "$S" timeout 30 iperf3 -c "$a" -B "$b" -p 5202 -t 4 -J "$@" > "$W/iperf.json" 2>/dev/null
	wait "$sp" 2>/dev/null
	$PY -c "
import json
j = json.load(open('$W/iperf.json'))['end']
s = j.get('sum_received') or j.get('sum')
pk = j.get('sum', {}).get('packets')
print(f\"{s['bits_per_second']/1e6:.0f} Mbit/s\" + (f', {pk/s[\"seconds\"]/1e3:.0f} kpps' if pk else ''))" 2>/dev/null || echo "n/a"
}
echo "| TCP, kernel to port (iperf3) | $(iperf 198.19.0.1 198.19.0.2) (plain veth: $(iperf 198.19.1.1 198.19.1.2)) |"
echo "| TCP, port to kernel (iperf3 -R) | $(iperf 198.19.0.1 198.19.0.2 -R) (plain veth: $(iperf 198.19.1.1 198.19.1.2 -R)) |"
echo "| UDP 64 B, kernel to port | $(iperf 198.19.0.1 198.19.0.2 -u -b 0 -l 64) (plain veth: $(iperf 198.19.1.1 198.19.1.2 -u -b 0 -l 64)) |"
echo "| UDP 64 B, port to kernel | $(iperf 198.19.0.1 198.19.0.2 -u -b 0 -l 64 -R) (plain veth: $(iperf 198.19.1.1 198.19.1.2 -u -b 0 -l 64 -R)) |"
pingavg() { ip netns exec "$N" ping -q -c 200 -i 0.01 "$1" 2>/dev/null | $PY -c "
import re, sys
m = re.search(r'= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms', sys.stdin.read())
print(f'{float(m.group(2))*1000:.0f} us avg, {float(m.group(4))*1000:.0f} us mdev' if m else 'n/a')"; }
echo "| ping of the scan address (200, 10 ms apart) | $(pingavg 198.19.0.2) (plain veth: $(pingavg 198.19.1.2)) |"
kill "$SCANPID" 2>/dev/null; wait "$SCANPID" 2>/dev/null
