/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_PROBE_H
#define TRAWL_PROBE_H

#include <stdint.h>

#include "app/core/constraint.h"
#include "app/core/err.h"
#include "app/core/packet.h"
#include "app/core/result.h"
#include "app/core/target.h"
#include "app/core/validate.h"

/* Largest frame of headers a template holds, and the longest answer (the RST). */
#define TRAWL_PROBE_MAX_LEN 128
/* Longest UDP payload a probe carries: a 1500-byte IP packet (ZMap's MAX_UDP_PAYLOAD_LEN). */
#define TRAWL_PROBE_PAYLOAD_MAX 1472
/*
 * Most reply bytes a module keeps for the writer: a whole TCP segment under
 * the MSS our SYN announces (1460), rounded up to whole data chunks.
 */
#define TRAWL_RESULT_DATA_MAX 1472
/* The most a UDP probe carries over IPv6: a 1500-byte packet less 40 + 8 bytes of headers. */
#define TRAWL_UDP6_PAYLOAD_MAX 1452
/* tcp_banner's payload over IPv6: one segment under the MSS of a 1500-byte IPv6 packet (1500 - 40 - 20). */
#define TRAWL_BANNER6_PAYLOAD_MAX 1440
/* udp keeps the first 512 bytes of a reply; udp_pkt_size tells the whole. */
#define TRAWL_UDP_DATA_MAX 512


/* Field sets, one bit per module: which -f fields a module fills (outputs/fields.c). */
#define TRAWL_FIELDS_TCP 0x1
#define TRAWL_FIELDS_ICMP 0x2
#define TRAWL_FIELDS_UDP 0x4
#define TRAWL_FIELDS_BANNER 0x8
#define TRAWL_FIELDS_ALL 0xf

/* --probe-args, parsed before anything starts (exit 2 on a bad one). */
struct trawl_probe_args {
	uint8_t mode;         /**< the module's own choice among its argument forms */
	uint16_t payload_len;
	uint8_t payload[TRAWL_PROBE_PAYLOAD_MAX];
};

/*
 * Everything a probe module needs for one run. Filled by the scan set-up
 * (addresses, key) and by the module's prepare() (template); read-only once
 * the TX and RX lcores start, so they share it without copies or locks.
 */
struct trawl_probe_ctx {
	struct trawl_validate val;
	uint32_t saddr;                      /**< our source address, host order */
	struct rte_ether_addr src_mac;       /**< the port's MAC */
	struct rte_ether_addr gw_mac;        /**< next hop, given or from ARP */
	const struct trawl_target_space *space; /**< replies only count from its targets */
	uint16_t len;                        /**< probe frame length */
	uint8_t csum_hw;                     /**< TRAWL_CSUM_HW_*: checksums the port fills in */
	uint64_t tx_ol_flags;                /**< mbuf ol_flags every probe carries (set in prepare) */
	uint8_t tmpl[TRAWL_PROBE_MAX_LEN];   /**< the frame every probe starts from */
	uint8_t tmpl_answer[TRAWL_ETH_MIN_LEN]; /**< the frame every answer starts from (set in prepare) */
	uint32_t priv[8];                    /**< the module's own per-run values (set in prepare) */
	uint8_t canaries;                    /**< --canaries: extra SYNs per answering address (TCP modules) */
	/* IPv6 (space->six != NULL): the same for the run's IPv6 probes, set by prepare6. */
	struct trawl_ip6 saddr6;             /**< our IPv6 source address */
	uint16_t len6;
	uint64_t tx_ol_flags6;               /**< mbuf ol_flags every IPv6 probe carries (set in prepare6) */
	uint8_t tmpl6[TRAWL_PROBE_MAX_LEN];
	uint8_t tmpl6_answer[TRAWL_PROBE_MAX_LEN];
	uint32_t priv6[8];
	struct trawl_probe_args args;        /**< --probe-args, as parse_args left them */
};

/* What the RX path learned from one packet. */
enum trawl_rx_verdict {
	TRAWL_RX_OTHER = 0, /**< not a reply this module knows (other protocol or address) */
	TRAWL_RX_INVALID,   /**< looks like a reply but fails validation: forged, stale, or not allowlisted */
	TRAWL_RX_VALID,     /**< a validated reply; the result record is filled */
};

/* The most probes one make() call writes (the TX role's bursts are TRAWL_BURST). */
#define TRAWL_MAKE_MAX 64

/*
 * A probe module. One is chosen by name at start-up; the hot loops call
 * through a cached pointer to this const table.
 */
struct trawl_probe_ops {
	const char *name;
	const char *help;
	/** 1: targets are (address, port) pairs; 0: addresses alone (the one port 0, sport 0 in results). */
	uint8_t uses_ports;
	/** TRAWL_FIELDS_*: the module's bit, for the fields it fills. */
	uint8_t fields;
	/** Reply bytes classify may keep at r->data, at most TRAWL_RESULT_DATA_MAX. */
	uint16_t data_max;
	/** Longest frame answer() writes; 0: TRAWL_PROBE_MAX_LEN. */
	uint16_t answer_max;
	/**
	 * 1: a TRAWL_CLASS_SYNACK result is a handshake the module goes on with
	 * (answer() completes it), not a result: the RX role holds it until a
	 * result of the same connection comes, or for the hold time, after
	 * which reset() closes it and it is written as TRAWL_CLASS_NODATA.
	 */
	uint8_t handshake;
	/** 1: a TCP module (--canaries applies). */
	uint8_t tcp;

