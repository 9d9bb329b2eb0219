#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile configuration (issue 12): files a scan or the virtual internet is
handed that were made to hurt. Each must end in exit 2 with one line naming
file:line:column, or load cleanly, within a bound of time and memory; never
a crash or a hang. No packet is sent (--dryrun, --compile, or a refusal
before the EAL):
- a YAML alias bomb, as -C and as a campaign;
- a 1 MB line, in -C, a blocklist and a dataset; a list that never ends its
  line (-b /dev/zero: libFuzzer found a campaign's /dev/full taking all memory);
- NUL bytes, in -C, a blocklist, an allowlist and a dataset;
- a 10 M-line blocklist (a clean load);
- a dataset line of every malformed kind, text and binary;
- a dataset line that would list 2^32 (address, port) pairs (libFuzzer found
  "CIDR:PORT" expanded into memory without bound)."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import trawltest as tt  # noqa: E402

c = tt.Checks()
d = tt.tmpdir()
LIMIT_S, LIMIT_MB = 60, 2048
BASE = ["scan", "--dev", "net_null0", "-S", "198.19.0.2", "-G", "02:00:00:00:00:01"]


def write(name, data):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def run(args, what):
    """Run trawl bounded in time; returns (rc, stderr, seconds, its own max RSS in MiB). No address-space
    limit: ASan's shadow (the sanitizer stage) reserves terabytes it never touches; RSS is the bound."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen([tt.TRAWL] + args, stdout=subprocess.DEVNULL, stderr=errf)
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() - t0 > LIMIT_S * 2:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    took = time.monotonic() - t0
    c.check(p.returncode >= 0, f"{what}: no crash (exit {p.returncode})")
    c.check(took < LIMIT_S, f"{what}: bounded in time ({took:.1f} s)")
    return p.returncode, err, took, ru.ru_maxrss / 1024


def refused(args, path, what):
    rc, err, took, _ = run(args, what)
    lines = err.strip().splitlines()
    c.check(rc == 2 and len(lines) == 1 and re.search(re.escape(path) + r":\d+:\d+: ", lines[0]) is not None,
            f"{what}: exit 2 with one line naming file:line:column (exit {rc}: {lines[:2]})")
    return err


# --- a YAML alias bomb: nine levels of ten aliases, 10^9 nodes once expanded --------
bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
for i in range(1, 10):
    bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
bomb_yaml = write("bomb.yaml", "\n".join(bomb) + "\n")
refused(BASE + ["-C", bomb_yaml, "--dryrun", "198.18.0.0/24"], bomb_yaml, "-C alias bomb")
# Fewer nodes, but a 3000-byte value in each of 10^4 leaves: 30 MB of values from 3 KB of text.
amp = [f"v: &v {'y' * 3000}", "l0: &l0 [" + ", ".join(["*v"] * 10) + "]"]
for i in range(1, 4):
    amp.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
amp_yaml = write("amp.yaml", "\n".join(amp) + "\n")
refused(BASE + ["-C", amp_yaml, "--dryrun", "198.18.0.0/24"], amp_yaml, "-C alias amplification of a long value")
camp_bomb = write("bomb-campaign.yaml", "name: bomb\nschedule: daily\n" + "\n".join(bomb) + "\nscans: []\n")
rc, err, took, _ = run(["campaign", "check", camp_bomb], "campaign alias bomb")
c.check(rc == 2 and camp_bomb in err, f"campaign alias bomb: exit 2 naming the file ({rc}: {err.strip()[:200]})")

# --- a 1 MB line ----------------------------------------------------------------------
mb = "9" * (1 << 20)
refused(BASE + ["-C", write("long.yaml", f"rate: {mb}\n"), "--dryrun", "198.18.0.0/24"],
        os.path.join(d, "long.yaml"), "-C with a 1 MB value")
refused(BASE + ["-b", write("long-block.txt", f"10.0.0.0/8\n{mb}\n"), "--dryrun", "198.18.0.0/24"],
        os.path.join(d, "long-block.txt"), "a blocklist with a 1 MB line")
refused(["respond", "--compile", write("long-ds.txt", f"198.18.0.1\n198.18.0.2:{mb}\n"), "-o", os.path.join(d, "x.bin")],
        os.path.join(d, "long-ds.txt"), "a dataset with a 1 MB line")
# A long comment is no error: the blocklist loads.
rc, err, took, _ = run(BASE + ["-b", write("long-comment.txt", f"# {mb}\n10.0.0.0/8\n"), "--dryrun", "198.18.0.0/24"],
                       "a blocklist with a 1 MB comment")
c.eq(rc, 0, f"a 1 MB comment line: a clean load ({err.strip()[:200]})")

# A list that never ends its line (libFuzzer: a campaign's blocklist-file of /dev/full took all memory).
for dev in ("/dev/zero", "/dev/full"):
    rc, err, took, mb_used = run(BASE + ["-b", dev, "--dryrun", "198.18.0.0/24"], f"-b {dev}")
    c.check(rc == 2 and f"{dev}:1:{(16 << 20) + 1}: a line longer than 16 MiB" in err and mb_used < 256,
            f"-b {dev}: exit 2 at the 16 MiB bound, in {mb_used:.0f} MiB ({rc}: {err.strip()[:200]})")
rc, err, took, _ = run(BASE + ["-w", "/dev/zero", "--dryrun"], "-w /dev/zero")
c.check(rc == 2 and "/dev/zero:1:" in err, f"-w /dev/zero: exit 2 ({rc}: {err.strip()[:200]})")

# --- NUL bytes ------------------------------------------------------------------------
refused(BASE + ["-C", write("nul.yaml", b"rate: 100\x00\nprobes: 2\n"), "--dryrun", "198.18.0.0/24"],
        os.path.join(d, "nul.yaml"), "-C with a NUL byte")
err = refused(BASE + ["-b", write("nul-block.txt", b"192.0.2.0/24\n10.0.0.0/8\x00198.18.0.0/15\n"), "--dryrun",
                      "198.18.0.0/24"], os.path.join(d, "nul-block.txt"), "a blocklist with a NUL byte")
c.check(":2:11:" in err, f"the NUL's own line and column ({err.strip()})")
refused(BASE + ["-w", write("nul-allow.txt", b"198.18.0.0/24\x00\n"), "--dryrun"], os.path.join(d, "nul-allow.txt"),
        "an allowlist with a NUL byte")
refused(["respond", "--compile", write("nul-ds.txt", b"198.18.0.1\n198.18.0.2\x00:80\n"), "-o", os.path.join(d, "y.bin")],
        os.path.join(d, "nul-ds.txt"), "a dataset with a NUL byte")

# --- a 10 M-line blocklist: a clean load, bounded -------------------------------------
big = os.path.join(d, "big-block.txt")
with open(big, "w") as f:
    for hi in range(0, 10_000_000, 100_000):
        f.write("".join(f"{10 + (n >> 16 & 0x7F)}.{n >> 8 & 0xFF}.{n & 0xFF}.{(n * 7) & 0xFF}/32\n"
                        for n in range(hi, hi + 100_000)))
rc, out_err, took, rss = run(BASE + ["-b", big, "--dryrun", "198.18.0.0/15"], "a 10 M-line blocklist")
c.eq(rc, 0, f"a 10 M-line blocklist loads ({out_err.strip()[:200]})")
c.check(rss < LIMIT_MB, f"a 10 M-line blocklist: memory bounded ({rss:.0f} MiB)")
print(f"10 M-line blocklist: {took:.1f} s, max RSS {rss:.0f} MiB")
os.unlink(big)

# --- every malformed dataset line -----------------------------------------------------
bad_lines = ["198.18.0", "198.18.0.256", "198.18.0.0/33", "198.18.0.0/-1", "198.18.0.1:", "198.18.0.1:65536",
             "198.18.0.1:-1", "198.18.0.1:80:81", ":80", "198.18.0.1 80", "198.18.0.1/24/8", "0x1.2.3.4",
             "198.18.0.1:8o", "198.18..1", "1.2.3.4.5", "::g", "[::1]", "2001:2::/129", "198.18.0.1,198.18.0.2", "\t198.18.0.1x"]
for i, line in enumerate(bad_lines):
    path = write(f"bad-ds-{i}.txt", f"198.18.1.1\n# fine\n{line}\n198.18.1.2\n")
    err = refused(["respond", "--compile", path, "-o", os.path.join(d, f"bad-{i}.bin")], path,
                  f"dataset line {line!r}")
    c.check(f"{path}:3:" in err, f"dataset line {line!r}: line 3 named ({err.strip()[:160]})")
# "CIDR:PORT" over all of IPv4: 2^32 pairs, 32 GiB, refused at once (it used to be expanded until memory ran out).
for line in ("0.0.0.0/0:80", "0.0.0.0/3:443"):
    path = write("huge-pairs.txt", f"198.18.0.1\n{line}\n")
    rc, err, took, rss = run(["respond", "--compile", path, "-o", os.path.join(d, "h.bin")], f"dataset line {line}")
    c.check(rc == 2 and f"{path}:2:1:" in err and took < 5 and rss < 256,
            f"dataset line {line}: exit 2 at line 2 in {took:.1f} s and {rss:.0f} MiB ({err.strip()[:160]})")
# The binary form, damaged: cut at a few places, and a count that claims more than the file holds.
good_txt = write("good-ds.txt", "198.18.0.0/30:443\n198.18.1.1\n198.18.2.0/24\n")
good_bin = os.path.join(d, "good.bin")
subprocess.run([tt.TRAWL, "respond", "--compile", good_txt, "-o", good_bin], check=True, capture_output=True, timeout=60)
with open(good_bin, "rb") as f:
    blob = f.read()
for cut in sorted({9, 16, 17, len(blob) // 2, len(blob) - 1}):
    path = write(f"cut-{cut}.bin", blob[:cut])
    rc, err, took, _ = run(["respond", "--compile", path, "-o", os.path.join(d, "z.bin")], f"binary dataset cut at {cut}")
    c.check(rc == 2 and path in err, f"binary dataset cut at {cut} of {len(blob)}: exit 2 naming it ({rc}: {err.strip()[:160]})")
c.done()
