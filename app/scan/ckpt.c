/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "app/core/atomicfile.h"
#include "app/core/clock.h"
#include "app/dp/stats.h"
#include "app/core/siphash.h"
#include "app/core/ipv4.h"
#include "app/scan/ckpt.h"

/* --- before the EAL ---------------------------------------------------- */

static int
blocklist_path(const char *ckpt_path, char *buf, size_t len)
{
	return snprintf(buf, len, "%s.blocklist", ckpt_path) < (int)len ? 0 : -ENAMETOOLONG;
}

int
scan_ckpt_started_blocklist(const char *ckpt_path, struct trawl_ranges *rs, struct trawl_err *err)
{
	char path[4096];
	int rc = blocklist_path(ckpt_path, path, sizeof(path));

	if (rc != 0)
		return trawl_err_set(err, rc, "--checkpoint %s: name too long", ckpt_path);
	/* A list without its checkpoint is a scan that never committed: it starts afresh. */
	if (access(ckpt_path, F_OK) != 0 || access(path, F_OK) != 0)
		return 0;
	rc = trawl_ranges_load(rs, path, err);
	return rc == 0 ? 1 : rc;
}

int
scan_ckpt_keep_blocklist(const char *ckpt_path, const struct trawl_ranges *rs)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc = blocklist_path(ckpt_path, path, sizeof(path));

	if (rc != 0)
		return rc;
	if (access(path, F_OK) == 0 && access(ckpt_path, F_OK) == 0)
		return 0;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -errno;
	rc = trawl_ranges_write(rs, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc == 0)
		rc = trawl_write_file_atomic(path, buf, len);
	free(buf);
	return rc;
}

