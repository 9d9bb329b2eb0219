#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The virtual internet evaluated as ReScan did: Debian's zmap and masscan
# scan `trawl respond` over a veth pair at their maximum rate, and their
# results equal the dataset exactly; the responder attributes their probes
# to ZMap and masscan (and trawl's to trawl); nmap -sS reports the same open
# and closed ports; trawl scan finds exactly the dataset; with loss and
# duplicates on, -P 2 recovers what one probe misses and nothing is
# reported twice. Root only (77 otherwise); deletes what it made.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TRAWL=${TRAWL:-$here/../../build/app/trawl}
PY=/usr/bin/python3
. "$here/peers.sh"
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }

pass=0 fail=0
ok() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }

P=tr$$
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
ip -n "$P-s" route add 198.18.0.0/15 via 198.19.1.1
ip netns exec "$P-s" ethtool -K "$P-s0" tx off >/dev/null 2>&1
RMAC=$(ip netns exec "$P-r" cat "/sys/class/net/$P-r0/address")

# Ground truth: 350 hosts open on 80 by ADDR:80, 150 listed bare (open on --ports 80),
# 40 live with only 443 open (RST on 80), in 198.18.0.0/16.
$PY - "$W" <<'PY'
import random, sys
r = random.Random(1234)
hosts = r.sample([f"198.18.{a}.{b}" for a in range(256) for b in range(1, 255)], 540)
with open(f"{sys.argv[1]}/dataset.txt", "w") as f:
    f.write("# trawl respond test dataset\n")
    f.writelines(f"{h}:80\n" for h in hosts[:350])
    f.writelines(f"{h}\n" for h in hosts[350:500])
    f.writelines(f"{h}:443\n" for h in hosts[500:])
open(f"{sys.argv[1]}/open.txt", "w").writelines(f"{h}\n" for h in sorted(hosts[:500]))
open(f"{sys.argv[1]}/closed.txt", "w").writelines(f"{h}\n" for h in sorted(hosts[500:]))
PY
"$TRAWL" respond --compile "$W/dataset.txt" -o "$W/dataset.bin" 2>/dev/null
ok $? "dataset compiles"

