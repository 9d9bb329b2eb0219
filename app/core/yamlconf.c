/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "app/core/yamlconf.h"

/* libyaml's marks count from 0; people count from 1. */
#define LINE(node) ((uint32_t)(node)->start_mark.line + 1)
#define COL(node) ((uint32_t)(node)->start_mark.column + 1)

static int
at(struct trawl_err *err, const char *path, uint32_t line, uint32_t col, const char *what)
{
	return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s", path, line, col, what);
}

static char *
scalar(const yaml_node_t *node)
{
	return strndup((const char *)node->data.scalar.value, node->data.scalar.length);
}

struct builder {
	yaml_document_t *doc;
	const char *path;
	size_t nodes;
	size_t bytes;   /* scalar text in the tree, aliases counted each time they are expanded */
	int depth;
};

static int
build(struct builder *b, const yaml_node_t *y, struct trawl_yaml_node *out, struct trawl_err *err)
{
	int rc = 0;

	out->line = LINE(y);
	out->col = COL(y);
	if (++b->nodes > TRAWL_YAML_MAX_NODES || b->depth > 64)
		return at(err, b->path, out->line, out->col, "too many values (aliases expanding without bound?)");
	switch (y->type) {
	case YAML_SCALAR_NODE:
		/* A long value aliased a million times is gigabytes from a page of text: bound the bytes too. */
		b->bytes += y->data.scalar.length;
		if (b->bytes > TRAWL_YAML_MAX_BYTES)
			return at(err, b->path, out->line, out->col, "values longer than 16 MiB in all (aliases expanding?)");
		out->kind = TRAWL_YAML_SCALAR;
		out->value = scalar(y);
		return out->value == NULL ? -ENOMEM : 0;
	case YAML_SEQUENCE_NODE:
		out->kind = TRAWL_YAML_LIST;
		out->n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
		out->items = calloc(out->n + 1, sizeof(*out->items));
		if (out->items == NULL)
			return -ENOMEM;
		b->depth++;
		for (size_t i = 0; rc == 0 && i < out->n; i++)
			rc = build(b, yaml_document_get_node(b->doc, y->data.sequence.items.start[i]), &out->items[i], err);
		b->depth--;
		return rc;
	case YAML_MAPPING_NODE:
		out->kind = TRAWL_YAML_MAP;
		out->n = (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
		out->items = calloc(out->n + 1, sizeof(*out->items));
		if (out->items == NULL)
			return -ENOMEM;
		b->depth++;
		for (size_t i = 0; rc == 0 && i < out->n; i++) {
			const yaml_node_pair_t *p = &y->data.mapping.pairs.start[i];
			const yaml_node_t *k = yaml_document_get_node(b->doc, p->key);
			struct trawl_yaml_node *e = &out->items[i];

			if (k->type != YAML_SCALAR_NODE)
				rc = at(err, b->path, LINE(k), COL(k), "a name here must be a plain word (e.g. rate)");
			else if ((e->key = scalar(k)) == NULL)
				rc = -ENOMEM;
			if (rc != 0)
				break;
			e->key_line = LINE(k);
			e->key_col = COL(k);
			for (size_t j = 0; j < i; j++)
				if (strcmp(out->items[j].key, e->key) == 0) {
					char what[128];

					snprintf(what, sizeof(what), "'%.60s' is given twice (first at line %u)", e->key,
							out->items[j].key_line);
					rc = at(err, b->path, e->key_line, e->key_col, what);
				}
			if (rc == 0)
				rc = build(b, yaml_document_get_node(b->doc, p->value), e, err);
		}
		b->depth--;
		return rc;
	default:
		return at(err, b->path, out->line, out->col, "empty value");
	}
}

int
trawl_yaml_load_buf(const char *name, const void *data, size_t len, struct trawl_yaml_node *root,
		struct trawl_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *y;
	int rc = 0;

	memset(root, 0, sizeof(*root));
	root->kind = TRAWL_YAML_MAP;
	root->line = root->col = 1;
	if (!yaml_parser_initialize(&parser))
		return trawl_err_set(err, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = trawl_err_set(err, -EINVAL, "%s:%zu:%zu: bad YAML: %s%s%s", name, parser.problem_mark.line + 1,
				parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
				parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return rc;
	}
	y = yaml_document_get_root_node(&doc);
	if (y != NULL) {
		struct builder b = { &doc, name, 0, 0, 0 };

		rc = build(&b, y, root, err);
		if (rc == -ENOMEM)
			trawl_err_set(err, rc, "out of memory");
		if (rc != 0)
			trawl_yaml_free(root);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int
trawl_yaml_load(const char *path, struct trawl_yaml_node *root, struct trawl_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = 0;

	memset(root, 0, sizeof(*root));
	root->kind = TRAWL_YAML_MAP;
	root->line = root->col = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
	}
	/* Read whole, bounded: a settings file or a campaign is a page or two, never this. */
	if (S_ISREG(st.st_mode) && st.st_size > TRAWL_YAML_MAX_BYTES) {
		close(fd);
		return trawl_err_set(err, -EFBIG, "%s: larger than %u MiB: not a configuration file", path,
				TRAWL_YAML_MAX_BYTES >> 20);
	}
	for (;;) {
		char tmp[65536];
		ssize_t n = read(fd, tmp, sizeof(tmp));
		char *nb;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (len + (size_t)n > TRAWL_YAML_MAX_BYTES) {
			rc = trawl_err_set(err, -EFBIG, "%s: larger than %u MiB: not a configuration file", path,
					TRAWL_YAML_MAX_BYTES >> 20);
			break;
		}
		nb = realloc(buf, len + (size_t)n);
		if (nb == NULL) {
			rc = trawl_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		buf = nb;
		memcpy(buf + len, tmp, (size_t)n);
		len += (size_t)n;
	}
	close(fd);
	if (rc == 0)
		rc = trawl_yaml_load_buf(path, buf != NULL ? buf : "", len, root, err);
	free(buf);
	return rc;
}

void
trawl_yaml_free(struct trawl_yaml_node *n)
{
	for (size_t i = 0; n->items != NULL && i < n->n; i++)
		trawl_yaml_free(&n->items[i]);
	free(n->items);
	free(n->key);
	free(n->value);
	memset(n, 0, sizeof(*n));
}

const struct trawl_yaml_node *
trawl_yaml_get(const struct trawl_yaml_node *m, const char *key)
{
	if (m == NULL || m->kind != TRAWL_YAML_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->items[i].key, key) == 0)
			return &m->items[i];
	return NULL;
}

/* --- settings maps ------------------------------------------------------ */

static void
setting_clear(struct trawl_yaml_setting *s)
{
	for (size_t j = 0; j < s->nitems; j++)
		free(s->items[j]);
	free(s->items);
	free(s->key);
	memset(s, 0, sizeof(*s));
}

static int
setting_fill(struct trawl_yaml_setting *s, const char *path, const struct trawl_yaml_node *e, struct trawl_err *err)
{
	s->key = strdup(e->key);
	if (s->key == NULL)
		return -ENOMEM;
	s->key_line = e->key_line;
	s->key_col = e->key_col;
	s->line = e->line;
	s->col = e->col;
	switch (e->kind) {
	case TRAWL_YAML_SCALAR:
		s->items = calloc(1, sizeof(char *));
		if (s->items == NULL || (s->items[0] = strdup(e->value)) == NULL)
			return -ENOMEM;
		s->nitems = 1;
		return 0;
	case TRAWL_YAML_LIST:
		s->is_list = 1;
		s->items = calloc(e->n + 1, sizeof(char *));
		if (s->items == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < e->n; i++) {
			if (e->items[i].kind != TRAWL_YAML_SCALAR)
				return at(err, path, e->items[i].line, e->items[i].col, "a list here holds plain values only");
			if ((s->items[i] = strdup(e->items[i].value)) == NULL)
				return -ENOMEM;
			s->nitems++;
		}
		return 0;
	default:
		return at(err, path, e->line, e->col, "expected a value or a list of values, not a mapping");
	}
}

int
trawl_yaml_settings_add(struct trawl_yaml_settings *out, const char *path, const struct trawl_yaml_node *m,
		struct trawl_err *err)
{
	if (out->path == NULL && (out->path = strdup(path)) == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	if (m->kind != TRAWL_YAML_MAP)
		return at(err, path, m->line, m->col, "expected settings, one per line as 'name: value'");
	for (size_t i = 0; i < m->n; i++) {
		struct trawl_yaml_setting *s = NULL;
		int rc;

		for (size_t j = 0; j < out->n; j++)
			if (strcmp(out->s[j].key, m->items[i].key) == 0) {
				s = &out->s[j];
				setting_clear(s);
			}
		if (s == NULL) {
			s = realloc(out->s, (out->n + 1) * sizeof(*s));
			if (s == NULL)
				return trawl_err_set(err, -ENOMEM, "out of memory");
			out->s = s;
			s = &out->s[out->n++];
			memset(s, 0, sizeof(*s));
		}
		rc = setting_fill(s, path, &m->items[i], err);
		if (rc == -ENOMEM)
			return trawl_err_set(err, rc, "out of memory");
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
trawl_yaml_settings_parse(const char *name, const void *data, size_t len, struct trawl_yaml_settings *out,
		struct trawl_err *err)
{
	struct trawl_yaml_node root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = trawl_yaml_load_buf(name, data, len, &root, err);
	if (rc != 0)
		return rc;
	rc = trawl_yaml_settings_add(out, name, &root, err);
	trawl_yaml_free(&root);
	if (rc != 0)
		trawl_yaml_settings_free(out); /* nothing half-built for the caller to free */
	return rc;
}

int
trawl_yaml_settings_load(const char *path, struct trawl_yaml_settings *out, struct trawl_err *err)
{
	struct trawl_yaml_node root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = trawl_yaml_load(path, &root, err);
	if (rc != 0)
		return rc;
	rc = trawl_yaml_settings_add(out, path, &root, err);
	trawl_yaml_free(&root);
	if (rc != 0)
		trawl_yaml_settings_free(out);
	return rc;
}

int
trawl_yaml_settings_copy(struct trawl_yaml_settings *dst, const struct trawl_yaml_settings *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->path = src->path != NULL ? strdup(src->path) : NULL;
	dst->s = calloc(src->n + 1, sizeof(*dst->s));
	if ((src->path != NULL && dst->path == NULL) || dst->s == NULL)
		goto nomem;
	for (size_t i = 0; i < src->n; i++) {
		struct trawl_yaml_setting *d = &dst->s[i];
		const struct trawl_yaml_setting *e = &src->s[i];

		*d = *e;
		d->nitems = 0;
		d->key = strdup(e->key);
		d->items = calloc(e->nitems + 1, sizeof(char *));
		dst->n++;
		if (d->key == NULL || d->items == NULL)
			goto nomem;
		for (size_t j = 0; j < e->nitems; j++) {
			if ((d->items[j] = strdup(e->items[j])) == NULL)
				goto nomem;
			d->nitems++;
		}
	}
	return 0;
nomem:
	trawl_yaml_settings_free(dst);
	return -ENOMEM;
}

void
trawl_yaml_settings_free(struct trawl_yaml_settings *s)
{
	for (size_t i = 0; i < s->n; i++)
		setting_clear(&s->s[i]);
	free(s->s);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
