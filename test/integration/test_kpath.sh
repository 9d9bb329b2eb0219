#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel path (issue 22), against Linux kernels: trawl scan over an
# af_packet veth port with --kernel-iface, the targets' namespace answering
# for 198.18.0.0/16 with an nft set of open addresses on port 80 (ports
# 1-200 scanned, the others dropped: 13 M probes at the top rate, -r 0, so
# the scan outlasts the checks on any machine whose veth carries under
# 3 Mpps; this one carries 0.7). While the scan runs:
# - from the target side, ping of the scan address answers, and curl of a
#   page served by the scanner namespace's kernel on the scan address
#   returns the page;
# - a kernel-side client on the scan address completes an HTTP request to a
#   target (port 8080, which the scan does not probe);
# and afterwards: the results are exactly the open set, none on port 8080
# (the kernel client's SYN-ACK was not a result); a capture on the kernel
# interface shows the kernel got no SYN-ACK the scan validated and sent no
# RST to a scanned port; every frame on the path is counted (to the kernel
# + dropped = frames not the scan's own).
# Then a flood of UDP at the scan address during a second scan: the
# results are still exact, the scan keeps its rate, and every flood frame
# is counted (taken by the kernel, or dropped by reason).
# Needs root (namespaces, tap); skips (77) without it. Deletes all it made, also on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TRAWL=${TRAWL:-$here/../../build/app/trawl}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun: skipped"; exit 77; }
for t in ip nft curl ping tcpdump; do
	command -v $t >/dev/null || { echo "no $t: skipped"; exit 77; }
done

pass=0 fail=0
ok() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }

