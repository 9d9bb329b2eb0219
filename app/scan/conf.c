/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "app/core/clock.h"
#include "app/core/opts.h"
#include "app/core/sort.h"
#include "app/core/validate.h"
#include "app/scan/conf.h"

const char *
trawl_default_blocklist(void)
{
	static const char installed[] = TRAWL_SYSCONFDIR "/blocklist.conf";

	return access(installed, R_OK) == 0 ? installed : TRAWL_SRCCONFDIR "/blocklist.conf";
}

/* --- the rows' own parsers (core/opts.h: 0, or -EINVAL with why) -------- */

#define CONF(v) ((struct trawl_scan_conf *)(v))

static int
opt_ports(void *c, const char *arg, struct trawl_err *err)
{
	CONF(c)->have_ports = 1;
	return trawl_ports_parse(CONF(c)->ports, arg, err);
}

/* -S and --gateway-ip: once per family, the address's family says which. */
static int
opt_addr_per_family(const char *arg, const char *flag, uint32_t *v4, int *have4, struct trawl_ip6 *v6, int *have6,
		struct trawl_err *err)
{
	if (strchr(arg, ':') != NULL) {
		if (trawl_parse_ipv6(arg, v6) != 0)
			return trawl_err_set(err, -EINVAL, "%s '%s': not an IPv4 or IPv6 address", flag, arg);
		if (*have6)
			return trawl_err_set(err, -EINVAL, "%s given twice for IPv6 (once per address family)", flag);
		*have6 = 1;
		return 0;
	}
	if (trawl_parse_ipv4(arg, v4) != 0)
		return trawl_err_set(err, -EINVAL, "%s '%s': not an IPv4 or IPv6 address", flag, arg);
	if (*have4)
		return trawl_err_set(err, -EINVAL, "%s given twice for IPv4 (once per address family)", flag);
	*have4 = 1;
	return 0;
}

/* A comma list of addresses (a YAML list joined), each for its family. */
static int
opt_addr_list(const char *arg, const char *flag, uint32_t *v4, int *have4, struct trawl_ip6 *v6, int *have6,
		struct trawl_err *err)
{
	char one[TRAWL_IPV6_STRLEN + 1];

	for (const char *p = arg;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		int rc;

		if (n == 0 || n >= sizeof(one))
			return trawl_err_set(err, -EINVAL, "%s '%s': not an IPv4 or IPv6 address", flag, arg);
		memcpy(one, p, n);
		one[n] = '\0';
		rc = opt_addr_per_family(one, flag, v4, have4, v6, have6, err);
		if (rc != 0 || comma == NULL)
			return rc;
		p = comma + 1;
	}
}

static int
opt_source_ip(void *c, const char *arg, struct trawl_err *err)
{
	return opt_addr_list(arg, "-S", &CONF(c)->saddr, &CONF(c)->have_saddr, &CONF(c)->saddr6,
			&CONF(c)->have_saddr6, err);
}

static int
opt_source_port(void *c, const char *arg, struct trawl_err *err)
{
	const char *dash = strchr(arg, '-');
	uint32_t lo, hi;
	char buf[16];

	if (dash == NULL || (size_t)(dash - arg) >= sizeof(buf))
		return trawl_err_set(err, -EINVAL, "expected LO-HI");
	memcpy(buf, arg, (size_t)(dash - arg));
	buf[dash - arg] = '\0';
	if (trawl_opt_u32(buf, 65535, &lo) || trawl_opt_u32(dash + 1, 65535, &hi) || lo > hi)
		return -EINVAL;
	CONF(c)->sport_first = (uint16_t)lo;
	CONF(c)->sport_last = (uint16_t)hi;
	return 0;
}

static int
opt_gateway_ip(void *c, const char *arg, struct trawl_err *err)
{
	return opt_addr_list(arg, "--gateway-ip", &CONF(c)->gateway_ip, &CONF(c)->have_gateway_ip,
			&CONF(c)->gateway_ip6, &CONF(c)->have_gateway_ip6, err);
}

static int
opt_gateway_mac(void *c, const char *arg, struct trawl_err *err)
{
	(void)err;
	CONF(c)->have_gateway_mac = 1;
	return rte_ether_unformat_addr(arg, &CONF(c)->gateway_mac) == 0 ? 0 : -EINVAL;
}

