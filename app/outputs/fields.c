/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "../core/ipv4.h"
#include "output.h"

static const char *
get_saddr(const struct trawl_result *r, const struct timespec *ts, char *buf)
{
	(void)ts;
	return trawl_ipv4_str(r->saddr, buf);
}

static const char *
get_daddr(const struct trawl_result *r, const struct timespec *ts, char *buf)
{
	(void)ts;
	return trawl_ipv4_str(r->daddr, buf);
}

static const char *
get_classification(const struct trawl_result *r, const struct timespec *ts, char *buf)
{
	(void)ts;
	(void)buf;
	return r->cls < TRAWL_CLASS_MAX ? trawl_class_names[r->cls] : "unknown";
}

/* ISO 8601 in UTC with milliseconds, as ZMap's timestamp_str. */
static const char *
get_timestamp(const struct trawl_result *r, const struct timespec *ts, char *buf)
{
	struct tm tm;
	size_t n;

	(void)r;
	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 64 - n, ".%03ldZ", ts->tv_nsec / 1000000);
	return buf;
}

#define INT_FIELD(fname, expr) \
	static int64_t get_##fname(const struct trawl_result *r) { return (int64_t)(expr); }
INT_FIELD(sport, r->sport)
INT_FIELD(dport, r->dport)
INT_FIELD(success, r->success)
INT_FIELD(repeat, r->repeat)
INT_FIELD(ttl, r->ttl)
INT_FIELD(seqnum, r->seq)
INT_FIELD(window, r->window)
INT_FIELD(ipid, r->ipid)

const struct trawl_field trawl_fields[] = {
	{ "saddr", "target address (source of the reply)", TRAWL_FIELD_STR, NULL, get_saddr },
	{ "daddr", "our address the reply was sent to", TRAWL_FIELD_STR, NULL, get_daddr },
	{ "sport", "target port (source port of the reply)", TRAWL_FIELD_INT, get_sport, NULL },
	{ "dport", "our source port the reply was sent to", TRAWL_FIELD_INT, get_dport, NULL },
	{ "classification", "synack or rst", TRAWL_FIELD_STR, NULL, get_classification },
	{ "success", "1 if the port is open", TRAWL_FIELD_INT, get_success, NULL },
	{ "repeat", "1 if this target answered before", TRAWL_FIELD_INT, get_repeat, NULL },
	{ "ttl", "IP TTL of the reply", TRAWL_FIELD_INT, get_ttl, NULL },
	{ "seqnum", "TCP sequence number of the reply", TRAWL_FIELD_INT, get_seqnum, NULL },
	{ "window", "TCP window of the reply", TRAWL_FIELD_INT, get_window, NULL },
	{ "ipid", "IP ID of the reply", TRAWL_FIELD_INT, get_ipid, NULL },
	{ "timestamp", "when the reply arrived (UTC, ISO 8601)", TRAWL_FIELD_STR, NULL, get_timestamp },
	{ NULL, NULL, TRAWL_FIELD_INT, NULL, NULL },
};

int
trawl_fields_parse(const char *spec, const struct trawl_field *out[TRAWL_MAX_FIELDS],
		struct trawl_err *err)
{
	const char *item = spec;
	int n = 0;

	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		const struct trawl_field *f;

		for (f = trawl_fields; f->name != NULL; f++)
			if (strlen(f->name) == len && strncmp(f->name, item, len) == 0)
				break;
		if (f->name == NULL)
			return trawl_err_set(err, -EINVAL, "unknown output field '%.*s' (see --list-output-fields)",
					(int)len, item);
		if (n == TRAWL_MAX_FIELDS)
			return trawl_err_set(err, -EINVAL, "more than %d output fields", TRAWL_MAX_FIELDS);
		out[n++] = f;
		if (comma == NULL)
			break;
		item = comma + 1;
	}
	return n;
}
