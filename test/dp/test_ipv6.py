#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv6 targets on the wire (net_pcap), every probe captured and counted:
- a list of 100,000 addresses in 2001:2::/48 with 5,000 repeated lines,
  times 3 ports, split over (shards, sender threads): each (address, port)
  exactly once, a repeated line probed once and counted, listed addresses
  inside a blocklisted prefix never probed, each probe's sequence number and
  source port the IPv6 MAC's (an oracle in Python: AES of the target, then
  of that and the port);
- prefix windows: every /B of the /A probed exactly once, at ::1 by default,
  at the seed's IID with --iid seed (the same for the same seed, another for
  another), a CIDR as every address of it, a window partly blocklisted drawn
  and skipped, counted;
- icmp_echoscan: ICMPv6 echo requests with identifier and sequence number
  from the tag;
- against trawl respond over net_memif with an IPv6 dataset (addresses,
  a prefix, [ADDR]:PORT pairs; the text form and the --compile form), with
  the gateway resolved by neighbour discovery: the open set found exactly,
  or short only by what was counted lost; echo replies for live hosts;
- --checkpoint over IPv6: a scan of the dataset's list killed (SIGKILL)
  after its first commit, twice, then run to the end: the union of its
  results the open set exactly, no row twice, probes at most the targets
  plus a second's worth per kill; run again, nothing sent; a list of other
  content refused as another scan;
