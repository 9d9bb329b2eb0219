#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# trawl's benchmarks, side by side in one run, written to bench/RESULTS.md and bench/*.png.
#   bench/run.sh [--quick]
# --quick: smaller sizes, one round each, into bench/RESULTS.quick.md (not kept), then bench/compare.py
#    prints every figure that moved from bench/RESULTS.md's by more than the noise it states.
# 1. TX: probes/s into net_null, -r 0, one TX lcore, each probe module; cycles (TSC) and instructions (callgrind) per probe;
#    the whole of IPv4 on one port (not in --quick).
# 2. The receive side: the RX role by stage (net_ring, every reply a new result; callgrind split; the
#    MAC alone, bench/macbench); trawl on one lcore over net_memif from a generator (repeats); the
#    writer at 60 M new results to a file; dedup structures at 60 M responders, trawl's and DPDK's;
#    end to end, scan vs respond over memif, a rate sweep (and a plot).
# 3. Rate limiter: 1 kpps, 100 kpps, 1 Mpps into net_null: mean and the busiest 10 ms.
# 4. Same sink: trawl vs zmap -T1/-T2 vs masscan on the veth testbed (test/integration/testbed.sh),
#    each scanning the same /16 with the same ground truth at its maximum rate, and the af_packet
#    path's own ceiling (dpdk-testpmd forwarding the same probes); rounds interleaved, medians kept.
# 5. The virtual internet: replies per responder lcore, dataset loads, zmap against trawl respond.
# 6. Campaign diffs: two runs of 60 M results each turned into sorted keys and diffed, bounded memory.
# 7. Services (bench/banner.sh). 8. The kernel path (bench/kpath.sh, bench/kpath_memif.py).
# Root needed for hugepages and namespaces. Only 198.18.0.0/15, only in our namespaces and vdevs.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=0; [ "${1:-}" = --quick ] && quick=1
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
deploy/setup.sh --bench >/dev/null || exit 1
mem=$(deploy/trawl-hugepages --eal-args --pages 512 2>/dev/null)
TRAWL=build/app/trawl
work=$(mktemp -d /tmp/trawl-bench.XXXXXX)
png=bench; [ $quick = 1 ] && png=$work  # the kept plots are the full run's
trap 'rm -rf "$work" /var/run/dpdk/bench-*' EXIT
rows="$work/rows.tsv"; : > "$rows"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$rows"; }
jget() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
py() { /usr/bin/python3 -c "$1"; }
say() { echo "bench: $*" >&2; }
KEY=00112233445566778899aabbccddeeff
hz=$(/usr/bin/python3 - <<'PY'
# The TSC runs at the nominal clock; /proc/cpuinfo's MHz is the closest a guest without perf counters gets.
for line in open("/proc/cpuinfo"):
    if line.startswith("cpu MHz"):
        print(int(float(line.split(":")[1]) * 1e6))
        break
PY
)

# --- 1. generation into net_null --------------------------------------------
# Each probe module, rounds interleaved (module after module, round after round) so the VM's drift
# falls on all alike: tcp_synscan and udp (a DNS query, 29 bytes of payload: 71-byte frames) on
# 256 ports of 198.18.0.0/15; icmp_echoscan on addresses alone, the first 2^25 of 0.0.0.0/0 after
# the default blocklist. All of it into net_null: no packet leaves the process.
ports=1-256; [ $quick = 1 ] && ports=1-32
runs=3; [ $quick = 1 ] && runs=1
nprobes=$((1 << 25)); [ $quick = 1 ] && nprobes=$((1 << 22))
MODULES="tcp_synscan icmp_echoscan udp"
margs() { # module -> its targets and arguments
	case $1 in
	tcp_synscan) echo "-b /dev/null -p $ports 198.18.0.0/15" ;;
	icmp_echoscan) echo "-M icmp_echoscan -n $nprobes 0.0.0.0/0" ;;
	udp) echo "-b /dev/null -M udp --probe-args file:config/udp-probes/dns_53.pkt -p $ports 198.18.0.0/15" ;;
	esac
}
declare -A best sent own
for m in $MODULES; do best[$m]=0; own[$m]=""; done
for i in $(seq $runs); do
	for m in $MODULES; do
		# shellcheck disable=SC2046
		# no-rx: a plain net_null also receives, an endless stream of empty frames for the RX role to drop
		$TRAWL scan --dev net_null0,no-rx=1 --eal "$mem --no-pci -l 0-1 --file-prefix bench-null" -S 198.19.0.2 \
			-G 02:00:00:00:00:01 -r 0 -c 0 -q -o /dev/null -m "$work/null.json" $(margs $m) 2>/dev/null ||
			{ echo "bench: net_null run of $m failed" >&2; exit 1; }
		best[$m]=$(/usr/bin/python3 -c "print(max(${best[$m]}, $(jget "$work/null.json" send_rate_pps)))")
		# the binary's own accounting: the TX role's busy ticks per probe while sending
		own[$m]+="$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cycles']['sending']['tx']['per_probe'])" "$work/null.json") "
		sent[$m]=$(jget "$work/null.json" packets_sent)
	done
done
null_line=""
for m in $MODULES; do
	cyc=$(/usr/bin/python3 -c "print(f'{$hz / ${best[$m]}:.0f}')")
	null_line+="| $m, 1 TX lcore, -r 0, net_null | ${sent[$m]} probes/run, best of $runs | $(printf '%.2f' "$(/usr/bin/python3 -c "print(${best[$m]}/1e6)")") Mpps | ~$cyc cycles/probe (CPU clock / rate); the TX role's own busy ticks/probe, each run: ${own[$m]% } |"$'\n'
	say "TX: $m ${best[$m]} pps into net_null"
done
null_line=${null_line%$'\n'}

