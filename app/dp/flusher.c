/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "app/core/clock.h"
#include "app/core/stall.h"
#include "app/dp/flusher.h"
#include "app/dp/stats.h"

#define POLL_MS 20          /* how soon a stuck thread notices it is given up on */
#define IDLE_NS 200000      /* nothing queued: look again in 0.2 ms */
#define JOIN_LIMIT_S 5.0    /* a regular-file write that long is a dead disk: leave the thread */

int
trawl_flusher_open(struct trawl_flusher *f, const char *path, int append, struct trawl_err *err)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (strcmp(path, "-") == 0) {
		f->fd = STDOUT_FILENO;
	} else {
		f->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
		if (f->fd < 0)
			return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
		f->own_fd = 1;
	}
	if (fstat(f->fd, &st) != 0)
		return trawl_err_set(err, -errno, "%s: %s", path, strerror(errno));
	f->chunked = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
	return 0;
}

static uint64_t
count_rows(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t k = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

static void
set_error(struct trawl_flusher *f, int e)
{
	__atomic_store_n(&f->error, e, __ATOMIC_RELEASE);
}

/* Wait until a piece fits (chunked outputs). @return 1 when it does, 0 if given up on, -errno. */
static int
wait_writable(struct trawl_flusher *f)
{
	struct pollfd p = { .fd = f->fd, .events = POLLOUT };

	while (!trawl_flag_get(&f->abandon)) {
		int rc = poll(&p, 1, POLL_MS);

		if (rc > 0)
			return 1; /* writable, or an error the write will report */
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Write one buffer; counts rows written and lost. */
static void
write_buf(struct trawl_flusher *f, const struct trawl_outbuf *b)
{
	size_t off = 0;

	while (off < b->len && trawl_flusher_error(f) == 0) {
		size_t n = b->len - off;
		ssize_t w;

		if (f->chunked) {
			int rc;

			if (n > PIPE_BUF) {
				/* End the piece on a row (a row longer than PIPE_BUF goes in PIPE_BUF pieces). */
				const char *nl = memrchr(b->data + off, '\n', PIPE_BUF);

				n = nl != NULL ? (size_t)(nl - (b->data + off)) + 1 : PIPE_BUF;
			}
			rc = wait_writable(f);
			if (rc == 0)
				break;
			if (rc < 0) {
				set_error(f, -rc);
				break;
			}
		}
		w = write(f->fd, b->data + off, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && f->chunked)
				continue; /* a non-blocking descriptor we inherited: poll again */
			set_error(f, errno);
			break;
		}
		if (b->rows != 0)
			trawl_stat_add(&f->rows_written, (size_t)w == b->len ? b->rows : count_rows(b->data + off, (size_t)w));
		trawl_stat_add(&f->bytes_written, (uint64_t)w);
		off += (size_t)w;
	}
	if (off < b->len && b->rows != 0)
		trawl_stat_add(&f->rows_lost, count_rows(b->data + off, b->len - off));
}

/* A buffer back to the writer, empty; its rows counted as lost if it was not written. */
static void
recycle(struct trawl_flusher *f, struct trawl_outbuf *b, int lost)
{
	if (lost)
		trawl_stat_add(&f->rows_lost, b->rows);
	b->len = 0;
	b->rows = 0;
	rte_ring_sp_enqueue(f->free, b);
}

static void *
flusher_main(void *arg)
{
	struct trawl_flusher *f = arg;
	const struct timespec idle = { 0, IDLE_NS };

	while (!trawl_flag_get(&f->abandon)) {
		void *p;

		if (rte_ring_sc_dequeue(f->full, &p) != 0) {
			/* Stop once the writer is done and nothing is left (look again after reading the flag). */
			if (trawl_flag_get(&f->stop) && rte_ring_empty(f->full))
				break;
			nanosleep(&idle, NULL);
			continue;
		}
		struct trawl_outbuf *b = p;
		/* After a write error nothing more is written; write_buf counts what it could not write itself. */
		int failed = trawl_flusher_error(f) != 0;

		if (!failed)
			write_buf(f, b);
		recycle(f, b, failed);
	}
	return NULL;
}

int
trawl_flusher_start(struct trawl_flusher *f, struct trawl_err *err)
{
	int rc;

	f->bufs = aligned_alloc(64, sizeof(*f->bufs) * TRAWL_OUTBUFS);
	/* One more slot than buffers: an SPSC ring of N holds N - 1. */
	f->full = rte_ring_create("trawl_out_full", TRAWL_OUTBUFS * 2, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	f->free = rte_ring_create("trawl_out_free", TRAWL_OUTBUFS * 2, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (f->bufs == NULL || f->full == NULL || f->free == NULL)
		return trawl_err_set(err, -ENOMEM, "out of memory for the output buffers (%u MiB)",
				TRAWL_OUTBUFS * TRAWL_OUTBUF_BYTES >> 20);
	for (unsigned int i = 0; i < TRAWL_OUTBUFS; i++) {
		f->bufs[i].len = 0;
		f->bufs[i].rows = 0;
		rte_ring_sp_enqueue(f->free, &f->bufs[i]);
	}
	rc = rte_ctrl_thread_create(&f->tid, "trawl-output", NULL, flusher_main, f);
	if (rc != 0)
		return trawl_err_set(err, -rc, "cannot start the output thread: %s", strerror(rc));
	f->running = 1;
	return 0;
}

/* Give the thread up to `limit` seconds to exit; 0 once joined. */
static int
join(struct trawl_flusher *f, double limit)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)limit;
	if (pthread_timedjoin_np(f->tid, NULL, &until) != 0)
		return -1;
	f->running = 0;
	return 0;
}

/* What is still queued once the thread is gone: lost. */
static void
count_queued(struct trawl_flusher *f)
{
	void *p;

	while (rte_ring_sc_dequeue(f->full, &p) == 0)
		recycle(f, p, 1);
}

int
trawl_flusher_finish(struct trawl_flusher *f, double stall_s, double deadline)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	uint64_t seen = trawl_stat_get(&f->bytes_written);
	double prev = trawl_mono(), stalled = 0;

	if (!f->running)
		return trawl_flusher_error(f) != 0 || f->rows_lost != 0 ? -EIO : 0;
	trawl_flag_set(&f->stop);
	for (;;) {
		double now = trawl_mono();
		uint64_t b = trawl_stat_get(&f->bytes_written);

		if (pthread_tryjoin_np(f->tid, NULL) == 0) {
			f->running = 0;
			break;
		}
		/* Time without progress; a guest stopped by its host is not an output that takes nothing. */
		stalled = trawl_stall_add(stalled, now - prev, b != seen);
		seen = b;
		prev = now;
		if (stalled >= stall_s || (deadline > 0 && now >= deadline)) {
			trawl_flag_set(&f->abandon);
			if (join(f, JOIN_LIMIT_S) != 0) {
				/* Stuck inside write(): left running, its buffers kept; what it has not confirmed is lost. */
				f->stuck = 1;
				f->rows_lost = f->rows_given - trawl_stat_get(&f->rows_written);
				return -EIO;
			}
			break;
		}
		nanosleep(&tick, NULL);
	}
	count_queued(f);
	return trawl_flusher_error(f) != 0 || f->rows_lost != 0 ? -EIO : 0;
}

void
trawl_flusher_close(struct trawl_flusher *f)
{
	if (f->stuck)
		return; /* still inside write() (trawl_flusher_finish waited already): its buffers must outlive it */
	if (f->running) {
		trawl_flag_set(&f->abandon);
		if (join(f, JOIN_LIMIT_S) != 0)
			return;
	}
	if (f->full != NULL)
		count_queued(f);
	rte_ring_free(f->full);
	rte_ring_free(f->free);
	free(f->bufs);
	f->full = f->free = NULL;
	f->bufs = NULL;
	if (f->own_fd && f->fd >= 0)
		close(f->fd);
	f->own_fd = 0;
	f->fd = -1;
}
