#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh HARNESS NAME RUNS: replay NAME's regression inputs (each must pass), then fuzz RUNS
# inputs from its seed corpus with a fixed seed, so that a fresh clone's verdict is the same
# every time (a new finding comes from hours of fuzzing, test/fuzz/README, not from CI's dice). New inputs go to a scratch directory (the tree's corpus is
# only read); a crash, leak or sanitizer report fails with its input kept under the build's
# meson-logs/fuzz-NAME-*, to add to regress/NAME/ once fixed.
set -u
h=$1 name=$2 runs=$3
dir=${FUZZ_DIR:-$(cd "$(dirname "$0")" && pwd)}
work=$(mktemp -d /tmp/trawl-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
art=${MESON_BUILD_ROOT:-$(dirname "$h")}/meson-logs
mkdir -p "$art" "$work/corpus"
regress=("$dir/regress/$name"/*)
if [ -e "${regress[0]}" ]; then
	"$h" -artifact_prefix="$art/fuzz-$name-" "${regress[@]}" || { echo "FAIL: a regression input of $name"; exit 1; }
	echo "$name: ${#regress[@]} regression inputs replayed"
fi
"$h" -seed=1 -runs="$runs" -max_total_time=120 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/fuzz-$name-" \
	"$work/corpus" "$dir/corpus/$name" 2>&1 | grep -v "^#[0-9]*	\(NEW\|REDUCE\|pulse\)" | tail -40
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] && echo "$name: no crash, leak or sanitizer report in $runs inputs" || echo "FAIL: $name (exit $rc)"
exit "$rc"
