#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite: install and build (deploy/setup.sh), then unit,
# data-plane (vdevs, --no-huge) and integration (namespaces) tests through
# meson. Ends with one "N passed, N failed, N skipped" line.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
deploy/setup.sh || exit 1
meson test -C build --print-errorlogs "$@"
rc=$?
/usr/bin/python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
res = [json.loads(line)["result"] for line in open(sys.argv[1]) if line.strip()]
ok = sum(r in ("OK", "EXPECTEDFAIL") for r in res)
skip = sum(r == "SKIP" for r in res)
print(f"meson: {ok} passed, {len(res) - ok - skip} failed, {skip} skipped")
PY
exit $rc
