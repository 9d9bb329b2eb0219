#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Services, not ports (issue 21), on one veth sink: `trawl respond` with 2,000 HTTP services and
# middlebox blocks in 198.18.0.0/16 (MBOX_SHARE of the addresses, SYN-ACK on every port, never data);
# trawl -M tcp_banner --probe-args http against masscan --banners on the same sink, rounds
# interleaved, each at its top rate: time and banners found; and the canaries' cost, --canaries 2
# against 0 in the same round (probes and time). Prints markdown rows (bench/run.sh section 7).
#   bench/banner.sh [ROUNDS]
# Root (namespaces). Only 198.18.0.0/15, only in the namespaces this script makes; deletes them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
TRAWL=${TRAWL:-$top/build/app/trawl}
PY=/usr/bin/python3
rounds=${1:-3}
[ "$(id -u)" = 0 ] || { echo "banner.sh: run as root" >&2; exit 1; }
P=bb$$
W=$(mktemp -d "/tmp/$P.XXXXXX")
RESP_PID="" RESP_TRAWL=""
cleanup() {
	[ -n "$RESP_PID" ] && kill -INT "$RESP_TRAWL" 2>/dev/null && wait "$RESP_PID" 2>/dev/null
	ip netns del "$P-r" 2>/dev/null; ip netns del "$P-s" 2>/dev/null
	rm -rf "$W" /var/run/dpdk/"$P"-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$P-r" && ip netns add "$P-s" || exit 1
ip link add "$P-s0" netns "$P-s" type veth peer name "$P-r0" netns "$P-r" || exit 1
for ns in r s; do ip -n "$P-$ns" link set lo up; ip -n "$P-$ns" link set "$P-${ns}0" up; done
ip -n "$P-s" addr add 198.19.1.2/24 dev "$P-s0"
ip netns exec "$P-s" ethtool -K "$P-s0" tx off >/dev/null 2>&1
RMAC=$(ip netns exec "$P-r" cat "/sys/class/net/$P-r0/address")
MBOX_BLOCKS=4  # /24s: 1,024 of 65,536 addresses (1.6%)
$PY - "$W" "$MBOX_BLOCKS" <<'PY'
import random, sys
r = random.Random(21)
hosts = r.sample([f"198.18.{a}.{b}" for a in range(16, 256) for b in range(1, 255)], 2000)
with open(f"{sys.argv[1]}/ds.txt", "w") as f:
    f.writelines(f"{h}:80 http\n" for h in hosts)
    f.writelines(f"198.18.{i}.0/24 middlebox\n" for i in range(int(sys.argv[2])))
PY
ip netns exec "$P-r" timeout 900 "$TRAWL" respond --dev "net_af_packet0,iface=$P-r0,framecnt=16384" \
	--eal "--no-huge -m 512 --no-pci -l 1 --file-prefix $P-r" --dataset "$W/ds.txt" \
	--gateway-ip 198.19.0.1 -q &
RESP_PID=$!
for _ in $(seq 50); do [ -e "/var/run/dpdk/$P-r/config" ] && break; sleep 0.1; done
sleep 1
RESP_TRAWL=$(pgrep -P "$RESP_PID")
trawl_run() { # CANARIES -> "seconds banners packets canaries"
	local t0 t1
	t0=$(date +%s.%N)
	timeout 300 ip netns exec "$P-s" "$TRAWL" scan --dev "net_af_packet0,iface=$P-s0,framecnt=16384" \
		--eal "--no-huge -m 512 --no-pci -l 0 --file-prefix $P-s" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
		-b /dev/null -p 80 -r 0 -c 3 -q -M tcp_banner --probe-args http --canaries "$1" \
		-f saddr,classification,http_server -o "$W/t.csv" -m "$W/t.json" 198.18.0.0/16 2>/dev/null
	t1=$(date +%s.%N)
	$PY - "$W" "$t0" "$t1" <<'PY'
import csv, json, sys
w, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = list(csv.DictReader(open(f"{w}/t.csv")))
m = json.load(open(f"{w}/t.json"))
print(f"{t1 - t0:.1f} {sum(r['http_server'] != '' for r in rows)} {m['packets_sent']} {m['canaries_sent']} "
      f"{m['send_rate_pps']:.0f} {sum(r['classification'] == 'canary' for r in rows)}")
PY
}
masscan_run() { # -> "seconds banners"
	local t0 t1
	t0=$(date +%s.%N)
	timeout 300 ip netns exec "$P-s" masscan 198.18.0.0/16 -p80 --banners --rate "$1" --adapter "$P-s0" \
		--adapter-ip 198.19.1.3 --router-mac "$RMAC" --wait 12 -oL "$W/m.txt" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$($PY -c "print(f'{$t1 - $t0:.1f}')") $(grep -c '^banner tcp 80 .* http.server ' "$W/m.txt")"
}
: > "$W/t2" ; : > "$W/t0"; : > "$W/m"
for _ in $(seq "$rounds"); do
	trawl_run 2 >> "$W/t2"
	trawl_run 0 >> "$W/t0"
	command -v masscan >/dev/null && masscan_run 100000 >> "$W/m"
done
$PY - "$W" <<'PY'
import statistics as st, sys
w = sys.argv[1]
rd = lambda f: [l.split() for l in open(f"{w}/{f}") if l.strip()]
t2, t0, m = rd("t2"), rd("t0"), rd("m")
med = lambda rows, i: st.median(float(r[i]) for r in rows)
span = lambda rows, i: f"{min(float(r[i]) for r in rows):g}-{max(float(r[i]) for r in rows):g}"
n = len(t2)
print(f"| trawl -M tcp_banner --probe-args http, -r 0, --canaries 2 | 65,536 targets, 2,000 HTTP services, 1,024 middlebox "
      f"addresses (1.6%); {n} rounds | {med(t2, 0):.1f} s (from start to exit, 3 s cooldown; {span(t2, 0)}), "
      f"{med(t2, 4) / 1e3:.0f} kpps sent; {med(t2, 1):.0f} HTTP banners ({span(t2, 1)}); {med(t2, 5):.0f} canary rows |")
print(f"| the same, --canaries 0 | same | {med(t0, 0):.1f} s ({span(t0, 0)}); {med(t0, 1):.0f} HTTP banners |")
print(f"| canaries' cost | per answering address, 2 SYNs | {med(t2, 3):.0f} canary SYNs beside {med(t2, 2):.0f} probes "
      f"(+{100 * med(t2, 3) / med(t2, 2):.1f}%); time {med(t2, 0) - med(t0, 0):+.1f} s |")
if m:
    print(f"| masscan 1.3.2 --banners -p80, --rate 100000, --wait 12 (its GET goes after ~5.7 s of waiting for the "
          f"server to speak) | same sink, same rounds | {med(m, 0):.1f} s ({span(m, 0)}); {med(m, 1):.0f} HTTP banners "
          f"({span(m, 1)}) |")
PY
