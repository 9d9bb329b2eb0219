#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The blocklist applied live, over net_pcap (every probe the port took, in
the order it took them: nothing lost, nothing reordered):
- `trawl optout add` mid-scan appends the prefix and signals the scan
  (found through its registry entry); the scan says after how many probes
  the new list took effect, and no probe past that many goes to an address
  it blocks; every other target is probed exactly once; the metadata counts
  the targets skipped and the reload.
- a bad blocklist on SIGHUP keeps the old one, says file:line, and the scan
  ends normally with every target probed once.
- a --checkpoint scan stopped by SIGINT and resumed with a grown blocklist
  goes on: the two runs together probe every target still allowed exactly
  once and nothing newly blocked after the reload; a shrunk blocklist is
  refused (exit 2).
- `trawl optout add` run concurrently (12 writers x 5 adds) loses no line,
  and a reader never sees a partial file; no temporary file is left.
- `trawl campaign run` passes SIGHUP on to the scan it runs, which reloads,
  and the run completes (a SIGHUP is no stop).
- IPv6: a SIGHUP adding IPv6 prefixes over part of a -I list and part of a
  prefix window: no probe past the said count goes into them, every other
  target once; --checkpoint resumed with grown IPv6 lines skips them from
  the first probe, with shrunk ones is refused.
