/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_RESULT_H
#define TRAWL_RESULT_H

#include <stdint.h>

/* How a validated reply was understood; names as ZMap prints them. */
enum trawl_class {
	TRAWL_CLASS_SYNACK = 0,
	TRAWL_CLASS_RST,
	TRAWL_CLASS_MAX,
};

extern const char *const trawl_class_names[TRAWL_CLASS_MAX];

/*
 * One validated reply, as an RX lcore hands it to the writer over an
 * rte_ring: a fixed-size plain record (no mbuf travels), 40 bytes.
 */
struct trawl_result {
	uint64_t tsc;        /**< rte_rdtsc() when the RX lcore saw it */
	uint64_t target;     /**< target index (trawl_target_index): what dedup remembers */
	uint32_t saddr;      /**< the target (reply source), host order */
	uint32_t daddr;      /**< our address (reply destination) */
	uint16_t sport;      /**< target port */
	uint16_t dport;      /**< our source port */
	uint32_t seq;        /**< reply's sequence number */
	uint16_t ipid;
	uint16_t window;
	uint8_t ttl;
	uint8_t cls;         /**< enum trawl_class */
	uint8_t success;     /**< 1: the target is open */
	uint8_t repeat;      /**< set by the writer's deduplication */
};

#endif
