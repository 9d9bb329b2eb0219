#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tables and plots for bench/RESULTS.md from bench/run.sh's measurements.
   report.py sink ROWS.tsv PNG    -> markdown: medians, ratios, every round; a bar plot
   report.py limit LIMIT.tsv PNG  -> markdown: achieved vs requested; a log-log plot"""
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sink(rows_path, png):
    rows = [line.rstrip("\n").split("\t") for line in open(rows_path) if line.strip()]
    order, by = [], {}
    for name, mode, rate, hits, capture in rows:
        if name not in by:
            order.append(name)
            by[name] = {"mode": mode, "rates": [], "hits": [], "capture": []}
        by[name]["rates"].append(float(rate))
        by[name]["hits"].append(hits)
        by[name]["capture"].append(capture)
    med = {n: statistics.median(by[n]["rates"]) for n in order}
    ours = ("trawl", "trawl-1q")
    ceilings = [n for n in order if n.startswith("af_packet-ceiling")]
    peers = [n for n in order if n not in ours and n not in ceilings]
    best = max(peers, key=lambda n: med[n]) if peers else None
    print("| scanner | mode | send rate at the sink, median (pps) | every round (pps) | hits (of 600), every round |")
    print("|---|---|---|---|---|")
    for n in order:
        b = by[n]
        print(f"| {n} | {b['mode']} | {med[n]:.0f} | {', '.join(f'{r:.0f}' for r in b['rates'])} | "
              f"{', '.join(b['hits'])} |")
    print()
    if best and "trawl" in med:
        print(f"trawl / best peer ({best}): **{med['trawl'] / med[best]:.2f}x** (goal 1.5x).")
    if ceilings and "trawl" in med:
        top = max(ceilings, key=lambda n: med[n])
        print(f"trawl / the af_packet path's ceiling ({top}): **{100 * med['trawl'] / med[top]:.0f}%** (goal 90%).")
    if "trawl-1q" in med and "af_packet-ceiling-1q" in med:
        print(f"trawl with one queue / the one-queue ceiling: {100 * med['trawl-1q'] / med['af_packet-ceiling-1q']:.0f}%.")
    print()
    print("Sink captures: " + "; ".join(f"{n}: {', '.join(sorted(set(by[n]['capture'])))}" for n in order) + ".")
    fig, ax = plt.subplots(figsize=(8.5, 4))
    ax.bar(order, [med[n] / 1000 for n in order],
           color=["tab:blue" if n in ours else "tab:gray" if n in ceilings else "tab:orange" for n in order])
    for i, n in enumerate(order):
        ax.plot([i] * len(by[n]["rates"]), [r / 1000 for r in by[n]["rates"]], "k.", ms=4)
    ax.set_ylabel("send rate at the sink (kpps)")
    ax.set_title("Same veth testbed, same /16: median of rounds (dots: each round)")
    plt.setp(ax.get_xticklabels(), rotation=15)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def limit(path, png):
    rows = [tuple(float(x) for x in line.split()) for line in open(path) if line.strip()]
    print("| requested (pps) | achieved mean (pps) | error | busiest 10 ms (as pps) | busiest 10 ms / requested |")
    print("|---|---|---|---|---|")
    for req, got, peak in rows:
        print(f"| {req:.0f} | {got:.1f} | {100 * (got / req - 1):+.3f}% | {peak:.0f} | {peak / req:.2f}x |")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    req = [r[0] for r in rows]
    ax.loglog(req, req, "k--", lw=1, label="requested")
    ax.loglog(req, [2 * r for r in req], "r:", lw=1, label="2x (the bar for any 10 ms)")
    ax.loglog(req, [r[1] for r in rows], "o-", label="achieved, mean")
    ax.loglog(req, [r[2] for r in rows], "s-", label="busiest 10 ms")
    ax.set_xlabel("requested rate (pps)")
    ax.set_ylabel("achieved (pps)")
    ax.set_title("trawl -r into net_null, one TX lcore")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    {"sink": sink, "limit": limit}[sys.argv[1]](sys.argv[2], sys.argv[3])
