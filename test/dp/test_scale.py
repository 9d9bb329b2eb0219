#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""More responders than any fixed table: trawl scan against trawl respond
over net_memif, every address of 198.18.0.0/15 open on ports 1-32
(4,194,304 open targets, twice the old 2^21 dedup bound), -P 2, so every
target answers twice. Checks:
- no row twice, and every row an open target;
- every reply the responder handed to memif reached the scanner
  (responder answered - its tx_full == scanner frames_received);
- on the scanner, every frame is accounted for: frames = valid + invalid +
  other + arp; valid = handed to the writer + dropped with writer_behind;
  the writer's intake = duplicates + closed + successes; results = written;
- rows == open targets, less at most the targets whose two replies were
  both lost, and those losses are counted: exact when nothing was lost.
The rate leaves headroom on a 2-core machine; the checks hold at any rate."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

PORTS = 32
BASE = tt.ip2int("198.18.0.0")
NADDR = 1 << 17
OPEN = NADDR * PORTS

c = tt.Checks()
d = tt.tmpdir()
out, meta = os.path.join(d, "out.csv"), os.path.join(d, "meta.json")
# Every address live, open on --ports.
with tt.Responder(d, ["198.18.0.0/15"], "scale-r", ports=f"1-{PORTS}") as resp:
    p = tt.run(["scan", "--dev", resp.client(), "--eal", tt.eal("scale-s").replace("-m 256", "-m 512") + " -l 0",
                "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", f"1-{PORTS}", "-P", "2",
                "-r", "1000000", "-c", "2", "-q", "-f", "saddr,sport", "--no-header-row", "-o", out, "-m", meta,
                "198.18.0.0/15"], timeout=120)
    c.eq(p.returncode, 0, "scan exit status")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
m = tt.metadata(meta)
r = resp.report
seen = bytearray(OPEN)
rows = dup = stray = 0
with open(out) as f:
    for line in f:
        addr, port = line.rstrip("\n").split(",")
        i = (tt.ip2int(addr) - BASE) * PORTS + int(port) - 1
        rows += 1
        if not (0 <= i < OPEN and 1 <= int(port) <= PORTS):
            stray += 1
        elif seen[i]:
            dup += 1
        else:
            seen[i] = 1
distinct = rows - dup - stray
print(f"rows {rows}, distinct {distinct}; scanner: {m['frames_received']} frames, lost {m['replies_lost']} "
      f"{m['replies_lost_by_reason']}; responder: answered {r['answered']}, tx_full {r['dropped_by_reason']['tx_full']}; "
      f"{m['send_rate_pps']:.0f} pps; dedup {m['dedup']}")
c.eq(dup, 0, "no row twice")
c.eq(stray, 0, "every row is an open target")
c.eq(m["packets_sent"], 2 * OPEN, "two probes per target")
c.eq(r["probes"], 2 * OPEN, "the responder saw every probe")
c.eq(r["answered"] - r["dropped_by_reason"]["tx_full"], m["frames_received"],
     "every reply the responder handed to memif reached the scanner")
c.eq(m["frames_received"], m["replies_valid"] + m["validation_failed"] + m["frames_other"] + m["arp_frames"],
     "scanner: every frame accounted for")
c.eq(m["replies_valid"], m["results_handed"] + m["replies_lost_by_reason"]["writer_behind"],
     "scanner: every valid reply handed to the writer or counted as dropped")
c.eq(m["results_handed"], m["writer_received"] + m["replies_lost_by_reason"]["abandoned_at_exit"],
     "scanner: the writer took every result handed to it")
c.eq(m["writer_received"], m["duplicates"] + m["closed_unique"] + m["successes_unique"],
     "scanner: every result the writer took is a repeat, a closed port or a success")
c.eq((m["results"], m["results_written"], m["results_unwritten"]), (rows, rows, 0), "every result written")
c.check(m["dedup"]["method"] == "bitmap" and m["dedup"]["exact"], f"exact dedup: {m['dedup']}")
# A target is missing only if both its replies were lost, each one counted on one side or the other.
lost = m["replies_lost"] + r["dropped_by_reason"]["tx_full"] + r["dropped_by_reason"]["loss"]
c.check(OPEN - distinct <= lost // 2, f"missing targets ({OPEN - distinct}) are explained by counted losses ({lost})")
if lost == 0:
    c.eq(distinct, OPEN, "nothing lost: rows == distinct == open targets")
c.done()
