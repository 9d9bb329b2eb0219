/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_YAMLCONF_H
#define TRAWL_YAMLCONF_H

#include <stddef.h>
#include <stdint.h>

#include "app/core/err.h"

/*
 * YAML files: -C/--config settings and campaigns. libyaml parses the file (read whole);
 * this module turns it into a plain tree that remembers where each key and
 * value stood, so whoever interprets the values can say file:line:column.
 * What the names mean is the caller's (app/scan/conf.c maps settings onto its
 * flags, campaign/conf.c reads campaigns).
 *
 * Aliases are expanded; a tree past TRAWL_YAML_MAX_NODES nodes or
 * TRAWL_YAML_MAX_BYTES of values (an alias bomb: a few lines that expand to
 * billions) is refused, not built.
 */
#define TRAWL_YAML_MAX_NODES 1000000
/* Files are read whole; one larger than this is no configuration (a 1 MB line is fine). */
#define TRAWL_YAML_MAX_BYTES (16u << 20)

enum trawl_yaml_kind {
	TRAWL_YAML_SCALAR,
	TRAWL_YAML_LIST,
	TRAWL_YAML_MAP,
};

struct trawl_yaml_node {
	enum trawl_yaml_kind kind;
	char *key;                      /**< in a map: this entry's key, else NULL */
	uint32_t key_line, key_col;
	char *value;                    /**< SCALAR: the text */
	struct trawl_yaml_node *items;  /**< LIST: elements; MAP: entries (key set) */
	size_t n;
	uint32_t line, col;             /**< where the value starts, 1-based */
};

/**
 * Read @p path into @p root (an empty file: an empty map). @return 0, or
 * -EINVAL (bad YAML, a key given twice in a map, a non-scalar key, too
 * many nodes: "path:line:column: what" in @p err), -errno when it cannot
 * be read, -ENOMEM.
 */
int trawl_yaml_load(const char *path, struct trawl_yaml_node *root, struct trawl_err *err);

/** The same for the @p len bytes at @p data, named @p name in errors. */
int trawl_yaml_load_buf(const char *name, const void *data, size_t len, struct trawl_yaml_node *root,
		struct trawl_err *err);

void trawl_yaml_free(struct trawl_yaml_node *n);

/** The entry @p key of map @p m, or NULL. */
const struct trawl_yaml_node *trawl_yaml_get(const struct trawl_yaml_node *m, const char *key);

/*
 * A settings map: names to a scalar or a list of scalars, e.g.
 *
 *     rate: 100000
 *     target-ports: [80, 443]
 *     targets:
 *       - 198.18.0.0/16
 *     quiet: true
 */
struct trawl_yaml_setting {
	char *key;
	char **items;       /**< the scalar, or each element of the list */
	size_t nitems;
	int is_list;
	uint32_t line, col; /**< where the value starts, 1-based */
	uint32_t key_line, key_col;
};

struct trawl_yaml_settings {
	char *path;
	struct trawl_yaml_setting *s;
	size_t n;
};

/**
 * Read @p path as one settings map. @return 0, or -EINVAL (bad YAML, not a
 * mapping, a nested mapping: @p err says "path:line:column: what"),
 * -ENOENT/-EACCES/... when it cannot be read, -ENOMEM. On failure @p out
 * holds nothing (there is nothing to free).
 */
int trawl_yaml_settings_load(const char *path, struct trawl_yaml_settings *out, struct trawl_err *err);

/** The same for the @p len bytes at @p data, named @p name in errors. */
int trawl_yaml_settings_parse(const char *name, const void *data, size_t len, struct trawl_yaml_settings *out,
		struct trawl_err *err);

/**
 * Append map @p m's entries (of file @p path) to @p out; an entry already
 * in @p out is replaced (its value and position), so a later map overrides
 * an earlier one. @return 0, -EINVAL (a value that is a map, or a list
 * holding more than plain values), -ENOMEM.
 */
int trawl_yaml_settings_add(struct trawl_yaml_settings *out, const char *path, const struct trawl_yaml_node *m,
		struct trawl_err *err);

/** A deep copy of @p src into @p dst. @return 0 or -ENOMEM (dst then freed). */
int trawl_yaml_settings_copy(struct trawl_yaml_settings *dst, const struct trawl_yaml_settings *src);

void trawl_yaml_settings_free(struct trawl_yaml_settings *s);

#endif
