#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What a survey host installs and runs at boot, without touching this
machine's memory or NICs:
- `meson install` into a scratch DESTDIR: the binary, the settings under
  etc/trawl, the UDP payloads, the boot helpers, the units, the man pages
  (written from the help texts: --metrics-file is in trawl-scan(1));
- the systemd units pass `systemd-analyze verify` (their ExecStart pointed
  at this tree's scripts, which is all verify can find before install);
- deploy/trawl-hugepages on a fake sysfs tree: --dry-run says what it
  would write and writes nothing; a real run writes the count; a per-node
  config writes the node's file; a bad config is exit 2 naming file:line;
- deploy/trawl-nic on a fake sysfs tree with dpdk-devbind.py and modprobe
  replaced by loggers: --dry-run prints the commands and runs none; bind
  remembers the kernel driver and binds vfio-pci; unbind gives the port
  back to that driver; a port whose interface is up, a bad address and an
  unknown device are refused."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ["MESON_BUILD_ROOT"]
HUGE = os.path.join(SRC, "deploy/trawl-hugepages")
NIC = os.path.join(SRC, "deploy/trawl-nic")
c = tt.Checks()
d = tt.tmpdir()


def sh(args, env=None, timeout=60):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=e)


# --- meson install ----------------------------------------------------------
dest = os.path.join(d, "dest")
p = sh(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest, "--quiet"], timeout=300)
c.eq(p.returncode, 0, f"meson install --destdir: exit 0 ({p.stderr.strip()[-300:]})")
found = {os.path.relpath(os.path.join(r, f), dest) for r, _, fs in os.walk(dest) for f in fs}


def installed(suffix):
    return [f for f in found if f.endswith(suffix)]


for want in ("bin/trawl", "trawl/blocklist.conf", "trawl/hugepages.conf", "trawl/example-scan.yaml",
             "trawl/example-campaign.yaml", "trawl/udp-probes/dns_53.pkt", "trawl/trawl-hugepages",
             "trawl/trawl-nic", "system/trawl-hugepages.service", "system/trawl-nic@.service"):
    c.check(len(installed(want)) == 1, f"installed: {want} ({installed(want)})")
for f in installed("trawl/trawl-nic") + installed("trawl/trawl-hugepages") + installed("bin/trawl"):
    c.check(os.access(os.path.join(dest, f), os.X_OK), f"{f} is executable")
if shutil.which("help2man"):
    for page in ("trawl", "trawl-scan", "trawl-respond", "trawl-campaign"):
        c.check(len(installed(f"man1/{page}.1")) == 1, f"man page {page}(1) installed")
    scan_man = installed("man1/trawl-scan.1")
    text = open(os.path.join(dest, scan_man[0])).read() if scan_man else ""
    c.check(text.startswith(".\\\"") and ".TH TRAWL-SCAN " in text, "trawl-scan(1) is a man page titled TRAWL-SCAN")
    c.check("metrics\\-file" in text and "checkpoint" in text, "trawl-scan(1) is written from scan --help")
    c.check("/trawl/scan" in text, "trawl-scan(1) says where the live counters are")
else:
    print("help2man not installed: man pages not built (deploy/setup.sh installs it)")

# --- the units ---------------------------------------------------------------
units = os.path.join(d, "units")
os.makedirs(units)
for u in ("trawl-hugepages.service", "trawl-nic@.service"):
    src = installed(f"system/{u}")
    if not src:
        continue
    text = open(os.path.join(dest, src[0])).read()
    c.check(not re.search(r"@\w+@", text), f"{u}: every @VAR@ configured")
    # verify looks for the ExecStart programs: point them at this tree's.
    text = re.sub(r"^(Exec\w+=)(\S+)", lambda m: m.group(1) + os.path.join(SRC, "deploy", os.path.basename(m.group(2))),
                  text, flags=re.M)
    open(os.path.join(units, u), "w").write(text)
