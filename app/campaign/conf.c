/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/scan/conf.h"
#include "app/scan/modules.h"
#include "app/campaign/conf.h"

/* Settings a campaign keeps for itself: each scan's files live in the run's directory. */
static const struct {
	const char *key;
	const char *why;
} own[] = {
	{ "output-file", "results go to the run's directory (NAME/results.csv)" },
	{ "metadata-file", "metadata goes to the run's directory (NAME/metadata.json)" },
	{ "checkpoint", "each scan's checkpoint is kept in the run's directory" },
	{ "output-module", "results are CSV (results.csv), for the diffs between runs" },
	{ "no-header-row", "results.csv has its header row, for the programs that read it" },
	{ "dryrun", "a campaign run scans" },
};

static int
at(struct trawl_err *err, const char *path, uint32_t line, uint32_t col, const char *fmt, const char *a,
		const char *b)
{
	char what[400];

	snprintf(what, sizeof(what), fmt, a, b);
	return trawl_err_set(err, -EINVAL, "%s:%u:%u: %s", path, line, col, what);
}

int
trawl_campaign_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
				*s == '_'))
			return 0;
	return 1;
}

static int
scalar_of(const char *path, const struct trawl_yaml_node *e, char **out, struct trawl_err *err)
{
	if (e->kind != TRAWL_YAML_SCALAR)
		return at(err, path, e->line, e->col, "%s: expected one value", e->key, "");
	*out = strdup(e->value);
	return *out == NULL ? trawl_err_set(err, -ENOMEM, "out of memory") : 0;
}

/* A settings map's keys: scan settings, not the campaign's own. */
static int
check_keys(const char *path, const struct trawl_yaml_node *m, int allow_name, struct trawl_err *err)
{
	if (m->kind != TRAWL_YAML_MAP)
		return at(err, path, m->line, m->col, "expected scan settings, one per line as 'name: value'", "", "");
	for (size_t i = 0; i < m->n; i++) {
		const struct trawl_yaml_node *e = &m->items[i];

		if (allow_name && strcmp(e->key, "name") == 0)
			continue;
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if (strcmp(e->key, own[k].key) == 0)
				return at(err, path, e->key_line, e->key_col, "%s may not be set in a campaign: %s", e->key,
						own[k].why);
		if (!trawl_scan_conf_is_setting(e->key))
			return at(err, path, e->key_line, e->key_col, "unknown setting '%s' (a long flag of trawl scan "
					"--help, or targets%s)", e->key, allow_name ? "; a scan also has its name" : "");
	}
	return 0;
}

/* -f for results.csv: saddr,sport first, then the scan's other fields in its order. */
static int
results_fields(struct trawl_campaign_scan *s, struct trawl_err *err)
{
	size_t len = 32, at = 0;
	char *out, *copy, *tok, *save, *end;

	for (size_t i = 0; i < s->set.n; i++)
		if (strcmp(s->set.s[i].key, "output-fields") == 0)
			for (size_t j = 0; j < s->set.s[i].nitems; j++)
				len += strlen(s->set.s[i].items[j]) + 1;
	out = malloc(len);
	copy = calloc(1, len);
	if (copy != NULL)
		for (size_t i = 0; i < s->set.n; i++)
			if (strcmp(s->set.s[i].key, "output-fields") == 0)
				for (size_t j = 0; j < s->set.s[i].nitems; j++) {
					/* appended at the end kept, not strcat: a 16 MiB list stays linear */
					size_t n = strlen(s->set.s[i].items[j]);

					memcpy(copy + at, s->set.s[i].items[j], n);
					copy[at + n] = ',';
					at += n + 1;
				}
	if (out == NULL || copy == NULL) {
		free(out);
		free(copy);
		return trawl_err_set(err, -ENOMEM, "out of memory");
	}
	/* With canaries, the classification says which addresses answer every port (left out of diffs). */
	strcpy(out, s->canaries != 0 ? "saddr,sport,classification" : "saddr,sport");
	end = out + strlen(out);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
		if (strcmp(tok, "saddr") != 0 && strcmp(tok, "sport") != 0 &&
		    (s->canaries == 0 || strcmp(tok, "classification") != 0)) {
			size_t n = strlen(tok);

			*end++ = ',';
			memcpy(end, tok, n + 1);
			end += n;
		}
	free(copy);
	s->fields = out;
	return 0;
}

