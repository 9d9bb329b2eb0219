#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The exit-status contract: 0 done, 2 usage or configuration, 1 runtime;
every failure is one line on stderr naming what was wrong; nothing is sent
when the configuration is bad."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import TCP, rdpcap  # noqa: E402

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
         "--output-module", "--output-fields", "--no-header-row", "--metadata-file", "--quiet", "--probe-module",
         "--config", "--checkpoint", "--probe-args", "--output-filter"]),
        "scan --help lists the contract's flags")
p = tt.run(["scan", "--list-probe-modules"])
c.eq([x.split()[0] for x in p.stdout.splitlines()], ["tcp_synscan", "icmp_echoscan", "udp", "tcp_banner"],
     "--list-probe-modules")
fields = {}
for m in ("tcp_synscan", "icmp_echoscan", "udp", "tcp_banner"):
    p = tt.run(["scan", "--list-output-fields", "-M", m])
    fields[m] = {x.split()[0] for x in p.stdout.splitlines()[1:]}
    c.eq(p.returncode, 0, f"--list-output-fields -M {m}")
p = tt.run(["scan", "--list-output-fields", "-M", "bogus"])
c.check(p.returncode == 2 and "unknown probe module 'bogus'" in p.stderr, "--list-output-fields -M bogus: exit 2")
common = {"saddr", "daddr", "sport", "dport", "classification", "success", "repeat", "ttl", "timestamp"}
c.check(common <= fields["tcp_synscan"] & fields["icmp_echoscan"] & fields["udp"], "the contract's fields in every module")
c.check({"seqnum", "window"} <= fields["tcp_synscan"] and "data" not in fields["tcp_synscan"], "tcp_synscan's own fields")
c.check({"type", "code", "icmp_id", "seq"} <= fields["icmp_echoscan"] and "udp_pkt_size" not in fields["icmp_echoscan"],
        "icmp_echoscan's own fields, as ZMap names them")
c.check({"udp_pkt_size", "data", "icmp_responder", "icmp_type", "icmp_code", "icmp_unreach_str"} <= fields["udp"],
        "udp's own fields, as ZMap names them")
c.check(common | {"seqnum", "window", "data", "data_len", "http_status", "http_server", "banner", "tls_version",
                  "tls_cipher", "tls_subject", "tls_issuer"} <= fields["tcp_banner"]
        and "udp_pkt_size" not in fields["tcp_banner"], "tcp_banner's own fields (issue 21)")

bad_yaml = os.path.join(d, "bad.yaml")
with open(bad_yaml, "w") as f:
    f.write("rate: 1000\ntarget-ports: [80,\n  70000]\n")
cases = [
    (2, f"{bad_yaml}:2:15", BASE + ["-b", "/dev/null", "-C", bad_yaml, "198.18.0.0/24"]),
    (2, "/nonexistent/trawl.yaml", BASE + ["-b", "/dev/null", "-C", "/nonexistent/trawl.yaml", "198.18.0.0/24"]),
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
    (2, "--probe-args", BASE + ["-b", "/dev/null", "-M", "udp", "-p", "53", "198.18.0.0/24"]),
    (2, "/nonexistent/payload", BASE + ["-b", "/dev/null", "-M", "udp", "-p", "53", "--probe-args",
                                         "file:/nonexistent/payload", "198.18.0.0/24"]),
    (2, "-p/--target-ports", BASE + ["-b", "/dev/null", "-M", "icmp_echoscan", "-p", "80", "198.18.0.0/24"]),
    (2, "--output-filter", BASE + ["-b", "/dev/null", "--output-filter", "success ==", "198.18.0.0/24"]),
]
for rc, needle, args in cases:
    p = tt.run(args, timeout=60)
    lines = [x for x in p.stderr.splitlines() if x.startswith("trawl")]
    c.eq(p.returncode, rc, f"exit status for {needle}")
    c.check(len(lines) >= 1 and needle in lines[0], f"message names '{needle}': {p.stderr.strip()[:300]}")
    c.check(len(lines) == 1 or needle == "unknown subcommand", f"one line for {needle}")
c.check(not os.path.exists(tx), "nothing was sent by any refused run")

# -C: a whole scan from a YAML file, with one flag of the command line over it.
cfg_tx, cfg_meta = os.path.join(d, "cfg.pcap"), os.path.join(d, "cfg-meta.json")
cfg = os.path.join(d, "scan.yaml")
with open(cfg, "w") as f:
    f.write(f"""# a scan as a file
dev: net_pcap0,tx_pcap={cfg_tx}
eal: [{", ".join(tt.eal("cli-cfg").split())}]
source-ip: 198.19.0.2
gateway-mac: "02:00:00:00:00:01"
blocklist-file: /dev/null
target-ports: 80
rate: 0
cooldown-time: 0
quiet: true
metadata-file: {cfg_meta}
targets:
  - 198.18.0.0/28
  - 198.18.1.0/30
""")
p = tt.run(["scan", "-C", cfg, "-p", "443", "-o", os.devnull], timeout=60)
c.eq(p.returncode, 0, f"scan from -C: exit status ({p.stderr.strip()[:300]})")
if p.returncode == 0:
    probes = [x for x in rdpcap(cfg_tx) if TCP in x]
    c.eq(len(probes), 20, "scan from -C: one probe per target of the file's targets")
    c.eq({x[TCP].dport for x in probes}, {443}, "scan from -C: -p on the command line wins over target-ports")
    c.eq(tt.metadata(cfg_meta).get("packets_sent"), 20, "scan from -C: metadata-file from the file")

# The shipped example parses and names the targets it says (no packet: --dryrun).
example = os.path.join(os.path.dirname(__file__), "../../config/example-scan.yaml")
p = tt.run(["scan", "-C", example, "--dryrun", "-m", os.devnull], timeout=60)
c.eq(p.returncode, 0, f"config/example-scan.yaml: --dryrun exit status ({p.stderr.strip()[:300]})")
c.eq(p.stdout.strip(), "512", "config/example-scan.yaml: 256 addresses x 2 ports")

# A vdev run touches no PCI device even when --eal does not say --no-pci (issue 12: on this VM the
# EAL probed the machine's own virtio NIC, "eth_virtio_pci_init(): Failed to init PCI device").
no_pci_eal = tt.eal("cli-pci").replace("--no-pci ", "") + " --log-level=eal:debug --log-level=bus.pci:debug"
p = tt.run(["scan", "--dev", "net_null0", "--eal", no_pci_eal, "-S", "198.19.0.2", "-G", "02:00:00:00:00:01",
           "-b", os.devnull, "-q", "-o", os.devnull, "198.18.0.0/28"], timeout=60)
pci = [x for x in p.stderr.splitlines() if "pci" in x.lower()]
c.check(p.returncode == 0 and not pci, f"trawl scan on a vdev probes no PCI device: exit {p.returncode}, {pci[:3]}")
live = os.path.join(d, "live.txt")
with open(live, "w") as f:
    f.write("198.18.0.1:80\n")
r = subprocess.Popen([tt.TRAWL, "respond", "--dev", "net_null0", "--eal", no_pci_eal, "--dataset", live],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    tt.wait_caught(r, signal.SIGINT)
    time.sleep(0.5)
    r.send_signal(signal.SIGINT)
    err = tt.wait_bounded(r, 30)[1]
finally:
    if r.poll() is None:
        r.kill()
        r.wait()
pci = [x for x in err.splitlines() if "pci" in x.lower()]
c.check(r.returncode == 0 and not pci, f"trawl respond on a vdev probes no PCI device: exit {r.returncode}, {pci[:3]}")
c.done()
