/* SPDX-License-Identifier: BSD-3-Clause */
/* `trawl scan` flags: what is accepted, and that every mistake is refused with a reason. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/scan/conf.h"
#include "app/scan/modules.h"
#include "test/unit/check.h"

#define BASE "scan", "--dev", "net_null0", "-S", "198.19.0.2", "-G", "02:00:00:00:00:01", "-b", "/dev/null"

static int
parse(struct trawl_scan_conf *c, struct trawl_err *err, char **argv)
{
	int argc = 0;
	FILE *out = fopen("/dev/null", "w");
	int rc;

	while (argv[argc] != NULL)
		argc++;
	err->msg[0] = '\0';
	rc = trawl_scan_conf_parse(c, argc, argv, out, err);
	fclose(out);
	if (rc == TRAWL_CONF_RUN) {
		/* Module names are checked one floor up, as trawl scan does right after parsing. */
		struct trawl_scan_modules m;
		int mrc = trawl_scan_modules_resolve(c, &m, err);

		if (mrc != 0)
			return mrc;
	}
	return rc;
}

#define PARSE(...) parse(&c, &err, (char *[]){ __VA_ARGS__, NULL })

static void
test_accepts_full_command(void)
{
	struct trawl_scan_conf c;
	struct trawl_err err;

	CHECK(PARSE(BASE, "-p", "80,443", "-r", "0", "-P", "2", "-c", "1.5", "-e", "42", "-T", "2",
			"-O", "json", "-f", "saddr,sport,classification", "--shards", "4", "--shard", "3",
			"198.18.0.0/16", "-n", "10%", "1.2.3.4") == TRAWL_CONF_RUN);
	CHECK(c.ports->n == 2 && c.rate == 0 && c.probes == 2 && c.cooldown == 1.5 && c.seed == 42);
	CHECK(c.tx_threads == 2 && c.shards == 4 && c.shard == 3 && c.max_targets_pct == 10);
	CHECK(c.allow.n == 2 && c.block.n == 0); /* targets after flags count too */
	trawl_scan_conf_free(&c);

	/* --kernel-iface: a name the kernel takes, or none; anything else refused before the EAL. */
	CHECK(PARSE(BASE, "--kernel-iface", "scan-0.k", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(strcmp(c.kernel_iface, "scan-0.k") == 0);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "--kernel-iface", "none", "198.18.0.0/16") == TRAWL_CONF_RUN);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "198.18.0.0/16") == TRAWL_CONF_RUN && c.kernel_iface == NULL);
	trawl_scan_conf_free(&c);
	static const char *const bad_iface[] = { "", "sixteen-chars-xx", "a/b", "a b", "..", "tr\nawl" };
	for (unsigned int i = 0; i < sizeof(bad_iface) / sizeof(bad_iface[0]); i++) {
		CHECK(PARSE(BASE, "--kernel-iface", (char *)bad_iface[i], "198.18.0.0/16") == -EINVAL);
		CHECK(strstr(err.msg, "--kernel-iface") != NULL);
		trawl_scan_conf_free(&c);
	}

	CHECK(PARSE(BASE, "-B", "10M", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(c.bandwidth == 10000000 && c.dedup_memory == 0);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "--dedup-memory", "3G", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(c.dedup_memory == 3ULL << 30);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "--dedup-memory", "4096", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(c.dedup_memory == 4096);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--list-output-fields") == TRAWL_CONF_EXIT && c.list == TRAWL_LIST_FIELDS);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--help") == TRAWL_CONF_EXIT);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--version") == TRAWL_CONF_EXIT);
	trawl_scan_conf_free(&c);
}

