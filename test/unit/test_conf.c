/* SPDX-License-Identifier: BSD-3-Clause */
/* `trawl scan` flags: what is accepted, and that every mistake is refused with a reason. */
#include <errno.h>
#include <string.h>

#include "core/scan_conf.h"
#include "check.h"

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

	CHECK(PARSE(BASE, "-B", "10M", "198.18.0.0/16") == TRAWL_CONF_RUN);
	CHECK(c.bandwidth == 10000000);
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
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int argc = 0, rc;

		while (cases[i].argv[argc] != NULL)
			argc++;
		rc = parse(&c, &err, (char **)cases[i].argv);
		if (rc >= 0 || strstr(err.msg, cases[i].needle) == NULL)
			fprintf(stderr, "case %u: rc %d, message '%s', wanted '%s'\n", i, rc, err.msg, cases[i].needle);
		CHECK(rc < 0);
		CHECK(strstr(err.msg, cases[i].needle) != NULL);
		trawl_scan_conf_free(&c);
	}
}

int
main(void)
{
	RUN(test_accepts_full_command);
	RUN(test_refuses_with_reason);
	return check_done();
}
