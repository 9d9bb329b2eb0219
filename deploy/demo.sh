#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The one-command demo: install, build, prepare hugepages, start the built-in
# virtual internet (`trawl respond` with config/example-dataset.txt) on one
# end of a throw-away veth pair, scan it with `trawl scan` from the other,
# and check every result against the ground truth. Everything it creates is
# deleted on exit. Only 198.18.0.0/15, only inside its own namespaces.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Root for namespaces, hugepages and DPDK: run as root (a bare Debian has no sudo), or it asks sudo.
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "demo: run as root (namespaces, hugepages, DPDK); there is no sudo here" >&2; exit 1; }
	exec sudo --preserve-env=CI,TRAWL_SANITIZE,TRAWL_PACKAGE "$0" "$@"
fi
deploy/setup.sh
mem=$(deploy/trawl-hugepages --eal-args --pages 512)
set +e
P=trawl-demo W=$(mktemp -d /tmp/trawl-demo.XXXXXX) RESP=""
cleanup() {
	[ -n "$RESP" ] && kill -INT "$RESP" 2>/dev/null && wait "$RESP" 2>/dev/null
	ip netns del "$P-inet" 2>/dev/null; ip netns del "$P-scan" 2>/dev/null
	rm -rf "$W" /var/run/dpdk/"$P"-*
}
trap cleanup EXIT
ip netns add "$P-inet" && ip netns add "$P-scan" &&
	ip link add "$P-a" netns "$P-scan" type veth peer name "$P-b" netns "$P-inet" || exit 1
for x in "inet b" "scan a"; do set -- $x; ip -n "$P-$1" link set lo up; ip -n "$P-$1" link set "$P-$2" up; done

dataset=config/example-dataset.txt
echo "demo: the virtual internet: $dataset ($(grep -cv '^\s*\(#\|$\)' $dataset) lines), ports 80 and 443"
ip netns exec "$P-inet" build/app/trawl respond --dev "net_af_packet0,iface=$P-b,framecnt=4096" \
	--eal "$mem --no-pci -l 1 --file-prefix $P-inet" --dataset "$dataset" -p 80,443 \
	--gateway-ip 198.19.0.1 --report "$W/report.json" -q &
RESP=$!
sleep 2
out=$top/demo-results.csv meta=$top/demo-metadata.json
ip netns exec "$P-scan" build/app/trawl scan --dev "net_af_packet0,iface=$P-a" \
	--eal "$mem --no-pci -l 0 --file-prefix $P-scan" -S 198.19.0.2 --gateway-ip 198.19.0.1 \
	-b /dev/null -p 80,443 -r 100000 -c 2 -f saddr,sport,ttl,timestamp -o "$out" -m "$meta" 198.18.0.0/16
rc=$?
kill -INT "$RESP"; wait "$RESP"; RESP=""

# The ground truth for ports 80 and 443, derived from the dataset independently of trawl.
/usr/bin/python3 - "$dataset" "$out" "$meta" "$W/report.json" <<'PY'
import ipaddress, json, sys
truth = set()
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    net, _, port = line.partition(":")
    for a in ipaddress.ip_network(net, strict=False):
        for p in ([int(port)] if port else [80, 443]):
            if p in (80, 443):
                truth.add((str(a), p))
rows = [l.split(",") for l in open(sys.argv[2]).read().splitlines()[1:]]
found = {(r[0], int(r[1])) for r in rows}
m, rep = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
print("\ndemo: first results:")
print("  saddr,sport,ttl,timestamp")
for r in rows[:5]:
    print("  " + ",".join(r))
print("demo: scan summary: " + ", ".join(f"{k} {m[k]}" for k in
      ["targets", "packets_sent", "send_rate_pps", "replies_received", "validation_failed", "results", "duplicates"]))
print(f"demo: the responder saw {rep['probes']} probes, answered {rep['answered']} "
      f"({rep['answered_by_kind']['synack']} SYN-ACK, {rep['answered_by_kind']['rst']} RST), "
      f"toolchains {dict((k, v) for k, v in rep['toolchains'].items() if v)}")
missed, extra = truth - found, found - truth
print(f"demo: {len(found)} open (address, port) found of {len(truth)} in the ground truth: "
      f"{len(missed)} missed, {len(extra)} false positives, {len(rows) - len(found)} reported twice")
sys.exit(0 if not missed and not extra and len(rows) == len(found) else 1)
PY
ok=$?
[ "$rc" = 0 ] && [ "$ok" = 0 ]
