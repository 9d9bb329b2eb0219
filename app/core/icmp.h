/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ICMP_H
#define TRAWL_ICMP_H

#include <stdint.h>

#include "app/core/packet.h"

/*
 * ICMP errors (RFC 792, RFC 1812 4.3.2.3): destination unreachable, source
 * quench, redirect, time exceeded and parameter problem carry the IP header
 * of the datagram that caused them and at least its first 8 bytes. That
 * quote is what proves an error is about one of our probes: a module checks
 * the quoted header's MAC fields as it would a direct reply's. Like every
 * parser here, bounds come from what was captured; a quote that is cut
 * short, claims an IHL past the bytes held, or is a later fragment is
 * refused.
 */
#define TRAWL_ICMP_ECHOREPLY 0
#define TRAWL_ICMP_UNREACH 3
#define TRAWL_ICMP_SOURCEQUENCH 4
#define TRAWL_ICMP_REDIRECT 5
#define TRAWL_ICMP_ECHO 8
#define TRAWL_ICMP_TIMXCEED 11
#define TRAWL_ICMP_PARAMPROB 12
#define TRAWL_ICMP_UNREACH_PORT 3
/* The ICMP header before the quote (type, code, checksum, 4 bytes the type defines). */
#define TRAWL_ICMP_HDR_LEN 8
/* What a quote must hold past its IP header: the L4 bytes every error carries. */
#define TRAWL_ICMP_QUOTE_L4 8

/** The datagram an ICMP error quotes. */
struct trawl_icmp_quote {
	uint8_t type;         /**< the error's type and code */
	uint8_t code;
	uint8_t proto;        /**< quoted IP protocol */
	uint32_t saddr;       /**< quoted source, host order */
	uint32_t daddr;       /**< quoted destination, host order */
	uint16_t ipid;        /**< quoted IP ID, host order */
	const uint8_t *l4;    /**< the quoted L4 header's first bytes */
	uint32_t l4_len;      /**< bytes of it held, >= TRAWL_ICMP_QUOTE_L4 */
};

/** Whether ICMP @p type is an error message that quotes a datagram. */
static inline int
trawl_icmp_is_error(uint8_t type)
{
	return type == TRAWL_ICMP_UNREACH || type == TRAWL_ICMP_SOURCEQUENCH || type == TRAWL_ICMP_REDIRECT ||
		type == TRAWL_ICMP_TIMXCEED || type == TRAWL_ICMP_PARAMPROB;
}

/**
 * Parse the ICMP error in @p v (v->proto must be ICMP) and the datagram it
 * quotes. @return 0, or -EINVAL if it is no error message or the quote is
 * malformed or truncated.
 */
int trawl_icmp_quote_parse(const struct trawl_ipv4_view *v, struct trawl_icmp_quote *q);

/** The human name of an unreachable code (RFC 792, RFC 1812), as ZMap's icmp_unreach_str. */
const char *trawl_icmp_unreach_name(uint8_t code);

/* ICMPv6 (RFC 4443; RFC 4861 for neighbour discovery). */
#define TRAWL_ICMP6_UNREACH 1
#define TRAWL_ICMP6_TOOBIG 2
#define TRAWL_ICMP6_TIMXCEED 3
#define TRAWL_ICMP6_PARAMPROB 4
#define TRAWL_ICMP6_ECHO 128
#define TRAWL_ICMP6_ECHOREPLY 129
#define TRAWL_ICMP6_UNREACH_PORT 4
#define TRAWL_ICMP6_NS 135
#define TRAWL_ICMP6_NA 136

/** The IPv6 packet an ICMPv6 error quotes. */
struct trawl_icmp6_quote {
	uint8_t type;
	uint8_t code;
	uint8_t proto;           /**< the quoted packet's upper-layer protocol */
	struct trawl_ip6 saddr;  /**< quoted source */
	struct trawl_ip6 daddr;  /**< quoted destination */
	const uint8_t *l4;       /**< the quoted upper-layer header's first bytes */
	uint32_t l4_len;         /**< bytes of it held, >= TRAWL_ICMP_QUOTE_L4 */
};

/** Whether ICMPv6 @p type is an error message (types below 128 quote the invoking packet). */
static inline int
trawl_icmp6_is_error(uint8_t type)
{
	return type >= TRAWL_ICMP6_UNREACH && type <= TRAWL_ICMP6_PARAMPROB;
}

/**
 * Parse the ICMPv6 error in @p v (v->proto must be ICMPv6) and the packet it
 * quotes, extension headers and all (bounded as trawl_ipv6_parse bounds
 * them, inside the quote). @return 0, or -EINVAL if it is no error or the
 * quote is malformed or too short to hold the upper-layer header's first
 * TRAWL_ICMP_QUOTE_L4 bytes.
 */
int trawl_icmp6_quote_parse(const struct trawl_ipv6_view *v, struct trawl_icmp6_quote *q);

/** The human name of an ICMPv6 destination-unreachable code (RFC 4443 3.1). */
const char *trawl_icmp6_unreach_name(uint8_t code);

#endif
