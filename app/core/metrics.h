/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_METRICS_H
#define TRAWL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Live counters, as one table both readers share: DPDK telemetry (a dict
 * keyed by the metadata's own names, app/live.c) and the Prometheus text
 * exposition format (--metrics-file, for node_exporter's textfile
 * collector). A run publishes a row of values, one per entry; the text is
 * made here, pure, so it is unit-tested without an EAL.
 *
 * Names follow Prometheus's conventions: trawl_ prefix, base units
 * (seconds), counters end in _total. Entries with the same name and a
 * label form one family (HELP and TYPE once, a sample per label value).
 */
enum trawl_metric_type {
	TRAWL_METRIC_COUNTER,
	TRAWL_METRIC_GAUGE,
};

struct trawl_metric {
	const char *key;          /**< telemetry's name: the metadata key where there is one */
	const char *name;         /**< Prometheus metric name */
	enum trawl_metric_type type;
	const char *help;
	const char *label;        /**< label name (NULL: a plain sample) */
	const char *label_value;
	unsigned int milli;       /**< the value is thousandths: the text says value/1000 (seconds from ms) */
};

/**
 * The exposition text of @p n entries and their @p values into @p buf
 * (@p len bytes, NUL-terminated). @return the length it needs (excluding
 * the NUL), as snprintf: a result >= @p len means @p buf was too small.
 */
size_t trawl_metrics_format(char *buf, size_t len, const struct trawl_metric *defs, const uint64_t *values,
		size_t n);

/** Is @p name a valid Prometheus metric or label name ([a-zA-Z_:][a-zA-Z0-9_:]*)? */
int trawl_metrics_name_ok(const char *name);

#endif
