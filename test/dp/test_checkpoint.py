#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""--checkpoint under SIGKILL: trawl scan against trawl respond over
net_memif, 198.18.0.0/16 on ports 1-4 (262,144 targets, -T 2) where
198.18.0.0/17 is open (131,072 open targets), at 15,000 probes/s (17.5 s
of sending), killed with SIGKILL at random moments KILLS times, then run
to the end. Each kill lands while its attempt runs and after it has
committed progress: the attempt is killed a random 0-0.6 s after its first
commit (waited for, bounded). An attempt so sends for at most its first
commit (0.5 s of lag plus one tenth) and 0.6 s: all KILLS together fewer
probes than the targets, so the scan cannot end before its last kill
(with kills at 0.7-2.5 s after the start and 30,000/s, a seed once let it
finish before the 9th). Checks:
- the union of the results is exactly the open set, no row twice, one
  header row;
- probes the responder received over every attempt together are at most
  the targets plus one second's worth (-r) per kill;
- the seed was kept in the file (no -e given);
- run again, the finished scan sends nothing and exits 0, the output
  untouched; another scan with the same file is refused with exit 2.
The kill moments come from a seeded RNG, printed; the bounds hold at any
moment (the scan's own guarantees), so the test does not depend on them."""
import ipaddress
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

KILLS = 10
RATE = 15000
TARGETS = 65536 * 4
OPEN = 32768 * 4
BASE = tt.ip2int("198.18.0.0")

seed = int(os.environ.get("TRAWL_TEST_SEED", str(int(time.time()))))
rng = random.Random(seed)
print(f"kill moments from seed {seed}")
c = tt.Checks()
d = tt.tmpdir()
out, meta, ck = (os.path.join(d, n) for n in ("out.csv", "meta.json", "ck.json"))


def scan_args(resp, ports="1-4", extra=()):
    return [tt.TRAWL, "scan", "--dev", resp.client(), "--eal", tt.eal("ckpt-s") + " -l 0",
            "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", ports, "-T", "2", "--receiver-threads", "2",
            "-r", str(RATE), "-c", "1", "-q", "-f", "saddr,sport", "-o", out, "-m", meta,
            "--checkpoint", ck, *extra, "198.18.0.0/16"]


seeds = set()
with tt.Responder(d, ["198.18.0.0/17"], "ckpt-r", ports="1-4", threads=2) as resp:
    kills = 0
    for attempt in range(KILLS):
        p = subprocess.Popen(scan_args(resp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        tt.wait_commit(p, ck, attempt + 1)  # this attempt's first commit (30 s at most)
        time.sleep(rng.uniform(0, 0.6))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait(timeout=30)
        if os.path.exists(ck):
            with open(ck) as f:
                state = json.load(f)
            seeds.add(state["seed"])
            print(f"kill {kills}: {state['results']} results committed, attempt {state['attempts']}, "
                  f"targets drawn {[int(x['targets']) for x in state['positions']]}", flush=True)
    c.eq(kills, KILLS, "every attempt was killed while running")
    p = subprocess.Popen(scan_args(resp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        err = tt.wait_bounded(p, 120)[1]
    except subprocess.TimeoutExpired:
        # Where it is stuck, for the log: every thread's wait channel.
        for t in sorted(os.listdir(f"/proc/{p.pid}/task")):
            with open(f"/proc/{p.pid}/task/{t}/comm") as f1, open(f"/proc/{p.pid}/task/{t}/wchan") as f2:
                print(f"stuck: thread {f1.read().strip()} in {f2.read().strip()}")
        p.kill()
        err = p.communicate()[1]
    c.eq(p.returncode, 0, "the last attempt's exit status")
    if p.returncode != 0:
        sys.stderr.write(err)
    m = tt.metadata(meta)
    with open(ck) as f:
        state = json.load(f)
    c.check(state["done"], "the checkpoint says the scan is finished")
    c.eq(int(state["results"]), OPEN, "the checkpoint counts every result")
    c.eq(m["results"], OPEN, "metadata: results over every attempt")
    c.eq(str(m["seed"]), state["seed"], "the seed was kept in the file")
    c.eq(len(seeds | {state["seed"]}), 1, "one seed over every attempt")

    with open(out) as f:
        before = f.read()
    # Finished: nothing is sent again.
    probes_before = None
    p = tt.run(scan_args(resp)[1:], timeout=60)
    c.eq(p.returncode, 0, "a finished scan run again: exit 0")
    c.check("finished" in p.stderr, f"it says the scan is finished: {p.stderr!r}")
    with open(out) as f:
        c.check(f.read() == before, "the output is untouched")
    # Another scan (other ports) with this file: refused.
    p = tt.run(scan_args(resp, ports="1-5")[1:], timeout=60)
    c.eq(p.returncode, 2, "another scan's checkpoint: exit 2")
    c.check("another scan" in p.stderr, f"it says so: {p.stderr!r}")
    p = tt.run(scan_args(resp, extra=("-e", "7"))[1:], timeout=60)
    c.eq(p.returncode, 2, "another seed: exit 2")
r = resp.report

lines = before.split("\n")
c.eq(lines[0], "saddr,sport", "one header row, first")
rows = [x for x in lines[1:] if x]
c.eq(sum(1 for x in rows if x == "saddr,sport"), 0, "no second header row")
distinct = set(rows)
c.eq(len(rows), len(distinct), "no row twice")
truth = {f"{ipaddress.ip_address(BASE + a)},{p}" for a in range(32768) for p in range(1, 5)}
c.eq(len(distinct - truth), 0, "every row is an open target")
c.eq(len(truth - distinct), 0, "every open target is a row")
bound = TARGETS + KILLS * RATE
print(f"responder: {r.get('probes')} probes over {KILLS + 1} attempts; bound {bound} "
      f"(targets + one second's worth per kill); {len(rows)} rows")
c.check(r.get("probes", 1 << 60) <= bound, f"probes sent in all attempts {r.get('probes')} <= {bound}")
c.check(r.get("probes", 0) >= TARGETS, "every target was probed")
c.done()
