/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CHECKPOINT_H
#define TRAWL_CHECKPOINT_H

#include <stdint.h>

#include "app/core/constraint.h"
#include "app/core/err.h"
#include "app/core/ports.h"
#include "app/core/space6.h"

/*
 * --checkpoint FILE: where a scan stands, so that a later run of the same
 * scan goes on from there instead of starting over.
 *
 * A scan is its target order: the allowed set (after the blocklist), the
 * ports, the probe module, the seed, and how the cycle is cut (shards,
 * shard, sender threads). The first four are summed up in scan_id (SipHash
 * of the canonical intervals and ports, so the same set written another way
 * is the same scan); the rest are kept as they are, so a refusal can say
 * which one differs.
 *
 * Each TX lcore walks one contiguous run of the cycle; its position is the
 * number of positions it has left (and the targets it has drawn, for -n),
 * so resuming is one modular exponentiation (trawl_cyclic_iter_skip).
 *
 * The file is JSON, written to FILE.tmp, fsync'd, renamed over FILE, and
 * the directory fsync'd: after a crash FILE holds one whole checkpoint,
 * the last or the one before.
 */
#define TRAWL_CKPT_MAX_TX 64

struct trawl_ckpt_pos {
	uint64_t left;     /**< positions of the lcore's run not yet visited */
	uint64_t targets;  /**< targets drawn so far */
};

struct trawl_ckpt {
	uint64_t scan_id;
	uint64_t seed;
	char probe_module[32];
	uint32_t shards, shard, tx_threads;
	uint64_t targets;          /**< targets in the whole target space */
	uint64_t results;          /**< result rows in the output when this was written */
	uint64_t output_bytes;     /**< the output's length then */
	uint32_t attempts;         /**< runs that have worked on this scan, this one included */
	int done;                  /**< every lcore's run is over: nothing more to send */
	struct trawl_ckpt_pos pos[TRAWL_CKPT_MAX_TX];
};

/** The scan identity of a target set, ports and probe module. */
uint64_t trawl_ckpt_scan_id(const struct trawl_constraint *allowed, const struct trawl_ports *ports,
		const char *probe_module);

/**
 * The same for an IPv6 target set: its list in its order (which its
 * content decides), each window's prefix, lengths and IID (fixed, or its
 * seed's key), the ports and the module.
 */
uint64_t trawl_ckpt_scan_id6(const struct trawl_space6 *six, const struct trawl_ports *ports,
		const char *probe_module);

/**
 * Write @p ck to @p path atomically (PATH.tmp, fsync, rename, fsync of the
 * directory). @return 0 or -errno with the reason in @p err.
 */
int trawl_ckpt_save(const char *path, const struct trawl_ckpt *ck, struct trawl_err *err);

/**
 * Read @p path. @return 0; -ENOENT if there is no such file (a new scan);
 * -EINVAL for a file that is no checkpoint or a damaged one ("path: what"
 * in @p err); another -errno if it cannot be read.
 */
int trawl_ckpt_load(const char *path, struct trawl_ckpt *ck, struct trawl_err *err);

/** The same for the @p len bytes at @p data, named @p name in errors. */
int trawl_ckpt_parse(const char *name, const char *data, size_t len, struct trawl_ckpt *ck, struct trawl_err *err);

/**
 * Whether @p file is a checkpoint of the scan @p now describes (seed,
 * scan_id, shards, shard, tx_threads, probe_module set). @return NULL if it
 * is, else what differs, in words ("the seed", "the targets, ports or
 * probe module", ...).
 */
const char *trawl_ckpt_differs(const struct trawl_ckpt *file, const struct trawl_ckpt *now);

#endif
