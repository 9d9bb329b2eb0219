/* SPDX-License-Identifier: BSD-3-Clause */
#include "app/core/fingerprint.h"
#include "app/core/metric_names.h"

#define C TRAWL_METRIC_COUNTER
#define G TRAWL_METRIC_GAUGE

const char *const trawl_scan_phase_names[TRAWL_SCAN_PHASES] = { "link", "arp", "send", "cooldown", "drain", "done" };
const char *const trawl_scan_role_names[TRAWL_SCAN_ROLES] = { "tx", "rx", "writer", "control" };

#define BUSY(r) { "busy_cycles_" r, "trawl_role_busy_cycles_total", C, \
	"TSC cycles the role spent in rounds that did work (control: the main lcore's own rounds).", "role", r, 0 }
#define IDLE(r) { "idle_cycles_" r, "trawl_role_idle_cycles_total", C, \
	"TSC cycles the role spent in rounds that found nothing to do.", "role", r, 0 }

#define PHASE(p) { "phase_" p, "trawl_scan_phase", G, \
	"1 for the phase the scan is in (the status line's), 0 for the others.", "phase", p, 0 }

const struct trawl_metric trawl_scan_metrics[TRAWL_SM_MAX] = {
	[TRAWL_SM_TARGETS] = { "targets", "trawl_targets", G,
		"Targets in this shard after the blocklist.", NULL, NULL, 0 },
	[TRAWL_SM_TARGETS_SCANNED] = { "targets_scanned", "trawl_targets_scanned_total", C,
		"Targets probed so far.", NULL, NULL, 0 },
	[TRAWL_SM_PACKETS_SENT] = { "packets_sent", "trawl_packets_sent_total", C,
		"Probe packets the port took.", NULL, NULL, 0 },
	[TRAWL_SM_FRAMES_RECEIVED] = { "frames_received", "trawl_frames_received_total", C,
		"Frames the port delivered.", NULL, NULL, 0 },
	[TRAWL_SM_REPLIES_VALID] = { "replies_valid", "trawl_replies_valid_total", C,
		"Replies to our probes that passed validation.", NULL, NULL, 0 },
	[TRAWL_SM_VALIDATION_FAILED] = { "validation_failed", "trawl_validation_failed_total", C,
		"Replies that failed validation.", NULL, NULL, 0 },
	[TRAWL_SM_RESULTS] = { "results", "trawl_results_total", C,
		"Result rows (after duplicates and the output filter).", NULL, NULL, 0 },
	[TRAWL_SM_RESULTS_WRITTEN] = { "results_written", "trawl_results_written_total", C,
		"Result rows the output took.", NULL, NULL, 0 },
	[TRAWL_SM_REPLIES_LOST] = { "replies_lost", "trawl_replies_lost_total", C,
		"Valid replies lost on the way in, every reason.", NULL, NULL, 0 },
	[TRAWL_SM_WRITER_BEHIND] = { "writer_behind", "trawl_replies_lost_writer_behind_total", C,
		"Valid replies lost because the result writer was behind.", NULL, NULL, 0 },
	[TRAWL_SM_PORT_RX_MISSED] = { "port_rx_missed", "trawl_port_rx_missed_total", C,
		"Frames the port dropped for want of a free descriptor.", NULL, NULL, 0 },
	[TRAWL_SM_KERNEL_IN] = { "kernel_in", "trawl_kernel_path_in_total", C,
		"Frames not the scan's own handed to the kernel interface.", NULL, NULL, 0 },
	[TRAWL_SM_KERNEL_OUT] = { "kernel_out", "trawl_kernel_path_out_total", C,
		"Frames the kernel sent, handed to the port.", NULL, NULL, 0 },
	[TRAWL_SM_KERNEL_DROPPED] = { "kernel_dropped", "trawl_kernel_path_dropped_total", C,
		"Frames dropped on the kernel path, every reason (the metadata names each).", NULL, NULL, 0 },
	[TRAWL_SM_BLOCKED_LIVE] = { "targets_blocked_live", "trawl_targets_blocked_live_total", C,
		"Targets skipped: in the blocklist as reloaded mid-scan (SIGHUP).", NULL, NULL, 0 },
	[TRAWL_SM_BLOCKLIST_RELOADS] = { "blocklist_reloads", "trawl_blocklist_reloads_total", C,
		"Blocklist reloads that took effect.", NULL, NULL, 0 },
	[TRAWL_SM_CYCLES_PER_PROBE] = { "cycles_per_probe", "trawl_cycles_per_probe", G,
		"TX roles' busy cycles per probe sent, so far.", NULL, NULL, 0 },
	[TRAWL_SM_CYCLES_PER_REPLY] = { "cycles_per_reply", "trawl_cycles_per_reply", G,
		"RX roles' busy cycles per frame received, so far.", NULL, NULL, 0 },
	[TRAWL_SM_CYCLES_PER_RESULT] = { "cycles_per_result", "trawl_cycles_per_result", G,
		"The writer's busy cycles per reply it took, so far.", NULL, NULL, 0 },
	[TRAWL_SM_BUSY + 0] = BUSY("tx"),
	[TRAWL_SM_BUSY + 1] = BUSY("rx"),
	[TRAWL_SM_BUSY + 2] = BUSY("writer"),
	[TRAWL_SM_BUSY + 3] = BUSY("control"),
	[TRAWL_SM_IDLE + 0] = IDLE("tx"),
	[TRAWL_SM_IDLE + 1] = IDLE("rx"),
	[TRAWL_SM_IDLE + 2] = IDLE("writer"),
	[TRAWL_SM_IDLE + 3] = IDLE("control"),
	[TRAWL_SM_ELAPSED_MS] = { "elapsed_ms", "trawl_scan_elapsed_seconds", G,
		"Seconds since the scan started.", NULL, NULL, 1 },
	[TRAWL_SM_START_TIME] = { "start_time", "trawl_scan_start_time_seconds", G,
		"When the scan started, seconds since the Unix epoch.", NULL, NULL, 0 },
	[TRAWL_SM_PHASE + 0] = PHASE("link"),
	[TRAWL_SM_PHASE + 1] = PHASE("arp"),
	[TRAWL_SM_PHASE + 2] = PHASE("send"),
	[TRAWL_SM_PHASE + 3] = PHASE("cooldown"),
	[TRAWL_SM_PHASE + 4] = PHASE("drain"),
	[TRAWL_SM_PHASE + 5] = PHASE("done"),
};

