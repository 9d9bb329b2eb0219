#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send rate as the sink saw it: SYNs in a pcap, (count - 1) / (last - first).
Reads pcap record headers only (fast, no scapy). Prints 'count rate_pps'."""
import struct
import sys

with open(sys.argv[1], "rb") as f:
    hdr = f.read(24)
    magic = struct.unpack("<I", hdr[:4])[0]
    endian, scale = ("<", 1e-6) if magic in (0xA1B2C3D4, 0xA1B23C4D) else (">", 1e-6)
    if magic in (0xA1B23C4D, 0x4D3CB2A1):
        scale = 1e-9
    n, first, last = 0, None, None
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            break
        sec, frac, incl, _ = struct.unpack(endian + "IIII", rec)
        f.seek(incl, 1)
        t = sec + frac * scale
        first = t if first is None else first
        last = t
        n += 1
rate = (n - 1) / (last - first) if n > 1 and last > first else 0.0
print(n, f"{rate:.0f}")
