#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""trawl campaign end to end, against trawl respond over net_memif.

1. Three runs of a two-scan campaign (web: ports 80,443; ssh: port 22, over
   198.18.0.0/20), the responder's dataset changed between runs (hosts
   added, hosts removed, a port closed): each scan's results.csv equals the
   dataset's ground truth, new.csv/gone.csv equal what changed, and
   run.json, campaign.db, `status --json` and `diff --json` agree. keep: 2
   prunes the first run after the third; after-run is called with each run.
2. A slower campaign killed with SIGKILL in the middle of its second run;
   a second `run` while it goes exits 1 at once; status says running, then
   interrupted; `run` again completes the same RUN_ID with the ground
   truth, no row twice, the first run's files untouched.
3. A full filesystem (a 4 MiB tmpfs as the state directory, filled): exit
   non-zero with the reason on the last line, the run stays partial, the
   earlier run intact.
4. Bad files exit 2 naming file:line:column; install --dry-run prints units
   that systemd-analyze verify accepts (where systemd is installed).
5. An IPv6 campaign (2001:2::/116 and a listed address outside it, the
   dataset changing between three runs): results, new.csv and gone.csv
   exact, run.json's counts, `diff --json` in RFC 5952 text, and keys6.bin
   beside keys.bin."""
import fcntl
import hashlib
import ipaddress
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
rng = random.Random(1234)
BASE = tt.ip2int("198.18.0.0")


def addr(i):
    return str(ipaddress.ip_address(BASE + i))


# Each responder listens on a socket of its own name; moved to `sock`, the path every campaign file names.
def campaign(path, name, state, sock, rate, keep=None, after=None, nets="198.18.0.0/20", source="198.19.0.2"):
    lines = [f"name: {name}", 'schedule: "*-*-* 02:00:00"', f"state-dir: {state}"]
    if keep:
        lines.append(f"keep: {keep}")
    lines += ["defaults:",
              f'  dev: "net_memif0,role=client,socket={sock},socket-abstract=no"',
              f'  eal: "{tt.eal(name + "-s")} -l 0"',
              f"  source-ip: {source}",
              '  gateway-mac: "02:00:00:00:00:01"',
              "  blocklist-file: /dev/null",
              f"  rate: {rate}",
              "  cooldown-time: 1",
              "scans:",
              "  - name: web",
              "    target-ports: [80, 443]",
              f"    targets: [{nets}]",
              "  - name: ssh",
              "    target-ports: [22]",
              f"    targets: [{nets}]",
              "    output-fields: [classification]"]
    if after:
        lines.append(f'after-run: "{after}"')
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def camp(*args, timeout=300):
    return subprocess.run([tt.TRAWL, "campaign", *args], capture_output=True, text=True, timeout=timeout)


def read_pairs(path, header=True):
    with open(path) as f:
        rows = [x.rstrip("\n") for x in f]
    if header:
        c.eq(rows[0].split(",")[:2], ["saddr", "sport"], f"{path}: header saddr,sport first")
        rows = rows[1:]
    pairs = [tuple(r.split(",")[:2]) for r in rows if r]
    return [(a, int(p)) for a, p in pairs]


def truth(ds, ports):
    return {(a, p) for a, p in ds if p in ports}


def run_dirs(state):
    return sorted(os.listdir(os.path.join(state, "runs")))


def file_hashes(root):
    out = {}
    for dp, _, fs in os.walk(root):
        for f in fs:
            with open(os.path.join(dp, f), "rb") as fh:
                out[os.path.relpath(os.path.join(dp, f), root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def wait_unlocked(state, limit=15):
    end = time.time() + limit
    while time.time() < end:
        with open(os.path.join(state, "lock")) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pass
        time.sleep(0.1)
    return False


# --- 1: three runs, the dataset changing ------------------------------------
sock = os.path.join(d, "r.sock")
state = os.path.join(d, "state")
hook_log = os.path.join(d, "hook.log")
cfile = os.path.join(d, "c.yaml")
campaign(cfile, "camp", state, sock, 20000, keep=2, after=f"echo {{run_dir}} >> {hook_log}")

hosts = rng.sample(range(4096), 600)
ds = set()
for h in hosts[:400]:
    for p in rng.sample([80, 443, 22], rng.randint(1, 3)):
        ds.add((addr(h), p))
datasets = [set(ds)]
# run 2: 60 hosts gone, 100 new, port 443 closed on 50 that keep 80
ds2 = {x for x in ds if x[0] not in {addr(h) for h in hosts[:60]}}
for h in hosts[400:500]:
    ds2.add((addr(h), rng.choice([80, 443, 22])))
closed = [a for a, p in sorted(ds2) if p == 443 and (a, 80) in ds2][:50]
ds2 -= {(a, 443) for a in closed}
datasets.append(ds2)
# run 3: 100 more new (ssh and web), ssh off on 30, web gone from 20
ds3 = set(ds2)
for h in hosts[500:600]:
    ds3.add((addr(h), rng.choice([22, 80])))
ds3 -= set(sorted(x for x in ds3 if x[1] == 22)[:30])
ds3 -= set(sorted(x for x in ds3 if x[1] == 443)[:20])
datasets.append(ds3)

ids = []
for i, dset in enumerate(datasets):
    with tt.Responder(d, [f"{a}:{p}" for a, p in sorted(dset)], f"camp-r{i}") as resp:
        os.replace(resp.sock, sock) if resp.sock != sock else None
        p = camp("run", cfile)
    c.eq(p.returncode, 0, f"run {i + 1}: exit status")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        break
    latest = os.path.realpath(os.path.join(state, "latest"))
    rid = os.path.basename(latest)
    ids.append(rid)
    with open(os.path.join(latest, "run.json")) as f:
        rj = json.load(f)
    c.eq(rj["id"], rid, f"run {i + 1}: run.json id")
    c.eq(rj["state"], "complete", f"run {i + 1}: run.json state")
    c.eq(rj["previous"], ids[-2] if i else None, f"run {i + 1}: run.json previous")
    for scan, ports in (("web", (80, 443)), ("ssh", (22,))):
        want = truth(dset, ports)
        before = truth(datasets[i - 1], ports) if i else set()
        res = read_pairs(os.path.join(latest, scan, "results.csv"))
        new = read_pairs(os.path.join(latest, scan, "new.csv"))
        gone = read_pairs(os.path.join(latest, scan, "gone.csv"))
        c.eq(len(res), len(set(res)), f"run {i + 1} {scan}: no row twice")
        c.check(set(res) == want, f"run {i + 1} {scan}: results == ground truth "
                f"({len(set(res) - want)} extra, {len(want - set(res))} missing)")
        c.check(set(new) == want - before, f"run {i + 1} {scan}: new.csv == what appeared")
        c.check(set(gone) == before - want, f"run {i + 1} {scan}: gone.csv == what disappeared")
        if i:
            c.check(len(want - before) > 0 and len(before - want) > 0, f"run {i + 1} {scan}: the change is not empty")
        c.eq(rj["scans"][scan], {"results": len(want), "new": len(want - before), "gone": len(before - want)},
             f"run {i + 1} {scan}: run.json counts")
    if i < 2:
        time.sleep(1.1)  # run ids are start seconds

# keep: 2 -> the first run is gone after the third
c.eq(run_dirs(state), ids[1:], "keep 2: the two newest complete runs are kept")
with open(hook_log) as f:
    c.eq([os.path.basename(x.strip()) for x in f], ids, "after-run called once per run with its directory")
db = sqlite3.connect(os.path.join(state, "campaign.db"))
rows = db.execute("select id, state, previous from runs order by id").fetchall()
c.eq([r[0] for r in rows], ids, "campaign.db: one row per run")
c.eq([r[1] for r in rows], ["pruned", "complete", "complete"], "campaign.db: states")
st = json.loads(camp("status", "--json", cfile).stdout)
c.eq([r["id"] for r in st["runs"]], ids[::-1], "status: newest first")
for r in st["runs"]:
    dbs = {n: {"results": a, "new": b, "gone": g} for n, a, b, g in
           db.execute("select name, results, new, gone from scans where run_id = ?", (r["id"],))}
    c.eq(r["scans"], dbs, f"status and campaign.db agree on {r['id']}")
    if r["state"] == "complete":
        with open(os.path.join(state, "runs", r["id"], "run.json")) as f:
            c.eq(json.load(f)["scans"], dbs, f"run.json and campaign.db agree on {r['id']}")
db.close()
p = camp("status", cfile)
c.check(p.returncode == 0 and ids[2] in p.stdout and "complete" in p.stdout, "status (text)")
p = camp("diff", "--json", cfile)
c.eq(p.returncode, 0, "diff --json: exit status")
changes = [json.loads(x) for x in p.stdout.splitlines()]
for scan, ports in (("web", (80, 443)), ("ssh", (22,))):
    want_new = truth(datasets[2], ports) - truth(datasets[1], ports)
    want_gone = truth(datasets[1], ports) - truth(datasets[2], ports)
    got_new = {(x["saddr"], x["sport"]) for x in changes if x.get("scan") == scan and x.get("change") == "new"}
    got_gone = {(x["saddr"], x["sport"]) for x in changes if x.get("scan") == scan and x.get("change") == "gone"}
    c.check(got_new == want_new and got_gone == want_gone, f"diff --json {scan}: the last two runs' change")
p = camp("diff", cfile, ids[1], ids[2])
c.check(p.returncode == 0 and f"# scan web: {ids[1]} -> {ids[2]}" in p.stdout, "diff RUN_A RUN_B (text)")
p = camp("diff", cfile, ids[0], ids[2])
c.eq(p.returncode, 1, "diff against a pruned run: exit 1")

# --- 5: an IPv6 campaign ---------------------------------------------------------
BASE6 = int(ipaddress.IPv6Address("2001:2::"))


def addr6(i):
    return str(ipaddress.IPv6Address(BASE6 + i))


state6 = os.path.join(d, "state6")
c6 = os.path.join(d, "c6.yaml")
campaign(c6, "camp6", state6, sock, 20000, nets='"2001:2::/116", "2001:2:0:7::9"',
         source='[198.19.0.2, "2001:2:ff::2"]')
hosts6 = rng.sample(range(4096), 300) + [(7 << 64) + 9]
ds6 = set()
for h in hosts6[:200] + hosts6[-1:]:
    for p in rng.sample([80, 443, 22], rng.randint(1, 3)):
        ds6.add((addr6(h), p))
datasets6 = [set(ds6)]
d2 = {x for x in ds6 if x[0] not in {addr6(h) for h in hosts6[:40]}}      # 40 hosts gone
d2 |= {(addr6(h), rng.choice([80, 443, 22])) for h in hosts6[200:260]}  # 60 new
d2 -= set(sorted(x for x in d2 if x[1] == 443)[:25])                    # 443 closed on 25
datasets6.append(d2)
d3 = set(d2) | {(addr6(h), rng.choice([22, 80])) for h in hosts6[260:300]}
d3 -= set(sorted(x for x in d3 if x[1] == 22)[:15])
d3 -= {x for x in d3 if x[0] == addr6(hosts6[-1])}                        # the listed address goes
datasets6.append(d3)
ids6 = []
for i, dset in enumerate(datasets6):
    with tt.Responder(d, [f"[{a}]:{p}" for a, p in sorted(dset)], f"camp6-r{i}") as resp:
        os.replace(resp.sock, sock) if resp.sock != sock else None
        p = camp("run", c6)
    c.eq(p.returncode, 0, f"IPv6 run {i + 1}: exit status")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        break
    latest = os.path.realpath(os.path.join(state6, "latest"))
    ids6.append(os.path.basename(latest))
    with open(os.path.join(latest, "run.json")) as f:
        rj = json.load(f)
    for scan, ports in (("web", (80, 443)), ("ssh", (22,))):
        want = truth(dset, ports)
        before = truth(datasets6[i - 1], ports) if i else set()
        res = read_pairs(os.path.join(latest, scan, "results.csv"))
        new = read_pairs(os.path.join(latest, scan, "new.csv"))
        gone = read_pairs(os.path.join(latest, scan, "gone.csv"))
        c.eq(len(res), len(set(res)), f"IPv6 run {i + 1} {scan}: no row twice")
        c.check(set(res) == want, f"IPv6 run {i + 1} {scan}: results == ground truth "
                f"({len(set(res) - want)} extra, {len(want - set(res))} missing)")
        c.check(set(new) == want - before and len(new) == len(want - before),
                f"IPv6 run {i + 1} {scan}: new.csv == what appeared")
        c.check(set(gone) == before - want and len(gone) == len(before - want),
                f"IPv6 run {i + 1} {scan}: gone.csv == what disappeared")
        if i:
            c.check(len(want - before) > 0 and len(before - want) > 0,
                    f"IPv6 run {i + 1} {scan}: the change is not empty")
        c.eq(rj["scans"][scan], {"results": len(want), "new": len(want - before), "gone": len(before - want)},
             f"IPv6 run {i + 1} {scan}: run.json counts")
        k4, k6 = (os.path.getsize(os.path.join(latest, scan, x)) for x in ("keys.bin", "keys6.bin"))
        c.check(k4 == 0 and k6 == 24 * len(want), f"IPv6 run {i + 1} {scan}: keys6.bin holds the keys ({k4}, {k6})")
    if i < 2:
        time.sleep(1.1)  # run ids are start seconds
p = camp("diff", "--json", c6)
c.eq(p.returncode, 0, "IPv6 diff --json: exit status")
changes = [json.loads(x) for x in p.stdout.splitlines()]
for scan, ports in (("web", (80, 443)), ("ssh", (22,))):
    want_new = truth(datasets6[2], ports) - truth(datasets6[1], ports)
    want_gone = truth(datasets6[1], ports) - truth(datasets6[2], ports)
    got_new = {(x["saddr"], x["sport"]) for x in changes if x.get("scan") == scan and x.get("change") == "new"}
    got_gone = {(x["saddr"], x["sport"]) for x in changes if x.get("scan") == scan and x.get("change") == "gone"}
    c.check(got_new == want_new and got_gone == want_gone, f"IPv6 diff --json {scan}: the last two runs' change")
    summary = [x for x in changes if x.get("scan") == scan and "new" in x]
    c.check(len(summary) == 1 and summary[0]["new"] == len(want_new) and summary[0]["gone"] == len(want_gone),
            f"IPv6 diff --json {scan}: the summary line's counts")
p = camp("diff", c6, ids6[0], ids6[2])
c.check(p.returncode == 0 and f"-{addr6(hosts6[-1])}," in p.stdout, "IPv6 diff RUN_A RUN_B (text): the gone address")

# --- 2: SIGKILL mid-run, a second run refused, then the same run completed ----
state2 = os.path.join(d, "state2")
c2 = os.path.join(d, "c2.yaml")
campaign(c2, "slow", state2, sock, 4000, nets="198.18.0.0/19")   # web 16384 targets: about 4 s
ds_slow = {(addr(h), p) for h in rng.sample(range(8192), 900) for p in (80, 443, 22) if rng.random() < 0.6}
with tt.Responder(d, [f"{a}:{p}" for a, p in sorted(ds_slow)], "slow-r") as resp:
    os.replace(resp.sock, sock) if resp.sock != sock else None
    p = camp("run", c2)
    c.eq(p.returncode, 0, "slow campaign: first run")
    first_id = os.path.basename(os.path.realpath(os.path.join(state2, "latest")))
    first_files = file_hashes(os.path.join(state2, "runs", first_id))
    time.sleep(1.1)
    proc = subprocess.Popen([tt.TRAWL, "campaign", "run", c2], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    # Until the first run has its lock and its row (bounded), not a guess at how long that takes.
    for _ in range(600):
        runs = json.loads(camp("status", "--json", c2).stdout or "{}").get("runs", [])
        if (len(runs) > 1 and runs[0].get("state") == "running") or proc.poll() is not None:
            break
        time.sleep(0.1)
    p = camp("run", c2, timeout=60)
    c.eq(p.returncode, 1, "a second run while one is going: exit 1")
    c.check(proc.poll() is None, "... at once: while the first still holds the lock (it did not wait for it)")
    c.check("already going" in p.stderr, f"... saying so: {p.stderr.strip()!r}")
    st = json.loads(camp("status", "--json", c2).stdout)
    c.eq(st["runs"][0]["state"], "running", "status while it goes: running")
    c.check(proc.poll() is None, "the run was still going when killed")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    c.check(wait_unlocked(state2), "the lock is let go once the run and its scan are dead")
    partial = [x for x in run_dirs(state2) if x.endswith(".partial")]
    c.eq(len(partial), 1, "the killed run stays partial")
    st = json.loads(camp("status", "--json", c2).stdout)
    c.eq(st["runs"][0]["state"], "interrupted", "status after the kill: interrupted")
    p = camp("run", c2)
    c.eq(p.returncode, 0, "run again: the interrupted run completes")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    c.check("going on with run" in p.stderr, "it says it goes on with the interrupted run")
killed_id = partial[0][:-len(".partial")] if partial else None
c.eq(run_dirs(state2), sorted([first_id, killed_id]), "the same RUN_ID completed; nothing partial left")
c.eq(file_hashes(os.path.join(state2, "runs", first_id)), first_files, "the earlier complete run is untouched")
for scan, ports in (("web", (80, 443)), ("ssh", (22,))):
    res = read_pairs(os.path.join(state2, "runs", killed_id, scan, "results.csv"))
    c.eq(len(res), len(set(res)), f"resumed run {scan}: no row twice")
    c.check(set(res) == truth(ds_slow, ports), f"resumed run {scan}: results == ground truth")
    c.eq(read_pairs(os.path.join(state2, "runs", killed_id, scan, "new.csv")), [], f"resumed run {scan}: nothing new")

# --- 3: a full filesystem -----------------------------------------------------
mnt = os.path.join(d, "small")
os.mkdir(mnt)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt]).returncode == 0
c.check(mounted, "a 4 MiB tmpfs for the state directory")
if mounted:
    try:
        state3 = os.path.join(mnt, "state")
        c3 = os.path.join(d, "c3.yaml")
        campaign(c3, "full", state3, sock, 20000)
        with tt.Responder(d, [f"{a}:{p}" for a, p in sorted(datasets[0])], "full-r") as resp:
            os.replace(resp.sock, sock) if resp.sock != sock else None
            p = camp("run", c3)
            c.eq(p.returncode, 0, "full fs: the first run fits")
            first3 = os.path.basename(os.path.realpath(os.path.join(state3, "latest")))
            files3 = file_hashes(os.path.join(state3, "runs", first3))
            # fill what is left but 128 KiB: the history can be written, the results cannot
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            os.truncate(filler, max(0, os.path.getsize(filler) - 128 * 1024))
            time.sleep(1.1)
        # run 2: every address of the /20 open on 80, 443 and 22: 12,288 rows, more than is left
        with tt.Responder(d, ["198.18.0.0/20"], "full-r2", ports="22,80,443") as resp:
            os.replace(resp.sock, sock) if resp.sock != sock else None
            p = camp("run", c3)
        c.check(p.returncode != 0, f"full fs: exit non-zero ({p.returncode})")
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        print(f"full fs, the last line: {last}")
        c.check("No space left on device" in last and "stays partial" in last,
                f"full fs: the last line says why: {last!r}")
        c.eq(len([x for x in run_dirs(state3) if x.endswith(".partial")]), 1, "full fs: the run stays partial")
        c.eq(file_hashes(os.path.join(state3, "runs", first3)), files3, "full fs: the earlier run intact")
    finally:
        subprocess.run(["umount", mnt])

# --- 4: bad files, install ----------------------------------------------------
with open(cfile) as f:
    good = f.read()
cases = [
    ("unknown key", good.replace("keep: 2\n", "keep: 2\ncolour: red\n"), ":5:1: unknown key 'colour'"),
    ("bad schedule", good.replace('"*-*-* 02:00:00"', '"Sux 25:00"'), ":2:11: schedule"),
    ("duplicate scan", good.replace("  - name: ssh", "  - name: web"), "a second scan named 'web'"),
    ("output setting", good.replace("  rate: 20000", "  output-file: x.csv"), "output-file may not be set"),
]
for what, text, words in cases:
    path = os.path.join(d, "bad.yaml")
    with open(path, "w") as f:
        f.write(text)
    for sub in ("check", "run"):
        p = camp(sub, path)
        c.eq(p.returncode, 2, f"{what}: {sub} exits 2")
        lines = p.stderr.strip().splitlines()
        c.check(len(lines) == 1 and lines[0].startswith(f"trawl campaign: {path}:") and words in lines[0],
                f"{what}: {sub}: one line naming file:line:column: {p.stderr!r}")
# Usage errors: one line, exit 2, before the file is read; flags may follow FILE.
for args, words in ((["run", "--json", cfile], "run: option '--json' is not for this subcommand"),
                    (["status", "--dry-run", cfile], "status: option '--dry-run' is not for this subcommand"),
                    (["status"], "status: FILE is missing"),
                    (["diff", "--bogus", cfile], "diff: unknown option '--bogus'"),
                    (["diff", cfile, "a", "b"], "RUN_A and RUN_B are run ids"),
                    (["check", cfile, "extra"], "check: one FILE"),
                    (["frob", cfile], "unknown subcommand 'frob'")):
    p = camp(*args)
    c.check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and words in p.stderr,
            f"campaign {' '.join(args[:2])}: exit 2, one line saying {words!r}: {p.returncode} {p.stderr!r}")
p = camp("status", cfile, "--json")
c.check(p.returncode == 0 and "runs" in json.loads(p.stdout or "{}"), "status FILE --json: flags after FILE too")
p = camp("install", "--dry-run", cfile)
c.eq(p.returncode, 0, "install --dry-run")
c.check("OnCalendar=*-*-* 02:00:00" in p.stdout and "Persistent=true" in p.stdout and "Type=exec" in p.stdout,
        "install --dry-run prints the units")
units = os.path.join(d, "units")
os.mkdir(units)
part = None
for line in p.stdout.splitlines(keepends=True):
    if line.startswith("# /etc/systemd/system/"):
        part = open(os.path.join(units, os.path.basename(line.strip())), "w")
    elif part:
        part.write(line)
if part:
    part.close()
c.eq(sorted(os.listdir(units)), ["trawl-campaign-camp.service", "trawl-campaign-camp.timer"], "two units")
if shutil.which("systemd-analyze"):
    v = subprocess.run(["systemd-analyze", "verify"] + [os.path.join(units, u) for u in sorted(os.listdir(units))],
                       capture_output=True, text=True, timeout=60)
    c.eq(v.returncode, 0, f"systemd-analyze verify: {v.stderr.strip()!r}")
else:
    print("systemd-analyze not installed: units not verified")
c.done()
