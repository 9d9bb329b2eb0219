/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/core/opts.h"

/* --help's description column: "  -p, --target-ports LIST    ports: ..." */
#define HELP_COL 29

int
trawl_opt_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
trawl_opt_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = trawl_opt_u64(s, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

int
trawl_opt_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "8G", "512M", "64K" or plain bytes, binary multiples (memory sizes). */
int
trawl_opt_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -EINVAL;
	switch (*end) {
	case 'T': case 't': shift = 40; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	default: break;
	}
	if (*end != '\0' || v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
prob(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v <= 1))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Why a value of row @p o is refused, when the row does not say. */
static const char *
default_what(const struct trawl_opt *o, char *buf, size_t len)
{
	if (o->what != NULL)
		return o->what;
	switch (o->kind) {
	case TRAWL_OPT_U32:
	case TRAWL_OPT_U64:
		snprintf(buf, len, "expected %llu to %llu", (unsigned long long)o->min, (unsigned long long)o->max);
		return buf;
	case TRAWL_OPT_SECONDS:
		return o->min ? "expected seconds > 0" : "expected seconds >= 0";
	case TRAWL_OPT_PROB:
		return "expected a probability from 0 to 1";
	case TRAWL_OPT_SIZE:
		return "expected a size such as 512M or 8G";
	default:
		return "not a valid value";
	}
}

int
trawl_opts_apply(const struct trawl_opts *t, const struct trawl_opt *o, void *conf, const char *arg, FILE *out,
		struct trawl_err *err)
{
	char *field = (char *)conf + o->off;
	char buf[64];
	int rc = 0;

	err->msg[0] = '\0';
	switch (o->kind) {
	case TRAWL_OPT_FLAG:
		*(int *)(void *)field = 1;
		return 0;
	case TRAWL_OPT_STR:
		*(const char **)(void *)field = arg;
		return 0;
	case TRAWL_OPT_U32:
	case TRAWL_OPT_U64: {
		uint64_t v;

		rc = trawl_opt_u64(arg, o->max, &v);
		if (rc == 0 && v < o->min)
			rc = -EINVAL;
		if (rc == 0 && o->kind == TRAWL_OPT_U32)
			*(uint32_t *)(void *)field = (uint32_t)v; /* max bounds it (a table row says at most 2^32 - 1) */
		else if (rc == 0)
			*(uint64_t *)(void *)field = v;
		break;
	}
	case TRAWL_OPT_SECONDS: {
		double v;

		rc = trawl_opt_seconds(arg, &v);
		if (rc == 0 && o->min && v == 0)
			rc = -EINVAL;
		if (rc == 0)
			*(double *)(void *)field = v;
		break;
	}
	case TRAWL_OPT_PROB:
		rc = prob(arg, (double *)(void *)field);
		break;
	case TRAWL_OPT_SIZE:
		rc = trawl_opt_size(arg, (uint64_t *)(void *)field);
		break;
	case TRAWL_OPT_FN:
		rc = o->fn(conf, arg, err);
		break;
	case TRAWL_OPT_HELP:
		trawl_opts_help(t, out);
		return TRAWL_OPTS_EXIT;
	case TRAWL_OPT_VERSION:
		fprintf(out, "trawl %s\n", TRAWL_VERSION);
		return TRAWL_OPTS_EXIT;
	}
	if (rc >= 0)
		return rc;
	if (rc == -ENOMEM)
		return trawl_err_set(err, rc, "out of memory");
	/* One wording for every flag: "--name 'VALUE': why". */
	{
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg[0] != '\0' ? err->msg : default_what(o, buf, sizeof(buf)));
		return trawl_err_set(err, -EINVAL, "--%s '%s': %s", o->name, arg != NULL ? arg : "", why);
	}
}

const struct trawl_opt *
trawl_opts_setting(const struct trawl_opts *t, const char *name)
{
	for (unsigned int i = 0; i < t->n; i++) {
		const struct trawl_opt *o = &t->opt[i];

		if (strcmp(o->name, name) == 0)
			return (o->flags & TRAWL_OPT_NOT_SETTING) || o->kind == TRAWL_OPT_HELP ||
				o->kind == TRAWL_OPT_VERSION ? NULL : o;
	}
	return NULL;
}

static int
takes_value(const struct trawl_opt *o)
{
	return o->kind != TRAWL_OPT_FLAG && o->kind != TRAWL_OPT_HELP && o->kind != TRAWL_OPT_VERSION &&
		!(o->kind == TRAWL_OPT_FN && o->meta == NULL);
}

