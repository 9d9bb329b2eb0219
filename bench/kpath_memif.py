#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel path's cost where it can hurt: trawl scan against trawl respond
over net_memif (every probe answered: 198.18.0.0/16 open on ports 1-16,
1 M open targets), top rate (-r 0), with --kernel-iface on against none,
rounds interleaved; every role on one lcore (-l 0: the control role that
serves the kernel path shares it with TX, RX and the writer), the
responder on the other core. The scan runs in a network namespace this script makes (the tap
lives there), the responder in its own process. Prints markdown rows.
  bench/kpath_memif.py [ROUNDS]       (run as root; TRAWL=build/app/trawl)"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../test/lib"))
import trawltest as tt  # noqa: E402

PORTS = 16
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
ns = f"kbm{os.getpid()}"
d = tt.tmpdir()
subprocess.run(["ip", "netns", "add", ns], check=True)
try:
    results = {}
    with tt.Responder(d, ["198.18.0.0/16"], "kbm-r", ports=f"1-{PORTS}", lcores="1", mem=1024) as resp:
        for r in range(rounds):
            for lc in ("0",):
                for kif in ("kbm0", "none"):
                    meta = os.path.join(d, "m.json")
                    p = subprocess.run(["ip", "netns", "exec", ns, tt.TRAWL, "scan", "--dev", resp.client(),
                                        "--eal", tt.eal("kbm-s").replace("-m 256", "-m 1024") + f" -l {lc}",
                                        "--kernel-iface", kif, "-S", "198.19.0.2", "-G", "02:00:00:00:00:01",
                                        "-b", "/dev/null", "-p", f"1-{PORTS}", "-r", "0", "-c", "1", "-q",
                                        "-o", "/dev/null", "-m", meta, "198.18.0.0/16"],
                                       capture_output=True, text=True, timeout=300)
                    if p.returncode != 0:
                        sys.stderr.write(p.stderr)
                        continue
                    m = tt.metadata(meta)
                    results.setdefault((lc, kif), []).append((m["send_rate_pps"], m["results"], m["replies_lost"]))
    print("| lcores | kernel path | rate (median, spread) | results | replies lost |")
    print("| --- | --- | --- | --- | --- |")
    for lc in ("0",):
        med = {}
        for kif in ("kbm0", "none"):
            v = results.get((lc, kif), [])
            if not v:
                continue
            rates = [x[0] for x in v]
            med[kif] = statistics.median(rates)
            print(f"| -l {lc} | {'on' if kif != 'none' else 'off'} | {med[kif]/1e6:.2f} Mpps "
                  f"({min(rates)/1e6:.2f}-{max(rates)/1e6:.2f}) | {', '.join(str(x[1]) for x in v)} | "
                  f"{', '.join(str(x[2]) for x in v)} |")
        if len(med) == 2:
            print(f"| -l {lc} | on / off | {100 * med['kbm0'] / med['none']:.1f}% | | |")
finally:
    subprocess.run(["ip", "netns", "del", ns])
