/* SPDX-License-Identifier: BSD-3-Clause */
/* The Prometheus text (core/metrics) and the live counters' names (core/metric_names). */
#include <string.h>

#include "test/unit/check.h"
#include "app/core/fingerprint.h"
#include "app/core/metric_names.h"
#include "app/core/metrics.h"

static void
test_plain_counter_and_gauge(void)
{
	static const struct trawl_metric d[] = {
		{ "packets_sent", "trawl_packets_sent_total", TRAWL_METRIC_COUNTER, "Probes sent.", NULL, NULL, 0 },
		{ "elapsed_ms", "trawl_scan_elapsed_seconds", TRAWL_METRIC_GAUGE, "Seconds.", NULL, NULL, 1 },
	};
	uint64_t v[] = { 18446744073709551615ULL, 12005 };
	char buf[512];
	size_t n = trawl_metrics_format(buf, sizeof(buf), d, v, 2);

	CHECK(strcmp(buf, "# HELP trawl_packets_sent_total Probes sent.\n"
			"# TYPE trawl_packets_sent_total counter\n"
			"trawl_packets_sent_total 18446744073709551615\n"
			"# HELP trawl_scan_elapsed_seconds Seconds.\n"
			"# TYPE trawl_scan_elapsed_seconds gauge\n"
			"trawl_scan_elapsed_seconds 12.005\n") == 0);
	CHECK_EQ_U64(n, strlen(buf));
}

static void
test_family_once_and_escaped(void)
{
	static const struct trawl_metric d[] = {
		{ "a", "trawl_x_total", TRAWL_METRIC_COUNTER, "back\\slash\nnew \"line\"", "k", "q\"b\\n\nl", 0 },
		{ "b", "trawl_x_total", TRAWL_METRIC_COUNTER, "back\\slash\nnew \"line\"", "k", "two", 0 },
	};
	uint64_t v[] = { 1, 2 };
	char buf[512];

	trawl_metrics_format(buf, sizeof(buf), d, v, 2);
	/* HELP escapes \ and newline only; a label value " as well. */
	CHECK(strcmp(buf, "# HELP trawl_x_total back\\\\slash\\nnew \"line\"\n"
			"# TYPE trawl_x_total counter\n"
			"trawl_x_total{k=\"q\\\"b\\\\n\\nl\"} 1\n"
			"trawl_x_total{k=\"two\"} 2\n") == 0);
}

static void
test_small_buffer_says_what_it_needs(void)
{
	uint64_t v[TRAWL_SM_MAX] = { 0 };
	char small[40], *big;
	size_t need = trawl_metrics_format(small, sizeof(small), trawl_scan_metrics, v, TRAWL_SM_MAX);

	CHECK(need >= sizeof(small));
	CHECK_EQ_U64(strlen(small), sizeof(small) - 1);
	big = malloc(need + 1);
	REQUIRE(big != NULL);
	CHECK_EQ_U64(trawl_metrics_format(big, need + 1, trawl_scan_metrics, v, TRAWL_SM_MAX), need);
	CHECK_EQ_U64(strlen(big), need);
	CHECK(strncmp(big, small, sizeof(small) - 1) == 0);
	free(big);
	CHECK_EQ_U64(trawl_metrics_format(NULL, 0, trawl_scan_metrics, v, TRAWL_SM_MAX), need);
}

/* Every entry: a valid name, counters and only counters end in _total, keys unique, families contiguous. */
static void
check_table(const struct trawl_metric *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(d[i].name);
		int total = len > 6 && strcmp(d[i].name + len - 6, "_total") == 0;

		CHECK(d[i].key != NULL && d[i].help != NULL && d[i].help[0] != '\0');
		CHECK(strncmp(d[i].name, "trawl_", 6) == 0);
		CHECK(trawl_metrics_name_ok(d[i].name));
		CHECK(total == (d[i].type == TRAWL_METRIC_COUNTER));
		CHECK(d[i].label == NULL || trawl_metrics_name_ok(d[i].label));
		CHECK(strlen(d[i].key) < 64); /* telemetry's dict names */
		for (size_t j = 0; j < i; j++) {
			CHECK(strcmp(d[i].key, d[j].key) != 0);
			/* A name seen before is the family of the entry just before. */
			if (strcmp(d[i].name, d[j].name) == 0)
				CHECK(strcmp(d[i - 1].name, d[i].name) == 0 && d[i].label != NULL);
		}
	}
}

static void
test_scan_and_respond_tables(void)
{
	check_table(trawl_scan_metrics, TRAWL_SM_MAX);
	check_table(trawl_respond_metrics, TRAWL_RM_MAX);
	for (int p = 0; p < TRAWL_SCAN_PHASES; p++)
		CHECK(strcmp(trawl_scan_metrics[TRAWL_SM_PHASE + p].label_value, trawl_scan_phase_names[p]) == 0);
	for (int k = 0; k < TRAWL_TC_MAX; k++)
		CHECK(strcmp(trawl_respond_metrics[TRAWL_RM_TOOLCHAIN + k].label_value, trawl_toolchain_names[k]) == 0);
	for (int r = 0; r < TRAWL_SCAN_ROLES; r++) {
		CHECK(strcmp(trawl_scan_metrics[TRAWL_SM_BUSY + r].label_value, trawl_scan_role_names[r]) == 0);
		CHECK(strcmp(trawl_scan_metrics[TRAWL_SM_IDLE + r].label_value, trawl_scan_role_names[r]) == 0);
	}
	CHECK(strcmp(trawl_scan_metrics[TRAWL_SM_PACKETS_SENT].name, "trawl_packets_sent_total") == 0);
}

static void
test_name_rules(void)
{
	CHECK(trawl_metrics_name_ok("trawl_a:b_9"));
	CHECK(!trawl_metrics_name_ok("9trawl"));
	CHECK(!trawl_metrics_name_ok("trawl-x"));
	CHECK(!trawl_metrics_name_ok(""));
	CHECK(!trawl_metrics_name_ok(NULL));
}

int
main(void)
{
	RUN(test_plain_counter_and_gauge);
	RUN(test_family_once_and_escaped);
	RUN(test_small_buffer_says_what_it_needs);
	RUN(test_scan_and_respond_tables);
	RUN(test_name_rules);
	return check_done();
}
