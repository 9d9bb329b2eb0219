#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A malformed-reply corpus replayed through `trawl scan` on net_pcap (issue 12),
for each probe module. Every malformed frame is made from a genuine reply to
the scan (same fixed --validation-key), so only its damage keeps it out:
- truncated at every byte of every header (and of the payload);
- IHL 0-15 but 5, TCP data offset 0-15 but 5, IP total length past the
  capture, UDP lengths below 8 and past the datagram;
- inside a VLAN tag and inside QinQ;
- as fragments (first and later);
- ICMP errors quoting headers we never sent (another id/seq, another source,
  another IP ID or port, a quoted reply), our own probes reflected back;
- IPv6 (issue 24), to an IPv6 scan: truncated at every byte, extension
  header chains too long or reaching past the payload or the capture,
  fragments that are not atomic, ICMPv6 errors whose quote is cut inside
  the echo header or quotes another source or id.
The control replay of the genuine replies gives exactly their results; the
corpus gives zero results, exit 0, and every frame counted in frames_received
(valid 0; failed validation + other = all). Under the sanitizer suite this
runs under ASan+UBSan (deploy/test.sh)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, Raw  # noqa: E402
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest, IPv6,  # noqa: E402
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop)

KEY = "00112233445566778899aabbccddeeff"
ME, GW_MAC, SRC = "198.19.0.2", "02:00:00:00:00:01", "02:00:00:00:00:99"
TARGETS = [f"198.18.0.{i}" for i in (10, 20, 30)]
c = tt.Checks()
d = tt.tmpdir()
v = tt.Validator(KEY, ME)


def ipid_udp(daddr, sport, dport):
    """trawl_fp_trawl_udp_ipid (core/fingerprint.h), for ICMP errors quoting our UDP probes."""
    x = (tt.ip2int(daddr) ^ (tt.ip2int(daddr) >> 16) ^ (sport ^ dport) ^ 0x7477) & 0xFFFF
    return 54320 if x == 54321 else x


def echo_idseq(addr):
    t = v.tag(addr, 0) & 0xFFFFFFFF
    return t >> 16, t & 0xFFFF


def eth(l3):
    return Ether(src=SRC, dst=GW_MAC) / l3


def tcp_reply(a):
    return eth(IP(src=a, dst=ME, ttl=57) / TCP(sport=80, dport=v.sport(a, 80), flags="SA", seq=1000,
                                                ack=(v.seq(a, 80) + 1) & 0xFFFFFFFF, window=29200,
                                                options=[("MSS", 1460)]))


def echo_reply(a):
    i, s = echo_idseq(a)
    return eth(IP(src=a, dst=ME, ttl=57) / ICMP(type=0, id=i, seq=s) / Raw(b"trawl-echo-data"))


def udp_reply(a):
    return eth(IP(src=a, dst=ME, ttl=57) / UDP(sport=53, dport=v.sport(a, 53)) / Raw(b"\x12\x34\x81\x80answer"))


def echo_probe(a):
    i, s = echo_idseq(a)
    return IP(src=ME, dst=a, ttl=255) / ICMP(type=8, id=i, seq=s)


def udp_probe(a):
    sp = v.sport(a, 53)
    return IP(src=ME, dst=a, id=ipid_udp(a, sp, 53), ttl=255) / UDP(sport=sp, dport=53) / Raw(b"q")


def unreach(a, quoted, code=3):
    return eth(IP(src=a, dst=ME, ttl=57) / ICMP(type=3, code=code) / Raw(bytes(quoted)[:28]))