static void
test_refuses_with_reason(void)
{
	struct trawl_scan_conf c;
	struct trawl_err err;
	static const struct {
		const char *needle;
		char *argv[16];
	} cases[] = {
		{ "--frobnicate", { BASE, "--frobnicate", "198.18.0.0/16" } },
		{ "-Z", { BASE, "-Z", "198.18.0.0/16" } },
		{ "needs a value", { BASE, "198.18.0.0/16", "-p" } },
		{ "198.18.0.0/33", { BASE, "198.18.0.0/33" } },
		{ "no targets", { BASE } },
		{ "--source-ip", { "scan", "--dev", "x", "-G", "02:00:00:00:00:01", "1.2.3.4" } },
		{ "--dev", { "scan", "-S", "1.2.3.4", "-G", "02:00:00:00:00:01", "1.2.3.4" } },
		{ "next hop", { "scan", "--dev", "x", "-S", "1.2.3.4", "1.2.3.4" } },
		{ "--gateway-mac", { BASE, "-G", "02:00:00:00:01", "1.2.3.4" } },
		{ "/nonexistent/block", { BASE, "-b", "/nonexistent/block", "1.2.3.4" } },
		{ "/nonexistent/allow", { BASE, "-w", "/nonexistent/allow" } },
		{ "port", { BASE, "-p", "70000", "1.2.3.4" } },
		{ "--rate", { BASE, "-r", "-5", "1.2.3.4" } },
		{ "--probes", { BASE, "-P", "0", "1.2.3.4" } },
		{ "--shard", { BASE, "--shards", "2", "--shard", "2", "1.2.3.4" } },
		{ "probe module", { BASE, "-M", "nope", "1.2.3.4" } },
		{ "output module", { BASE, "-O", "xml", "1.2.3.4" } },
		{ "output field", { BASE, "-f", "saddr,nope", "1.2.3.4" } },
		{ "--bandwidth", { BASE, "-B", "10X", "1.2.3.4" } },
		{ "--max-targets", { BASE, "-n", "120%", "1.2.3.4" } },
		{ "--validation-key", { BASE, "--validation-key", "abc", "1.2.3.4" } },
		{ "--cooldown-time", { BASE, "-c", "soon", "1.2.3.4" } },
		{ "--dedup-memory", { BASE, "--dedup-memory", "lots", "1.2.3.4" } },
		{ "--dedup-memory", { BASE, "--dedup-memory", "0", "1.2.3.4" } },
		{ "--dedup-memory", { BASE, "--dedup-memory", "99999999999T", "1.2.3.4" } },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		char *argv[16];

		/* getopt reorders argv: a writable copy, as a real argv is. */
		memcpy(argv, cases[i].argv, sizeof(argv));
		rc = parse(&c, &err, argv);
		if (rc >= 0 || strstr(err.msg, cases[i].needle) == NULL)
			fprintf(stderr, "case %u: rc %d, message '%s', wanted '%s'\n", i, rc, err.msg, cases[i].needle);
		CHECK(rc < 0);
		CHECK(strstr(err.msg, cases[i].needle) != NULL);
		trawl_scan_conf_free(&c);
	}
}