Timing is never what the checks rest on: a signal that lands early or late
only moves the count the scan reports, and the checks follow that count."""
import ipaddress
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402
from scapy.all import IP, IPv6, TCP, PcapReader  # noqa: E402

GW = "02:00:00:00:00:01"
c = tt.Checks()
d = tt.tmpdir()
os.chmod(d, 0o755)  # the scan reads its blocklist again after dropping root
run_dir = os.path.join(d, "run")
env = dict(os.environ, TRAWL_RUN_DIR=run_dir)
TARGET = "198.18.0.0/16"
FIRST = ipaddress.ip_network("198.18.1.0/25")     # blocked from the start
OPTOUT = ipaddress.ip_network("198.18.128.0/17")  # half the targets, opted out mid-scan
BASE = set(ipaddress.ip_network(TARGET)) - set(FIRST)
LATE = set(OPTOUT)


def probes(path):
    """(destination, index in the port's order) of every SYN in the capture."""
    out = []
    with PcapReader(path) as r:
        for i, p in enumerate(r):
            if IP in p and TCP in p and p[TCP].flags == "S":
                out.append(p[IP].dst)
    return out


def start(name, block, rate, extra=()):
    pcap = os.path.join(d, f"{name}.pcap")
    meta = os.path.join(d, f"{name}.json")
    args = [tt.TRAWL, "scan", "--dev", f"net_pcap0,tx_pcap={pcap}", "--eal", tt.eal(name) + " -l 0",
            "-S", "198.19.0.2", "-G", GW, "-b", block, "-p", "80", "-r", str(rate), "-c", "0", "-T", "1",
            "-m", meta, "-q"] + list(extra) + [TARGET]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return proc, pcap, meta


def wait_sending(proc, pcap, nbytes=60000, limit=30):
    """Until the capture holds some probes (libpcap writes in buffered blocks), bounded."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if os.path.exists(pcap) and os.path.getsize(pcap) >= nbytes:
            return True
        time.sleep(0.05)
    return False


def reload_count(err):
    m = re.search(r"after the first (\d+) probes, none goes to them", err)
    return int(m.group(1)) if m else None


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# 1. trawl optout mid-scan: the scan is told, and the capture obeys the count it says.
block = os.path.join(d, "block.txt")
write(block, f"# test blocklist\n{FIRST}\n")
proc, pcap, meta = start("optout", block, 12000)
c.require(wait_sending(proc, pcap), "the scan is sending")
opt = subprocess.run([tt.TRAWL, "optout", "add", str(OPTOUT), "--note", "test: asked by mail, ticket 7", "-b", block],
                     capture_output=True, text=True, env=env, timeout=30)
c.eq(opt.returncode, 0, "optout add exits 0")
c.check(f"told 1 running scan to read it again: {proc.pid}" in opt.stdout, f"optout signalled the scan ({opt.stdout!r})")
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, "the scan ends normally")
n = reload_count(err)
c.require(n is not None, f"the reload is said with its probe count ({err!r})")
sent = probes(pcap)
late = [i for i, a in enumerate(sent) if ipaddress.ip_address(a) in LATE and i >= n]
c.eq(late[:3], [], f"no probe to the opted-out prefix after the first {n}")
seen = {}
for a in sent:
    seen[a] = seen.get(a, 0) + 1
c.eq(max(seen.values()), 1, "no target probed twice")
want = {str(a) for a in BASE - LATE} | {a for a in sent[:n] if ipaddress.ip_address(a) in LATE}
c.eq(set(seen), want, "probed = every target outside the opt-out, and the opted-out ones only before the reload")
m = tt.metadata(meta)
c.eq(m["blocklist_reloads"], 1, "metadata blocklist_reloads")
c.eq(m["blocklist_reloads_failed"], 0, "metadata blocklist_reloads_failed")
c.eq(m["targets_blocked_live"], len(BASE) - len(sent), "metadata targets_blocked_live = the targets not probed")
c.check(m["targets_blocked_live"] > 0, "the opt-out took targets out")
listed = subprocess.run([tt.TRAWL, "optout", "list", "-b", block], capture_output=True, text=True, timeout=30)
c.check(re.fullmatch(r"198\.18\.128\.0/17\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\ttest: asked by mail, ticket 7\n",
                     listed.stdout) is not None, f"optout list ({listed.stdout!r})")

# 2. A bad file on SIGHUP: the old list stays, file:line said, the scan goes on to its normal end.
write(block, f"{FIRST}\n")
proc, pcap, meta = start("bad", block, 20000)
c.require(wait_sending(proc, pcap), "the scan is sending")
write(block, f"{FIRST}\n198.18.300.0/24\n{OPTOUT}\n")
proc.send_signal(signal.SIGHUP)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, "the scan ends normally after a bad reload")
c.check(f"{block}:2:" in err and "the one in force stays" in err, f"the bad line is named ({err!r})")
sent = probes(pcap)
c.eq(len(sent), len(BASE), "every target probed (the old list stayed)")
c.eq(set(sent), {str(a) for a in BASE}, "exactly the targets of the old list")
m = tt.metadata(meta)
c.eq((m["blocklist_reloads"], m["blocklist_reloads_failed"], m["targets_blocked_live"]), (0, 1, 0),
     "metadata: one reload refused, nothing skipped")

# 3. --checkpoint: stopped, the blocklist grown, resumed: exact for what is still allowed.
write(block, f"{FIRST}\n")
ck = os.path.join(d, "ck.json")
res = os.path.join(d, "res.csv")
ckargs = ["--checkpoint", ck, "-o", res]
proc, pcap1, _ = start("ck1", block, 12000, ckargs)
c.require(wait_sending(proc, pcap1), "the first attempt is sending")
proc.send_signal(signal.SIGINT)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, "the first attempt ends on SIGINT")
first = probes(pcap1)
c.check(0 < len(first) < len(BASE), f"the first attempt was cut ({len(first)} of {len(BASE)})")
# Shrunk: an address the scan started without is no longer blocked: refused, nothing sent.
write(block, "198.18.1.0/26\n")
shrunk = subprocess.run([tt.TRAWL, "scan", "--dev", f"net_pcap0,tx_pcap={os.path.join(d, 'shrunk.pcap')}",
                         "--eal", tt.eal("shrunk") + " -l 0", "-S", "198.19.0.2", "-G", GW, "-b", block, "-p", "80",
                         "-r", "0", "-c", "0", "-q"] + ckargs + [TARGET],
                        capture_output=True, text=True, env=env, timeout=60)
c.eq(shrunk.returncode, 2, "a shrunk blocklist is refused")
c.check("no longer blocks 64 target addresses" in shrunk.stderr, f"and said why ({shrunk.stderr!r})")
write(block, f"{FIRST}\n{OPTOUT}\n")
proc, pcap2, meta2 = start("ck2", block, 0, ckargs)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, "the resumed attempt ends normally")
second = probes(pcap2)
c.eq([a for a in second if ipaddress.ip_address(a) in LATE][:3], [], "nothing newly blocked probed on resume")
both = first + second
c.eq(len(both), len(set(both)), "no target probed twice over both attempts")
want = {str(a) for a in BASE - LATE} | {a for a in first if ipaddress.ip_address(a) in LATE}
c.eq(set(both), want, "both attempts together: every target still allowed")
c.eq(tt.metadata(meta2)["targets_blocked_live"], len(LATE - {ipaddress.ip_address(a) for a in first}),
     "metadata of the resume: the newly blocked targets not yet probed")

# 4. Concurrent opt-outs: every line kept, every read whole.
conc = os.path.join(d, "conc.conf")
write(conc, "# concurrent\n")
script = ("for i in 1 2 3 4 5; do \"$0\" optout add 198.18.$1.$i --note \"writer $1 line $i\" -b \"$2\" >/dev/null "
          "|| exit 1; done")
writers = [subprocess.Popen(["sh", "-c", script, tt.TRAWL, str(w), conc], env=env) for w in range(12)]
partial = 0
reads = 0
deadline = time.monotonic() + 60
while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
    with open(conc) as f:
        text = f.read()
    reads += 1
    if not text.endswith("\n") or not text.startswith("# concurrent\n"):
        partial += 1
for w in writers:
    tt.wait_bounded(w, 60)
c.eq([w.returncode for w in writers], [0] * 12, "every writer succeeded")
c.eq(partial, 0, f"no partial file seen in {reads} reads")
with open(conc) as f:
    lines = f.read().splitlines()
want = {f"198.18.{w}.{i}/32" for w in range(12) for i in range(1, 6)}
c.eq(sorted(x.split(" ")[0] for x in lines[1:]), sorted(want), "all 60 opt-outs kept, each once")
c.eq([x for x in os.listdir(d) if x.startswith("conc.conf.")], [], "no temporary file left")

# 5. The campaign passes SIGHUP on: its scan reloads, and the run is not "interrupted".
write(block, f"{FIRST}\n")
state = os.path.join(d, "state")
pcap = os.path.join(d, "camp.pcap")
cfile = os.path.join(d, "camp.yaml")
write(cfile, "\n".join([
    "name: hup", 'schedule: "*-*-* 02:00:00"', f"state-dir: {state}", "defaults:",
    f'  dev: "net_pcap0,tx_pcap={pcap}"', f'  eal: "{tt.eal("camp")} -l 0"', "  source-ip: 198.19.0.2",
    f'  gateway-mac: "{GW}"', f"  blocklist-file: {block}", "  rate: 12000", "  cooldown-time: 0",
    "scans:", "  - name: web", "    target-ports: [80]", f"    targets: [{TARGET}]"]) + "\n")
proc = subprocess.Popen([tt.TRAWL, "campaign", "run", cfile], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        text=True, env=env)
c.require(wait_sending(proc, pcap), "the campaign's scan is sending")
write(block, f"{FIRST}\n{OPTOUT}\n")
proc.send_signal(signal.SIGHUP)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, f"the campaign run completes after a SIGHUP ({err[-300:]!r})")
n = reload_count(err)
c.check(n is not None, "the campaign's scan reloaded its blocklist")
if n is not None:
    sent = probes(pcap)
    c.eq([i for i, a in enumerate(sent) if ipaddress.ip_address(a) in LATE and i >= n][:3], [],
         "no probe to the new prefix after the campaign's scan reloaded")

# 6. IPv6: the same over a -I list (one address in each of 8192 /64s) and a window (a /114 as CIDR).
def probes6(path):
    with PcapReader(path) as r:
        return [ipaddress.IPv6Address(p[IPv6].dst) for p in r if IPv6 in p and TCP in p and p[TCP].flags == "S"]


LIST6 = [ipaddress.IPv6Address(f"2001:2:2:{n:x}::1") for n in range(8192)]
WIN6 = ipaddress.ip_network("2001:2:1::/114")
FIRST6 = ipaddress.ip_network("2001:2:2:100::/56")        # 256 listed addresses, blocked from the start
LATE6 = [ipaddress.ip_network("2001:2:2:1000::/52"),       # 4096 listed addresses
         ipaddress.ip_network("2001:2:1::2000/115")]       # half the window
BASE6 = {a for a in LIST6 if a not in FIRST6} | set(WIN6)
late6 = {a for a in BASE6 if any(a in n for n in LATE6)}
list6 = os.path.join(d, "list6.txt")
write(list6, "".join(f"{a}\n" for a in LIST6))


def start6(name, block, rate, extra=()):
    pcap = os.path.join(d, f"{name}.pcap")
    meta = os.path.join(d, f"{name}.json")
    args = [tt.TRAWL, "scan", "--dev", f"net_pcap0,tx_pcap={pcap}", "--eal", tt.eal(name) + " -l 0",
            "-S", "2001:2:ff::2", "-G", GW, "-b", block, "-p", "80", "-r", str(rate), "-c", "0", "-T", "1",
            "-m", meta, "-q", "-I", list6] + list(extra) + [str(WIN6)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env), pcap, meta


write(block, f"{FIRST}\n{FIRST6}\n")
proc, pcap, meta = start6("hup6", block, 8000)
c.require(wait_sending(proc, pcap), "the IPv6 scan is sending")
write(block, f"{FIRST}\n{FIRST6}\n" + "".join(f"{n}\n" for n in LATE6))
proc.send_signal(signal.SIGHUP)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, f"the IPv6 scan ends normally ({err[-300:]!r})")
n = reload_count(err)
c.require(n is not None, f"the IPv6 reload is said with its probe count ({err!r})")
c.check("2 of them IPv6 prefixes" in err or "3 of them IPv6 prefixes" in err, f"... and its IPv6 prefixes ({err!r})")
sent = probes6(pcap)
c.eq([str(a) for i, a in enumerate(sent) if a in late6 and i >= n][:3], [],
     f"IPv6: no probe into the new prefixes after the first {n}")
c.eq(len(sent), len(set(sent)), "IPv6: no target probed twice")
c.eq(set(sent), (BASE6 - late6) | {a for a in sent[:n] if a in late6},
     "IPv6: probed = every target outside the new prefixes, and those in them only before the reload")
m = tt.metadata(meta)
c.eq((m["blocklist_reloads"], m["targets_blocked_live"]), (1, len(BASE6) - len(sent)),
     "IPv6 metadata: one reload, targets_blocked_live = the targets not probed")
c.check(m["targets_blocked_live"] > 0 and n < len(sent), "IPv6: the reload came mid-scan and took targets out")
c.eq(m["ipv6_list_blocked"], 256, "IPv6: the listed addresses blocked from the start were taken out first")

# --checkpoint: grown IPv6 lines skipped from the resume's first probe; shrunk ones refused.
write(block, f"{FIRST}\n{FIRST6}\n")
ck6 = os.path.join(d, "ck6.json")
ckargs6 = ["--checkpoint", ck6, "-o", os.path.join(d, "res6.csv")]
proc, pcap1, _ = start6("ck6a", block, 8000, ckargs6)
c.require(wait_sending(proc, pcap1), "the first IPv6 attempt is sending")
proc.send_signal(signal.SIGINT)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, "the first IPv6 attempt ends on SIGINT")
first6 = probes6(pcap1)
c.check(0 < len(first6) < len(BASE6), f"the first IPv6 attempt was cut ({len(first6)} of {len(BASE6)})")
write(block, f"{FIRST}\n2001:2:2:100::/57\n")
p = subprocess.run(start6("ck6-shrunk", block, 0, ckargs6)[0].args, capture_output=True, text=True, env=env,
                   timeout=60)
c.eq(p.returncode, 2, "IPv6: a shrunk blocklist is refused on resume")
c.check("IPv6 lines no longer block" in p.stderr, f"... and said why ({p.stderr.strip()!r})")
write(block, f"{FIRST}\n{FIRST6}\n" + "".join(f"{n}\n" for n in LATE6))
proc, pcap2, meta2 = start6("ck6b", block, 0, ckargs6)
out, err = tt.wait_bounded(proc, 60)
c.eq(proc.returncode, 0, f"the resumed IPv6 attempt ends normally ({err[-300:]!r})")
second6 = probes6(pcap2)
c.eq([str(a) for a in second6 if a in late6][:3], [], "IPv6: nothing in the grown lines probed on resume")
both6 = first6 + second6
c.eq(len(both6), len(set(both6)), "IPv6: no target probed twice over both attempts")
c.eq(set(both6), (BASE6 - late6) | {a for a in first6 if a in late6}, "IPv6: both attempts, every target still allowed")
c.eq(tt.metadata(meta2)["targets_blocked_live"], len(late6 - set(first6)),
     "IPv6 metadata of the resume: the newly blocked targets not yet probed")
c.done()
