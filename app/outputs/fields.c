/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "../core/fmt.h"
#include "output.h"

static char *
put_saddr(char *dst, const struct trawl_result *r, const struct timespec *ts)
{
	(void)ts;
	return trawl_put_ipv4(dst, r->saddr);
}

static char *
put_daddr(char *dst, const struct trawl_result *r, const struct timespec *ts)
{
	(void)ts;
	return trawl_put_ipv4(dst, r->daddr);
}

static char *
put_classification(char *dst, const struct trawl_result *r, const struct timespec *ts)
{
	const char *s = r->cls < TRAWL_CLASS_MAX ? trawl_class_names[r->cls] : "unknown";
	size_t n = strlen(s);

	(void)ts;
	memcpy(dst, s, n);
	return dst + n;
}

/*
 * ISO 8601 in UTC with milliseconds, as ZMap's timestamp_str. Results come
 * in time order, thousands a second: the date and time of day are formatted
 * once a second and kept (the writer is one thread).
 */
static char *
put_timestamp(char *dst, const struct trawl_result *r, const struct timespec *ts)
{
	static __thread time_t cached_sec = -1;
	static __thread char cached[32];
	static __thread size_t cached_len;
	long ms = ts->tv_nsec / 1000000;

	(void)r;
	if (ts->tv_sec != cached_sec) {
		struct tm tm;

		gmtime_r(&ts->tv_sec, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S.", &tm);
		cached_sec = ts->tv_sec;
	}
	memcpy(dst, cached, cached_len);
	dst += cached_len;
	*dst++ = (char)('0' + ms / 100);
	*dst++ = (char)('0' + ms / 10 % 10);
	*dst++ = (char)('0' + ms % 10);
	*dst++ = 'Z';
	return dst;
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
	{ "saddr", "target address (source of the reply)", TRAWL_FIELD_STR, NULL, put_saddr, 0, 15 },
	{ "daddr", "our address the reply was sent to", TRAWL_FIELD_STR, NULL, put_daddr, 0, 15 },
	{ "sport", "target port (source port of the reply)", TRAWL_FIELD_INT, get_sport, NULL, 0, 20 },
	{ "dport", "our source port the reply was sent to", TRAWL_FIELD_INT, get_dport, NULL, 0, 20 },
	{ "classification", "synack or rst", TRAWL_FIELD_STR, NULL, put_classification, 0, 7 },
	{ "success", "1 if the port is open", TRAWL_FIELD_INT, get_success, NULL, 0, 20 },
	{ "repeat", "1 if this target answered before", TRAWL_FIELD_INT, get_repeat, NULL, 0, 20 },
	{ "ttl", "IP TTL of the reply", TRAWL_FIELD_INT, get_ttl, NULL, 0, 20 },
	{ "seqnum", "TCP sequence number of the reply", TRAWL_FIELD_INT, get_seqnum, NULL, 0, 20 },
	{ "window", "TCP window of the reply", TRAWL_FIELD_INT, get_window, NULL, 0, 20 },
	{ "ipid", "IP ID of the reply", TRAWL_FIELD_INT, get_ipid, NULL, 0, 20 },
	{ "timestamp", "when the reply arrived (UTC, ISO 8601)", TRAWL_FIELD_STR, NULL, put_timestamp, 1, 24 },
	{ NULL, NULL, TRAWL_FIELD_INT, NULL, NULL, 0, 0 },
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