#define TOOLCHAIN(t) { "toolchain_" t, "trawl_respond_toolchain_probes_total", C, \
	"TCP SYN probes by the scanner toolchain that sent them.", "toolchain", t, 0 }

const struct trawl_metric trawl_respond_metrics[TRAWL_RM_MAX] = {
	[TRAWL_RM_FRAMES] = { "frames", "trawl_respond_frames_total", C,
		"Frames the port delivered.", NULL, NULL, 0 },
	[TRAWL_RM_PROBES] = { "probes", "trawl_respond_probes_total", C,
		"Probes received (TCP SYN, ICMP echo, UDP, ARP).", NULL, NULL, 0 },
	[TRAWL_RM_ANSWERED] = { "answered", "trawl_respond_answered_total", C,
		"Probes answered.", NULL, NULL, 0 },
	[TRAWL_RM_DROPPED] = { "dropped", "trawl_respond_dropped_total", C,
		"Probes not answered: no such host, --loss, or the port full.", NULL, NULL, 0 },
	[TRAWL_RM_DUPLICATED] = { "duplicated", "trawl_respond_duplicated_total", C,
		"Replies sent twice (--duplicate).", NULL, NULL, 0 },
	[TRAWL_RM_UPTIME_MS] = { "uptime_ms", "trawl_respond_uptime_seconds", G,
		"Seconds since the responder started answering.", NULL, NULL, 1 },
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_ZMAP] = TOOLCHAIN("zmap"),
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_MASSCAN] = TOOLCHAIN("masscan"),
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_UNICORNSCAN] = TOOLCHAIN("unicornscan"),
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_NMAP] = TOOLCHAIN("nmap"),
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_TRAWL] = TOOLCHAIN("trawl"),
	[TRAWL_RM_TOOLCHAIN + TRAWL_TC_UNKNOWN] = TOOLCHAIN("unknown"),
};

_Static_assert(TRAWL_TC_MAX == 6, "trawl_respond_metrics: one TOOLCHAIN entry per toolchain");
