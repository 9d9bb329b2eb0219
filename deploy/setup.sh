#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what trawl needs on Debian bookworm (as root), then build it.
#   deploy/setup.sh [--bench]   (--bench: what bench/run.sh needs as well)
# Idempotent: installs only what is missing, reconfigures only when needed.
# CI=true builds with -Werror.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

PKGS=(gcc libc6-dev meson ninja-build pkg-config
	dpdk-dev libdpdk-dev libnuma-dev libjansson-dev libyaml-dev libpcap-dev libsqlite3-dev sqlite3 systemd
	iproute2 nftables ethtool tcpdump tshark python3 python3-scapy python3-prometheus-client python3-cryptography
	zmap masscan nmap openssl curl openssh-client iputils-ping
	clang libclang-rt-dev llvm util-linux
	help2man debhelper dpkg-dev)
# clang, its sanitizer and libFuzzer runtimes and llvm-symbolizer: deploy/test.sh's sanitizer stage.
# help2man: the man pages; debhelper and dpkg-dev: the .deb (debian/, test/package).
# openssl: the virtual internet's test certificate at build time, and s_client/s_server in the tests;
# python3-cryptography: the tests compute the probes' MAC (AES-128) with it, apart from trawl's code.
# curl and openssh-client (ssh-keyscan): kernel clients of the virtual internet's services.
# iputils-ping: the scan address answers ping through the kernel path (test/integration/test_kpath.sh).
# bench/run.sh also plots (matplotlib) and counts instructions (valgrind); dpdk-testpmd comes with dpdk-dev.
[ "${1:-}" = --bench ] && PKGS+=(python3-matplotlib valgrind iperf3)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

werror=false
[ "${CI:-}" = true ] && werror=true
if [ -f build/build.ninja ]; then
	meson configure build -Dwerror=$werror >/dev/null
else
	meson setup build -Dwerror=$werror >/dev/null
fi
meson compile -C build >/dev/null
echo "setup: built $(build/app/trawl --version)"
