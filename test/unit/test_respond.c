/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual internet's pure parts: every answer byte-correct (checksums
 * recomputed independently), each fingerprint rule fires on its own
 * toolchain's probes and on no other's, and datasets load from text and
 * binary alike, refusing bad lines with file:line:column.
 */
#include <string.h>
#include <unistd.h>

#include "app/respond/conf.h"
#include "app/respond/dataset.h"
#include "app/core/fingerprint.h"
#include "app/core/icmp.h"
#include "app/core/ndp.h"
#include "app/core/packet.h"
#include "app/respond/packet.h"
#include "app/respond/service.h"
#include "app/core/l7.h"
#include "test/unit/check.h"
#include "test/unit/refcsum.h"

/* IP header checksum and the L4 checksum (TCP/UDP with pseudo-header, ICMP without) all verify. */
static int
sums_ok(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = (size_t)(ip[2] << 8 | ip[3]);

	if (ref_csum(ip, ihl, 0) != 0xffff)
		return 0;
	return ref_csum(ip + ihl, total - ihl, ip[9] == IPPROTO_ICMP ? 0 : ref_pseudo(ip)) == 0xffff;
}

static struct trawl_dataset ds;
static struct trawl_respond_cfg cfg;
static struct trawl_udp_payload udp[65536];
static uint64_t ports80[65536 / 64];
static const struct rte_ether_addr scanner = { { 2, 0, 0, 0, 0, 0x55 } }, me = { { 2, 0, 0, 0, 0, 0x66 } };

static char *
write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/trawl-ds-XXXXXX");
	fd = mkstemp(path);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
setup(void)
{
	struct trawl_err err;
	char *p = write_tmp("# ground truth\n198.18.0.1\n198.18.1.0/30:443\r\n  198.18.2.9:22 # ssh only\n");

	trawl_dataset_free(&ds);
	CHECK(trawl_dataset_init(&ds) == 0);
	CHECK(trawl_dataset_load(&ds, p, &err) == 0);
	trawl_dataset_seal(&ds);
	unlink(p);
	memset(&cfg, 0, sizeof(cfg));
	cfg.ds = &ds;
	ports80[80 / 64] = UINT64_C(1) << (80 % 64);
	cfg.wild_ports = ports80;
	cfg.isn_key = (struct trawl_siphash_key){ 1, 2 };
	cfg.mac = me;
	cfg.gw[0] = 0xc6130101;
	cfg.ngw = 1;
	udp[53] = (struct trawl_udp_payload){ 3, (const uint8_t *)"abc" };
	cfg.udp = udp;
}

static void
test_dataset_text_and_binary(void)
{
	struct trawl_dataset b;
	struct trawl_err err;
	char out[] = "/tmp/trawl-dsbin-XXXXXX";
	int fd = mkstemp(out);

	setup();
	close(fd);
	CHECK(trawl_dataset_live(&ds, 0xc6120001) && !trawl_dataset_live(&ds, 0xc6120002));
	CHECK(trawl_dataset_open(&ds, 0xc6120001, 80, ports80) && !trawl_dataset_open(&ds, 0xc6120001, 81, ports80));
	CHECK(trawl_dataset_open(&ds, 0xc6120001, 81, NULL)); /* no --ports: every port */
	CHECK(trawl_dataset_open(&ds, 0xc6120103, 443, ports80) && !trawl_dataset_open(&ds, 0xc6120103, 80, ports80));
	CHECK(trawl_dataset_live(&ds, 0xc6120103) && !trawl_dataset_live(&ds, 0xc6120104));
	CHECK(trawl_dataset_open(&ds, 0xc6120209, 22, ports80) && !trawl_dataset_open(&ds, 0xc6120209, 80, ports80));
	CHECK_EQ_U64(trawl_dataset_count_live(&ds), 1 + 4 + 1);
	CHECK(trawl_dataset_write(&ds, out, &err) == 0);
	CHECK(trawl_dataset_init(&b) == 0);
	CHECK(trawl_dataset_load(&b, out, &err) == 0);
	trawl_dataset_seal(&b);
	CHECK_EQ_U64(b.npairs, ds.npairs);
	CHECK(b.npairs == ds.npairs && memcmp(b.pairs, ds.pairs, b.npairs * 8) == 0);
	CHECK_EQ_U64(trawl_dataset_count_live(&b), 6);
	CHECK(trawl_dataset_open(&b, 0xc6120001, 80, ports80) && trawl_bit(b.wild, 0xc6120001));
	trawl_dataset_free(&b);
	unlink(out);
}

static void
test_dataset_errors(void)
{
	static const char *const bad[] = { "198.18.0.1/33\n", "198.18.0\n", "198.18.0.1:70000\n", "198.18.0.256\n",
		"198.18.0.1 198.18.0.2\n", "198.18.0.1:\n", "x\n" };
	struct trawl_dataset d;
	struct trawl_err err;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64], *p;

		snprintf(text, sizeof(text), "# ok\n198.18.0.1\n\n  %s", bad[i]);
		p = write_tmp(text);
		CHECK(trawl_dataset_init(&d) == 0);
		CHECK(trawl_dataset_load(&d, p, &err) == -EINVAL);
		CHECK(strstr(err.msg, ":4:3: ") != NULL);
		trawl_dataset_free(&d);
		unlink(p);
	}
	CHECK(trawl_dataset_init(&d) == 0);
	CHECK(trawl_dataset_load(&d, "/nonexistent/ds", &err) == -ENOENT);
	trawl_dataset_free(&d);
}

