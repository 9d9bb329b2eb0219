/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_YAMLCONF_H
#define TRAWL_YAMLCONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * A YAML settings file (-C/--config): one mapping of setting names to a
 * scalar or a list of scalars, e.g.
 *
 *     rate: 100000
 *     target-ports: [80, 443]
 *     targets:
 *       - 198.18.0.0/16
 *     quiet: true
 *
 * This module only reads the shape (libyaml) and remembers where each key
 * and value stood, so whoever interprets the values can say file:line:column.
 * What the names mean is the caller's (scan_conf.c maps them onto its flags).
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
 * Read @p path. An empty file is no settings. @return 0, or -EINVAL (bad
 * YAML, not a mapping, a nested mapping, a key given twice: @p err says
 * "path:line:column: what"), -ENOENT/-EACCES/... when it cannot be read, -ENOMEM.
 */
int trawl_yaml_settings_load(const char *path, struct trawl_yaml_settings *out, struct trawl_err *err);

void trawl_yaml_settings_free(struct trawl_yaml_settings *s);

#endif