/* The scan's settings as `trawl scan` reads them: any mistake found now, said where it stands. */
static int
check_scan(const struct trawl_campaign *c, struct trawl_campaign_scan *s, struct trawl_err *err)
{
	struct trawl_yaml_settings copy = { 0 };
	struct trawl_scan_conf conf;
	struct trawl_scan_modules mods;
	struct trawl_err e = { "" };
	int rc;

	/* The scan's reader joins lists in place: give it a copy. */
	rc = trawl_yaml_settings_copy(&copy, &s->set);
	if (rc != 0)
		return trawl_err_set(err, rc, "out of memory");
	rc = trawl_scan_conf_from_settings(&conf, &copy, &e);
	if (rc == 0 && trawl_scan_modules_resolve(&conf, &mods, &e) != 0)
		rc = -EINVAL;
	if (rc == 0) {
		s->nports = conf.ports->n;
		s->canaries = conf.canaries;
	}
	trawl_scan_conf_free(&conf);
	trawl_yaml_settings_free(&copy);
	if (rc == 0)
		return 0;
	if (rc == -ENOMEM)
		return trawl_err_set(err, rc, "out of memory");
	/* Errors of a value already say file:line:column; cross-setting ones are said at the scan. */
	if (strncmp(e.msg, c->path, strlen(c->path)) == 0)
		return trawl_err_set(err, -EINVAL, "%s (scan %s)", e.msg, s->name);
	return trawl_err_set(err, -EINVAL, "%s:%u:%u: scan %s: %s", c->path, s->line, s->col, s->name, e.msg);
}

static int
load_scans(struct trawl_campaign *c, const struct trawl_yaml_node *defaults, const struct trawl_yaml_node *scans,
		struct trawl_err *err)
{
	int rc;

