#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench/compare.py, the benchmark regression check, on two small RESULTS.md:
a rate that fell beyond the noise is WORSE, cycles that fell are better, a
move inside the noise and a changed "size" column are not printed, rows kept
once per run are compared by their median, a figure whose cell changed its
wording is not compared, the kept file's own Noise line is the one used, and
another machine is said."""
import os
import subprocess
import sys
import tempfile

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
KEPT = """# trawl benchmark results
Machine: CPU A, 2 cores
Noise: instructions 2%, timed figures 20% (what the comparison counts as a move).

## 1. TX

| run | size | rate | cost |
|---|---|---|---|
| syn | 100 probes | 30.00 Mpps | ~70 cycles/probe |
| syn callgrind | 100 probes | 400 instructions/probe | |

## 2. RX

| what | size | figure |
|---|---|---|
| rx role | 16 replies | 100.0 cycles/reply: 21.00 M replies/s |
| rx role | 16 replies | 300.0 cycles/reply: 7.00 M replies/s |
| rx role | 16 replies | 110.0 cycles/reply: 19.09 M replies/s |
| memif | 5 s | 8.0 M validated replies/s |
"""
NEW = """# trawl benchmark results
Machine: CPU B, 2 cores
Noise: instructions 50%, timed figures 90% (the new file's line is not the one used).

## 1. TX

| run | size | rate | cost |
|---|---|---|---|
| syn | 999 probes | 20.00 Mpps | ~105 cycles/probe |
| syn callgrind | 100 probes | 409 instructions/probe | |

## 2. RX

| what | size | figure |
|---|---|---|
| rx role | 16 replies | 60.0 cycles/reply: 35.00 M replies/s |
| memif | 5 s | 1.0 M replies/s, said otherwise |
"""
bad = []
with tempfile.TemporaryDirectory() as d:
    k, n = os.path.join(d, "kept.md"), os.path.join(d, "new.md")
    open(k, "w").write(KEPT)
    open(n, "w").write(NEW)
    p = subprocess.run([sys.executable, os.path.join(TOP, "bench/compare.py"), k, n], capture_output=True, text=True)
    out = p.stdout
    print(out, p.stderr)
    lines = out.splitlines()

    def has(*words):
        return any(all(w in x for w in words) for x in lines)

    checks = [
        (p.returncode == 0, "a report: exit 0"),
        (has("WARNING", "CPU A", "CPU B"), "another machine is said"),
        (has("WORSE", "| syn |", "30 -> 20"), "a rate down beyond the noise is WORSE"),
        (has("WORSE", "| syn |", "70 -> 105"), "cycles up beyond the noise are WORSE"),
        (has("WORSE", "syn callgrind", "400 -> 409"), "instructions up 2.25% against a stated 2% are WORSE"),
        (has("better", "rx role", "110 -> 60"), "cycles down, against the median of three rows, are better"),
        (has("better", "rx role", "19.09 -> 35"), "a rate up, against the median of three rows, is better"),
        (not has("999"), "the size column is not a figure"),
        (not has("memif"), "a cell worded otherwise is not compared"),
        (has("5 moved by more than their noise (2% instructions, 20% timed)"), "the kept file's noise, five moves"),
    ]
    for ok, what in checks:
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            bad.append(what)
    # Inside the noise: the same file with every figure moved by 10% of a 20% noise prints none.
    open(n, "w").write(KEPT.replace("30.00 Mpps", "27.00 Mpps").replace("~70 cycles", "~77 cycles"))
    p = subprocess.run([sys.executable, os.path.join(TOP, "bench/compare.py"), k, n], capture_output=True, text=True)
    ok = "0 moved by more than their noise" in p.stdout and "WARNING" not in p.stdout
    print(("ok   " if ok else "FAIL ") + "moves inside the noise, same machine: nothing printed")
    if not ok:
        bad.append("inside the noise")
print(f"bench compare: {len(bad)} failed")
sys.exit(1 if bad else 0)