static int
field_index(const struct trawl_scan_modules *mods, const char *name)
{
	for (unsigned int i = 0; i < mods->nfields; i++)
		if (strcmp(mods->fields[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static int
open_fail(struct scan_ckpt *k, int rc, const char *fmt, const char *a, const char *b)
{
	snprintf(k->errmsg, sizeof(k->errmsg), fmt, a, b);
	return rc;
}

/* Cut @p path back to its last newline: the row a crash cut in half goes (the scan writes it again). */
static int
cut_partial_row(const char *path, uint64_t *len)
{
	char buf[2 * TRAWL_OUTPUT_MAX_ROW];
	struct stat st;
	off_t from;
	ssize_t n;
	int fd = open(path, O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	from = st.st_size > (off_t)sizeof(buf) ? st.st_size - (off_t)sizeof(buf) : 0;
	n = pread(fd, buf, (size_t)(st.st_size - from), from);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	while (n > 0 && buf[n - 1] != '\n')
		n--;
	*len = (uint64_t)from + (uint64_t)n;
	if (n == 0 && from != 0)
		rc = -EINVAL; /* no newline in the last 8 KiB: no output of ours */
	else if (*len != (uint64_t)st.st_size && ftruncate(fd, (off_t)*len) != 0)
		rc = -errno;
out:
	close(fd);
	return rc;
}

int
scan_ckpt_open(struct scan_ckpt *k, struct trawl_scan_conf *c, const struct trawl_scan_modules *mods,
		const struct trawl_space6 *six, const struct trawl_constraint *allowed, const struct trawl_outfile *of)
{
	struct trawl_err err = { "" };
	struct trawl_ckpt file;
	const char *differs;
	uint64_t len = 0;
	int rc;

	k->path = c->checkpoint;
	k->out_fd = -1;
	if (k->path == NULL)
		return 0;
	if (field_index(mods, "saddr") < 0 || (c->ports->n > 1 && field_index(mods, "sport") < 0))
		return open_fail(k, -EINVAL, "--checkpoint: -f needs saddr%s%s, so that a resumed scan can tell "
				"which targets it has written", c->ports->n > 1 ? " and sport (several ports)" : "", "");
	if (c->tx_threads > TRAWL_CKPT_MAX_TX)
		return open_fail(k, -EINVAL, "--checkpoint: at most 64 sender threads%s%s", "", "");
	rc = trawl_ckpt_load(k->path, &file, &err);
	if (rc != 0 && rc != -ENOENT)
		return open_fail(k, rc, "--checkpoint %s%s", err.msg, "");
	if (rc == 0 && !c->have_seed)
		c->seed = file.seed; /* the scan's order is the one it was started in */

	k->ck.scan_id = six != NULL ? trawl_ckpt_scan_id6(six, c->ports, c->probe_module) :
		trawl_ckpt_scan_id(allowed, c->ports, c->probe_module);
	/* Another payload is another scan (udp): its answers are not this one's. None changes no identity. */
	if (mods->args.payload_len != 0) {
		static const struct trawl_siphash_key payload_key = { 0x7061796c6f616431ULL, 0x74726177636b7074ULL };

		k->ck.scan_id ^= trawl_siphash24(&payload_key, mods->args.payload, mods->args.payload_len);
	}
	k->ck.seed = c->seed;
	snprintf(k->ck.probe_module, sizeof(k->ck.probe_module), "%s", c->probe_module);
	k->ck.shards = c->shards;
	k->ck.shard = c->shard;
	k->ck.tx_threads = c->tx_threads;
	k->ck.targets = (six != NULL ? trawl_space6_count(six) : trawl_constraint_count(allowed)) * c->ports->n;
	k->ck.attempts = 1;
	if (rc == -ENOENT)
		return 0;

	differs = trawl_ckpt_differs(&file, &k->ck);
	if (differs != NULL)
		return open_fail(k, -EINVAL, "--checkpoint %s holds the progress of another scan: %s differs "
				"(delete it, or name another file, to start this one)", k->path, differs);
	memcpy(k->ck.pos, file.pos, sizeof(file.pos));
	k->ck.results = file.results;
	k->ck.output_bytes = file.output_bytes;
	k->ck.attempts = file.attempts + 1;
	k->ck.done = file.done;
	if (file.done) {
		/* A crash between the final checkpoint and the rename: the results are whole, give them their name. */
		if (!of->in_place && access(of->tmp, F_OK) == 0) {
			rc = trawl_rename_durable(of->tmp, c->output_file);
			if (rc != 0)
				return open_fail(k, rc, "%.400s: %s", of->tmp, strerror(-rc));
		}
		fprintf(stderr, "trawl scan: %s: this scan is finished (%" PRIu64 " results in %s); nothing to send\n",
				k->path, file.results, c->output_file);
		return 1;
	}
	rc = cut_partial_row(of->writing, &len);
	if (rc == -ENOENT && file.results == 0)
		return 0; /* nothing was written yet: start the output afresh */
	if (rc == -ENOENT)
		return open_fail(k, -EINVAL, "--checkpoint %s: the scan had written its results to %s, which is gone "
				"(resuming would leave them out)", k->path, of->writing);
	if (rc != 0)
		return open_fail(k, rc, "%s: cannot read back the results written so far: %s", of->writing,
				rc == -EINVAL ? "not an output of this scan" : strerror(-rc));
	k->resumed = len != 0;
	return 0;
}

/* --- the rows already written ------------------------------------------ */

/* Field @p col of a CSV row (no field of ours holds a comma or quote), NUL-terminated in place. */
static char *
csv_field(char *line, int col)
{
	char *p = line, *end;

	for (int i = 0; i < col; i++) {
		p = strchr(p, ',');
		if (p == NULL)
			return NULL;
		p++;
	}
	end = strchr(p, ',');
	if (end != NULL)
		*end = '\0';
	return p;
}

/* One row: its target marked seen. @return 1 if it is a target of this scan, 0 if not. */
static int
mark_row(const struct trawl_target_space *ts, struct trawl_dedup *dedup, char *line, int json, int c_addr, int c_port)
{
	char addr_s[TRAWL_IPV6_STRLEN];
	const char *a = NULL;
	struct trawl_ip6 addr6;
	uint32_t addr;
	long port = ts->ports->port[0];
	uint64_t idx;

	if (json) {
		json_t *o = json_loads(line, 0, NULL);
		json_t *v = json_object_get(o, "saddr");

		if (json_is_string(v))
			snprintf(addr_s, sizeof(addr_s), "%s", json_string_value(v)), a = addr_s;
		v = json_object_get(o, "sport");
		if (c_port >= 0)
			port = json_is_integer(v) ? (long)json_integer_value(v) : -1;
		json_decref(o);
	} else {
		char *p = NULL;

		/* saddr before sport or after it: cut the later one first, the earlier one's comma still there. */
		if (c_port >= 0 && c_port > c_addr) {
			p = csv_field(line, c_port);
			a = csv_field(line, c_addr);
		} else {
			a = csv_field(line, c_addr);
			if (c_port >= 0)
				p = csv_field(line, c_port);
		}
		if (c_port >= 0) {
			char *end;

			port = p != NULL ? strtol(p, &end, 10) : -1;
			if (p == NULL || end == p || *end != '\0')
				port = -1;
		}
	}
	if (a == NULL || port < 0 || port > 65535)
		return 0;
	if (ts->six != NULL)
		idx = trawl_parse_ipv6(a, &addr6) == 0 ? trawl_target6_index(ts, addr6, (uint16_t)port) : TRAWL_TARGET_NONE;
	else
		idx = trawl_parse_ipv4(a, &addr) == 0 ? trawl_target_index(ts, addr, (uint16_t)port) : TRAWL_TARGET_NONE;
	if (idx == TRAWL_TARGET_NONE)
		return 0;
	trawl_dedup_insert(dedup, idx);
	return 1;
}

int
scan_ckpt_read_output(struct scan_ckpt *k, const struct trawl_scan_conf *c, const struct trawl_scan_modules *mods,
		const char *path, const struct trawl_target_space *ts, struct trawl_dedup *dedup)
{
	int json = strcmp(c->output_module, "json") == 0;
	int c_addr = field_index(mods, "saddr"), c_port = c->ports->n > 1 ? field_index(mods, "sport") : -1;
	int skip_header = !json && !c->no_header;
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	FILE *f;

	if (!k->resumed)
		return 0;
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(k->errmsg, sizeof(k->errmsg), "%.400s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (skip_header) {
			skip_header = 0;
			continue;
		}
		line[n - 1] = '\0';
		if (mark_row(ts, dedup, line, json, c_addr, c_port))
			k->rows_before++;
		else
			k->rows_foreign++;
	}
	free(line);
	fclose(f);
	if (!c->quiet)
		fprintf(stderr, "checkpoint: resuming %s (attempt %u): %" PRIu64 " results already in %s%s\n", k->path,
				k->ck.attempts, k->rows_before, path, k->rows_foreign ? " (and rows of no target here)" : "");
	return 0;
}

void
scan_ckpt_place_tx(struct scan_ckpt *k, struct trawl_tx *txs, uint32_t ntx)
{
	for (uint32_t t = 0; t < ntx; t++) {
		struct trawl_tx *tx = &txs[t];

		if (k->path != NULL && k->ck.attempts > 1 && k->ck.pos[t].left <= tx->it.left) {
			trawl_cyclic_iter_skip(&tx->it, tx->it.left - k->ck.pos[t].left);
			tx->targets = k->ck.pos[t].targets;
		}
		trawl_tx_position_init(tx);
		k->ck.pos[t].left = tx->pos_left;
		k->ck.pos[t].targets = tx->pos_targets;
	}
}

/* --- commits ----------------------------------------------------------- */

static void *
commit_thread(void *arg)
{
	struct scan_ckpt *k = arg;
	struct trawl_err err = { "" };

	pthread_mutex_lock(&k->mu);
	for (;;) {
		struct trawl_ckpt ck;
		int rc = 0;

		while (!k->job && !k->quit)
			pthread_cond_wait(&k->cv, &k->mu);
		if (!k->job)
			break;
		ck = k->job_ck;
		pthread_mutex_unlock(&k->mu);
		/* The rows first: the file may only name positions whose replies are on disk. */
		if (k->out_fd >= 0 && fdatasync(k->out_fd) != 0 && errno != EINVAL)
			rc = trawl_err_set(&err, -errno, "fdatasync of the output: %s", strerror(errno));
		if (rc == 0)
			rc = trawl_ckpt_save(k->path, &ck, &err);
		pthread_mutex_lock(&k->mu);
		if (rc != 0 && k->error == 0) {
			k->error = rc;
			snprintf(k->errmsg, sizeof(k->errmsg), "%s", err.msg);
		}
		if (rc == 0) {
			k->commits++;
			k->last_commit = trawl_mono();
		}
		k->job = 0;
		k->busy = 0;
		pthread_cond_broadcast(&k->cv);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int
scan_ckpt_start(struct scan_ckpt *k, const struct scan_ckpt_roles *roles)
{
	if (k->path == NULL)
		return 0;
	k->r = *roles;
	k->out_fd = roles->fl->fd;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pthread_create(&k->tid, NULL, commit_thread, k) != 0)
		return open_fail(k, -1, "--checkpoint: cannot start its thread%s%s", "", "");
	k->thread_up = 1;
	k->next_snap = rte_rdtsc();
	k->phase = CKPT_IDLE;
	return 0;
}

static void
submit(struct scan_ckpt *k)
{
	pthread_mutex_lock(&k->mu);
	k->job_ck = k->ck;
	k->job = 1;
	k->busy = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

static int
busy(struct scan_ckpt *k)
{
	int b;

	pthread_mutex_lock(&k->mu);
	b = k->busy;
	pthread_mutex_unlock(&k->mu);
	return b;
}

static void
positions(const struct scan_ckpt_roles *r, struct trawl_ckpt_pos *pos)
{
	for (uint32_t t = 0; t < r->ntx; t++)
		trawl_tx_position(&r->tx[t], &pos[t].left, &pos[t].targets);
}

/* Every TX role at the end of its run (or at its -n share): nothing is left to send. */
static int
all_done(const struct scan_ckpt_roles *r, const struct trawl_ckpt_pos *pos)
{
	for (uint32_t t = 0; t < r->ntx; t++)
		if (pos[t].left != 0 && pos[t].targets < r->tx[t].max_targets)
			return 0;
	return 1;
}

void
scan_ckpt_tick(struct scan_ckpt *k, uint64_t now)
{
	const struct scan_ckpt_roles *r = &k->r;
	uint64_t hz = r->hz, lag = (uint64_t)(CKPT_LAG_S * (double)hz);
	struct trawl_writer *w = r->writer;
	unsigned int i;

	if (k->path == NULL)
		return;
	if (now >= k->next_snap) {
		k->next_snap = now + (uint64_t)(CKPT_EVERY_S * (double)hz);
		if (k->nsnap == CKPT_SNAPS) {
			memmove(&k->snap[0], &k->snap[1], sizeof(k->snap[0]) * (CKPT_SNAPS - 1));
			k->nsnap--;
		}
		k->snap[k->nsnap].tsc = now;
		positions(r, k->snap[k->nsnap].pos);
		k->nsnap++;
	}
	switch (k->phase) {
	case CKPT_IDLE:
		/* The newest snapshot at least the lag old: replies to what was sent before it are in by now. */
		for (i = k->nsnap; i > 0 && k->snap[i - 1].tsc + lag > now; i--)
			;
		if (i == 0)
			return;
		memcpy(k->pending, k->snap[i - 1].pos, sizeof(k->pending));
		memmove(&k->snap[0], &k->snap[i], sizeof(k->snap[0]) * (k->nsnap - i));
		k->nsnap -= i;
		for (uint32_t q = 0; q < r->nrx; q++)
			k->handed[q] = trawl_stat_get(&r->rx[q].handed);
		k->phase = CKPT_WAIT_TAKEN;
		/* fall through */
	case CKPT_WAIT_TAKEN:
		for (uint32_t q = 0; q < r->nrx; q++)
			if (trawl_stat_get(&w->taken[q]) < k->handed[q])
				return;
		k->req++;
		__atomic_store_n(&w->give_req, k->req, __ATOMIC_RELEASE);
		k->phase = CKPT_WAIT_ACK;
		/* fall through */
	case CKPT_WAIT_ACK:
		if (__atomic_load_n(&w->give_ack, __ATOMIC_ACQUIRE) != k->req)
			return;
		k->given = __atomic_load_n(&w->given_at_ack, __ATOMIC_RELAXED);
		k->phase = CKPT_WAIT_WRITTEN;
		/* fall through */
	case CKPT_WAIT_WRITTEN:
		if (trawl_stat_get(&r->fl->rows_written) < k->given)
			return;
		memcpy(k->ck.pos, k->pending, sizeof(k->pending));
		k->ck.results = k->rows_before + k->given;
		k->ck.output_bytes = trawl_stat_get(&r->fl->bytes_written);
		k->ck.done = 0; /* done is said by the final commit only, once the cooldown is over */
		submit(k);
		k->phase = CKPT_WAIT_SAVED;
		return;
	case CKPT_WAIT_SAVED:
		if (!busy(k))
			k->phase = CKPT_IDLE;
		return;
	}
}

void
scan_ckpt_finish(struct scan_ckpt *k, int in_order)
{
	const struct scan_ckpt_roles *r = &k->r;

	if (k->path == NULL || !k->thread_up)
		return;
	pthread_mutex_lock(&k->mu);
	while (k->busy)
		pthread_cond_wait(&k->cv, &k->mu);
	pthread_mutex_unlock(&k->mu);
	/*
	 * In order (the cooldown was had, the output took every row): the
	 * positions where sending stopped. A forced end keeps the last commit,
	 * which was made with the lag.
	 */
	if (in_order && r->fl->rows_lost == 0 && trawl_flusher_error(r->fl) == 0 && k->error == 0) {
		positions(r, k->ck.pos);
		k->ck.results = k->rows_before + trawl_stat_get(&r->fl->rows_written);
		k->ck.output_bytes = trawl_stat_get(&r->fl->bytes_written);
		k->ck.done = all_done(r, k->ck.pos) || __atomic_load_n(&r->writer->limit_reached, __ATOMIC_ACQUIRE);
		submit(k);
	}
	pthread_mutex_lock(&k->mu);
	while (k->busy)
		pthread_cond_wait(&k->cv, &k->mu);
	k->quit = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->tid, NULL);
	k->thread_up = 0;
}
