/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core/faultguard: a guarded call whose memory is unmapped under it is
 * abandoned and the process goes on (again and again: the handler must not
 * leave SIGSEGV blocked); a fault outside a guarded call still kills the
 * process with SIGSEGV (checked in a child), so real bugs keep their cores.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/unit/check.h"
#include "app/core/faultguard.h"

struct region {
	volatile uint8_t *p;
	size_t len;
	uint64_t sum;
	int unmap_midway;  /* as memif's interrupt thread does, between two reads */
};

static void
read_region(void *arg)
{
	struct region *r = arg;

	for (size_t i = 0; i < r->len; i += 64) {
		if (r->unmap_midway && i == r->len / 2)
			munmap((void *)r->p, r->len);
		r->sum += r->p[i];
	}
}

static struct region
map_region(size_t len)
{
	struct region r = { .len = len };
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	r.p = p;
	for (size_t i = 0; i < len; i += 64)
		r.p[i] = 1;
	return r;
}

static void
test_guarded_call_that_completes(void)
{
	struct region r = map_region(1 << 16);

	CHECK(trawl_guard_run(read_region, &r) == 0);
	CHECK_EQ_U64(r.sum, (1 << 16) / 64);
	munmap((void *)r.p, r.len);
}

static void
test_unmapped_under_the_call_is_abandoned_every_time(void)
{
	for (int k = 0; k < 5; k++) {
		struct region r = map_region(1 << 16);

		r.unmap_midway = 1;
		CHECK(trawl_guard_run(read_region, &r) == -1);
		/* It got halfway, no further. */
		CHECK_EQ_U64(r.sum, (1 << 15) / 64);
	}
	/* And a clean call after the faults still runs to the end. */
	test_guarded_call_that_completes();
}

static void
test_fault_outside_a_guarded_call_still_kills(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		struct region r = map_region(4096);

		setrlimit(RLIMIT_CORE, &no_core);
		munmap((void *)r.p, r.len);
		read_region(&r);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

int
main(void)
{
	CHECK(trawl_guard_install() == 0);
	RUN(test_guarded_call_that_completes);
	RUN(test_unmapped_under_the_call_is_abandoned_every_time);
	RUN(test_fault_outside_a_guarded_call_still_kills);
	return check_done();
}
