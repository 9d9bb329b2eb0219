#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live counters during a real run: trawl scan against trawl respond over
net_memif, both with --metrics-file, both read through DPDK telemetry with
dpdk-telemetry.py (/trawl/scan, /trawl/respond) while the scan sends.

The scan is 2^17 targets at 2000 pps (over a minute of sending), so it is
still sending when the test has seen its counters move; the test then ends
it with SIGINT. Bounded by what is guaranteed, not by how fast this VM is:
the loops wait for a change (60 s at most), never for a count at a time.

Checks: the telemetry dicts and the files move while the scan runs (a later
read says more than an earlier one), never go back, and never pass the
final figures; in the cooldown, /trawl/scan's send counters are the
metadata's; the files parse as Prometheus text (prometheus_client's own
parser) with HELP and TYPE for every family; the scan's last file says what
its metadata says, key for key, in phase "done"; the responder's last file
says what its report says; a --metrics-file that cannot be written is a
warning and the scan still exits 0; the scan runs as nobody and the file is
written all the same (the keeper)."""
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
os.chmod(d, 0o700)  # only root may write here: the scan (nobody) writes through the keeper
TELEMETRY = "/usr/bin/dpdk-telemetry.py"

# The metadata key behind each Prometheus name of the scan (core/metric_names.c).
SCAN_KEYS = {
    "trawl_targets": "targets",
    "trawl_targets_scanned_total": "targets_scanned",
    "trawl_packets_sent_total": "packets_sent",
    "trawl_frames_received_total": "frames_received",
    "trawl_replies_valid_total": "replies_valid",
    "trawl_validation_failed_total": "validation_failed",
    "trawl_results_total": "results",
    "trawl_results_written_total": "results_written",
    "trawl_replies_lost_total": "replies_lost",
    "trawl_port_rx_missed_total": "port_rx_missed",
    "trawl_targets_blocked_live_total": "targets_blocked_live",
    "trawl_blocklist_reloads_total": "blocklist_reloads",
}
PHASES = ["link", "arp", "send", "cooldown", "drain", "done"]
TOOLCHAINS = ["zmap", "masscan", "unicornscan", "nmap", "trawl", "unknown"]


def prefix_of(args):
    eal = args[args.index("--eal") + 1].split()
    return eal[eal.index("--file-prefix") + 1]


def telemetry(prefix, cmd):
    """One command through dpdk-telemetry.py; its dict, or None while the command is not there yet."""
    try:
        p = subprocess.run([TELEMETRY, "-f", prefix], input=cmd + "\n", capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None
    for line in p.stdout.splitlines():
        try:
            v = json.loads(line).get(cmd)
        except ValueError:
            continue
        if isinstance(v, dict) and v:
            return v
    return None


def prom(path):
    """{name or name{label}: value} of a metrics file, parsed by prometheus_client; None if absent."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        return None
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            key = s.name + "".join(f"{{{k}={v}}}" for k, v in sorted(s.labels.items()))
            out[key] = s.value
    return out, text


def well_formed(text, what):
    """Every sample's family has HELP and TYPE before it, each family once."""
    seen, helped, typed, ok = set(), set(), set(), True
    for line in text.splitlines():
        m = re.match(r"# (HELP|TYPE) (\S+) ", line)
        if m:
            (helped if m.group(1) == "HELP" else typed).add(m.group(2))
            ok &= m.group(2) not in seen
            continue
        name = re.split(r"[{ ]", line, 1)[0]
        ok &= name in helped and name in typed
        seen.add(name)
    c.check(ok and text.endswith("\n"), f"{what}: HELP and TYPE once before each family's samples")


def watch(name, read, key, alive, timeout=60):
    """Read until key has been seen at two values, while alive(); the values seen, in order."""
    seen, t0 = [], time.monotonic()
    while time.monotonic() - t0 < timeout and alive():
        v = read()
        if v is not None and key in v:
            if not seen or v[key] != seen[-1]:
                seen.append(v[key])
            if len(seen) >= 3 or (len(seen) == 2 and seen[0] != 0):
                break
        time.sleep(0.2)
    c.check(len(seen) >= 2, f"{name}: {key} moves during the run ({seen})")
    return seen