/* A YAML file for -C in the temp directory; returns its path (static buffer). */
static const char *
yaml_file(const char *text)
{
	static char path[64];
	static int n;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/trawl-test-conf-%d-%d.yaml", (int)getpid(), n++);
	f = fopen(path, "w");
	REQUIRE_OR(f != NULL, path);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_config_file_under_the_command_line(void)
{
	struct trawl_scan_conf c;
	struct trawl_err err;
	char path[64], arg[80];

	snprintf(path, sizeof(path), "%s", yaml_file(
		"# a survey host's defaults\n"
		"dev: net_null0\n"
		"source-ip: 198.19.0.2\n"
		"gateway-mac: \"02:00:00:00:00:01\"\n"
		"blocklist-file: /dev/null\n"
		"rate: 5000\n"
		"target-ports: [80, 443, 8000-8010]\n"
		"eal: [--no-huge, -m, 256]\n"
		"quiet: true\n"
		"no-header-row: false\n"
		"targets:\n"
		"  - 198.18.0.0/16\n"
		"  - 198.19.1.0/24\n"));
	CHECK(PARSE("scan", "-C", path) == TRAWL_CONF_RUN);
	CHECK(strcmp(c.dev, "net_null0") == 0 && c.have_saddr && c.have_gateway_mac && c.block.n == 0);
	CHECK_EQ_U64(c.rate, 5000);
	CHECK_EQ_U64(c.ports->n, 13);
	CHECK(strcmp(c.eal, "--no-huge -m 256") == 0);
	CHECK(c.quiet == 1 && c.no_header == 0);
	CHECK_EQ_U64(c.allow.n, 2);
	trawl_scan_conf_free(&c);

	/* Flags win wherever they stand; TARGETs on the command line replace the file's. */
	snprintf(arg, sizeof(arg), "--config=%s", path);
	CHECK(PARSE("scan", "-r", "7", arg, "-p", "22", "203.0.113.0/24") == TRAWL_CONF_RUN);
	CHECK_EQ_U64(c.rate, 7);
	CHECK_EQ_U64(c.ports->n, 1);
	CHECK(c.allow.n == 1 && c.allow.v[0].lo == 0xcb007100u);
	trawl_scan_conf_free(&c);
	unlink(path);

	/* An empty file is no settings: the flags alone decide. */
	snprintf(path, sizeof(path), "%s", yaml_file(""));
	CHECK(PARSE(BASE, "-C", path, "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK_EQ_U64(c.rate, TRAWL_DEFAULT_RATE);
	trawl_scan_conf_free(&c);
	unlink(path);
}

static void
test_config_errors_say_where(void)
{
	static const struct {
		const char *yaml, *where, *what;
	} cases[] = {
		{ "rate: [1, 2\n", ":2:1:", "bad YAML" },
		{ "rate: 5\nfrobnicate: 1\n", ":2:1:", "unknown setting 'frobnicate'" },
		{ "rate: fast\n", ":1:7:", "--rate 'fast'" },
		{ "rate: 10\ntarget-ports: [80, 70000]\n", ":2:15:", "port" },
		{ "rate:\n  a: 1\n", ":2:3:", "not a mapping" },
		{ "rate: 1\nrate: 2\n", ":2:1:", "twice" },
		{ "quiet: maybe\n", ":1:8:", "expected true or false" },
		{ "targets: [198.18.0.0/40]\n", ":1:10:", "198.18.0.0/40" },
		{ "help: true\n", ":1:1:", "unknown setting 'help'" },
		{ "- rate\n", ":1:1:", "expected settings" },
		{ "target-ports: []\n", ":1:15:", "empty list" },
	};
	struct trawl_scan_conf c;
	struct trawl_err err;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64], want[96];
		int rc;

		snprintf(path, sizeof(path), "%s", yaml_file(cases[i].yaml));
		snprintf(want, sizeof(want), "%s%s", path, cases[i].where);
		rc = PARSE(BASE, "-C", path);
		if (rc != -EINVAL || strstr(err.msg, want) == NULL || strstr(err.msg, cases[i].what) == NULL)
			fprintf(stderr, "case %u: rc %d, message '%s', wanted '%s' and '%s'\n", i, rc, err.msg, want,
					cases[i].what);
		CHECK(rc == -EINVAL);
		CHECK(strstr(err.msg, want) != NULL && strstr(err.msg, cases[i].what) != NULL);
		trawl_scan_conf_free(&c);
		unlink(path);
	}
	CHECK(PARSE(BASE, "-C", "/nonexistent/trawl.yaml", "198.18.0.0/16") == -EINVAL);
	CHECK(strstr(err.msg, "/nonexistent/trawl.yaml") != NULL);
	trawl_scan_conf_free(&c);
}

/* -M and what comes with it: modules without ports, --probe-args, fields and filters per module. */
static void
test_probe_modules(void)
{
	struct trawl_scan_conf c;
	struct trawl_err err;
	struct trawl_scan_modules m;

	CHECK(PARSE(BASE, "-M", "icmp_echoscan", "-f", "saddr,sport,type,code,icmp_id,seq", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(c.ports->n == 1 && c.ports->port[0] == 0); /* addresses alone: the one port 0 */
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-M", "icmp_echoscan", "-p", "80", "198.18.0.0/16") == -EINVAL && strstr(err.msg, "-p") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-M", "icmp_echoscan", "--probe-args", "text:x", "198.18.0.0/16") == -EINVAL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-M", "tcp_synscan", "-f", "saddr,data", "198.18.0.0/16") == -EINVAL &&
			strstr(err.msg, "no output field 'data'") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-M", "udp", "-p", "53", "198.18.0.0/16") == -EINVAL && strstr(err.msg, "--probe-args") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-M", "udp", "-p", "53", "--probe-args", "hex:0102", "-f", "saddr,data,udp_pkt_size",
			"--output-filter", "repeat = 0", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(trawl_scan_modules_resolve(&c, &m, &err) == 0 && m.args.payload_len == 2 && m.have_filter && m.nfields == 3);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "-f", "saddr,saddr", "198.18.0.0/16") == -EINVAL && strstr(err.msg, "twice") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "--output-filter", "success = 1 &&", "198.18.0.0/16") == -EINVAL &&
			strstr(err.msg, "--output-filter") != NULL);
	trawl_scan_conf_free(&c);
	/* --list-output-fields with -M after it: the listing waits for every flag. */
	CHECK(PARSE("scan", "--list-output-fields", "-M", "udp") == TRAWL_CONF_EXIT && c.list == TRAWL_LIST_FIELDS &&
			strcmp(c.probe_module, "udp") == 0);
	trawl_scan_conf_free(&c);
}

