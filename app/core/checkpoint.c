/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app/core/atomicfile.h"
#include "app/core/checkpoint.h"
#include "app/core/siphash.h"

#define CKPT_FORMAT 1

/* A fixed key: this is a fingerprint, not a MAC (nothing here is secret). */
static const struct trawl_siphash_key id_key = { 0x747261776c636b70ULL, 0x7363616e2d696431ULL };

uint64_t
trawl_ckpt_scan_id(const struct trawl_constraint *allowed, const struct trawl_ports *ports,
		const char *probe_module)
{
	uint64_t h = trawl_siphash24(&id_key, probe_module, strlen(probe_module));

	/* Chained over the canonical intervals (first address, length) and the sorted ports. */
	for (uint32_t i = 0; i < allowed->k; i++)
		h = trawl_siphash24_2w(&id_key, h ^ allowed->lo[i], allowed->cum[i + 1] - allowed->cum[i]);
	h = trawl_siphash24_2w(&id_key, h, ports->n);
	return trawl_siphash24_2w(&id_key, h, trawl_siphash24(&id_key, ports->port, ports->n * sizeof(ports->port[0])));
}

uint64_t
trawl_ckpt_scan_id6(const struct trawl_space6 *six, const struct trawl_ports *ports, const char *probe_module)
{
	uint64_t h = trawl_siphash24(&id_key, probe_module, strlen(probe_module)) ^ UINT64_C(0x6970763600000000);

	for (uint64_t i = 0; i < six->nlist; i++)
		h = trawl_siphash24_2w(&id_key, h ^ six->list[i].hi, six->list[i].lo);
	for (unsigned int w = 0; w < six->nwin; w++) {
		const struct trawl_window6 *x = &six->win[w];

		h = trawl_siphash24_2w(&id_key, h ^ x->prefix.hi, x->prefix.lo);
		h = trawl_siphash24_2w(&id_key, h ^ ((uint64_t)x->a << 16 | (uint64_t)x->b << 8 | x->seeded),
				x->seeded ? x->key.k0 ^ x->key.k1 : x->iid.hi ^ x->iid.lo);
	}
	h = trawl_siphash24_2w(&id_key, h, ports->n);
	return trawl_siphash24_2w(&id_key, h, trawl_siphash24(&id_key, ports->port, ports->n * sizeof(ports->port[0])));
}

/* Numbers above 2^53 do not survive every JSON reader: 64-bit values are written as decimal strings. */
static json_t *
u64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