/* "10G", "500M", "64K" or plain bits per second, decimal (as ZMap). */
static int
opt_bandwidth(void *c, const char *arg, struct trawl_err *err)
{
	char *end;
	double v, mult = 1;

	(void)err;
	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || v <= 0)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': mult = 1e9; end++; break;
	case 'M': case 'm': mult = 1e6; end++; break;
	case 'K': case 'k': mult = 1e3; end++; break;
	default: break;
	}
	if (*end != '\0' || v * mult > 1e15)
		return -EINVAL;
	CONF(c)->bandwidth = (uint64_t)(v * mult);
	return 0;
}

/* N, or N% of this shard's targets. */
static int
opt_max_targets(void *c, const char *arg, struct trawl_err *err)
{
	size_t len = strlen(arg);
	char buf[32], *end;

	if (len <= 1 || arg[len - 1] != '%') {
		if (trawl_opt_u64(arg, UINT64_MAX, &CONF(c)->max_targets) != 0 || CONF(c)->max_targets == 0)
			return trawl_err_set(err, -EINVAL, "expected N or N%%");
		return 0;
	}
	if (len >= sizeof(buf))
		return trawl_err_set(err, -EINVAL, "too long");
	memcpy(buf, arg, len - 1);
	buf[len - 1] = '\0';
	CONF(c)->max_targets_pct = strtod(buf, &end);
	if (*end != '\0' || !(CONF(c)->max_targets_pct > 0 && CONF(c)->max_targets_pct <= 100))
		return trawl_err_set(err, -EINVAL, "expected N or a percentage above 0 and up to 100%%");
	return 0;
}

static int
opt_seed(void *c, const char *arg, struct trawl_err *err)
{
	(void)err;
	CONF(c)->have_seed = 1;
	return trawl_opt_u64(arg, UINT64_MAX, &CONF(c)->seed);
}

static int
opt_key(void *c, const char *arg, struct trawl_err *err)
{
	char hi[17], lo[17];

	(void)err;
	if (strlen(arg) != 32 || strspn(arg, "0123456789abcdefABCDEF") != 32)
		return -EINVAL;
	memcpy(hi, arg, 16);
	memcpy(lo, arg + 16, 16);
	hi[16] = lo[16] = '\0';
	CONF(c)->key[0] = strtoull(hi, NULL, 16);
	CONF(c)->key[1] = strtoull(lo, NULL, 16);
	CONF(c)->have_key = 1;
	return 0;
}

/* Printed by the caller, where the modules are, once every flag is read (-M may follow). */
static int
opt_list_fields(void *c, const char *arg, struct trawl_err *err)
{
	(void)arg, (void)err;
	CONF(c)->list = TRAWL_LIST_FIELDS;
	return 0;
}

static int
opt_list_probes(void *c, const char *arg, struct trawl_err *err)
{
	(void)arg, (void)err;
	CONF(c)->list = TRAWL_LIST_PROBES;
	return 0;
}

/* -C is read before the other flags (apply_config); in the real pass it is nothing more. */
static int
opt_config(void *c, const char *arg, struct trawl_err *err)
{
	(void)err;
	CONF(c)->config_file = arg;
	return 0;
}

/* --- the table: flags, -C keys, bounds, messages and --help in one place --- */

#define OFF(f) offsetof(struct trawl_scan_conf, f)