/* A probe frame from the scanner to `dst`. */
static uint32_t
probe(uint8_t *f, uint8_t proto, uint32_t dst, uint16_t dport, uint8_t flags)
{
	struct rte_ipv4_hdr *ip = (void *)(f + 14);
	uint32_t len;

	memset(f, 0, 128);
	if (proto == IPPROTO_TCP)
		return trawl_tcp_build(f, &scanner, &me, 0xc6130002, dst, 40000, dport, 0x01020304, 0, flags, 1024, 50);
	memcpy(f, me.addr_bytes, 6);
	memcpy(f + 6, scanner.addr_bytes, 6);
	f[12] = 8;
	ip->version_ihl = 0x45;
	ip->time_to_live = 50;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0xc6130002);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	if (proto == IPPROTO_ICMP) {
		uint8_t *icmp = f + 34;

		icmp[0] = 8;
		icmp[4] = 0x12, icmp[5] = 0x34, icmp[6] = 0, icmp[7] = 7;
		memcpy(icmp + 8, "payload!", 8);
		len = 16;
	} else {
		uint8_t *udph = f + 34;

		udph[0] = 0x9c, udph[1] = 0x40, udph[2] = dport >> 8, udph[3] = dport & 0xff;
		udph[5] = 12;
		memcpy(udph + 8, "ping", 4);
		len = 12;
	}
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return 34 + len < 60 ? 60 : 34 + len;
}

static void
test_answers_byte_correct(void)
{
	struct trawl_respond_result r;
	uint8_t f[256];
	uint32_t len;

	setup();
	/* SYN to an open port: SYN-ACK. */
	len = probe(f, IPPROTO_TCP, 0xc6120001, 80, RTE_TCP_SYN_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.probe == TRAWL_PROBE_TCP_SYN && r.reply == TRAWL_REPLY_SYNACK && r.len == 60);
	CHECK(memcmp(f, scanner.addr_bytes, 6) == 0 && memcmp(f + 6, me.addr_bytes, 6) == 0);
	CHECK(sums_ok(f + 14));
	CHECK(f[14 + 8] == 64 && f[14 + 9] == 6); /* TTL 64, TCP */
	CHECK(memcmp(f + 26, "\xc6\x12\x00\x01", 4) == 0 && memcmp(f + 30, "\xc6\x13\x00\x02", 4) == 0);
	CHECK(f[34] == 0 && f[35] == 80 && f[36] == 0x9c && f[37] == 0x40);
	CHECK(memcmp(f + 42, "\x01\x02\x03\x05", 4) == 0); /* ack = seq + 1 */
	CHECK(f[47] == (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) && f[54] == 2 && f[55] == 4); /* MSS */
	CHECK(r.fp.window == 1024 && r.fp.sport == 40000 && r.fp.seq == 0x01020304);
	/* The same SYN again: the same ISN (a duplicate is a true retransmission). */
	{
		uint8_t g[256];

		memcpy(g, f, 60);
		len = probe(f, IPPROTO_TCP, 0xc6120001, 80, RTE_TCP_SYN_FLAG);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		CHECK(memcmp(f + 38, g + 38, 4) == 0);
	}
	/* A SYN cut short (IP total length past the capture) or fragmented: dropped, as Linux's IP layer does. */
	for (int k = 0; k < 2; k++) {
		len = probe(f, IPPROTO_TCP, 0xc6120001, 80, RTE_TCP_SYN_FLAG);
		if (k == 0)
			f[14 + 2] = 0x01; /* 256 + 40 */
		else
			f[14 + 6] = 0x20; /* more fragments */
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		CHECK(r.probe == TRAWL_PROBE_NOT && r.reply == TRAWL_REPLY_NONE);
	}
	/* Closed port on a live host: RST-ACK. */
	len = probe(f, IPPROTO_TCP, 0xc6120001, 81, RTE_TCP_SYN_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_RST && sums_ok(f + 14));
	CHECK(f[47] == (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) && memcmp(f + 42, "\x01\x02\x03\x05", 4) == 0);
	/* Dead address: nothing. A RST or ACK from the scanner: not a probe. */
	len = probe(f, IPPROTO_TCP, 0xc6120002, 80, RTE_TCP_SYN_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.probe == TRAWL_PROBE_TCP_SYN && r.reply == TRAWL_REPLY_NONE);
	len = probe(f, IPPROTO_TCP, 0xc6120001, 80, RTE_TCP_RST_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.probe == TRAWL_PROBE_NOT && r.reply == TRAWL_REPLY_NONE);
	/* Echo request: echo reply with the same identifier, sequence and data. */
	len = probe(f, IPPROTO_ICMP, 0xc6120103, 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.probe == TRAWL_PROBE_ICMP_ECHO && r.reply == TRAWL_REPLY_ECHO && sums_ok(f + 14));
	CHECK(f[34] == 0 && f[38] == 0x12 && f[41] == 7 && memcmp(f + 42, "payload!", 8) == 0);
	/* UDP to a configured port: the payload. */
	len = probe(f, IPPROTO_UDP, 0xc6120001, 53, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_UDP && sums_ok(f + 14) && memcmp(f + 42, "abc", 3) == 0);
	CHECK(f[34] == 0 && f[35] == 53 && f[36] == 0x9c && f[37] == 0x40 && f[39] == 11);
	/* UDP elsewhere: port unreachable quoting the probe. */
	len = probe(f, IPPROTO_UDP, 0xc6120001, 54, 0);
	{
		uint8_t orig[28];

		memcpy(orig, f + 14, 28);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		CHECK(r.reply == TRAWL_REPLY_UNREACH && sums_ok(f + 14));
		CHECK(f[34] == 3 && f[35] == 3 && memcmp(f + 42, orig, 28) == 0 && r.len == 14 + 20 + 8 + 28);
	}
	/* UDP to a dead host: nothing. */
	len = probe(f, IPPROTO_UDP, 0xc6120002, 53, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.probe == TRAWL_PROBE_UDP && r.reply == TRAWL_REPLY_NONE);
	/* ARP for the gateway: answered with our MAC; for another address: not. */
	{
		struct rte_ether_addr bc = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } }, z = { { 0 } };
		struct trawl_arp_view a;

		len = trawl_arp_build(f, RTE_ARP_OP_REQUEST, &bc, &scanner, 0xc6130002, &z, 0xc6130101);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		CHECK(r.reply == TRAWL_REPLY_ARP && trawl_arp_parse(f + 14, 46, &a) == 0);
		CHECK(a.op == RTE_ARP_OP_REPLY && a.spa == 0xc6130101 && a.tpa == 0xc6130002);
		CHECK(memcmp(a.sha.addr_bytes, me.addr_bytes, 6) == 0 && memcmp(f, scanner.addr_bytes, 6) == 0);
		len = trawl_arp_build(f, RTE_ARP_OP_REQUEST, &bc, &scanner, 0xc6130002, &z, 0xc6130102);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		CHECK(r.probe == TRAWL_PROBE_ARP && r.reply == TRAWL_REPLY_NONE);
	}
	/* Truncations never answer and never read past the capture. */
	for (uint32_t cut = 0; cut < 54; cut++) {
		len = probe(f, IPPROTO_TCP, 0xc6120001, 80, RTE_TCP_SYN_FLAG);
		trawl_respond_frame(&cfg, f, cut, sizeof(f), &r);
		CHECK(r.reply == TRAWL_REPLY_NONE);
	}
}

