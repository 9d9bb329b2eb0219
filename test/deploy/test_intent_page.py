#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""deploy/trawl-intent-page fills the intent page template from its settings:
the shipped settings give a page with every placeholder filled; values are
HTML-escaped; a missing key or a bad line is exit 2 naming it, nothing on
stdout."""
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
TOOL = os.path.join(TOP, "deploy/trawl-intent-page")
CONF = os.path.join(TOP, "config/intent.conf")
TEMPLATE = os.path.join(TOP, "config/intent-page.html.in")
fails = 0


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    fails += not cond


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=30)


p = run(CONF, TEMPLATE)
check(p.returncode == 0 and "<html" in p.stdout, "the shipped settings fill the shipped template")
check(re.search(r"@[A-Z_]+@", p.stdout) is None, "no placeholder left")
with open(CONF) as f:
    addr = next(line.split("=", 1)[1].strip() for line in f if line.startswith("scan_address"))
check(p.stdout.count(addr) >= 3, "the scan address is on the page")
check("mailto:scan-optout@example.org" in p.stdout, "the opt-out address is a link")

with tempfile.TemporaryDirectory() as d:
    conf = os.path.join(d, "intent.conf")
    with open(CONF) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("organisation = ", "organisation = <script>x</script> & "))
    p = run(conf, TEMPLATE)
    check(p.returncode == 0 and "&lt;script&gt;x&lt;/script&gt; &amp; " in p.stdout and "<script>" not in p.stdout,
          "values are HTML-escaped")
    with open(conf, "w") as f:
        f.write("\n".join(line for line in text.splitlines() if not line.startswith("optout_email")) + "\n")
    p = run(conf, TEMPLATE)
    check(p.returncode == 2 and "optout_email" in p.stderr and p.stdout == "", f"a missing key: exit 2 ({p.stderr!r})")
    with open(conf, "w") as f:
        f.write(text + "no equals sign here\n")
    p = run(conf, TEMPLATE)
    n = len(text.splitlines()) + 1
    check(p.returncode == 2 and f"{conf}:{n}:" in p.stderr, f"a bad line: exit 2 with file:line ({p.stderr!r})")
print(f"{fails} failed")
sys.exit(1 if fails else 0)
