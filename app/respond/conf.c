/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/ipv4.h"
#include "app/core/opts.h"
#include "app/core/ports.h"
#include "app/core/payload.h"
#include "app/respond/conf.h"

/* --- the rows' own parsers (core/opts.h: 0, or -EINVAL with why) -------- */

#define CONF(v) ((struct trawl_respond_conf *)(v))

static int
opt_dataset(void *c, const char *arg, struct trawl_err *err)
{
	if (CONF(c)->ndatasets == TRAWL_RESPOND_MAX_DATASETS)
		return trawl_err_set(err, -EINVAL, "at most %d --dataset files", TRAWL_RESPOND_MAX_DATASETS);
	CONF(c)->datasets[CONF(c)->ndatasets++] = arg;
	return 0;
}

/* The last -p wins, as in scan; a bitmap because the responder asks per packet. */
static int
opt_ports(void *c, const char *arg, struct trawl_err *err)
{
	struct trawl_ports *ps = malloc(sizeof(*ps));
	uint64_t *bits = calloc(65536 / 64, sizeof(uint64_t));
	int rc = -ENOMEM;

	if (ps != NULL && bits != NULL && (rc = trawl_ports_parse(ps, arg, err)) == 0) {
		for (uint32_t i = 0; i < ps->n; i++)
			bits[ps->port[i] / 64] |= UINT64_C(1) << (ps->port[i] % 64);
		free(CONF(c)->ports);
		CONF(c)->ports = bits;
		bits = NULL;
	}
	free(ps);
	free(bits);
	return rc;
}

static int
opt_gateway_ip(void *c, const char *arg, struct trawl_err *err)
{
	(void)err;
	if (strchr(arg, ':') != NULL) {
		if (CONF(c)->ngw6 == TRAWL_RESPOND_MAX_GW || trawl_parse_ipv6(arg, &CONF(c)->gw6[CONF(c)->ngw6]) != 0)
			return -EINVAL;
		CONF(c)->ngw6++;
		return 0;
	}
	if (CONF(c)->ngw == TRAWL_RESPOND_MAX_GW || trawl_parse_ipv4(arg, &CONF(c)->gw[CONF(c)->ngw]) != 0)
		return -EINVAL;
	CONF(c)->ngw++;
	return 0;
}

/* PORT:HEX or PORT:file:PATH. */
static int
opt_udp(void *v, const char *arg, struct trawl_err *err)
{
	struct trawl_respond_conf *c = v;
	const char *colon = strchr(arg, ':');
	size_t len = 0;
	uint32_t port;
	uint8_t *data;
	char num[8];

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(num))
		return -EINVAL;
	memcpy(num, arg, (size_t)(colon - arg));
	num[colon - arg] = '\0';
	if (trawl_opt_u32(num, 65535, &port) != 0)
		return -EINVAL;
	data = malloc(TRAWL_RESPOND_UDP_MAX);
	if (data == NULL)
		return -ENOMEM;
	if (strncmp(colon + 1, "file:", 5) == 0) {
		int rc = trawl_payload_file(colon + 6, data, TRAWL_RESPOND_UDP_MAX, &len);

		if (rc != 0 || len == 0) {
			free(data);
			return trawl_err_set(err, -EINVAL, "%s: %s", colon + 6,
					rc == -E2BIG ? "longer than 1400 bytes" : rc != 0 ? strerror(-rc) : "empty");
		}
	} else if (colon[1] == '\0' || trawl_payload_hex(colon + 1, data, TRAWL_RESPOND_UDP_MAX, &len) != 0) {
		free(data);
		return -EINVAL;
	}
	if (c->udp == NULL && (c->udp = calloc(65536, sizeof(*c->udp))) == NULL) {
		free(data);
		return -ENOMEM;
	}
	free((void *)c->udp[port].data);
	c->udp[port] = (struct trawl_udp_payload){ (uint16_t)len, data };
	return 0;
}

/* --- the table ------------------------------------------------------------ */

#define OFF(f) offsetof(struct trawl_respond_conf, f)

/* No -C for respond: every row is a flag only. */
#define ROW_FLAGS TRAWL_OPT_NOT_SETTING

