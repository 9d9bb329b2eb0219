/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_OPTS_H
#define TRAWL_OPTS_H

/*
 * One option table per subcommand: each row says a flag's long name (also
 * its key in a -C YAML file or a campaign), its short letter, what kind of
 * value it takes and its bounds, where in the subcommand's settings struct
 * the value goes, and its help text. The same rows drive getopt_long, the
 * YAML key look-up, the range checks (with one wording for every flag,
 * whichever way the value came) and --help. No EAL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "app/core/err.h"

enum trawl_opt_kind {
	TRAWL_OPT_FLAG,     /**< no value: the int at off is set to 1 */
	TRAWL_OPT_STR,      /**< the const char * at off points at the value */
	TRAWL_OPT_U32,      /**< uint32_t in [min, max] */
	TRAWL_OPT_U64,      /**< uint64_t in [min, max] */
	TRAWL_OPT_SECONDS,  /**< double: seconds >= 0 (> 0 with min 1) */
	TRAWL_OPT_PROB,     /**< double: a probability, 0 to 1 */
	TRAWL_OPT_SIZE,     /**< uint64_t bytes: N, or N with K/M/G/T (binary); never 0 */
	TRAWL_OPT_FN,       /**< the row's own parser, fn; it takes a value if the row has a meta */
	TRAWL_OPT_HELP,     /**< --help: print the help, exit 0 */
	TRAWL_OPT_VERSION,  /**< --version: print "trawl X.Y.Z", exit 0 */
};

/* Row flags. */
#define TRAWL_OPT_NOT_SETTING 0x1 /**< a command-line flag only, never a YAML key (-C, --list-*) */
#define TRAWL_OPT_SPACES      0x2 /**< a YAML list of values is joined with spaces (EAL words), not commas */

struct trawl_opt {
	const char *name;          /**< long flag without "--", and the YAML key */
	int letter;                /**< short flag, 0 if none */
	enum trawl_opt_kind kind;
	size_t off;                /**< offsetof() the value in the settings struct (not for FN, HELP, VERSION) */
	uint64_t min, max;         /**< bounds of U32 and U64 (min 1 for SECONDS: above 0) */
	/**
	 * TRAWL_OPT_FN: parse @p arg into @p conf. @return 0, 1 to stop and
	 * exit 0 (something was printed), or -EINVAL with only what is wrong
	 * in @p err ("expected LO-HI"), or none to use @p what: the caller
	 * says which flag and value. @p arg is NULL for a row without meta.
	 */
	int (*fn)(void *conf, const char *arg, struct trawl_err *err);
	const char *what;          /**< why a value is refused, after "--name 'VALUE': " (default: the bounds) */
	const char *meta;          /**< the value's name in --help (N, FILE, ...) */
	const char *help;          /**< --help text; '\n' starts an indented line */
	const char *section;       /**< a heading --help prints before this row, or NULL */
	unsigned int flags;        /**< TRAWL_OPT_* row flags */
};

/** A subcommand's table and the text around its --help. */
struct trawl_opts {
	const char *cmd;           /**< "scan": messages say "see trawl scan --help" */
	const char *usage;         /**< what --help prints first */
	const char *footer;        /**< what --help prints last (NULL: nothing) */
	const struct trawl_opt *opt;
	unsigned int n;
};

/** Result of trawl_opts_parse besides 0 and -errno: --help, --version or a row's fn printed; exit 0. */
#define TRAWL_OPTS_EXIT 1

/**
 * getopt_long over @p argv (argv[0] is the subcommand), each value applied
 * to @p conf as its row says. Operands (anything not a flag) are left for
 * the caller from *@p first_operand on (glibc moves them behind the flags).
 * With @p only non-zero, only the row whose short letter is @p only
 * is applied (the first pass that finds -C); errors are left for the real
 * pass. @return 0, TRAWL_OPTS_EXIT, or -EINVAL/-ENOMEM with one line in @p err.
 */
int trawl_opts_parse(const struct trawl_opts *t, void *conf, int argc, char **argv, int only, FILE *out,
		int *first_operand, struct trawl_err *err);

/**
 * Apply one value to @p conf as row @p o says (the YAML path: @p arg is
 * "true"/"false" for a flag). @return 0, TRAWL_OPTS_EXIT, or -EINVAL with
 * "--name 'VALUE': why" in @p err.
 */
int trawl_opts_apply(const struct trawl_opts *t, const struct trawl_opt *o, void *conf, const char *arg, FILE *out,
		struct trawl_err *err);

/** The row whose long name is @p name and that may be a YAML key, or NULL. */
const struct trawl_opt *trawl_opts_setting(const struct trawl_opts *t, const char *name);

/** --help: usage, then every row under its section, then the footer. */
void trawl_opts_help(const struct trawl_opts *t, FILE *out);

/* Value parsers the rows use, also for the subcommands' own fn rows. Each @return 0 or -EINVAL. */
int trawl_opt_u64(const char *s, uint64_t max, uint64_t *out);
int trawl_opt_u32(const char *s, uint32_t max, uint32_t *out);
int trawl_opt_seconds(const char *s, double *out);
int trawl_opt_size(const char *s, uint64_t *out);

#endif
