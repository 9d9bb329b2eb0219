#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""icmp_echoscan and udp on the wire and against the virtual internet.

- net_pcap: every probe of each module exactly once per target, byte-correct
  as scapy recomputes it (IP, ICMP and UDP checksums), identifier and
  sequence number (ICMP) or source port (UDP) equal to the validation tag as
  this file's own SipHash computes it, the payload the --probe-args file's.
- config/udp-probes: each payload parses as its protocol says (scapy).
- trawl respond over net_memif, scanned as fast as the link takes: echo
  replies are exactly the live hosts; UDP replies exactly the live hosts on
  the port with a payload (its bytes in `data`), port unreachable exactly
  the live hosts on the other port; every probe attributed to trawl.
  Exact whenever nothing was lost, and any loss is counted and explains
  every missing row (on this 2-core machine none has been seen)."""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import DNS, ICMP, IP, SNMP, UDP, Ether, rdpcap  # noqa: E402
from scapy.layers.ntp import NTPControl  # noqa: E402

KEY = "00112233445566778899aabbccddeeff"
GW = "02:00:00:00:00:01"
TOP = os.path.join(os.path.dirname(__file__), "../..")
PROBES = os.path.join(TOP, "config/udp-probes")
c = tt.Checks()
d = tt.tmpdir()
v = tt.Validator(KEY, "198.19.0.2")


def recomputed_ok(p, layer):
    """scapy's checksums, recomputed from scratch, equal what trawl wrote."""
    ip = p[IP]
    fresh = IP(bytes(ip))
    del fresh.chksum
    del fresh[layer].chksum
    fresh = IP(bytes(fresh))
    return ip.chksum == fresh.chksum and ip[layer].chksum == fresh[layer].chksum


def pcap_scan(name, args):
    out, meta = os.path.join(d, f"{name}.pcap"), os.path.join(d, f"{name}.json")
    tt.run(["scan", "--dev", f"net_pcap0,tx_pcap={out}", "--eal", tt.eal(name), "-S", "198.19.0.2", "-G", GW,
            "-b", "/dev/null", "-r", "0", "-c", "0", "--validation-key", KEY, "-m", meta, "-q"] + args, check_rc=0)
    return list(rdpcap(out)), tt.metadata(meta)


# 1. icmp_echoscan on the wire: 198.18.4.0/23, -P 2 (two identical requests per address).
pkts, m = pcap_scan("icmp", ["-M", "icmp_echoscan", "-P", "2", "198.18.4.0/23"])
want = {f"198.18.{4 + (i >> 8)}.{i & 255}" for i in range(512)}
seen, bad = {}, []
for p in pkts:
    ip, icmp = p[IP], p[ICMP]
    seen[ip.dst] = seen.get(ip.dst, 0) + 1
    tag = v.tag(ip.dst, 0) & 0xFFFFFFFF
    if not (icmp.type == 8 and icmp.code == 0 and icmp.id == tag >> 16 and icmp.seq == tag & 0xFFFF
            and ip.src == "198.19.0.2" and ip.ttl == 255 and ip.len == 28 and len(p) == 60
            and p[Ether].dst == GW and recomputed_ok(p, ICMP)):
        bad.append(p.summary())
c.eq(set(seen), want, "icmp: one address each, every allowed address")
c.check(all(n == 2 for n in seen.values()), "icmp: -P 2 sends two requests per address")
c.eq(bad[:3], [], "icmp: every probe byte-correct, id/seq the validation tag")
c.eq((m["packets_sent"], m["targets"], m["target_ports"]), (1024, 512, 1), "icmp: metadata counts addresses")

# 2. udp on the wire with a payload file, two ports, -P 2: two source ports per target.
dns = open(os.path.join(PROBES, "dns_53.pkt"), "rb").read()
pkts, m = pcap_scan("udp", ["-M", "udp", "-p", "53,5353", "-P", "2", "--probe-args",
                            f"file:{PROBES}/dns_53.pkt", "198.18.4.0/24"])
seen, bad = {}, []
for p in pkts:
    ip, udp = p[IP], p[UDP]
    key = (ip.dst, udp.dport)
    seen.setdefault(key, set()).add(udp.sport)
    ok_sport = udp.sport in (v.sport(ip.dst, udp.dport, 0), v.sport(ip.dst, udp.dport, 1))
    if not (ok_sport and bytes(udp.payload) == dns and udp.len == 8 + len(dns) and ip.ttl == 255
            and recomputed_ok(p, UDP) and udp.chksum != 0):
        bad.append(p.summary())
c.eq(set(seen), {(f"198.18.4.{i}", port) for i in range(256) for port in (53, 5353)},
     "udp: every (address, port) once")
