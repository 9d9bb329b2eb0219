#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package: dpkg-buildpackage -us -uc -b on a copy of the tree
# builds trawl_VERSION_amd64.deb; installed (dpkg -i, as root), trawl
# --version, the man pages, the conffiles and the units are there, and a
# net_null scan runs from the installed paths with no source tree left
# (its default blocklist is /etc/trawl's); then it is purged. The package
# is removed, and the copy deleted, however the test ends.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: installing a package needs root"; exit 77; }
command -v dpkg-buildpackage >/dev/null || { echo "SKIP: dpkg-dev not installed (deploy/setup.sh)"; exit 77; }
if dpkg-query -W -f='${Status}' trawl 2>/dev/null | grep -q "install ok installed"; then
	echo "SKIP: a trawl package is installed on this machine already; not replacing it"
	exit 77
fi
work=$(mktemp -d /tmp/trawl-test-deb-XXXXXX)
pass=0 fail=0
cleanup() {
	dpkg --purge trawl >/dev/null 2>&1
	rm -rf "$work" /var/run/dpdk/trawl-deb-$$
}
trap cleanup EXIT
check() { # check WHAT CMD...
	local what=$1; shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; return 1; fi
}

version=$(cat "$src/VERSION")
# A copy of what is in git (and changed, not yet committed): no build trees, no .git.
mkdir "$work/trawl-$version"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c --no-recursion 2>/dev/null) |
	tar -x -C "$work/trawl-$version"
check "debian/changelog's version is VERSION ($version)" \
	grep -q "^trawl ($version) " "$work/trawl-$version/debian/changelog"
start=$(date +%s)
(cd "$work/trawl-$version" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1
rc=$?
echo "dpkg-buildpackage: exit $rc in $(( $(date +%s) - start )) s"
[ $rc = 0 ] || tail -40 "$work/build.log"
deb=$work/trawl_${version}_amd64.deb
check "dpkg-buildpackage builds trawl_${version}_amd64.deb" test -f "$deb"
if [ ! -f "$deb" ]; then echo "$pass passed, $fail failed"; exit 1; fi
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/trawl ./etc/trawl/blocklist.conf ./etc/trawl/hugepages.conf ./etc/trawl/example-campaign.yaml \
	./usr/share/trawl/udp-probes/dns_53.pkt ./usr/libexec/trawl/trawl-hugepages ./usr/libexec/trawl/trawl-nic \
	./usr/libexec/trawl/trawl-intent-page ./usr/share/trawl/intent-page.html.in ./etc/trawl/intent.conf \
	./lib/systemd/system/trawl-hugepages.service ./lib/systemd/system/trawl-nic@.service \
	./usr/share/man/man1/trawl.1.gz ./usr/share/man/man1/trawl-scan.1.gz ./usr/share/man/man1/trawl-respond.1.gz \
	./usr/share/man/man1/trawl-campaign.1.gz ./usr/share/man/man1/trawl-optout.1.gz; do
	check "the package holds $f" grep -q " $f\$" <<<"$contents"
done
check "/etc/trawl's files are conffiles" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./conffiles | grep -qx /etc/trawl/blocklist.conf"
check "the package depends on DPDK's libraries (shlibs)" sh -c "dpkg-deb -f '$deb' Depends | grep -q librte"

# Install, then take the source tree away: what runs is what the package put in place.
dpkg -i "$deb" > "$work/install.log" 2>&1
check "dpkg -i installs it" test $? = 0 || cat "$work/install.log"
# Nothing enabled or started at install: the operator chooses the hugepages and the NIC.
enabled=$(find /etc/systemd/system -name 'trawl-*' 2>/dev/null)
check "no unit enabled by the install ($enabled)" test -z "$enabled"
rm -rf "${work:?}/trawl-$version"
check "trawl --version from /usr/bin is $version" sh -c "/usr/bin/trawl --version | grep -qx 'trawl $version'"
check "man -l reads trawl-scan(1)" sh -c "zcat /usr/share/man/man1/trawl-scan.1.gz | grep -q '^\.TH TRAWL-SCAN '"
eal="--no-huge -m 256 --no-pci --file-prefix trawl-deb-$$"
out=$(cd / && /usr/bin/trawl scan --dev net_null0 --eal "$eal" -S 198.19.0.2 -G 02:00:00:00:00:01 -p 80 -q 198.18.0.0/24 2>&1)
check "the installed blocklist is the default one ($out)" grep -q "blocklist /etc/trawl/blocklist.conf" <<<"$out"
(cd / && /usr/bin/trawl scan --dev net_null0 --eal "$eal" -S 198.19.0.2 -G 02:00:00:00:00:01 -b /dev/null -p 80 \
	-r 0 -c 0 -q -o "$work/out.csv" -m "$work/meta.json" 198.18.0.0/24) > "$work/scan.log" 2>&1
check "a net_null scan from the installed binary: exit 0" test $? = 0 || cat "$work/scan.log"
check "it sent a probe to each of 256 targets" grep -q '"packets_sent": 256' "$work/meta.json"
check "it ran as nobody" grep -q '"run_as_user": "nobody"' "$work/meta.json"
if command -v systemd-analyze >/dev/null; then
	v=$(systemd-analyze verify --man=no /lib/systemd/system/trawl-hugepages.service 'trawl-nic@0000\x3a01\x3a00.0.service' 2>&1 | grep trawl)
	check "systemd-analyze verify: the installed units are clean ($v)" test -z "$v"
fi
dpkg --purge trawl > "$work/purge.log" 2>&1
check "dpkg --purge removes it" test $? = 0
check "purged: no /usr/bin/trawl, no /etc/trawl" sh -c "! test -e /usr/bin/trawl && ! test -e /etc/trawl"
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] || echo "FAIL: no check ran"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
