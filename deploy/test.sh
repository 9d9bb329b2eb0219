#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite: install and build (deploy/setup.sh), then unit,
# data-plane (vdevs, --no-huge), integration (namespaces) and install/boot
# tests through meson; then the Debian package built, installed, run and
# purged (suite package: in CI, or with TRAWL_PACKAGE=1); then the sanitizer stage: the unit and data-plane suites again and
# the fuzz harnesses' bounded runs, built by clang under ASan+UBSan
# (build-san; TRAWL_SANITIZE=0 skips it for a quick local run). Ends with one
# "N passed, N failed, N skipped" line over both. Extra arguments go to the
# first meson test.
set -uo pipefail
# Root for namespaces, hugepages and DPDK: run as root (a bare Debian has no sudo), or it asks sudo.
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "test: run as root (namespaces, hugepages, DPDK); there is no sudo here" >&2; exit 1; }
	exec sudo --preserve-env=CI,TRAWL_SANITIZE,TRAWL_PACKAGE "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
deploy/setup.sh || exit 1
meson test -C build --print-errorlogs "$@"  # the default setup leaves out the package suite
rc=$?
logs=()
[ -f build/meson-logs/testlog.json ] && logs+=(build/meson-logs/testlog.json)
if [ "${CI:-}" = true ] || [ "${TRAWL_PACKAGE:-0}" = 1 ]; then
	# A setup of its own writes its own log: testlog-package.json.
	rm -f build/meson-logs/testlog-package.json
	meson test -C build --print-errorlogs --setup package --suite package || rc=1
	[ -f build/meson-logs/testlog-package.json ] && logs+=(build/meson-logs/testlog-package.json)
fi

if [ "${TRAWL_SANITIZE:-1}" != 0 ]; then
	werror=false
	[ "${CI:-}" = true ] && werror=true
	if [ ! -f build-san/build.ninja ]; then
		CC=clang meson setup build-san -Db_sanitize=address,undefined -Dfuzz=true -Dbuildtype=debugoptimized \
			-Db_lundef=false -Dman=disabled -Dwerror=$werror >/dev/null || exit 1
	fi
	meson compile -C build-san >/dev/null || exit 1
	# Every report goes to a file of its own (a trawl a test runs may die with a status the test
	# does not look at): any report there fails the stage, with the report printed.
	san=$(mktemp -d /tmp/trawl-san-XXXXXX)
	export ASAN_OPTIONS="log_path=$san/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
	export UBSAN_OPTIONS="log_path=$san/ubsan:print_stacktrace=1:halt_on_error=1"
	export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer || true)
	meson test -C build-san --print-errorlogs --suite unit --suite dp --suite fuzz --no-suite heavy
	src=$?
	reports=$(grep -l -E "ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: " "$san"/* 2>/dev/null)
	if [ -n "$reports" ]; then
		echo "sanitizer reports:"
		for f in $reports; do echo "== $f"; head -60 "$f"; done
		src=1
	fi
	rm -rf "$san"
	[ "$src" = 0 ] || rc=1
	[ -f build-san/meson-logs/testlog.json ] && logs+=(build-san/meson-logs/testlog.json)
	[ -z "$reports" ] || logs+=(SANITIZER-REPORTS)
fi

/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, sys
res = []
for path in sys.argv[1:]:
    if path == "SANITIZER-REPORTS":
        res.append("FAIL")  # reports outside any test's own verdict count as one failure
        continue
    res += [json.loads(line)["result"] for line in open(path) if line.strip()]
ok = sum(r in ("OK", "EXPECTEDFAIL") for r in res)
skip = sum(r == "SKIP" for r in res)
print(f"meson: {ok} passed, {len(res) - ok - skip} failed, {skip} skipped")
PY
exit $rc