static const struct trawl_opt rows[] = {
	{ "dev", 0, TRAWL_OPT_STR, OFF(dev), .meta = "SPEC", .section = "Device",
		.help = "DPDK port: PCI address or vdev string (required)" },
	{ "eal", 0, TRAWL_OPT_STR, OFF(eal), .meta = "\"ARGS\"", .flags = TRAWL_OPT_SPACES,
		.help = "extra EAL arguments, verbatim (e.g. \"--no-huge -m 512 --file-prefix x\");\n"
		"a vdev --dev adds --no-pci unless ARGS has -a/-b/--allow/--block" },
	{ "source-ip", 'S', TRAWL_OPT_FN, .fn = opt_source_ip, .meta = "ADDR",
		.help = "source address of the probes, once per address family; trawl\n"
		"answers ARP (IPv4) and neighbour solicitations (IPv6) for it (required)" },
	{ "source-port", 's', TRAWL_OPT_FN, .fn = opt_source_port,
		.what = "expected LO-HI with 0 <= LO <= HI <= 65535", .meta = "LO-HI",
		.help = "source port range (default 32768-61000)" },
	{ "gateway-ip", 0, TRAWL_OPT_FN, .fn = opt_gateway_ip, .meta = "ADDR",
		.help = "next hop, resolved on the port by ARP (IPv4) or NDP (IPv6);\nonce per address family" },
	{ "gateway-mac", 'G', TRAWL_OPT_FN, .fn = opt_gateway_mac, .what = "not a MAC address", .meta = "MAC",
		.help = "next hop MAC, given directly (no ARP)" },
	{ "kernel-iface", 0, TRAWL_OPT_STR, OFF(kernel_iface), .meta = "NAME|none",
		.help = "the kernel interface for the port: it carries the source address and\n"
		"the port's MAC; frames not the scan's own go to the kernel through it\n"
		"(default trawl0 for a PCI port, none for a vdev)" },
	{ "target-ports", 'p', TRAWL_OPT_FN, .fn = opt_ports, .meta = "LIST", .section = "Targets",
		.help = "ports: 80, 80,443, 8000-8100 or a mix (default 80)" },
	{ "allowlist-file", 'w', TRAWL_OPT_STR, OFF(allowlist_file), .meta = "FILE",
		.help = "more targets, one CIDR per line" },
	{ "list-of-ips", 'I', TRAWL_OPT_STR, OFF(list_of_ips), .meta = "FILE",
		.help = "more targets: single addresses, IPv4 or IPv6, one per line (a\n"
		"hitlist), each probed once per port; a line repeated is probed once\n"
		"and counted" },
	{ "iid", 0, TRAWL_OPT_STR, OFF(iid), .meta = "seed|IID",
		.help = "IPv6 windows PREFIX/A-B: the interface identifier of each /B's\n"
		"address: seed (a keyed hash of -e and the block) or a fixed one such\n"
		"as ::1 (the default)" },
	{ "blocklist-file", 'b', TRAWL_OPT_STR, OFF(blocklist_file), .meta = "FILE",
		.help = "never send to these (default: the installed blocklist.conf;\n-b /dev/null for none)" },
	{ "probe-module", 'M', TRAWL_OPT_STR, OFF(probe_module), .meta = "NAME",
		.help = "probe module: tcp_synscan (default), icmp_echoscan (addresses, no -p),\n"
		"udp, tcp_banner (--list-probe-modules)" },
	{ "probe-args", 0, TRAWL_OPT_STR, OFF(probe_args), .meta = "ARGS",
		.help = "module arguments; udp: the payload, text:STRING, hex:HEX or file:PATH\n"
		"(" TRAWL_DATADIR "/udp-probes/ and config/udp-probes/ in the source\n"
		"have DNS, NTP, SNMP, SSDP and memcached payloads); tcp_banner: http,\n"
		"tls, wait (the server speaks first; default) or a payload as for udp" },
	{ "canaries", 0, TRAWL_OPT_U32, OFF(canaries), 0, TRAWL_CANARIES_MAX, .meta = "N",
		.help = "TCP modules: N extra SYNs to ports outside the scan's for every\n"
		"address that answers; one that answers is reported once as canary\n"
		"(answers every port). Default 2 for tcp_banner, 0 for tcp_synscan" },
	{ "seed", 'e', TRAWL_OPT_FN, .fn = opt_seed, .what = "expected a 64-bit unsigned number", .meta = "N",
		.help = "64-bit seed of the target order (default random)" },
	{ "shards", 0, TRAWL_OPT_U32, OFF(shards), 1, 65535, .meta = "N",
		.help = "split the scan into N disjoint shards (default 1)" },
	{ "shard", 0, TRAWL_OPT_U32, OFF(shard), 0, 65534, .meta = "I",
		.help = "run shard I (0-based) of --shards" },
	{ "max-targets", 'n', TRAWL_OPT_FN, .fn = opt_max_targets, .meta = "N|N%",
		.help = "stop after this many targets of this shard" },
	{ "dryrun", 0, TRAWL_OPT_FLAG, OFF(dryrun),
		.help = "walk the targets and print their count; send nothing" },
	{ "validation-key", 0, TRAWL_OPT_FN, .fn = opt_key, .what = "expected 32 hex digits", .meta = "HEX",
		.help = "128-bit validation key, 32 hex digits (default: random per run;\n"
		"fixing it is for tests: whoever knows it can forge replies)" },
	{ "rate", 'r', TRAWL_OPT_U64, OFF(rate), 0, UINT64_C(1) << 40, .what = "not a packet rate", .meta = "PPS",
		.section = "Speed", .help = "packets per second, 0 = as fast as the port takes (default 10000)" },
	{ "bandwidth", 'B', TRAWL_OPT_FN, .fn = opt_bandwidth, .what = "not a bandwidth (e.g. 10G, 500M)",
		.meta = "BPS", .help = "bits per second on the wire (G/M/K suffixes), instead of -r" },
	{ "probes", 'P', TRAWL_OPT_U32, OFF(probes), 1, 255, .meta = "N",
		.help = "probes per target (default 1)" },
	{ "sender-threads", 'T', TRAWL_OPT_U32, OFF(tx_threads), 1, 64, .meta = "N",
		.help = "TX lcores/queues (default 1)" },
	{ "receiver-threads", 0, TRAWL_OPT_U32, OFF(rx_threads), 1, 64, .meta = "N",
		.help = "RX lcores/queues (default 1)" },
	{ "cooldown-time", 'c', TRAWL_OPT_SECONDS, OFF(cooldown), .meta = "S",
		.help = "seconds to keep receiving after the last probe (default 8)" },
	{ "max-runtime", 't', TRAWL_OPT_SECONDS, OFF(max_runtime), 1, .meta = "S",
		.help = "stop sending after S seconds" },
	{ "max-results", 'N', TRAWL_OPT_U64, OFF(max_results), 1, UINT64_MAX, .what = "expected a positive count",
		.meta = "N", .help = "stop after N results" },
	{ "output-file", 'o', TRAWL_OPT_STR, OFF(output_file), .meta = "FILE", .section = "Output",
		.help = "results (default - for stdout), written to FILE.tmp and renamed to\nFILE when complete" },
	{ "output-module", 'O', TRAWL_OPT_STR, OFF(output_module), .meta = "NAME",
		.help = "csv (default) or json (one object per line)" },
	{ "output-fields", 'f', TRAWL_OPT_STR, OFF(output_fields), .meta = "LIST",
		.help = "comma list (default saddr; --list-output-fields [-M NAME])" },
	{ "output-filter", 0, TRAWL_OPT_STR, OFF(output_filter), .meta = "EXPR",
		.help = "which results to write, as ZMap's: FIELD OP VALUE joined by && and ||\n"
		"(default \"success = 1 && repeat = 0\"; e.g. \"repeat = 0\" adds the closed)" },
	{ "no-header-row", 0, TRAWL_OPT_FLAG, OFF(no_header), .help = "CSV without its header row" },
	{ "metadata-file", 'm', TRAWL_OPT_STR, OFF(metadata_file), .meta = "FILE",
		.help = "JSON summary of the run" },
	{ "metrics-file", 0, TRAWL_OPT_STR, OFF(metrics_file), .meta = "FILE",
		.help = "live counters in Prometheus text format, rewritten whole once a\n"
		"second and at the end (node_exporter's textfile collector); the same\n"
		"counters are DPDK telemetry's /trawl/scan" },
	{ "dedup-memory", 0, TRAWL_OPT_SIZE, OFF(dedup_memory), .meta = "SIZE",
		.help = "most memory for remembering which targets answered, so none is\n"
		"written twice (K/M/G suffixes; default: half the memory available).\n"
		"An exact bitmap over the targets when it fits, else a hash that is\n"
		"exact up to a stated number of responders: said before sending" },
	{ "checkpoint", 0, TRAWL_OPT_STR, OFF(checkpoint), .meta = "FILE",
		.help = "crash-safe progress: where every sender stands, written to FILE at\n"
		"least once a second and at exit; run the same scan again to go on\n"
		"from there (results appended to -o FILE, no row twice). Without -e\n"
		"the seed is kept in FILE. A finished scan's FILE: nothing is sent" },
	{ "user", 0, TRAWL_OPT_STR, OFF(user), .meta = "NAME",
		.help = "once the port and files are set up, run as NAME with no capabilities\n"
		"(default nobody when started as root; --user root keeps root)" },
	{ "quiet", 'q', TRAWL_OPT_FLAG, OFF(quiet), .help = "no status line" },
	{ "status-cycles", 0, TRAWL_OPT_FLAG, OFF(status_cycles),
		.help = "the status line also shows the last second's TSC ticks per item by role:\n"
		"TX per probe, RX per frame, the writer per reply, and the share idle" },
	{ "list-output-fields", 0, TRAWL_OPT_FN, .fn = opt_list_fields, .flags = TRAWL_OPT_NOT_SETTING,
		.help = "list the output fields of -M (default tcp_synscan) and exit" },
	{ "list-probe-modules", 0, TRAWL_OPT_FN, .fn = opt_list_probes, .flags = TRAWL_OPT_NOT_SETTING,
		.help = "list the probe modules and exit" },
	{ "help", 'h', TRAWL_OPT_HELP, .help = "this help" },
	{ "version", 0, TRAWL_OPT_VERSION, .help = "print trawl's version" },
	{ "config", 'C', TRAWL_OPT_FN, .fn = opt_config, .meta = "FILE", .flags = TRAWL_OPT_NOT_SETTING,
		.section = "Config",
		.help = "YAML settings: any long flag name as a key (rate: 100000,\n"
		"target-ports: [80, 443], quiet: true), and targets: [CIDR, ...];\n"
		"flags on the command line win, TARGETs there replace its targets" },
};

