/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_FLUSHER_H
#define TRAWL_FLUSHER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ring.h>

#include "app/core/err.h"

/*
 * Where the result writer's text goes: a control thread (not an lcore) that
 * owns the output file and does every write(2), so a slow disk, a full pipe
 * or a stopped reader never stalls the writer lcore in a system call.
 *
 * The writer fills buffers of TRAWL_OUTBUF_BYTES and hands them over; the
 * flusher writes them in order and hands them back. With every buffer
 * queued the writer stops taking results, its rings fill, and the RX lcores
 * count what they cannot hand on ("writer behind"): the backpressure ends
 * in a counter, never in the NIC's own silent drop.
 *
 * Rows written are counted exactly, so that a run which has to end while
 * its output is stuck says how many results never made it:
 * - a regular file gets whole buffers;
 * - anything else (pipe, FIFO, socket, terminal) gets pieces of at most
 *   PIPE_BUF bytes ending on a row, each written only once poll() says it
 *   fits. A pipe write of at most PIPE_BUF bytes is atomic, so a piece is
 *   either all written or not at all, and the thread never blocks in
 *   write(): told to give up, it stops within one poll interval.
 */
#define TRAWL_OUTBUF_BYTES (1u << 20)
#define TRAWL_OUTBUFS 16    /* 16 MiB in flight: 1.1 M rows of saddr, 75 ms at 14.88 M results/s */

struct trawl_outbuf {
	size_t len;
	uint64_t rows;          /**< records in data; 0 for the header */
	char data[TRAWL_OUTBUF_BYTES];
};

struct trawl_flusher {
	int fd;
	int own_fd;             /**< opened here (not stdout): closed at the end */
	int chunked;            /**< not a regular file: PIPE_BUF pieces after poll() */
	struct trawl_outbuf *bufs;
	struct rte_ring *full;  /**< writer -> flusher, in order */
	struct rte_ring *free;  /**< flusher -> writer */
	pthread_t tid;
	int running;

	uint32_t stop;          /**< main: the writer gave its last buffer; write what is queued, then exit */
	uint32_t abandon;       /**< main: exit at the next chance, writing nothing more */

	uint64_t rows_given;    /**< records handed over (the writer's count) */

	/* Written by the flusher thread (or by main once it has exited); read by anyone. */
	uint64_t rows_written;  /**< records the file descriptor took */
	uint64_t bytes_written;
	uint64_t rows_lost;     /**< records given but not written: abandoned, after a write error, or stuck */
	int stuck;              /**< the thread did not come back from a write(2): left running */
	int error;              /**< errno of the first failed write; 0 if none (read with trawl_flusher_error) */
};

static inline int
trawl_flusher_error(const struct trawl_flusher *f)
{
	return __atomic_load_n(&f->error, __ATOMIC_ACQUIRE);
}

/**
 * Open @p path for the results ("-": standard output), emptied, or kept and
 * added to if @p append (a resumed --checkpoint scan). Before the EAL, so a
 * bad path is a configuration error and nothing is sent.
 * @return 0 or -errno with the reason in @p err.
 */
int trawl_flusher_open(struct trawl_flusher *f, const char *path, int append, struct trawl_err *err);

/** Buffers, rings and the thread. @return 0 or -errno with the reason in @p err. */
int trawl_flusher_start(struct trawl_flusher *f, struct trawl_err *err);

/** An empty buffer for the writer, or NULL if every one is queued. */
static inline struct trawl_outbuf *
trawl_flusher_take(struct trawl_flusher *f)
{
	void *b = NULL;

	return rte_ring_sc_dequeue(f->free, &b) == 0 ? b : NULL;
}

/** Queue @p b (from trawl_flusher_take) to be written. Never fails: the ring holds every buffer. */
static inline void
trawl_flusher_give(struct trawl_flusher *f, struct trawl_outbuf *b)
{
	__atomic_store_n(&f->rows_given, f->rows_given + b->rows, __ATOMIC_RELAXED);
	rte_ring_sp_enqueue(f->full, b);
}

/**
 * Main lcore, once the writer has given its last buffer: let the thread
 * write what is queued and exit. It is given up on (what is left counted in
 * rows_lost) when it has written nothing for @p stall_s seconds, or at
 * @p deadline (CLOCK_MONOTONIC seconds, 0 = none). A thread that does not
 * come back from a write(2) even then (a dead disk) is left running, and
 * every row not confirmed written counts as lost. @return 0 if everything
 * given was written, -EIO otherwise.
 */
int trawl_flusher_finish(struct trawl_flusher *f, double stall_s, double deadline);

/** Stop the thread if it still runs (rows still queued are lost), free everything, close the file. */
void trawl_flusher_close(struct trawl_flusher *f);

#endif
