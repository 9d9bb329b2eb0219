/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trawl campaign status|diff FILE: what the history (campaign.db) and the
 * published runs say, as text or JSON. Read only; never takes the run lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "app/campaign/cmd.h"
#include "app/campaign/history.h"
#include "app/campaign/keys.h"
#include "app/campaign/state.h"

/* --- status ------------------------------------------------------------ */

struct status_ctx {
	struct trawl_history *h;
	int json, locked;
	json_t *runs;
	unsigned int n;
};

static void
status_scan_text(void *arg, const struct trawl_history_scan *s)
{
	int *first = arg;

	printf("%s%s %" PRIu64 " +%" PRIu64 " -%" PRIu64, *first ? "" : ", ", s->name, s->results, s->added, s->removed);
	*first = 0;
}

static void
status_scan_json(void *arg, const struct trawl_history_scan *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "results", json_integer((json_int_t)s->results));
	json_object_set_new(o, "new", json_integer((json_int_t)s->added));
	json_object_set_new(o, "gone", json_integer((json_int_t)s->removed));
	json_object_set_new(arg, s->name, o);
}

static int
status_run(void *arg, const struct trawl_history_run *run)
{
	struct status_ctx *x = arg;
	struct trawl_err err;
	const char *state = run->state;

	/* A run the database says is going, with nobody holding the lock: it died (crash, SIGKILL, reboot). */
	if (strcmp(state, "running") == 0 && !x->locked)
		state = "interrupted";
	if (x->json) {
		json_t *o = json_object(), *scans = json_object();

		json_object_set_new(o, "id", json_string(run->id));
		json_object_set_new(o, "state", json_string(state));
		json_object_set_new(o, "start", json_string(run->start));
		json_object_set_new(o, "end", run->end[0] ? json_string(run->end) : json_null());
		json_object_set_new(o, "previous", run->previous[0] ? json_string(run->previous) : json_null());
		if (run->error[0])
			json_object_set_new(o, "error", json_string(run->error));
		trawl_history_scans(x->h, run->id, status_scan_json, scans, &err);
		json_object_set_new(o, "scans", scans);
		json_array_append_new(x->runs, o);
	} else {
		int first = 1;

		if (x->n == 0)
			printf("%-17s %-12s %-21s %-21s %s\n", "RUN", "STATE", "START", "END", "SCANS: results +new -gone");
		printf("%-17s %-12s %-21s %-21s ", run->id, state, run->start, run->end[0] ? run->end : "-");
		trawl_history_scans(x->h, run->id, status_scan_text, &first, &err);
		if (run->error[0] && strcmp(state, "complete") != 0)
			printf("%s(%s)", first ? "" : " ", run->error);
		printf("\n");
	}
	x->n++;
	return 0;
}

