#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGINT/SIGTERM: sending stops, the cooldown runs, results and metadata are
written, exit 0. A second signal skips the rest of the cooldown. SIGSTOP for
longer than the limiter's 100 ms of credit (a preempted VM, ctrl-Z): the
scan goes on afterwards and does not burst to catch up."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()


def start(name, cooldown, extra=()):  # noqa: D103 (tt.eal registers the prefix for removal)
    meta = os.path.join(d, f"{name}.json")
    args = [tt.TRAWL, "scan", "--dev", "net_null0", "--eal", tt.eal(name), "-S", "198.19.0.2",
            "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-r", "2000", "-c", str(cooldown), "-q",
            "-m", meta, "-o", os.path.join(d, f"{name}.csv"), *extra, "198.18.0.0/16"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), meta


def wait(p, limit):
    try:
        return p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


p, meta = start("sig1", 2)
tt.wait_caught(p, signal.SIGINT)  # from the scan's start (after the EAL), not from its exec
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
tt.wait_caught(p, signal.SIGTERM)
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

# Stopped for 0.5 s at 2 kpps: 1000 probes of credit, of which only 100 ms (200) is kept.
# The limiter used to count forgotten credit the wrong way round and never sent again.
p, meta = start("stop", 0, ["-n", "4000"])
time.sleep(0.7)
t_stop = time.monotonic()
p.send_signal(signal.SIGSTOP)
time.sleep(0.5)
p.send_signal(signal.SIGCONT)
stopped = time.monotonic() - t_stop  # at least 0.5 s; more when this VM is busy
rc = wait(p, 15)
c.eq(rc, 0, "SIGSTOP/SIGCONT: the scan finishes")
m = tt.metadata(meta) if rc == 0 else {}
c.eq(m.get("packets_sent"), 4000, "SIGSTOP/SIGCONT: every probe sent")
# 2 s of sending plus the stop, less the 100 ms of credit kept. Never less is what the limiter
# guarantees; more is what a busy VM does to it (a descheduled TX lcore's credit past 100 ms is
# forgotten by design: 3.6 s seen with sanitizer builds on both cores), so the upper bound only
# catches a limiter that slowed down for good; one that stopped is caught by the completion above.
expect = 2.0 + stopped - 0.1
c.check(expect - 0.15 <= m.get("send_time_s", 0) <= expect + 2.5,
        f"SIGSTOP/SIGCONT: 4000 at 2 kpps, stopped {stopped:.2f} s: {m.get('send_time_s', 0):.2f} s (expected {expect:.2f})")
c.check(m.get("send_rate_peak_10ms_pps", 1e9) <= 2 * 2000,
        f"SIGSTOP/SIGCONT: no catch-up burst (busiest 10 ms at {m.get('send_rate_peak_10ms_pps')} pps)")
c.done()