/* Probes as each toolchain makes them (rules checked against real captures of zmap, masscan, nmap). */
static struct trawl_fp_probe
make(enum trawl_toolchain tc, uint32_t i, uint32_t saddr)
{
	uint32_t daddr = 0xc6120000 + i * 7919, seq = 0x9e3779b9u * (i + 1);
	uint16_t dport = (uint16_t)(80 + i % 3);
	struct trawl_fp_probe p = { .saddr = saddr, .daddr = daddr, .seq = seq, .sport = (uint16_t)(40000 + i),
		.dport = dport, .ipid = (uint16_t)(i * 2654435761u >> 16), .window = 65535, .ttl = 64 };

	switch (tc) {
	case TRAWL_TC_ZMAP:
		p.ipid = 54321;
		p.ttl = 255;
		break;
	case TRAWL_TC_MASSCAN:
		p.window = 1024;
		p.ipid = (uint16_t)(daddr ^ dport ^ seq);
		break;
	case TRAWL_TC_NMAP: /* constant seq (mask ^ mirrored 16 bits) and source port, MSS only */
		p.window = 1024;
		p.seq = 0xc2c7071f;
		p.sport = 40347;
		p.opt_len = 4;
		p.opt_mss_only = 1;
		break;
	case TRAWL_TC_UNICORNSCAN:
		p.seq = 0x5eed5eedu ^ saddr ^ ((uint32_t)p.sport << 16 | dport);
		break;
	case TRAWL_TC_TRAWL:
		p.ttl = 255;
		p.window = 65535;
		p.ipid = trawl_fp_trawl_ipid(seq, dport);
		p.opt_len = 4;
		p.opt_mss_only = 1;
		break;
	default: /* a plain stack: random seq and id, Linux options */
		p.opt_len = 20;
		break;
	}
	return p;
}

static void
test_fingerprints(void)
{
	for (int tc = 0; tc < TRAWL_TC_MAX; tc++) {
		struct trawl_fp_source st = { 0 };
		uint64_t counts[TRAWL_TC_MAX] = { 0 };

		for (uint32_t i = 0; i < 200; i++) {
			struct trawl_fp_probe p = make((enum trawl_toolchain)tc, i, 0x0a000001 + (uint32_t)tc);
			uint32_t claimed;
			enum trawl_toolchain got = trawl_fingerprint(&p, &st, &claimed);

			counts[got]++;
			counts[TRAWL_TC_UNKNOWN] -= claimed;
			counts[got] += claimed;
		}
		if (counts[tc] != 200)
			fprintf(stderr, "%s: %llu of 200 (unknown %llu)\n", trawl_toolchain_names[tc],
				(unsigned long long)counts[tc], (unsigned long long)counts[TRAWL_TC_UNKNOWN]);
		CHECK_EQ_U64(counts[tc], 200);
	}
}

static void
test_fingerprint_chance_matches(void)
{
	struct trawl_fp_source st = { 0 };
	struct trawl_fp_probe p = make(TRAWL_TC_ZMAP, 3, 0x0a000009);
	uint32_t claimed;

	/* A ZMap probe whose seq makes masscan's relation hold too (1 in 65536 by chance). */
	p.seq = (p.seq & 0xffff0000u) | (uint16_t)(54321 ^ p.daddr ^ p.dport);
	CHECK(p.ipid == (uint16_t)(p.daddr ^ p.dport ^ p.seq));
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_ZMAP);
	/* ...or trawl's relation (seen on the testbed: same window, but no MSS option). */
	p = make(TRAWL_TC_ZMAP, 4, 0x0a000009);
	for (uint32_t s = 0; s < (1u << 20); s++) {
		p.seq = s * 2654435761u;
		if (trawl_fp_trawl_ipid(p.seq, p.dport) == 54321)
			break;
	}
	CHECK(trawl_fp_trawl_ipid(p.seq, p.dport) == p.ipid);
	CHECK(trawl_fingerprint(&p, &st, &claimed) == TRAWL_TC_ZMAP);
}