# --- 10. IPv6 (issue 24) -------------------------------------------------------
# Probes into net_null per module, IPv4's tcp_synscan beside them in the same rounds (the ratio is the
# figure; the VM drifts): tcp_synscan and udp on 256 ports of 2001:2::/48-64 (the ::1 of 65,536 /64s),
# icmp_echoscan on the first 2^25 /80s of 2001:2::/48-80. Then the RX role on IPv6 replies
# (bench/rxbench MODULE6): the targets a 2^22-address list, every reply a new target (the lookup that
# hurts: a random /64 of a list of 64 MiB).
six_args() {
	case $1 in
	tcp_synscan) echo "-p $ports 2001:2::/48-64" ;;
	icmp_echoscan) echo "-M icmp_echoscan -n $nprobes 2001:2::/48-80" ;;
	udp) echo "-M udp --probe-args file:config/udp-probes/dns_53.pkt -p $ports 2001:2::/48-64" ;;
	esac
}
: > "$work/ipv6.md"
declare -A best6 own6
for m in $MODULES ipv4; do best6[$m]=0; own6[$m]=""; done
for i in $(seq $runs); do
	for m in $MODULES ipv4; do
		if [ $m = ipv4 ]; then src=198.19.0.2; targs="-p $ports 198.18.0.0/16"; else src=2001:2:ff::2; targs=$(six_args $m); fi
		# shellcheck disable=SC2086
		$TRAWL scan --dev net_null0,no-rx=1 --eal "$mem --no-pci -l 0-1 --file-prefix bench-null6" -S $src \
			-G 02:00:00:00:00:01 -b /dev/null -r 0 -c 0 -q -o /dev/null -m "$work/null6.json" $targs 2>/dev/null ||
			{ echo "bench: IPv6 net_null run of $m failed" >&2; exit 1; }
		best6[$m]=$(/usr/bin/python3 -c "print(max(${best6[$m]}, $(jget "$work/null6.json" send_rate_pps)))")
		own6[$m]+="$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cycles']['sending']['tx']['per_probe'])" "$work/null6.json") "
	done
done
for m in $MODULES ipv4; do
	what="IPv6 $m"; [ $m = ipv4 ] && what="IPv4 tcp_synscan, the same rounds"
	echo "| $what, 1 TX lcore, -r 0, net_null | best of $runs | $(/usr/bin/python3 -c "print(f'{${best6[$m]} / 1e6:.2f}')") Mpps ($(/usr/bin/python3 -c "print(f'{${best6[$m]} / ${best6[ipv4]}:.2f}')")x IPv4's) | the TX role's busy ticks/probe, each run: ${own6[$m]% } |" >> "$work/ipv6.md"
done
for i in $(seq $runs); do
	for spec in "tcp_synscan6" "icmp_echoscan6" "udp6 18"; do
		# shellcheck disable=SC2086
		build/bench/rxbench --no-huge -m 1024 --no-pci -l 1 --file-prefix bench-rxr6 --log-level=warning \
			--vdev net_ring0 --vdev net_ring1 -- 8388608 $spec 2>/dev/null | head -1 >> "$work/ipv6.md"
	done
done
say "IPv6: $(cat "$work/ipv6.md")"

# Instructions per probe: callgrind on a short run, on one lcore (-l 0: no thread interleaving
# under valgrind to change the count from run to run), counting what
# making and handing over probes costs (make_burst + flush_pending + the limiter), not idle polls.
ir_line=""
for m in $MODULES; do
	rm -f "$work"/cg.out-*
	# shellcheck disable=SC2046
	# --user root: callgrind writes each thread's file when it ends, after the drop to nobody, into $work (0700).
	valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" \
		$TRAWL scan --dev net_null0 --eal "--no-huge -m 256 --no-pci -l 0 --file-prefix bench-cg" -S 198.19.0.2 \
		-G 02:00:00:00:00:01 -r 0 -c 0 -q -o /dev/null -m "$work/cg.json" $(margs $m) -n 1000000 \
		--user root >/dev/null 2>&1
	ir_line+=$(for f in "$work"/cg.out-*; do callgrind_annotate --inclusive=yes "$f" 2>/dev/null; done |
		/usr/bin/python3 -c "
import re, sys
cost = {}
for line in sys.stdin:
    m = re.match(r'\s*([\d,]+) \([^)]*\)\s+\S*:(?:trawl_tcp_)?(make_burst|flush_pending|trawl_ratelimit_budget|syn_make|echo_make|udp_make|aesni_tags|portable_tags) ', line)
    if m:
        cost[m.group(2)] = cost.get(m.group(2), 0) + int(m.group(1).replace(',', ''))
n = $(jget "$work/cg.json" packets_sent)
tx = cost.get('make_burst', 0) + cost.get('flush_pending', 0) + cost.get('trawl_ratelimit_budget', 0)
mk = cost.get('syn_make', 0) + cost.get('echo_make', 0) + cost.get('udp_make', 0)
mac = cost.get('aesni_tags', 0) + cost.get('portable_tags', 0)
print(f'| $m TX path, callgrind | {n} probes | {tx / n:.0f} instructions/probe | of which {mk / n:.0f} making the probe (headers, checksums, the AES-128 MAC {mac / n:.0f}) |')
")$'\n'
done
ir_line=${ir_line%$'\n'}
say "TX: $ir_line"

# The whole of IPv4 on one port, default blocklist, into net_null, one TX lcore (about 3.5 min here).
if [ $quick = 0 ]; then
	start=$(date +%s.%N)
	$TRAWL scan --dev net_null0 --eal "$mem --no-pci -l 0-1 --file-prefix bench-v4" -S 198.19.0.2 \
		-G 02:00:00:00:00:01 -p 443 -r 0 -c 0 -q -o /dev/null -m "$work/v4.json" 0.0.0.0/0 2>/dev/null
	v4s=$(py "print(f'{$(jget "$work/v4.json" send_time_s):.1f}')")
	v4_line="| trawl, 0.0.0.0/0 x 1 port, default blocklist, 1 TX lcore, net_null | $(jget "$work/v4.json" packets_sent) probes | $v4s s ($(py "print(f'{$v4s // 60:.0f} min {$v4s % 60:.0f} s, {$(jget "$work/v4.json" send_rate_pps) / 1e6:.2f} Mpps')"); goal 250 s) |"
else
	v4_line="| trawl, 0.0.0.0/0 x 1 port | not run in --quick | |"
fi
say "TX: $v4_line"

# --- 2. the receive side -------------------------------------------------------
# Replies for 4096 probes (every one answered, by trawl respond), fed to trawl over net_memif by a
# generator in its own process on the other core (dpdk-testpmd forwarding a net_pcap replay, which
# offers far more than trawl takes), so what is measured is trawl's receive path: memif RX, parse,
# AES-128 validation, classification, the RST written over each SYN-ACK and sent, the writer's
# dedup (a bitmap, every lookup a hit). trawl runs on ONE lcore here (-l 0: RX, writer, ARP
# and the TX role sending the RSTs), since the generator has the other. memif needs hugepages.
bench/rxfeed.sh replies $TRAWL "$work" 80 rxreplies || { echo "bench: the replies for 2b" >&2; exit 1; }
rxsecs=8; [ $quick = 1 ] && rxsecs=3
: > "$work/rx.md"
rx_memif() { # one run; appends a row
	bench/rxfeed.sh memif $TRAWL "$work" "$work/rxreplies.pcap" $rxsecs 80 "$work/rx.json" > "$work/gen.log"
	/usr/bin/python3 - "$work/rx.json" "$work/gen.log" >> "$work/rx.md" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))