_Static_assert((int)TRAWL_CONF_EXIT == TRAWL_OPTS_EXIT, "--help and --version end the parse the same way");

static const struct trawl_opts table = {
	.cmd = "scan",
	.usage = "usage: trawl scan --dev SPEC -S ADDR (--gateway-ip ADDR | -G MAC) [OPTIONS] [TARGET...]\n"
		"Stateless single-packet scan of TARGETs (IPv4 addresses or CIDR blocks) over a DPDK port.\n"
		"\n",
	.footer = "Exit status: 0 done, 2 usage or configuration error, 1 runtime failure.\n",
	.opt = rows,
	.n = sizeof(rows) / sizeof(rows[0]),
};

const struct trawl_opts *
trawl_scan_opts(void)
{
	return &table;
}

/* --- -C/--config: the same settings from a YAML file ------------------- */

int
trawl_scan_conf_is_setting(const char *name)
{
	return strcmp(name, "targets") == 0 || trawl_opts_setting(&table, name) != NULL;
}

/* A list's items as one flag value (ports: "80,443"; EAL arguments: space-separated). */
static int
join_items(struct trawl_yaml_setting *s, char sep)
{
	size_t len = 0;
	char *j;

	if (s->nitems == 1)
		return 0;
	for (size_t i = 0; i < s->nitems; i++)
		len += strlen(s->items[i]) + 1;
	j = malloc(len + 1);
	if (j == NULL)
		return -ENOMEM;
	len = 0;
	for (size_t i = 0; i < s->nitems; i++) {
		size_t n = strlen(s->items[i]);

		if (i != 0)
			j[len++] = sep;
		memcpy(j + len, s->items[i], n);
		len += n;
		free(s->items[i]);
	}
	j[len] = '\0';
	s->items[0] = j;
	s->nitems = 1;
	return 0;
}