P=tk$$
NET=$P-net SCAN=$P-scan KIF=$P-k
DIR=$(mktemp -d "/tmp/$P.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NET" 2>/dev/null
	ip netns del "$SCAN" 2>/dev/null
	rm -rf "$DIR" /var/run/dpdk/"$P"*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the testbed ---------------------------------------------------------------------------------
ip netns add "$NET" && ip netns add "$SCAN" || exit 1
ip link add "$P-a" netns "$SCAN" type veth peer name "$P-b" netns "$NET" || exit 1
ip -n "$NET" link set lo up
ip -n "$NET" link set "$P-b" up
ip -n "$NET" addr add 198.19.0.1/24 dev "$P-b"
ip -n "$NET" route add local 198.18.0.0/16 dev lo
ip netns exec "$NET" ethtool -K "$P-b" tx off >/dev/null 2>&1
ip -n "$SCAN" link set lo up
# The port is trawl's: the kernel has no address on it and says nothing on it (no IPv6 of its own).
ip netns exec "$SCAN" sysctl -qw "net.ipv6.conf.$P-a.disable_ipv6=1"
# An af_packet port is still the kernel's interface too: a netdev ingress hook that drops everything
# keeps the kernel's stack off it (it would answer the scan's SYN-ACKs and ARP itself) while trawl's
# packet socket, which sees frames before that hook, still gets them all. A NIC bound to DPDK needs none.
ip netns exec "$SCAN" nft -f - <<NFT || exit 1
table netdev trawlport {
  chain in { type filter hook ingress device "$P-a" priority 0; policy drop; }
}
NFT
ip -n "$SCAN" link set "$P-a" up
# The survey host's set-up (docs/survey-host.md): the kernel's ephemeral ports apart from trawl's source ports.
ip netns exec "$SCAN" sysctl -qw net.ipv4.ip_local_port_range="61001 65000"

# Ground truth: 300 open addresses on port 80; port 8080 open on every address for the kernel client.
$PY - > "$DIR/open.txt" <<'PYEOF'
import random
r = random.Random(22)
for i in sorted(r.sample(range(1, 65535), 300)):
    print(f"198.18.{i >> 8}.{i & 255}")
PYEOF
{
	echo "table inet tk {"
	echo "  set open { type ipv4_addr; elements = { $(paste -sd, "$DIR/open.txt") }; }"
	echo "  chain in { type filter hook input priority 0; ip daddr 198.18.0.0/16 tcp dport 80 ip daddr != @open drop;"
	echo "    ip daddr 198.18.0.0/16 tcp dport 1-200 tcp dport != 80 drop; }"
	echo "}"
} > "$DIR/rules.nft"
ip netns exec "$NET" nft -f "$DIR/rules.nft" || exit 1
mkdir -p "$DIR/www" "$DIR/intent"
echo "<html>a target</html>" > "$DIR/www/index.html"
echo "<html>this address runs a research scan; opt out: trawl-optout@example.org</html>" > "$DIR/intent/index.html"
(cd "$DIR/www" && ip netns exec "$NET" timeout 300 $PY -m http.server --bind 0.0.0.0 80 >/dev/null 2>&1) &
PIDS="$PIDS $!"
(cd "$DIR/www" && ip netns exec "$NET" timeout 300 $PY -m http.server --bind 0.0.0.0 8080 >/dev/null 2>&1) &
PIDS="$PIDS $!"
sleep 1

# One scan with the kernel path; $1: name, $2: rate; more trawl flags after. Runs in the background.
scan() {
	local name=$1 rate=$2 ports=$3
	shift 3
	ip netns exec "$SCAN" timeout 240 "$TRAWL" scan --dev "net_af_packet0,iface=$P-a" \
		--eal "--no-huge -m 512 --no-pci --file-prefix $P-$name -l 0-1" --kernel-iface "$KIF" \
		-S 198.19.0.2 --gateway-ip 198.19.0.1 -b /dev/null -p "$ports" -r "$rate" -c 2 \
		-o "$DIR/$name.csv" -m "$DIR/$name.json" "$@" 198.18.0.0/16 2>"$DIR/$name.err" &
	SCANPID=$!
}

# Until the kernel interface has the scan address (bounded).
wait_kif() {
	for _ in $(seq 1 100); do
		ip -n "$SCAN" -4 addr show dev "$KIF" 2>/dev/null | grep -q 198.19.0.2/32 && return 0
		kill -0 "$SCANPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

meta() { $PY -c "import json,sys; m=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
sorted_results() { tail -n +2 "$1" | cut -d, -f1 | sort -u; }
sort -o "$DIR/open.txt" "$DIR/open.txt"

# --- 1. the scan address stays on the network while the scan runs ---------------------------------
scan one 0 1-200 -f saddr,sport --metrics-file "$DIR/one.prom"
wait_kif
ok $? "the kernel interface $KIF has the scan address"
[ "$(ip netns exec "$SCAN" cat /proc/sys/net/ipv6/conf/$KIF/disable_ipv6)" = 1 ]
ok $? "no IPv6 of the kernel's own on $KIF"
# What the kernel side sees and says, captured on its own interface for the rest of the scan.
ip netns exec "$SCAN" timeout 60 tcpdump -i "$KIF" -nn -U -w "$DIR/kif.pcap" 2>"$DIR/tcpdump.err" &
TCPD=$!
PIDS="$PIDS $TCPD"
# The operator's routes for follow-up tools (docs/survey-host.md): targets through the gateway on the kernel path.
ip -n "$SCAN" route add 198.18.0.0/16 via 198.19.0.1 dev "$KIF"
(cd "$DIR/intent" && ip netns exec "$SCAN" timeout 60 $PY -m http.server --bind 198.19.0.2 8000 >/dev/null 2>&1) &
PIDS="$PIDS $!"
sleep 1
ip netns exec "$NET" ping -c 3 -i 0.2 -W 2 198.19.0.2 > "$DIR/ping.txt" 2>&1
ok $? "ping of the scan address from the target side answers while the scan runs ($(tail -2 "$DIR/ping.txt" | head -1))"
page=$(ip netns exec "$NET" curl -s --max-time 5 http://198.19.0.2:8000/)
[ "$page" = "$(cat "$DIR/intent/index.html")" ]
ok $? "curl of the scan address's page from the target side returns the page"
got=$(ip netns exec "$SCAN" curl -s --max-time 5 --interface 198.19.0.2 http://198.18.7.7:8080/)
[ "$got" = "<html>a target</html>" ]
ok $? "a kernel client on the scan address completes an HTTP request to a target ($got)"
kill -0 "$SCANPID" 2>/dev/null
ok $? "the scan was still running during the checks"
wait "$SCANPID"
ok $? "the scan ends normally"
sleep 0.5
kill "$TCPD" 2>/dev/null
wait "$TCPD" 2>/dev/null
echo "scan one: $(meta "$DIR/one.json" "(m['packets_sent'], round(m['send_rate_pps']), m['send_time_s'])") (probes, pps, s)"
sorted_results "$DIR/one.csv" > "$DIR/one.found"
diff -q "$DIR/open.txt" "$DIR/one.found" >/dev/null
ok $? "results at the top rate ($(meta "$DIR/one.json" "round(m['send_rate_pps'])") pps) are exactly the open set ($(wc -l < "$DIR/one.found") of 300)"
[ "$(tail -n +2 "$DIR/one.csv" | cut -d, -f2 | sort -u)" = 80 ]
ok $? "every result is on port 80: the kernel client's SYN-ACK (port 8080) is no result"
synack=$(tcpdump -nn -r "$DIR/kif.pcap" 'tcp src portrange 1-200 and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)' 2>/dev/null | wc -l)
rst=$(tcpdump -nn -r "$DIR/kif.pcap" 'src host 198.19.0.2 and tcp dst portrange 1-200 and tcp[tcpflags] & tcp-rst != 0' 2>/dev/null | wc -l)
client=$(tcpdump -nn -r "$DIR/kif.pcap" 'tcp port 8080' 2>/dev/null | wc -l)
[ "$client" -gt 0 ]
ok $? "the capture on $KIF holds the kernel client's connection ($client packets)"
[ "$synack" = 0 ] && [ "$rst" = 0 ]
ok $? "the kernel got no SYN-ACK of the scan's ($synack) and sent no RST to a scanned port ($rst)"
# Every frame on the path in a counter: what RX handed on + the ring's drops = every frame not the
# scan's own; what reached the interface = taken by the kernel + refused + not for our MAC.
account() {
	meta "$1" "(lambda k: k['handed_on'] + k['dropped']['ring_full'] == m['frames_other'] + m['validation_failed'] and k['offered'] == k['to_kernel'] + k['dropped']['kernel_full'] + k['dropped']['not_ours'] and k['offered'] >= k['handed_on'])(m['kernel_path'])"
}
[ "$(account "$DIR/one.json")" = True ]
ok $? "every frame on the kernel path counted ($(meta "$DIR/one.json" "m['kernel_path']"))"
[ "$(meta "$DIR/one.json" "m['kernel_path']['from_kernel'] > 0 and m['kernel_path']['iface'] == '$KIF'")" = True ]
ok $? "metadata: the kernel path and what the kernel sent"
prom() { awk -v n="$1" '$1 == n { print $2 }' "$DIR/one.prom"; }
[ "$(prom trawl_kernel_path_in_total)" = "$(meta "$DIR/one.json" "m['kernel_path']['to_kernel']")" ] &&
	[ "$(prom trawl_kernel_path_out_total)" = "$(meta "$DIR/one.json" "m['kernel_path']['from_kernel']")" ] &&
	[ "$(prom trawl_kernel_path_dropped_total)" = "$(meta "$DIR/one.json" "sum(m['kernel_path']['dropped'].values())")" ]
ok $? "the last metrics file says what the metadata says of the kernel path"

# --- 2. a flood at the scan address: the scan keeps its rate and results, every frame counted --------
FLOOD=200000
scan flood 10000 80
wait_kif
ok $? "second scan: the kernel interface is up"
ip netns exec "$NET" timeout 60 $PY - "$FLOOD" > "$DIR/flood.txt" <<'PYEOF'
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = time.monotonic()
for i in range(n):
    s.sendto(b"x" * 18, ("198.19.0.2", 9 + (i & 1023)))
print(f"{n} datagrams in {time.monotonic() - t:.2f} s")
PYEOF
ok $? "the flood was sent ($(cat "$DIR/flood.txt"))"
wait "$SCANPID"
ok $? "the scan under the flood ends normally"
echo "flood: $(cat "$DIR/flood.txt"); kernel path: $(meta "$DIR/flood.json" "m['kernel_path']" 2>/dev/null)"
sorted_results "$DIR/flood.csv" > "$DIR/flood.found"
diff -q "$DIR/open.txt" "$DIR/flood.found" >/dev/null
ok $? "results under the flood are exactly the open set ($(wc -l < "$DIR/flood.found") of 300)"
[ "$(meta "$DIR/flood.json" "m['send_rate_pps'] >= 9000 and m['packets_sent'] == 65536")" = True ]
ok $? "the scan kept its rate under the flood ($(meta "$DIR/flood.json" "round(m['send_rate_pps'])") of 10000 pps)"
[ "$(account "$DIR/flood.json")" = True ]
ok $? "every frame on the kernel path counted under the flood ($(meta "$DIR/flood.json" "m['kernel_path']"))"
[ "$(meta "$DIR/flood.json" "m['frames_other'] >= $FLOOD // 10")" = True ]
ok $? "the flood reached the port ($(meta "$DIR/flood.json" "m['frames_other']") frames not the scan's own)"

echo "kernel path: $pass passed, $fail failed"
[ "$fail" = 0 ]
