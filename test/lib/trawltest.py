# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for trawl's data-plane and integration tests.

Everything here is independent of trawl's C code on purpose: the probes' MAC
(AES-128) comes from python3-cryptography (OpenSSL), the responder's SipHash-2-4
is written again from the paper, checksums are recomputed by scapy, so a test
catches a bug that the code and its own helpers share.
"""
import atexit
import ipaddress
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

TRAWL = os.environ.get("TRAWL", os.path.join(os.path.dirname(__file__), "../../build/app/trawl"))

_M64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _M64


def siphash24(k0, k1, data):
    """SipHash-2-4 of bytes under the 128-bit key (k0, k1) as little-endian words."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _M64; v1 = _rotl(v1, 13) ^ v0; v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _M64; v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _M64; v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _M64; v1 = _rotl(v1, 17) ^ v2; v2 = _rotl(v2, 32)

    full = len(data) // 8 * 8
    for i in range(0, full, 8):
        m = struct.unpack_from("<Q", data, i)[0]
        v3 ^= m; rounds(2); v0 ^= m
    b = (len(data) & 0xFF) << 56
    for j, c in enumerate(data[full:]):
        b |= c << (8 * j)
    v3 ^= b; rounds(2); v0 ^= b
    v2 ^= 0xFF; rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def aes128_tag(k0, k1, w0, w1):
    """The first 8 bytes, little endian, of AES-128 under key (k0, k1) of the block (w0, w1), all LE words."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    enc = Cipher(algorithms.AES(struct.pack("<QQ", k0, k1)), modes.ECB()).encryptor()
    return struct.unpack_from("<Q", enc.update(struct.pack("<QQ", w0, w1)) + enc.finalize())[0]


class Validator:
    """The tag trawl puts in a probe: AES-128(saddr << 32 | daddr, dport), as two LE words (core/mac.h)."""

    def __init__(self, key_hex, saddr, sport_first=32768, sport_last=61000):
        self.k0 = int(key_hex[:16], 16)
        self.k1 = int(key_hex[16:], 16)
        self.saddr = ip2int(saddr)
        self.first, self.count = sport_first, sport_last - sport_first + 1

    def tag(self, daddr, dport):
        return aes128_tag(self.k0, self.k1, (self.saddr << 32) | ip2int(daddr), dport)

    def seq(self, daddr, dport):
        return self.tag(daddr, dport) & 0xFFFFFFFF

    def sport(self, daddr, dport, probe=0):
        return self.first + (((self.tag(daddr, dport) >> 32) & 0xFFFF) + probe) % self.count


class Validator6(Validator):
    """The IPv6 tag (core/validate.h): AES-128 of the target's 16 bytes as (high, low) words, then of
    that tag and the port with the IPv6 domain mark (6 << 56). No source address in it."""

    def __init__(self, key_hex, sport_first=32768, sport_last=61000):
        super().__init__(key_hex, "0.0.0.0", sport_first, sport_last)

    def tag(self, daddr, dport):
        a = int(ipaddress.IPv6Address(daddr))
        h = aes128_tag(self.k0, self.k1, a >> 64, a & _M64)
        return aes128_tag(self.k0, self.k1, h, (6 << 56) | dport)


def window6_iid(seed, i, b):
    """The seeded interface identifier of block i of a window PREFIX/A-B (core/window6.h), as an int
    of the low 128 - b bits: SipHash-2-4 of (i, 1) and (i, 0) under a key spread from the seed."""
    k0 = seed ^ 0x77696E646F773669
    k1 = (seed * 0x9E3779B97F4A7C15 + 1) & _M64
    hi = siphash24(k0, k1, struct.pack("<QQ", i, 1))
    lo = siphash24(k0, k1, struct.pack("<QQ", i, 0))
    return ((hi << 64) | lo) & ((1 << (128 - b)) - 1)


def ip2int(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


_prefixes = []


@atexit.register
def _remove_runtime_dirs():
    """Tests delete what they make: the EAL's runtime directory of every prefix used."""
    for p in _prefixes:
        shutil.rmtree(f"/var/run/dpdk/{p}", ignore_errors=True)


