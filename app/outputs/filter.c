/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/outputs/filter.h"

/* A recursive-descent parser over the expression text; depth is bounded by the node count. */
struct parser {
	struct trawl_filter *f;
	const char *s;
	const char *p;
	uint8_t module;
	struct trawl_err *err;
};

static void
skip(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static int
fail(struct parser *ps, const char *what)
{
	return trawl_err_set(ps->err, -EINVAL, "--output-filter: %s at character %zu of '%s'", what,
			(size_t)(ps->p - ps->s) + 1, ps->s);
}

static int
word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':';
}

/* A bare word or "quoted text" into buf; returns its length or -1. */
static int
value(struct parser *ps, char *buf, size_t cap)
{
	size_t n = 0;

	skip(ps);
	if (*ps->p == '"') {
		ps->p++;
		while (*ps->p != '"') {
			if (*ps->p == '\0' || n + 1 >= cap)
				return -1;
			buf[n++] = *ps->p++;
		}
		ps->p++;
	} else {
		while (word_char(*ps->p)) {
			if (n + 1 >= cap)
				return -1;
			buf[n++] = *ps->p++;
		}
		if (n == 0)
			return -1;
	}
	buf[n] = '\0';
	return (int)n;
}

static int
new_node(struct parser *ps)
{
	if (ps->f->n == TRAWL_FILTER_MAX_NODES)
		return -1;
	memset(&ps->f->node[ps->f->n], 0, sizeof(ps->f->node[0]));
	return (int)ps->f->n++;
}

static int expr(struct parser *ps);

static int
comparison(struct parser *ps)
{
	static const struct { const char *s; enum trawl_filter_op op; } ops[] = {
		{ "!=", TF_NE }, { "<=", TF_LE }, { ">=", TF_GE }, { "==", TF_EQ }, { "=", TF_EQ }, { "<", TF_LT },
		{ ">", TF_GT },
	};
	char name[TRAWL_FILTER_MAX_TEXT], val[TRAWL_FILTER_MAX_TEXT];
	const char *at;
	struct trawl_filter_node *nd;
	int i, len;

	skip(ps);
	if (*ps->p == '(') {
		ps->p++;
		i = expr(ps);
		if (i < 0)
			return i;
		skip(ps);
		if (*ps->p != ')')
			return fail(ps, "expected ')'");
		ps->p++;
		return i;
	}
	at = ps->p;
	len = value(ps, name, sizeof(name));
	if (len < 0)
		return fail(ps, "expected a field name");
	i = new_node(ps);
	if (i < 0)
		return fail(ps, "too long an expression");
	nd = &ps->f->node[i];
	nd->field = trawl_field_find(name, (size_t)len, ps->module);
	if (nd->field == NULL) {
		ps->p = at;
		return fail(ps, "no such field of this probe module (see --list-output-fields -M MODULE)");
	}
	skip(ps);
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (strncmp(ps->p, ops[k].s, strlen(ops[k].s)) == 0) {
			nd->op = ops[k].op;
			ps->p += strlen(ops[k].s);
			goto have_op;
		}
	return fail(ps, "expected one of = != < > <= >=");
have_op:
	at = ps->p;
	len = value(ps, val, sizeof(val));
	if (len < 0)
		return fail(ps, "expected a value");
	if (nd->field->type == TRAWL_FIELD_INT) {
		char *end;

		errno = 0;
		nd->num = strtoll(val, &end, 0);
		if (errno != 0 || *end != '\0') {
			ps->p = at;
			return fail(ps, "expected a number");
		}
	} else {
		if (nd->op != TF_EQ && nd->op != TF_NE) {
			ps->p = at;
			return fail(ps, "text compares with = or != only");
		}
		memcpy(nd->text, val, (size_t)len);
		nd->text_len = (uint16_t)len;
	}
	return i;
}

/* One level of the grammar: operands of `next` joined by `tok`. */
static int
chain(struct parser *ps, const char *tok, enum trawl_filter_op op, int (*next)(struct parser *))
{
	int left = next(ps);

	while (left >= 0) {
		int right, i;

		skip(ps);
		if (strncmp(ps->p, tok, 2) != 0)
			break;
		ps->p += 2;
		right = next(ps);
		if (right < 0)
			return right;
		i = new_node(ps);
		if (i < 0)
			return fail(ps, "too long an expression");
		ps->f->node[i].op = op;
		ps->f->node[i].left = (int16_t)left;
		ps->f->node[i].right = (int16_t)right;
		left = i;
	}
	return left;
}

static int
conjunction(struct parser *ps)
{
	return chain(ps, "&&", TF_AND, comparison);
}

static int
expr(struct parser *ps)
{
	return chain(ps, "||", TF_OR, conjunction);
}

int
trawl_filter_compile(struct trawl_filter *f, const char *text, uint8_t module, struct trawl_err *err)
{
	struct parser ps = { f, text, text, module, err };
	int root;

	f->n = 0;
	root = expr(&ps);
	if (root < 0)
		return -EINVAL;
	skip(&ps);
	if (*ps.p != '\0')
		return fail(&ps, "expected && or || or the end");
	f->root = root;
	return 0;
}

static int
cmp(enum trawl_filter_op op, int c)
{
	switch (op) {
	case TF_EQ: return c == 0;
	case TF_NE: return c != 0;
	case TF_LT: return c < 0;
	case TF_GT: return c > 0;
	case TF_LE: return c <= 0;
	case TF_GE: return c >= 0;
	default: return 0;
	}
}

static int
eval(const struct trawl_filter *f, int i, const struct trawl_result *r, const struct trawl_row *row)
{
	const struct trawl_filter_node *nd = &f->node[i];

	if (nd->op == TF_AND)
		return eval(f, nd->left, r, row) && eval(f, nd->right, r, row);
	if (nd->op == TF_OR)
		return eval(f, nd->left, r, row) || eval(f, nd->right, r, row);
	if (nd->field->type == TRAWL_FIELD_INT) {
		int64_t v = nd->field->get_int(r);

		return cmp(nd->op, v < nd->num ? -1 : v > nd->num);
	} else {
		static const struct trawl_row ipv4 = { { 0, 0 }, 0, { 0, 0 }, { 0, 0 } };
		char buf[2 * TRAWL_RESULT_DATA_MAX + 8];
		size_t n = (size_t)(nd->field->put(buf, r, row != NULL ? row : &ipv4) - buf);

		return cmp(nd->op, n == nd->text_len && memcmp(buf, nd->text, n) == 0 ? 0 : 1);
	}
}

int
trawl_filter_match(const struct trawl_filter *f, const struct trawl_result *r, const struct trawl_row *row)
{
	return eval(f, f->root, r, row);
}
