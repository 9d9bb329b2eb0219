#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark regression check: this run's figures against the ones kept.

    bench/compare.py KEPT NEW      (bench/run.sh --quick: KEPT is bench/RESULTS.md)
    bench/compare.py --noise       the noise line RESULTS.md states (run.sh writes it)

Both files are RESULTS.md as bench/run.sh writes them. A figure is a number
in a table cell other than the row's label and its "size" column; it is
compared where both files have the same section, table header, row label
and cell text with its numbers taken out (so a figure of another size or
another unit is not compared). Rows kept once per run (three runs of the
same thing) are reduced to their median first. Every figure that moved by
more than its noise is printed, with which way is worse: ticks, cycles,
instructions, seconds and memory are worse up, rates worse down.

The noise is what RESULTS.md states on its "Noise:" line (the kept file's,
else NOISE below): callgrind's instruction counts are near-exact, timed
figures on this 2-core KVM guest move by tens of percent from run to run.
A report, never a failure: exit 0 unless a file cannot be read. Figures
from another machine (the files' "Machine:" lines differ) are compared all
the same, under a warning that the moves are the machines', not the code's.
"""
import re
import statistics
import sys

NOISE = {"instructions": 2.0, "timed": 35.0}
NUM = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
WORSE_UP = re.compile(r"^\s*(?:cycles|ticks|instructions|s\b|ms|us|min\b|MiB|GiB|KiB|bytes|busy|idle)|cycles/|ticks/")
WORSE_DOWN = re.compile(r"^\s*(?:Mpps|Kpps|kpps|pps|M\b|M/s|Mbit/s|Gbit/s|M [a-z ]*/s|[a-z]+/s)")


def noise_line():
    return (f"Noise: instructions {NOISE['instructions']:g}%, timed figures {NOISE['timed']:g}% "
            "(what bench/run.sh --quick's comparison, bench/compare.py, counts as a move).")


def read(path):
    """(machine line, noise dict, {key: [numbers of each row]}, {key: template})"""
    machine, noise, figs, tmpl = "", dict(NOISE), {}, {}
    section, header = "", []
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        if line.startswith("Machine:"):
            machine = line[len("Machine:"):].strip()
        m = re.match(r"Noise: instructions ([\d.]+)%, timed figures ([\d.]+)%", line)
        if m:
            noise = {"instructions": float(m.group(1)), "timed": float(m.group(2))}
        if line.startswith("#"):
            section, header = line.lstrip("# ").strip(), []
            continue
        if not line.startswith("|"):
            header = [] if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        if not header:
            header = cells
            continue
        label = cells[0]
        for i, cell in enumerate(cells[1:], 1):
            if i < len(header) and header[i].lower() == "size":
                continue
            nums = NUM.findall(cell)
            if not nums:
                continue
            t = NUM.sub("#", cell)
            key = (section, " | ".join(header), label, i, t)
            tmpl[key] = t
            figs.setdefault(key, []).append([float(n.replace(",", "")) for n in nums])
    return machine, noise, figs, tmpl


def median_row(rows):
    return [statistics.median(r[j] for r in rows) for j in range(len(rows[0]))]


def direction(template, j):
    """+1 if up is worse for the j-th number of the cell, -1 if down is, 0 if unknown."""
    after = template.split("#")[j + 1] if len(template.split("#")) > j + 1 else ""
    if WORSE_UP.search(after):
        return 1
    if WORSE_DOWN.search(after):
        return -1
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--noise":
        print(noise_line())
        return 0
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        km, noise, kept, tmpl = read(argv[1])
        nm, _, new, _ = read(argv[2])
    except OSError as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    if km != nm:
        print(f"compare: WARNING: {argv[1]} was measured on '{km}', this run on '{nm}': the moves below are the "
              "machines' as much as the code's")
    compared, moved = 0, []
    for key, rows in new.items():
        if key not in kept:
            continue
        a, b = median_row(kept[key]), median_row(rows)
        if len(a) != len(b):
            continue
        t = tmpl[key]
        lim = noise["instructions"] if "instruction" in t else noise["timed"]
        for j, (x, y) in enumerate(zip(a, b)):
            compared += 1
            if x == y or (x == 0 and abs(y) < 1e-9):
                continue
            pct = 100.0 * (y - x) / abs(x) if x else float("inf")
            if abs(pct) <= lim:
                continue
            d = direction(t, j)
            verdict = "moved" if d == 0 else ("WORSE" if (pct > 0) == (d > 0) else "better")
            moved.append((verdict, key, j, x, y, pct, lim))
    print(f"compare: {compared} figures of {len(new)} cells compared with {argv[1]}; "
          f"{len(moved)} moved by more than their noise ({noise['instructions']:g}% instructions, "
          f"{noise['timed']:g}% timed)")
    order = {"WORSE": 0, "moved": 1, "better": 2}
    for verdict, key, j, x, y, pct, lim in sorted(moved, key=lambda m: (order[m[0]], -abs(m[5]))):
        section, _, label, _, t = key
        nth = f" (figure {j + 1})" if t.count("#") > 1 else ""
        print(f"  {verdict:6s} {section[:40]} | {label[:60]} | {t[:70]}{nth}: {x:g} -> {y:g} ({pct:+.0f}%, noise {lim:g}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
