/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FILTER_H
#define TRAWL_FILTER_H

#include <stdint.h>

#include "app/core/err.h"
#include "app/core/result.h"
#include "app/outputs/output.h"

/*
 * --output-filter: which results are written, as ZMap's expression
 * language has it: comparisons FIELD OP VALUE (OP one of = != < > <= >=,
 * VALUE a number for integer fields, a word or "quoted text" for the
 * others), joined by && and ||, && binding tighter, in parentheses as
 * needed. ZMap's default, and trawl's without the flag, is
 * "success = 1 && repeat = 0". Compiled once into a small tree; evaluated
 * by the writer for each result, so only a scan that asks for a filter
 * pays for it.
 */
#define TRAWL_FILTER_MAX_NODES 64
#define TRAWL_FILTER_MAX_TEXT 64

enum trawl_filter_op { TF_EQ, TF_NE, TF_LT, TF_GT, TF_LE, TF_GE, TF_AND, TF_OR };

struct trawl_filter_node {
	enum trawl_filter_op op;
	const struct trawl_field *field;  /**< comparisons */
	int64_t num;                      /**< the value of an INT comparison */
	uint16_t text_len;
	char text[TRAWL_FILTER_MAX_TEXT]; /**< the value of a STR comparison */
	int16_t left, right;              /**< && and ||: node indexes */
};

struct trawl_filter {
	unsigned int n;
	int root;
	struct trawl_filter_node node[TRAWL_FILTER_MAX_NODES];
};

/**
 * Compile @p expr over the fields of probe module @p module (TRAWL_FIELDS_*).
 * @return 0, or -EINVAL saying what and at which character in @p err.
 */
int trawl_filter_compile(struct trawl_filter *f, const char *expr, uint8_t module, struct trawl_err *err);

/** Whether @p r passes @p f (@p row: an IPv6 result's addresses; NULL for IPv4). */
int trawl_filter_match(const struct trawl_filter *f, const struct trawl_result *r, const struct trawl_row *row);

#endif