static int
is_word(const char *v, const char *const *words)
{
	for (unsigned int i = 0; words[i] != NULL; i++)
		if (strcasecmp(v, words[i]) == 0)
			return 1;
	return 0;
}

/* A value's error, said where the value stands in the file. */
static int
config_at(struct trawl_err *err, int rc, const char *path, uint32_t line, uint32_t col)
{
	char msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return trawl_err_set(err, rc, "%s:%u:%u: %s", path, line, col, msg);
}

/* An IPv6 address into the list (sorted and made unique in finish()). */
static int
push6(struct trawl_scan_conf *c, struct trawl_ip6 a, struct trawl_err *err)
{
	struct trawl_addrs6 *l = &c->list6;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct trawl_ip6 *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return trawl_err_set(err, -ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = a;
	return 0;
}

static int
add_window(struct trawl_scan_conf *c, const struct trawl_window6 *w, const char *what, struct trawl_err *err)
{
	if (c->nwin6 == TRAWL_SPACE6_MAX_WINDOWS)
		return trawl_err_set(err, -EINVAL, "%s: more than %d IPv6 prefixes and windows", what,
				TRAWL_SPACE6_MAX_WINDOWS);
	c->win6[c->nwin6++] = *w;
	return 0;
}

/*
 * One TARGET (or YAML target): an IPv4 address or CIDR block, an IPv6
 * address, an IPv6 prefix (every address of it: at most 2^48) or an IPv6
 * window PREFIX/A-B. Errors say what was expected.
 */
static int
add_target(struct trawl_scan_conf *c, const char *t, struct trawl_err *err)
{
	struct trawl_range r;
	struct trawl_window6 w;
	struct trawl_ip6 a;
	int is_addr, rc;

	if (trawl_parse_cidr(t, &r) == 0)
		return trawl_ranges_add(&c->allow, r) == 0 ? 0 : trawl_err_set(err, -ENOMEM, "out of memory");
	rc = trawl_space6_parse_target(t, &is_addr, &a, &w, err);
	if (rc == -ENOENT)
		return trawl_err_set(err, -EINVAL, "target '%s' is not an IPv4 or IPv6 address, CIDR block or IPv6 "
				"window PREFIX/A-B", t);
	if (rc != 0)
		return rc;
	return is_addr ? push6(c, a, err) : add_window(c, &w, t, err);
}

static int
apply_setting(struct trawl_scan_conf *c, struct trawl_yaml_setting *s, int cli_targets, FILE *out,
		struct trawl_err *err)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *path = c->config->path;
	const struct trawl_opt *o;
	int rc;

	if (strcmp(s->key, "targets") == 0) {
		if (cli_targets)
			return 0; /* TARGETs on the command line replace the file's */
		for (size_t i = 0; i < s->nitems; i++) {
			rc = add_target(c, s->items[i], err);
			if (rc != 0)
				return config_at(err, rc, path, s->line, s->col);
		}
		return 0;
	}
	o = trawl_opts_setting(&table, s->key);
	if (o == NULL)
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: unknown setting '%s' (a long flag of trawl scan --help, "
				"or targets)", path, s->key_line, s->key_col, s->key);
	if (s->nitems == 0)
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s: empty list", path, s->line, s->col, s->key);
	if (o->kind == TRAWL_OPT_FLAG) {
		if (s->is_list || !(is_word(s->items[0], yes) || is_word(s->items[0], no)))
			return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s: expected true or false", path, s->line, s->col,
					s->key);
		return is_word(s->items[0], yes) ? trawl_opts_apply(&table, o, c, NULL, out, err) : 0;
	}
	if (join_items(s, (o->flags & TRAWL_OPT_SPACES) ? ' ' : ',') != 0)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	rc = trawl_opts_apply(&table, o, c, s->items[0], out, err);
	return rc < 0 ? config_at(err, rc, path, s->line, s->col) : rc;
}