def damaged(base):
    """Every malformed variant of one genuine reply (an Ether frame)."""
    raw = bytes(base)
    base = Ether(raw)  # lengths and checksums filled in
    ip = base[IP]
    out = [raw[:k] for k in range(1, len(raw))]                           # cut at every byte
    for ihl in range(16):
        if ihl != 5:
            b = bytearray(raw)
            b[14] = 0x40 | ihl
            out.append(bytes(b))
    for extra in (1, 2, 7, 100, 1400, 65535 - ip.len):                    # total length past the capture
        b = bytearray(raw)
        b[16:18] = (ip.len + extra).to_bytes(2, "big")
        out.append(bytes(b))
    for flags, frag in ((1, 0), (1, 8), (0, 8), (0, 1)):                  # first, middle, last fragments
        b = base.copy()
        b[IP].flags, b[IP].frag = flags, frag
        del b[IP].chksum
        out.append(b)
    l3 = base[IP].copy()
    out.append(Ether(src=SRC, dst=GW_MAC) / Dot1Q(vlan=7) / l3)
    out.append(Ether(src=SRC, dst=GW_MAC) / Dot1AD(vlan=100) / Dot1Q(vlan=7) / l3)
    if TCP in base:
        for doff in range(16):
            # The genuine reply carries MSS (6 words); 5 makes it a well-formed segment with 4 bytes of data.
            if doff not in (5, 6):
                b = bytearray(raw)
                b[14 + 20 + 12] = (doff << 4) | (b[14 + 20 + 12] & 0x0F)
                out.append(bytes(b))
    if UDP in base:
        ulen = base[UDP].len
        for bad in list(range(8)) + [ulen + 1, ulen + 100, 65535]:
            b = bytearray(raw)
            b[14 + 20 + 4:14 + 20 + 6] = bad.to_bytes(2, "big")
            out.append(bytes(b))
    return out


MODULES = {
    "tcp_synscan": (["-p", "80"], tcp_reply, lambda a: [
        # our SYN reflected back (addresses swapped: a SYN is no answer), and as sent (not to us)
        eth(IP(src=a, dst=ME) / TCP(sport=80, dport=v.sport(a, 80), flags="S", seq=v.seq(a, 80))),
        eth(IP(src=ME, dst=a) / TCP(sport=v.sport(a, 80), dport=80, flags="S", seq=v.seq(a, 80))),
        # an ICMP error about a SYN: tcp_synscan takes none
        unreach(a, IP(src=ME, dst=a) / TCP(sport=v.sport(a, 80), dport=80, flags="S", seq=v.seq(a, 80))),
    ]),
    "icmp_echoscan": ([], echo_reply, lambda a: [
        eth(echo_probe(a)),                                                 # reflected, as sent
        eth(IP(src=a, dst=ME) / ICMP(type=8, id=echo_idseq(a)[0], seq=echo_idseq(a)[1])),  # a request to us
        unreach(a, IP(src=ME, dst=a) / ICMP(type=8, id=echo_idseq(a)[0] ^ 1, seq=echo_idseq(a)[1])),
        unreach(a, IP(src=ME, dst=a) / ICMP(type=8, id=echo_idseq(a)[0], seq=echo_idseq(a)[1] ^ 1)),
        unreach(a, IP(src="198.19.0.3", dst=a) / ICMP(type=8, id=echo_idseq(a)[0], seq=echo_idseq(a)[1])),
        unreach(a, IP(src=ME, dst=a) / ICMP(type=0, id=echo_idseq(a)[0], seq=echo_idseq(a)[1])),  # quotes a reply
        unreach(a, IP(src=ME, dst=a) / TCP(sport=1, dport=2)),
        eth(IP(src=a, dst=ME) / ICMP(type=3, code=1) / Raw(bytes(echo_probe(a))[:27])),  # quote 1 byte short
    ]),
    "udp": (["-p", "53", "--probe-args", "text:q"], udp_reply, lambda a: [
        eth(udp_probe(a)),                                                  # reflected, as sent
        unreach(a, IP(src=ME, dst=a, id=ipid_udp(a, v.sport(a, 53), 53) ^ 1) / UDP(sport=v.sport(a, 53), dport=53)),
        unreach(a, IP(src=ME, dst=a, id=ipid_udp(a, v.sport(a, 53), 53)) / UDP(sport=v.sport(a, 53) ^ 1, dport=53)),
        unreach(a, IP(src=ME, dst=a, id=ipid_udp(a, v.sport(a, 53), 54)) / UDP(sport=v.sport(a, 53), dport=54)),
        unreach(a, IP(src="198.19.0.3", dst=a, id=ipid_udp(a, v.sport(a, 53), 53)) / UDP(sport=v.sport(a, 53), dport=53)),
        eth(IP(src=a, dst=ME) / ICMP(type=3, code=3) / Raw(bytes(udp_probe(a))[:27])),
    ]),
}


