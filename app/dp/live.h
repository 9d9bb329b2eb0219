/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_LIVE_H
#define TRAWL_LIVE_H

/*
 * A run's live counters for the outside: a DPDK telemetry command
 * (/trawl/scan, /trawl/respond: a dict of the table's keys, for
 * dpdk-telemetry.py) and, with --metrics-file, the Prometheus text
 * rewritten whole once a second (PATH.tmp renamed, for node_exporter's
 * textfile collector). The run's main lcore publishes a row of values
 * when it prints its status line (once a second) and once more at the
 * end, with the totals the metadata or report is made from, so the last
 * file says what the metadata says. Neither reader ever touches a role's
 * counters: they see the published row under a mutex, the main lcore
 * holds it for a copy of a few dozen words.
 *
 * One per process (telemetry callbacks take no argument in DPDK 22.11);
 * a failure to write the file is said once and the run goes on: the
 * counters are for watching, the results and metadata are the record.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "app/core/metrics.h"

struct trawl_live {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct trawl_metric *defs;
	size_t n;
	uint64_t *vals;           /**< the row published last */
	const char *path;         /**< --metrics-file, or NULL */
	const char *who;          /**< "trawl scan", for the warning */
	pthread_t tid;
	int thread, stop;
	int werr;                 /**< the last write's -errno (0: fine), said once */
};

/**
 * Register telemetry command @p cmd for @p n entries of @p defs, and with
 * @p path start the file's writer. After rte_eal_init. @return 0 or -errno.
 */
int trawl_live_start(struct trawl_live *l, const char *who, const char *cmd, const char *help,
		const struct trawl_metric *defs, size_t n, const char *path);

/** The current values (@p vals: n of them, in the table's order). */
void trawl_live_publish(struct trawl_live *l, const uint64_t *vals);

/** Stop the writer and write the file once more from the last row. @return 0 or the write's -errno. */
int trawl_live_finish(struct trawl_live *l);

#endif