	/*
	 * parse_args: --probe-args ARGS into @a (zeroed first; ARGS NULL when
	 * none was given), before the EAL starts. NULL: the module takes no
	 * arguments. Returns 0 or -EINVAL with one line in @err.
	 */
	int (*parse_args)(const char *args, struct trawl_probe_args *a, struct trawl_err *err);

	/*
	 * prepare: called once per run with ctx->args set, again after the
	 * next hop is known, and before any probe is made. Writes ctx->tmpl and
	 * ctx->len (at most TRAWL_PROBE_MAX_LEN + TRAWL_PROBE_PAYLOAD_MAX).
	 * Returns 0 or -errno.
	 */
	int (*prepare)(struct trawl_probe_ctx *ctx);

	/*
	 * make: writes n complete probes (ctx->len bytes each, checksums
	 * included) into bufs[0..n-1], one per target, n <= TRAWL_MAKE_MAX
	 * (the MACs of a burst are computed together). Must not fail: it runs
	 * in the TX hot loop, on whole bursts.
	 */
	void (*make)(uint8_t *const bufs[], const struct trawl_target tgt[], unsigned int n,
			const struct trawl_probe_ctx *ctx);

	/*
	 * classify: given an IPv4 packet addressed to anyone, decide whether it
	 * answers one of our probes. It may read only v->l4_len bytes past
	 * v->l4. A reply counts only from one of the scan's targets
	 * (trawl_target_index over ctx->space, which also gives r->target). On
	 * TRAWL_RX_VALID it fills every field of *r but tsc, repeat and data,
	 * and r->data_len bytes (at most data_max) at r->data, which has room
	 * for data_max. An ICMP error counts
	 * only when the probe it quotes is one we sent: its own MAC checks out.
	 */
	enum trawl_rx_verdict (*classify)(const struct trawl_probe_ctx *ctx,
			const struct trawl_ipv4_view *v, struct trawl_result *r);

	/*
	 * answer: for a valid result, the frame to send back, if any (the RST
	 * that tears down a half-open TCP connection, since no kernel sees this
	 * port to do it). v is the reply classify accepted as r. Writes at most
	 * TRAWL_PROBE_MAX_LEN bytes and returns the length, or 0 for no answer.
	 * buf may be the reply's own frame (the RX lcore rewrites it in place:
	 * no allocation, no copy), so read everything needed from v first.
	 */
	uint16_t (*answer)(uint8_t *buf, const struct trawl_ipv4_view *v, const struct trawl_probe_ctx *ctx,
			const struct trawl_result *r);

	/*
	 * reset (handshake modules): the RST that closes the connection of the
	 * handshake result @p r, from what r holds and the MAC alone. Writes at
	 * most TRAWL_PROBE_MAX_LEN bytes and returns the length.
	 */
	uint16_t (*reset)(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r);

	/*
	 * IPv6: the same for IPv6 targets (NULL: the module has no IPv6
	 * yet, and an IPv6 scan with it is refused before anything starts).
	 * prepare6 writes ctx->tmpl6, len6, tmpl6_answer and priv6; make6's
	 * probes are ctx->len6 bytes; classify6 fills a result as classify
	 * does, with the reply's source in r->responder6 and the target's
	 * address left to its index; answer6 writes at most answer_max bytes
	 * (TRAWL_PROBE_MAX_LEN if 0), as answer.
	 */
	int (*prepare6)(struct trawl_probe_ctx *ctx);
	void (*make6)(uint8_t *const bufs[], const struct trawl_target6 tgt[], unsigned int n,
			const struct trawl_probe_ctx *ctx);
	enum trawl_rx_verdict (*classify6)(const struct trawl_probe_ctx *ctx, const struct trawl_ipv6_view *v,
			struct trawl_result *r);
	uint16_t (*answer6)(uint8_t *buf, const struct trawl_ipv6_view *v, const struct trawl_probe_ctx *ctx,
			const struct trawl_result *r);
	/** reset for an IPv6 handshake (the target's address: r->responder6). */
	uint16_t (*reset6)(uint8_t *buf, const struct trawl_probe_ctx *ctx, const struct trawl_result *r);
};

/*
 * --probe-args text:STRING, hex:HEX or file:PATH into a->payload (udp's
 * forms; tcp_banner takes them too). @return 0, -EINVAL with one line in
 * @p err, or -ENOENT (err untouched) when ARGS is none of the three.
 */
int trawl_probe_payload_args(const char *args, struct trawl_probe_args *a, struct trawl_err *err);

/** The module called @p name, or NULL. */
const struct trawl_probe_ops *trawl_probe_find(const char *name);

/** NULL-terminated list of all modules, for --help. */
extern const struct trawl_probe_ops *const trawl_probe_modules[];

#endif
