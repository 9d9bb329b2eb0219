#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The appliance's own ARP on a vdev: with --gateway-ip it asks for the
gateway, learns its MAC from the reply and addresses every probe to it; with
no reply it gives up after its retries with exit 1, one line naming the
gateway, and sends nothing but ARP requests."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import ARP, TCP, Ether, rdpcap, wrpcap  # noqa: E402

ME, GW, GW_MAC = "198.19.0.2", "198.19.0.1", "02:00:00:00:00:77"
c = tt.Checks()
d = tt.tmpdir()

rx = os.path.join(d, "gw.pcap")
wrpcap(rx, [Ether(src=GW_MAC, dst="ff:ff:ff:ff:ff:ff") /
            ARP(op=2, hwsrc=GW_MAC, psrc=GW, hwdst="02:00:00:00:00:01", pdst=ME)])
tx = os.path.join(d, "out.pcap")
p = tt.run(["scan", "--dev", f"net_pcap0,rx_pcap={rx},tx_pcap={tx}", "--eal", tt.eal("arp1"), "-S", ME,
            "--gateway-ip", GW, "-b", "/dev/null", "-r", "0", "-c", "0", "-q", "198.18.0.0/28"])
c.eq(p.returncode, 0, "resolves the gateway")
out = rdpcap(tx)
reqs = [q for q in out if ARP in q]
probes = [q for q in out if TCP in q]
c.check(len(reqs) >= 1 and reqs[0][ARP].op == 1 and reqs[0][ARP].pdst == GW and reqs[0][ARP].psrc == ME
        and reqs[0][Ether].dst == "ff:ff:ff:ff:ff:ff", "broadcast who-has for the gateway")
c.eq(len(probes), 16, "all probes sent")
c.check(all(q[Ether].dst == GW_MAC for q in probes), "probes go to the learned gateway MAC")

tx = os.path.join(d, "none.pcap")
t0 = time.monotonic()
p = tt.run(["scan", "--dev", f"net_pcap0,tx_pcap={tx}", "--eal", tt.eal("arp2"), "-S", ME,
            "--gateway-ip", GW, "-b", "/dev/null", "-r", "0", "-c", "0", "-q", "198.18.0.0/28"], timeout=60)
took = time.monotonic() - t0
lines = [x for x in p.stderr.splitlines() if x.startswith("trawl")]
c.eq(p.returncode, 1, "no gateway: runtime failure")
c.check(len(lines) == 1 and "ARP" in lines[0] and GW in lines[0], f"one clear line naming the gateway: {lines}")
out = rdpcap(tx)
c.eq(sorted({q[ARP].op for q in out if ARP in q}), [1], "only requests were sent")
c.eq(len(out), 5, "five requests, one a second, then give up")
c.eq(sum(1 for q in out if TCP in q), 0, "no probe was sent")
c.check(4 <= took < 20, f"gave up after the retries ({took:.1f} s)")
c.done()