analyze = shutil.which("systemd-analyze")
if analyze:
    # An instance for one port. Its name escapes the address's ':' (\\x3a, which %I turns back): verify
    # reads a ':' in its arguments as PATH:UNIT. systemctl takes trawl-nic@0000:01:00.0 as it is.
    inst = os.path.join(units, "trawl-nic@0000\\x3a01\\x3a00.0.service")
    shutil.copy(os.path.join(units, "trawl-nic@.service"), inst)
    p = sh([analyze, "verify", "--man=no", os.path.join(units, "trawl-hugepages.service"), inst], timeout=120)
    ours = [x for x in (p.stdout + p.stderr).splitlines() if "trawl" in x]
    c.check(p.returncode == 0 and not ours, f"systemd-analyze verify: the units are clean ({ours})")
else:
    print("systemd-analyze not installed: units not verified")

# --- trawl-hugepages -----------------------------------------------------------
sysfs = os.path.join(d, "sys")
hp = os.path.join(sysfs, "kernel/mm/hugepages/hugepages-2048kB")
node1 = os.path.join(sysfs, "devices/system/node/node1/hugepages/hugepages-2048kB")
for x in (hp, node1):
    os.makedirs(x)
    open(os.path.join(x, "nr_hugepages"), "w").write("0\n")
mounted = [line.split()[1] for line in open("/proc/mounts") if line.split()[2] == "hugetlbfs"]
mnt = mounted[0] if mounted else "/nonexistent-trawl-test-mount"
conf = os.path.join(d, "hugepages.conf")
open(conf, "w").write(f"# test\npages=600\nsize=2M\nnode=all\nmount={mnt}\n")
p = sh([HUGE, "--dry-run", "--conf", conf, "--sysfs", sysfs])
c.eq(p.returncode, 0, f"trawl-hugepages --dry-run: exit 0 ({p.stderr.strip()})")
c.check(f"would write 600 to {hp}/nr_hugepages" in p.stdout, f"--dry-run says what it would write ({p.stdout.strip()})")
c.eq(open(os.path.join(hp, "nr_hugepages")).read(), "0\n", "--dry-run writes nothing")
if not mounted:
    c.check(f"would mount -t hugetlbfs -o pagesize=2M nodev {mnt}" in p.stdout, "--dry-run says it would mount")
    print("no hugetlbfs mounted here: the real run of trawl-hugepages is not tried (it would mount one)")
else:
    p = sh([HUGE, "--conf", conf, "--sysfs", sysfs])
    c.eq(p.returncode, 0, f"trawl-hugepages: exit 0 ({p.stderr.strip()})")
    c.eq(open(os.path.join(hp, "nr_hugepages")).read().strip(), "600", "trawl-hugepages writes the count")
    p = sh([HUGE, "--conf", conf, "--sysfs", sysfs])
    c.check(p.returncode == 0 and "already" in p.stdout, f"a second run changes nothing ({p.stdout.strip()})")
    open(conf, "w").write(f"pages=64\nnode=1\nmount={mnt}\n")
    p = sh([HUGE, "--conf", conf, "--sysfs", sysfs])
    c.check(p.returncode == 0 and open(os.path.join(node1, "nr_hugepages")).read().strip() == "64",
            f"node=1 reserves on node 1 ({p.stdout.strip()} {p.stderr.strip()})")
for bad, where in (("pages=lots\n", ":1:"), ("# x\nsize=4K\n", ":2:"), ("pages=5\nnodes=0\n", ":2:"), ("junk\n", ":1:")):
    open(conf, "w").write(bad)
    p = sh([HUGE, "--dry-run", "--conf", conf, "--sysfs", sysfs])
    c.check(p.returncode == 2 and f"{conf}{where}" in p.stderr, f"bad hugepages.conf {bad!r}: exit 2 naming the line "
            f"({p.returncode}, {p.stderr.strip()})")