/* `trawl respond`'s flags go through the same option table as scan's: values, bounds, one wording. */
static int
parse(struct trawl_respond_conf *c, struct trawl_err *err, const char *line)
{
	static char buf[512]; /* the conf keeps pointers into argv */
	char *argv[32];
	int argc = 0;
	FILE *null = fopen("/dev/null", "w");
	int rc;

	snprintf(buf, sizeof(buf), "respond %s", line);
	for (char *t = strtok(buf, " "); t != NULL && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	trawl_respond_conf_free(c);
	rc = trawl_respond_conf_parse(c, argc, argv, null, err);
	fclose(null);
	return rc;
}

static void
test_respond_flags(void)
{
	struct trawl_respond_conf c;
	struct trawl_err err;
	char udp[64], path[] = "/tmp/trawl-respond-udp.XXXXXX";
	int fd = mkstemp(path);

	memset(&c, 0, sizeof(c));
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "pong", 4) == 4);
	close(fd);
	snprintf(udp, sizeof(udp), "--udp 123:file:%s", path);

	CHECK(parse(&c, &err, "--dev net_null0 --dataset a --dataset b -p 80,443 --gateway-ip 198.18.0.1 "
			"--gateway-ip 198.18.0.2 --loss 0.25 --duplicate 1 --threads 4 -q --udp 53:6869") == 0);
	CHECK(c.ndatasets == 2 && strcmp(c.datasets[1], "b") == 0);
	CHECK(c.ports != NULL && (c.ports[80 / 64] >> (80 % 64) & 1) && (c.ports[443 / 64] >> (443 % 64) & 1) &&
			!(c.ports[81 / 64] >> (81 % 64) & 1));
	CHECK(c.ngw == 2 && c.gw[1] == 0xc6120002);
	CHECK(c.loss == 0.25 && c.duplicate == 1 && c.threads == 4 && c.quiet == 1);
	REQUIRE(c.udp != NULL);
	CHECK(c.udp[53].len == 2 && memcmp(c.udp[53].data, "hi", 2) == 0);
	CHECK(parse(&c, &err, udp) == -EINVAL && strstr(err.msg, "--dev is required") != NULL);
	{
		char line[128];

		snprintf(line, sizeof(line), "--dev x --dataset y %s", udp);
		CHECK(parse(&c, &err, line) == 0 && c.udp != NULL && c.udp[123].len == 4);
	}
	CHECK(parse(&c, &err, "--dev x --dataset y") == 0 && c.threads == 1 && c.ports == NULL && c.udp == NULL);
	CHECK(parse(&c, &err, "--compile in -o out") == 0 && strcmp(c.compile_out, "out") == 0);
	CHECK(parse(&c, &err, "--compile in") == -EINVAL && strstr(err.msg, "needs -o OUT") != NULL);
	CHECK(parse(&c, &err, "--help") == TRAWL_OPTS_EXIT);

	CHECK(parse(&c, &err, "--dev x --dataset y --threads 65") == -EINVAL &&
			strcmp(err.msg, "--threads '65': expected 1 to 64") == 0);
	CHECK(parse(&c, &err, "--dev x --dataset y --loss 1.5") == -EINVAL &&
			strcmp(err.msg, "--loss '1.5': expected a probability from 0 to 1") == 0);
	CHECK(parse(&c, &err, "--dev x --dataset y --gateway-ip 1.2.3") == -EINVAL &&
			strstr(err.msg, "--gateway-ip '1.2.3': not an IPv4 or IPv6 address") == err.msg);
	CHECK(parse(&c, &err, "--dev x --dataset y --udp 65536:00") == -EINVAL &&
			strstr(err.msg, "--udp '65536:00': expected PORT:HEX") == err.msg);
	CHECK(parse(&c, &err, "--dev x --dataset y --udp 53:") == -EINVAL);
	CHECK(parse(&c, &err, "--dev x --dataset y --udp 53:file:/nonexistent/x") == -EINVAL &&
			strstr(err.msg, "No such file") != NULL);
	CHECK(parse(&c, &err, "--dev x --dataset y -p 70000") == -EINVAL && strstr(err.msg, "--ports '70000'") == err.msg);
	CHECK(parse(&c, &err, "--dev x --dataset y extra") == -EINVAL && strstr(err.msg, "unexpected argument 'extra'"));
	CHECK(parse(&c, &err, "--dev x --dataset y --bogus") == -EINVAL && strstr(err.msg, "unknown option '--bogus'"));
	CHECK(parse(&c, &err, "--dev x --dataset") == -EINVAL && strstr(err.msg, "needs a value") != NULL);
	CHECK(parse(&c, &err, "--dev x") == -EINVAL && strstr(err.msg, "--dataset is required") != NULL);
	trawl_respond_conf_free(&c);
	unlink(path);
}

/* A client's segment to (dst, dport) from port 40000 with payload: built as trawl_tcp_build's, then the data added. */
static uint32_t
client_segment(uint8_t *f, uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, const void *d,
		uint16_t n)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;

	trawl_tcp_build(f, &scanner, &me, 0xc6130002, dst, 40000, dport, seq, ack, flags, 1024, 50);
	memcpy(tcp + 20, d, n);
	ip[2] = (uint8_t)((40 + n) >> 8);
	ip[3] = (uint8_t)(40 + n);
	ip[10] = ip[11] = 0;
	ip[10] = (uint8_t)(~ref_csum(ip, 20, 0) >> 8);
	ip[11] = (uint8_t)~ref_csum(ip, 20, 0);
	tcp[16] = tcp[17] = 0;
	{
		uint16_t c = (uint16_t)~ref_csum(tcp, 20 + n, ref_pseudo(ip));

		tcp[16] = (uint8_t)(c >> 8);
		tcp[17] = (uint8_t)c;
	}
	return 54 + n < 60 ? 60 : 54u + n;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Our ISN for the client's connection to (dst, dport): the SYN-ACK's sequence number. */
static uint32_t
isn_for(uint32_t dst, uint16_t dport)
{
	struct trawl_respond_result r;
	uint8_t f[256];
	uint32_t len = probe(f, IPPROTO_TCP, dst, dport, RTE_TCP_SYN_FLAG);

	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK);
	return rd32(f + 38);
}

