/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "app/core/faultguard.h"

static __thread sigjmp_buf guard_jmp;
static __thread volatile sig_atomic_t guard_armed;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (guard_armed) {
		guard_armed = 0;
		siglongjmp(guard_jmp, 1);
	}
	/* Not a guarded call: back to the default action; the faulting access runs again and dumps core. */
	signal(sig, SIG_DFL);
}

int
trawl_guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* NODEFER: siglongjmp without the saved mask would otherwise leave SIGSEGV blocked on this thread. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0)
		return -errno;
	return 0;
}

int
trawl_guard_run(void (*fn)(void *), void *arg)
{
	if (sigsetjmp(guard_jmp, 0) != 0)
		return -1;
	guard_armed = 1;
	fn(arg);
	guard_armed = 0;
	return 0;
}
