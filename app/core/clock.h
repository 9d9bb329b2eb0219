/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CLOCK_H
#define TRAWL_CLOCK_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC: for deadlines and durations outside the hot loops (they use the TSC). */
static inline double
trawl_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
