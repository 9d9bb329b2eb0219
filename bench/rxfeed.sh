#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The receive side fed from a replay, the two set-ups of bench/RESULTS.md section 2b and issue 23:
#   rxfeed.sh replies TRAWL WORK PORTS NAME        the SYN-ACKs of TRAWL's probes to 198.18.0.0/20 on PORTS
#       (-p syntax), every one answered by TRAWL respond: WORK/NAME.pcap (needs the fixed key below)
#   rxfeed.sh memif TRAWL WORK PCAP SECS PORTS JSON   trawl scan on ONE lcore (-l 0: RX, writer, ARP, and
#       the TX role sending the RSTs) fed over net_memif by dpdk-testpmd forwarding an endless net_pcap
#       replay of PCAP on the other core; the scan's metadata into JSON, the generator's offer printed
#   rxfeed.sh pcap TRAWL WORK PCAP SECS PORTS JSON   trawl scan -l 0-1 reading the replay in process
#       (net_pcap infinite_rx: the replies come in as fast as the PMD reads them; the probes are dropped)
# After the first pass every reply is a repeat. Root; memif needs hugepages. Only vdevs: nothing leaves.
set -uo pipefail
KEY=00112233445566778899aabbccddeeff
mode=$1 trawl=$2 work=$3
shift 3
common=(-S 198.19.0.2 -G 02:00:00:00:00:01 -b /dev/null -r 0 -q -o /dev/null --validation-key $KEY)
case $mode in
replies)
	ports=$1 name=$2
	"$trawl" scan --dev "net_pcap0,tx_pcap=$work/$name.probes.pcap" --eal "--no-huge -m 256 --no-pci \
		--file-prefix bench-rfa" "${common[@]}" -p "$ports" -c 0 198.18.0.0/20 2>/dev/null || exit 1
	echo 198.18.0.0/20 > "$work/rxall.txt"
	timeout -s INT 3 "$trawl" respond --dev "net_pcap0,rx_pcap=$work/$name.probes.pcap,tx_pcap=$work/$name.pcap" \
		--eal "--no-huge -m 256 --no-pci --file-prefix bench-rfb" --dataset "$work/rxall.txt" -q 2>/dev/null
	[ -s "$work/$name.pcap" ]
	;;
memif)
	pcap=$1 secs=$2 ports=$3 json=$4 sock=$work/memif.sock
	rm -f "$sock"
	(sleep $((secs + 6))) | timeout $((secs + 30)) dpdk-testpmd --lcores 0@1,1@1 --file-prefix bench-gen --no-pci \
		--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev "net_memif0,role=server,socket=$sock" \
		-- --forward-mode=io --nb-cores=1 --total-num-mbufs=65536 --no-lsc-interrupt > "$work/gen.log" 2>&1 &
	gen=$!
	sleep 3
	"$trawl" scan --dev "net_memif0,role=client,socket=$sock" --eal "-l 0 --no-pci --file-prefix bench-rfc" \
		"${common[@]}" -p "$ports" -c "$secs" -m "$json" 198.18.0.0/20 2>/dev/null
	rc=$?
	wait $gen
	echo "offered $(grep -o 'TX-total: [0-9]*' "$work/gen.log" | awk '{print $2}' | sort -n | tail -1)"
	exit $rc
	;;
pcap)
	pcap=$1 secs=$2 ports=$3 json=$4
	"$trawl" scan --dev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --eal "-l 0-1 --no-pci --file-prefix bench-rfd" \
		"${common[@]}" -p "$ports" -c "$secs" -m "$json" 198.18.0.0/20 2>/dev/null
	;;
*)
	echo "rxfeed.sh: replies|memif|pcap ..." >&2
	exit 2
	;;
esac