	if (scans == NULL)
		return at(err, c->path, 1, 1, "no scans: a campaign needs 'scans:', a list of scan settings", "", "");
	if (scans->kind != TRAWL_YAML_LIST || scans->n == 0)
		return at(err, c->path, scans->line, scans->col, "scans: expected a list of scans (- name: ...)", "", "");
	if (scans->n > TRAWL_CAMPAIGN_MAX_SCANS)
		return at(err, c->path, scans->line, scans->col, "scans: at most 64", "", "");
	for (size_t i = 0; i < scans->n; i++) {
		const struct trawl_yaml_node *m = &scans->items[i], *name;
		struct trawl_campaign_scan *s = &c->scans[c->nscans];
		struct trawl_yaml_node own_map;
		struct trawl_yaml_node *rest;
		size_t k = 0;

		if (m->kind != TRAWL_YAML_MAP)
			return at(err, c->path, m->line, m->col, "a scan is a map of settings with a name", "", "");
		rc = check_keys(c->path, m, 1, err);
		if (rc != 0)
			return rc;
		name = trawl_yaml_get(m, "name");
		if (name == NULL)
			return at(err, c->path, m->line, m->col, "this scan has no name", "", "");
		if (name->kind != TRAWL_YAML_SCALAR || !trawl_campaign_name_ok(name->value))
			return at(err, c->path, name->line, name->col, "a scan's name is letters, digits, '-' and '_'", "", "");
		for (unsigned int j = 0; j < c->nscans; j++)
			if (strcmp(c->scans[j].name, name->value) == 0) {
				char line[16];

				snprintf(line, sizeof(line), "%u", c->scans[j].line);
				return at(err, c->path, name->line, name->col, "a second scan named '%s' (the first is at line %s)",
						name->value, line);
			}
		s->name = strdup(name->value);
		s->line = m->line;
		s->col = m->col;
		c->nscans++;
		if (s->name == NULL)
			return trawl_err_set(err, -ENOMEM, "out of memory");
		if (defaults != NULL && (rc = trawl_yaml_settings_add(&s->set, c->path, defaults, err)) != 0)
			return rc;
		/* The scan's own settings over the defaults (its name is no setting). */
		rest = calloc(m->n + 1, sizeof(*rest));
		if (rest == NULL)
			return trawl_err_set(err, -ENOMEM, "out of memory");
		for (size_t j = 0; j < m->n; j++)
			if (strcmp(m->items[j].key, "name") != 0)
				rest[k++] = m->items[j];
		own_map = (struct trawl_yaml_node){ .kind = TRAWL_YAML_MAP, .items = rest, .n = k, .line = m->line,
				.col = m->col };
		rc = trawl_yaml_settings_add(&s->set, c->path, &own_map, err);
		free(rest);
		if (rc == 0)
			rc = check_scan(c, s, err);
		if (rc == 0)
			rc = results_fields(s, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The campaign in @p root (c->path set): checked and read into @p c; @p root is freed. */
static int
from_root(struct trawl_campaign *c, struct trawl_yaml_node *root, struct trawl_err *err)
{
	static const char *const top[] = { "name", "schedule", "state-dir", "keep", "defaults", "scans", "after-run",
		"diff-canaries",
		NULL };
	const struct trawl_yaml_node *e;
	int rc = 0;

	if (root->kind != TRAWL_YAML_MAP) {
		rc = at(err, c->path, root->line, root->col, "expected a campaign: name, schedule, scans, ...", "", "");
		goto out;
	}
	for (size_t i = 0; i < root->n; i++) {
		int known = 0;

		for (unsigned int k = 0; top[k] != NULL; k++)
			known |= strcmp(root->items[i].key, top[k]) == 0;
		if (!known) {
			rc = at(err, c->path, root->items[i].key_line, root->items[i].key_col, "unknown key '%s' (a campaign "
					"has name, schedule, state-dir, keep, defaults, scans, after-run, diff-canaries)%s",
					root->items[i].key, "");
			goto out;
		}
	}
	if ((e = trawl_yaml_get(root, "name")) == NULL) {
		rc = at(err, c->path, 1, 1, "the campaign has no name (name: letters, digits, '-' and '_')", "", "");
		goto out;
	}
	if ((rc = scalar_of(c->path, e, &c->name, err)) != 0)
		goto out;
	if (!trawl_campaign_name_ok(c->name)) {
		rc = at(err, c->path, e->line, e->col, "name '%s': letters, digits, '-' and '_' only", c->name, "");
		goto out;
	}
	if ((e = trawl_yaml_get(root, "schedule")) == NULL) {
		rc = at(err, c->path, 1, 1, "the campaign has no schedule (a systemd calendar expression, e.g. "
				"\"Sun *-*-* 02:00:00\")", "", "");
		goto out;
	}
	if ((rc = scalar_of(c->path, e, &c->schedule, err)) != 0)
		goto out;
	c->sched_line = e->line;
	c->sched_col = e->col;
	if ((e = trawl_yaml_get(root, "state-dir")) != NULL) {
		if ((rc = scalar_of(c->path, e, &c->state_dir, err)) != 0)
			goto out;
		if (strlen(c->state_dir) > TRAWL_CAMPAIGN_STATE_MAX) {
			rc = at(err, c->path, e->line, e->col, "state-dir: at most 1024 characters", "", "");
			goto out;
		}
		if (c->state_dir[0] != '/') {
			rc = at(err, c->path, e->line, e->col, "state-dir must be an absolute path", "", "");
			goto out;
		}
	} else if (asprintf(&c->state_dir, "%s/%s", TRAWL_CAMPAIGN_STATE_ROOT, c->name) < 0) {
		c->state_dir = NULL;
		rc = trawl_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((e = trawl_yaml_get(root, "keep")) != NULL) {
		char *end;
		unsigned long v = 0;

		if (e->kind == TRAWL_YAML_SCALAR)
			v = strtoul(e->value, &end, 10);
		if (e->kind != TRAWL_YAML_SCALAR || e->value[0] < '1' || e->value[0] > '9' || *end != '\0' ||
				v > 1000000) {
			rc = at(err, c->path, e->line, e->col, "keep: a number of complete runs, 1 or more", "", "");
			goto out;
		}
		c->keep = (uint32_t)v;
	}
	if ((e = trawl_yaml_get(root, "after-run")) != NULL && (rc = scalar_of(c->path, e, &c->after_run, err)) != 0)
		goto out;
	if ((e = trawl_yaml_get(root, "diff-canaries")) != NULL) {
		if (e->kind != TRAWL_YAML_SCALAR || (strcmp(e->value, "true") != 0 && strcmp(e->value, "false") != 0)) {
			rc = at(err, c->path, e->line, e->col, "diff-canaries: true or false", "", "");
			goto out;
		}
		c->diff_canaries = strcmp(e->value, "true") == 0;
	}
	if ((e = trawl_yaml_get(root, "defaults")) != NULL && (rc = check_keys(c->path, e, 0, err)) != 0)
		goto out;
	rc = load_scans(c, e, trawl_yaml_get(root, "scans"), err);
out:
	trawl_yaml_free(root);
	return rc;
}

int
trawl_campaign_load(const char *path, struct trawl_campaign *c, struct trawl_err *err)
{
	struct trawl_yaml_node root;
	char abs[PATH_MAX];
	int rc;

	memset(c, 0, sizeof(*c));
	if (realpath(path, abs) == NULL)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	c->path = strdup(abs);
	if (c->path == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	rc = trawl_yaml_load(c->path, &root, err);
	if (rc != 0)
		return rc;
	return from_root(c, &root, err);
}

int
trawl_campaign_parse(const char *name, const char *data, size_t len, struct trawl_campaign *c, struct trawl_err *err)
{
	struct trawl_yaml_node root;
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = strdup(name);
	if (c->path == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory");
	rc = trawl_yaml_load_buf(c->path, data, len, &root, err);
	if (rc != 0)
		return rc;
	return from_root(c, &root, err);
}

void
trawl_campaign_free(struct trawl_campaign *c)
{
	for (unsigned int i = 0; i < c->nscans; i++) {
		free(c->scans[i].name);
		free(c->scans[i].fields);
		trawl_yaml_settings_free(&c->scans[i].set);
	}
	free(c->path);
	free(c->name);
	free(c->schedule);
	free(c->state_dir);
	free(c->after_run);
	memset(c, 0, sizeof(*c));
}

static void
quoted(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int
trawl_campaign_write_scan_yaml(const struct trawl_campaign_scan *s, FILE *f)
{
	fprintf(f, "# scan %s of a trawl campaign: its defaults with its own settings over them\n", s->name);
	for (size_t i = 0; i < s->set.n; i++) {
		const struct trawl_yaml_setting *e = &s->set.s[i];

		fprintf(f, "%s: ", e->key);
		if (e->is_list) {
			fputc('[', f);
			for (size_t j = 0; j < e->nitems; j++) {
				if (j != 0)
					fputs(", ", f);
				quoted(f, e->items[j]);
			}
			fputc(']', f);
		} else {
			quoted(f, e->items[0]);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}
