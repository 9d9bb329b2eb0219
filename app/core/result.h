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
	TRAWL_CLASS_DATA,          /**< tcp_banner: the server's first data, acknowledging our payload */
	TRAWL_CLASS_NODATA,        /**< tcp_banner: handshake done, no data by the hold time (reset by us) */
	TRAWL_CLASS_RESET,         /**< tcp_banner: the server reset the connection after the handshake */
	TRAWL_CLASS_CANARY,        /**< TCP modules: the address answered a canary port (answers every port) */
	TRAWL_CLASS_ZEROWIN,       /**< TCP modules: SYN-ACK with window 0 and no options (a middlebox's mark) */
	TRAWL_CLASS_MAX,
};

extern const char *const trawl_class_names[TRAWL_CLASS_MAX];

/*
 * One validated reply, as an RX lcore hands it to the writer over an
 * rte_ring: a fixed-size plain record (no mbuf travels), 64 bytes. Reply
 * bytes a module keeps (udp's data) travel beside it, on a second ring of
 * TRAWL_RESULT_CHUNK-byte chunks in the same order, only as many chunks as
 * the bytes need: a ring element as large as the largest data would cost
 * every reply its copy (measured: 223 against 116 cycles per UDP reply with
 * 512 against 64 bytes of room). data points to the bytes on the side that
 * holds them: the RX lcore's burst, then the writer's.
 */
#define TRAWL_RESULT_CHUNK 64
struct trawl_result {
	uint64_t tsc;        /**< rte_rdtsc() when the RX lcore saw it */
	uint64_t target;     /**< target index (trawl_target_index): what dedup remembers */
	union {
		struct {
			uint32_t saddr;      /**< the target (for an ICMP error: the destination our quoted probe went to) */
			uint32_t daddr;      /**< our address (reply destination) */
			uint32_t responder;  /**< who sent the reply (an ICMP error's source: a router, or the target) */
			uint32_t spare_;
		};
		/*
		 * IPv6 results: who sent the reply, network order. The target's
		 * address is its index's (the writer maps it back) and ours the
		 * run's, so the record stays one cache line.
		 */
		uint8_t responder6[16];
	};
	uint16_t sport;      /**< target port (0 for modules without ports) */
	uint16_t dport;      /**< our source port */
	uint32_t seq;        /**< TCP: reply's sequence number; ICMP echo: the sequence number */
	uint16_t ipid;
	uint16_t window;
	uint8_t ttl;
	uint8_t cls;         /**< enum trawl_class */
	uint8_t success;     /**< 1: the target is open (up, for ICMP echo) */
	uint8_t repeat;      /**< set by the writer's deduplication */
	uint8_t *data;       /**< data_len reply bytes kept (valid only on the lcore that filled it) */
	uint16_t icmp_id;    /**< ICMP echo identifier */
	uint16_t udp_len;    /**< UDP length field of the reply (udp_pkt_size) */
	uint16_t data_len;   /**< bytes at data (at most the module's data_max) */
	uint8_t icmp_type;   /**< ICMP type of the reply, 0 when it is none */
	uint8_t icmp_code;
};

_Static_assert(sizeof(struct trawl_result) == 64, "a result record is one cache line");

/** The reply bytes a module kept. */
static inline const uint8_t *
trawl_result_data(const struct trawl_result *r)
{
	return r->data;
}

/** Chunks of TRAWL_RESULT_CHUNK bytes that @p len bytes of data take on the data ring. */
static inline unsigned int
trawl_result_chunks(unsigned int len)
{
	return (len + TRAWL_RESULT_CHUNK - 1) / TRAWL_RESULT_CHUNK;
}

#endif