- refusals: windows that overlap, a prefix past 2^48, a window inside the
  blocklist, modules not built for IPv6, mixed families, no IPv6 source."""
import ipaddress
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

GW = "02:00:00:00:00:01"
KEY = "00112233445566778899aabbccddeeff"
SRC = "2001:2:ff::2"
c = tt.Checks()
d = tt.tmpdir()
seed = int(os.environ.get("TRAWL_TEST_SEED", random.randrange(1 << 30)))
rng = random.Random(seed)
print(f"lists from TRAWL_TEST_SEED={seed}")
base = int(ipaddress.IPv6Address("2001:2::"))
v6 = tt.Validator6(KEY)


def probes_of(path):
    """(dst, dport, sport, seq) of every IPv6 TCP SYN in a capture, the address as an integer."""
    out = []
    for fr in tt.pcap_frames(path):
        if len(fr) >= 74 and fr[12:14] == b"\x86\xdd" and fr[20] == 6:
            sport, dport, seq = struct.unpack(">HHI", fr[54:62])
            out.append((int.from_bytes(fr[38:54], "big"), dport, sport, seq))
    return out


def scan(name, args, outs, timeout=240):
    return tt.run(["scan", "--dev", "net_pcap0," + ",".join(f"tx_pcap={o}" for o in outs),
                   "--eal", tt.eal(name), "-S", SRC, "-G", GW, "-r", "0", "-c", "0",
                   "--validation-key", KEY, "-o", "/dev/null"] + args, timeout=timeout)


# --- a list: 100,000 addresses, 5,000 repeated lines, x 3 ports ---------------------------------------
addrs = set()
while len(addrs) < 100_000:
    # mostly scattered over the /48, some dense runs inside one /64 (hitlists have both)
    if rng.random() < 0.8:
        addrs.add(base + (rng.randrange(1 << 16) << 64) + rng.randrange(1 << 64))
    else:
        addrs.add(base + (7 << 64) + rng.randrange(1 << 20))
addrs = sorted(addrs)
repeats = rng.sample(addrs, 5000)
lines = [str(ipaddress.IPv6Address(a)) for a in addrs + repeats]
rng.shuffle(lines)
# Some in full, uncompressed form, some upper case: the same addresses.
lines = [ipaddress.IPv6Address(x).exploded if i % 11 == 0 else x.upper() if i % 17 == 0 else x
         for i, x in enumerate(lines)]
listfile = os.path.join(d, "list6.txt")
with open(listfile, "w") as f:
    f.write("# an IPv6 hitlist\n" + "\n".join(lines) + "\n")
bfile = os.path.join(d, "block6.txt")
with open(bfile, "w") as f:
    f.write("2001:2:0:7::/64\n")  # the dense run's /64
blocked = {a for a in addrs if (a >> 64) == (base >> 64) + 7}
c.check(len(blocked) > 1000, f"the blocklist holds part of the list ({len(blocked)} addresses)")
ports = (22, 80, 443)
want = {(a, p) for a in set(addrs) - blocked for p in ports}

for shards, threads in ((1, 1), (2, 3)):
    got = []
    for s in range(shards):
        outs = [os.path.join(d, f"l{shards}-s{s}-t{t}.pcap") for t in range(threads)]
        meta = os.path.join(d, f"l{shards}-s{s}.json")
        p = scan(f"v6l{shards}s{s}", ["-b", bfile, "-p", "22,80,443", "-e", str(seed), "--shards", str(shards),
                                      "--shard", str(s), "-T", str(threads), "-m", meta, "-I", listfile], outs)
        c.eq(p.returncode, 0, f"{shards} shards x {threads} threads, shard {s}: exit status ({p.stderr[-300:]!r})")
        c.check("100000 addresses in 105000 lines (5000 repeated, probed once)" in p.stderr,
                f"stderr says what the list held: {p.stderr[:300]!r}")
        m = tt.metadata(meta)
        c.eq((m["list_lines"], m["list_addresses"], m["address_family"]), (105000, 100000, "ipv6"),
             "metadata: the list's lines, distinct addresses, the family")
        c.eq((m["allowed_addresses"], m["ipv6_list_blocked"]), (100000 - len(blocked), len(blocked)),
             "metadata: allowed addresses = list - blocklist, the blocked ones counted")
        shard_sent = 0
        for o in outs:
            probes = probes_of(o)
            shard_sent += len(probes)
            got += probes
            os.unlink(o)
        c.eq(m["packets_sent"], shard_sent, f"shard {s}: every probe sent is in the captures")
    what = f"{shards} shards x {threads} threads"
    pairs = [(a, p) for a, p, _, _ in got]
    c.eq(len(pairs), len(want), f"{what}: as many probes as targets")
    c.eq(len(pairs), len(set(pairs)), f"{what}: no (address, port) twice")
    c.check(set(pairs) == want, f"{what}: exactly the list x ports minus the blocklist "
            f"({len(set(pairs) - want)} extra, {len(want - set(pairs))} missing)")
    sample = rng.sample(got, 200)
    bad = [g for g in sample if v6.seq(str(ipaddress.IPv6Address(g[0])), g[1]) != g[3]
           or v6.sport(str(ipaddress.IPv6Address(g[0])), g[1]) != g[2]]
    c.eq(bad, [], f"{what}: sequence numbers and source ports are the IPv6 MAC's (200 probes checked)")

# --- prefix windows ---------------------------------------------------------------------------------


def window_probes(name, args):
    out = os.path.join(d, f"{name}.pcap")
    meta = os.path.join(d, f"{name}.json")
    p = scan(name, ["-b", "/dev/null", "-p", "80", "-m", meta] + args, [out])
    c.eq(p.returncode, 0, f"{name}: exit status ({p.stderr[-300:]!r})")
    got = [a for a, _, _, _ in probes_of(out)] if os.path.exists(out) else []
    return got, (tt.metadata(meta) if os.path.exists(meta) else {})


blocks = [base + (b << (128 - 64)) for b in range(1 << 12)]  # the /64s of 2001:2::/52
got, m = window_probes("win1", ["-e", "3", "2001:2::/52-64"])
c.check(sorted(got) == sorted(b | 1 for b in blocks), f"window 2001:2::/52-64: every /64 once, at ::1 ({len(got)} probes)")
got2, _ = window_probes("win2", ["-e", "3", "--iid", "seed", "2001:2::/52-64"])
want2 = sorted(b | tt.window6_iid(3, (b - base) >> 64, 64) for b in blocks)
c.check(sorted(got2) == want2, "window with --iid seed: every /64 once, at the IID the seed gives (Python's SipHash; "
        f"{len(got2)} probes, {len(set(got2) - set(want2))} not as computed)")
c.check(len({a & ((1 << 64) - 1) for a in got2}) > 4000, "the seed's IIDs differ from /64 to /64")
got3, _ = window_probes("win3", ["-e", "4", "--iid", "seed", "2001:2::/52-64"])
c.check(set(got3) != set(got2) and len(set(got3)) == 4096, "another seed: other IIDs, still one per /64")
got4, _ = window_probes("win4", ["-e", "3", "--iid", "::abcd", "2001:2:0:100::/120", "2001:2:1::/48-60"])
want4 = {base + (1 << 72) + i for i in range(256)} | {base + (1 << 80) + (b << 68) + 0xabcd for b in range(4096)}
c.check(len(got4) == len(want4) and set(got4) == want4, "a CIDR (every address) beside a window at a fixed --iid "
        f"({len(got4)} probes, {len(set(got4) - want4)} extra, {len(want4 - set(got4))} missing)")
# A window partly blocklisted: its blocked addresses drawn and skipped, counted; the rest once.
pb = os.path.join(d, "pb.txt")
with open(pb, "w") as f:
    f.write("2001:2:0:800::/53\n")  # the upper half of 2001:2::/52
out = os.path.join(d, "win5.pcap")
meta = os.path.join(d, "win5.json")
p = scan("win5", ["-b", pb, "-p", "80", "-m", meta, "2001:2::/52-64"], [out])
c.eq(p.returncode, 0, f"a window partly blocklisted: exit status ({p.stderr[-300:]!r})")
got5 = [a for a, _, _, _ in probes_of(out)]
c.check(sorted(got5) == sorted(b | 1 for b in blocks[:2048]), f"its unblocked /64s once each, none of the blocked "
        f"({len(got5)} probes)")
c.eq(tt.metadata(meta).get("targets_blocked_live"), 2048, "the blocked ones counted as skipped")

# --- icmp_echoscan: ICMPv6 echo requests ------------------------------------------------------------
out = os.path.join(d, "echo.pcap")
p = scan("echo6", ["-b", "/dev/null", "-M", "icmp_echoscan", "2001:2::/120"], [out])
c.eq(p.returncode, 0, f"icmp_echoscan over 2001:2::/120: exit status ({p.stderr[-300:]!r})")
echoes = [fr for fr in tt.pcap_frames(out) if fr[12:14] == b"\x86\xdd" and fr[20] == 58]
c.eq(len(echoes), 256, "256 ICMPv6 frames")
c.check(sorted(int.from_bytes(fr[38:54], "big") for fr in echoes) == [base + i for i in range(256)], "one per address")
ok = 0
for fr in echoes:
    ident, sq = struct.unpack(">HH", fr[58:62])
    t = v6.tag(str(ipaddress.IPv6Address(fr[38:54])), 0) & 0xFFFFFFFF
    ok += fr[54] == 128 and fr[55] == 0 and len(fr) == 62 and (ident, sq) == (t >> 16, t & 0xFFFF)
c.eq(ok, 256, "each an echo request (type 128) with identifier and sequence number from the tag")

# --- against trawl respond over memif: an IPv6 dataset ---------------------------------------------------
hosts = sorted({base + (rng.randrange(1 << 16) << 64) + rng.randrange(1 << 64) for _ in range(2000)})
pairs = sorted(rng.sample(hosts, 300))            # these get [ADDR]:443 instead of every port
wild = [h for h in hosts if h not in set(pairs)]
prefix = base + (0x99 << 64)                     # 2001:2:0:99::/120, every address live
dead = [base + (0xdead << 64) + i for i in range(500)]
ds_lines = [str(ipaddress.IPv6Address(h)) for h in wild] + [f"[{ipaddress.IPv6Address(h)}]:443" for h in pairs] + \
    [f"{ipaddress.IPv6Address(prefix)}/120", "198.18.0.1"]
scan_list = os.path.join(d, "resp6.txt")
with open(scan_list, "w") as f:
    f.write("".join(f"{ipaddress.IPv6Address(a)}\n" for a in hosts + dead))
want_open = {(h, 80) for h in wild} | {(h, 443) for h in wild} | {(h, 443) for h in pairs} | \
    {(prefix + i, p) for i in range(256) for p in (80, 443)}
ds_text = os.path.join(d, "resp6-ds.txt")
with open(ds_text, "w") as f:
    f.write("\n".join(ds_lines) + "\n")
ds_bin = os.path.join(d, "resp6-ds.bin")
p = tt.run(["respond", "--compile", ds_text, "-o", ds_bin], timeout=60)
c.eq(p.returncode, 0, f"trawl respond --compile of an IPv6 dataset ({p.stderr.strip()[-200:]})")

for form, extra in (("text", []), ("compiled", ["--dataset", ds_bin])):
    lines = ds_lines if form == "text" else []
    with tt.Responder(d, lines, f"resp6-{form}", ports="80,443", extra=extra,
                      mem=512) as resp:
        out, meta = os.path.join(d, f"resp6-{form}.csv"), os.path.join(d, f"resp6-{form}.json")
        p = tt.run(["scan", "--dev", resp.client(), "--eal", tt.eal(f"resp6s-{form}").replace("-m 256", "-m 512"),
                    "-S", SRC, "--gateway-ip", "2001:2:ff::1", "-b", "/dev/null", "-p", "80,443", "-r", "20000",
                    "-c", "1", "-f", "saddr,sport", "--no-header-row", "-o", out, "-m", meta, "-I", scan_list,
                    f"{ipaddress.IPv6Address(prefix)}/120"], timeout=120)
        c.eq(p.returncode, 0, f"respond ({form} dataset): the scan exits 0 ({p.stderr.strip()[-300:]})")
        if form == "text":
            eout, emeta = os.path.join(d, "resp6-echo.csv"), os.path.join(d, "resp6-echo.json")
            p = tt.run(["scan", "--dev", resp.client(), "--eal", tt.eal("resp6e").replace("-m 256", "-m 512"),
                        "-S", SRC, "--gateway-ip", "2001:2:ff::1", "-b", "/dev/null", "-M", "icmp_echoscan",
                        "-r", "20000", "-c", "1", "--no-header-row", "-o", eout, "-m", emeta, "-I", scan_list],
                       timeout=120)
            c.eq(p.returncode, 0, f"respond: icmp_echoscan exits 0 ({p.stderr.strip()[-300:]})")
            with open(eout) as f:
                up = {int(ipaddress.IPv6Address(x.strip())) for x in f if x.strip()}
            em = tt.metadata(emeta)
            c.check(up <= set(hosts) and len(set(hosts) - up) <= em.get("replies_lost", 0),
                    f"respond: echo replies from exactly the live hosts ({len(up)} of {len(hosts)}, none dead)")
    r = resp.report
    c.check(r.get("toolchains", {}).get("trawl", 0) > 0, f"respond attributes IPv6 probes to trawl by their flow "
            f"label's mark ({r.get('toolchains')})")
    m = tt.metadata(meta) if os.path.exists(meta) else {}
    got = set()
    with open(out) if os.path.exists(out) else open(os.devnull) as f:
        for line in f:
            a, port = line.strip().split(",")
            got.add((int(ipaddress.IPv6Address(a)), int(port)))
    lost = m.get("replies_lost", 0) + r.get("dropped_by_reason", {}).get("tx_full", 0)
    c.check(got <= want_open, f"respond ({form}): no result outside the dataset ({len(got - want_open)} extra)")
    c.check(len(want_open - got) <= lost, f"respond ({form}): the open set, short only by what was counted lost "
            f"({len(want_open - got)} missing, {lost} counted)")
    c.eq(m.get("packets_sent"), 2 * (len(hosts) + len(dead) + 256), f"respond ({form}): one probe per target")
    print(f"respond ({form}): {len(got)} of {len(want_open)} open found, {lost} replies counted lost")

# --- tcp_banner over IPv6: the virtual internet's services, found exactly ----------------------------------
svc_hosts = sorted(rng.sample(range(1, 1 << 16), 600))
http6 = [base + (0x51 << 64) + h for h in svc_hosts[:300]]
ssh6 = [base + (0x52 << 64) + h for h in svc_hosts[300:450]]
tls6 = [base + (0x53 << 64) + h for h in svc_hosts[450:550]]
quiet6 = [base + (0x54 << 64) + h for h in svc_hosts[550:]]          # open, no service: nodata
mbox6 = base + (0x55 << 64)                                          # 2001:2:0:55::/124 middlebox
tarpit6 = base + (0x56 << 64)                                        # 2001:2:0:56::/124 middlebox:zerowin
A = lambda x: str(ipaddress.IPv6Address(x))  # noqa: E731
svc_lines = [f"[{A(h)}]:80 http" for h in http6] + [f"[{A(h)}]:22 ssh" for h in ssh6] + \
    [f"[{A(h)}]:443 tls" for h in tls6] + [f"[{A(h)}]:80" for h in quiet6] + \
    [f"{A(mbox6)}/124 middlebox", f"{A(tarpit6)}/124 middlebox:zerowin"]
svc_list = os.path.join(d, "svc6.txt")
dead6 = [base + (0x57 << 64) + i for i in range(100)]
with open(svc_list, "w") as f:
    f.write("".join(f"{A(h)}\n" for h in http6 + ssh6 + tls6 + quiet6 + dead6))
with tt.Responder(d, svc_lines, "svc6-r") as resp:
    for mode, ports, extra_t in (("http", "22,80", [f"{A(mbox6)}/124", f"{A(tarpit6)}/124"]), ("tls", "443", [])):
        out, meta = os.path.join(d, f"b6-{mode}.csv"), os.path.join(d, f"b6-{mode}.json")
        p = tt.run(["scan", "--dev", resp.client(), "--eal", tt.eal(f"b6s-{mode}").replace("-m 256", "-m 512"),
                    "-S", SRC, "-G", GW, "-b", "/dev/null", "-M", "tcp_banner", "--probe-args", mode, "-p", ports,
                    "-r", "20000", "-c", "2", "-f", "saddr,sport,classification,http_server,banner,tls_version",
                    "-o", out, "-m", meta, "-I", svc_list] + extra_t, timeout=120)
        c.eq(p.returncode, 0, f"tcp_banner {mode} over IPv6 exits 0 ({p.stderr.strip()[-300:]})")
        m = tt.metadata(meta) if os.path.exists(meta) else {}
        with open(out) if os.path.exists(out) else open(os.devnull) as f:
            rows = list(__import__("csv").DictReader(f))
        lost = m.get("replies_lost", 0) + m.get("answers_dropped", 0) + m.get("canaries_dropped", 0) + \
            m.get("handshakes_closed_early", 0)
        canary = [int(ipaddress.IPv6Address(r["saddr"])) for r in rows if r["classification"] == "canary"]
        rows = [r for r in rows if r["classification"] != "canary"]
        got = {(int(ipaddress.IPv6Address(r["saddr"])), int(r["sport"])): r for r in rows}
        c.eq(len(got), len(rows), f"tcp_banner {mode}: no row twice")
        # The default canaries (2 an answering address) flag the hosts that answer every port, each once.
        mb = ({mbox6 + i for i in range(16)} | {tarpit6 + i for i in range(16)}) if mode == "http" else set()
        c.eq(len(canary), len(set(canary)), f"tcp_banner {mode}: no address written as canary twice")
        c.check(set(canary) <= mb and len(mb - set(canary)) <= lost, f"tcp_banner {mode}: a canary row for every "
                f"middlebox address and no other ({len(set(canary) - mb)} other, {len(mb - set(canary))} missing)")
        if mode == "http":
            c.check(m.get("canaries_sent", 0) >= 2 * (len(http6) + len(ssh6) + len(quiet6) + 32) - lost,
                    f"tcp_banner http: two canaries for each answering address ({m.get('canaries_sent')})")
            want = {(h, 80): "data" for h in http6} | {(h, 22): "data" for h in ssh6} | \
                {(h, 80): "nodata" for h in quiet6} | \
                {(mbox6 + i, pt): "nodata" for i in range(16) for pt in (22, 80)}
            # the tarpit's zero-window SYN-ACKs are no open port: the default filter leaves them out
        else:
            want = {(h, 443): "data" for h in tls6}
        extra = set(got) - set(want)
        wrong = [k for k in set(got) & set(want) if got[k]["classification"] != want[k]]
        c.eq((len(extra), wrong[:3]), (0, []), f"tcp_banner {mode}: no row outside the dataset, each as it should be")
        c.check(len(set(want) - set(got)) <= lost, f"tcp_banner {mode}: short only by what was counted lost "
                f"({len(set(want) - set(got))} missing, {lost} counted)")
        if mode == "http":
            c.check(all(got[k]["http_server"].startswith("trawl-respond/") for k in got if k[1] == 80 and
                        got[k]["classification"] == "data"), "tcp_banner http: every HTTP service's Server header")
            c.check(all(got[k]["banner"].startswith("SSH-2.0-OpenSSH") for k in got if k[1] == 22 and
                        got[k]["classification"] == "data"), "tcp_banner http: every SSH greeting on port 22")
        else:
            c.check(all(got[k]["tls_version"] == "TLSv1.2" for k in got), "tcp_banner tls: TLS 1.2 from every TLS service")
        print(f"tcp_banner {mode} over IPv6: {len(got)} of {len(want)} rows, {lost} counted lost")
r = resp.report
c.check(r.get("services", {}).get("http", {}).get("answered", 0) >= len(http6) - lost,
        f"the responder counts its IPv6 HTTP first flights ({r.get('services', {}).get('http')})")

# --- --checkpoint over IPv6, against the same responder ---------------------------------------------------
CK_RATE = 4000
ck, ck_out, ck_meta = (os.path.join(d, n) for n in ("ck6.json", "ck6.csv", "ck6m.json"))


def ck_args(resp, lst):
    return [tt.TRAWL, "scan", "--dev", resp.client(), "--eal", tt.eal("ck6s").replace("-m 256", "-m 512"),
            "-S", SRC, "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", "80,443", "-r", str(CK_RATE), "-c", "1",
            "-q", "-f", "saddr,sport", "-o", ck_out, "-m", ck_meta, "--checkpoint", ck, "-I", lst]


with tt.Responder(d, ds_lines, "ck6-r", ports="80,443", mem=512) as resp:
    kills = 0
    for attempt in range(2):
        p = subprocess.Popen(ck_args(resp, scan_list), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        tt.wait_commit(p, ck, attempt + 1)  # this attempt's first commit (30 s at most)
        time.sleep(rng.uniform(0, 0.5))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait(timeout=30)
    c.eq(kills, 2, "--checkpoint: both attempts killed while running")
    p = tt.run(ck_args(resp, scan_list)[1:], timeout=120)
    c.eq(p.returncode, 0, f"--checkpoint: the last attempt runs to the end ({p.stderr.strip()[-300:]})")
    with open(ck) as f:
        state = json.load(f)
    c.check(state["done"], "--checkpoint: the file says the scan is finished")
    with open(ck_out) as f:
        rows = [tuple(x.strip().split(",")) for x in f if x.strip() and not x.startswith("saddr")]
    got = {(int(ipaddress.IPv6Address(a)), int(pt)) for a, pt in rows}
    want_list = {(a, pt) for a, pt in want_open if a in set(hosts)}
    c.eq(len(rows), len(set(rows)), "--checkpoint: no row twice over the attempts")
    c.check(got == want_list, f"--checkpoint: the union of the attempts' rows is the open set exactly "
            f"({len(got - want_list)} extra, {len(want_list - got)} missing)")
    with open(ck_out) as f:
        before = f.read()

    def probes_now():
        """The responder's probe count so far: its report on SIGUSR1 (bounded wait for the new one)."""
        try:
            os.unlink(resp.report_path)
        except FileNotFoundError:
            pass
        resp.proc.send_signal(signal.SIGUSR1)
        for _ in range(100):
            try:
                with open(resp.report_path) as f:
                    return json.load(f)["probes"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        return None

    n0 = probes_now()
    p = tt.run(ck_args(resp, scan_list)[1:], timeout=60)
    c.eq(p.returncode, 0, "--checkpoint: a finished scan run again exits 0")
    n1 = probes_now()
    c.check(n0 is not None and n0 == n1, f"--checkpoint: a finished scan run again sends nothing ({n0} -> {n1} probes)")
    c.check("finished" in p.stderr, f"--checkpoint: it says the scan is finished ({p.stderr.strip()!r})")
    with open(ck_out) as f:
        c.check(f.read() == before, "--checkpoint: the output is untouched")
    other = os.path.join(d, "other6.txt")
    with open(other, "w") as f:
        f.write("2001:2::1\n")
    p = tt.run(ck_args(resp, other)[1:], timeout=60)
    c.eq(p.returncode, 2, "--checkpoint: a list of other content is another scan: exit 2")
    c.check("another scan" in p.stderr, f"it says so: {p.stderr.strip()!r}")
targets = 2 * (len(hosts) + len(dead))
probes = resp.report.get("probes", 0)
c.check(probes <= targets + 2 * CK_RATE, f"--checkpoint: probes over every attempt at most the targets and a "
        f"second's worth per kill ({probes} for {targets} targets)")

# -S and --gateway-ip once per family, also as one comma list (a YAML list joined): the IPv6 ones serve.
p = tt.run(["scan", "--dev", "net_null0", "-S", f"198.19.0.2,{SRC}", "--gateway-ip", "198.19.0.1",
            "--gateway-ip", "2001:2:ff::1", "-b", "/dev/null", "--dryrun", "2001:2::/120"], timeout=60)
c.eq((p.returncode, p.stdout.strip()), (0, "256"), f"-S for both families, IPv6 targets: 256 targets ({p.stderr.strip()!r})")

# --- refusals ---------------------------------------------------------------------------------------
base_args = ["scan", "--dev", "net_null0", "--eal", tt.eal("v6r"), "-G", GW, "-c", "0", "-q"]
for extra, why in ((["-S", SRC, "-b", "/dev/null", "2001:2::/48-56", "2001:2:0:100::/56-64"], "overlap"),
                   (["-S", SRC, "-b", "/dev/null", "2001:2::/64"], "holds 2^64 addresses"),
                   (["-S", SRC, "2001:2::/120"], "inside the blocklist"),
                   (["-S", SRC, "-b", "/dev/null", "-M", "udp", "-p", "53", "--probe-args", "hex:" + "00" * 1453,
                     "2001:2::1"], "at most 1452"),
                   (["-S", SRC, "-b", "/dev/null", "-M", "tcp_banner", "--probe-args", "hex:" + "00" * 1441,
                     "2001:2::1"], "at most 1440"),
                   (["-S", SRC, "-S", "198.19.0.2", "-b", "/dev/null", "2001:2::1", "198.18.0.1"],
                    "IPv4 and IPv6 targets in one scan"),
                   (["-S", "198.19.0.2", "-b", "/dev/null", "2001:2::1"], "need an IPv6 source"),
                   (["-S", SRC, "-S", "2001:2:ff::3", "-b", "/dev/null", "2001:2::1"], "given twice for IPv6"),
                   (["-S", SRC, "-b", "/dev/null", "--iid", "::1:0:0:0:0", "2001:2::/48-64"], "does not fit")):
    p = tt.run(base_args + extra, timeout=60)
    c.eq(p.returncode, 2, f"{extra[2:]}: exit 2")
    c.check(why in p.stderr, f"it says {why!r}: {p.stderr!r}")
c.done()