/* The JSON document (the runs gathered), or the text's last word when there were none. */
static int
status_print(const struct trawl_campaign *c, struct status_ctx *x)
{
	if (x->json) {
		json_t *out = json_pack("{s:s, s:o}", "campaign", c->name, "runs", x->runs);

		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(out);
	} else {
		json_decref(x->runs);
		if (x->n == 0)
			printf("campaign %s: no runs yet (%s)\n", c->name, c->state_dir);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
campaign_status(struct trawl_campaign *c, const struct campaign_opts *o)
{
	struct status_ctx x = { .json = o->json };
	struct trawl_history h;
	struct trawl_err err = { "" };
	char path[PATH_MAX];
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/campaign.db", c->state_dir);
	x.locked = trawl_state_locked(c->state_dir);
	x.runs = json_array();
	if (stat(path, &sb) != 0)
		return status_print(c, &x); /* no database: no runs yet */
	if (trawl_history_open(&h, path, &err) != 0) {
		campaign_say_err(&err);
		json_decref(x.runs);
		return 1;
	}
	x.h = &h;
	rc = trawl_history_runs(&h, status_run, &x, &err);
	trawl_history_close(&h);
	if (rc != 0) {
		campaign_say_err(&err);
		json_decref(x.runs);
		return 1;
	}
	return status_print(c, &x);
}

/* --- diff -------------------------------------------------------------- */

struct diff_print {
	const char *scan;
	int json;
};

static int
emit_print(void *arg, int fam, const uint64_t *key, int added)
{
	struct diff_print *p = arg;
	char buf[TRAWL_KEY_TEXT_MAX];
	size_t n = trawl_key_format(fam, key, buf);

	if (p->json) {
		char *comma = memchr(buf, ',', n);

		*comma = '\0';
		printf("{\"scan\":\"%s\",\"change\":\"%s\",\"saddr\":\"%s\",\"sport\":%.*s}\n", p->scan,
				added ? "new" : "gone", buf, (int)(n - (size_t)(comma - buf) - 2), comma + 1);
	} else {
		putchar(added ? '+' : '-');
		fwrite(buf, 1, n, stdout);
	}
	return ferror(stdout) ? -EIO : 0;
}

int
campaign_diff(struct trawl_campaign *c, const struct campaign_opts *o)
{
	struct trawl_err err = { "" };
	struct trawl_runs runs;
	char a[TRAWL_RUN_ID_LEN + 1], b[TRAWL_RUN_ID_LEN + 1];
	int found_a = 0, found_b = 0;

	if (trawl_state_runs(c->state_dir, &runs, &err) != 0) {
		campaign_say_err(&err);
		return 1;
	}
	if (o->run_a != NULL) {
		snprintf(a, sizeof(a), "%s", o->run_a);
		snprintf(b, sizeof(b), "%s", o->run_b);
		for (size_t i = 0; i < runs.n; i++) {
			found_a |= strcmp(runs.complete[i], o->run_a) == 0;
			found_b |= strcmp(runs.complete[i], o->run_b) == 0;
		}
		if (!found_a || !found_b) {
			fprintf(stderr, ME ": %s: no complete run %s in %s/runs\n", c->name, !found_a ? o->run_a : o->run_b,
					c->state_dir);
			trawl_state_runs_free(&runs);
			return 1;
		}
	} else if (runs.n < 2) {
		fprintf(stderr, ME ": %s: diff needs two complete runs; there %s %zu in %s/runs\n", c->name,
				runs.n == 1 ? "is" : "are", runs.n, c->state_dir);
		trawl_state_runs_free(&runs);
		return 1;
	} else {
		memcpy(a, runs.complete[runs.n - 2], sizeof(a));
		memcpy(b, runs.complete[runs.n - 1], sizeof(b));
	}
	trawl_state_runs_free(&runs);
	for (unsigned int i = 0; i < c->nscans; i++) {
		const char *name = c->scans[i].name;
		char da[PATH_MAX], db[PATH_MAX];
		struct campaign_keys ka, kb;
		struct diff_print p = { name, o->json };
		struct trawl_keys_diff d = { 0 };
		struct stat sb;
		int have_a, rc;

		snprintf(da, sizeof(da), "%s/runs/%s/%s", c->state_dir, a, name);
		snprintf(db, sizeof(db), "%s/runs/%s/%s", c->state_dir, b, name);
		if (stat(db, &sb) != 0)
			continue; /* a scan the later run did not have */
		have_a = stat(da, &sb) == 0;
		rc = (have_a ? campaign_ensure_keys(da, &ka, c->diff_canaries, &err) : 0);
		if (rc == 0)
			rc = campaign_ensure_keys(db, &kb, c->diff_canaries, &err);
		for (int f = 0; f < TRAWL_KEY_FAMILIES && rc == 0; f++)
			rc = trawl_keys_diff(f, have_a ? ka.file[f] : NULL, kb.file[f], emit_print, &p, &d, &err);
		if (rc != 0) {
			campaign_say_err(&err);
			return 1;
		}
		if (o->json)
			printf("{\"scan\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"new\":%" PRIu64 ",\"gone\":%" PRIu64
				",\"results_from\":%" PRIu64 ",\"results_to\":%" PRIu64 "}\n", name, a, b, d.added, d.removed,
				d.before, d.after);
		else
			printf("# scan %s: %s -> %s: %" PRIu64 " new, %" PRIu64 " gone (%" PRIu64 " -> %" PRIu64 " results)\n",
				name, a, b, d.added, d.removed, d.before, d.after);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
