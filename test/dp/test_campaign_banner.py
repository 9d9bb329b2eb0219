#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A campaign of tcp_banner (issue 21), against trawl respond over net_memif:
two runs, the responder's services changed between them (HTTP hosts gone
and new, SSH kept), a middlebox block in both. results.csv has the
classification third (--canaries is on); new.csv and gone.csv are the
rows of what changed with every field the scan wrote (the Server header of
the HTTP hosts that came and went); the middlebox's addresses, which answer
every port, are never in what changed; diff-canaries: true keeps them."""
import csv
import ipaddress
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
import subprocess  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
rng = random.Random(2121)
BASE = tt.ip2int("198.18.0.0")
MBOX = "198.18.3.0/28"
mbox = {str(ipaddress.ip_address(tt.ip2int("198.18.3.0") + i)) for i in range(16)}


def addr(i):
    return str(ipaddress.ip_address(BASE + i))


def campaign(path, state, sock, diff_canaries=False):
    with open(path, "w") as f:
        f.write("\n".join([
            "name: banner", 'schedule: "*-*-* 02:00:00"', f"state-dir: {state}",
            "diff-canaries: true" if diff_canaries else "",
            "defaults:",
            f'  dev: "net_memif0,role=client,socket={sock},socket-abstract=no"',
            f'  eal: "{tt.eal("banner-s")} -l 0"',
            "  source-ip: 198.19.0.2", '  gateway-mac: "02:00:00:00:00:01"', "  blocklist-file: /dev/null",
            "  rate: 20000", "  cooldown-time: 1",
            "scans:",
            "  - name: svc",
            "    probe-module: tcp_banner",
            "    probe-args: http",
            "    target-ports: [22, 80]",
            "    targets: [198.18.0.0/22]",
            "    output-fields: [http_server, banner]"]) + "\n")


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


hosts = rng.sample([h for h in range(1, 768) if h % 256 not in (0, 255)], 40)
http1, ssh = set(hosts[:20]), set(hosts[20:30])
http2 = (http1 - set(hosts[:5])) | set(hosts[30:35])
for diff_canaries in (False, True):
    state = os.path.join(d, f"state{int(diff_canaries)}")
    sock = os.path.join(d, "r.sock")
    cfile = os.path.join(d, f"c{int(diff_canaries)}.yaml")
    campaign(cfile, state, sock, diff_canaries)
    latest = []
    for i, http in enumerate((http1, http2)):
        lines = [f"{addr(h)}:80 http" for h in sorted(http)] + [f"{addr(h)}:22 ssh" for h in sorted(ssh)] + \
            [f"{MBOX} middlebox"]
        with tt.Responder(d, lines, f"banner-r{int(diff_canaries)}{i}") as resp:
            os.replace(resp.sock, sock)
            p = subprocess.run([tt.TRAWL, "campaign", "run", cfile], capture_output=True, text=True, timeout=300)
        c.eq(p.returncode, 0, f"diff-canaries {diff_canaries}, run {i + 1}: exit status")
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            sys.exit(c.done())
        latest.append(os.path.realpath(os.path.join(state, "latest")))
        time.sleep(1.1)  # run ids are start seconds
    r1, r2 = (rows(os.path.join(x, "svc", "results.csv")) for x in latest)
    with open(os.path.join(latest[1], "svc", "results.csv")) as f:
        c.eq(f.readline().strip(), "saddr,sport,classification,http_server,banner",
             "results.csv: saddr,sport,classification first with --canaries on")
    data = {(r["saddr"], r["sport"]) for r in r2 if r["classification"] == "data"}
    c.eq(data, {(addr(h), "80") for h in http2} | {(addr(h), "22") for h in ssh}, "run 2: the services exactly")
    c.eq({r["saddr"] for r in r2 if r["classification"] == "canary"}, mbox, "run 2: every middlebox address a canary row")
    new, gone = rows(os.path.join(latest[1], "svc", "new.csv")), rows(os.path.join(latest[1], "svc", "gone.csv"))
    ch_new = {(r["saddr"], r["sport"]) for r in new if r["saddr"] not in mbox}
    ch_gone = {(r["saddr"], r["sport"]) for r in gone if r["saddr"] not in mbox}
    c.eq(ch_new, {(addr(h), "80") for h in http2 - http1}, f"diff-canaries {diff_canaries}: new.csv, the services")
    c.eq(ch_gone, {(addr(h), "80") for h in http1 - http2}, f"diff-canaries {diff_canaries}: gone.csv, the services")
    c.check(all(r["http_server"].startswith("trawl-respond/") and r["classification"] == "data"
                for r in new + gone if r["saddr"] not in mbox), "new.csv and gone.csv rows keep every field")
    in_diff = {r["saddr"] for r in new + gone} & mbox
    if diff_canaries:
        # asked for: the middlebox stays in; its canary rows change ports from run to run (a new key each run)
        c.check(len(in_diff) == len(mbox), f"diff-canaries true: the middlebox in what changed ({len(in_diff)})")
    else:
        c.eq(in_diff, set(), "the middlebox never in what changed")
sys.exit(c.done())