/* First pass: -C only (the real pass reports bad flags). @return whether there are TARGETs, or -ENOMEM. */
static int
find_config(struct trawl_scan_conf *c, int argc, char **argv, struct trawl_err *err)
{
	int first = argc;
	int rc = trawl_opts_parse(&table, c, argc, argv, 'C', NULL, &first, err);

	return rc == -ENOMEM ? rc : first < argc; /* glibc moved the TARGETs behind the flags */
}

/* The file's settings go in first; the command line, parsed after, overrides them. */
static int
apply_config(struct trawl_scan_conf *c, int cli_targets, FILE *out, struct trawl_err *err)
{
	int rc;

	c->config = calloc(1, sizeof(*c->config));
	if (c->config == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	rc = trawl_yaml_settings_load(c->config_file, c->config, err);
	if (rc != 0)
		return rc == -ENOMEM ? rc : -EINVAL; /* unreadable or bad: a config error */
	for (size_t i = 0; i < c->config->n; i++) {
		rc = apply_setting(c, &c->config->s[i], cli_targets, out, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
defaults(struct trawl_scan_conf *c)
{
	c->probe_module = "tcp_synscan";
	c->output_file = "-";
	c->output_module = "csv";
	c->output_fields = "saddr";
	c->rate = TRAWL_DEFAULT_RATE;
	c->probes = 1;
	c->canaries = TRAWL_CANARIES_UNSET;
	c->cooldown = TRAWL_DEFAULT_COOLDOWN;
	c->tx_threads = 1;
	c->rx_threads = 1;
	c->shards = 1;
	c->sport_first = 32768;
	c->sport_last = 61000;
}

/* Cross-flag checks: everything that is wrong is found before EAL starts (module names: app/scan_modules.c). */
static int
check(struct trawl_scan_conf *c, struct trawl_err *err)
{
	if (c->dev == NULL)
		return trawl_err_set(err, -EINVAL, "--dev is required (a PCI address or a vdev such as net_af_packet0,iface=eth1)");
	if (c->six && c->allow.n != 0)
		return trawl_err_set(err, -EINVAL, "IPv4 and IPv6 targets in one scan: not built yet; run one scan per "
				"address family");
	if (c->six && !c->have_saddr6)
		return trawl_err_set(err, -EINVAL, "IPv6 targets need an IPv6 source: -S ADDR");
	if (!c->six && !c->have_saddr)
		return trawl_err_set(err, -EINVAL, "-S/--source-ip is required%s", c->have_saddr6 ?
				" (an IPv4 one: these targets are IPv4)" : "");
	if (c->six && !c->have_gateway_ip6 && !c->have_gateway_mac)
		return trawl_err_set(err, -EINVAL, "the next hop is required: --gateway-ip IPV6ADDR (resolved by NDP) "
				"or -G MAC");
	if (!c->six && !c->have_gateway_ip && !c->have_gateway_mac)
		return trawl_err_set(err, -EINVAL, "the next hop is required: --gateway-ip ADDR (resolved by ARP) or -G MAC");
	if (c->shard >= c->shards)
		return trawl_err_set(err, -EINVAL, "--shard %u is not below --shards %u", c->shard, c->shards);
	if (c->kernel_iface != NULL && (c->kernel_iface[0] == '\0' || strlen(c->kernel_iface) >= 16 ||
	    strspn(c->kernel_iface, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    strlen(c->kernel_iface) || strcmp(c->kernel_iface, ".") == 0 || strcmp(c->kernel_iface, "..") == 0))
		return trawl_err_set(err, -EINVAL, "--kernel-iface '%s': an interface name is 1-15 letters, digits, "
				"'_', '.' or '-' (or none)", c->kernel_iface);
	if (c->checkpoint != NULL && strcmp(c->output_file, "-") == 0)
		return trawl_err_set(err, -EINVAL, "--checkpoint needs -o FILE: a resumed scan reads back the rows "
				"already written, so that none is written twice");
	if (c->allow.n == 0 && !c->six)
		return trawl_err_set(err, -EINVAL, "no targets: give TARGET addresses or CIDR blocks, -w FILE or -I FILE "
				"(there is no implicit 0.0.0.0/0)");
	return 0;
}

static int
init(struct trawl_scan_conf *c, struct trawl_err *err)
{
	memset(c, 0, sizeof(*c));
	c->ports = calloc(1, sizeof(*c->ports));
	if (c->ports == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	defaults(c);
	c->blocklist_file = trawl_default_blocklist();
	trawl_ports_parse(c->ports, "80", NULL);
	return 0;
}

/*
 * The IPv6 targets, once every source of them is read: the list sorted and
 * each address once (-I's are already; TARGET addresses join them), and
 * the windows' IIDs as --iid says (the seed's is applied in finish()).
 */
static int
finish6(struct trawl_scan_conf *c, struct trawl_err *err)
{
	struct trawl_addrs6 *l = &c->list6;
	size_t k = 0;

	c->six = l->n != 0 || c->nwin6 != 0;
	if (l->n > 1) {
		trawl_sort_ip6(l->v, l->n);
		for (size_t i = 0; i < l->n; i++)
			if (k == 0 || !trawl_ip6_eq(l->v[i], l->v[k - 1]))
				l->v[k++] = l->v[i];
		l->n = k;
	}
	if (c->iid != NULL && strcmp(c->iid, "seed") != 0) {
		struct trawl_ip6 iid;

		if (trawl_parse_ipv6(c->iid, &iid) != 0)
			return trawl_err_set(err, -EINVAL, "--iid '%s': expected seed or an IPv6 interface identifier "
					"such as ::1", c->iid);
		for (unsigned int i = 0; i < c->nwin6; i++) {
			struct trawl_ip6 m = trawl_window6_iid_mask(&c->win6[i]);

			if (c->win6[i].b == 128)
				continue; /* a prefix: every address of it, no IID */

			if ((iid.hi & ~m.hi) != 0 || (iid.lo & ~m.lo) != 0)
				return trawl_err_set(err, -EINVAL, "--iid %s does not fit below the /%u of a window's blocks",
						c->iid, c->win6[i].b);
			c->win6[i].iid = iid;
		}
	}
	return 0;
}

/* The files the flags name, the cross-flag checks, the seed. */
static int
finish(struct trawl_scan_conf *c, struct trawl_err *err)
{
	int rc;

	if (c->allowlist_file != NULL) {
		rc = trawl_ranges_load(&c->allow, c->allowlist_file, err);
		if (rc != 0)
			return rc == -ENOMEM ? rc : -EINVAL; /* unreadable or bad: a config error */
		/* The file's IPv6 prefixes are targets as a TARGET prefix is: every address, at most 2^48. */
		for (size_t i = 0; i < c->allow.n6; i++) {
			const struct trawl_prefix6 *p = &c->allow.v6[i];
			char ip6[TRAWL_IPV6_STRLEN], what[TRAWL_IPV6_STRLEN + 8];
			struct trawl_window6 w = { .prefix = p->addr, .a = p->len, .b = 128 };

			snprintf(what, sizeof(what), "%s/%u", trawl_ipv6_str(&p->addr, ip6), p->len);
			if (128 - p->len > TRAWL_WINDOW6_MAX_BITS)
				return trawl_err_set(err, -EINVAL, "-w %s: %s holds 2^%u addresses, more than the 2^%d a scan "
						"can; give a window %s-B as a TARGET instead", c->allowlist_file, what,
						128 - p->len, TRAWL_WINDOW6_MAX_BITS, what);
			rc = add_window(c, &w, what, err);
			if (rc != 0)
				return rc;
		}
	}
	if (c->list_of_ips != NULL) {
		double t0 = trawl_mono();

		rc = trawl_addrlist_load(&c->allow, &c->list6, c->list_of_ips, &c->list_stats, err);
		if (rc != 0)
			return rc == -ENOMEM ? rc : -EINVAL;
		c->list_load_s = trawl_mono() - t0;
	}
	rc = finish6(c, err);
	if (rc != 0)
		return rc;
	if (c->blocklist_file != NULL) {
		rc = trawl_ranges_load(&c->block, c->blocklist_file, err);
		if (rc != 0)
			return rc == -ENOMEM ? rc : -EINVAL;
	}
	rc = check(c, err);
	if (rc != 0)
		return rc;
	if (!c->have_seed && getrandom(&c->seed, sizeof(c->seed), 0) != sizeof(c->seed))
		return trawl_err_set(err, -EIO, "getrandom: %s", strerror(errno));
	if (c->iid != NULL && strcmp(c->iid, "seed") == 0)
		for (unsigned int i = 0; i < c->nwin6; i++)
			if (c->win6[i].b < 128)
				trawl_window6_seed(&c->win6[i], c->seed);
	return TRAWL_CONF_RUN;
}

int
trawl_scan_conf_from_settings(struct trawl_scan_conf *c, struct trawl_yaml_settings *set, struct trawl_err *err)
{
	int rc = init(c, err);

	if (rc != 0)
		return rc;
	c->config = set;
	c->config_borrowed = 1;
	for (size_t i = 0; i < set->n; i++) {
		rc = apply_setting(c, &set->s[i], 0, NULL, err);
		if (rc < 0)
			return rc;
		if (rc != 0) /* --help or --version as a setting */
			return trawl_err_set(err, -EINVAL, "%s:%u:%u: '%s' is no scan setting", set->path,
					set->s[i].key_line, set->s[i].key_col, set->s[i].key);
	}
	return finish(c, err);
}

int
trawl_scan_conf_parse(struct trawl_scan_conf *c, int argc, char **argv, FILE *out,
		struct trawl_err *err)
{
	int first, rc = init(c, err);

	if (rc != 0)
		return rc;
	rc = find_config(c, argc, argv, err);
	if (rc < 0)
		return rc;
	if (c->config_file != NULL) {
		rc = apply_config(c, rc, out, err);
		if (rc != 0)
			return rc;
	}
	rc = trawl_opts_parse(&table, c, argc, argv, 0, out, &first, err);
	if (rc != 0)
		return rc;
	if (c->list != TRAWL_LIST_NONE)
		return TRAWL_CONF_EXIT;
	for (int i = first; i < argc; i++) {
		rc = add_target(c, argv[i], err);
		if (rc != 0)
			return rc;
	}
	return finish(c, err);
}

void
trawl_scan_conf_free(struct trawl_scan_conf *c)
{
	trawl_ranges_free(&c->allow);
	trawl_ranges_free(&c->block);
	trawl_addrs6_free(&c->list6);
	if (c->config != NULL && !c->config_borrowed) {
		trawl_yaml_settings_free(c->config);
		free(c->config);
	}
	c->config = NULL;
	free(c->ports);
	c->ports = NULL;
}