offered = max(int(x) for x in re.findall(r"offered (\d+)", open(sys.argv[2]).read()) or ["0"])
secs = m["cooldown_s"]
print(f"| trawl on one lcore, net_memif from a generator, every probe answered | {m['replies_valid']} replies in {secs:.0f} s, "
      f"{m['validation_failed']} invalid, {m['rst_sent']} RSTs sent; generator offered {offered} | "
      f"{m['replies_valid'] / secs / 1e6:.2f} M validated replies/s |")
cy, n = m["cycles"], max(m["replies_valid"], 1)
print(f"| the same run's own accounting, busy TSC ticks per reply by role | rx {cy['rx']['busy'] / n:.0f}, "
      f"writer {cy['writer']['busy'] / n:.0f}, tx (the RSTs) {cy['tx']['busy'] / n:.0f}, control {cy['control']['busy'] / n:.0f} | "
      f"{sum(cy[r]['busy'] for r in ('rx', 'writer', 'tx', 'control')) / n:.0f} busy + "
      f"{sum(cy[r]['idle'] for r in ('rx', 'writer', 'tx', 'control')) / n:.0f} idle ticks/reply |")
PY
}
if [ -z "$mem" ]; then
	for i in 1 2 3; do rx_memif; [ $quick = 1 ] && break; done
else
	echo "| RX over net_memif | not run: no hugepages | |" >> "$work/rx.md"
fi
say "RX over memif: $(cat "$work/rx.md")"

# The RX role alone and the receive path by stage, in process (net_ring), every reply a new result:
# three runs, all kept. Then the same under callgrind: instructions per reply, by stage.
: > "$work/rxrole.md"
for i in 1 2 3; do
	build/bench/rxbench --no-huge -m 512 --no-pci -l 1 --file-prefix bench-rxr --log-level=warning \
		--vdev net_ring0 --vdev net_ring1 2>/dev/null >> "$work/rxrole.md"
	[ $quick = 1 ] && break
done
valgrind --tool=callgrind --callgrind-out-file="$work/cg-rx.out" build/bench/rxbench --no-huge -m 512 --no-pci -l 1 \
	--file-prefix bench-rxcg --log-level=warning --vdev net_ring0 --vdev net_ring1 -- 1048576 >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$work/cg-rx.out" 2>/dev/null | /usr/bin/python3 -c "
import re, sys
cost = {}
for line in sys.stdin:
    m = re.match(r'\s*([\d,]+) \([^)]*\)\s+\S*:(trawl_rx_burst|trawl_eth_parse|trawl_ipv4_parse|syn_classify|aesni_tags|portable_tags|syn_answer) ', line)
    if m:
        cost[m.group(2)] = int(m.group(1).replace(',', '')) / 1048576
t = cost.get('trawl_rx_burst', 0)
parse = cost.get('trawl_eth_parse', 0) + cost.get('trawl_ipv4_parse', 0)
cls, rst = cost.get('syn_classify', 0), cost.get('syn_answer', 0)
# A burst's tags are computed together in the RX pre-pass (dp/rx.c), and the bench makes its replies'
# probes with the same call: per tag is the total over both, two tags a reply.
mac = (cost.get('aesni_tags', 0) + cost.get('portable_tags', 0)) / 2
print(f'| RX role under callgrind, by stage | 1048576 replies | {t:.0f} instructions/reply: parse {parse:.0f}, '
      f'classify {cls:.0f}, RST {rst:.0f}, the rest {t - parse - cls - rst:.0f} (the burst pre-pass, the AES-128 MAC '
      f'{mac:.0f} a tag among it, hand-offs and counters) |')