p = sh([HUGE, "--dry-run", "--conf", os.path.join(d, "missing.conf"), "--sysfs", sysfs])
c.eq(p.returncode, 2, "a --conf that is not there: exit 2")
open(conf, "w").write("size=1G\n")
p = sh([HUGE, "--dry-run", "--conf", conf, "--sysfs", sysfs])
c.check(p.returncode == 1 and "hugepages-1048576kB" in p.stderr, f"1G pages where there are none: exit 1 ({p.stderr.strip()})")

# --eal-args (demos, tests, benches): the EAL's memory arguments alone on stdout, exit 0 either way.
open(conf, "w").write(f"pages=8\nmount={mnt}\n")
open(os.path.join(hp, "free_hugepages"), "w").write("0\n")
p = sh([HUGE, "--eal-args", "--conf", conf, "--sysfs", sysfs, "--pages", "8"])
c.check(p.returncode == 0 and p.stdout == "--no-huge -m 512\n" and "--no-huge" in p.stderr,
        f"--eal-args without free pages: --no-huge on stdout alone, why on stderr ({p.stdout!r}, {p.stderr.strip()})")
if mounted:
    open(os.path.join(hp, "free_hugepages"), "w").write("200\n")
    p = sh([HUGE, "--eal-args", "--conf", conf, "--sysfs", sysfs, "--pages", "8"])
    c.check(p.returncode == 0 and p.stdout.strip() == "", f"--eal-args with 200 free pages: no arguments ({p.stdout!r})")
p = sh([HUGE, "--eal-args", "--conf", conf, "--sysfs", os.path.join(d, "nosys")])
c.check(p.returncode == 0 and p.stdout == "--no-huge -m 512\n", f"--eal-args where nothing can be had: exit 0, --no-huge "
        f"({p.returncode}, {p.stdout!r})")
p = sh([HUGE, "--eal-args", "--pages", "many", "--sysfs", sysfs])
c.eq(p.returncode, 2, "--pages many: exit 2")

# --- trawl-nic ---------------------------------------------------------------
pci = "0000:01:00.0"
dev = os.path.join(sysfs, "bus/pci/devices", pci)
os.makedirs(os.path.join(sysfs, "bus/pci/drivers/ixgbe"))
os.makedirs(os.path.join(dev, "net/eth9"))
os.symlink("../../../../bus/pci/drivers/ixgbe", os.path.join(dev, "driver"))
open(os.path.join(dev, "net/eth9/operstate"), "w").write("down\n")
open(os.path.join(dev, "net/eth9/flags"), "w").write("0x1002\n")
log = os.path.join(d, "calls.log")
fake = os.path.join(d, "fake")
open(fake, "w").write(f"#!/bin/sh\necho \"$(basename \"$0\") $*\" >> {log}\n")
os.chmod(fake, 0o755)
for n in ("dpdk-devbind.py", "modprobe"):
    os.symlink(fake, os.path.join(d, n))
state = os.path.join(d, "nic-state")
env = {"DPDK_DEVBIND": os.path.join(d, "dpdk-devbind.py"), "TRAWL_MODPROBE": os.path.join(d, "modprobe"),
       "TRAWL_NIC_STATE": state}


def calls():
    if not os.path.exists(log):
        return []
    out = open(log).read().split("\n")
    os.unlink(log)
    return [x for x in out if x]


p = sh([NIC, "--dry-run", "--sysfs", sysfs, "bind", pci], env)
c.eq(p.returncode, 0, f"trawl-nic --dry-run bind: exit 0 ({p.stderr.strip()})")
c.check(f"would run: {env['DPDK_DEVBIND']} --bind=vfio-pci {pci}" in p.stdout and "would run: " + env["TRAWL_MODPROBE"] +
        " vfio-pci" in p.stdout and f"= ixgbe" in p.stdout, f"--dry-run bind prints the commands ({p.stdout.strip()})")
