#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Reserve 2 MiB hugepages (default 512 of them, 1 GiB) and mount hugetlbfs,
# then print the EAL memory arguments to use: empty when hugepages are
# ready, "--no-huge -m 512" when they cannot be had (DPDK then runs on
# ordinary memory: slower, still correct).
set -u
want=${1:-512}
sys=/sys/kernel/mm/hugepages/hugepages-2048kB
if [ -w "$sys/nr_hugepages" ] && [ "$(cat "$sys/nr_hugepages")" -lt "$want" ]; then
	echo "$want" > "$sys/nr_hugepages" 2>/dev/null
fi
if ! grep -qs ' hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null
fi
free=$(cat "$sys/free_hugepages" 2>/dev/null || echo 0)
if [ "$free" -ge 128 ] && grep -qs ' hugetlbfs ' /proc/mounts; then
	echo ""
else
	echo "hugepages: only $free free 2 MiB pages; falling back to --no-huge" >&2
	echo "--no-huge -m 512"
fi
