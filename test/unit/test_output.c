/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rows as the writer formats them, without stdio (core/fmt, outputs/): the
 * same text snprintf would make, for every octet in every position and for
 * random addresses; numbers at their edges; every field in CSV and JSON;
 * timestamps across second boundaries; and no row longer than the bound
 * the writer sizes its bursts by. And the stall meter that gives up on an
 * output that takes nothing, but not on one a stopped guest kept waiting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/core/cyclic.h"
#include "app/core/fmt.h"
#include "app/core/icmp.h"
#include "app/core/stall.h"
#include "app/outputs/output.h"
#include "test/unit/check.h"

static void
test_ipv4_like_snprintf(void)
{
	char a[32], b[32];
	uint64_t x = 1;
	unsigned int bad = 0;

	for (uint32_t pos = 0; pos < 4; pos++)
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t addr = (v << (8 * pos)) | (pos == 0 ? 0x01020300 : 0x00000009);

			*trawl_put_ipv4(a, addr) = '\0';
			snprintf(b, sizeof(b), "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
			bad += strcmp(a, b) != 0;
		}
	for (int i = 0; i < 2000000; i++) {
		uint32_t addr = (uint32_t)trawl_splitmix64(&x);

		*trawl_put_ipv4(a, addr) = '\0';
		snprintf(b, sizeof(b), "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
		bad += strcmp(a, b) != 0;
	}
	CHECK_EQ_U64(bad, 0);
	*trawl_put_ipv4(a, 0) = '\0';
	CHECK(strcmp(a, "0.0.0.0") == 0);
	*trawl_put_ipv4(a, UINT32_MAX) = '\0';
	CHECK(strcmp(a, "255.255.255.255") == 0);
}

static void
test_numbers_at_edges(void)
{
	static const uint64_t u[] = { 0, 1, 9, 10, 99, 100, 65535, 4294967295ULL, 9999999999999999999ULL,
				      10000000000000000000ULL, UINT64_MAX };
	static const int64_t s[] = { 0, -1, 1, -9, -10, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	char a[32], b[32];

	for (unsigned int i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		*trawl_put_u64(a, u[i]) = '\0';
		snprintf(b, sizeof(b), "%" PRIu64, u[i]);
		CHECK(strcmp(a, b) == 0);
	}
	for (unsigned int i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		*trawl_put_i64(a, s[i]) = '\0';
		snprintf(b, sizeof(b), "%" PRId64, s[i]);
		if (strcmp(a, b) != 0)
			fprintf(stderr, "%s != %s\n", a, b);
		CHECK(strcmp(a, b) == 0);
	}
}

static struct trawl_result
sample(void)
{
	struct trawl_result r;

	memset(&r, 0, sizeof(r));
	r.saddr = 0xc6120a0b;   /* 198.18.10.11 */
	r.daddr = 0xc6130002;   /* 198.19.0.2 */
	r.sport = 443;
	r.dport = 40001;
	r.seq = 4000000000u;
	r.ipid = 65535;
	r.window = 29200;
	r.ttl = 57;
	r.cls = TRAWL_CLASS_SYNACK;
	r.success = 1;
	return r;
}

static size_t
row(const char *module, const char *spec, const struct trawl_result *r, const struct timespec *ts, char *buf,
		struct trawl_output *o)
{
	const struct trawl_field *f[TRAWL_MAX_FIELDS];
	struct trawl_err err;
	int n = trawl_fields_parse(spec, TRAWL_FIELDS_ALL, f, &err);
	struct trawl_row rw = { .ts = *ts };
	size_t len;

	CHECK(n > 0);
	trawl_output_init(o, trawl_output_find(module), f, (unsigned int)n, 1);
	len = o->ops->format(o, r, &rw, buf);
	buf[len] = '\0';
	return len;
}

static void
test_csv_and_json_rows(void)
{
	static const char all[] = "saddr,daddr,sport,dport,classification,success,repeat,ttl,seqnum,window,ipid,timestamp";
	struct trawl_result r = sample();
	struct timespec ts = { 1795305600 + 3661, 7000000 }; /* 2026-11-22T01:01:01.007Z */
	struct trawl_output o;
	char buf[TRAWL_OUTPUT_MAX_ROW];
	size_t len;

	len = row("csv", all, &r, &ts, buf, &o);
	CHECK(strcmp(buf, "198.18.10.11,198.19.0.2,443,40001,synack,1,0,57,4000000000,29200,65535,"
			"2026-11-22T01:01:01.007Z\n") == 0);
	CHECK(len <= o.max_row);
	CHECK(o.needs_time);
	CHECK_EQ_U64(o.ops->header(&o, buf), strlen(all) + 1);
	CHECK(strncmp(buf, all, strlen(all)) == 0 && buf[strlen(all)] == '\n');
	len = row("json", "saddr,sport,classification,timestamp", &r, &ts, buf, &o);
	CHECK(strcmp(buf, "{\"saddr\":\"198.18.10.11\",\"sport\":443,\"classification\":\"synack\","
			"\"timestamp\":\"2026-11-22T01:01:01.007Z\"}\n") == 0);
	CHECK_EQ_U64(o.ops->header(&o, buf), 0);
	/* The default field alone: no timestamp computed for it. */
	row("csv", "saddr", &r, &ts, buf, &o);
	/* A row holds an IPv6 address at its longest (45 characters) as well. */
	CHECK(strcmp(buf, "198.18.10.11\n") == 0 && !o.needs_time && o.max_row == TRAWL_IPV6_STRLEN);
	(void)len;
}

/* The cached date is redone when the second changes, forwards or back. */
static void
test_timestamps_across_seconds(void)
{
	struct trawl_result r = sample();
	struct trawl_output o;
	char buf[TRAWL_OUTPUT_MAX_ROW];
	struct timespec ts[] = {
		{ 1795305599, 999000000 }, { 1795305600, 0 }, { 1795305600, 999999999 }, { 1795305599, 1000000 },
	};
	static const char *const want[] = {
		"2026-11-21T23:59:59.999Z\n", "2026-11-22T00:00:00.000Z\n", "2026-11-22T00:00:00.999Z\n",
		"2026-11-21T23:59:59.001Z\n",
	};

	for (unsigned int i = 0; i < 4; i++) {
		row("csv", "timestamp", &r, &ts[i], buf, &o);
		if (strcmp(buf, want[i]) != 0)
			fprintf(stderr, "%s", buf);
		CHECK(strcmp(buf, want[i]) == 0);
	}
}

/* The writer takes as many results as fit at the output's longest row: no row may be longer. */
static void
test_rows_within_bound(void)
{
	static const char all[] = "saddr,daddr,sport,dport,classification,success,repeat,ttl,seqnum,window,ipid,timestamp";
	struct trawl_result r = sample();
	struct timespec ts = { 4102444799, 999999999 }; /* 2099-12-31T23:59:59.999Z */
	struct trawl_output o;
	char buf[TRAWL_OUTPUT_MAX_ROW];
	uint64_t x = 3;
	size_t worst = 0, bound = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t v = trawl_splitmix64(&x);

		r.saddr = (uint32_t)v;
		r.daddr = (uint32_t)(v >> 32) | 0x80808080; /* three-digit octets now and then */
		r.sport = (uint16_t)(v >> 7);
		r.dport = (uint16_t)(v >> 23);
		r.seq = (uint32_t)(v >> 17);
		r.ipid = (uint16_t)v;
		r.window = (uint16_t)(v >> 40);
		r.ttl = (uint8_t)(v >> 50);
		r.cls = (uint8_t)(v % (TRAWL_CLASS_MAX + 1)); /* and an unknown one */
		r.success = (uint8_t)(v >> 60) & 1;
		size_t len = row("csv", all, &r, &ts, buf, &o);

		bound = o.max_row;
		CHECK(len <= bound);
		if (len > worst)
			worst = len;
		CHECK(row("json", all, &r, &ts, buf, &o) != 0);
	}
	CHECK(worst <= bound && bound < TRAWL_OUTPUT_MAX_ROW);
}

/* udp's and icmp_echoscan's fields: data in hex at its longest, the ICMP fields, within the row bound. */
static void
test_module_fields(void)
{
	static const char udp[] = "saddr,sport,classification,success,udp_pkt_size,data,icmp_responder,icmp_type,"
		"icmp_code,icmp_unreach_str";
	struct trawl_result r = sample();
	struct timespec ts = { 1795305600, 0 };
	struct trawl_output o;
	static char buf[TRAWL_OUTPUT_MAX_ROW], want[TRAWL_OUTPUT_MAX_ROW];
	uint8_t data[TRAWL_UDP_DATA_MAX];
	size_t len;
	int n;

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 5);
	r.cls = TRAWL_CLASS_UDP;
	r.sport = 53;
	r.udp_len = 8 + 600;
	r.data = data;
	r.data_len = TRAWL_UDP_DATA_MAX;
	r.responder = r.saddr;
	n = snprintf(want, sizeof(want), "198.18.10.11,53,udp,1,608,");
	for (unsigned int i = 0; i < sizeof(data); i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "%02x", data[i]);
	snprintf(want + n, sizeof(want) - (size_t)n, ",198.18.10.11,0,0,\n");
	len = row("csv", udp, &r, &ts, buf, &o);
	CHECK(strcmp(buf, want) == 0);
	CHECK(len <= o.max_row && o.max_row < TRAWL_OUTPUT_MAX_ROW);
	CHECK(row("json", udp, &r, &ts, buf, &o) != 0 && strstr(buf, "\"data\":\"052a4f") != NULL &&
			strstr(buf, "\"udp_pkt_size\":608") != NULL);
	/* A port unreachable from a router: no data, the code in words. */
	r.cls = TRAWL_CLASS_ICMP_UNREACH;
	r.success = 0;
	r.data_len = 0;
	r.udp_len = 0;
	r.icmp_type = 3;
	r.icmp_code = 3;
	r.responder = 0xc6130001;
	row("csv", udp, &r, &ts, buf, &o);
	CHECK(strcmp(buf, "198.18.10.11,53,icmp-unreach,0,0,,198.19.0.1,3,3,port unreachable\n") == 0);
	r.cls = TRAWL_CLASS_TIMXCEED;
	r.icmp_type = 11;
	r.icmp_code = 0;
	r.seq = 7;
	r.icmp_id = 9;
	row("json", "saddr,type,code,icmp_id,seq,classification,icmp_unreach_str", &r, &ts, buf, &o);
	CHECK(strcmp(buf, "{\"saddr\":\"198.18.10.11\",\"type\":11,\"code\":0,\"icmp_id\":9,\"seq\":7,"
			"\"classification\":\"timxceed\",\"icmp_unreach_str\":\"\"}\n") == 0);
	/* Every field of each module at once, data at its longest: still one row within the bound. */
	{
		static const uint8_t sets[] = { TRAWL_FIELDS_TCP, TRAWL_FIELDS_ICMP, TRAWL_FIELDS_UDP };
		static uint8_t big[TRAWL_RESULT_DATA_MAX];

		r.data = big;
		for (unsigned int k = 0; k < sizeof(sets); k++) {
			const struct trawl_field *f[TRAWL_MAX_FIELDS];
			char every[1024] = "";
			struct trawl_err err;

			for (const struct trawl_field *x = trawl_fields; x->name != NULL; x++)
				if (x->modules & sets[k]) {
					strcat(every, x->name);
					strcat(every, ",");
				}
			every[strlen(every) - 1] = '\0';
			r.data_len = sets[k] == TRAWL_FIELDS_UDP ? TRAWL_UDP_DATA_MAX : 0;
			CHECK(trawl_fields_parse(every, sets[k], f, &err) > 0);
			len = row("csv", every, &r, &ts, buf, &o);
			CHECK(len <= o.max_row && o.max_row <= TRAWL_OUTPUT_MAX_ROW);
			CHECK(row("json", every, &r, &ts, buf, &o) != 0);
		}
	}
}