c.eq((calls(), os.path.exists(state)), ([], False), "--dry-run runs nothing and remembers nothing")
p = sh([NIC, "--sysfs", sysfs, "bind", "01:00.0"], env)
c.eq(p.returncode, 0, f"trawl-nic bind (short address): exit 0 ({p.stderr.strip()})")
c.eq(calls(), ["modprobe vfio-pci", f"dpdk-devbind.py --bind=vfio-pci {pci}"], "bind: modprobe, then dpdk-devbind")
c.eq(open(os.path.join(state, pci)).read().strip(), "ixgbe", "bind remembers the kernel driver")
p = sh([NIC, "--sysfs", sysfs, "status", pci], env)
c.check("ixgbe" in p.stdout and "bound by trawl-nic" in p.stdout, f"status says who had it ({p.stdout.strip()})")
p = sh([NIC, "--dry-run", "--sysfs", sysfs, "unbind", pci], env)
c.check(p.returncode == 0 and f"--bind=ixgbe {pci}" in p.stdout and not calls() and os.path.exists(os.path.join(state, pci)),
        f"--dry-run unbind prints, runs nothing ({p.stdout.strip()})")
p = sh([NIC, "--sysfs", sysfs, "unbind", pci], env)
c.eq((p.returncode, calls()), (0, [f"dpdk-devbind.py --bind=ixgbe {pci}"]), "unbind gives it back to ixgbe")
c.check(not os.path.exists(os.path.join(state, pci)), "unbind forgets the port")
p = sh([NIC, "--sysfs", sysfs, "unbind", pci], env)
c.check(p.returncode == 1 and "not bound by trawl-nic" in p.stderr and not calls(), "unbind of a port it never bound: exit 1")
open(os.path.join(dev, "net/eth9/operstate"), "w").write("up\n")
p = sh([NIC, "--sysfs", sysfs, "bind", pci], env)
c.check(p.returncode == 1 and "eth9" in p.stderr and "up" in p.stderr and not calls(), f"a port that is up is refused ({p.stderr.strip()})")
for args, rc in ((["bind", "eth0"], 2), (["bind", "0000:09:00.0"], 1), (["bind", pci, "ixgbe"], 2), (["frob", pci], 2)):
    p = sh([NIC, "--dry-run", "--sysfs", sysfs] + args, env)
    c.check(p.returncode == rc and p.stderr.startswith("trawl-nic: ") and not calls(), f"trawl-nic {' '.join(args)}: exit {rc} "
            f"({p.returncode}, {p.stderr.strip()})")
# --- the README's two commands, as a user: sudo if there is one, a clear refusal if not -------------
if os.geteuid() == 0:
    fake = os.path.join(d, "fakesudo")
    os.makedirs(fake)
    with open(os.path.join(fake, "sudo"), "w") as f:
        f.write('#!/bin/sh\necho "sudo $*" > "$TRAWL_SUDO_LOG"\n')
    os.chmod(os.path.join(fake, "sudo"), 0o755)
    os.chmod(d, 0o755)
    log = os.path.join(d, "sudo.log")
    open(log, "w").close()
    os.chmod(log, 0o666)
    base = "/usr/bin:/bin"
    # Copies in a directory any user can reach: a CI checkout may not be.
    os.makedirs(os.path.join(d, "repo/deploy"))
    for script in ("deploy/demo.sh", "deploy/test.sh"):
        path = os.path.join(d, "repo", script)
        shutil.copy(os.path.join(SRC, script), path)
        os.chmod(path, 0o755)
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", f"TRAWL_SUDO_LOG={log}"]
        p = sh(as_user + [f"PATH={fake}:{base}", path, "x"])
        got = open(log).read().strip()
        c.check(p.returncode == 0 and got.startswith("sudo ") and got.endswith(f"{path} x"),
                f"{script} as a user asks sudo to run it as root: {p.returncode} {got!r} {p.stderr.strip()!r}")
        p = sh(as_user + [f"PATH={base}", path])
        c.check(p.returncode == 1 and "run as root" in p.stderr and "no sudo" in p.stderr,
                f"{script} as a user without sudo: exit 1 saying so ({p.returncode}, {p.stderr.strip()!r})")
else:
    print("not root: the README commands' escalation not checked")
c.done()