static void
test_services(void)
{
	static char text[512];
	struct trawl_respond_result r;
	struct trawl_err err;
	struct trawl_tls_info tls;
	uint8_t f[2048], hello[TRAWL_L7_CLIENT_HELLO_LEN], rnd[96] = { 0 };
	const uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t len, isn;
	char *p;

	snprintf(text, sizeof(text), "198.18.5.1:80 http\n198.18.5.2:443 tls\n198.18.5.3:22 ssh\n"
			"198.18.5.4:25  banner:220 mail ESMTP\n198.18.5.5:8080\n198.18.6.0/24 middlebox\n"
			"198.18.7.0/30 middlebox:zerowin # tarpit\n198.18.8.0/28:80 http\n");
	p = write_tmp(text);
	trawl_dataset_free(&ds);
	REQUIRE(trawl_dataset_init(&ds) == 0);
	CHECK(trawl_dataset_load(&ds, p, &err) == 0);
	trawl_dataset_seal(&ds);
	unlink(p);
	CHECK(ds.nsvc == 5 && ds.nmbox == 2);
	CHECK(trawl_dataset_service(&ds, 0xc6120501, 80)->kind == TRAWL_SVC_HTTP);
	CHECK(trawl_dataset_service(&ds, 0xc6120501, 443) == NULL && trawl_dataset_service(&ds, 0xc6120505, 8080) == NULL);
	CHECK(trawl_dataset_service(&ds, 0xc612080f, 80)->kind == TRAWL_SVC_HTTP && trawl_dataset_service(&ds, 0xc6120810, 80) == NULL);
	CHECK(trawl_dataset_open(&ds, 0xc6120503, 22, ports80) && trawl_dataset_open(&ds, 0xc6120807, 80, ports80));
	CHECK(trawl_dataset_middlebox(&ds, 0xc61206ff) == 0 && trawl_dataset_middlebox(&ds, 0xc6120703) == 1);
	CHECK(trawl_dataset_middlebox(&ds, 0xc6120704) == -1 && trawl_dataset_middlebox(&ds, 0xc61205ff) == -1);
	CHECK(trawl_dataset_write(&ds, "/tmp/never", &err) == -EINVAL && strstr(err.msg, "text form") != NULL);
	cfg.ds = &ds;

	/* a middlebox: SYN-ACK on any port; the zero-window one with window 0 and no options */
	len = probe(f, IPPROTO_TCP, 0xc6120677, 31337, RTE_TCP_SYN_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK && f[46] == 0x60 && sums_ok(f + 14));
	len = probe(f, IPPROTO_TCP, 0xc6120701, 7, RTE_TCP_SYN_FLAG);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK && f[46] == 0x50 && f[48] == 0 && f[49] == 0 && sums_ok(f + 14));
	/* ... and never data */
	isn = isn_for(0xc6120677, 80);
	len = client_segment(f, 0xc6120677, 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 0x01020305, isn + 1, "GET / HTTP/1.0\r\n\r\n", 18);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);

	/* http: the client's request answered with a response, our FIN with it */
	isn = isn_for(0xc6120501, 80);
	len = client_segment(f, 0xc6120501, 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 0x01020305, isn + 1, "GET / HTTP/1.1\r\n\r\n", 18);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	REQUIRE(r.reply == TRAWL_REPLY_DATA && r.service == TRAWL_SVC_HTTP);
	CHECK(sums_ok(f + 14) && rd32(tcp + 4) == isn + 1 && rd32(tcp + 8) == 0x01020305 + 18);
	CHECK(tcp[13] == (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG));
	CHECK(memcmp(tcp + 20, "HTTP/1.1 200 OK\r\nServer: trawl-respond/", 39) == 0);
	CHECK(trawl_l7_http_header(tcp + 20, r.len - 54u, "content-length").len == 2);
	/* the handshake's own ACK: an HTTP server waits */
	len = client_segment(f, 0xc6120501, 80, RTE_TCP_ACK_FLAG, 0x01020305, isn + 1, "", 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);
	/* not our ISN + 1: nothing (stateless: one answer per connection) */
	len = client_segment(f, 0xc6120501, 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 0x01020305, isn + 2, "GET /", 5);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);
	/* the client closes after our response: ACK (our FIN went with the data) */
	len = client_segment(f, 0xc6120501, 80, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, 0x01020305 + 18, isn + 200, "", 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_FIN && tcp[13] == RTE_TCP_ACK_FLAG && rd32(tcp + 8) == 0x01020305 + 19 && sums_ok(f + 14));

	/* ssh speaks first: on the handshake's ACK */
	isn = isn_for(0xc6120503, 22);
	len = client_segment(f, 0xc6120503, 22, RTE_TCP_ACK_FLAG, 0x01020305, isn + 1, "", 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_DATA && r.len == 54 + sizeof(TRAWL_SVC_SSH_BANNER) - 1 &&
			memcmp(tcp + 20, TRAWL_SVC_SSH_BANNER, sizeof(TRAWL_SVC_SSH_BANNER) - 1) == 0 && sums_ok(f + 14));
	/* banner: the text and CR LF */
	isn = isn_for(0xc6120504, 25);
	len = client_segment(f, 0xc6120504, 25, RTE_TCP_ACK_FLAG, 0x01020305, isn + 1, "", 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_DATA && r.len == 54 + 16 && memcmp(tcp + 20, "220 mail ESMTP\r\n", 16) == 0);
	/* an open port with no service: silent */
	isn = isn_for(0xc6120505, 8080);
	len = client_segment(f, 0xc6120505, 8080, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1, isn + 1, "hi", 2);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);

	/* tls: a ClientHello with RSA suites gets ServerHello, the test certificate, ServerHelloDone */
	CHECK(trawl_l7_client_hello(hello, sizeof(hello), rnd) == sizeof(hello));
	isn = isn_for(0xc6120502, 443);
	len = client_segment(f, 0xc6120502, 443, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 5, isn + 1, hello, sizeof(hello));
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	REQUIRE(r.reply == TRAWL_REPLY_DATA && r.service == TRAWL_SVC_TLS && sums_ok(f + 14));
	CHECK(trawl_l7_tls_parse(tcp + 20, r.len - 54u, &tls) == 0 && tls.version == 0x0303 && tls.cipher == 0x009c);
	CHECK(strcmp(tls.subject, "/O=trawl respond/CN=trawl test certificate") == 0 && strcmp(tls.issuer, tls.subject) == 0);
	CHECK(r.len <= 54 + TRAWL_SVC_SEGMENT_MAX);
	/* ... an HTTP request to it: a handshake_failure alert */
	len = client_segment(f, 0xc6120502, 443, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 5, isn + 1, "GET / HTTP/1.1\r\n\r\n", 18);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_DATA && trawl_l7_tls_parse(tcp + 20, 7, &tls) == 0 && tls.alert && tls.alert_desc == 40);
	/* a buffer with no room for the flight: nothing, never a write past it */
	len = client_segment(f, 0xc6120502, 443, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 5, isn + 1, hello, sizeof(hello));
	trawl_respond_frame(&cfg, f, len, 600, &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);
	setup();
}

