#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A scan through net_pcap: the captured TX file holds exactly one probe per
(allowlisted, not blocklisted) target and port, each byte-correct: addresses,
MACs, SYN flag, the validation tag as sequence number and source port, and
IP and TCP checksums that scapy recomputes to the same value. With -P 2 every
target gets exactly two probes, on two source ports."""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import IP, TCP, Ether, rdpcap  # noqa: E402

KEY = "00112233445566778899aabbccddeeff"
GW = "02:00:00:00:00:01"
c = tt.Checks()
d = tt.tmpdir()

allow_file = os.path.join(d, "allow.txt")
block_file = os.path.join(d, "block.txt")
with open(allow_file, "w") as f:
    f.write("# more targets\n198.18.12.0/24\r\n\n198.18.40.9 # a bare address is a /32\n")
with open(block_file, "w") as f:
    f.write("198.18.1.0/25\n198.18.2.7\n198.18.12.128/25\n198.18.9.32/27\n")
targets = ["198.18.0.0/22", "198.18.8.5", "198.18.9.0/26"]
ports = [80, 443, 8080, 8081]

allowed = set()
for n in targets + ["198.18.12.0/24", "198.18.40.9"]:
    allowed |= set(ipaddress.ip_network(n))
for n in ["198.18.1.0/25", "198.18.2.7", "198.18.12.128/25", "198.18.9.32/27"]:
    allowed -= set(ipaddress.ip_network(n))
expected = {(str(a), p) for a in allowed for p in ports}


def scan(name, probes, threads=1):
    # net_pcap has one TX queue per tx_pcap file: one file per sender thread.
    outs = [os.path.join(d, f"{name}-{t}.pcap") for t in range(threads)]
    meta = os.path.join(d, f"{name}.json")
    dev = "net_pcap0," + ",".join(f"tx_pcap={o}" for o in outs)
    tt.run(["scan", "--dev", dev, "--eal", tt.eal(name), "-S", "198.19.0.2",
            "-G", GW, "-b", block_file, "-w", allow_file, "-p", "80,443,8080-8081", "-r", "0", "-c", "0",
            "-P", str(probes), "-T", str(threads), "--validation-key", KEY, "-m", meta, "-q"] + targets,
           check_rc=0)
    pkts = []
    for o in outs:
        pkts += list(rdpcap(o))
    return pkts, tt.metadata(meta)


v = tt.Validator(KEY, "198.19.0.2")
pkts, meta = scan("tx1", 1)
seen = {}
bad = []
for p in pkts:
    ip, tcp = p[IP], p[TCP]
    key = (ip.dst, tcp.dport)
    seen[key] = seen.get(key, 0) + 1
    want_ip, want_tcp = ip.chksum, tcp.chksum
    again = Ether(bytes(p))
    del again[IP].chksum
    del again[TCP].chksum
    again = Ether(bytes(again))
    ok = (len(p) == 60 and p[Ether].dst == GW and ip.src == "198.19.0.2" and tcp.flags == "S"
          and again[IP].chksum == want_ip and again[TCP].chksum == want_tcp
          and tcp.seq == v.seq(ip.dst, tcp.dport) and tcp.sport == v.sport(ip.dst, tcp.dport))
    if not ok:
        bad.append(p.summary())
c.eq(bad[:3], [], "every probe byte-correct")
c.eq(set(seen), expected, "probed targets == allowlist x ports - blocklist")
c.eq(max(seen.values()), 1, "no target probed twice")
c.eq(len(pkts), len(expected), "probe count")
c.eq(meta["targets"], len(expected), "metadata targets")
c.eq(meta["packets_sent"], len(expected), "metadata packets_sent")

# -P 2 over two sender threads: the union is the same targets, each exactly twice.
pkts, meta = scan("tx2", 2, threads=2)
sports = {}
for p in pkts:
    sports.setdefault((p[IP].dst, p[TCP].dport), []).append(p[TCP].sport)
c.eq(set(sports), expected, "-P 2: every target probed")
c.check(all(len(s) == 2 and len(set(s)) == 2 for s in sports.values()), "-P 2: two probes, two source ports each")
c.check(all(sorted(s) == sorted([v.sport(a, port, 0), v.sport(a, port, 1)]) for (a, port), s in sports.items()),
        "-P 2: source ports are probe 0 and probe 1 of the tag")
c.eq(meta["packets_sent"], 2 * len(expected), "-P 2: packets_sent")
c.done()
