#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An output that does not keep up. trawl scan against trawl respond over
net_memif (2,097,152 open targets, more rows than the writer's buffers
hold), with the results going to:
- a FIFO nobody reads until the scan is over: the writer fills its buffers,
  the RX role drops what the writer's ring cannot take (writer_behind, in
  the status line too, which with --status-cycles also shows the ticks
  by role), the scan still ends (the output is given up on
  after 2 s without progress), exit 1 with one line naming the output, and
  the counts add up: the rows in the FIFO are results_written, results =
  written + unwritten, and every valid reply was handed on or counted;
- a pipe whose reader leaves after the first rows (| head): exit 1 naming
  the broken pipe, and written + unwritten = results again."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()


def scan(resp, name, out, extra=()):
    meta = os.path.join(d, f"{name}.json")
    args = [tt.TRAWL, "scan", "--dev", resp.client(), "--eal", tt.eal(name).replace("-m 256", "-m 512") + " -l 0",
            "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", "1-16", "-r", "1000000",
            "-c", "1", "-f", "saddr,sport", "--no-header-row", "-o", out, "-m", meta, *extra, "198.18.0.0/15"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), meta


def accounted(m, what):
    c.eq(m["replies_valid"], m["results_handed"] + m["replies_lost_by_reason"]["writer_behind"],
         f"{what}: every valid reply handed to the writer or counted as dropped")
    c.eq(m["results_handed"], m["writer_received"] + m["replies_lost_by_reason"]["abandoned_at_exit"],
         f"{what}: every result handed on taken by the writer or counted as abandoned")
    c.eq(m["successes_unique"], m["results"], f"{what}: every success formatted")
    c.eq(m["results"], m["results_written"] + m["results_unwritten"], f"{what}: results = written + unwritten")


with tt.Responder(d, ["198.18.0.0/15"], "out-r", ports="1-16") as resp:
    # 1. A FIFO with a reader that never reads while the scan runs.
    fifo = os.path.join(d, "results.fifo")
    os.mkfifo(fifo)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the scan's open for writing needs a reader
    t0 = time.monotonic()
    p, meta = scan(resp, "stuck", fifo, ["--status-cycles"])
    try:
        _, err = tt.wait_bounded(p, 90)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    took = time.monotonic() - t0
    data = b""
    while True:
        try:
            chunk = os.read(rfd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    lines = [x for x in err.splitlines() if x.startswith("trawl")]
    status = [x for x in err.splitlines() if "[send]" in x or "[cooldown]" in x]
    c.eq(p.returncode, 1, "stuck output: exit 1")
    c.check(len(lines) == 1 and fifo in lines[0] and "not written" in lines[0], f"one line naming the output: {lines}")
    c.check(took < 30, f"the scan still ends ({took:.1f} s for 2 s of sending)")
    m = tt.metadata(meta)
    rows = data.count(b"\n")
    print(f"stuck: {took:.1f} s; results {m['results']}, written {m['results_written']} (in the FIFO: {rows}), "
          f"unwritten {m['results_unwritten']}, lost {m['replies_lost_by_reason']}, cut short: {m.get('cut_short')}")
    c.eq(rows, m["results_written"], "the rows in the FIFO are the ones counted as written")
    c.check(data.endswith(b"\n") or not data, "no row cut in half")
    c.check(m["results_unwritten"] > 0, "results not written are counted")
    c.check(m["replies_lost_by_reason"]["writer_behind"] > 0, "the writer fell behind and the RX role counted it")
    c.check(m.get("cut_short") == "output stalled", f"the metadata says why the run was cut short ({m.get('cut_short')})")
    accounted(m, "stuck output")
    c.check(any("writer behind" in x and "lost 0" not in x for x in status), "the status line shows the losses")
    # --status-cycles: every status line carries the last second's ticks by role; sending at 1 Mpps for
    # over 2 s, some second sent probes, and its TX figure is not zero.
    ticks = [re.search(r"; ticks tx (\d+)/probe, rx (\d+)/frame, writer (\d+)/reply, idle (\d+)%", x) for x in status]
    c.check(status and all(ticks), f"--status-cycles: the ticks on every status line ({status[:2]})")
    c.check(any(t and int(t.group(1)) > 0 for t in ticks), "--status-cycles: TX ticks per probe while sending")

    # 2. A reader that takes a few rows and leaves.
    # A shell pipeline, as an operator types it: trawl's stdout is head's stdin.
    t0 = time.monotonic()
    meta = os.path.join(d, "head.json")
    sh = subprocess.run(["bash", "-c", " ".join([
        tt.TRAWL, "scan", "--dev", resp.client(), "--eal", f"'{tt.eal('head').replace('-m 256', '-m 512')} -l 0'",
        "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", "1-16", "-r", "1000000", "-c", "1",
        "-q", "-f", "saddr,sport", "--no-header-row", "-m", meta, "198.18.0.0/15", "2>", os.path.join(d, "head.err"),
        "|", "head", "-n", "3", ">", os.path.join(d, "head.out"), "; exit ${PIPESTATUS[0]}"])],
        timeout=90)
    with open(os.path.join(d, "head.err")) as f:
        lines = [x for x in f.read().splitlines() if x.startswith("trawl")]
    c.eq(sh.returncode, 1, "reader gone: exit 1")
    c.check(len(lines) == 1 and "Broken pipe" in lines[0], f"one line naming the broken pipe: {lines}")
    with open(os.path.join(d, "head.out")) as f:
        c.eq(len(f.read().splitlines()), 3, "head got its rows")
    m = tt.metadata(meta)
    print(f"head: results {m['results']}, written {m['results_written']}, unwritten {m['results_unwritten']}")
    c.check(m["results_written"] >= 3 and m["results_unwritten"] > 0, "some written, the rest counted as unwritten")
    accounted(m, "reader gone")
    c.check(time.monotonic() - t0 < 60, "the scan still ends")
c.done()