/* getopt_long's tables from the rows: a long option's val is 256 + its row. */
static int
build_getopt(const struct trawl_opts *t, char *shorts, size_t slen, struct option *longs)
{
	size_t k = 0;

	shorts[k++] = ':'; /* a missing value is ':', not '?' */
	for (unsigned int i = 0; i < t->n; i++) {
		const struct trawl_opt *o = &t->opt[i];

		longs[i] = (struct option){ o->name, takes_value(o) ? required_argument : no_argument, NULL, 256 + (int)i };
		if (o->letter == 0)
			continue;
		if (k + 3 > slen)
			return -E2BIG;
		shorts[k++] = (char)o->letter;
		if (takes_value(o))
			shorts[k++] = ':';
	}
	shorts[k] = '\0';
	longs[t->n] = (struct option){ NULL, 0, NULL, 0 };
	return 0;
}

static const struct trawl_opt *
row_of(const struct trawl_opts *t, int opt)
{
	if (opt >= 256 && opt < 256 + (int)t->n)
		return &t->opt[opt - 256];
	for (unsigned int i = 0; i < t->n; i++)
		if (t->opt[i].letter == opt)
			return &t->opt[i];
	return NULL;
}

int
trawl_opts_parse(const struct trawl_opts *t, void *conf, int argc, char **argv, int only, FILE *out,
		int *first_operand, struct trawl_err *err)
{
	char shorts[128];
	struct option *longs = calloc(t->n + 1, sizeof(*longs));
	char **av = argv;
	int opt, rc = 0;

	if (longs == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	if (build_getopt(t, shorts, sizeof(shorts), longs) != 0) {
		free(longs);
		return trawl_err_set(err, -E2BIG, "too many short options");
	}
	if (only != 0) {
		/* A first pass for one flag reads a copy: getopt reorders what it reads. */
		av = malloc(((size_t)argc + 1) * sizeof(char *));
		if (av == NULL) {
			free(longs);
			return trawl_err_set(err, -ENOMEM, "out of memory");
		}
		memcpy(av, argv, ((size_t)argc + 1) * sizeof(char *));
	}
	opterr = 0;
	optind = 0; /* glibc: start afresh */
	while (rc == 0 && (opt = getopt_long(argc, av, shorts, longs, NULL)) != -1) {
		const struct trawl_opt *o = row_of(t, opt);

		if (only != 0) {
			if (o != NULL && o->letter == only)
				rc = trawl_opts_apply(t, o, conf, optarg, out, err);
			continue;
		}
		if (opt == ':')
			rc = trawl_err_set(err, -EINVAL, "option '%s' needs a value (see trawl %s --help)",
					av[optind - 1], t->cmd);
		else if (opt == '?' && optopt != 0 && optopt < 256)
			rc = trawl_err_set(err, -EINVAL, "unknown option '-%c' (see trawl %s --help)", optopt, t->cmd);
		else if (opt == '?' || o == NULL)
			rc = trawl_err_set(err, -EINVAL, "unknown option '%s' (see trawl %s --help)", av[optind - 1],
					t->cmd);
		else
			rc = trawl_opts_apply(t, o, conf, optarg, out, err);
	}
	if (first_operand != NULL)
		*first_operand = optind;
	if (av != argv)
		free(av);
	free(longs);
	return rc;
}

void
trawl_opts_help(const struct trawl_opts *t, FILE *out)
{
	fputs(t->usage, out);
	for (unsigned int i = 0; i < t->n; i++) {
		const struct trawl_opt *o = &t->opt[i];
		char left[96];
		int len;

		if (o->help == NULL)
			continue;
		if (o->section != NULL)
			fprintf(out, "%s\n", o->section);
		if (o->letter)
			len = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->letter, o->name, o->meta ? " " : "",
					o->meta ? o->meta : "");
		else
			len = snprintf(left, sizeof(left), "  --%s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
		fputs(left, out);
		fprintf(out, "%*s", len < HELP_COL - 1 ? HELP_COL - len : 2, "");
		for (const char *h = o->help; *h != '\0'; h++) {
			fputc(*h, out);
			if (*h == '\n')
				fprintf(out, "%*s", HELP_COL, "");
		}
		fputc('\n', out);
	}
	if (t->footer != NULL)
		fputs(t->footer, out);
}