def eal(prefix):
    """EAL arguments for a vdev test: no hugepages, no PCI, a file prefix of its own."""
    p = f"{prefix}-{os.getpid()}"
    _prefixes.append(p)
    return f"--no-huge -m 256 --no-pci --file-prefix {p}"


def _descendants(pid):
    """pid and every process below it, parents first (read from /proc, so zombies count too)."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo.extend(sorted(kids.get(p, [])))
    return out


def _holders(files):
    """Processes that hold any of these pipes open (a child that outlives its parent keeps our read
    side from ever seeing EOF, however done the parent is)."""
    want = set()
    for f in files:
        if f is not None:
            try:
                want.add(f"pipe:[{os.fstat(f.fileno()).st_ino}]")
            except (OSError, ValueError):
                pass
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != os.getpid():
            try:
                if any(os.readlink(f"/proc/{d}/fd/{fd}") in want for fd in os.listdir(f"/proc/{d}/fd")):
                    out.append(int(d))
            except OSError:
                continue
    return out


def describe_hang(pid, why, files=()):
    """A process that outlived its bound: print what every process and thread below it (and any process
    holding its output pipes) waits in, and each one's stack (gdb, where there is one), so a hang seen
    once in CI says where it hung."""
    sys.stderr.write(f"--- {why}: the processes under {pid}, their threads and where they wait\n")
    pids = _descendants(pid)
    pids += [h for h in _holders(files) if h not in pids]
    for p in pids:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            tasks = sorted(os.listdir(f"/proc/{p}/task"), key=int)
        except OSError:
            continue
        sys.stderr.write(f"pid {p}: {cmd[:300]}\n")
        for t in tasks:
            def rd(name):
                try:
                    with open(f"/proc/{p}/task/{t}/{name}") as f:
                        return f.read().strip()
                except OSError:
                    return "?"
            stat = rd("stat")
            state = stat.rsplit(")", 1)[1].split()[0] if ")" in stat else "?"
            sys.stderr.write(f"  task {t} {rd('comm')!r} state {state} wchan {rd('wchan')} syscall {rd('syscall')[:40]}\n")
        gdb = shutil.which("gdb")
        if gdb is not None:
            try:
                bt = subprocess.run([gdb, "-batch", "-nx", "-p", str(p), "-ex", "thread apply all bt 30"],
                                    capture_output=True, text=True, timeout=60).stdout
                sys.stderr.write("".join(l + "\n" for l in bt.splitlines() if l.startswith(("#", "Thread"))))
            except (OSError, subprocess.TimeoutExpired):
                pass
    sys.stderr.flush()


def wait_caught(proc, sig, timeout=60):
    """Wait (bounded) until proc catches sig (its handler is installed: SigCgt in /proc), or has ended.
    A signal sent before that kills it, and on a busy VM the EAL has taken more than 2.5 s to get there."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                cgt = next(int(l.split()[1], 16) for l in f if l.startswith("SigCgt:"))
            if cgt >> (int(sig) - 1) & 1:
                return True
        except (OSError, StopIteration, ValueError):
            pass
        time.sleep(0.05)
    return False


