#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""docs/cli.md names every flag that `trawl SUBCOMMAND --help` lists.

The help texts come from the option tables (app/core/opts.h), so a flag
added to a table and not to the reference fails here. Each flag must
appear in the reference in backticks, as `--name` and, with a short
letter, as `-x, --name`, inside the subcommand's own section.

argv: [path to the trawl binary]
"""
import os
import re
import subprocess
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
FLAG = re.compile(r"^  (?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)", re.M)


def sections(text):
    """The reference cut at its '## trawl NAME' headings."""
    out, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^## trawl (\w+)", line)
        if m:
            name = m.group(1)
            out[name] = []
        elif line.startswith("## "):
            name = None
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def missing(helptext, section):
    """Flags of helptext that section does not name, one line each."""
    bad = []
    for letter, name in FLAG.findall(helptext):
        want = f"`-{letter}, --{name}" if letter else f"`--{name}"
        if want not in section:
            bad.append(f"{want[1:]}")
    return bad


def main():
    trawl = sys.argv[1]
    ref = open(os.path.join(TOP, "docs/cli.md")).read()
    secs = sections(ref)
    bad, flags = [], 0
    # Self-test: a flag the reference lacks is caught.
    if missing("  -Z, --zzz-not-a-flag  x\n", ref) != ["-Z, --zzz-not-a-flag"]:
        bad.append("self-test: a missing flag is not caught")
    for sub in ("scan", "respond", "campaign"):
        p = subprocess.run([trawl, sub, "--help"], capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            bad.append(f"trawl {sub} --help: exit {p.returncode}")
            continue
        n = len(FLAG.findall(p.stdout))
        flags += n
        if n < 3:
            bad.append(f"trawl {sub} --help lists {n} flags: the pattern no longer reads it")
        if sub not in secs:
            bad.append(f"docs/cli.md has no '## trawl {sub}' section")
            continue
        bad += [f"docs/cli.md, trawl {sub}: {f} is missing" for f in missing(p.stdout, secs[sub])]
    for line in bad:
        print(line)
    print(f"cli reference: {flags} flags of --help checked, {len(bad)} missing")
    return 1 if bad or flags == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