" >> "$work/rxrole.md"
# The other probe modules' replies, interleaved rounds: echo replies (60 bytes), UDP answers of 18
# bytes (60-byte frames: line rate's packet rate) and of 512 (the most a result keeps: the copy that costs most).
for i in 1 2 3; do
	for spec in "icmp_echoscan" "udp 18" "udp 512" "tcp_banner 0" "tcp_banner:data 256"; do
		# shellcheck disable=SC2086
		build/bench/rxbench --no-huge -m 512 --no-pci -l 1 --file-prefix bench-rxr --log-level=warning \
			--vdev net_ring0 --vdev net_ring1 -- 16777216 $spec 2>/dev/null | head -1 >> "$work/rxrole.md"
	done
	[ $quick = 1 ] && break
done
# The MAC alone (no EAL): SipHash-2-4 (before issue 23), trawl_mac, libcrypto.
build/bench/macbench $( [ $quick = 1 ] && echo 4194304 ) >> "$work/rxrole.md" || echo "| the MAC alone | failed | |" >> "$work/rxrole.md"
say "RX role: $(cat "$work/rxrole.md")"

# Services (issue 21): tcp_banner against masscan --banners on one veth sink, and the canaries' cost.
bench/banner.sh $( [ $quick = 1 ] && echo 1 || echo 3 ) > "$work/banner.md" 2>/dev/null ||
	echo "| tcp_banner on the veth sink | not run | |" > "$work/banner.md"
say "banner: $(cat "$work/banner.md")"

# The kernel path (issue 22): the scan's rate with it on and off (veth, and memif on one lcore), its
# own throughput each way and the latency it adds to a ping.
bench/kpath.sh $( [ $quick = 1 ] && echo 1 || echo 3 ) > "$work/kpath.md" 2>/dev/null ||
	echo "| the kernel path on the veth testbed | not run |" > "$work/kpath.md"
bench/kpath_memif.py $( [ $quick = 1 ] && echo 1 || echo 3 ) > "$work/kpath_memif.md" 2>/dev/null ||
	echo "| the kernel path over memif | not run | | | |" > "$work/kpath_memif.md"
say "kernel path: $(cat "$work/kpath.md" "$work/kpath_memif.md")"

# The writer at Internet scale: 60 M new results, then 60 M repeats, CSV to a file on disk.
nres=60000000; [ $quick = 1 ] && nres=6000000
build/bench/writerbench --no-huge -m 512 --no-pci -l 1 --file-prefix bench-wr --log-level=warning -- \
	$nres "$work/writer.csv" 2>/dev/null > "$work/writer.md"
rm -f "$work/writer.csv"
build/bench/dedupbench --no-huge -m 4096 --no-pci -l 1 --file-prefix bench-dd --log-level=warning -- $nres \
	2>/dev/null > "$work/dedup.md"
say "writer: $(cat "$work/writer.md" "$work/dedup.md")"

# End to end over memif: a rate sweep, one and two queue pairs a side.
TRAWL=$TRAWL /usr/bin/python3 bench/e2e.py "$work/e2e.md" $png/e2e.png $( [ $quick = 1 ] && echo --quick )
say "end to end: $(cat "$work/e2e.md")"

# --- 3. rate limiter ------------------------------------------------------------
limsecs=10; [ $quick = 1 ] && limsecs=2
: > "$work/limit.tsv"
for r in 1000 10000 100000 1000000 5000000; do
	$TRAWL scan --dev net_null0 --eal "$mem --no-pci -l 0-1 --file-prefix bench-lim" -S 198.19.0.2 \
		-G 02:00:00:00:00:01 -b /dev/null -p 1-256 -r $r -t $limsecs -c 0 -q -o /dev/null -m "$work/lim.json" \
		198.18.0.0/15 2>/dev/null
	printf '%s\t%s\t%s\n' $r "$(jget "$work/lim.json" send_rate_pps)" "$(jget "$work/lim.json" send_rate_peak_10ms_pps)" >> "$work/limit.tsv"
done
say "limiter: $(tr '\n' ' ' < "$work/limit.tsv")"

# --- 1b. target generator and constraint memory (no EAL) ---------------------
gen_secs=1000; [ $quick = 1 ] && gen_secs=5
build/bench/generator $gen_secs > "$work/generator.md"
# -I at hitlist size (50 M lines; 5 M with --quick): read, sorted, the target set; radix against qsort.
say "targeting: a list of $( [ $quick = 1 ] && echo 5 || echo 50 ) M addresses (-I)"
build/bench/listbench "$work/list.txt" $( [ $quick = 1 ] && echo 5000000 || echo 50000000 ) >> "$work/generator.md" ||
	echo "| -I list load | failed | |" >> "$work/generator.md"

# --- 4. same testbed, side by side ------------------------------------------
. test/integration/testbed.sh
P=tbb$$
tb_up "$P" 600 4242 >/dev/null || { echo "bench: testbed failed" >&2; exit 1; }
open="$TB_DIR/open.txt"
hits() { comm -12 <(sort -u "$open") <(sort -u "$1") | wc -l; }
gw_mac=$(ip netns exec "$P-net" cat "/sys/class/net/$P-b/address")
scan_mac=$(ip netns exec "$P-scan" cat "/sys/class/net/$P-a/address")

# The sink's view: every SYN that reached the "internet" namespace, timestamped there.
sink_start() { # DEV NAME
	ip netns exec "$P-net" tcpdump -i "$1" -s 64 -B 131072 -w "$work/$2.pcap" 'tcp[13] == 2' \
		2>"$work/$2.tcpdump" & sink_pid=$!
	sleep 1
}
sink_stop() { # NAME RESULTS MODE: add a row
	kill -INT $sink_pid; wait $sink_pid
	read -r n rate < <(bench/sinkrate.py "$work/$1.pcap")
	drop=$(grep -oE '[0-9]+ packets dropped by kernel' "$work/$1.tcpdump" | cut -d' ' -f1)
	row "$1" "$3" "$rate" "$( [ -n "$2" ] && hits "$2" || echo -)" "$n SYNs seen, ${drop:-?} not captured"
	rm -f "$work/$1.pcap"
}