static void
test_service_errors(void)
{
	static const char *const bad[] = { "198.18.0.1 gopher\n", "198.18.0.1 http\n", "198.18.0.0/24:80 middlebox\n",
		"198.18.0.1:21 file:/nonexistent/trawl\n", "198.18.0.1:80 http extra\n" };
	struct trawl_dataset d;
	struct trawl_err err;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[96], *p;

		snprintf(text, sizeof(text), "# ok\n198.18.0.1\n\n  %s", bad[i]);
		p = write_tmp(text);
		CHECK(trawl_dataset_init(&d) == 0);
		CHECK(trawl_dataset_load(&d, p, &err) == -EINVAL);
		CHECK(strstr(err.msg, ":4:3: ") != NULL);
		trawl_dataset_free(&d);
		unlink(p);
	}
}

static struct trawl_ip6
ip6(const char *s)
{
	struct trawl_ip6 a = { 0, 0 };

	CHECK(trawl_parse_ipv6(s, &a) == 0);
	return a;
}

/* An IPv6 frame from the scanner to @p dst: @p proto and @p l4len bytes of @p l4 after the header. */
static uint32_t
frame6(uint8_t *f, const char *dst, uint8_t proto, const uint8_t *l4, uint16_t l4len)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv6_hdr *ip = (void *)(eth + 1);

	memset(f, 0, 128);
	eth->src_addr = scanner;
	eth->dst_addr = me;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip->payload_len = rte_cpu_to_be_16(l4len);
	ip->proto = proto;
	ip->hop_limits = 255;
	trawl_ip6_store(ip->src_addr, ip6("2001:2:ff::2"));
	trawl_ip6_store(ip->dst_addr, ip6(dst));
	memcpy(f + 54, l4, l4len);
	return 54u + l4len;
}

/* IPv6 lines, their lookups and the binary form; answers byte-correct with their checksums. */
static void
test_ipv6(void)
{
	struct trawl_dataset a, b;
	struct trawl_respond_result res;
	struct trawl_err err;
	char out[] = "/tmp/trawl-ds6-XXXXXX";
	int fd = mkstemp(out);
	char *p = write_tmp("2001:2::5\n2001:2::5\n2001:2:1::/120\n2001:2:1::80/121\n[2001:2::9]:443\n198.18.0.1\n");
	uint8_t f[2048], syn[24] = { 0x9c, 0x40, 0, 80, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, RTE_TCP_SYN_FLAG, 0xff, 0xff };
	uint8_t echo[16] = { TRAWL_ICMP6_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' };
	uint32_t len;

	close(fd);
	REQUIRE(trawl_dataset_init(&a) == 0);
	CHECK(trawl_dataset_load(&a, p, &err) == 0);
	unlink(p);
	trawl_dataset_seal(&a);
	CHECK(a.six.naddrs == 1 && a.six.nranges == 1 && a.six.npairs == 1); /* a repeat once, nested ranges merged */
	CHECK(trawl_dataset6_open(&a.six, ip6("2001:2::5"), 80, ports80) && !trawl_dataset6_open(&a.six, ip6("2001:2::5"), 81, ports80));
	CHECK(trawl_dataset6_open(&a.six, ip6("2001:2:1::ff"), 80, ports80) && !trawl_dataset6_live(&a.six, ip6("2001:2:1::100")));
	CHECK(trawl_dataset6_open(&a.six, ip6("2001:2::9"), 443, ports80) && !trawl_dataset6_open(&a.six, ip6("2001:2::9"), 80, ports80));
	CHECK(trawl_dataset6_live(&a.six, ip6("2001:2::9")) && !trawl_dataset6_live(&a.six, ip6("2001:2::8")));
	CHECK(trawl_dataset_live(&a, 0xc6120001));
	/* The binary form holds the same. */
	REQUIRE(trawl_dataset_write(&a, out, &err) == 0);
	REQUIRE(trawl_dataset_init(&b) == 0);
	CHECK(trawl_dataset_load(&b, out, &err) == 0);
	unlink(out);
	trawl_dataset_seal(&b);
	CHECK(b.six.naddrs == 1 && b.six.nranges == 1 && b.six.npairs == 1 && trawl_dataset_live(&b, 0xc6120001));
	CHECK(trawl_dataset6_open(&b.six, ip6("2001:2:1::7"), 80, ports80) && trawl_dataset6_open(&b.six, ip6("2001:2::9"), 443, NULL));
	/* Answers: SYN-ACK (MSS 1440), RST-ACK on a closed port, nothing from a dead address, echo reply, port unreachable. */
	setup();
	cfg.ds = &b;
	len = frame6(f, "2001:2::5", IPPROTO_TCP, syn, 20);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.probe == TRAWL_PROBE_TCP_SYN && res.reply == TRAWL_REPLY_SYNACK && res.len == 54 + 24);
	CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), f + 54) == 0xffff && f[54 + 13] == (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG));
	CHECK(trawl_ip6_eq(trawl_ip6_load(f + 14 + 24), ip6("2001:2:ff::2")) && f[14 + 7] == 64 && f[54 + 11] == 8);
	syn[3] = 81;
	len = frame6(f, "2001:2::5", IPPROTO_TCP, syn, 20);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.reply == TRAWL_REPLY_RST && __rte_ipv6_udptcp_cksum((void *)(f + 14), f + 54) == 0xffff);
	len = frame6(f, "2001:2::6", IPPROTO_TCP, syn, 20);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.probe == TRAWL_PROBE_TCP_SYN && res.reply == TRAWL_REPLY_NONE);
	len = frame6(f, "2001:2:1::3", IPPROTO_ICMPV6, echo, 12);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.reply == TRAWL_REPLY_ECHO && f[54] == TRAWL_ICMP6_ECHOREPLY && memcmp(f + 58, "\x12\x34\0\x01ping", 8) == 0);
	CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), f + 54) == 0xffff);
	{
		uint8_t u[12] = { 0x9c, 0x40, 0, 99, 0, 12, 0, 0, 'q', 'u', 'e', 'r' };

		len = frame6(f, "2001:2::9", IPPROTO_UDP, u, 12);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
		CHECK(res.reply == TRAWL_REPLY_UNREACH && f[54] == TRAWL_ICMP6_UNREACH && f[55] == TRAWL_ICMP6_UNREACH_PORT);
		CHECK(res.len == 54 + 8 + 40 + 12 && trawl_ip6_eq(trawl_ip6_load(f + 62 + 24), ip6("2001:2::9")));
		CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), f + 54) == 0xffff);
		u[3] = 53;
		len = frame6(f, "2001:2::9", IPPROTO_UDP, u, 12);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
		CHECK(res.reply == TRAWL_REPLY_UDP && memcmp(f + 62, "abc", 3) == 0);
		CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), f + 54) == 0xffff);
	}
	/* Neighbour discovery: any address asked without --gateway-ip for IPv6; only those given with it. */
	len = trawl_ndp_build_ns(f, &scanner, ip6("2001:2:ff::2"), ip6("2001:2:ff::1"));
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.reply == TRAWL_REPLY_ARP && f[54] == TRAWL_ICMP6_NA);
	cfg.gw6[0] = ip6("2001:2:ff::7");
	cfg.ngw6 = 1;
	len = trawl_ndp_build_ns(f, &scanner, ip6("2001:2:ff::2"), ip6("2001:2:ff::1"));
	trawl_respond_frame(&cfg, f, len, sizeof(f), &res);
	CHECK(res.reply == TRAWL_REPLY_NONE);
	/* Bad IPv6 lines and service lines: refused, naming the line. */
	{
		static const char *const bad6[] = { "2001:2::g\n", "[2001:2::1]\n", "[2001:2::1]:70000\n", "2001:2::/129\n",
			"2001:2::1 http\n", "[2001:2::1]:80 middlebox\n", "[2001:2::1]:80 gopher\n", "2001:2::/64:80 http\n",
			"[2001:2::g]:80 ssh\n" };

		for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
			struct trawl_dataset d;

			REQUIRE(trawl_dataset_init(&d) == 0);
			CHECK(trawl_dataset_parse(&d, "x.txt", bad6[i], strlen(bad6[i]), &err) == -EINVAL &&
					strstr(err.msg, "x.txt:1:1") != NULL);
			trawl_dataset_free(&d);
		}
	}
	trawl_dataset_free(&a);
	trawl_dataset_free(&b);
}

