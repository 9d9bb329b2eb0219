#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The layering rule, as a test (docs/design.md, "Floors").

Each floor includes only from the floors below it (and from itself):

    app/core            0  pure logic, no EAL
    drivers/            1  per-PMD quirks: core's headers only
    app/probes          1  probe modules
    app/outputs         2  output modules (they print the probes' fields)
    app/dp              3  the data plane (EAL) shared by scan and respond
    app/scan            4  trawl scan, private to it
    app/respond         4  trawl respond, private to it
    app/campaign        5  trawl campaign (checks a scan's settings as app/scan does)
    app/optout          5  trawl optout (the scan's default blocklist path)
    app/main.c          6  dispatch

Floors of the same height are rooms apart: app/scan and app/respond never
include each other. Every project header is included one way, from the
top of the tree ("app/core/x.h", "drivers/driver.h"), and must exist.

app/core may include DPDK headers only from ALLOWED_RTE (types and inline
helpers), and its library may call no DPDK function but those in
ALLOWED_RTE_CALLS (pure arithmetic that needs no rte_eal_init): read off
the built library with nm, so an inline that turns into a call is caught.

No circles: take x.c and x.h as one unit x; x uses y when either includes
y.h. No unit may use, by any path, a unit that uses it (scan's checkpoint
once read the scan's own struct while the scan drove the checkpoint).

argv: [path to libtrawl_core.a]
"""
import os
import re
import subprocess
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))

FLOORS = {
    "app/core": 0,
    "drivers": 1,
    "app/probes": 1,
    "app/outputs": 2,
    "app/dp": 3,
    "app/scan": 4,
    "app/respond": 4,
    "app/campaign": 5,
    "app/optout": 5,
    "app": 6,  # main.c
}

# Header-only DPDK: types, byte-order and checksum inlines, prefetch hints.
ALLOWED_RTE = {
    "rte_arp.h", "rte_ether.h", "rte_ip.h", "rte_tcp.h", "rte_udp.h", "rte_icmp.h",
    "rte_byteorder.h", "rte_common.h", "rte_prefetch.h", "rte_branch_prediction.h",
    # rte_reciprocal_value_u64 (index / ports without a divide): arithmetic in librte_eal that needs no EAL.
    "rte_reciprocal.h",
}
ALLOWED_RTE_CALLS = {"rte_reciprocal_value_u64"}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)


def floor_of(path):
    """The floor of a file (top-relative), or None for tests, benches and the like."""
    d = os.path.dirname(path)
    while d:
        if d in FLOORS:
            return d
        d = os.path.dirname(d)
    return None


def sources():
    for root in ("app", "drivers", "test", "bench"):
        for dirpath, _, names in os.walk(os.path.join(TOP, root)):
            for n in names:
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, n), TOP)


def check_includes(files):
    """Every breach of the rule in files, one line each."""
    bad = []
    for f in files:
        text = open(os.path.join(TOP, f), encoding="utf-8", errors="replace").read()
        room = floor_of(f)
        for kind, name in INCLUDE.findall(text):
            line = text[:text.find(name)].count("\n") + 1
            where = f"{f}:{line}"
            if kind == "<":
                if room == "app/core" and name.startswith("rte_") and name not in ALLOWED_RTE:
                    bad.append(f"{where}: app/core includes <{name}>, not on the header-only list")
                continue
            # Local helpers of a test or bench folder are the one exception to the top-relative spelling.
            if not os.path.exists(os.path.join(TOP, name)):
                sibling = os.path.join(os.path.dirname(f), name)
                if room is None and os.path.exists(os.path.join(TOP, sibling)) and "/" not in name:
                    continue
                bad.append(f'{where}: "{name}" is not a path from the top of the tree')
                continue
            if room is None:
                continue
            target = floor_of(name)
            if target is None:
                bad.append(f'{where}: the appliance includes "{name}" from outside app/ and drivers/')
            elif target != room and FLOORS[target] >= FLOORS[room]:
                bad.append(f'{where}: {room} (floor {FLOORS[room]}) includes "{name}" '
                           f"from {target} (floor {FLOORS[target]})")
    return bad


def check_cycles(files):
    """Units (x.c with x.h) that use each other, by any path: one line per circle."""
    uses = {}
    for f in files:
        if floor_of(f) is None:
            continue
        unit = f[:-2]
        text = open(os.path.join(TOP, f), encoding="utf-8", errors="replace").read()
        for kind, name in INCLUDE.findall(text):
            if kind == '"' and name.endswith(".h") and name[:-2] != unit:
                uses.setdefault(unit, set()).add(name[:-2])
    # Tarjan's strongly connected components, without recursion.
    index, low, stack, on, circles, n = {}, {}, [], set(), [], 0
    for root in sorted(uses):
        if root in index:
            continue
        work = [(root, iter(sorted(uses.get(root, ()))))]
        index[root] = low[root] = n
        n += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n
                    n += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(uses.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    circles.append(sorted(comp))
    return [f"{c[0]}.c: a circle of includes: {' <-> '.join(c)}" for c in circles]


def check_core_calls(lib):
    out = subprocess.run(["nm", "-u", "--format=just-symbols", lib], check=True, capture_output=True,
                         text=True).stdout.split()
    calls = sorted({s for s in out if s.startswith("rte_")} - ALLOWED_RTE_CALLS)
    return [f"{lib}: app/core calls {s}" for s in calls]


def selftest():
    """The checker itself catches each kind of breach (so a green run means something)."""
    import tempfile
    cases = {
        "app/core/zz_up.c": '#include "app/dp/port.h"\n',
        "app/core/zz_rte.c": "#include <rte_ethdev.h>\n",
        "app/scan/zz_room.c": '#include "app/respond/conf.h"\n',
        "app/probes/zz_rel.c": '#include "../core/err.h"\n',
        "drivers/zz_app.c": '#include "app/probes/probe.h"\n',
    }
    global TOP
    real = TOP
    with tempfile.TemporaryDirectory() as tmp:
        for path in ["app/dp/port.h", "app/respond/conf.h", "app/core/err.h", "app/probes/probe.h"]:
            os.makedirs(os.path.join(tmp, os.path.dirname(path)), exist_ok=True)
            open(os.path.join(tmp, path), "w").close()
        for path, text in cases.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(path)), exist_ok=True)
            open(os.path.join(tmp, path), "w").write(text)
        circle = {"app/scan/zz_a.c": '#include "app/scan/zz_b.h"\n', "app/scan/zz_b.h": "",
                  "app/scan/zz_b.c": '#include "app/scan/zz_c.h"\n', "app/scan/zz_c.h": '#include "app/scan/zz_a.h"\n',
                  "app/scan/zz_a.h": ""}
        for path, text in circle.items():
            open(os.path.join(tmp, path), "w").write(text)
        TOP = tmp
        try:
            found = check_includes(list(cases))
            found += check_cycles(list(cases) + list(circle))
        finally:
            TOP = real
    caught = {line.split(":")[0] for line in found}
    missed = sorted(set(cases) - caught) + sorted({"app/scan/zz_a.c"} - caught)
    return [f"self-test: the checker misses the breach in {m}" for m in missed]


def main():
    files = sorted(sources())
    bad = selftest()
    bad += check_includes(files)
    bad += check_cycles(files)
    if len(sys.argv) > 1:
        bad += check_core_calls(sys.argv[1])
    for line in bad:
        print(line)
    print(f"layering: {len(files)} files read, {len(bad)} breaches")
    if not files or (len(sys.argv) > 1 and not os.path.exists(sys.argv[1])):
        print("layering: nothing was checked")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
