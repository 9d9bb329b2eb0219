#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGINT/SIGTERM: sending stops, the cooldown runs, results and metadata are
written, exit 0. A second signal skips the rest of the cooldown."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()


def start(name, cooldown):  # noqa: D103 (tt.eal registers the prefix for removal)
    meta = os.path.join(d, f"{name}.json")
    args = [tt.TRAWL, "scan", "--dev", "net_null0", "--eal", tt.eal(name), "-S", "198.19.0.2",
            "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-r", "2000", "-c", str(cooldown), "-q",
            "-m", meta, "-o", os.path.join(d, f"{name}.csv"), "198.18.0.0/16"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), meta


def wait(p, limit):
    try:
        return p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


p, meta = start("sig1", 2)
time.sleep(1.5)
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
rc = wait(p, 20)
took = time.monotonic() - t0
c.eq(rc, 0, "SIGINT: exit 0")
c.check(1.8 <= took < 6, f"SIGINT: the 2 s cooldown still ran ({took:.1f} s)")
m = tt.metadata(meta)
c.check(0 < m["packets_sent"] < 65536, f"SIGINT: sending stopped early ({m['packets_sent']} sent)")
c.check(os.path.exists(os.path.join(d, "sig1.csv")), "SIGINT: results file written")

p, meta = start("sig2", 30)
time.sleep(1.5)
p.send_signal(signal.SIGTERM)
time.sleep(0.5)
t0 = time.monotonic()
p.send_signal(signal.SIGTERM)
rc = wait(p, 20)
took = time.monotonic() - t0
c.eq(rc, 0, "second signal: exit 0")
c.check(took < 3, f"second signal skips the 30 s cooldown ({took:.1f} s)")
c.check(tt.metadata(meta)["packets_sent"] > 0, "second signal: metadata written")
c.done()
