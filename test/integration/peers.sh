# SPDX-License-Identifier: BSD-3-Clause
# Sourced: checking a peer scanner (zmap) by what is guaranteed.

# tb_peer_agrees EXPECTED PEER_CSV PEER_JSON: a peer scanner's (zmap's) result set against the ground
# truth, bounded by what is guaranteed. Every row must be in EXPECTED (a peer never invents a host),
# and a host it missed must be one of the replies its own capture counted as dropped (zmap's
# metadata pcap_drop + pcap_ifdrop): on 2 vCPUs zmap's libpcap receive now and then loses a reply,
# which no retry or -P makes impossible. A miss it did not count fails. Prints the counts.
tb_peer_agrees() {
	/usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
want = {x.strip() for x in open(sys.argv[1]) if x.strip()}
got = [x.strip() for x in open(sys.argv[2]) if x.strip()]
try:
    m = json.load(open(sys.argv[3]))
    drops = int(m.get("pcap_drop") or 0) + int(m.get("pcap_ifdrop") or 0)
except (OSError, ValueError):
    drops = 0
extra, missed = set(got) - want, want - set(got)
print(f"peer: {len(set(got))} of {len(want)}, {len(extra)} not in the truth, {len(missed)} missed, "
      f"{drops} counted dropped by its capture{', rows twice' if len(got) != len(set(got)) else ''}")
sys.exit(1 if extra or len(got) != len(set(got)) or len(missed) > drops else 0)
PY
}
