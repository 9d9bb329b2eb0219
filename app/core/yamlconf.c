/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yamlconf.h"

/* libyaml's marks count from 0; people count from 1. */
#define LINE(node) ((uint32_t)(node)->start_mark.line + 1)
#define COL(node) ((uint32_t)(node)->start_mark.column + 1)

static int
at(struct trawl_err *err, const char *path, const yaml_node_t *node, const char *what)
{
	return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s", path, LINE(node), COL(node), what);
}

static char *
scalar(const yaml_node_t *node)
{
	return strndup((const char *)node->data.scalar.value, node->data.scalar.length);
}

/* One key: its value, a scalar or a list of scalars. */
static int
add_setting(struct trawl_yaml_settings *out, yaml_document_t *doc, const yaml_node_t *k, const yaml_node_t *v,
		struct trawl_err *err)
{
	struct trawl_yaml_setting *s;
	char *key;

	if (k->type != YAML_SCALAR_NODE)
		return at(err, out->path, k, "a setting's name must be a plain word (e.g. rate)");
	key = scalar(k);
	if (key == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->s[i].key, key) == 0) {
			free(key);
			return at(err, out->path, k, "this setting is given twice");
		}
	s = realloc(out->s, (out->n + 1) * sizeof(*s));
	if (s == NULL) {
		free(key);
		return -ENOMEM;
	}
	out->s = s;
	s = &out->s[out->n++];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->key_line = LINE(k);
	s->key_col = COL(k);
	s->line = LINE(v);
	s->col = COL(v);
	switch (v->type) {
	case YAML_SCALAR_NODE:
		s->items = calloc(1, sizeof(char *));
		if (s->items == NULL || (s->items[0] = scalar(v)) == NULL)
			return -ENOMEM;
		s->nitems = 1;
		return 0;
	case YAML_SEQUENCE_NODE:
		s->is_list = 1;
		s->items = calloc((size_t)(v->data.sequence.items.top - v->data.sequence.items.start) + 1, sizeof(char *));
		if (s->items == NULL)
			return -ENOMEM;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const yaml_node_t *e = yaml_document_get_node(doc, *it);

			if (e->type != YAML_SCALAR_NODE)
				return at(err, out->path, e, "a list here holds plain values only");
			if ((s->items[s->nitems] = scalar(e)) == NULL)
				return -ENOMEM;
			s->nitems++;
		}
		return 0;
	default:
		return at(err, out->path, v, "expected a value or a list of values, not a mapping");
	}
}

int
trawl_yaml_settings_load(const char *path, struct trawl_yaml_settings *out, struct trawl_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	FILE *f;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = -errno;
		return trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
	}
	out->path = strdup(path);
	if (out->path == NULL || !yaml_parser_initialize(&parser)) {
		fclose(f);
		return trawl_err_set(err, -ENOMEM, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = trawl_err_set(err, -EINVAL, "%s:%zu:%zu: bad YAML: %s%s%s", path, parser.problem_mark.line + 1,
				parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
				parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		/* An empty file: no settings. */
	} else if (root->type != YAML_MAPPING_NODE) {
		rc = at(err, path, root, "expected settings, one per line as 'name: value'");
	} else {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; rc == 0 && p < root->data.mapping.pairs.top; p++)
			rc = add_setting(out, &doc, yaml_document_get_node(&doc, p->key),
					yaml_document_get_node(&doc, p->value), err);
		if (rc == -ENOMEM)
			trawl_err_set(err, rc, "out of memory");
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

void
trawl_yaml_settings_free(struct trawl_yaml_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->s[i].nitems; j++)
			free(s->s[i].items[j]);
		free(s->s[i].items);
		free(s->s[i].key);
	}
	free(s->s);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
