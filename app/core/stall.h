/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_STALL_H
#define TRAWL_STALL_H

/*
 * How long something that should move (the output) has not: the time
 * between two looks at it, summed while it does not move, each interval
 * counted at most TRAWL_STALL_STEP_S. A guest whose host stopped it for
 * seconds (seen on this project's 2-vCPU machines: 21 s) stopped the
 * output thread with everything else; it comes back to find nothing
 * written through no fault of the output, and must not give up on it.
 * An output that truly takes nothing is still found: its looker runs
 * every few ms and adds up to the limit. Pure: any clock, in seconds.
 */
#define TRAWL_STALL_STEP_S 0.1

/** @p stalled so far, @p dt since the look before, @p moved since then: the new sum. */
static inline double
trawl_stall_add(double stalled, double dt, int moved)
{
	if (moved)
		return 0;
	return stalled + (dt < TRAWL_STALL_STEP_S ? (dt > 0 ? dt : 0) : TRAWL_STALL_STEP_S);
}

#endif
