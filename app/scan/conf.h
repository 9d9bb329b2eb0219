/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_SCAN_CONF_H
#define TRAWL_SCAN_CONF_H

#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include "app/core/addrlist.h"
#include "app/core/err.h"
#include "app/core/ipv4.h"
#include "app/core/ports.h"
#include "app/core/space6.h"
#include "app/core/yamlconf.h"

struct trawl_opts;

#define TRAWL_DEFAULT_RATE 10000
#define TRAWL_DEFAULT_COOLDOWN 8.0
/* Ethernet costs per frame beyond what we write: preamble 8, FCS 4, inter-frame gap 12. */
#define TRAWL_WIRE_OVERHEAD 24

/* Everything `trawl scan` was asked to do, as parsed; nothing runtime. */
struct trawl_scan_conf {
	const char *dev;
	const char *eal;
	const char *kernel_iface;     /**< --kernel-iface as given, NULL: the default (trawl0 for a PCI port) */
	const char *probe_module;
	const char *blocklist_file;   /**< NULL: none (-b /dev/null is just an empty file) */
	const char *allowlist_file;
	const char *output_file;
	const char *output_module;
	const char *output_fields;
	const char *metadata_file;
	const char *metrics_file;     /**< --metrics-file FILE: live counters, Prometheus text (NULL: none) */
	const char *user;             /**< --user NAME: run as it once set up (NULL: nobody when root) */
	const char *checkpoint;       /**< --checkpoint FILE, NULL = none */
	const char *probe_args;       /**< --probe-args ARGS, NULL = none */
	const char *output_filter;    /**< --output-filter EXPR, NULL = ZMap's default (success, first seen) */
	struct trawl_ranges allow;    /**< TARGETs and -w, in that order */
	struct trawl_ranges block;    /**< -b */
	const char *list_of_ips;      /**< -I FILE: single addresses, added to allow (NULL: none) */
	struct trawl_addrlist_stats list_stats; /**< what -I held: lines and distinct addresses */
	double list_load_s;           /**< seconds -I took to read and sort */
	struct trawl_ports *ports;
	int have_ports;               /**< -p was given (a module without ports refuses it) */
	uint32_t saddr;
	uint32_t gateway_ip;
	struct trawl_ip6 saddr6;      /**< -S given an IPv6 address */
	struct trawl_ip6 gateway_ip6; /**< --gateway-ip given an IPv6 address */
	int have_saddr6;
	int have_gateway_ip6;
	int six;                      /**< the targets are IPv6 (one family a scan, for now) */
	struct trawl_addrs6 list6;    /**< IPv6 single addresses: -I lines and TARGETs, sorted, each once */
	struct trawl_window6 win6[TRAWL_SPACE6_MAX_WINDOWS]; /**< IPv6 prefixes and windows: TARGETs and -w */
	unsigned int nwin6;
	const char *iid;              /**< --iid: seed, or a fixed IID (NULL: ::1) */
	struct rte_ether_addr gateway_mac;
	int have_saddr;
	int have_gateway_ip;
	int have_gateway_mac;
	uint64_t rate;                /**< packets/s, 0 = as fast as the port takes them */
	uint64_t bandwidth;           /**< bits/s, 0 = not given */
	uint32_t probes;
	uint32_t canaries;            /**< --canaries; TRAWL_CANARIES_UNSET: the module's default */
	double cooldown;
	uint64_t seed;
	int have_seed;
	uint32_t tx_threads;
	uint32_t rx_threads;
	uint32_t shards;
	uint32_t shard;
	uint64_t max_targets;         /**< 0 = no limit */
	double max_targets_pct;       /**< 0 = not given */
	uint64_t max_results;         /**< 0 = no limit */
	double max_runtime;           /**< seconds, 0 = no limit */
	uint16_t sport_first;
	uint16_t sport_last;
	int no_header;
	int quiet;
	int status_cycles;  /**< --status-cycles */
	int dryrun;                   /**< count targets, send nothing */
	uint64_t key[2];              /**< validation key (--validation-key), else random */
	int have_key;
	uint64_t dedup_memory;        /**< --dedup-memory bytes, 0 = half of what is available */
	int list;                     /**< enum trawl_list: a --list-* flag was given */
	const char *config_file;      /**< -C: YAML settings, under the command line's */
	struct trawl_yaml_settings *config; /**< its values (the strings above may point into them) */
	int config_borrowed;          /**< config is the caller's (trawl_scan_conf_from_settings) */
};

enum trawl_list {
	TRAWL_LIST_NONE = 0,
	TRAWL_LIST_FIELDS,    /**< --list-output-fields */
	TRAWL_LIST_PROBES,    /**< --list-probe-modules */
};

enum trawl_conf_rc {
	TRAWL_CONF_RUN = 0,   /**< go ahead */
	TRAWL_CONF_EXIT = 1,  /**< --help, --version: printed; --list-*: c->list says which; exit 0 */
};

/**
 * Parse `trawl scan` arguments (argv[0] is "scan") and read the allowlist
 * and blocklist files. @p out receives help text. Probe and output module
 * names and fields are checked one floor up (app/scan_modules.h), where
 * the modules are.
 * @return TRAWL_CONF_RUN, TRAWL_CONF_EXIT, or -EINVAL (or -errno for an
 * unreadable file) with one line in @p err.
 */
int trawl_scan_conf_parse(struct trawl_scan_conf *c, int argc, char **argv, FILE *out,
		struct trawl_err *err);

/**
 * The same settings from YAML alone (a campaign's scan: its defaults with
 * the scan's own over them), with no command line. @p set is borrowed and
 * must outlive @p c. Errors say file:line:column.
 * @return TRAWL_CONF_RUN, or -EINVAL/-errno with one line in @p err.
 */
int trawl_scan_conf_from_settings(struct trawl_scan_conf *c, struct trawl_yaml_settings *set, struct trawl_err *err);

/** The option table of `trawl scan` (core/opts.h): flags, -C keys, bounds and --help. */
const struct trawl_opts *trawl_scan_opts(void);

/** Whether @p name is a setting of `trawl scan` (a long flag, or targets). */
int trawl_scan_conf_is_setting(const char *name);

void trawl_scan_conf_free(struct trawl_scan_conf *c);

/** The default blocklist path: the installed one, else the source tree's. */
const char *trawl_default_blocklist(void);

/* --canaries not given: tcp_banner sends this many, tcp_synscan none. */
#define TRAWL_CANARIES_UNSET UINT32_MAX
#define TRAWL_CANARIES_BANNER 2

#endif