/* IPv6 targets: addresses, prefixes and windows; one family a scan; -S per family; the kernel path's IPv4. */
static void
test_ipv6_targets(void)
{
	struct trawl_scan_conf c;
	struct trawl_err err;
	const char *V6 = "2001:2:ff::2";

	CHECK(PARSE("scan", "--dev", "net_null0", "-S", (char *)V6, "-G", "02:00:00:00:00:01", "-b", "/dev/null", "-e", "9",
			"--iid", "seed", "2001:2::/120", "2001:2:1::/48-56", "2001:2::7", "2001:2::7") == TRAWL_CONF_RUN);
	CHECK(c.six && c.nwin6 == 2 && c.list6.n == 1 && c.have_saddr6 && !c.have_saddr);
	CHECK(!c.win6[0].seeded && c.win6[1].seeded); /* a prefix has no IID; a window's comes from the seed */
	trawl_scan_conf_free(&c);
	/* Both families' sources in one list; the kernel path takes both. */
	CHECK(PARSE("scan", "--dev", "net_null0", "-S", "198.19.0.2,2001:2:ff::2", "-G", "02:00:00:00:00:01", "-b",
			"/dev/null", "--kernel-iface", "trawl0", "2001:2::/120") == TRAWL_CONF_RUN);
	CHECK(c.have_saddr && c.have_saddr6);
	trawl_scan_conf_free(&c);
	/* An IPv6 source alone: the kernel path carries it alone. */
	CHECK(PARSE("scan", "--dev", "net_null0", "-S", (char *)V6, "-G", "02:00:00:00:00:01", "-b", "/dev/null",
			"--kernel-iface", "trawl0", "2001:2::/120") == TRAWL_CONF_RUN);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--dev", "net_null0", "-S", (char *)V6, "-G", "02:00:00:00:00:01", "-b", "/dev/null",
			"2001:2::/120", "198.18.0.0/24") == -EINVAL && strstr(err.msg, "one scan per address family") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE(BASE, "2001:2::/120") == -EINVAL && strstr(err.msg, "IPv6 source") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--dev", "net_null0", "-S", (char *)V6, "--gateway-ip", "198.19.0.1", "-b", "/dev/null",
			"2001:2::/120") == -EINVAL && strstr(err.msg, "NDP") != NULL);
	trawl_scan_conf_free(&c);
	CHECK(PARSE("scan", "--dev", "net_null0", "-S", "2001:2:ff::2,2001:2:ff::3", "-G", "02:00:00:00:00:01",
			"2001:2::/120") == -EINVAL && strstr(err.msg, "twice for IPv6") != NULL);
	trawl_scan_conf_free(&c);
}

int
main(void)
{
	RUN(test_accepts_full_command);
	RUN(test_refuses_with_reason);
	RUN(test_config_file_under_the_command_line);
	RUN(test_config_errors_say_where);
	RUN(test_probe_modules);
	RUN(test_ipv6_targets);
	return check_done();
}