/* An output looked at every 10 ms that takes nothing is given up on at 2 s; one 21 s stop of the guest
 * counts as one step, progress starts the count again, and a clock that stepped back counts nothing. */
static void
test_stall_meter(void)
{
	double s = 0;
	int looks = 0;

	while (s < 2.0 && looks < 1000) {
		s = trawl_stall_add(s, 0.010, 0);
		looks++;
	}
	CHECK(looks >= 199 && looks <= 201);
	s = trawl_stall_add(0, 21.0, 0);
	CHECK(s == TRAWL_STALL_STEP_S);
	s = trawl_stall_add(s, 21.0, 0);
	CHECK(s < 2.0);
	CHECK(trawl_stall_add(1.9, 0.05, 1) == 0);
	CHECK(trawl_stall_add(1.0, -5.0, 0) == 1.0);
}

/* An IPv6 row: the writer's addresses (target, ours) and the record's responder, in RFC 5952 form. */
static void
test_ipv6_rows(void)
{
	const struct trawl_field *f[TRAWL_MAX_FIELDS];
	struct trawl_result r = sample();
	struct trawl_row rw = { .v6 = 1 };
	struct trawl_output o;
	struct trawl_err err;
	char buf[TRAWL_OUTPUT_MAX_ROW + 1];
	int n = trawl_fields_parse("saddr,daddr,icmp_responder,icmp_unreach_str", TRAWL_FIELDS_ALL, f, &err);
	size_t len;

	REQUIRE(n == 4);
	REQUIRE(trawl_parse_ipv6("2001:2::a:0:0:5", &rw.saddr6) == 0 && trawl_parse_ipv6("2001:2:ff::2", &rw.daddr6) == 0);
	trawl_ip6_store(r.responder6, (struct trawl_ip6){ UINT64_C(0x2001000200ff0000), 1 });
	r.icmp_type = TRAWL_ICMP6_UNREACH;
	r.icmp_code = 3;
	trawl_output_init(&o, trawl_output_find("csv"), f, (unsigned int)n, 0);
	len = o.ops->format(&o, &r, &rw, buf);
	buf[len] = '\0';
	CHECK(strcmp(buf, "2001:2::a:0:0:5,2001:2:ff::2,2001:2:ff::1,address unreachable\n") == 0);
	/* The same type number in IPv4 is source quench: no unreachable text there. */
	r.icmp_type = TRAWL_ICMP6_UNREACH;
	rw.v6 = 0;
	len = o.ops->format(&o, &r, &rw, buf);
	buf[len] = '\0';
	CHECK(strstr(buf, ",\n") != NULL && strchr(buf, ':') == NULL);
	/* The longest IPv6 text fits the field's bound. */
	rw.v6 = 1;
	REQUIRE(trawl_parse_ipv6("1111:2222:3333:4444:5555:6666:7777:8888", &rw.saddr6) == 0);
	len = o.ops->format(&o, &r, &rw, buf);
	CHECK(len <= o.max_row && strncmp(buf, "1111:2222:3333:4444:5555:6666:7777:8888,", 40) == 0);
}

int
main(void)
{
	RUN(test_ipv4_like_snprintf);
	RUN(test_numbers_at_edges);
	RUN(test_csv_and_json_rows);
	RUN(test_ipv6_rows);
	RUN(test_timestamps_across_seconds);
	RUN(test_rows_within_bound);
	RUN(test_module_fields);
	RUN(test_stall_meter);
	return check_done();
}
