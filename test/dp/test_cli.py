#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The exit-status contract: 0 done, 2 usage or configuration, 1 runtime;
every failure is one line on stderr naming what was wrong; nothing is sent
when the configuration is bad."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
tx = os.path.join(d, "never.pcap")
bad_block = os.path.join(d, "bad-block.txt")
with open(bad_block, "w") as f:
    f.write("# fine\n10.0.0.0/8\n  10.0.0.0/40\n")
BASE = ["scan", "--dev", f"net_pcap0,tx_pcap={tx}", "--eal", tt.eal("cli"), "-S", "198.19.0.2",
        "-G", "02:00:00:00:00:01", "-q"]

with open(os.path.join(os.path.dirname(__file__), "../../VERSION")) as f:
    version = f.read().strip()
p = tt.run(["--version"])
c.eq((p.returncode, p.stdout.strip()), (0, f"trawl {version}"), "--version")
p = tt.run(["scan", "--help"])
c.check(p.returncode == 0 and all(flag in p.stdout for flag in
        ["--dev", "--eal", "--source-ip", "--gateway-ip", "--gateway-mac", "--target-ports", "--rate", "--probes",
         "--cooldown-time", "--seed", "--sender-threads", "--blocklist-file", "--allowlist-file", "--output-file",
         "--output-module", "--output-fields", "--no-header-row", "--metadata-file", "--quiet", "--probe-module"]),
        "scan --help lists the contract's flags")

cases = [
    (2, "unknown option", BASE + ["-b", "/dev/null", "--bogus", "198.18.0.0/24"]),
    (2, "198.18.0.0/99", BASE + ["-b", "/dev/null", "198.18.0.0/99"]),
    (2, "--source-ip", ["scan", "--dev", "net_null0", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "198.18.0.0/24"]),
    (2, "/nonexistent", BASE + ["-b", "/nonexistent/blocklist", "198.18.0.0/24"]),
    (2, f"{bad_block}:3:3", BASE + ["-b", bad_block, "198.18.0.0/24"]),
    (2, "next hop", ["scan", "--dev", "net_null0", "-S", "198.19.0.2", "-b", "/dev/null", "198.18.0.0/24"]),
    (2, "no targets", BASE + ["-b", "/dev/null"]),
    (2, "no targets left", BASE + ["198.18.0.0/24"]),  # the default blocklist holds 198.18.0.0/15
    (1, "net_bogus0", ["scan", "--dev", "net_bogus0", "--eal", tt.eal("cli2"), "-S", "198.19.0.2",
                       "-G", "02:00:00:00:00:01", "-b", "/dev/null", "198.18.0.0/24"]),
    (2, "unknown subcommand", ["frobnicate"]),
]
for rc, needle, args in cases:
    p = tt.run(args, timeout=60)
    lines = [x for x in p.stderr.splitlines() if x.startswith("trawl")]
    c.eq(p.returncode, rc, f"exit status for {needle}")
    c.check(len(lines) >= 1 and needle in lines[0], f"message names '{needle}': {p.stderr.strip()[:300]}")
    c.check(len(lines) == 1 or needle == "unknown subcommand", f"one line for {needle}")
c.check(not os.path.exists(tx), "nothing was sent by any refused run")
c.done()
