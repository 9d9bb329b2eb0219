/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_OUTPUT_H
#define TRAWL_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../core/err.h"
#include "../core/result.h"

#define TRAWL_MAX_FIELDS 32

enum trawl_field_type {
	TRAWL_FIELD_STR,
	TRAWL_FIELD_INT,
};

/* One output column: its name and how to read it from a result. */
struct trawl_field {
	const char *name;
	const char *help;
	enum trawl_field_type type;
	/* Integer fields return the value; string fields write into buf (64 bytes). */
	int64_t (*get_int)(const struct trawl_result *r);
	const char *(*get_str)(const struct trawl_result *r, const struct timespec *ts, char *buf);
};

/** The known fields, NULL-terminated by name. */
extern const struct trawl_field trawl_fields[];

/**
 * Parse a comma list of field names ("saddr,sport") into @p out.
 * @return the number of fields, or -EINVAL naming the unknown one in @p err.
 */
int trawl_fields_parse(const char *spec, const struct trawl_field *out[TRAWL_MAX_FIELDS],
		struct trawl_err *err);

/* An open results stream. */
struct trawl_output {
	const struct trawl_output_ops *ops;
	FILE *f;
	int close_f;             /**< 0 for stdout */
	int header;              /**< CSV: write the header row */
	unsigned int nfields;
	const struct trawl_field *fields[TRAWL_MAX_FIELDS];
};

/*
 * An output module. write() is called by the writer lcore for each result
 * that passes the filter, in arrival order; it must not block on anything
 * but the stream itself.
 */
struct trawl_output_ops {
	const char *name;
	int (*start)(struct trawl_output *o);  /**< before any record (CSV header) */
	int (*write)(struct trawl_output *o, const struct trawl_result *r, const struct timespec *ts);
};

/** The module called @p name, or NULL. */
const struct trawl_output_ops *trawl_output_find(const char *name);

/**
 * Open @p path ("-" for stdout) with module @p ops and fields, and start
 * it. @return 0 or -errno with the reason in @p err.
 */
int trawl_output_open(struct trawl_output *o, const struct trawl_output_ops *ops, const char *path,
		const struct trawl_field *const *fields, unsigned int nfields, int header,
		struct trawl_err *err);

/** Flush and close. @return 0 or -EIO if anything written was lost. */
int trawl_output_close(struct trawl_output *o);

#endif