c.check(all(len(s) == 2 for s in seen.values()), "udp: -P 2 uses the two MAC-derived source ports")
c.eq(bad[:3], [], "udp: every probe byte-correct, the file's payload, source port from the tag")
c.eq((m["packets_sent"], m["probe_payload_bytes"]), (1024, len(dns)), "udp: metadata")
# A payload shorter than a minimum frame is padded to 60 bytes, beyond the IP packet.
pkts, _ = pcap_scan("udp-short", ["-M", "udp", "-p", "7", "--probe-args", "hex:ab", "198.18.4.0/30"])
c.check(all(len(p) == 60 and bytes(p[UDP].payload)[:1] == b"\xab" and p[IP].len == 29 for p in pkts),
        "udp: a 1-byte payload, padded frame, exact lengths")

# --checkpoint: another payload is another scan (refused, exit 2, naming it); the same one finished sends nothing.
ck, out = os.path.join(d, "udp.ckpt"), os.path.join(d, "udp-ck.csv")
ckargs = ["scan", "--dev", "net_null0", "--eal", tt.eal("udp-ck"), "-S", "198.19.0.2", "-G", GW, "-b", "/dev/null",
          "-r", "0", "-c", "0", "-q", "-M", "udp", "-p", "53", "-o", out, "--checkpoint", ck, "198.18.4.0/24"]
p = tt.run(ckargs + ["--probe-args", "text:one"])
c.eq(p.returncode, 0, "udp --checkpoint: first run")
p = tt.run(ckargs + ["--probe-args", "text:two"])
c.check(p.returncode == 2 and "payload" in p.stderr, f"udp --checkpoint: another payload refused ({p.stderr.strip()[-160:]})")
p = tt.run(ckargs + ["--probe-args", "text:one"])
c.check(p.returncode == 0 and "finished" in p.stderr, "udp --checkpoint: the same scan again is finished, sends nothing")

# 3. The shipped payloads are what their names say.
c.check(DNS(dns).qd.qname == b"example.com." and DNS(dns).qd.qtype == 1 and DNS(dns).rd == 1, "dns_53.pkt: A example.com")
ntp = NTPControl(open(os.path.join(PROBES, "ntp_123.pkt"), "rb").read())
c.check(ntp.mode == 6 and ntp.op_code == 2, "ntp_123.pkt: mode 6 read variables")
snmp = SNMP(open(os.path.join(PROBES, "snmp1_161.pkt"), "rb").read())
c.check(snmp.version.val == 0 and snmp.community.val == b"public" and snmp.PDU.varbindlist[0].oid.val == "1.3.6.1.2.1.1.1.0",
        "snmp1_161.pkt: v1 get public sysDescr.0")
ssdp = open(os.path.join(PROBES, "ssdp_1900.pkt"), "rb").read()
c.check(ssdp.startswith(b"M-SEARCH * HTTP/1.1\r\n") and b"MAN: \"ssdp:discover\"" in ssdp and ssdp.endswith(b"\r\n\r\n"),
        "ssdp_1900.pkt: M-SEARCH ssdp:discover")
mc = open(os.path.join(PROBES, "memcached_11211.pkt"), "rb").read()
c.check(mc[2:8] == b"\x00\x00\x00\x01\x00\x00" and mc[8:] == b"stats\r\n", "memcached_11211.pkt: frame header + stats")

# 4. Against trawl respond over memif, as fast as the link takes them.
rng = random.Random(int(os.environ.get("TRAWL_TEST_SEED", "11")))
live = sorted(rng.sample(range(1 << 16), 2000))
hosts = {f"198.18.{x >> 8}.{x & 255}" for x in live}
answer = bytes(range(0, 200))  # a 200-byte "DNS answer": longer than any header, shorter than 512


def respond_scan(name, args, fields, lines=None, resp_extra=()):
    csv, meta = os.path.join(d, f"{name}.csv"), os.path.join(d, f"{name}.json")
    with tt.Responder(d, lines or sorted(hosts), f"{name}-r", ports="80", extra=resp_extra) as resp:
        p = tt.run(["scan", "--dev", resp.client(), "--eal", tt.eal(f"{name}-s").replace("-m 256", "-m 512") + " -l 0",
                    "-S", "198.19.0.2", "-G", GW, "-b", "/dev/null", "-r", "0", "-c", "1", "-q",
                    "--no-header-row", "-f", fields, "-o", csv, "-m", meta] + args + ["198.18.0.0/16"], timeout=120)
        c.eq(p.returncode, 0, f"{name}: exit status")
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
    rows = [line.split(",") for line in open(csv).read().split("\n") if line]
    return rows, tt.metadata(meta), resp.report


