/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESULT_H
#define TRAWL_RESULT_H

#include <stdint.h>

/* How a validated reply was understood; names as ZMap prints them. */
enum trawl_class {
	TRAWL_CLASS_SYNACK = 0,
	TRAWL_CLASS_RST,
	TRAWL_CLASS_ECHOREPLY,     /**< icmp_echoscan: the host is up */
	TRAWL_CLASS_UNREACH,       /**< icmp_echoscan: destination unreachable about our probe */
	TRAWL_CLASS_SOURCEQUENCH,
	TRAWL_CLASS_REDIRECT,
	TRAWL_CLASS_TIMXCEED,      /**< time exceeded in transit about our probe */
	TRAWL_CLASS_OTHER,         /**< another ICMP error (parameter problem) about our probe */
	TRAWL_CLASS_UDP,           /**< udp: a UDP reply from the target port */
	TRAWL_CLASS_ICMP_UNREACH,  /**< udp: destination unreachable about our probe (code 3: port closed) */
	TRAWL_CLASS_MAX,
};

extern const char *const trawl_class_names[TRAWL_CLASS_MAX];

/*
 * One validated reply, as an RX lcore hands it to the writer over an
 * rte_ring: a fixed-size plain record (no mbuf travels), 56 bytes. A module
 * that keeps reply bytes (udp's data) has them follow the record in the same
 * ring element (trawl_result_data), data_len of them: the element is
 * sizeof(struct trawl_result) + the module's data_max, fixed for a run.
 */
struct trawl_result {
	uint64_t tsc;        /**< rte_rdtsc() when the RX lcore saw it */
	uint64_t target;     /**< target index (trawl_target_index): what dedup remembers */
	uint32_t saddr;      /**< the target (for an ICMP error: the destination our quoted probe went to) */
	uint32_t daddr;      /**< our address (reply destination) */
	uint16_t sport;      /**< target port (0 for modules without ports) */
	uint16_t dport;      /**< our source port */
	uint32_t seq;        /**< TCP: reply's sequence number; ICMP echo: the sequence number */
	uint16_t ipid;
	uint16_t window;
	uint8_t ttl;
	uint8_t cls;         /**< enum trawl_class */
	uint8_t success;     /**< 1: the target is open (up, for ICMP echo) */
	uint8_t repeat;      /**< set by the writer's deduplication */
	uint32_t responder;  /**< who sent the reply (an ICMP error's source: a router, or the target) */
	uint16_t icmp_id;    /**< ICMP echo identifier */
	uint16_t udp_len;    /**< UDP length field of the reply (udp_pkt_size) */
	uint16_t data_len;   /**< reply bytes following the record (at most the module's data_max) */
	uint8_t icmp_type;   /**< ICMP type of the reply, 0 when it is none */
	uint8_t icmp_code;
};

/** The reply bytes a module kept, after the record in its ring element. */
static inline const uint8_t *
trawl_result_data(const struct trawl_result *r)
{
	return (const uint8_t *)(r + 1);
}

/** Ring element size for a module keeping up to @p data_max bytes: a multiple of 8. */
static inline unsigned int
trawl_result_size(unsigned int data_max)
{
	return (unsigned int)((sizeof(struct trawl_result) + data_max + 7) & ~7u);
}

/** Element @p i of an array of records @p stride bytes apart. */
static inline struct trawl_result *
trawl_result_at(void *base, unsigned int stride, unsigned int i)
{
	return (struct trawl_result *)((uint8_t *)base + (uint64_t)stride * i);
}

#endif
