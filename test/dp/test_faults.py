#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Faults and privileges (issue 12), run as root as CI does:
1. A running scan and a running responder are the unprivileged user
   (nobody by default): every thread's real, effective and saved uid,
   no capability in any set, no_new_privs; the keeper that renames their
   files is root, and is gone when they are. Their -o, -m, --checkpoint
   and --report land in a directory only root may write, whole, with no
   PATH.tmp left. --user root keeps root; --user of no such user and
   --user without root are exit 2 with one line.
2. A full disk (a small tmpfs) under -o and under -m: exit 1, one line
   naming the file and the reason, and neither the file nor PATH.tmp is
   left under that name.
3. A failed run's -o is not left under its name either."""
import os
import pwd
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
os.chmod(d, 0o700)  # only root may write here: the keeper has to
nobody = pwd.getpwnam("nobody").pw_uid
if os.geteuid() != 0:
    print("not root: nothing to drop, no tmpfs to mount; skipped")
    sys.exit(77)


def status(pid):
    """/proc/PID/status of every thread: {tid: {key: value}}."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                out[tid] = dict(x.split(":\t", 1) for x in f.read().splitlines() if ":\t" in x)
        except FileNotFoundError:
            pass
    return out


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def check_unprivileged(pid, what):
    """Wait (bounded) until the process has dropped, then check every thread."""
    st = {}
    for _ in range(600):  # bounded at 60 s: EAL start-up on a busy VM, not a guess at its speed
        st = status(pid)
        if st and all(s["Uid"].split() == [str(nobody)] * 4 for s in st.values()):
            break
        time.sleep(0.1)
    c.check(len(st) >= 2, f"{what}: threads seen ({len(st)})")
    for tid, s in st.items():
        c.eq(s["Uid"].split(), [str(nobody)] * 4, f"{what}: thread {s['Name']}: real, effective, saved, fs uid")
        c.eq(s["Gid"].split()[:3], [str(pwd.getpwnam("nobody").pw_gid)] * 3, f"{what}: thread {s['Name']}: gids")
        for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            c.eq(int(s[k], 16), 0, f"{what}: thread {s['Name']}: {k}")
    main = st.get(str(pid), {})
    c.eq(main.get("NoNewPrivs"), "1", f"{what}: no_new_privs")
    c.eq(int(main.get("CapBnd", "0"), 16), 0, f"{what}: main thread's bounding set empty")
    keepers = [k for k in children(pid) if comm(k) == "trawl-keeper"]
    c.eq(len(keepers), 1, f"{what}: one keeper")
    if keepers:
        ks = status(keepers[0]).get(str(keepers[0]), {})
        c.eq(ks.get("Uid", "").split()[:1], ["0"], f"{what}: the keeper is root (it renames in root's directories)")
    return keepers


def gone(pids, what):
    for _ in range(300):
        if all(comm(k) is None or comm(k) != "trawl-keeper" for k in pids):
            break
        time.sleep(0.1)
    c.check(all(comm(k) != "trawl-keeper" for k in pids), f"{what}: the keeper exits with it")


def scan_args(dev, name, out, meta, targets="198.18.0.0/20", extra=()):
    return ["scan", "--dev", dev, "--eal", tt.eal(name).replace("-m 256", "-m 512") + " -l 0", "-S", "198.19.0.2",
            "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-p", "80", "-c", "1", "-q", "-f", "saddr",
            "-o", out, "-m", meta, *extra, targets]


# --- 1. privileges ------------------------------------------------------------
with tt.Responder(d, ["198.18.0.0/20:80"], "priv-r") as resp:
    rst = check_unprivileged(resp.proc.pid, "trawl respond")
    out, meta, ck = (os.path.join(d, n) for n in ("priv.csv", "priv.json", "priv-ck.json"))
    p = subprocess.Popen([tt.TRAWL] + scan_args(resp.client(), "priv", out, meta, extra=("-r", "2000", "--checkpoint", ck)),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        keepers = check_unprivileged(p.pid, "trawl scan")
        # The keeper writes the checkpoint for it (at least once a second while it runs, and at its end):
        # bounded by the scan's own end, not by a guess at how fast a busy VM runs it.
        for _ in range(600):
            if os.path.exists(ck) or p.poll() is not None:
                break
            time.sleep(0.1)
        c.check(os.path.exists(ck), "the checkpoint is written for the scan that runs as nobody")
        err = tt.wait_bounded(p, 60)[1]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    c.eq(p.returncode, 0, f"scan as nobody: exit 0 ({err.strip()[-300:]})")
    gone(keepers, "trawl scan")
    with open(out) as f:
        rows = f.read().splitlines()
    c.eq(len(rows), 1 + 4096, "scan as nobody: every result in -o (root's 0700 directory), header included")
    c.eq(tt.metadata(meta).get("run_as_user"), "nobody", "the metadata says whom it ran as")
    c.check(tt.metadata(ck).get("done") is True, "the checkpoint says done")
    c.eq(sorted(x for x in os.listdir(d) if x.endswith(".tmp")), [], "no PATH.tmp left")
    c.eq(os.stat(out).st_uid, 0, "-o belongs to root, who asked for it")
rrc = resp.rc
gone(rst, "trawl respond")
c.eq(rrc, 0, "respond as nobody: exit 0")
c.eq(resp.report.get("run_as_user"), "nobody", "the report, written by the keeper, says nobody")

# With hugepages, a run that ends as nobody leaves no hugepage file behind (the EAL cannot unlink
# them once it is not root, so trawl has them unlinked as soon as they are mapped).
mem = subprocess.run([os.path.join(os.path.dirname(__file__), "../../deploy/trawl-hugepages"), "--eal-args",
                      "--pages", "256"],
                     capture_output=True, text=True, timeout=60).stdout.strip()
if mem == "":
    prefix = f"hp-faults-{os.getpid()}"
    tt._prefixes.append(prefix)
    p = tt.run(["scan", "--dev", "net_null0", "--eal", f"-m 64 --file-prefix {prefix}", "-S", "198.19.0.2",
                "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-q", "-r", "0", "-n", "1000", "-c", "0",
                "-o", os.devnull, "198.18.0.0/16"], timeout=60)
    left = [f for f in os.listdir("/dev/hugepages") if f.startswith(prefix)]
    c.check(p.returncode == 0 and left == [], f"hugepages: exit {p.returncode}, no file left ({len(left)} left)")
    for f in left:
        os.unlink(os.path.join("/dev/hugepages", f))
else:
    print("no hugepages to be had here: the hugepage check is left out")

# --user root keeps root (the documented opt-out), on net_null.
p = subprocess.Popen([tt.TRAWL, "scan", "--dev", "net_null0", "--eal", tt.eal("root"), "-S", "198.19.0.2",
                      "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-q", "-r", "1000", "-c", "0", "-o", os.devnull,
                      "--user", "root", "198.18.0.0/24"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    time.sleep(1.5)
    st = status(p.pid).get(str(p.pid), {})
    c.eq(st.get("Uid", "").split()[:1], ["0"], "--user root: stays root")
    c.check(int(st.get("CapEff", "0"), 16) != 0, "--user root: keeps root's capabilities (asked for)")
    c.eq([k for k in children(p.pid) if comm(k) == "trawl-keeper"], [], "--user root: no keeper")
    tt.wait_bounded(p, 120)
finally:
    if p.poll() is None:
        p.kill()
        p.wait()

p = tt.run(["scan", "--dev", "net_null0", "--user", "no-such-user-trawl", "-S", "198.19.0.2", "-G", "02:00:00:00:00:01",
            "-b", "/dev/null", "198.18.0.0/24"])
c.check(p.returncode == 2 and p.stderr.count("\n") == 1 and "no-such-user-trawl" in p.stderr,
        f"--user of no such user: exit 2, one line ({p.stderr.strip()})")
p = subprocess.run(["setpriv", f"--reuid={nobody}", f"--regid={nobody}", "--clear-groups", tt.TRAWL, "scan", "--dev",
                    "net_null0", "--user", "root", "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null",
                    "--dryrun", "198.18.0.0/24"], capture_output=True, text=True, timeout=60)
c.check(p.returncode == 2 and "only root" in p.stderr, f"--user without root: exit 2 ({p.stderr.strip()})")

# --- 2. a full disk -----------------------------------------------------------
mnt = os.path.join(d, "small")
os.mkdir(mnt)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", mnt]).returncode == 0
c.check(mounted, "a 16 KiB tmpfs")
if mounted:
    try:
        with tt.Responder(d, ["198.18.0.0/20:80"], "full-r") as resp:
            # -o: 4096 rows of about 13 bytes do not fit in 16 KiB.
            out, meta = os.path.join(mnt, "out.csv"), os.path.join(d, "full-o.json")
            p = tt.run(scan_args(resp.client(), "full-o", out, meta, extra=("-r", "0")), timeout=120)
            lines = [x for x in p.stderr.splitlines() if not x.startswith(("TELEMETRY:", "EAL:"))]
            c.eq(p.returncode, 1, "-o on a full disk: exit 1")
            c.check(len(lines) == 1 and out in lines[0] and "No space left on device" in lines[0],
                    f"-o on a full disk: one line naming the file and why: {lines}")
            c.eq(os.listdir(mnt), [], "-o on a full disk: no out.csv and no out.csv.tmp left")
            m = tt.metadata(meta)
            c.check(m["results_written"] < m["results"], "the metadata counts the rows not written")
            # -m: the disk filled up to its last byte, -o elsewhere.
            with open(os.path.join(mnt, "filler"), "wb") as f:
                try:
                    f.write(b"x" * (1 << 20))
                except OSError:
                    pass
            out, meta = os.path.join(d, "full-m.csv"), os.path.join(mnt, "meta.json")
            p = tt.run(scan_args(resp.client(), "full-m", out, meta, extra=("-r", "0")), timeout=120)
            lines = [x for x in p.stderr.splitlines() if not x.startswith(("TELEMETRY:", "EAL:"))]
            c.eq(p.returncode, 1, "-m on a full disk: exit 1")
            c.check(len(lines) == 1 and meta in lines[0] and "No space left on device" in lines[0],
                    f"-m on a full disk: one line naming the file and why: {lines}")
            c.eq(sorted(os.listdir(mnt)), ["filler"], "-m on a full disk: no meta.json and no meta.json.tmp left")
            c.check(os.path.exists(out), "-m on a full disk: the results, which were written in full, keep their name")
    finally:
        subprocess.run(["umount", mnt])

# --- 3. a failed run leaves no -o under its name ------------------------------
# A memif client with no server: the port never comes up, exit 1 before anything is sent.
out = os.path.join(d, "failed.csv")
p = tt.run(scan_args(f"net_memif0,role=client,socket={d}/nobody-here.sock,socket-abstract=no", "failed", out,
                     os.path.join(d, "failed.json")), timeout=60)
c.eq(p.returncode, 1, f"no server: exit 1 ({p.stderr.strip()[-200:]})")
c.check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "a failed run leaves neither -o nor -o.tmp")
# An EAL that does not start (a device no driver has): the same.
out = os.path.join(d, "no-eal.csv")
p = tt.run(scan_args("net_bogus0", "no-eal", out, os.path.join(d, "no-eal.json")), timeout=60)
c.eq(p.returncode, 1, "no such device: exit 1")
c.check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "no EAL: neither -o nor -o.tmp left")
c.done()