# 2^17 hosts, one in 16 open on port 80 (so results move too).
hosts = [f"198.18.{i >> 8}.{i & 255}:80" for i in range(0, 1 << 16, 16)]
scan_prom, scan_meta = os.path.join(d, "scan.prom"), os.path.join(d, "scan.json")
resp_prom = os.path.join(d, "respond.prom")
with tt.Responder(d, hosts, "metrics-r", extra=["--metrics-file", resp_prom]) as resp:
    rprefix = prefix_of(resp.args)
    args = ["scan", "--dev", resp.client(), "--eal", tt.eal("metrics-s").replace("-m 256", "-m 512") + " -l 0",
            "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", "80", "-r", "2000", "-c", "3",
            "-q", "-o", os.path.join(d, "out.csv"), "-m", scan_meta, "--metrics-file", scan_prom, "198.18.0.0/15"]
    sprefix = prefix_of(args)
    proc = subprocess.Popen([tt.TRAWL] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def scanning():
        return proc.poll() is None

    tel = watch("telemetry /trawl/scan", lambda: telemetry(sprefix, "/trawl/scan"), "packets_sent", scanning)
    snap = telemetry(sprefix, "/trawl/scan") or {}
    c.check(set(SCAN_KEYS.values()) <= set(snap) and all(f"phase_{p}" in snap for p in PHASES),
            f"/trawl/scan has every counter ({sorted(snap)})")
    c.eq(snap.get("phase_send"), 1, "/trawl/scan: in phase send while sending")
    mid = prom(scan_prom)
    files = watch("--metrics-file (scan)", lambda: (prom(scan_prom) or [{}])[0], "trawl_packets_sent_total", scanning)
    rtel = watch("telemetry /trawl/respond", lambda: telemetry(rprefix, "/trawl/respond"), "probes", scanning)
    rfiles = watch("--metrics-file (respond)", lambda: (prom(resp_prom) or [{}])[0], "trawl_respond_probes_total",
                   scanning)
    with open(f"/proc/{proc.pid}/status") as f:
        uid = [x.split()[2] for x in f if x.startswith("Uid:")]
    c.check(uid and uid[0] != "0", f"the scan runs unprivileged while it writes its metrics (euid {uid})")
    c.check(scanning(), "the scan was still sending when its counters had moved (2^17 targets at 2000 pps)")
    proc.send_signal(signal.SIGINT)
    # Sending stops; in the cooldown (3 s: rows at least twice) every send counter is final.
    cooling = None
    t0 = time.monotonic()
    while cooling is None and scanning() and time.monotonic() - t0 < 30:
        v = telemetry(sprefix, "/trawl/scan")
        if v is not None and v.get("phase_cooldown") == 1:
            cooling = v
        time.sleep(0.1)
    out, err = tt.wait_bounded(proc, 60)
    c.eq(proc.returncode, 0, f"scan ends 0 on SIGINT ({err.strip()[-300:]})")

meta = tt.metadata(scan_meta)
last = prom(scan_prom)
c.check(last is not None, "the scan's metrics file is there at the end")
if last is not None:
    vals, text = last
    well_formed(text, "scan metrics file")
    for name, key in SCAN_KEYS.items():
        c.eq(vals.get(name), meta.get(key), f"last metrics file: {name} == metadata {key}")
    c.eq([vals.get(f"trawl_scan_phase{{phase={p}}}") for p in PHASES], [0, 0, 0, 0, 0, 1], "last file: phase done")
    c.check(vals.get("trawl_scan_elapsed_seconds", 0) > 0, "last file: elapsed seconds")
    c.check(0 < meta.get("results", 0) < meta.get("packets_sent", 0), f"results moved too ({meta.get('results')})")
    if cooling is not None:
        for key in ("packets_sent", "targets_scanned", "targets"):
            c.eq(cooling.get(key), meta.get(key), f"/trawl/scan in the cooldown: {key} is the metadata's")
    else:
        print("the cooldown went by between two reads of /trawl/scan: its final send counters not compared")
    for what, seen in (("telemetry", tel), ("file", files)):
        c.check(seen == sorted(seen) and seen[-1] <= meta["packets_sent"],
                f"{what}: packets_sent never goes back nor past the final {meta['packets_sent']} ({seen})")
# The MAC the run used: AES-NI where this CPU has the AES instructions, said in the metadata.
with open("/proc/cpuinfo") as f:
    aes = any(x.startswith("flags") and " aes " in f" {x.split(':', 1)[1].strip()} " for x in f)
c.eq(meta.get("validation_mac"), "aes-128 aes-ni" if aes else "aes-128 portable", "metadata: the validation MAC")
# Where the cycles went (issue 23): every role counted, per-item figures as the metadata's own
# quotients, and (every role on one lcore, -l 0) no more cycles accounted than the run lasted.
cy = meta.get("cycles", {})
roles = ["tx", "rx", "writer", "control"]
c.check(all(cy.get(r, {}).get("busy", 0) > 0 for r in roles), f"cycles: every role has busy cycles ({cy})")
if all(r in cy for r in roles):
    c.eq(cy["tx"]["per_probe"], round(cy["tx"]["busy"] / meta["packets_sent"]), "cycles per probe = TX busy / probes")
    c.eq(cy["rx"]["per_frame"], round(cy["rx"]["busy"] / meta["frames_received"]), "cycles per frame = RX busy / frames")
    total = sum(cy[r]["busy"] + cy[r]["idle"] for r in roles)
    def secs(iso):
        return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    # Whole seconds: the run lasted less than end - start + 1.
    run_ticks = cy["tsc_hz"] * (secs(meta["end_time"]) - secs(meta["start_time"]) + 1)
    c.check(0 < total <= run_ticks, f"cycles accounted ({total}) within the run's ({run_ticks:.0f}, one lcore)")
    snd = cy.get("sending", {})
    c.check(all(0 < snd.get(r, {}).get("busy", 0) <= cy[r]["busy"] for r in ("tx", "rx", "writer")),
            f"cycles while sending: every role's, no more than the run's ({snd})")
    if last is not None:
        vals = last[0]
        c.eq([vals.get(f"trawl_role_busy_cycles_total{{role={r}}}") for r in roles], [cy[r]["busy"] for r in roles],
             "last metrics file: busy cycles by role == metadata")
if mid is not None:
    well_formed(mid[1], "scan metrics file mid-run")
rep = resp.report
rlast = prom(resp_prom)
c.check(rlast is not None, "the responder's metrics file is there at the end")
if rlast is not None:
    vals, text = rlast
    well_formed(text, "respond metrics file")
    for name, key in (("trawl_respond_probes_total", "probes"), ("trawl_respond_answered_total", "answered"),
                      ("trawl_respond_dropped_total", "dropped"), ("trawl_respond_frames_total", "frames")):
        c.eq(vals.get(name), rep.get(key), f"respond's last file: {name} == report {key}")
    for tc in TOOLCHAINS:
        c.eq(vals.get(f"trawl_respond_toolchain_probes_total{{toolchain={tc}}}"), rep.get("toolchains", {}).get(tc),
             f"respond's last file: toolchain {tc}")
    c.check(vals.get("trawl_respond_toolchain_probes_total{toolchain=trawl}", 0) > 0, "the probes were trawl's")
    c.check(rtel == sorted(rtel) and rtel[-1] <= rep.get("probes", 0), f"/trawl/respond never goes back ({rtel})")
    c.check(rfiles == sorted(rfiles), f"respond's file never goes back ({rfiles})")

# A file that cannot be written: said once, the scan goes on and ends 0.
p = tt.run(["scan", "--dev", "net_null0", "--eal", tt.eal("metrics-bad"), "-S", "198.19.0.2", "-G", "02:00:00:00:00:01",
            "-b", "/dev/null", "-p", "80", "-r", "0", "-c", "0", "-q", "-o", "/dev/null",
            "--metrics-file", os.path.join(d, "no-such-dir", "x.prom"), "198.18.0.0/24"], timeout=120)
c.eq(p.returncode, 0, f"an unwritable --metrics-file: exit 0 ({p.stderr.strip()[-300:]})")
c.check("--metrics-file" in p.stderr and "no-such-dir" in p.stderr, "an unwritable --metrics-file: said")
c.done()
