/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition format 0.0.4: "# HELP", "# TYPE", then
 * samples, "\n" line ends. HELP text escapes backslash and newline; label
 * values escape backslash, double quote and newline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/core/metrics.h"

struct text {
	char *buf;
	size_t len, pos;  /* pos: what the whole text needs so far, even past len */
};

static void
put(struct text *t, const char *s, size_t n)
{
	if (t->pos < t->len) {
		size_t room = t->len - t->pos - 1, k = n < room ? n : room;

		memcpy(t->buf + t->pos, s, k);
		t->buf[t->pos + k] = '\0';
	}
	t->pos += n;
}

static void
puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* @p s with '\\', '\n' and (if @p quote) '"' escaped. */
static void
put_escaped(struct text *t, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			puts_(t, "\\\\");
		else if (*s == '\n')
			puts_(t, "\\n");
		else if (quote && *s == '"')
			puts_(t, "\\\"");
		else
			put(t, s, 1);
	}
}

static void
put_value(struct text *t, const struct trawl_metric *d, uint64_t v)
{
	char num[48];

	if (d->milli)
		snprintf(num, sizeof(num), "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
	else
		snprintf(num, sizeof(num), "%" PRIu64, v);
	puts_(t, num);
}

size_t
trawl_metrics_format(char *buf, size_t len, const struct trawl_metric *defs, const uint64_t *values, size_t n)
{
	struct text t = { buf, len, 0 };

	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct trawl_metric *d = &defs[i];

		/* A family's HELP and TYPE once, before its first sample. */
		if (i == 0 || strcmp(defs[i - 1].name, d->name) != 0) {
			puts_(&t, "# HELP ");
			puts_(&t, d->name);
			puts_(&t, " ");
			put_escaped(&t, d->help, 0);
			puts_(&t, "\n# TYPE ");
			puts_(&t, d->name);
			puts_(&t, d->type == TRAWL_METRIC_COUNTER ? " counter\n" : " gauge\n");
		}
		puts_(&t, d->name);
		if (d->label != NULL) {
			puts_(&t, "{");
			puts_(&t, d->label);
			puts_(&t, "=\"");
			put_escaped(&t, d->label_value, 1);
			puts_(&t, "\"}");
		}
		puts_(&t, " ");
		put_value(&t, d, values[i]);
		puts_(&t, "\n");
	}
	return t.pos;
}

int
trawl_metrics_name_ok(const char *name)
{
	if (name == NULL || name[0] == '\0' || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (const char *p = name; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == ':'))
			return 0;
	}
	return 1;
}
