#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An older build against this one, in the set-ups of issue 23, rounds interleaved (old, new, old, new, ...)
# so the VM's drift falls on both alike; medians and spreads, and this build's own ticks by role.
#   bench/versus.sh OLD_BUILD_DIR [ROUNDS]     (this build: build/; markdown rows on stdout)
# Set-ups: bench/rxbench (the RX role and the receive path, net_ring, every reply a new result);
# trawl scan on one lcore fed over net_memif by dpdk-testpmd on the other core (4096 replies on one
# port, 8192 over two; repeats after the first pass); trawl scan -l 0-1 reading a net_pcap
# infinite_rx replay in process; TX into net_null (no receive stream), -p 1-512 of 198.18.0.0/15.
# Root, hugepages. Only vdevs: nothing leaves the machine.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
old=${1:?usage: bench/versus.sh OLD_BUILD_DIR [ROUNDS]}
rounds=${2:-3}
work=$(mktemp -d /tmp/trawl-versus.XXXXXX)
trap 'rm -rf "$work" /var/run/dpdk/bench-*' EXIT
secs=6
declare -A bin=([old]=$old/app/trawl [new]=build/app/trawl) rxb=([old]=$old/bench/rxbench [new]=build/bench/rxbench)
for v in old new; do
	[ -x "${bin[$v]}" ] && [ -x "${rxb[$v]}" ] || { echo "versus: no ${bin[$v]} or ${rxb[$v]}" >&2; exit 1; }
	# each build's own replies: the probes' tags differ from one MAC to another
	bench/rxfeed.sh replies "${bin[$v]}" "$work" 80 "$v-1p" && bench/rxfeed.sh replies "${bin[$v]}" "$work" 80,443 "$v-2p" ||
		{ echo "versus: replies of $v" >&2; exit 1; }
done
# rxbench took "mac|nomac" after REPLIES before issue 23 (its source beside the build says which)
rxargs() { [ "$1" = old ] && grep -q nomac "$old/../bench/rxbench.c" 2>/dev/null && echo "16777216 nomac" || echo 16777216; }
rates() { # what metric json -> value
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
what, m = sys.argv[1], json.load(open(sys.argv[2]))
if what == "tx":
    print(m["send_rate_pps"] / 1e6)
else:
    print(m["replies_valid"] / m["cooldown_s"] / 1e6)
cy = m.get("cycles")
if cy:
    n = m["packets_sent"] if what == "tx" else max(m["replies_valid"], 1)
    print(" ".join(f"{r}={cy[r]['busy'] / n:.0f}" for r in ("rx", "writer", "tx", "control")),
          f"idle={sum(cy[r]['idle'] for r in cy if isinstance(cy[r], dict) and 'idle' in cy[r]) / n:.0f}", file=sys.stderr)
PY
}
: > "$work/runs.tsv"
for i in $(seq "$rounds"); do
	for v in old new; do
		# shellcheck disable=SC2046
		r=$("${rxb[$v]}" --no-huge -m 512 --no-pci -l 1 --file-prefix bench-vsr --log-level=warning \
			--vdev net_ring0 --vdev net_ring1 -- $(rxargs $v) 2>/dev/null)
		printf '%s\trxbench role\t%s\t\n' $v "$(sed -n 's/.*RX role alone.*| \([0-9.]*\) cycles\/reply: \([0-9.]*\) M.*/\2/p' <<< "$r")" >> "$work/runs.tsv"
		printf '%s\trxbench path\t%s\t\n' $v "$(sed -n 's/.*whole receive path.*| \([0-9.]*\) cycles\/reply: \([0-9.]*\) M.*/\2/p' <<< "$r")" >> "$work/runs.tsv"
		for s in "memif 1p 80" "memif 2p 80,443" "pcap 1p 80"; do
			set -- $s
			bench/rxfeed.sh "$1" "${bin[$v]}" "$work" "$work/$v-$2.pcap" $secs "$3" "$work/m.json" >/dev/null 2>&1
			x=$(rates rx "$work/m.json" 2> "$work/own")
			printf '%s\t%s %s\t%s\t%s\n' $v "$1" "$2" "$x" "$(cat "$work/own")" >> "$work/runs.tsv"
		done
		"${bin[$v]}" scan --dev net_null0,no-rx=1 --eal "--no-pci -l 0-1 --file-prefix bench-vst" -S 198.19.0.2 \
			-G 02:00:00:00:00:01 -b /dev/null -p 1-512 -r 0 -c 0 -q -o /dev/null -m "$work/t.json" 198.18.0.0/15 2>/dev/null
		x=$(rates tx "$work/t.json" 2> "$work/own")
		printf '%s\ttx null\t%s\t%s\n' $v "$x" "$(cat "$work/own")" >> "$work/runs.tsv"
		echo "versus: round $i $v done" >&2
	done
done
/usr/bin/python3 - "$work/runs.tsv" "$rounds" <<'PY'
import statistics, sys
runs, rounds = {}, sys.argv[2]
own = {}
for line in open(sys.argv[1]):
    v, what, x, o = (line.rstrip("\n").split("\t") + [""])[:4]
    if x:
        runs.setdefault(what, {}).setdefault(v, []).append(float(x))
    if v == "new" and o:
        own.setdefault(what, []).append(o)
names = {
    "rxbench role": "bench/rxbench, the RX role alone (B), M replies/s",
    "rxbench path": "bench/rxbench, the whole receive path (A + B + C), M replies/s",
    "memif 1p": "trawl scan -l 0 over net_memif from dpdk-testpmd, 4096 replies on 1 port, M validated/s",
    "memif 2p": "the same, 8192 replies over 2 ports, M validated/s",
    "pcap 1p": "trawl scan -l 0-1 reading a net_pcap infinite_rx replay in process, M validated/s",
    "tx null": "TX into net_null (no-rx), -l 0-1, 2^26 probes, Mpps",
}
def fmt(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})" if xs else "-"
for what, name in names.items():
    r = runs.get(what, {})
    o, n = r.get("old", []), r.get("new", [])
    ratio = f"{statistics.median(n) / statistics.median(o):.2f}x" if o and n else "-"
    last = own.get(what, [""])[len(own.get(what, [""])) // 2]
    print(f"| {name} | {fmt(o)} | {fmt(n)} | {ratio} | {last or '-'} |")
PY
