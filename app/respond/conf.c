/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/ipv4.h"
#include "app/core/ports.h"
#include "app/core/payload.h"
#include "app/respond/conf.h"

enum {
	OPT_DEV = 256,
	OPT_EAL,
	OPT_DATASET,
	OPT_GATEWAY_IP,
	OPT_LOSS,
	OPT_DUP,
	OPT_REPORT,
	OPT_COMPILE,
	OPT_UDP,
	OPT_THREADS,
	OPT_USER,
	OPT_METRICS_FILE,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "eal", required_argument, NULL, OPT_EAL },
	{ "dataset", required_argument, NULL, OPT_DATASET },
	{ "ports", required_argument, NULL, 'p' },
	{ "gateway-ip", required_argument, NULL, OPT_GATEWAY_IP },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "duplicate", required_argument, NULL, OPT_DUP },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "compile", required_argument, NULL, OPT_COMPILE },
	{ "output", required_argument, NULL, 'o' },
	{ "udp", required_argument, NULL, OPT_UDP },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char usage[] =
"usage: trawl respond --dev SPEC --dataset FILE... [OPTIONS]\n"
"       trawl respond --compile IN -o OUT\n"
"The virtual internet: answers probes for the hosts of the dataset, until SIGINT/SIGTERM.\n"
"  --dev SPEC, --eal \"ARGS\"   the DPDK port and extra EAL arguments, as for scan\n"
"  --dataset FILE             live hosts (repeatable): ADDR, CIDR, ADDR:PORT or CIDR:PORT per\n"
"                             line, '#' comments; text or the --compile binary form\n"
"  -p, --ports LIST           TCP ports open on hosts listed without a port (default: every port)\n"
"  --udp PORT:HEX|PORT:file:PATH  UDP port every live host answers with this payload (repeatable;\n"
"                             other UDP ports: port unreachable)\n"
"  --gateway-ip ADDR          answer ARP for this address (repeatable; default: every address)\n"
"  --loss P                   probability of dropping a reply to a probe (0..1; ARP is never lost)\n"
"  --duplicate P              probability of sending a reply twice (0..1)\n"
"  --report FILE              JSON report at exit and on SIGUSR1\n"
"  --metrics-file FILE        live counters in Prometheus text format, rewritten whole once a\n"
"                             second (node_exporter's textfile collector); the same counters are\n"
"                             DPDK telemetry's /trawl/respond\n"
"  --user NAME                the user to run as once set up (default nobody when root)\n"
"  --threads N                responder lcores/queues (default 1)\n"
"  --compile IN -o OUT        turn a text dataset into the binary form and exit\n"
"  -q, --quiet                no status line\n";

static int
parse_prob(const char *arg, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	return (end == arg || *end != '\0' || !(*out >= 0 && *out <= 1)) ? -EINVAL : 0;
}

/* PORT:HEX or PORT:file:PATH. */
static int
parse_udp(struct trawl_respond_conf *c, const char *arg, struct trawl_err *err)
{
	const char *colon = strchr(arg, ':');
	size_t len = 0;
	char *end;
	unsigned long port;
	uint8_t *data = NULL;

	if (colon == NULL)
		return -EINVAL;
	port = strtoul(arg, &end, 10);
	if (end != colon || port > 65535)
		return -EINVAL;
	data = malloc(TRAWL_RESPOND_UDP_MAX);
	if (data == NULL)
		return -ENOMEM;
	if (strncmp(colon + 1, "file:", 5) == 0) {
		int rc = trawl_payload_file(colon + 6, data, TRAWL_RESPOND_UDP_MAX, &len);

		if (rc != 0 || len == 0) {
			free(data);
			return trawl_err_set(err, -EINVAL, "--udp ...:file:%s: %s", colon + 6,
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

int
trawl_respond_conf_parse(struct trawl_respond_conf *c, int argc, char **argv, FILE *out,
		struct trawl_err *err)
{
	struct trawl_ports *ps = NULL;
	int opt;

	memset(c, 0, sizeof(*c));
	c->threads = 1;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:o:qh", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_DEV: c->dev = optarg; break;
		case OPT_EAL: c->eal = optarg; break;
		case OPT_DATASET:
			if (c->ndatasets == TRAWL_RESPOND_MAX_DATASETS)
				return trawl_err_set(err, -EINVAL, "at most %d --dataset files", TRAWL_RESPOND_MAX_DATASETS);
			c->datasets[c->ndatasets++] = optarg;
			break;
		case 'p':
			ps = malloc(sizeof(*ps));
			if (ps == NULL)
				return trawl_err_set(err, -ENOMEM, "out of memory");
			if (trawl_ports_parse(ps, optarg, err) != 0) {
				free(ps);
				return -EINVAL;
			}
			free(c->ports);
			c->ports = calloc(65536 / 64, sizeof(uint64_t));
			if (c->ports == NULL) {
				free(ps);
				return trawl_err_set(err, -ENOMEM, "out of memory");
			}
			for (uint32_t i = 0; i < ps->n; i++)
				c->ports[ps->port[i] / 64] |= UINT64_C(1) << (ps->port[i] % 64);
			free(ps);
			break;
		case OPT_GATEWAY_IP:
			if (c->ngw == TRAWL_RESPOND_MAX_GW || trawl_parse_ipv4(optarg, &c->gw[c->ngw]) != 0)
				return trawl_err_set(err, -EINVAL, "--gateway-ip '%s': not an IPv4 address (at most %d)",
						optarg, TRAWL_RESPOND_MAX_GW);
			c->ngw++;
			break;
		case OPT_LOSS:
			if (parse_prob(optarg, &c->loss) != 0)
				return trawl_err_set(err, -EINVAL, "--loss '%s': expected a probability from 0 to 1", optarg);
			break;
		case OPT_DUP:
			if (parse_prob(optarg, &c->duplicate) != 0)
				return trawl_err_set(err, -EINVAL, "--duplicate '%s': expected a probability from 0 to 1", optarg);
			break;
		case OPT_REPORT: c->report = optarg; break;
		case OPT_METRICS_FILE: c->metrics_file = optarg; break;
		case OPT_USER: c->user = optarg; break;
		case OPT_COMPILE: c->compile_in = optarg; break;
		case 'o': c->compile_out = optarg; break;
		case OPT_UDP: {
			struct trawl_err e = { "" };
			int rc = parse_udp(c, optarg, &e);

			if (rc != 0 && e.msg[0] != '\0')
				return trawl_err_set(err, rc, "%s", e.msg);
			if (rc != 0)
				return trawl_err_set(err, rc, "--udp '%s': expected PORT:HEX or PORT:file:PATH "
						"(payload up to 1400 bytes)", optarg);
			break;
		}
		case OPT_THREADS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end != '\0' || v == 0 || v > 64)
				return trawl_err_set(err, -EINVAL, "--threads '%s': expected 1 to 64", optarg);
			c->threads = (uint32_t)v;
			break;
		}
		case 'q': c->quiet = 1; break;
		case 'h':
			fputs(usage, out);
			return 1;
		case ':':
			return trawl_err_set(err, -EINVAL, "option '%s' needs a value (see trawl respond --help)", argv[optind - 1]);
		default:
			if (optopt != 0)
				return trawl_err_set(err, -EINVAL, "unknown option '-%c' (see trawl respond --help)", optopt);
			return trawl_err_set(err, -EINVAL, "unknown option '%s' (see trawl respond --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return trawl_err_set(err, -EINVAL, "unexpected argument '%s' (see trawl respond --help)", argv[optind]);
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
