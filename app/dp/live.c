/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "app/core/atomicfile.h"
#include "app/dp/live.h"

static struct trawl_live *live; /* the one telemetry reads */

static int
on_telemetry(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct trawl_live *l = __atomic_load_n(&live, __ATOMIC_ACQUIRE);

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	for (size_t i = 0; i < l->n; i++)
		rte_tel_data_add_dict_u64(d, l->defs[i].key, l->vals[i]);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

/* The text of the last row, written whole. @return 0 or -errno. */
static int
write_file(struct trawl_live *l)
{
	uint64_t *row = malloc(l->n * sizeof(*row));
	char *buf = NULL;
	size_t need;
	int rc;

	if (row == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&l->mu);
	memcpy(row, l->vals, l->n * sizeof(*row));
	pthread_mutex_unlock(&l->mu);
	need = trawl_metrics_format(NULL, 0, l->defs, row, l->n);
	buf = malloc(need + 1);
	if (buf == NULL) {
		free(row);
		return -ENOMEM;
	}
	trawl_metrics_format(buf, need + 1, l->defs, row, l->n);
	rc = trawl_write_file_atomic(l->path, buf, need);
	free(buf);
	free(row);
	return rc;
}

static void
note_write(struct trawl_live *l, int rc)
{
	if (rc != 0 && l->werr == 0)
		fprintf(stderr, "%s: --metrics-file %s: cannot write it: %s (the run goes on; tried again every second)\n",
				l->who, l->path, strerror(-rc));
	l->werr = rc;
}

static void *
writer(void *arg)
{
	struct trawl_live *l = arg;
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	pthread_mutex_lock(&l->mu);
	for (;;) {
		until.tv_sec += 1;
		while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT)
			;
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->mu);
		note_write(l, write_file(l));
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int
trawl_live_start(struct trawl_live *l, const char *who, const char *cmd, const char *help,
		const struct trawl_metric *defs, size_t n, const char *path)
{
	pthread_condattr_t ca;
	int rc;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	l->defs = defs;
	l->n = n;
	l->path = path;
	l->who = who;
	l->vals = calloc(n, sizeof(*l->vals));
	if (l->vals == NULL)
		return -ENOMEM;
	__atomic_store_n(&live, l, __ATOMIC_RELEASE);
	/* -EEXIST is a second run in this process (the tests' harnesses): the command reads `live`. */
	rc = rte_telemetry_register_cmd(cmd, on_telemetry, help);
	if (rc != 0 && rc != -EEXIST)
		return rc;
	if (path != NULL) {
		rc = pthread_create(&l->tid, NULL, writer, l);
		if (rc != 0)
			return -rc;
		l->thread = 1;
	}
	return 0;
}

void
trawl_live_publish(struct trawl_live *l, const uint64_t *vals)
{
	if (l->vals == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	memcpy(l->vals, vals, l->n * sizeof(*vals));
	pthread_mutex_unlock(&l->mu);
}

int
trawl_live_finish(struct trawl_live *l)
{
	int rc;

	if (l->vals == NULL || l->path == NULL)
		return 0;
	if (l->thread) {
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->tid, NULL);
		l->thread = 0;
	}
	rc = write_file(l);
	l->werr = 0; /* the caller says this one */
	return rc;
}