static const struct trawl_opt rows[] = {
	{ "dev", 0, TRAWL_OPT_STR, OFF(dev), .meta = "SPEC", .flags = ROW_FLAGS,
		.help = "the DPDK port, as for scan" },
	{ "eal", 0, TRAWL_OPT_STR, OFF(eal), .meta = "\"ARGS\"", .flags = ROW_FLAGS,
		.help = "extra EAL arguments, as for scan" },
	{ "dataset", 0, TRAWL_OPT_FN, .fn = opt_dataset, .meta = "FILE", .flags = ROW_FLAGS,
		.help = "live hosts (repeatable): ADDR, CIDR, ADDR:PORT or CIDR:PORT per\n"
		"line (IPv6: ADDR, PREFIX/LEN, [ADDR]:PORT), '#' comments; text or\n"
		"the --compile binary form" },
	{ "ports", 'p', TRAWL_OPT_FN, .fn = opt_ports, .meta = "LIST", .flags = ROW_FLAGS,
		.help = "TCP ports open on hosts listed without a port (default: every port)" },
	{ "udp", 0, TRAWL_OPT_FN, .fn = opt_udp, .meta = "PORT:HEX|PORT:file:PATH", .flags = ROW_FLAGS,
		.what = "expected PORT:HEX or PORT:file:PATH (payload up to 1400 bytes)",
		.help = "UDP port every live host answers with this payload\n"
		"(repeatable; other UDP ports: port unreachable)" },
	{ "gateway-ip", 0, TRAWL_OPT_FN, .fn = opt_gateway_ip, .meta = "ADDR", .flags = ROW_FLAGS,
		.what = "not an IPv4 or IPv6 address (at most 16 of each)",
		.help = "answer ARP (IPv4) or neighbour solicitations (IPv6) for this\naddress (repeatable; default: every address)" },
	{ "loss", 0, TRAWL_OPT_PROB, OFF(loss), .meta = "P", .flags = ROW_FLAGS,
		.help = "probability of dropping a reply to a probe (0..1; ARP is never lost)" },
	{ "duplicate", 0, TRAWL_OPT_PROB, OFF(duplicate), .meta = "P", .flags = ROW_FLAGS,
		.help = "probability of sending a reply twice (0..1)" },
	{ "report", 0, TRAWL_OPT_STR, OFF(report), .meta = "FILE", .flags = ROW_FLAGS,
		.help = "JSON report at exit and on SIGUSR1" },
	{ "metrics-file", 0, TRAWL_OPT_STR, OFF(metrics_file), .meta = "FILE", .flags = ROW_FLAGS,
		.help = "live counters in Prometheus text format, rewritten whole once a\n"
		"second (node_exporter's textfile collector); the same counters are\n"
		"DPDK telemetry's /trawl/respond" },
	{ "user", 0, TRAWL_OPT_STR, OFF(user), .meta = "NAME", .flags = ROW_FLAGS,
		.help = "the user to run as once set up (default nobody when root)" },
	{ "threads", 0, TRAWL_OPT_U32, OFF(threads), 1, 64, .meta = "N", .flags = ROW_FLAGS,
		.help = "responder lcores/queues (default 1)" },
	{ "compile", 0, TRAWL_OPT_STR, OFF(compile_in), .meta = "IN", .flags = ROW_FLAGS,
		.help = "with -o OUT: turn a text dataset into the binary form and exit" },
	{ "output", 'o', TRAWL_OPT_STR, OFF(compile_out), .meta = "OUT", .flags = ROW_FLAGS,
		.help = "where --compile writes" },
	{ "quiet", 'q', TRAWL_OPT_FLAG, OFF(quiet), .flags = ROW_FLAGS, .help = "no status line" },
	{ "help", 'h', TRAWL_OPT_HELP, .help = "this help" },
};

_Static_assert(TRAWL_RESPOND_MAX_GW == 16, "the --gateway-ip row's message says 16");

static const struct trawl_opts table = {
	.cmd = "respond",
	.usage = "usage: trawl respond --dev SPEC --dataset FILE... [OPTIONS]\n"
		"       trawl respond --compile IN -o OUT\n"
		"The virtual internet: answers probes for the hosts of the dataset, until SIGINT/SIGTERM.\n",
	.opt = rows,
	.n = sizeof(rows) / sizeof(rows[0]),
};

const struct trawl_opts *
trawl_respond_opts(void)
{
	return &table;
}

int
trawl_respond_conf_parse(struct trawl_respond_conf *c, int argc, char **argv, FILE *out,
		struct trawl_err *err)
{
	int first, rc;

	memset(c, 0, sizeof(*c));
	c->threads = 1;
	rc = trawl_opts_parse(&table, c, argc, argv, 0, out, &first, err);
	if (rc != 0)
		return rc;
	if (first < argc)
		return trawl_err_set(err, -EINVAL, "unexpected argument '%s' (see trawl respond --help)", argv[first]);
	if (c->compile_in != NULL) {
		if (c->compile_out == NULL)
			return trawl_err_set(err, -EINVAL, "--compile needs -o OUT");
		return 0;
	}
	if (c->dev == NULL)
		return trawl_err_set(err, -EINVAL, "--dev is required");
	if (c->ndatasets == 0)
		return trawl_err_set(err, -EINVAL, "--dataset is required: the virtual internet needs hosts");
	return 0;
}

void
trawl_respond_conf_free(struct trawl_respond_conf *c)
{
	if (c->udp != NULL)
		for (unsigned int i = 0; i < 65536; i++)
			free((void *)c->udp[i].data);
	free(c->udp);
	free(c->ports);
	c->udp = NULL;
	c->ports = NULL;
}