static int
get_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	char *end;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static int
get_u32(json_t *o, const char *key, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (get_u64(o, key, &v) != 0 || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
trawl_ckpt_save(const char *path, const struct trawl_ckpt *ck, struct trawl_err *err)
{
	json_t *o = json_object(), *pos = json_array();
	char *text = NULL;
	size_t len;
	int rc = -ENOMEM;

	if (o == NULL || pos == NULL)
		goto out;
	for (uint32_t i = 0; i < ck->tx_threads; i++) {
		json_t *p = json_object();

		if (p == NULL || json_array_append_new(pos, p) != 0)
			goto out;
		json_object_set_new(p, "left", u64(ck->pos[i].left));
		json_object_set_new(p, "targets", u64(ck->pos[i].targets));
	}
	json_object_set_new(o, "trawl_checkpoint", json_integer(CKPT_FORMAT));
	json_object_set_new(o, "scan_id", u64(ck->scan_id));
	json_object_set_new(o, "seed", u64(ck->seed));
	json_object_set_new(o, "probe_module", json_string(ck->probe_module));
	json_object_set_new(o, "shards", json_integer(ck->shards));
	json_object_set_new(o, "shard", json_integer(ck->shard));
	json_object_set_new(o, "sender_threads", json_integer(ck->tx_threads));
	json_object_set_new(o, "targets", u64(ck->targets));
	json_object_set_new(o, "results", u64(ck->results));
	json_object_set_new(o, "output_bytes", u64(ck->output_bytes));
	json_object_set_new(o, "attempts", json_integer(ck->attempts));
	json_object_set_new(o, "done", json_boolean(ck->done));
	json_object_set_new(o, "positions", pos);
	pos = NULL;
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		goto out;
	len = strlen(text);
	text[len++] = '\n'; /* json_dumps' terminator becomes the newline */
	rc = trawl_write_file_atomic(path, text, len);
	if (rc != 0)
		trawl_err_set(err, rc, "%s: %s", path, strerror(-rc));
out:
	if (rc == -ENOMEM)
		trawl_err_set(err, rc, "out of memory");
	free(text);
	json_decref(pos);
	json_decref(o);
	return rc;
}

/* The checkpoint document @p o (NULL: it did not parse, @p jerr says why) of file @p path into @p ck. */
static int
from_json(const char *path, json_t *o, const json_error_t *jerr, struct trawl_ckpt *ck, struct trawl_err *err)
{
	json_t *pos, *v;
	const char *what = NULL;
	size_t i;

	memset(ck, 0, sizeof(*ck));
	if (o == NULL)
		return trawl_err_set(err, -EINVAL, "%s:%d:%d: not a trawl checkpoint: %s", path, jerr->line, jerr->column,
				jerr->text);
	v = json_object_get(o, "trawl_checkpoint");
	if (!json_is_integer(v) || json_integer_value(v) != CKPT_FORMAT)
		what = "not a trawl checkpoint (no \"trawl_checkpoint\": 1)";
	else if (get_u64(o, "scan_id", &ck->scan_id) || get_u64(o, "seed", &ck->seed) ||
			get_u32(o, "shards", UINT32_MAX, &ck->shards) || get_u32(o, "shard", UINT32_MAX, &ck->shard) ||
			get_u32(o, "sender_threads", TRAWL_CKPT_MAX_TX, &ck->tx_threads) || ck->tx_threads == 0 ||
			get_u64(o, "targets", &ck->targets) || get_u64(o, "results", &ck->results) ||
			get_u64(o, "output_bytes", &ck->output_bytes) || get_u32(o, "attempts", UINT32_MAX, &ck->attempts))
		what = "a setting is missing or out of range";
	else if (!json_is_string(v = json_object_get(o, "probe_module")) ||
			strlen(json_string_value(v)) >= sizeof(ck->probe_module))
		what = "probe_module is missing";
	else if (!json_is_boolean(v = json_object_get(o, "done")))
		what = "done is missing";
	else if (!json_is_array(pos = json_object_get(o, "positions")) || json_array_size(pos) != ck->tx_threads)
		what = "positions do not match sender_threads";
	if (what == NULL) {
		snprintf(ck->probe_module, sizeof(ck->probe_module), "%s", json_string_value(json_object_get(o, "probe_module")));
		ck->done = json_is_true(json_object_get(o, "done"));
		json_array_foreach(pos, i, v)
			if (get_u64(v, "left", &ck->pos[i].left) || get_u64(v, "targets", &ck->pos[i].targets))
				what = "a position is damaged";
	}
	json_decref(o);
	if (what != NULL)
		return trawl_err_set(err, -EINVAL, "%s: %s", path, what);
	return 0;
}

int
trawl_ckpt_load(const char *path, struct trawl_ckpt *ck, struct trawl_err *err)
{
	json_error_t jerr;

	memset(ck, 0, sizeof(*ck));
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? -ENOENT : trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	return from_json(path, json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), &jerr, ck, err);
}

int
trawl_ckpt_parse(const char *name, const char *data, size_t len, struct trawl_ckpt *ck, struct trawl_err *err)
{
	json_error_t jerr;

	return from_json(name, json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr), &jerr, ck, err);
}

const char *
trawl_ckpt_differs(const struct trawl_ckpt *file, const struct trawl_ckpt *now)
{
	if (strcmp(file->probe_module, now->probe_module) != 0)
		return "the probe module";
	if (file->seed != now->seed)
		return "the seed (-e)";
	if (file->scan_id != now->scan_id || file->targets != now->targets)
		return "the targets or ports (after the blocklist), or the probe's payload (--probe-args)";
	if (file->shards != now->shards || file->shard != now->shard)
		return "--shards/--shard";
	if (file->tx_threads != now->tx_threads)
		return "the sender threads (-T)";
	return NULL;
}
