/* SPDX-License-Identifier: BSD-3-Clause */
#include "app/core/fingerprint.h"

const char *const trawl_toolchain_names[TRAWL_TC_MAX] = {
	[TRAWL_TC_ZMAP] = "zmap",
	[TRAWL_TC_MASSCAN] = "masscan",
	[TRAWL_TC_UNICORNSCAN] = "unicornscan",
	[TRAWL_TC_NMAP] = "nmap",
	[TRAWL_TC_TRAWL] = "trawl",
	[TRAWL_TC_UNKNOWN] = "unknown",
};

#define ZMAP_WINDOW 65535
#define MASSCAN_WINDOW 1024
#define NMAP_WINDOW 1024
#define TRAWL_WINDOW 65535

enum trawl_toolchain
trawl_fingerprint(const struct trawl_fp_probe *p, struct trawl_fp_source *src, uint32_t *claimed)
{
	uint32_t ukey = p->seq ^ p->saddr ^ ((uint32_t)p->sport << 16 | p->dport);
	uint16_t halves = (uint16_t)((p->seq >> 16) ^ (p->seq & 0xffff));
	enum trawl_toolchain tc = TRAWL_TC_UNKNOWN;

	*claimed = 0;
	if (p->kind == TRAWL_FP_ICMP_ECHO || p->kind == TRAWL_FP_UDP) {
		uint16_t ours = p->kind == TRAWL_FP_ICMP_ECHO ? trawl_fp_trawl_echo_ipid(p->seq) :
			trawl_fp_trawl_udp_ipid(p->daddr, p->sport, p->dport);

		if (p->ipid == ours)
			return TRAWL_TC_TRAWL;
		return p->ipid == TRAWL_FP_ZMAP_IPID ? TRAWL_TC_ZMAP : TRAWL_TC_UNKNOWN;
	}
	/* Per-packet rules first: each holds by chance for 1 probe in 65536 at most. */
	/* Each IP ID rule also asks for its tool's window (and trawl's for its one MSS
	 * option, which ZMap 2.x does not send), so one tool's probe that meets
	 * another's relation by chance (1 in 65536) is not misattributed. */
	if (p->ipid == trawl_fp_trawl_ipid(p->seq, p->dport) && p->window == TRAWL_WINDOW && p->opt_mss_only)
		tc = TRAWL_TC_TRAWL;
	else if (p->ipid == (uint16_t)(p->daddr ^ p->dport ^ p->seq) && p->window == MASSCAN_WINDOW)
		tc = TRAWL_TC_MASSCAN;
	else if (p->ipid == TRAWL_FP_ZMAP_IPID && p->window == ZMAP_WINDOW)
		tc = TRAWL_TC_ZMAP;
	else if (p->window == NMAP_WINDOW && p->opt_mss_only)
		tc = TRAWL_TC_NMAP;
	else if (src->confirmed)
		tc = (enum trawl_toolchain)(src->confirmed - 1);
	else if (src->seen && src->unicorn_key == ukey)
		tc = TRAWL_TC_UNICORNSCAN;
	else if (src->seen && src->nmap_halves == halves && p->window == NMAP_WINDOW)
		tc = TRAWL_TC_NMAP;

	if (tc == TRAWL_TC_UNKNOWN) {
		if (src->pending < UINT16_MAX)
			src->pending++;
	} else if (tc == TRAWL_TC_UNICORNSCAN || (tc == TRAWL_TC_NMAP && !p->opt_mss_only)) {
		/* A keyed rule: the probes it was keyed on were this toolchain's too. */
		src->confirmed = (uint8_t)(tc + 1);
		*claimed = src->pending;
		src->pending = 0;
	}
	src->unicorn_key = ukey;
	src->nmap_halves = halves;
	src->seen = 1;
	return tc;
}
