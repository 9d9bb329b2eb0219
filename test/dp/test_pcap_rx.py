#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Replies fed in from a crafted pcap (net_pcap rx_pcap): genuine SYN-ACKs
become results, exactly once; a RST is validated but is no success; forged
and malformed replies are counted as failed validation and never reported;
every frame is accounted for in the metadata, by where it went;
every validated SYN-ACK is answered with a RST carrying the right sequence
number; an ARP request for the source address is answered. The output
modules write what -f asks for, typed in JSON, with a header in CSV."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import ARP, IP, TCP, UDP, Ether, Raw, rdpcap, wrpcap  # noqa: E402

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ME, GW_MAC, SRC = "198.19.0.2", "02:00:00:00:00:01", "02:00:00:00:00:99"
c = tt.Checks()
d = tt.tmpdir()
v = tt.Validator(KEY, ME)
other = tt.Validator("ffeeddccbbaa99887766554433221100", ME)


def reply(addr, port=80, flags="SA", validator=v, ack_delta=1, dport_delta=0):
    return (Ether(src=SRC, dst=GW_MAC) / IP(src=addr, dst=ME, ttl=57) /
            TCP(sport=port, dport=validator.sport(addr, port) + dport_delta, flags=flags, seq=1000,
                ack=(validator.seq(addr, port) + ack_delta) & 0xFFFFFFFF, window=29200))


genuine = ["198.18.0.10", "198.18.0.20", "198.18.0.30"]
pkts = [reply(a) for a in genuine]
pkts.append(reply("198.18.0.10"))                    # a retransmitted SYN-ACK: a repeat
pkts.append(reply("198.18.0.40", flags="RA"))        # closed port
forged = [
    reply("198.18.0.50", ack_delta=2),               # wrong ack
    reply("198.18.0.51", dport_delta=1),             # to a source port we did not use
    reply("198.18.1.5"),                             # valid tag, but never a target
    reply("198.18.0.200"),                           # valid tag, but blocklisted
    reply("198.18.0.52", validator=other),           # another run's key
    Ether(bytes(reply("198.18.0.53"))[:14 + 20 + 10]),  # TCP header cut short
]
pkts += forged
pkts.append(Ether(src=SRC, dst=GW_MAC) / IP(src="198.18.0.60", dst=ME) / UDP(sport=53, dport=40000) / Raw(b"x"))
pkts.append(Ether(src=SRC, dst=GW_MAC) / IP(src="198.18.0.61", dst="198.19.0.3") / TCP(flags="SA"))
pkts.append(Ether(src=SRC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=SRC, psrc="198.19.0.1", pdst=ME))
rx = os.path.join(d, "replies.pcap")
wrpcap(rx, pkts)
block = os.path.join(d, "block.txt")
with open(block, "w") as f:
    f.write("198.18.0.128/25\n")


def scan(name, extra):
    tx = os.path.join(d, f"{name}-out.pcap")
    meta = os.path.join(d, f"{name}.json")
    res = os.path.join(d, f"{name}.out")
    tt.run(["scan", "--dev", f"net_pcap0,rx_pcap={rx},tx_pcap={tx}", "--eal", tt.eal(name), "-S", ME,
            "-G", GW_MAC, "-b", block, "-p", "80", "-r", "0", "-c", "1", "--validation-key", KEY,
            "-m", meta, "-o", res, "-q", "198.18.0.0/24"] + extra, check_rc=0)  # later flags win
    with open(res) as f:
        return f.read().splitlines(), tt.metadata(meta), rdpcap(tx)


fields = "saddr,sport,dport,classification,success,repeat,ttl,timestamp"
lines, meta, out = scan("json", ["-O", "json", "-f", fields])
objs = [json.loads(x) for x in lines]
c.eq(sorted(o["saddr"] for o in objs), genuine, "results are exactly the genuine SYN-ACKs, once each")
c.check(all(list(o) == fields.split(",") for o in objs), "JSON has the asked fields in order")
c.check(all(o["sport"] == 80 and o["ttl"] == 57 and o["success"] == 1 and o["repeat"] == 0 and
            o["classification"] == "synack" and isinstance(o["dport"], int) for o in objs), "JSON values typed and right")
c.check(all(o["timestamp"].endswith("Z") and o["timestamp"][:2] == "20" for o in objs), "timestamps ISO 8601 UTC")
c.eq(meta["results"], 3, "metadata results")
c.eq(meta["replies_valid"], 5, "validated: 3 SYN-ACKs, 1 repeat, 1 RST")
c.eq(meta["validation_failed"], len(forged), "every forged reply failed validation")
c.eq(meta["duplicates"], 1, "the repeat was counted")
c.eq(meta["arp_replies_sent"], 1, "ARP request for our address answered")
# Every frame of the replay ends in exactly one place, and the metadata says which.
c.eq((meta["frames_received"], meta["replies_valid"], meta["validation_failed"], meta["frames_other"],
      meta["arp_frames"]), (len(pkts), 5, len(forged), 2, 1),
     "frames: 5 valid replies + the forged + 2 not ours (UDP, another address) + 1 ARP")
c.eq((meta["results_handed"], meta["writer_received"], meta["duplicates"], meta["closed_unique"],
      meta["successes_unique"], meta["results_written"], meta["results_unwritten"], meta["replies_lost"]),
     (5, 5, 1, 1, 3, 3, 0, 0), "valid replies: 1 repeat + 1 closed + 3 results, all written, none lost")
c.check(meta["dedup"]["method"] == "bitmap" and meta["dedup"]["exact"] and meta["dedup"]["remembered"] == 4,
        f"dedup remembers the 4 targets that answered: {meta['dedup']}")

probes = [p for p in out if TCP in p and p[TCP].flags == "S"]
rsts = [p for p in out if TCP in p and p[TCP].flags == "R"]
arps = [p for p in out if ARP in p]
c.eq(len(probes), 128, "one probe per allowed target")
c.eq(sorted(p[IP].dst for p in rsts), sorted(genuine + ["198.18.0.10"]), "a RST for every validated SYN-ACK")
c.check(all(p[TCP].seq == (v.seq(p[IP].dst, 80) + 1) & 0xFFFFFFFF and p[TCP].dport == 80 and
            p[TCP].sport == v.sport(p[IP].dst, 80) and p[Ether].dst == GW_MAC for p in rsts), "RSTs close the right connection")
c.check(len(arps) == 1 and arps[0][ARP].op == 2 and arps[0][ARP].psrc == ME and arps[0][ARP].pdst == "198.19.0.1"
        and arps[0][Ether].dst == SRC and arps[0][ARP].hwdst == SRC, "ARP reply is addressed to the asker")

lines, meta, _ = scan("csv", ["-f", "saddr,classification"])
c.eq(lines[0], "saddr,classification", "CSV header row")
c.eq(sorted(lines[1:]), [f"{a},synack" for a in genuine], "CSV rows")
lines, meta, _ = scan("csvnh", ["--no-header-row"])
c.eq(sorted(lines), genuine, "--no-header-row, default field saddr")
t0 = time.monotonic()
lines, meta, _ = scan("maxres", ["--no-header-row", "-N", "2", "-c", "30"])
c.eq((len(lines), meta["results"]), (2, 2), "-N 2 writes two results and stops")
c.check(time.monotonic() - t0 < 15, "-N ends the run without waiting out the cooldown")
c.done()
