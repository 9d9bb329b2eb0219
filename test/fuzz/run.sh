#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh HARNESS NAME SECONDS: replay NAME's regression inputs (each must pass), then fuzz for
# SECONDS from its seed corpus. New inputs go to a scratch directory (the tree's corpus is
# only read); a crash, leak or sanitizer report fails with its input kept under the build's
# meson-logs/fuzz-NAME-*, to add to regress/NAME/ once fixed.
set -u
h=$1 name=$2 secs=$3
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
"$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/fuzz-$name-" \
	"$work/corpus" "$dir/corpus/$name" 2>&1 | grep -v "^#[0-9]*	\(NEW\|REDUCE\|pulse\)" | tail -40
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] && echo "$name: no crash, leak or sanitizer report in $secs s" || echo "FAIL: $name (exit $rc)"
exit "$rc"
