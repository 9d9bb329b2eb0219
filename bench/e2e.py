#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End to end: trawl scan against trawl respond over net_memif, every probe
answered (198.18.0.0/15 open on ports 1-32: 4,194,304 open targets, -P 2,
so 8.4 M replies, every target's second one a repeat), at a sweep of
rates, with one queue pair on each side (one core each) and with two (both
processes on both cores). Per run: the rate reached, rows, distinct rows,
open targets, and every reply lost with where it was counted (the
responder could not hand it to memif: tx_full; the scanner's port, the
writer behind). Prints markdown rows; with a second argument, a plot.
  bench/e2e.py OUT.md [PLOT.png] [--quick]      (run as root; TRAWL=build/app/trawl)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../test/lib"))
import trawltest as tt  # noqa: E402

PORTS = 32
BASE = tt.ip2int("198.18.0.0")
OPEN = (1 << 17) * PORTS
RATES = {1: ["1000000", "2000000", "3000000", "4000000", "6000000", "0"], 2: ["1000000", "0"]}


def distinct_rows(path):
    seen = bytearray(OPEN)
    rows = dup = 0
    with open(path) as f:
        for line in f:
            addr, port = line.rstrip("\n").split(",")
            i = (tt.ip2int(addr) - BASE) * PORTS + int(port) - 1
            rows += 1
            if seen[i]:
                dup += 1
            seen[i] = 1
    return rows, rows - dup


def run(d, nq, rate):
    lc = "0-1" if nq == 2 else "0"
    with tt.Responder(d, ["198.18.0.0/15"], f"e2e-r{nq}", ports=f"1-{PORTS}", threads=nq,
                      lcores="0-1" if nq == 2 else "1", mem=1024) as resp:
        out, meta = os.path.join(d, "out.csv"), os.path.join(d, "meta.json")
        p = tt.run(["scan", "--dev", resp.client(), "-T", str(nq), "--receiver-threads", str(nq),
                    "--eal", tt.eal(f"e2e-s{nq}").replace("-m 256", "-m 1024") + f" -l {lc}",
                    "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", f"1-{PORTS}", "-P", "2",
                    "-r", rate, "-c", "2", "-q", "-f", "saddr,sport", "--no-header-row", "-o", out, "-m", meta,
                    "198.18.0.0/15"], timeout=300)
    if p.returncode != 0:
        return None
    m, r = tt.metadata(meta), resp.report
    rows, distinct = distinct_rows(out)
    return {
        "nq": nq, "rate": rate, "pps": m["send_rate_pps"], "rows": rows, "distinct": distinct,
        "lost_scanner": m["replies_lost"], "why": m["replies_lost_by_reason"],
        "tx_full": r["dropped_by_reason"]["tx_full"], "answered": r["answered"], "frames": m["frames_received"],
    }


def main():
    d = tt.tmpdir()
    res = []
    quick = "--quick" in sys.argv
    for nq in (1, 2):
        for rate in (["2000000"] if quick else RATES[nq]):
            x = run(d, nq, rate)
            if x is not None:
                res.append(x)
    with open(sys.argv[1], "w") as f:
        for x in res:
            why = ", ".join(f"{k} {v}" for k, v in x["why"].items() if v)
            exact = "yes" if x["rows"] == x["distinct"] == OPEN else "no"
            f.write(f"| {x['nq']}x{x['nq']} | {'max' if x['rate'] == '0' else int(x['rate']) // 1000000} "
                    f"| {x['pps'] / 1e6:.2f} | {x['rows']} | {x['distinct']} | {exact} "
                    f"| {x['tx_full']} | {x['lost_scanner']}{' (' + why + ')' if why else ''} "
                    f"| {x['answered'] - x['tx_full'] == x['frames']} |\n")
    if len(sys.argv) > 2 and sys.argv[2].endswith(".png"):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 4))
        for nq, mark in ((1, "o"), (2, "s")):
            xs = [x for x in res if x["nq"] == nq]
            ax.plot([x["pps"] / 1e6 for x in xs], [100 * (OPEN - x["distinct"]) / OPEN for x in xs], mark + "-",
                    label=f"{nq} queue pair(s) each side: targets missed")
            ax.plot([x["pps"] / 1e6 for x in xs], [100 * (x["tx_full"] + x["lost_scanner"]) / (2 * OPEN) for x in xs],
                    mark + "--", label=f"{nq} queue pair(s): replies lost (all counted)")
        ax.set_xlabel("probes per second reached (M)")
        ax.set_ylabel("% of open targets / of replies")
        ax.set_title("trawl scan vs trawl respond over memif, 4.2 M open targets, -P 2")
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        fig.savefig(sys.argv[2], dpi=100)


if __name__ == "__main__":
    main()