def write_pcap(path, frames):
    """A pcap of raw frames (scapy would dissect a 3-byte runt before writing it)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(bytes(x) for x in frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)) + fr)


def replay(name, module, args, frames, src=ME, targets="198.18.0.0/24"):
    rx, tx = os.path.join(d, f"{name}.pcap"), os.path.join(d, f"{name}-out.pcap")
    meta, res = os.path.join(d, f"{name}.json"), os.path.join(d, f"{name}.csv")
    write_pcap(rx, frames)
    p = tt.run(["scan", "--dev", f"net_pcap0,rx_pcap={rx},tx_pcap={tx}", "--eal", tt.eal(name), "-S", src,
                "-G", GW_MAC, "-b", "/dev/null", "-M", module, *args, "-r", "0", "-c", "1",
                "--validation-key", KEY, "-m", meta, "-o", res, "--no-header-row", "-q", targets], timeout=120)
    with open(res) if os.path.exists(res) else open(os.devnull) as f:
        rows = f.read().splitlines()
    return p, tt.metadata(meta) if os.path.exists(meta) else {}, rows


for module, (args, genuine, forged) in MODULES.items():
    bases = [genuine(a) for a in TARGETS]
    p, m, rows = replay(f"{module}-ok", module, args, bases)
    c.eq((p.returncode, sorted(rows)), (0, TARGETS), f"{module}: the genuine replies are results ({p.stderr.strip()[-200:]})")
    corpus = [f for b in bases for f in damaged(b)] + [f for a in TARGETS for f in forged(a)]
    p, m, rows = replay(f"{module}-bad", module, args, corpus)
    c.eq(p.returncode, 0, f"{module}: the corpus replay exits 0 ({p.stderr.strip()[-300:]})")
    c.eq(rows, [], f"{module}: no result from {len(corpus)} malformed frames")
    c.eq(m.get("frames_received"), len(corpus), f"{module}: every frame counted")
    c.eq(m.get("replies_valid"), 0, f"{module}: none validated")
    c.eq((m.get("validation_failed", 0) + m.get("frames_other", 0) + m.get("arp_frames", 0)), len(corpus),
         f"{module}: each frame failed validation or was not a reply ({m.get('validation_failed')} + "
         f"{m.get('frames_other')})")
    print(f"{module}: {len(corpus)} malformed frames: {m.get('validation_failed')} failed validation, "
          f"{m.get('frames_other')} not replies")

# --- IPv6 -----------------------------------------------------------------------------------------------
ME6 = "2001:2:ff::2"
v6 = tt.Validator6(KEY)
TARGETS6 = ["2001:2::10", "2001:2::20", "2001:2::30"]


def echo6_idseq(a):
    t = v6.tag(a, 0) & 0xFFFFFFFF
    return t >> 16, t & 0xFFFF


def syn6(a):
    return TCP(sport=80, dport=v6.sport(a, 80), flags="SA", seq=1000, ack=(v6.seq(a, 80) + 1) & 0xFFFFFFFF,
               window=29200, options=[("MSS", 1440)])


def tcp6_reply(a, *ext):
    l3 = IPv6(src=a, dst=ME6, hlim=57)
    for e in ext:
        l3 = l3 / e
    return eth(l3 / syn6(a))


def echo6_reply(a):
    i, q = echo6_idseq(a)
    return eth(IPv6(src=a, dst=ME6, hlim=57) / ICMPv6EchoReply(id=i, seq=q))


def echo6_quote(a, src=ME6, id_delta=0):
    i, q = echo6_idseq(a)
    return bytes(IPv6(src=src, dst=a, hlim=255) / ICMPv6EchoRequest(id=(i + id_delta) & 0xFFFF, seq=q))


def unreach6(a, quote):
    return eth(IPv6(src="2001:2:ff::1", dst=ME6) / ICMPv6DestUnreach(code=3) / Raw(quote))


def cut_everywhere(f):
    b = bytes(f)
    return [b[:n] for n in range(14, len(b))]


def chains6(a):
    """Extension header chains no reply may come through."""
    base = bytes(tcp6_reply(a))
    ip6 = base[14:54]
    tcp = base[54:]
    out = []
    # nine destination options headers: one past TRAWL_IPV6_MAX_EXT
    ext = b"".join(bytes([60 if k < 8 else 6, 0]) + bytes(6) for k in range(9))
    hdr = bytearray(ip6)
    hdr[6] = 60
    struct.pack_into(">H", hdr, 4, len(ext) + len(tcp))
    out.append(base[:14] + bytes(hdr) + ext + tcp)
    # a header whose length reaches past the payload, and one past the capture
    for hlen, plen in ((40, 8 + len(tcp)), (2, 8 + 16 + len(tcp) + 64)):
        hdr = bytearray(ip6)
        hdr[6] = 60
        struct.pack_into(">H", hdr, 4, plen)
        out.append(base[:14] + bytes(hdr) + bytes([6, hlen]) + bytes(6) + tcp)
    # fragments that are not atomic: a first one (M) and a later one (offset)
    out.append(tcp6_reply(a, IPv6ExtHdrFragment(offset=0, m=1)))
    out.append(tcp6_reply(a, IPv6ExtHdrFragment(offset=8, m=0)))
    return out


def forged6(a):
    return ([unreach6(a, echo6_quote(a)[:n]) for n in range(0, 48)] +   # quote cut inside the echo header
            [unreach6(a, echo6_quote(a, src="2001:2:ff::3")), unreach6(a, echo6_quote(a, id_delta=1)),
             eth(IPv6(src=a, dst=ME6) / ICMPv6EchoReply(id=1, seq=2))])


MODULES6 = {
    "tcp_synscan": (["-p", "80"], tcp6_reply, lambda a: chains6(a)),
    "icmp_echoscan": ([], echo6_reply, forged6),
}


def replay6(name, module, args, frames):
    return replay(name, module, args, frames, src=ME6, targets="2001:2::/120")


for module, (args, genuine, forged) in MODULES6.items():
    bases = [genuine(a) for a in TARGETS6]
    # An atomic fragment and an extension header chain in front of a genuine reply still make it one.
    extra_ok = [tcp6_reply(TARGETS6[0], IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt(), IPv6ExtHdrFragment(offset=0, m=0))] \
        if module == "tcp_synscan" else []
    p, m, rows = replay6(f"{module}-ok6", module, args, bases + extra_ok)
    c.eq((p.returncode, sorted(set(rows)), m.get("replies_valid")), (0, TARGETS6, len(bases) + len(extra_ok)),
         f"IPv6 {module}: the genuine replies are results ({p.stderr.strip()[-200:]})")
    corpus = [f for b in bases for f in cut_everywhere(b)] + [f for a in TARGETS6 for f in forged(a)]
    p, m, rows = replay6(f"{module}-bad6", module, args, corpus)
    c.eq(p.returncode, 0, f"IPv6 {module}: the corpus replay exits 0 ({p.stderr.strip()[-300:]})")
    c.eq(rows, [], f"IPv6 {module}: no result from {len(corpus)} malformed frames")
    c.eq(m.get("frames_received"), len(corpus), f"IPv6 {module}: every frame counted")
    c.eq(m.get("replies_valid"), 0, f"IPv6 {module}: none validated")
    print(f"IPv6 {module}: {len(corpus)} malformed frames: {m.get('validation_failed')} failed validation, "
          f"{m.get('frames_other')} not replies")
c.done()