def lost_of(m, r):
    return m["replies_lost"] + r["dropped_by_reason"]["tx_full"] + r["dropped_by_reason"]["loss"]


rows, m, r = respond_scan("recho", ["-M", "icmp_echoscan"], "saddr,sport,classification,success,type")
got = [x[0] for x in rows]
lost = lost_of(m, r)
print(f"icmp_echoscan: {len(got)} rows at {m['send_rate_pps']:.0f} pps, lost {lost}")
c.eq(len(got), len(set(got)), "respond icmp: no row twice")
c.check(set(got) <= hosts, "respond icmp: no false positive")
c.check(all(x[1:] == ["0", "echoreply", "1", "0"] for x in rows), "respond icmp: sport 0, echoreply, success, type 0")
c.check(len(hosts) - len(set(got)) <= lost, f"respond icmp: every missing host a counted loss ({len(hosts) - len(got)} vs {lost})")
if lost == 0:
    c.eq(set(got), hosts, "respond icmp: exactly the live hosts")
c.eq(r["toolchains"]["trawl"], 1 << 16, "respond icmp: every echo request attributed to trawl")

pl = os.path.join(d, "answer.bin")
open(pl, "wb").write(answer)
rows, m, r = respond_scan("rudp", ["-M", "udp", "-p", "53,123", "--probe-args", f"file:{PROBES}/dns_53.pkt",
                                   "--output-filter", "repeat = 0"],
                          "saddr,sport,classification,success,udp_pkt_size,data,icmp_code,icmp_unreach_str",
                          resp_extra=["--udp", f"53:file:{pl}"])
openp = {x[0] for x in rows if x[1:6] == ["53", "udp", "1", str(8 + len(answer)), answer.hex()]}
closed = {x[0] for x in rows if x[1:4] == ["123", "icmp-unreach", "0"] and x[6:] == ["3", "port unreachable"]}
lost = lost_of(m, r)
print(f"udp: {len(openp)} open, {len(closed)} closed of {len(rows)} rows at {m['send_rate_pps']:.0f} pps, lost {lost}")
c.eq(len(rows), len(openp) + len(closed), "respond udp: every row an open 53 with the payload or a closed 123")
c.check(openp <= hosts and closed <= hosts, "respond udp: no false positive")
c.check(2 * len(hosts) - len(rows) <= lost, "respond udp: every missing row a counted loss")
if lost == 0:
    c.eq((openp, closed), (hosts, hosts), "respond udp: exactly the live hosts open on 53 and closed on 123")
c.eq((m["successes_unique"], m["closed_unique"], m["results_filtered_out"], m["results_data_missing"]),
     (len(openp), len(closed), 0, 0), "respond udp: metadata counts open and closed, no data lost on the way")
c.eq(r["toolchains"]["trawl"], 2 << 16, "respond udp: every datagram attributed to trawl")

# 5. A campaign of both modules: results.csv is saddr,sport with sport 0 for icmp_echoscan.
small = {f"198.18.{x >> 8}.{x & 255}" for x in live[:300]}
state = os.path.join(d, "campaign")
with tt.Responder(d, sorted(small), "camp-r", extra=["--udp", f"53:file:{pl}"]) as resp:
    camp = os.path.join(d, "c.yaml")
    with open(camp, "w") as f:
        f.write(f"""name: mods
schedule: "*-*-* 02:00:00"
state-dir: {state}
defaults:
  dev: "{resp.client()}"
  eal: "{tt.eal('camp-s').replace('-m 256', '-m 512')} -l 0"
  source-ip: 198.19.0.2
  gateway-mac: "{GW}"
  blocklist-file: /dev/null
  rate: 200000
  cooldown-time: 1
scans:
  - name: ping
    probe-module: icmp_echoscan
    targets: [198.18.0.0/16]
  - name: dns
    probe-module: udp
    target-ports: [53]
    probe-args: "file:{PROBES}/dns_53.pkt"
    targets: [198.18.0.0/16]
""")
    p = tt.run(["campaign", "run", camp], timeout=300)
    c.eq(p.returncode, 0, "campaign of icmp_echoscan and udp: exit status")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
for name, port in (("ping", "0"), ("dns", "53")):
    path = os.path.join(state, "latest", name, "results.csv")
    lines = open(path).read().split() if os.path.exists(path) else []
    c.eq(lines[:1], ["saddr,sport"], f"campaign {name}: header saddr,sport")
    c.eq(sorted(lines[1:]), sorted(f"{a},{port}" for a in small), f"campaign {name}: every live host, sport {port}")
c.done()