respond() { # extra args...
	# A deep RX ring: zmap and masscan send unpaced bursts (af_packet's default is 512 frames).
	ip netns exec "$P-r" timeout 600 "$TRAWL" respond --dev "net_af_packet0,iface=$P-r0,framecnt=16384" \
		--eal "--no-huge -m 512 --no-pci -l 1 --file-prefix $P-r" --dataset "$W/dataset.bin" -p 80 \
		--gateway-ip 198.19.1.1 --gateway-ip 198.19.0.1 --report "$W/report.json" -q "$@" &
	RESP_PID=$!
	for _ in $(seq 50); do [ -e "/var/run/dpdk/$P-r/config" ] && break; sleep 0.1; done
	sleep 1
	# Signals go to trawl itself: `timeout` (the hard bound) would die of a SIGUSR1.
	RESP_TRAWL=$(pgrep -P "$RESP_PID")
}
unrespond() { kill -INT "$RESP_TRAWL"; wait "$RESP_PID"; local rc=$?; RESP_PID=""; return $rc; }
same() { diff -q <(sort -u "$W/open.txt") <(sort "$1") >/dev/null && [ "$(wc -l < "$1")" = 500 ]; }
report() { $PY -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$W/report.json" "$1"; }
trawl_scan() { # NAME extra args...
	local name=$1; shift
	timeout 120 ip netns exec "$P-s" "$TRAWL" scan --dev "net_af_packet0,iface=$P-s0" \
		--eal "--no-huge -m 512 --no-pci -l 0 --file-prefix $P-s" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
		-b /dev/null -p 80 -c 2 -q --no-header-row -o "$W/$name.csv" -m "$W/$name.json" "$@" 198.18.0.0/16
}

printf 'trawl-respond-udp' > "$W/udp53.bin"
respond --udp "53:file:$W/udp53.bin"
# zmap at full speed, gateway MAC given (it reads the kernel's ARP table).
timeout 120 ip netns exec "$P-s" zmap -i "$P-s0" -S 198.19.1.2 -G "$RMAC" -p 80 -r 0 -c 3 -b /dev/null -q \
	-o "$W/zmap.csv" -m "$W/zmap.json" 198.18.0.0/16 2>/dev/null
ok $? "zmap exit status"
tb_peer_agrees "$W/open.txt" "$W/zmap.csv" "$W/zmap.json"
ok $? "zmap finds exactly the dataset, short only by replies its capture counted as dropped"
# zmap's ICMP echo and UDP probes: every live host of the dataset answers both (540), and the
# responder tells them from trawl's (their IP ID, 54321). -P 2: zmap's own pcap receive on 2 vCPUs
# loses a reply now and then; what it may miss is bounded by its own drop count (peers.sh).
sort -u "$W/open.txt" "$W/closed.txt" > "$W/live.txt"
timeout 120 ip netns exec "$P-s" zmap -i "$P-s0" -S 198.19.1.2 -G "$RMAC" -M icmp_echoscan -P 2 -r 0 -c 3 -b /dev/null -q \
	-o "$W/zmap_icmp.csv" -m "$W/zmap_icmp.json" 198.18.0.0/16 2>/dev/null
ok $? "zmap -M icmp_echoscan exit status"
tb_peer_agrees "$W/live.txt" "$W/zmap_icmp.csv" "$W/zmap_icmp.json"
ok $? "zmap -M icmp_echoscan finds the live hosts, short only by what it counted as dropped"
timeout 120 ip netns exec "$P-s" zmap -i "$P-s0" -S 198.19.1.2 -G "$RMAC" -M udp -p 53 -P 2 --probe-args=text:q -r 0 -c 3 \
	-b /dev/null -q -o "$W/zmap_udp.csv" -m "$W/zmap_udp.json" 198.18.0.0/16 2>/dev/null
ok $? "zmap -M udp exit status"
tb_peer_agrees "$W/live.txt" "$W/zmap_udp.csv" "$W/zmap_udp.json"
ok $? "zmap -M udp finds the live hosts on 53, short only by what it counted as dropped"
# masscan from another address (so the kernel leaves its connections alone). At full speed on
# a 2-vCPU machine masscan's own libpcap receive loses some SYN-ACKs (we captured all 500 arriving
# at its interface while it reported fewer), so at full speed we check what is the responder's:
# every open host answered (SIGUSR1 report deltas) and no false positive. At 100 kpps the same:
# masscan keeps no count of what its capture lost, so its report can only be bounded from
# above (CI saw 474 of 500 while the responder had answered all 500); exactness is trawl's own
# claim, checked below with trawl scan.
snap() { rm -f "$W/report.json"; kill -USR1 "$RESP_TRAWL"; for _ in $(seq 30); do [ -s "$W/report.json" ] && break; sleep 0.1; done; sleep 0.2; cp "$W/report.json" "$W/$1.json"; }
delta() { $PY -c "import json,sys; a,b=(json.load(open(f'$W/{n}.json')) for n in sys.argv[1:3]); print(b['answered_by_kind'][sys.argv[3]]-a['answered_by_kind'][sys.argv[3]])" "$@"; }
snap before_masscan
timeout 120 ip netns exec "$P-s" masscan 198.18.0.0/16 -p80 --rate 10000000 --adapter "$P-s0" \
	--adapter-ip 198.19.1.3 --router-mac "$RMAC" --wait 3 -oL "$W/masscan.txt" >/dev/null 2>&1
awk '$1 == "open" {print $4}' "$W/masscan.txt" > "$W/masscan.csv"
snap after_masscan
[ "$(delta before_masscan after_masscan synack)" = 500 ]; ok $? "masscan at full speed: the responder answered all 500 open hosts"
[ -z "$(comm -13 <(sort -u "$W/open.txt") <(sort -u "$W/masscan.csv"))" ]; ok $? "masscan at full speed: no false positive ($(wc -l < "$W/masscan.csv") of 500 reported)"
snap before_masscan2
timeout 120 ip netns exec "$P-s" masscan 198.18.0.0/16 -p80 --rate 100000 --adapter "$P-s0" \
	--adapter-ip 198.19.1.3 --router-mac "$RMAC" --wait 3 -oL "$W/masscan2.txt" >/dev/null 2>&1
awk '$1 == "open" {print $4}' "$W/masscan2.txt" > "$W/masscan2.csv"
snap after_masscan2
[ "$(delta before_masscan2 after_masscan2 synack)" = 500 ]; ok $? "masscan at 100 kpps: the responder answered all 500 open hosts"
[ -s "$W/masscan2.csv" ] && [ -z "$(comm -13 <(sort -u "$W/open.txt") <(sort -u "$W/masscan2.csv"))" ]
ok $? "masscan at 100 kpps: no false positive ($(wc -l < "$W/masscan2.csv") of 500 reported)"
# nmap -sS on a handful: 3 open, 2 closed-on-80 (443 open), 1 dead.
o=$(sed -n '1,3p' "$W/open.txt" | tr '\n' ' ') c=$(sed -n '1,2p' "$W/closed.txt" | tr '\n' ' ')
timeout 120 ip netns exec "$P-s" nmap -sS -Pn -n -p 80,443 --max-retries 1 -oG "$W/nmap.txt" $o $c 198.18.255.254 >/dev/null 2>&1
for h in $o; do grep -q "Host: $h .*80/open/tcp.*443/closed/tcp" "$W/nmap.txt"; ok $? "nmap: $h 80 open, 443 closed"; done
for h in $c; do grep -q "Host: $h .*80/closed/tcp.*443/open/tcp" "$W/nmap.txt"; ok $? "nmap: $h 80 closed, 443 open"; done
grep -q "Host: 198.18.255.254 .*80/filtered/tcp" "$W/nmap.txt"; ok $? "nmap: dead host filtered"
# trawl itself, as fast as it goes.
trawl_scan exact -r 0; ok $? "trawl scan exit status"
same "$W/exact.csv"; ok $? "trawl finds exactly the dataset ($(wc -l < "$W/exact.csv") of 500)"
unrespond; ok $? "responder exits 0 on SIGINT"
[ "$(report "r['sources']['198.19.1.2']['zmap']")" = $((5 * 65536)) ]
ok $? "zmap's 5 x 65536 probes (SYN; echo and UDP, -P 2) attributed to zmap ($(report "r['sources'].get('198.19.1.2')"))"
[ "$(report "r['probes_by_kind']['icmp_echo']")" = 131072 ] && [ "$(report "r['probes_by_kind']['udp']")" = 131072 ]
ok $? "the responder counted zmap's echo requests and UDP probes ($(report "r['probes_by_kind']"))"
[ "$(report "r['sources']['198.19.1.3']['masscan']")" -ge 131072 ]; ok $? "masscan's probes attributed to masscan ($(report "r['sources'].get('198.19.1.3')"))"
[ "$(report "r['sources']['198.19.0.2']['trawl']")" = 65536 ]; ok $? "trawl's probes attributed to trawl ($(report "r['sources'].get('198.19.0.2')"))"
[ "$(report "r['sources']['198.19.1.2'].get('nmap', 0)")" -ge 8 ]; ok $? "nmap's probes attributed to nmap"
[ "$(report "sum(v for k, v in r['toolchains'].items() if k != 'unknown')")" = "$(report "sum(r['probes_by_kind'][k] for k in ('tcp_syn', 'icmp_echo', 'udp'))")" ]
ok $? "every SYN, echo request and UDP probe attributed to a toolchain ($(report "r['toolchains']"))"
[ "$(report "r['dropped_by_reason']['loss']")" = 0 ]; ok $? "no loss without --loss"

# Loss and duplicates: -P 2 finds what -P 1 misses; nothing reported twice.
respond --loss 0.2 --duplicate 0.5
trawl_scan p1 -r 100000 -P 1; ok $? "trawl -P 1 under loss"
trawl_scan p2 -r 100000 -P 2; ok $? "trawl -P 2 under loss"
unrespond
n1=$(sort -u "$W/p1.csv" | wc -l) n2=$(sort -u "$W/p2.csv" | wc -l)
# Loss 0.2: one probe finds about 400, two about 480 (a reply lost twice: 0.04); seen 455-490.
# A -P 2 that did not retry would find about 400.
[ "$n1" -le 450 ] && [ "$n2" -ge 450 ] && [ $((n2 - n1)) -ge 30 ]; ok $? "-P 2 recovers losses ($n1 -> $n2 of 500)"
[ "$(wc -l < "$W/p2.csv")" = "$n2" ] && [ "$(wc -l < "$W/p1.csv")" = "$n1" ]; ok $? "no result appears twice"
[ -z "$(comm -13 <(sort -u "$W/open.txt") <(sort -u "$W/p2.csv"))" ]; ok $? "no false positives under loss"
[ "$($PY -c "import json; print(json.load(open('$W/p2.json'))['duplicates'])")" -gt 0 ]; ok $? "duplicated replies were seen and filtered"
[ "$(report "r['duplicated']")" -gt 0 ] && [ "$(report "r['dropped_by_reason']['loss']")" -gt 0 ]; ok $? "responder counted its loss and duplicates"

echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] || echo "FAIL: no check ran"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