# The af_packet path's own ceiling: dpdk-testpmd, no scanner logic at all, forwarding the very
# probes trawl sends (captured once to a pcap, replayed by net_pcap) out of the same af_packet
# port, while reading the targets' answers back (the kernel is told where 198.19.0.2 is). With one
# queue: one testpmd, one forwarding core. With two: two testpmd processes, one per core, each
# forwarding half the probes (one testpmd with two net_pcap replay queues stalls).
for sh in all 0 1; do
	args="-e 7"; [ $sh != all ] && args="-e 7 --shards 2 --shard $sh"
	$TRAWL scan --dev "net_pcap0,tx_pcap=$work/probes16-$sh.pcap" --eal "--no-huge -m 256 --no-pci --file-prefix bench-p16" \
		-S 198.19.0.2 -G "$gw_mac" -b /dev/null -p 80 -r 0 -c 0 -q -o /dev/null $args 198.18.0.0/16 2>/dev/null
done
testpmd_fwd() { # PCAP CPU: forward PCAP's probes out of the af_packet port until stdin closes
	(sleep 4) | ip netns exec "$P-scan" timeout 30 dpdk-testpmd --lcores "0@$2,1@$2" --no-huge -m 1024 --no-pci \
		--file-prefix "$P-t$2" --vdev "net_pcap0,rx_pcap=$1,infinite_rx=1" \
		--vdev "net_af_packet0,iface=$P-a" -- --forward-mode=io --nb-cores=1 --total-num-mbufs=100000 \
		> "$work/testpmd-$2.log" 2>&1
}
ceiling() { # QUEUES
	ip -n "$P-net" neigh replace 198.19.0.2 lladdr "$scan_mac" dev "$P-b" nud permanent
	sink_start "$P-b" "af_packet-ceiling-$1q"
	if [ "$1" = 1 ]; then
		testpmd_fwd "$work/probes16-all.pcap" 1
	else
		testpmd_fwd "$work/probes16-0.pcap" 0 & local t0=$!
		testpmd_fwd "$work/probes16-1.pcap" 1
		wait $t0
	fi
	sink_stop "af_packet-ceiling-$1q" "" "dpdk-testpmd io forwarding the same probes, $1 queue(s) on $1 core(s)"
	ip -n "$P-net" neigh del 198.19.0.2 dev "$P-b"
}
rounds=3; [ $quick = 1 ] && rounds=1
for round in $(seq $rounds); do
	# Two queue pairs, a TX and an RX lcore on each core: the kernel's share of the work (veth,
	# the targets' stack) runs on the CPU that sends, so two senders spread it over both.
	sink_start "$P-b" trawl
	ip netns exec "$P-scan" $TRAWL scan --dev "net_af_packet0,iface=$P-a,qpairs=2" --eal "$mem --no-pci --file-prefix $P" \
		-S 198.19.0.2 --gateway-ip 198.19.0.1 -b /dev/null -p 80 -r 0 -c 3 -q --no-header-row \
		-T 2 --receiver-threads 2 -o "$work/trawl.csv" 198.18.0.0/16 2>/dev/null
	sink_stop trawl "$work/trawl.csv" "-r 0 -T 2 --receiver-threads 2, net_af_packet qpairs=2"

	sink_start "$P-b" trawl-1q
	ip netns exec "$P-scan" $TRAWL scan --dev "net_af_packet0,iface=$P-a" --eal "$mem --no-pci --file-prefix $P" \
		-S 198.19.0.2 --gateway-ip 198.19.0.1 -b /dev/null -p 80 -r 0 -c 3 -q --no-header-row \
		-o "$work/trawl1.csv" 198.18.0.0/16 2>/dev/null
	sink_stop trawl-1q "$work/trawl1.csv" "-r 0, net_af_packet, one queue"

	for T in 1 2; do
		sink_start "$P-c" "zmap-T$T"
		ip netns exec "$P-peer" zmap -i "$P-p" -S 198.19.1.2 -G "$TB_GW_MAC_PEER" -p 80 -r 0 -T $T -c 3 \
			-b /dev/null -q -o "$work/zmap$T.csv" 198.18.0.0/16 2>/dev/null
		sink_stop "zmap-T$T" "$work/zmap$T.csv" "-r 0 -T $T, raw socket"
	done

	sink_start "$P-c" masscan
	ip netns exec "$P-peer" timeout 120 masscan 198.18.0.0/16 -p80 --rate 100000000 --adapter "$P-p" \
		--adapter-ip 198.19.1.2 --router-mac "$TB_GW_MAC_PEER" --wait 3 -oL "$work/masscan.txt" \
		> "$work/masscan.log" 2>&1
	awk '$1 == "open" {print $4}' "$work/masscan.txt" > "$work/masscan.csv"
	sink_stop masscan "$work/masscan.csv" "--rate 1e8, libpcap"

	ceiling 1
	ceiling 2
	say "same sink, round $round done"
done
tb_down

# --- 5. the virtual internet ---------------------------------------------------
# 3b. Replies per responder lcore: net_pcap replays 4096 probes forever (infinite_rx), replies are
#     dropped in the PMD (no tx_pcap); every probe answered (worst case) and 1 in 8 answered.
$TRAWL scan --dev "net_pcap0,tx_pcap=$work/probes.pcap" --eal "--no-huge -m 256 --no-pci --file-prefix bench-mk" \
	-S 198.19.0.2 -G 02:00:00:00:00:01 -b /dev/null -p 80 -r 0 -c 0 -q -o /dev/null 198.18.0.0/20 2>/dev/null
