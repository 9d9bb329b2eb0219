/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FINGERPRINT_H
#define TRAWL_FINGERPRINT_H

#include <stdint.h>

/*
 * Which scanner toolchain sent a TCP SYN, from header artefacts (after
 * Ghiette, Blenn and Doerr, "Remote Identification of Port Scan
 * Toolchains", 2016), each rule checked against real probes on our testbed:
 *  - trawl: IP ID = (seq ^ seq >> 16 ^ dport ^ 0x7477) mod 2^16, a
 *    deliberate, key-free self-identification (trawl_fp_trawl_ipid()), window
 *    65535, one MSS option;
 *  - masscan: IP ID = (daddr ^ dport ^ seq) mod 2^16 (its templ-pkt.c), window 1024;
 *  - ZMap: IP ID 54321 (ZMap up to 2.x; Debian's 2.1.1 does it), window 65535;
 *  - nmap -sS: window 1024 with exactly one option, MSS; per source, the
 *    sequence number's halves XOR to a constant (seq32_encode mirrors a
 *    16-bit value into both halves under a per-scan mask);
 *  - unicornscan: seq ^ saddr ^ (sport << 16 | dport) is a session key
 *    that stays constant: seen twice from one source, it is unicornscan.
 * The keyed rules need state per source address (struct trawl_fp_source);
 * the first probe of such a source is counted once the second confirms it.
 *
 * ICMP echo requests and UDP datagrams carry fewer artefacts; per packet:
 *  - trawl: echo IP ID = trawl_fp_trawl_echo_ipid(id << 16 | seq); UDP IP ID =
 *    trawl_fp_trawl_udp_ipid(daddr, sport, dport), neither ever 54321;
 *  - ZMap: IP ID 54321, as for its SYNs (ZMap 2.x builds every module's IP
 *    header the same way; checked against Debian's 2.1.1 on our testbed);
 *  - anything else is unknown (no keyed rules: the TCP rules' state is left alone).
 */
enum trawl_toolchain {
	TRAWL_TC_ZMAP = 0,
	TRAWL_TC_MASSCAN,
	TRAWL_TC_UNICORNSCAN,
	TRAWL_TC_NMAP,
	TRAWL_TC_TRAWL,
	TRAWL_TC_UNKNOWN,
	TRAWL_TC_MAX,
};

extern const char *const trawl_toolchain_names[TRAWL_TC_MAX];

/* trawl's own IP ID, so that a responder can tell trawl's probes without a key. */
static inline uint16_t
trawl_fp_trawl_ipid(uint32_t seq, uint16_t dport)
{
	return (uint16_t)(seq ^ (seq >> 16) ^ dport ^ 0x7477);
}

/*
 * Echo requests and UDP datagrams carry no window or options to tell tools
 * apart, only the IP ID: trawl's never takes ZMap's constant 54321 (it
 * becomes 54320), so neither tool's probe can meet the other's rule.
 */
#define TRAWL_FP_ZMAP_IPID 54321

static inline uint16_t
trawl_fp_not_zmap(uint16_t ipid)
{
	return ipid == TRAWL_FP_ZMAP_IPID ? (uint16_t)(TRAWL_FP_ZMAP_IPID - 1) : ipid;
}

/* trawl's echo requests: of the identifier and sequence number (@p idseq = id << 16 | seq). */
static inline uint16_t
trawl_fp_trawl_echo_ipid(uint32_t idseq)
{
	return trawl_fp_not_zmap(trawl_fp_trawl_ipid(idseq, 0));
}

/*
 * trawl's UDP probes: no sequence number to relate to, so the IP ID is a
 * function of the fields a responder sees (and an ICMP error quotes back).
 */
static inline uint16_t
trawl_fp_trawl_udp_ipid(uint32_t daddr, uint16_t sport, uint16_t dport)
{
	return trawl_fp_not_zmap(trawl_fp_trawl_ipid(daddr, (uint16_t)(sport ^ dport)));
}

enum trawl_fp_kind {
	TRAWL_FP_TCP_SYN = 0,
	TRAWL_FP_ICMP_ECHO,   /**< seq holds identifier << 16 | sequence number */
	TRAWL_FP_UDP,
};

/* The fields of a probe the rules look at (host byte order). */
struct trawl_fp_probe {
	uint8_t kind;         /**< enum trawl_fp_kind */
	uint32_t saddr, daddr, seq;
	uint16_t sport, dport, ipid, window;
	uint8_t ttl;
	uint8_t opt_len;      /**< TCP option bytes */
	uint8_t opt_mss_only; /**< the options are exactly one MSS option */
	uint8_t v6;           /**< an IPv6 probe: saddr/daddr are the addresses folded, ipid the flow label's low bits */
};

/* What is remembered per source address. */
struct trawl_fp_source {
	uint32_t unicorn_key;   /**< seq ^ saddr ^ ports of the last unattributed probe */
	uint16_t nmap_halves;   /**< seq >> 16 ^ seq & 0xffff of the last probe */
	uint16_t pending;       /**< unattributed probes that a later match may claim */
	uint8_t seen;           /**< at least one probe before */
	uint8_t confirmed;      /**< toolchain + 1 once a keyed rule matched */
};

/**
 * Attribute @p p. @p src is this source's state (zeroed for a new source),
 * updated. Sets *claimed to how many earlier probes of this source this
 * decision also attributes (a keyed rule confirmed on its second probe).
 */
enum trawl_toolchain trawl_fingerprint(const struct trawl_fp_probe *p, struct trawl_fp_source *src,
		uint32_t *claimed);

#endif
