/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_OUTPUT_H
#define TRAWL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app/core/err.h"
#include "app/core/ipv6.h"
#include "app/core/result.h"
#include "app/probes/probe.h"

#define TRAWL_MAX_FIELDS 32
/*
 * The most bytes one record (or the header) may take, newline included.
 * Rows of up to PIPE_BUF (4096) bytes go to a pipe in one atomic write;
 * longer ones (tcp_banner's data with its fields, at most 6935 bytes) in
 * PIPE_BUF pieces (dp/flusher.h).
 */
#define TRAWL_OUTPUT_MAX_ROW 8192

/*
 * What a row prints besides its result: the reply's time, and an IPv6
 * result's addresses (the record has no room for them: the writer takes
 * the target's from its index and ours from the run, and the responder's
 * travels in the record's address words, trawl_result.responder6).
 */
struct trawl_row {
	struct timespec ts;
	uint8_t v6;
	struct trawl_ip6 saddr6;
	struct trawl_ip6 daddr6;
};

enum trawl_field_type {
	TRAWL_FIELD_STR,
	TRAWL_FIELD_INT,
};

/* One output column: its name and how to read it from a result. */
struct trawl_field {
	const char *name;
	const char *help;
	enum trawl_field_type type;
	/** INT fields: the value. */
	int64_t (*get_int)(const struct trawl_result *r);
	/** STR fields: the text at dst (at most max_len bytes, no terminator, never a comma, quote or newline); returns its end. */
	char *(*put)(char *dst, const struct trawl_result *r, const struct trawl_row *row);
	uint8_t needs_time;    /**< reads row->ts (only then does the writer compute it) */
	uint8_t modules;       /**< TRAWL_FIELDS_*: the probe modules that fill it */
	uint16_t max_len;      /**< the longest text it writes (INT: 20, a signed 64-bit decimal) */
};

/** The known fields, NULL-terminated by name. */
extern const struct trawl_field trawl_fields[];

/**
 * Parse a comma list of field names ("saddr,sport") into @p out, each one
 * a field of the probe module whose TRAWL_FIELDS_* bit is @p module.
 * @return the number of fields, or -EINVAL naming the unknown one in @p err.
 */
int trawl_fields_parse(const char *spec, uint8_t module, const struct trawl_field *out[TRAWL_MAX_FIELDS],
		struct trawl_err *err);

/** The field called @p name (@p len bytes) that module @p module fills, or NULL. */
const struct trawl_field *trawl_field_find(const char *name, size_t len, uint8_t module);

/* How results are turned into text: the module and the fields. Where the text goes is dp/flusher's. */
struct trawl_output {
	const struct trawl_output_ops *ops;
	int header;              /**< CSV: a header row first */
	int needs_time;          /**< a field reads the timestamp */
	size_t max_row;          /**< the longest record format() can write, newline included */
	unsigned int nfields;
	const struct trawl_field *fields[TRAWL_MAX_FIELDS];
};

/*
 * An output module. Both calls write into a buffer with at least
 * TRAWL_OUTPUT_MAX_ROW bytes of room and return how many they wrote. format()
 * runs on the writer lcore for each result that passes the filter, in
 * arrival order: no allocation, no system call, no stdio.
 */
struct trawl_output_ops {
	const char *name;
	/** The text before any record (CSV's header row), or 0 bytes. */
	size_t (*header)(const struct trawl_output *o, char *buf);
	/** One record, newline-terminated; 0 if it does not fit in TRAWL_OUTPUT_MAX_ROW. */
	size_t (*format)(const struct trawl_output *o, const struct trawl_result *r, const struct trawl_row *row,
			char *buf);
	/** The longest record format() can write for these fields, at most TRAWL_OUTPUT_MAX_ROW. */
	size_t (*max_row)(const struct trawl_output *o);
};

/** The module called @p name, or NULL. */
const struct trawl_output_ops *trawl_output_find(const char *name);

/** Set up @p o for module @p ops and these fields. */
void trawl_output_init(struct trawl_output *o, const struct trawl_output_ops *ops,
		const struct trawl_field *const *fields, unsigned int nfields, int header);

#endif