echo "198.18.0.0/20" > "$work/all.txt"
echo "198.18.0.0/23" > "$work/eighth.txt"
: > "$work/vi.md"
for ds in all all eighth eighth; do
	$TRAWL respond --dev "net_pcap0,rx_pcap=$work/probes.pcap,infinite_rx=1" --eal "$mem --no-pci -l 0-1 --file-prefix bench-rb" \
		--dataset "$work/$ds.txt" --report "$work/rb.json" -q 2>/dev/null & rp=$!
	sleep 3; kill -USR1 $rp; sleep 1.5; cp "$work/rb.json" "$work/rb1.json"
	sleep 5; kill -USR1 $rp; sleep 1.5; kill -INT $rp; wait $rp
	/usr/bin/python3 - "$work/rb1.json" "$work/rb.json" "$ds" >> "$work/vi.md" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
dt = b["uptime_s"] - a["uptime_s"]
probes, answered = (b["probes"] - a["probes"]) / dt, (b["answered"] - a["answered"]) / dt
what = "every probe answered" if sys.argv[3] == "all" else "1 probe in 8 answered"
print(f"| replies per responder lcore, net_pcap replay ({what}) | {b['probes']} probes | "
      f"{answered / 1e6:.2f} M replies/s, {probes / 1e6:.2f} M probes/s |")
PY
done

# 3a. Dataset load: 61 million random hosts (ReScan's size), text and binary.
nds=61000000; [ $quick = 1 ] && nds=6100000
build/bench/gen_dataset $nds 7 > "$work/ds.txt"
# Best of 3 each: this VM's memory reclaim makes single runs vary by 2x.
best_load() { # IN OUT LOG: keep the log of the fastest of three loads
	local best="" t
	for i in 1 2 3; do
		build/app/trawl respond --compile "$1" -o "$2" 2> "$3.try"
		t=$(sed -n 's/.*read in \([0-9.]*\) s.*/\1/p' "$3.try")
		if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; cp "$3.try" "$3"; fi
	done
}
best_load "$work/ds.txt" "$work/ds.bin" "$work/load-text.log"
best_load "$work/ds.bin" /dev/null "$work/load-bin.log"
load_row() { # LOG LABEL
	sed -n 's/.*: \([0-9]*\) live hosts.*read in \([0-9.]*\) s, peak memory \([0-9]*\) MiB/\1 \2 \3/p' "$1" |
		{ read -r n t m; echo "| $2 | $n hosts, $(du -h "$3" | cut -f1) file | $t s, peak memory $m MiB |"; }
}
{
	load_row "$work/load-text.log" "dataset load, text" "$work/ds.txt"
	load_row "$work/load-bin.log" "dataset load, binary (--compile)" "$work/ds.bin"
} >> "$work/vi.md"
rm -f "$work/ds.txt" "$work/ds.bin"

# 3c. zmap at full speed against trawl respond (ReScan measured ~7% false negatives on a VM).
P=tbr$$
ip netns add "$P-r"; ip netns add "$P-s"
ip link add "$P-s0" netns "$P-s" type veth peer name "$P-r0" netns "$P-r"
for ns in r s; do ip -n "$P-$ns" link set lo up; ip -n "$P-$ns" link set "$P-${ns}0" up; done
ip -n "$P-s" addr add 198.19.1.2/24 dev "$P-s0"
rmac=$(ip netns exec "$P-r" cat "/sys/class/net/$P-r0/address")
/usr/bin/python3 -c "
import random; r = random.Random(99)
h = r.sample([f'198.18.{a}.{b}' for a in range(256) for b in range(1, 255)], 5000)
open('$work/zds.txt', 'w').writelines(f'{x}:80\n' for x in h)"
ip netns exec "$P-r" $TRAWL respond --dev "net_af_packet0,iface=$P-r0,framecnt=16384" \
	--eal "--no-huge -m 512 --no-pci -l 1 --file-prefix $P-r" --dataset "$work/zds.txt" -q 2>/dev/null & rp=$!
sleep 2
fn_rows=""
for T in 1 2; do
	ip netns exec "$P-s" zmap -i "$P-s0" -S 198.19.1.2 -G "$rmac" -p 80 -r 0 -T $T -c 3 -b /dev/null -q \
		-o "$work/zr$T.csv" 198.18.0.0/16 2>/dev/null
	found=$(comm -12 <(cut -d: -f1 "$work/zds.txt" | sort -u) <(sort -u "$work/zr$T.csv") | wc -l)
	echo "| zmap -T $T -r 0 against trawl respond (veth) | 65536 probes, 5000 open | $((5000 - found)) false negatives ($(/usr/bin/python3 -c "print(f'{100 * (5000 - $found) / 5000:.2f}')")%) |" >> "$work/vi.md"
done
kill -INT $rp; wait $rp
ip netns del "$P-r"; ip netns del "$P-s"; rm -rf /var/run/dpdk/"$P"-*

# --- 6. campaign diffs at survey scale ------------------------------------------
# Two runs of 60 M results each (90 % shared): results.csv to sorted keys (128 MiB of sort memory),
# then the merge into new.csv and gone.csv; the obvious in-memory qsort beside it. On disk, in $work.
say "campaign diff, 2 x 60 M results"
ndiff=60000000; [ $quick = 1 ] && ndiff=6000000
build/bench/diffbench "$work" $ndiff 128 > "$work/diff.txt" 2>&1 || { cat "$work/diff.txt" >&2; exit 1; }
# The same with IPv6 results: three-word keys (address halves and port), up to nine radix passes.
build/bench/diffbench "$work" $ndiff 128 6 > "$work/diff6.txt" 2>&1 || { cat "$work/diff6.txt" >&2; exit 1; }

# --- 9. an older build against this one (TRAWL_BASE=its build directory), rounds interleaved --------
if [ -n "${TRAWL_BASE:-}" ]; then
	base_rev=$(git -C "$TRAWL_BASE/.." rev-parse --short HEAD 2>/dev/null || echo '?')
	bench/versus.sh "$TRAWL_BASE" $( [ $quick = 1 ] && echo 1 || echo 5 ) > "$work/versus.md" 2>/dev/null ||
		echo "| bench/versus.sh | failed | | | |" > "$work/versus.md"
	say "versus: $(cat "$work/versus.md")"
