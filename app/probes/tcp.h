/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PROBE_TCP_H
#define TRAWL_PROBE_TCP_H

/*
 * What the two TCP modules share (tcp_synscan.c holds it): the SYN probe,
 * the reply's checks, the RST, and the canary ports. tcp_banner differs
 * only after the SYN-ACK.
 */
#include "app/probes/probe.h"

/* The SYN template and the RST's (ctx->priv[0..4]); a module's own values start at TRAWL_TCP_PRIV_FREE. */
#define TRAWL_TCP_PRIV_FREE 5

int trawl_tcp_syn_prepare(struct trawl_probe_ctx *ctx);
void trawl_tcp_syn_make(uint8_t *const bufs[], const struct trawl_target tgt[], unsigned int n,
		const struct trawl_probe_ctx *ctx);

/* A TCP reply's fixed checks: ours, whole, header inside what we hold. */
enum trawl_rx_verdict trawl_tcp_check(const struct trawl_probe_ctx *ctx, const struct trawl_ipv4_view *v);

/*
 * The target a validated reply from (v->saddr, port) counts for: its index
 * in the scan, or for a canary port (ctx->canaries) the address's canary
 * key (space->count + the index of its first port), with *canary set.
 */
uint64_t trawl_tcp_target(const struct trawl_probe_ctx *ctx, uint32_t addr, uint16_t port, int *canary);

/* The fields every TCP result carries, from the reply. */
void trawl_tcp_fill(const struct trawl_ipv4_view *v, uint64_t target, struct trawl_result *r);

/* A SYN-ACK with window 0 and no options: what tarpits and middleboxes send (naabu drops them). */
int trawl_tcp_zerowin(const struct rte_tcp_hdr *tcp);

/* The RST to (r->saddr, r->sport) from our r->dport with sequence number seq: 60 bytes at buf. */
uint16_t trawl_tcp_rst(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq);

/*
 * Canary port i (< ctx->canaries) of target address @p addr: from the MAC
 * in its own domain (bit 32 of the second word: probes use 16-bit ports),
 * redrawn while it is one of the scan's ports. 0: none found (the scan
 * covers nearly every port).
 */
uint16_t trawl_tcp_canary_port(const struct trawl_probe_ctx *ctx, uint32_t addr, unsigned int i);

/* IPv6 (probes/tcp6.c): the SYN template and the RST's in ctx->tmpl6, tmpl6_answer and priv6[0..1]. */
int trawl_tcp6_prepare(struct trawl_probe_ctx *ctx);
void trawl_tcp6_make(uint8_t *const bufs[], const struct trawl_target6 tgt[], unsigned int n,
		const struct trawl_probe_ctx *ctx);
enum trawl_rx_verdict trawl_tcp6_check(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v);
/** Canary port @p i of IPv6 address @p addr (as trawl_tcp_canary_port). */
uint16_t trawl_tcp6_canary_port(const struct trawl_probe_ctx *ctx, struct trawl_ip6 addr, unsigned int i);
/** The target index of a reply from [@p addr]:@p port, or its canary key with *canary set (as trawl_tcp_target). */
uint64_t trawl_tcp6_target(const struct trawl_probe_ctx *ctx, struct trawl_ip6 addr, uint16_t port, int *canary);
void trawl_tcp6_fill(const struct trawl_ipv6_view *v, uint64_t target, struct trawl_result *r);
enum trawl_rx_verdict trawl_tcp6_syn_classify(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v,
		struct trawl_result *r);
/* The RST to r->responder6 port r->sport from our r->dport with sequence number seq: 74 bytes at buf. */
uint16_t trawl_tcp6_rst(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r, uint32_t seq);
uint16_t trawl_tcp6_syn_answer(uint8_t *buf, const struct trawl_ipv6_view *v, const struct trawl_probe_ctx *ctx,
		const struct trawl_result *r);

#endif