def wait_bounded(proc, timeout, what=None):
    """communicate() with proc within timeout; past it, describe the hang, kill proc and re-raise."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        describe_hang(proc.pid, what or f"{' '.join(proc.args) if isinstance(proc.args, list) else proc.args}: "
                      f"not done in {timeout} s", (proc.stdout, proc.stderr))
        proc.kill()
        proc.communicate()
        raise


def run(args, timeout=120, check_rc=None, **kw):
    """Run trawl with a hard time limit; returns CompletedProcess (text). A run that outlives its
    limit is described (describe_hang), killed, and raises TimeoutExpired."""
    proc = subprocess.Popen([TRAWL] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    out, err = wait_bounded(proc, timeout)
    p = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check_rc is not None and p.returncode != check_rc:
        sys.stderr.write(p.stderr)
        raise AssertionError(f"trawl {' '.join(args)}: exit {p.returncode}, wanted {check_rc}")
    return p


def wait_commit(proc, path, attempts, timeout=30):
    """Wait (bounded) until the --checkpoint file at path says attempt number `attempts` has committed
    progress, or the process has ended. Returns whether the commit was seen."""
    for _ in range(int(timeout * 10)):
        try:
            with open(path) as f:
                if json.load(f)["attempts"] == attempts:
                    return True
        except (OSError, ValueError, KeyError):
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def tmpdir():
    """A scratch directory, removed when the test exits (keep it with TRAWL_KEEP=1 to debug)."""
    d = tempfile.mkdtemp(prefix="trawl-test-")
    if not os.environ.get("TRAWL_KEEP"):
        atexit.register(shutil.rmtree, d, True)
    return d


def pcap_frames(path):
    """Every frame of a classic pcap file, in order: a small reader, no scapy (captures of 10^5-10^6 probes)."""
    with open(path, "rb") as f:
        f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            yield f.read(struct.unpack("<IIII", h)[2])

def metadata(path):
    with open(path) as f:
        return json.load(f)


class Checks:
    """Collects failures so one run reports all of them; prints 'N passed, N failed'. require() is a
    precondition: when it fails the test stops there (what follows would use what is not there);
    a test in which no check ran fails."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)

    def eq(self, a, b, what):
        self.check(a == b, f"{what}: {a!r} != {b!r}")

    def require(self, cond, what):
        self.check(cond, what)
        if not cond:
            print("FAIL: a precondition failed; the rest of this test is skipped", flush=True)
            self.done()

    def done(self):
        print(f"{self.passed} passed, {self.failed} failed")
        if self.passed + self.failed == 0:
            print("FAIL: no check ran", flush=True)
            sys.exit(1)
        sys.exit(1 if self.failed else 0)


class Responder:
    """trawl respond as a net_memif server on a socket in directory d, answering from the dataset
    lines given; a context manager that stops it with SIGINT (bounded) and keeps its report.
    client() is the --dev of a scanner connecting to it."""

    def __init__(self, d, lines, name, ports=None, threads=1, lcores="1", mem=512, extra=()):
        self.sock = os.path.join(d, f"{name}.sock")
        self.report_path = os.path.join(d, f"{name}-report.json")
        ds = os.path.join(d, f"{name}-ds.txt")
        with open(ds, "w") as f:
            f.writelines(f"{x}\n" for x in lines)
        self.args = [TRAWL, "respond", "--dev", f"net_memif0,role=server,socket={self.sock},socket-abstract=no",
                     "--threads", str(threads), "--eal", eal(name).replace("-m 256", f"-m {mem}") + f" -l {lcores}",
                     "--dataset", ds, "-q", "--report", self.report_path] + (["-p", ports] if ports else []) + list(extra)
        self.proc = None
        self.rc = None
        self.report = {}

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # The server's socket file (socket-abstract=no) appears once its port is up (bounded wait: 60 s).
        for _ in range(600):
            if os.path.exists(self.sock) or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not os.path.exists(self.sock):
            self.stop()
            raise AssertionError(f"trawl respond did not come up: {self.proc.stderr.read() if self.proc.stderr else ''}")
        # The socket is made during the EAL's start; stop() signals, so wait for the handlers too.
        wait_caught(self.proc, signal.SIGINT)
        return self

    def client(self):
        return f"net_memif0,role=client,socket={self.sock},socket-abstract=no"

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc is None or self.rc is not None:
            return self.rc
        self.proc.send_signal(signal.SIGINT)
        try:
            self.rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            describe_hang(self.proc.pid, "trawl respond: not stopped 60 s after SIGINT", (self.proc.stderr,))
            self.proc.kill()
            self.proc.wait()
            self.rc = -9
        if os.path.exists(self.report_path):
            with open(self.report_path) as f:
                self.report = json.load(f)
        return self.rc

    def __exit__(self, *exc):
        self.stop()
        return False
