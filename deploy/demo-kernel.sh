#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel-testbed demo: install, build, prepare hugepages, build a throw-away
# network of 65,536 Linux-kernel hosts in namespaces (test/integration/testbed.sh),
# scan it with trawl over DPDK, and check the results against the ground truth.
# Everything it creates is deleted on exit. Only 198.18.0.0/15, only inside
# its own namespaces.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, hugepages, DPDK)" >&2; exit 1; }
deploy/setup.sh
mem=$(deploy/trawl-hugepages --eal-args --pages 512)
set +e
. test/integration/testbed.sh
P=trawl-demo
tb_up "$P" 500 || { echo "demo: could not build the sandbox network" >&2; exit 1; }
echo "demo: sandbox ready: 198.18.0.0/16, $(wc -l < "$TB_DIR/open.txt") hosts with port 80 open (ground truth in $TB_DIR/open.txt)"
out=$top/demo-results.csv meta=$top/demo-metadata.json
ip netns exec "$P-scan" build/app/trawl scan --dev "net_af_packet0,iface=$P-a,framecnt=4096" \
	--eal "$mem --no-pci --file-prefix $P" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
	-b /dev/null -p 80 -r 100000 -c 3 -f saddr,sport,ttl,timestamp -o "$out" -m "$meta" 198.18.0.0/16
rc=$?
found=$(tail -n +2 "$out" | cut -d, -f1 | sort)
missed=$(comm -23 <(sort "$TB_DIR/open.txt") <(echo "$found") | grep -c . || true)
extra=$(comm -13 <(sort "$TB_DIR/open.txt") <(echo "$found") | grep -c . || true)
echo
echo "demo: first results ($out):"
head -n 6 "$out"
echo "demo: summary ($meta):"
/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("\n".join(f"  {k}: {m[k]}" for k in
  ["targets","packets_sent","send_time_s","send_rate_pps","replies_received","validation_failed","results","duplicates"]))' "$meta"
echo "demo: $(echo "$found" | grep -c .) hosts found; against the ground truth: $missed missed, $extra false positives"
tb_down
[ "$rc" = 0 ] && [ "$missed" = 0 ] && [ "$extra" = 0 ]
