/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "app/scan/conf.h"

enum {
	OPT_DEV = 256,
	OPT_EAL,
	OPT_GATEWAY_IP,
	OPT_SHARDS,
	OPT_SHARD,
	OPT_NO_HEADER,
	OPT_RX_THREADS,
	OPT_LIST_FIELDS,
	OPT_LIST_PROBES,
	OPT_DRYRUN,
	OPT_VERSION,
	OPT_KEY,
	OPT_DEDUP_MEMORY,
	OPT_CHECKPOINT,
	OPT_PROBE_ARGS,
	OPT_OUTPUT_FILTER,
	OPT_USER,
	OPT_METRICS_FILE,
};

#define SHORT_OPTS ":p:M:S:s:G:r:B:P:c:n:N:t:e:T:b:w:o:O:f:m:C:qh"

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "eal", required_argument, NULL, OPT_EAL },
	{ "target-ports", required_argument, NULL, 'p' },
	{ "probe-module", required_argument, NULL, 'M' },
	{ "source-ip", required_argument, NULL, 'S' },
	{ "source-port", required_argument, NULL, 's' },
	{ "gateway-ip", required_argument, NULL, OPT_GATEWAY_IP },
	{ "gateway-mac", required_argument, NULL, 'G' },
	{ "rate", required_argument, NULL, 'r' },
	{ "bandwidth", required_argument, NULL, 'B' },
	{ "probes", required_argument, NULL, 'P' },
	{ "cooldown-time", required_argument, NULL, 'c' },
	{ "max-targets", required_argument, NULL, 'n' },
	{ "max-results", required_argument, NULL, 'N' },
	{ "max-runtime", required_argument, NULL, 't' },
	{ "seed", required_argument, NULL, 'e' },
	{ "shards", required_argument, NULL, OPT_SHARDS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "sender-threads", required_argument, NULL, 'T' },
	{ "receiver-threads", required_argument, NULL, OPT_RX_THREADS },
	{ "blocklist-file", required_argument, NULL, 'b' },
	{ "allowlist-file", required_argument, NULL, 'w' },
	{ "output-file", required_argument, NULL, 'o' },
	{ "output-module", required_argument, NULL, 'O' },
	{ "output-fields", required_argument, NULL, 'f' },
	{ "no-header-row", no_argument, NULL, OPT_NO_HEADER },
	{ "metadata-file", required_argument, NULL, 'm' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "config", required_argument, NULL, 'C' },
	{ "dryrun", no_argument, NULL, OPT_DRYRUN },
	{ "validation-key", required_argument, NULL, OPT_KEY },
	{ "dedup-memory", required_argument, NULL, OPT_DEDUP_MEMORY },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "probe-args", required_argument, NULL, OPT_PROBE_ARGS },
	{ "output-filter", required_argument, NULL, OPT_OUTPUT_FILTER },
	{ "user", required_argument, NULL, OPT_USER },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "list-output-fields", no_argument, NULL, OPT_LIST_FIELDS },
	{ "list-probe-modules", no_argument, NULL, OPT_LIST_PROBES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage[] =
"usage: trawl scan --dev SPEC -S ADDR (--gateway-ip ADDR | -G MAC) [OPTIONS] [TARGET...]\n"
"Stateless single-packet scan of TARGETs (IPv4 addresses or CIDR blocks) over a DPDK port.\n"
"\n"
"Device\n"
"  --dev SPEC                 DPDK port: PCI address or vdev string (required)\n"
"  --eal \"ARGS\"               extra EAL arguments, verbatim (e.g. \"--no-huge -m 512 --file-prefix x\");\n"
"                             a vdev --dev adds --no-pci unless ARGS has -a/-b/--allow/--block\n"
"  -S, --source-ip ADDR       source address of the probes; trawl answers ARP for it (required)\n"
"  -s, --source-port LO-HI    source port range (default 32768-61000)\n"
"  --gateway-ip ADDR          next hop, resolved by ARP on the port\n"
"  -G, --gateway-mac MAC      next hop MAC, given directly (no ARP)\n"
"Targets\n"
"  -p, --target-ports LIST    ports: 80, 80,443, 8000-8100 or a mix (default 80)\n"
"  -w, --allowlist-file FILE  more targets, one CIDR per line\n"
"  -b, --blocklist-file FILE  never send to these (default: the installed blocklist.conf;\n"
"                             -b /dev/null for none)\n"
"  -M, --probe-module NAME    probe module: tcp_synscan (default), icmp_echoscan (addresses, no -p),\n"
"                             udp (--list-probe-modules)\n"
"  --probe-args ARGS          module arguments; udp: the payload, text:STRING, hex:HEX or file:PATH\n"
"                             (" TRAWL_DATADIR "/udp-probes/ and config/udp-probes/ in the source\n"
"                             have DNS, NTP, SNMP, SSDP and memcached payloads)\n"
"  -e, --seed N               64-bit seed of the target order (default random)\n"
"  --shards N --shard I       run shard I (0-based) of N disjoint shards\n"
"  -n, --max-targets N|N%     stop after this many targets of this shard\n"
"  --dryrun                   walk the targets and print their count; send nothing\n"
"  --validation-key HEX       128-bit validation key, 32 hex digits (default: random per run;\n"
"                             fixing it is for tests: whoever knows it can forge replies)\n"
"Speed\n"
"  -r, --rate PPS             packets per second, 0 = as fast as the port takes (default 10000)\n"
"  -B, --bandwidth BPS        bits per second on the wire (G/M/K suffixes), instead of -r\n"
"  -P, --probes N             probes per target (default 1)\n"
"  -T, --sender-threads N     TX lcores/queues (default 1)\n"
"  --receiver-threads N       RX lcores/queues (default 1)\n"
"  -c, --cooldown-time S      seconds to keep receiving after the last probe (default 8)\n"
"  -t, --max-runtime S        stop sending after S seconds\n"
"  -N, --max-results N        stop after N results\n"
"Output\n"
"  -o, --output-file FILE     results (default - for stdout), written to FILE.tmp and renamed to\n"
"                             FILE when complete\n"
"  -O, --output-module NAME   csv (default) or json (one object per line)\n"
"  -f, --output-fields LIST   comma list (default saddr; --list-output-fields [-M NAME])\n"
"  --output-filter EXPR       which results to write, as ZMap's: FIELD OP VALUE joined by && and ||\n"
"                             (default \"success = 1 && repeat = 0\"; e.g. \"repeat = 0\" adds the closed)\n"
"  --no-header-row            CSV without its header row\n"
"  -m, --metadata-file FILE   JSON summary of the run\n"
"  --metrics-file FILE        live counters in Prometheus text format, rewritten whole once a\n"
"                             second and at the end (node_exporter's textfile collector); the same\n"
"                             counters are DPDK telemetry's /trawl/scan\n"
"  --dedup-memory SIZE        most memory for remembering which targets answered, so none is\n"
"                             written twice (K/M/G suffixes; default: half the memory available).\n"
"                             An exact bitmap over the targets when it fits, else a hash that is\n"
"                             exact up to a stated number of responders: said before sending\n"
"  --checkpoint FILE          crash-safe progress: where every sender stands, written to FILE at\n"
"                             least once a second and at exit; run the same scan again to go on\n"
"                             from there (results appended to -o FILE, no row twice). Without -e\n"
"                             the seed is kept in FILE. A finished scan's FILE: nothing is sent\n"
"  --user NAME                once the port and files are set up, run as NAME with no capabilities\n"
"                             (default nobody when started as root; --user root keeps root)\n"
"  -q, --quiet                no status line\n"
"  -h, --help, --version\n"
"Config\n"
"  -C, --config FILE          YAML settings: any long flag name as a key (rate: 100000,\n"
"                             target-ports: [80, 443], quiet: true), and targets: [CIDR, ...];\n"
"                             flags on the command line win, TARGETs there replace its targets\n"
"Exit status: 0 done, 2 usage or configuration error, 1 runtime failure.\n";

const char *
trawl_default_blocklist(void)
{
	static const char installed[] = TRAWL_SYSCONFDIR "/blocklist.conf";

	return access(installed, R_OK) == 0 ? installed : TRAWL_SRCCONFDIR "/blocklist.conf";
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = parse_u64(s, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

static int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "8G", "512M", "64K" or plain bytes, binary multiples (memory sizes). */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -EINVAL;
	switch (*end) {
	case 'T': case 't': shift = 40; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	default: break;
	}
	if (*end != '\0' || v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/* "10G", "500M", "64K" or plain bits per second, decimal (as ZMap). */
static int
parse_bandwidth(const char *s, uint64_t *out)
{
	char *end;
	double v;
	double mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v <= 0)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': mult = 1e9; end++; break;
	case 'M': case 'm': mult = 1e6; end++; break;
	case 'K': case 'k': mult = 1e3; end++; break;
	default: break;
	}
	if (*end != '\0' || v * mult > 1e15)
		return -EINVAL;
	*out = (uint64_t)(v * mult);
	return 0;
}

static int
bad(struct trawl_err *err, const char *flag, const char *val, const char *what)
{
	return trawl_err_set(err, -EINVAL, "%s '%s': %s", flag, val, what);
}

static int
parse_opt(struct trawl_scan_conf *c, int opt, const char *arg, FILE *out, struct trawl_err *err)
{
	switch (opt) {
	case OPT_DEV: c->dev = arg; break;
	case OPT_EAL: c->eal = arg; break;
	case 'p':
		c->have_ports = 1;
		return trawl_ports_parse(c->ports, arg, err);
	case 'M': c->probe_module = arg; break;
	case 'S':
		if (trawl_parse_ipv4(arg, &c->saddr) != 0)
			return bad(err, "--source-ip", arg, "not an IPv4 address");
		c->have_saddr = 1;
		break;
	case 's': {
		uint32_t lo, hi;
		const char *dash = strchr(arg, '-');
		char buf[16];

		if (dash == NULL || (size_t)(dash - arg) >= sizeof(buf))
			return bad(err, "--source-port", arg, "expected LO-HI");
		memcpy(buf, arg, (size_t)(dash - arg));
		buf[dash - arg] = '\0';
		if (parse_u32(buf, 65535, &lo) || parse_u32(dash + 1, 65535, &hi) || lo > hi)
			return bad(err, "--source-port", arg, "expected LO-HI with 0 <= LO <= HI <= 65535");
		c->sport_first = (uint16_t)lo;
		c->sport_last = (uint16_t)hi;
		break;
	}
	case OPT_GATEWAY_IP:
		if (trawl_parse_ipv4(arg, &c->gateway_ip) != 0)
			return bad(err, "--gateway-ip", arg, "not an IPv4 address");
		c->have_gateway_ip = 1;
		break;
	case 'G':
		if (rte_ether_unformat_addr(arg, &c->gateway_mac) != 0)
			return bad(err, "--gateway-mac", arg, "not a MAC address");
		c->have_gateway_mac = 1;
		break;
	case 'r':
		if (parse_u64(arg, UINT64_C(1) << 40, &c->rate) != 0)
			return bad(err, "--rate", arg, "not a packet rate");
		break;
	case 'B':
		if (parse_bandwidth(arg, &c->bandwidth) != 0)
			return bad(err, "--bandwidth", arg, "not a bandwidth (e.g. 10G, 500M)");
		break;
	case 'P':
		if (parse_u32(arg, 255, &c->probes) != 0 || c->probes == 0)
			return bad(err, "--probes", arg, "expected 1 to 255");
		break;
	case 'c':
		if (parse_seconds(arg, &c->cooldown) != 0)
			return bad(err, "--cooldown-time", arg, "expected seconds >= 0");
		break;
	case 'n': {
		size_t len = strlen(arg);

		if (len > 1 && arg[len - 1] == '%') {
			char buf[32];
			char *end;

			if (len >= sizeof(buf))
				return bad(err, "--max-targets", arg, "too long");
			memcpy(buf, arg, len - 1);
			buf[len - 1] = '\0';
			c->max_targets_pct = strtod(buf, &end);
			if (*end != '\0' || !(c->max_targets_pct > 0 && c->max_targets_pct <= 100))
				return bad(err, "--max-targets", arg, "expected N or a percentage above 0 and up to 100%");
		} else if (parse_u64(arg, UINT64_MAX, &c->max_targets) != 0 || c->max_targets == 0) {
			return bad(err, "--max-targets", arg, "expected N or N%");
		}
		break;
	}
	case 'N':
		if (parse_u64(arg, UINT64_MAX, &c->max_results) != 0 || c->max_results == 0)
			return bad(err, "--max-results", arg, "expected a positive count");
		break;
	case 't':
		if (parse_seconds(arg, &c->max_runtime) != 0 || c->max_runtime == 0)
			return bad(err, "--max-runtime", arg, "expected seconds > 0");
		break;
	case 'e':
		if (parse_u64(arg, UINT64_MAX, &c->seed) != 0)
			return bad(err, "--seed", arg, "expected a 64-bit unsigned number");
		c->have_seed = 1;
		break;
	case OPT_SHARDS:
		if (parse_u32(arg, 65535, &c->shards) != 0 || c->shards == 0)
			return bad(err, "--shards", arg, "expected 1 to 65535");
		break;
	case OPT_SHARD:
		if (parse_u32(arg, 65534, &c->shard) != 0)
			return bad(err, "--shard", arg, "expected 0 to 65534");
		break;
	case 'T':
		if (parse_u32(arg, 64, &c->tx_threads) != 0 || c->tx_threads == 0)
			return bad(err, "--sender-threads", arg, "expected 1 to 64");
		break;
	case OPT_RX_THREADS:
		if (parse_u32(arg, 64, &c->rx_threads) != 0 || c->rx_threads == 0)
			return bad(err, "--receiver-threads", arg, "expected 1 to 64");
		break;
	case 'b':
		c->blocklist_file = arg;
		break;
	case 'w':
		c->allowlist_file = arg;
		break;
	case 'o': c->output_file = arg; break;
	case 'O': c->output_module = arg; break;
	case 'f': c->output_fields = arg; break;
	case OPT_NO_HEADER: c->no_header = 1; break;
	case 'm': c->metadata_file = arg; break;
	case OPT_CHECKPOINT: c->checkpoint = arg; break;
	case OPT_PROBE_ARGS: c->probe_args = arg; break;
	case OPT_OUTPUT_FILTER: c->output_filter = arg; break;
	case OPT_USER: c->user = arg; break;
	case OPT_METRICS_FILE: c->metrics_file = arg; break;
	case 'q': c->quiet = 1; break;
	case 'C': break; /* read before the other flags: see apply_config */
	case OPT_DRYRUN: c->dryrun = 1; break;
	case OPT_KEY: {
		char hi[17], lo[17];

		if (strlen(arg) != 32 || strspn(arg, "0123456789abcdefABCDEF") != 32)
			return bad(err, "--validation-key", arg, "expected 32 hex digits");
		memcpy(hi, arg, 16);
		memcpy(lo, arg + 16, 16);
		hi[16] = lo[16] = '\0';
		c->key[0] = strtoull(hi, NULL, 16);
		c->key[1] = strtoull(lo, NULL, 16);
		c->have_key = 1;
		break;
	}
	case OPT_DEDUP_MEMORY:
		if (parse_size(arg, &c->dedup_memory) != 0)
			return bad(err, "--dedup-memory", arg, "expected a size such as 512M or 8G");
		break;
	case OPT_LIST_FIELDS:
		/* Printed by the caller, where the modules are, once every flag is read (-M may follow). */
		c->list = TRAWL_LIST_FIELDS;
		break;
	case OPT_LIST_PROBES:
		c->list = TRAWL_LIST_PROBES;
		break;
	case 'h':
		fputs(usage, out);
		return TRAWL_CONF_EXIT;
	case OPT_VERSION:
		fprintf(out, "trawl %s\n", TRAWL_VERSION);
		return TRAWL_CONF_EXIT;
	default:
		return -EINVAL; /* getopt already said which */
	}
	return 0;
}

/* --- -C/--config: the same settings from a YAML file ------------------- */

static const char *const not_settings[] = {
	"config", "help", "version", "list-output-fields", "list-probe-modules", NULL,
};

static const struct option *
find_setting(const char *name)
{
	for (unsigned int i = 0; not_settings[i] != NULL; i++)
		if (strcmp(name, not_settings[i]) == 0)
			return NULL;
	for (const struct option *o = long_opts; o->name != NULL; o++)
		if (strcmp(name, o->name) == 0)
			return o;
	return NULL;
}

int
trawl_scan_conf_is_setting(const char *name)
{
	return strcmp(name, "targets") == 0 || find_setting(name) != NULL;
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

static int
apply_setting(struct trawl_scan_conf *c, struct trawl_yaml_setting *s, int cli_targets, FILE *out,
		struct trawl_err *err)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *path = c->config->path;
	const struct option *o;
	int rc;

	if (strcmp(s->key, "targets") == 0) {
		if (cli_targets)
			return 0; /* TARGETs on the command line replace the file's */
		for (size_t i = 0; i < s->nitems; i++) {
			struct trawl_range r;

			if (trawl_parse_cidr(s->items[i], &r) != 0)
				return trawl_err_set(err, -EINVAL, "%s:%u:%u: target '%s' is not an IPv4 address or CIDR block",
						path, s->line, s->col, s->items[i]);
			if (trawl_ranges_add(&c->allow, r) != 0)
				return trawl_err_set(err, -ENOMEM, "out of memory");
		}
		return 0;
	}
	o = find_setting(s->key);
	if (o == NULL)
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: unknown setting '%s' (a long flag of trawl scan --help, "
				"or targets)", path, s->key_line, s->key_col, s->key);
	if (s->nitems == 0)
		return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s: empty list", path, s->line, s->col, s->key);
	if (o->has_arg == no_argument) {
		if (s->is_list || !(is_word(s->items[0], yes) || is_word(s->items[0], no)))
			return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s: expected true or false", path, s->line, s->col,
					s->key);
		return is_word(s->items[0], yes) ? parse_opt(c, o->val, NULL, out, err) : 0;
	}
	if (join_items(s, o->val == OPT_EAL ? ' ' : ',') != 0)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	rc = parse_opt(c, o->val, s->items[0], out, err);
	return rc < 0 ? config_at(err, rc, path, s->line, s->col) : rc;
}

/*
 * First pass over a copy of argv (getopt reorders what it reads): -C only;
 * the real pass reports bad flags. @return whether there are TARGETs on the
 * command line, or -ENOMEM.
 */
static int
find_config(struct trawl_scan_conf *c, int argc, char **argv)
{
	char **copy = malloc(((size_t)argc + 1) * sizeof(char *));
	int opt, targets;

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, argv, ((size_t)argc + 1) * sizeof(char *));
	optind = 0;
	while ((opt = getopt_long(argc, copy, SHORT_OPTS, long_opts, NULL)) != -1)
		if (opt == 'C')
			c->config_file = optarg;
	targets = optind < argc; /* glibc moved the TARGETs behind the flags */
	free(copy);
	return targets;
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
	if (!c->have_saddr)
		return trawl_err_set(err, -EINVAL, "-S/--source-ip is required");
	if (!c->have_gateway_ip && !c->have_gateway_mac)
		return trawl_err_set(err, -EINVAL, "the next hop is required: --gateway-ip ADDR (resolved by ARP) or -G MAC");
	if (c->shard >= c->shards)
		return trawl_err_set(err, -EINVAL, "--shard %u is not below --shards %u", c->shard, c->shards);
	if (c->checkpoint != NULL && strcmp(c->output_file, "-") == 0)
		return trawl_err_set(err, -EINVAL, "--checkpoint needs -o FILE: a resumed scan reads back the rows "
				"already written, so that none is written twice");
	if (c->allow.n == 0)
		return trawl_err_set(err, -EINVAL, "no targets: give TARGET addresses or CIDR blocks, or -w FILE "
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

/* The files the flags name, the cross-flag checks, the seed. */
static int
finish(struct trawl_scan_conf *c, struct trawl_err *err)
{
	int rc;

	if (c->allowlist_file != NULL) {
		rc = trawl_ranges_load(&c->allow, c->allowlist_file, err);
		if (rc != 0)
			return rc == -ENOMEM ? rc : -EINVAL; /* unreadable or bad: a config error */
	}
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
	int opt, rc = init(c, err);

	if (rc != 0)
		return rc;
	opterr = 0;
	rc = find_config(c, argc, argv);
	if (rc < 0)
		return trawl_err_set(err, rc, "out of memory");
	if (c->config_file != NULL) {
		rc = apply_config(c, rc, out, err);
		if (rc != 0)
			return rc;
	}
	optind = 0; /* glibc: start afresh */
	while ((opt = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		if (opt == ':')
			return trawl_err_set(err, -EINVAL, "option '%s' needs a value (see trawl scan --help)",
					argv[optind - 1]);
		if (opt == '?') {
			if (optopt != 0)
				return trawl_err_set(err, -EINVAL, "unknown option '-%c' (see trawl scan --help)", optopt);
			return trawl_err_set(err, -EINVAL, "unknown option '%s' (see trawl scan --help)",
					argv[optind - 1]);
		}
		rc = parse_opt(c, opt, optarg, out, err);
		if (rc != 0)
			return rc;
	}
	if (c->list != TRAWL_LIST_NONE)
		return TRAWL_CONF_EXIT;
	for (int i = optind; i < argc; i++) {
		struct trawl_range r;

		if (trawl_parse_cidr(argv[i], &r) != 0)
			return trawl_err_set(err, -EINVAL, "target '%s' is not an IPv4 address or CIDR block", argv[i]);
		if (trawl_ranges_add(&c->allow, r) != 0)
			return trawl_err_set(err, -ENOMEM, "out of memory");
	}
	return finish(c, err);
}

void
trawl_scan_conf_free(struct trawl_scan_conf *c)
{
	trawl_ranges_free(&c->allow);
	trawl_ranges_free(&c->block);
	if (c->config != NULL && !c->config_borrowed) {
		trawl_yaml_settings_free(c->config);
		free(c->config);
	}
	c->config = NULL;
	free(c->ports);
	c->ports = NULL;
}