fi

# --- RESULTS.md ---------------------------------------------------------------
bench/report.py sink "$rows" $png/sink.png > "$work/sink.md" || exit 1
bench/report.py limit "$work/limit.tsv" $png/ratelimit.png > "$work/limit.md" || exit 1
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
# lscpu names the hypervisor on some guests only; the CPU's 'hypervisor' flag says it is one.
virt=$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1)
[ -z "$virt" ] && grep -qw hypervisor /proc/cpuinfo && virt="virtual machine"
virt=${virt:+$virt guest}; virt=${virt:-bare metal}
# --quick is a regression check against the kept figures, so it leaves bench/RESULTS.md alone.
out=bench/RESULTS.md; [ $quick = 1 ] && out=bench/RESULTS.quick.md
{
	echo "# trawl benchmark results"
	echo
	echo "Written by \`bench/run.sh$( [ $quick = 1 ] && echo ' --quick')\` on $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "Machine: $cpu, $(nproc) cores ($virt), $(free -g | awk '/Mem/ {print $2}') GiB,"
	echo "Linux $(uname -r), DPDK $(pkg-config --modversion libdpdk), trawl $(cat VERSION) ($(git rev-parse --short HEAD 2>/dev/null || echo '?')), memory: ${mem:-hugepages}."
	echo "Cycles per probe are the CPU clock divided by the rate of the one busy TX lcore, beside trawl's own TSC accounting"
	echo "(the metadata's \`cycles\`); instructions per probe come from callgrind. The VM is noisy: the same run moves 20-40% from one time to the next."
	bench/compare.py --noise
	echo
	echo "## 1. TX: probes into net_null, one TX lcore (goals: 14.88 Mpps for 10GbE, 37.2 Mpps for 25GbE; full IPv4 in 4 min 10 s)"
	echo
	echo "| run | size | rate | cost |"
	echo "|---|---|---|---|"
	echo "$null_line"
	echo "$ir_line"
	echo "$v4_line"
	echo
	echo "## 2. The receive side (goals: 14.88 M replies/s with every role on one lcore, 37.2 M/s for the RX role alone, 14.88 M new results/s on the writer)"
	echo
	echo "Cycles are TSC cycles (the guest's nominal $(/usr/bin/python3 -c "print(f'{$hz / 1e9:.2f}')") GHz), i.e. wall time: 14.88 M/s is $(/usr/bin/python3 -c "print(f'{$hz / 14.88e6:.0f}')") of them."
	echo
	echo "### 2a. The RX lcore, in process: bench/rxbench"
	echo
	echo "Pre-built SYN-ACKs (then echo replies and UDP answers for the other modules), every one from a different"
	echo "target (every reply a new result), through net_ring:"
	echo "A the PMD's receive, B the RX role (parse, AES-128 validation, classification, the RST written"
	echo "over the reply, results and RSTs handed on in bursts), C the RSTs out as the TX role sends them."
	echo "Every run kept; then the MAC alone (bench/macbench): SipHash-2-4, trawl's MAC before issue 23, against"
	echo "AES-128 as trawl makes it (AES-NI, one block per reply and bursts of 32 per TX burst; the portable rounds)"
	echo "and as OpenSSL's libcrypto makes it (EVP), TSC ticks per tag over independent inputs."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/rxrole.md"
	echo
	echo "### 2b. trawl on one lcore over net_memif from a generator (repeats)"
	echo
	echo "A generator process (dpdk-testpmd forwarding a net_pcap replay of 4096 SYN-ACKs) on one core feeds"
	echo "trawl over net_memif; trawl has the other core alone, all its roles on one lcore: RX, writer, ARP,"
	echo "and the TX role sending the RSTs back. After the first 4096 every reply is a repeat."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/rx.md"
	echo
	echo "### 2c. The writer at 60 M responders: bench/writerbench"
	echo
	echo "60 M results, every one a different target of 0.0.0.0/0 less the default blocklist on one port, in"
	echo "the permutation's order, through the writer role (ring, dedup bitmap with burst prefetch, CSV of"
	echo "the default field) and the output thread writing to a file on disk; then the same 60 M again"
	echo "(all repeats). The bitmap is faulted in first, as trawl scan does before it sends (its time is"
	echo "in the memory row): random keys touch every 2 MiB page within the first 1,500 results."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/writer.md"
	echo
	echo "### 2d. Dedup structures at 60 M responders: bench/dedupbench"
	echo
	echo "Side by side in one run, memory faulted in first (the structures compared, not the page faults)."
	echo "Bursts of 64 with the lines prefetched first, as the writer does; rte_hash through"
	echo "rte_hash_lookup_bulk, which prefetches itself. trawl keeps its own bitmap: as fast as rte_bitmap,"
	echo "and rte_bitmap's 32-bit positions cannot number a multi-port scan of the whole space."
	echo
	echo "| structure | memory | every key new | every key a repeat |"
	echo "|---|---|---|---|"
	cat "$work/dedup.md"
	echo
	echo "### 2e. End to end: trawl scan vs trawl respond over net_memif (bench/e2e.py)"
	echo
	echo "198.18.0.0/15 open on ports 1-32 (4,194,304 open targets), -P 2: 8.4 M replies. 1x1: scanner on"
	echo "one core (TX, RX, writer, main on one lcore), responder on the other. 2x2: two queue pairs, both"
	echo "processes on both cores: four busy-polling threads on two cores, where a memif ring fills while"
	echo "its reader is descheduled; shown for correctness (no row twice, every loss counted), not speed."
	echo "Replies the responder could not hand to memif are its tx_full; the scanner counts what it loses."
	echo
	echo "| queue pairs | rate asked (M) | reached (Mpps) | rows | distinct | rows == distinct == open | responder tx_full | scanner lost | every reply handed over was received |"
	echo "|---|---|---|---|---|---|---|---|---|"
	cat "$work/e2e.md"
	echo
	echo "![end to end over memif](e2e.png)"
	echo
	echo "## 3. Rate limiter into net_null, $limsecs s each (goal: mean within 2%, no 10 ms above 2x)"
	echo
	echo "Busiest 10 ms: trawl's own meter (send_rate_peak_10ms_pps in the metadata), 10 ms windows sliding"
	echo "in 1 ms steps, counted where the TX lcore hands probes to the port."
	echo
	cat "$work/limit.md"
	echo
	echo "![achieved vs requested rate](ratelimit.png)"
	echo
	echo "## 4. Same testbed, side by side (veth, 198.18.0.0/16, 600 open hosts on port 80)"
	echo
	echo "Each scanner from its own namespace through the same kernel \"internet\", one after the other, $rounds round(s)"
	echo "interleaved. Send rate is measured at the sink: tcpdump in the target namespace timestamps every SYN"
	echo "that arrives; rate = (SYNs - 1) / (last - first). Hits: open hosts found, from each scanner's own output."
	echo "The af_packet ceilings are dpdk-testpmd forwarding trawl's own probes (a pcap replay) out of the same port:"
	echo "one queue on one core, and two queues on two cores (two processes, half the probes each)."
	echo
	cat "$work/sink.md"
	echo
	echo "![send rate at the sink](sink.png)"
	echo
	echo "## 5. The virtual internet (trawl respond)"
	echo
	echo "Replies per lcore: each run twice (both rows kept); loads: best of three."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/vi.md"
	echo
	echo "## 6. Campaign diffs: what changed between two runs of 60 M results"
	echo
	echo "\`build/bench/diffbench\`: what \`trawl campaign run\` does after its scans, worst case (neither run's"
	echo "sorted keys exist yet): each results.csv parsed and radix sorted in chunks of 128 MiB, the sorted runs"
	echo "merged into a key file, the two key files merged into new.csv and gone.csv. Memory is bounded by the"
	echo "sort memory plus 256 KiB per sorted run, whatever the size of the runs."
	echo
	echo '```'
	cat "$work/diff.txt"
	echo '```'
	echo
	echo "IPv6 results (issue 24): keys6.bin, 24 bytes a key; the passes a digit every key shares are skipped."
	echo
	echo '```'
	cat "$work/diff6.txt"
	echo '```'
	echo
	echo "## 7. Services: tcp_banner on one veth sink (bench/banner.sh)"
	echo
	echo "\`trawl respond\` with 2,000 HTTP services and 4 middlebox /24s in 198.18.0.0/16 over af_packet veth;"
	echo "each scanner at its top rate on the same sink, rounds interleaved, medians and spans. The RX role's"
	echo "own figures for tcp_banner (SYN-ACKs answered with ACK+GET into a full table, data segments) are in 2a."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/banner.md"
	echo
	echo "## 8. The kernel path (bench/kpath.sh, bench/kpath_memif.py)"
	echo
	echo "The scan's rate with \`--kernel-iface\` against \`none\`, rounds interleaved: over the af_packet veth"
	echo "testbed at its top rate (the kernel answering 198.18.0.0/16 x 8 ports), and against trawl respond over"
	echo "memif with every role on one lcore. Then, with a slow scan running, the path's own throughput (iperf3)"
	echo "and a ping of the scan address, beside the same over a plain veth pair between the same namespaces."
	echo "net_tap here (no vhost-net in this kernel); virtio_user over vhost-net is not measured here."
	echo
	echo "| what | figure |"
	echo "|---|---|"
	cat "$work/kpath.md"
	echo
	cat "$work/kpath_memif.md"
	echo
	if [ -n "${TRAWL_BASE:-}" ]; then
		echo "## 9. Before and after: the build of $base_rev against this one (bench/versus.sh)"
		echo
		echo "Issue 23's set-ups, rounds interleaved (old, new, old, new, ...), medians with the spread of every round;"
		echo "the last column is this build's own accounting in the median round, busy TSC ticks per reply (per probe for"
		echo "TX) by role, and the idle rounds' ticks per reply."
		echo
		echo "| set-up | before | after | after / before | after: ticks by role |"
		echo "|---|---|---|---|---|"
		cat "$work/versus.md"
		echo
	fi
	echo "## 10. IPv6 (issue 24): probes, replies, lists"
	echo
	echo "IPv6 line rate at 10GbE is about 12.8 Mpps for a SYN (78-byte frames, 98 on the wire). The list, dataset and dedup"
	echo "figures at 50 M lines are \\`bench/listbench\\`'s, in the Targeting table below."
	echo
	echo "| run | size | figure | cost |"
	echo "|---|---|---|---|"
	cat "$work/ipv6.md"
	echo
	echo "## Targeting: generator speed and constraint memory"
	echo
	echo "\`build/bench/generator\`: the real generator (permutation, Shoup step, constraint lookup) on one core, no EAL;"
	echo "\`build/bench/listbench\`: a hitlist for -I (one line in 20 a repeat) read as trawl scan reads it, beside -w's reader."
	echo
	echo "| what | size | figure |"
	echo "|---|---|---|"
	cat "$work/generator.md"
} > "$out"
if [ $quick = 1 ]; then
	# A regression check, not a record: this run against the figures kept (bench/compare.py says how).
	say "--quick: this run's figures are in $out (not kept); compared with bench/RESULTS.md:"
	bench/compare.py bench/RESULTS.md "$out"
else
	cat "$out"
fi