/* A TCP segment from the scanner to [@p dst]:@p dport, behind a hop-by-hop header if @p hbh. */
static uint32_t
segment6(uint8_t *f, const char *dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, const void *d,
		uint16_t n, int hbh)
{
	uint8_t l4[8 + 20 + 256] = { 0 }, *t = l4 + (hbh ? 8 : 0);
	uint32_t len;

	t[0] = 0x9c;
	t[1] = 0x40;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 0x50;
	t[13] = flags;
	t[14] = t[15] = 0xff;
	memcpy(t + 20, d, n);
	if (hbh)
		l4[0] = IPPROTO_TCP; /* next header; length 0: 8 bytes, PadN below */
	if (hbh) {
		l4[2] = 1;
		l4[3] = 4;
	}
	len = frame6(f, dst, hbh ? 0 : IPPROTO_TCP, l4, (uint16_t)((hbh ? 8 : 0) + 20 + n));
	{
		/* the TCP checksum over the pseudo-header, as a sender fills it */
		uint8_t *tcp = f + 54 + (hbh ? 8 : 0);
		struct rte_ipv6_hdr ph = *(struct rte_ipv6_hdr *)(f + 14);
		uint16_t ck;

		ph.payload_len = rte_cpu_to_be_16((uint16_t)(20 + n));
		ph.proto = IPPROTO_TCP;
		ck = rte_ipv6_udptcp_cksum(&ph, tcp);
		memcpy(tcp + 16, &ck, 2);
	}
	return len;
}

/* Our ISN for a connection, as the SYN-ACK to its SYN says it. */
static uint32_t
isn6_for(const char *dst, uint16_t dport)
{
	struct trawl_respond_result r;
	uint8_t f[256];
	uint32_t len = segment6(f, dst, dport, RTE_TCP_SYN_FLAG, 0x01020304, 0, "", 0, 0);

	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK);
	return rd32(f + 54 + 4);
}

