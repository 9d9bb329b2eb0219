#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A man page from a help text: h2m.sh TRAWL SUB|- VERSION NAME INCLUDE OUT (VERSION: the number).
# help2man names the page after the program it runs and its version string,
# so for `trawl scan` it runs a two-line wrapper called trawl-scan (the page is trawl-scan(1)).
set -eu
trawl=$1 sub=$2 version=$3 name=$4 include=$5 out=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$sub" = - ]; then
	prog=$tmp/trawl
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$trawl" > "$prog"
else
	prog=$tmp/trawl-$sub
	printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$trawl" "$sub" > "$prog"
fi
chmod +x "$prog"
help2man --no-info --no-discard-stderr --version-string="$(basename "$prog") $version" --source="trawl $version" --name="$name" \
	--include="$include" --output="$out" "$prog"
