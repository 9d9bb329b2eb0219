#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpora in test/fuzz/corpus/ (committed; run again after a
format changes): make_corpus.py TRAWL_BINARY. Frames are genuine replies to the
scan fuzz_reply.c sets up (same key, address, targets) and genuine probes to
the dataset fuzz_respond.c loads, so the fuzzer starts past validation; files
are the shipped examples and small hand-made ones."""
import json
import ipaddress
import os
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw  # noqa: E402
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: E402
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                                IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop)

trawl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../build/app/trawl")
KEY = "0123456789abcdeffedcba9876543210"  # fuzz_reply.c's k0, k1
ME, US_MAC, GW = "198.19.0.2", "02:00:00:00:00:01", "02:00:00:00:00:02"
v = tt.Validator(KEY, ME)
conf = os.path.join(here, "../../config")


def put(sub, name, data):
    d = os.path.join(here, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def eth(l3):
    return Ether(src=GW, dst=US_MAC) / l3


def udp_ipid(a, sp, dp):
    x = (tt.ip2int(a) ^ (tt.ip2int(a) >> 16) ^ (sp ^ dp) ^ 0x7477) & 0xFFFF
    return 54320 if x == 54321 else x


# --- reply: the scanner's RX path ----------------------------------------------
a = "198.18.0.7"
t = v.tag(a, 0) & 0xFFFFFFFF
i, s = t >> 16, t & 0xFFFF
sp53 = v.sport(a, 53)
probe_udp = IP(src=ME, dst=a, id=udp_ipid(a, v.sport(a, 80), 80)) / UDP(sport=v.sport(a, 80), dport=80) / Raw(b"trawl-fuzz")
put("reply", "synack", eth(IP(src=a, dst=ME) / TCP(sport=80, dport=v.sport(a, 80), flags="SA",
                                                   ack=(v.seq(a, 80) + 1) & 0xFFFFFFFF, options=[("MSS", 1460)])))
put("reply", "rst", eth(IP(src=a, dst=ME) / TCP(sport=443, dport=v.sport(a, 443), flags="RA",
                                                ack=(v.seq(a, 443) + 1) & 0xFFFFFFFF)))
put("reply", "echoreply", eth(IP(src=a, dst=ME) / ICMP(type=0, id=i, seq=s) / Raw(b"0123456789")))
put("reply", "echo-unreach", eth(IP(src="198.18.9.1", dst=ME) / ICMP(type=3, code=1) /
                                 Raw(bytes(IP(src=ME, dst=a) / ICMP(type=8, id=i, seq=s))[:28])))
put("reply", "udp", eth(IP(src=a, dst=ME) / UDP(sport=80, dport=v.sport(a, 80)) / Raw(b"\x12\x34answer")))
put("reply", "udp-unreach", eth(IP(src=a, dst=ME) / ICMP(type=3, code=3) / Raw(bytes(probe_udp)[:28])))
put("reply", "arp", Ether(src=GW, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=GW, psrc="198.19.0.1", pdst=ME))
put("reply", "ipopts", eth(IP(src=a, dst=ME, ihl=6, options=[b"\x01\x01\x01\x00"]) /
                           TCP(sport=80, dport=v.sport(a, 80), flags="SA", ack=(v.seq(a, 80) + 1) & 0xFFFFFFFF)))

# tcp_banner (http): its SYN-ACK, the server's data acknowledging our request, a reset after it
get = f"GET / HTTP/1.1\r\nHost: {a}\r\nUser-Agent: trawl/0.1 (survey scanner)\r\nAccept: */*\r\n\r\n".encode()
put("reply", "banner-data", eth(IP(src=a, dst=ME) / TCP(sport=80, dport=v.sport(a, 80), flags="PA", seq=1001,
                                                        ack=(v.seq(a, 80) + 1 + len(get)) & 0xFFFFFFFF) /
                                Raw(b"HTTP/1.1 200 OK\r\nServer: fuzz\r\n\r\n")))
put("reply", "banner-reset", eth(IP(src=a, dst=ME) / TCP(sport=80, dport=v.sport(a, 80), flags="RA", seq=1001,
                                                         ack=(v.seq(a, 80) + 1 + len(get)) & 0xFFFFFFFF)))
put("reply", "zerowin", eth(IP(src=a, dst=ME) / TCP(sport=443, dport=v.sport(a, 443), flags="SA", window=0,
                                                    ack=(v.seq(a, 443) + 1) & 0xFFFFFFFF)))

# IPv6 (fuzz_reply.c's IPv6 scan: 2001:2::5, 2001:2::9 and 2001:2:1::/112 from 2001:2:ff::2, ports 80,443)
ME6 = "2001:2:ff::2"
v6 = tt.Validator6(KEY)
a6 = "2001:2:1::7"
t6 = v6.tag(a6, 0) & 0xFFFFFFFF
i6, s6 = t6 >> 16, t6 & 0xFFFF
syn6 = TCP(sport=80, dport=v6.sport(a6, 80), flags="SA", ack=(v6.seq(a6, 80) + 1) & 0xFFFFFFFF, options=[("MSS", 1440)])
put("reply", "v6-synack", eth(IPv6(src=a6, dst=ME6) / syn6))
put("reply", "v6-rst", eth(IPv6(src="2001:2::5", dst=ME6) / TCP(sport=443, dport=v6.sport("2001:2::5", 443), flags="RA",
                                                                ack=(v6.seq("2001:2::5", 443) + 1) & 0xFFFFFFFF)))
put("reply", "v6-echoreply", eth(IPv6(src=a6, dst=ME6) / ICMPv6EchoReply(id=i6, seq=s6)))
quote6 = bytes(IPv6(src=ME6, dst=a6, hlim=255) / ICMPv6EchoRequest(id=i6, seq=s6))
put("reply", "v6-echo-unreach", eth(IPv6(src="2001:2:ff::1", dst=ME6) / ICMPv6DestUnreach(code=3) / Raw(quote6)))
put("reply", "v6-echo-unreach-cut", eth(IPv6(src="2001:2:ff::1", dst=ME6) / ICMPv6DestUnreach(code=3) / Raw(quote6[:44])))
# Extension header chains: hop-by-hop, destination options and an atomic fragment before the TCP header.
put("reply", "v6-ext-chain", eth(IPv6(src=a6, dst=ME6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
                                 IPv6ExtHdrFragment(offset=0, m=0) / syn6))
# A next header (destination options, 16 bytes claimed) pointing past the capture.
chain = bytes(eth(IPv6(src=a6, dst=ME6, nh=60, plen=64) / Raw(b"\x06\x01" + b"\x00" * 6)))
put("reply", "v6-ext-past-end", chain)
put("reply", "v6-ns", Ether(src=GW, dst="33:33:ff:00:00:02") / IPv6(src="2001:2:ff::1", dst="ff02::1:ff00:2", hlim=255) /
    ICMPv6ND_NS(tgt=ME6) / ICMPv6NDOptSrcLLAddr(lladdr=GW))
put("reply", "v6-na", eth(IPv6(src="2001:2:ff::1", dst=ME6, hlim=255) / ICMPv6ND_NA(tgt="2001:2:ff::1", R=1, S=1, O=1) /
                          ICMPv6NDOptDstLLAddr(lladdr=GW)))

# --- respond: frames to the virtual internet, each after a 2-byte length -------------
def frames(*fs):
    return b"".join(struct.pack(">H", len(bytes(f))) + bytes(f) for f in fs)


R = Ether(src="02:00:00:00:00:aa", dst="02:00:00:00:00:09")
syn = R / IP(src="198.19.1.2", dst="198.18.0.5", id=54321) / TCP(sport=40000, dport=80, flags="S", seq=1, window=65535)
syn2 = R / IP(src="198.19.1.2", dst="198.18.0.6", id=54321) / TCP(sport=40000, dport=80, flags="S", seq=2, window=65535)
masscan = R / IP(src="198.19.1.3", dst="198.18.0.5") / TCP(sport=61000, dport=80, flags="S", seq=12345, window=1024)
put("respond", "zmap-syns", frames(syn, syn2))
put("respond", "masscan-syn", frames(masscan))
put("respond", "closed", frames(R / IP(src="198.19.1.2", dst="198.18.0.5") / TCP(sport=1, dport=81, flags="S")))
put("respond", "echo", frames(R / IP(src="198.19.1.2", dst="198.18.1.7") / ICMP(type=8, id=1, seq=2) / Raw(b"abc")))
put("respond", "udp53", frames(R / IP(src="198.19.1.2", dst="198.18.0.9") / UDP(sport=5000, dport=53) / Raw(b"q")))
put("respond", "udp-closed", frames(R / IP(src="198.19.1.2", dst="198.18.0.9") / UDP(sport=5000, dport=54) / Raw(b"q")))

def r_isn(src, dst, sport, dport):  # fuzz_respond.c's ISN key (1, 2)
    return tt.siphash24(1, 2, struct.pack("<QQ", (tt.ip2int(src) << 32) | tt.ip2int(dst), (sport << 16) | dport)) & 0xFFFFFFFF


def r_seg(dst, dport, flags, payload=b""):
    return (R / IP(src="198.19.1.2", dst=dst) / TCP(sport=40000, dport=dport, flags=flags, seq=2,
                                                     ack=(r_isn("198.19.1.2", dst, 40000, dport) + 1) & 0xFFFFFFFF) /
            Raw(payload))


put("respond", "svc-http", frames(r_seg("198.18.2.1", 80, "PA", b"GET / HTTP/1.1\r\n\r\n"),
                                  r_seg("198.18.2.1", 80, "FA")))
put("respond", "svc-ssh", frames(r_seg("198.18.2.3", 22, "A")))
put("respond", "svc-tls", frames(r_seg("198.18.2.2", 443, "PA", b"\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03" +
                                       bytes(32) + b"\x00\x00\x04\x00\x9c\x13\x01\x01\x00")))
put("respond", "middlebox", frames(R / IP(src="198.19.1.2", dst="198.18.4.1") / TCP(sport=1, dport=9, flags="S")))
put("respond", "arp", frames(Ether(src="02:00:00:00:00:aa", dst="ff:ff:ff:ff:ff:ff") /
                             ARP(op=1, hwsrc="02:00:00:00:00:aa", psrc="198.19.1.2", pdst="198.18.0.1")))
R6 = IPv6(src="2001:2:ff::2", dst="2001:2::5")
put("respond", "v6-syn", frames(R / R6 / TCP(sport=40000, dport=80, flags="S", seq=1, window=65535),
                                 R / IPv6(src="2001:2:ff::2", dst="2001:2::9") / TCP(sport=40000, dport=443, flags="S")))
put("respond", "v6-echo-ext", frames(R / IPv6(src="2001:2:ff::2", dst="2001:2:1::7") / IPv6ExtHdrDestOpt() /
                                     ICMPv6EchoRequest(id=1, seq=2, data=b"abc")))
put("respond", "v6-udp", frames(R / R6 / UDP(sport=5000, dport=53) / Raw(b"q"), R / R6 / UDP(sport=5000, dport=54) / Raw(b"q")))
put("respond", "v6-ns", frames(Ether(src="02:00:00:00:00:aa", dst="33:33:ff:00:00:01") /
                               IPv6(src="2001:2:ff::2", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="2001:2:ff::1") /
                               ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:aa")))
put("dataset", "v6.txt", b"2001:2::5\n2001:2::/120\n[2001:2::9]:443\n# c\n198.18.0.1\n")
put("dataset", "v6-services.txt", b"[2001:2::51]:80 http\n[2001:2::53]:22 ssh\n[2001:2::54]:25 banner:220 x\n"
    b"2001:2:0:6::/124 middlebox\n2001:2::56 middlebox:zerowin\n")


def r_isn6(src, dst, sport, dport):  # packet6.c's isn6 under fuzz_respond.c's key (1, 2)
    s, d = int(ipaddress.IPv6Address(src)), int(ipaddress.IPv6Address(dst))
    w0 = (s >> 64) ^ (d & (2**64 - 1))
    w1 = (((s & (2**64 - 1)) ^ (d >> 64)) + ((sport << 16) | dport)) & (2**64 - 1)
    return tt.siphash24(1, 2, struct.pack("<QQ", w0, w1)) & 0xFFFFFFFF


def r_seg6(dst, dport, flags, payload=b""):
    return (R / IPv6(src="2001:2:ff::2", dst=dst) /
            TCP(sport=40000, dport=dport, flags=flags, seq=2,
                ack=(r_isn6("2001:2:ff::2", dst, 40000, dport) + 1) & 0xFFFFFFFF) / Raw(payload))


put("respond", "v6-svc-http", frames(r_seg6("2001:2::51", 80, "PA", b"GET / HTTP/1.1\r\n\r\n"),
                                     r_seg6("2001:2::51", 80, "FA")))
put("respond", "v6-svc-ssh", frames(r_seg6("2001:2::53", 22, "A")))
put("respond", "v6-middlebox", frames(R / IPv6(src="2001:2:ff::2", dst="2001:2:0:6::3") / TCP(sport=1, dport=9, flags="S")))

# --- l7: a server's first segment (what tcp_banner keeps) ------------------------------
put("l7", "http", b"HTTP/1.1 301 Moved\r\nServer: nginx/1.22.1\r\nLocation: https://x/\r\n\r\n")
put("l7", "ssh", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
put("l7", "smtp", b"220 mail.example ESMTP Postfix\r\n")
put("l7", "tls-alert", b"\x15\x03\x03\x00\x02\x02\x28")
with open(os.path.join(here, "../unit/test_l7.c")) as f:  # the unit test's certificate, in a TLS 1.2 flight
    hexcert = "".join(l.strip().strip('"') for l in f.read().split("cert_hex[] =")[1].split(";")[0].split("\n"))
cert = bytes.fromhex(hexcert)
sh = b"\x02\x00\x00\x26\x03\x03" + bytes(32) + b"\x00\xc0\x2b\x00\x00\x00"
ce = b"\x0b" + (len(cert) + 6).to_bytes(3, "big") + (len(cert) + 3).to_bytes(3, "big") + len(cert).to_bytes(3, "big") + cert
hs = sh + ce + b"\x0e\x00\x00\x00"
put("l7", "tls12", b"\x16\x03\x03" + len(hs).to_bytes(2, "big") + hs)
put("l7", "clienthello", b"\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03" + bytes(32) +
    b"\x00\x00\x04\x00\x9c\x13\x01\x01\x00")

# --- ranges: allow/blocklists (the first line is also a port list) --------------------
with open(os.path.join(conf, "blocklist.conf"), "rb") as f:
    put("ranges", "blocklist.conf", f.read())
put("ranges", "ports", b"22,80,8000-8100\n198.18.0.0/15\n10.0.0.0/8 # comment\n198.18.1.0/24\n")
put("ranges", "single", b"1.2.3.4\n  198.18.0.0/16  \n")

# --- config: -C settings, campaigns, checkpoints -------------------------------------
for n in ("example-scan.yaml", "example-campaign.yaml"):
    with open(os.path.join(conf, n), "rb") as f:
        put("config", n, f.read())
put("config", "aliases.yaml", b"a: &x [1, 2]\nb: *x\ntarget-ports: [80, 443]\n")
put("config", "checkpoint.json", json.dumps({
    "trawl_checkpoint": 1, "scan_id": "123", "seed": "456", "probe_module": "tcp_synscan", "shards": 1,
    "shard": 0, "sender_threads": 1, "targets": "65536", "results": "10", "output_bytes": "130", "attempts": 2,
    "done": False, "positions": [{"left": "100", "targets": "65436"}]}, indent=1).encode())

# --- dataset: text and the binary form trawl respond --compile makes ------------------
with open(os.path.join(conf, "example-dataset.txt"), "rb") as f:
    text = f.read()
put("dataset", "text", text)
put("dataset", "mixed", b"198.18.0.1\n198.18.0.0/30:443\n198.18.1.1:22 # x\n\n")
put("dataset", "services", b"198.18.2.1:80 http\n198.18.2.2:443 tls\n198.18.2.3:22 ssh\n"
    b"198.18.2.4:25 banner:220 x ESMTP\n198.18.3.0/24 middlebox\n198.18.4.0/30 middlebox:zerowin\n")
with tempfile.TemporaryDirectory() as d:
    src, out = os.path.join(d, "ds.txt"), os.path.join(d, "ds.bin")
    with open(src, "wb") as f:
        f.write(b"198.18.0.1\n198.18.0.0/30:443\n198.18.1.1:22\n")
    subprocess.run([trawl, "respond", "--compile", src, "-o", out], check=True, capture_output=True)
    with open(out, "rb") as f:
        put("dataset", "binary", f.read())

# --- args: filter expressions, hex payloads, CIDRs -----------------------------------
put("args", "filter", b"(success = 1 && repeat = 0) || classification = \"rst\"")
put("args", "filter2", b"sport > 1024 && saddr != 198.18.0.1")
put("args", "hex", b"00ff10abcdef")
put("args", "cidr", b"198.18.0.0/15")
print("corpus written under", os.path.join(here, "corpus"))
