/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_METRIC_NAMES_H
#define TRAWL_METRIC_NAMES_H

/*
 * The live counters of `trawl scan` and `trawl respond`: what an
 * operator's monitoring scrapes, so the names are an interface (README,
 * "Live counters"). Telemetry's keys are the metadata's and the report's
 * own; the Prometheus names follow its conventions. The enums index the
 * tables: a run fills a row of values in this order.
 */
#include "app/core/metrics.h"

enum trawl_scan_metric {
	TRAWL_SM_TARGETS,
	TRAWL_SM_TARGETS_SCANNED,
	TRAWL_SM_PACKETS_SENT,
	TRAWL_SM_FRAMES_RECEIVED,
	TRAWL_SM_REPLIES_VALID,
	TRAWL_SM_VALIDATION_FAILED,
	TRAWL_SM_RESULTS,
	TRAWL_SM_RESULTS_WRITTEN,
	TRAWL_SM_REPLIES_LOST,
	TRAWL_SM_WRITER_BEHIND,
	TRAWL_SM_PORT_RX_MISSED,
	TRAWL_SM_KERNEL_IN,
	TRAWL_SM_KERNEL_OUT,
	TRAWL_SM_KERNEL_DROPPED,
	TRAWL_SM_BLOCKED_LIVE,
	TRAWL_SM_BLOCKLIST_RELOADS,
	TRAWL_SM_CYCLES_PER_PROBE,
	TRAWL_SM_CYCLES_PER_REPLY,
	TRAWL_SM_CYCLES_PER_RESULT,
	TRAWL_SM_BUSY,    /* one entry per role, in trawl_scan_role_names' order */
	TRAWL_SM_IDLE = TRAWL_SM_BUSY + 4,    /* TRAWL_SCAN_ROLES */
	TRAWL_SM_ELAPSED_MS = TRAWL_SM_IDLE + 4,
	TRAWL_SM_START_TIME,
	TRAWL_SM_PHASE,   /* one entry per phase, in trawl_scan_phase_names' order */
	TRAWL_SM_MAX = TRAWL_SM_PHASE + 6,
};

/** The roles whose cycles are counted ("tx", "rx", "writer", "control"), as dp/lcore's role names. */
#define TRAWL_SCAN_ROLES 4
extern const char *const trawl_scan_role_names[TRAWL_SCAN_ROLES];

/** The scan's phases as the status line names them ("link" ... "done"). */
#define TRAWL_SCAN_PHASES 6
extern const char *const trawl_scan_phase_names[TRAWL_SCAN_PHASES];
extern const struct trawl_metric trawl_scan_metrics[TRAWL_SM_MAX];

enum trawl_respond_metric {
	TRAWL_RM_FRAMES,
	TRAWL_RM_PROBES,
	TRAWL_RM_ANSWERED,
	TRAWL_RM_DROPPED,
	TRAWL_RM_DUPLICATED,
	TRAWL_RM_UPTIME_MS,
	TRAWL_RM_TOOLCHAIN,  /* one entry per toolchain, in trawl_toolchain_names' order */
	TRAWL_RM_MAX = TRAWL_RM_TOOLCHAIN + 6,
};

extern const struct trawl_metric trawl_respond_metrics[TRAWL_RM_MAX];

#endif