/* Services and middleboxes on IPv6 lines: as IPv4's, byte-correct, also past an extension header. */
static void
test_services6(void)
{
	struct trawl_respond_result r;
	struct trawl_err err;
	uint8_t f[2048];
	const uint8_t *tcp = f + 54;
	uint32_t len, isn;
	char *p = write_tmp("[2001:2::51]:80 http\n[2001:2::53]:22 ssh\n[2001:2::54]:25 banner:220 mail ESMTP\n"
			"2001:2:0:6::/64 middlebox\n2001:2:0:7::/126 middlebox:zerowin # tarpit\n[2001:2::55]:8080\n"
			"2001:2::56 middlebox\n");

	trawl_dataset_free(&ds);
	REQUIRE(trawl_dataset_init(&ds) == 0);
	CHECK(trawl_dataset_load(&ds, p, &err) == 0);
	trawl_dataset_seal(&ds);
	unlink(p);
	CHECK(ds.six.nsvc == 3 && ds.six.nmbox == 3 && ds.nsvc == 0);
	CHECK(trawl_dataset6_service(&ds.six, ip6("2001:2::51"), 80)->kind == TRAWL_SVC_HTTP);
	CHECK(trawl_dataset6_service(&ds.six, ip6("2001:2::51"), 81) == NULL);
	CHECK(trawl_dataset6_service(&ds.six, ip6("2001:2::54"), 25)->len == 16);
	CHECK(trawl_dataset6_open(&ds.six, ip6("2001:2::53"), 22, ports80) && !trawl_dataset6_open(&ds.six, ip6("2001:2::53"), 80, ports80));
	CHECK(trawl_dataset6_middlebox(&ds.six, ip6("2001:2:0:6:ffff::1")) == 0);
	CHECK(trawl_dataset6_middlebox(&ds.six, ip6("2001:2:0:7::3")) == 1);
	CHECK(trawl_dataset6_middlebox(&ds.six, ip6("2001:2:0:7::4")) == -1);
	CHECK(trawl_dataset6_middlebox(&ds.six, ip6("2001:2::56")) == 0 && trawl_dataset6_middlebox(&ds.six, ip6("2001:2::57")) == -1);
	CHECK(trawl_dataset_write(&ds, "/tmp/never", &err) == -EINVAL && strstr(err.msg, "text form") != NULL);
	cfg.ds = &ds;

	/* a middlebox: SYN-ACK on any port; the zero-window one with window 0 and no options; never data */
	len = segment6(f, "2001:2:0:6::99", 31337, RTE_TCP_SYN_FLAG, 1, 0, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK && tcp[12] == 0x60 && __rte_ipv6_udptcp_cksum((void *)(f + 14), tcp) == 0xffff);
	len = segment6(f, "2001:2:0:7::1", 7, RTE_TCP_SYN_FLAG, 1, 0, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_SYNACK && tcp[12] == 0x50 && tcp[14] == 0 && tcp[15] == 0);
	isn = isn6_for("2001:2:0:6::99", 80);
	len = segment6(f, "2001:2:0:6::99", 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 5, isn + 1, "GET / HTTP/1.0\r\n\r\n", 18, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);

	/* http: the request answered, our FIN with it; also behind a hop-by-hop header */
	isn = isn6_for("2001:2::51", 80);
	for (int hbh = 0; hbh < 2; hbh++) {
		len = segment6(f, "2001:2::51", 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 0x01020305, isn + 1,
				"GET / HTTP/1.1\r\n\r\n", 18, hbh);
		trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
		REQUIRE(r.reply == TRAWL_REPLY_DATA && r.service == TRAWL_SVC_HTTP);
		CHECK(f[14 + 6] == IPPROTO_TCP && __rte_ipv6_udptcp_cksum((void *)(f + 14), tcp) == 0xffff);
		CHECK(rd32(tcp + 4) == isn + 1 && rd32(tcp + 8) == 0x01020305 + 18);
		CHECK(tcp[13] == (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG) && tcp[12] == 0x50);
		CHECK(memcmp(tcp + 20, "HTTP/1.1 200 OK\r\nServer: trawl-respond/", 39) == 0);
		CHECK(trawl_ip6_eq(trawl_ip6_load(f + 14 + 8), ip6("2001:2::51")) && (uint32_t)r.len == 54u +
				(uint32_t)(f[14 + 4] << 8 | f[14 + 5]));
	}
	/* the handshake's own ACK: it waits; not our ISN + 1: nothing; the client's FIN: ACK */
	len = segment6(f, "2001:2::51", 80, RTE_TCP_ACK_FLAG, 0x01020305, isn + 1, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE && r.service == TRAWL_SVC_HTTP);
	len = segment6(f, "2001:2::51", 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 0x01020305, isn + 2, "GET /", 5, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE && r.service == TRAWL_SVC_NONE);
	len = segment6(f, "2001:2::51", 80, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, 0x01020305 + 18, isn + 200, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_FIN && tcp[13] == RTE_TCP_ACK_FLAG && rd32(tcp + 8) == 0x01020305 + 19);
	CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), tcp) == 0xffff);
	/* ssh and banner: on the handshake's ACK */
	isn = isn6_for("2001:2::53", 22);
	len = segment6(f, "2001:2::53", 22, RTE_TCP_ACK_FLAG, 9, isn + 1, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_DATA && r.len == 74 + sizeof(TRAWL_SVC_SSH_BANNER) - 1 &&
			memcmp(tcp + 20, TRAWL_SVC_SSH_BANNER, sizeof(TRAWL_SVC_SSH_BANNER) - 1) == 0);
	isn = isn6_for("2001:2::54", 25);
	len = segment6(f, "2001:2::54", 25, RTE_TCP_ACK_FLAG, 9, isn + 1, "", 0, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_DATA && r.len == 74 + 16 && memcmp(tcp + 20, "220 mail ESMTP\r\n", 16) == 0);
	CHECK(__rte_ipv6_udptcp_cksum((void *)(f + 14), tcp) == 0xffff);
	/* an open port with no service: silent */
	isn = isn6_for("2001:2::55", 8080);
	len = segment6(f, "2001:2::55", 8080, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1, isn + 1, "hi", 2, 0);
	trawl_respond_frame(&cfg, f, len, sizeof(f), &r);
	CHECK(r.reply == TRAWL_REPLY_NONE);
	setup();
}

int
main(void)
{
	RUN(test_dataset_text_and_binary);
	RUN(test_respond_flags);
	RUN(test_fingerprint_chance_matches);
	RUN(test_dataset_errors);
	RUN(test_answers_byte_correct);
	RUN(test_fingerprints);
	RUN(test_services);
	RUN(test_service_errors);
	RUN(test_ipv6);
	RUN(test_services6);
	trawl_dataset_free(&ds);
	return check_done();
}
