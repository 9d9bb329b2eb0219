#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""-I, --list-of-ips on the wire (net_pcap): a list of 100,000 addresses in
198.18.0.0/15 with repeated lines, comments, CRLF and blank lines, times 3
ports, split over (shards, sender threads): every probe captured and
counted, each (address, port) of the list exactly once, a repeated line
probed once and counted, the blocklist still applied, TARGETs beside the
list; a checkpoint of one list refused for a list of other content; bad
lines named with their line; IPv6 TARGETs, -w and YAML targets beside IPv4 ones
refused by name, IPv6 lines in a blocklist kept apart."""
import ipaddress
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

GW = "02:00:00:00:00:01"
c = tt.Checks()
d = tt.tmpdir()
seed = int(os.environ.get("TRAWL_TEST_SEED", random.randrange(1 << 30)))
rng = random.Random(seed)
print(f"lists from TRAWL_TEST_SEED={seed}")
base = int(ipaddress.ip_address("198.18.0.0"))


def probes_of(path):
    """(dst, dport) of every TCP SYN in a capture, the address as an integer."""
    return [(int.from_bytes(fr[30:34], "big"), struct.unpack(">H", fr[36:38])[0]) for fr in tt.pcap_frames(path)
            if len(fr) >= 54 and fr[12:14] == b"\x08\x00" and fr[23] == 6]


# 100,000 distinct addresses, some in runs (consecutive addresses merge into one interval), then
# 5,000 of them again on lines of their own, shuffled.
addrs = set()
while len(addrs) < 100_000:
    a = base + rng.randrange((1 << 17) - 256)
    for k in range(rng.choice([1, 1, 1, 4])):
        addrs.add(a + k if a + k < base + (1 << 17) - 256 else a)
addrs = sorted(addrs)[:100_000]
repeats = rng.sample(addrs, 5000)
lines = [str(ipaddress.ip_address(a)) for a in addrs + repeats]
rng.shuffle(lines)
decorated = []
for i, line in enumerate(lines):
    if i % 997 == 0:
        decorated.append("# a comment line")
    if i % 1009 == 0:
        decorated.append("")
    decorated.append(f"  {line}\t# note" if i % 13 == 0 else line + ("\r" if i % 7 == 0 else ""))
listfile = os.path.join(d, "list.txt")
with open(listfile, "w") as f:
    f.write("\n".join(decorated))  # the last line without its newline
blocked = rng.sample(addrs, 3)
bfile = os.path.join(d, "block.txt")
with open(bfile, "w") as f:
    f.write("".join(f"{ipaddress.ip_address(a)}\n" for a in blocked))
extra = "198.19.255.0/30"  # a TARGET beside the list (the list is below 198.19.255.0)
ports = (22, 80, 443)
want_addrs = (set(addrs) - set(blocked)) | {int(ipaddress.ip_address("198.19.255.0")) + k for k in range(4)}
want = {(a, p) for a in want_addrs for p in ports}

for shards, threads in ((1, 1), (2, 3)):
    got, per_slice = [], []
    for s in range(shards):
        outs = [os.path.join(d, f"l{shards}-s{s}-t{t}.pcap") for t in range(threads)]
        meta = os.path.join(d, f"l{shards}-s{s}.json")
        p = tt.run(["scan", "--dev", "net_pcap0," + ",".join(f"tx_pcap={o}" for o in outs),
                    "--eal", tt.eal(f"list{shards}s{s}"), "-S", "198.19.0.2", "-G", GW, "-b", bfile,
                    "-p", "22,80,443", "-r", "0", "-c", "0", "-e", str(seed), "--shards", str(shards),
                    "--shard", str(s), "-T", str(threads), "-o", "/dev/null", "-m", meta, "-I", listfile, extra],
                   timeout=240)
        c.eq(p.returncode, 0, f"{shards} shards x {threads} threads, shard {s}: exit status ({p.stderr[-300:]!r})")
        c.check(f"100000 addresses in 105000 lines (5000 repeated, probed once)" in p.stderr,
                f"stderr says what the list held: {p.stderr[:300]!r}")
        m = tt.metadata(meta)
        c.eq((m["list_of_ips"], m["list_lines"], m["list_addresses"]), (listfile, 105000, 100000),
             "metadata: the list, its lines and distinct addresses")
        c.eq(m["allowed_addresses"], len(want_addrs), "metadata: allowed addresses = list + TARGET - blocklist")
        for o in outs:
            probes = probes_of(o)
            per_slice.append(len(probes))
            got += probes
            os.unlink(o)
        c.eq(sum(per_slice[-threads:]), m["packets_sent"], f"shard {s}: every probe sent is in the captures")
    what = f"{shards} shards x {threads} threads"
    c.eq(len(got), len(want), f"{what}: as many probes as targets")
    c.eq(len(got), len(set(got)), f"{what}: no (address, port) twice")
    c.check(set(got) == want, f"{what}: exactly the list x ports, minus the blocklist, plus the TARGET "
            f"({len(set(got) - want)} extra, {len(want - set(got))} missing)")
    c.check(not any(a in blocked for a, _ in got), f"{what}: no probe to a blocked list address")

# A checkpoint of one list is not a checkpoint of another: the list's content is the scan's identity.
small = os.path.join(d, "small.txt")
other = os.path.join(d, "other.txt")
with open(small, "w") as f:
    f.write("198.18.0.1\n198.18.0.9\n")
with open(other, "w") as f:
    f.write("198.18.0.1\n198.18.0.10\n")
ck = os.path.join(d, "ck.json")
out = os.path.join(d, "ck.csv")


def ck_scan(lst, name):
    return tt.run(["scan", "--dev", "net_null0", "--eal", tt.eal(name), "-S", "198.19.0.2", "-G", GW,
                   "-b", "/dev/null", "-c", "0", "-q", "-o", out, "--checkpoint", ck, "-e", "5", "-I", lst],
                  timeout=60)


p = ck_scan(small, "ck1")
c.eq(p.returncode, 0, f"a list scan with --checkpoint: exit 0 ({p.stderr!r})")
with open(ck) as f:
    c.check(json.load(f)["done"], "its checkpoint says it finished")
p = ck_scan(other, "ck2")
c.eq(p.returncode, 2, "the same checkpoint with a list of other content: exit 2")
c.check("another scan" in p.stderr, f"it says so: {p.stderr!r}")

# Bad lines: named by file, line and column; nothing is sent.
for text, line, why in (("198.18.0.1\n 198.18.0.300\n", "2:2", "not an IPv4 or IPv6 address"),
                        ("198.18.0.1\n198.18.0.0/24\n", "2:1", "a CIDR block"),
                        ("198.18.0.01\n", "1:1", "not an IPv4 or IPv6 address"),
                        ("198.18.0.1 198.18.0.2\n", "1:1", "not an IPv4 or IPv6 address"),
                        ("198.18.0.1\n\0\n", "2:1", "a NUL byte"),
                        ("1" * 5000 + "\n", "1", "a line longer than")):
    bad = os.path.join(d, "bad.txt")
    with open(bad, "w") as f:
        f.write(text)
    p = tt.run(["scan", "--dev", "net_null0", "--eal", tt.eal("bad"), "-S", "198.19.0.2", "-G", GW,
                "-b", "/dev/null", "-c", "0", "-q", "-I", bad], timeout=60)
    c.eq(p.returncode, 2, f"-I with {text[:30]!r}: exit 2")
    c.check(f"{bad}:{line}" in p.stderr and why in p.stderr, f"it names the line and why: {p.stderr!r}")
# IPv6 beside IPv4: a scan is of one family for now, so an IPv6 TARGET, -w line or YAML target beside
# IPv4 ones is refused, saying so; IPv6 lines in a blocklist are read and kept apart (the IPv4 scan
# above them still runs, blocking what it lists). IPv6 scans: test_ipv6.py and integration/test_ipv6.sh.
w6 = os.path.join(d, "allow6.txt")
with open(w6, "w") as f:
    f.write("198.18.0.0/30\n2001:2::/64\n")
b6 = os.path.join(d, "block6.txt")
with open(b6, "w") as f:
    f.write("2001:2::/48\n198.18.0.1\nfe80::/10\n")
y6 = os.path.join(d, "scan6.yaml")
with open(y6, "w") as f:
    f.write("targets: [198.18.0.0/30, \"2001:2::1\"]\n")
base_args = ["scan", "--dev", "net_null0", "--eal", tt.eal("v6"), "-S", "198.19.0.2", "-G", GW, "-c", "0", "-q"]
mixed = "IPv4 and IPv6 targets in one scan"
for extra, why in ((["-b", "/dev/null", "198.18.0.0/30", "2001:2::1"], mixed),
                   (["-b", "/dev/null", "-w", w6], "2001:2::/64 holds 2^64 addresses"),
                   (["-b", "/dev/null", "-C", y6], mixed)):
    p = tt.run(base_args + extra, timeout=60)
    c.eq(p.returncode, 2, f"{extra[2:]}: exit 2")
    c.check(why in p.stderr, f"it says {why!r}: {p.stderr!r}")
meta = os.path.join(d, "b6.json")
p = tt.run(base_args + ["-b", b6, "-m", meta, "198.18.0.0/30"], timeout=60)
c.eq(p.returncode, 0, f"a blocklist with IPv6 lines: exit 0 ({p.stderr!r})")
c.eq(tt.metadata(meta)["allowed_addresses"], 3, "its IPv4 line applied (198.18.0.0/30 less 198.18.0.1)")
c.done()
