/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_CAMPAIGN_UNITS_H
#define TRAWL_CAMPAIGN_UNITS_H

#include <stdio.h>

#include "app/core/err.h"
#include "app/campaign/conf.h"

/*
 * Scheduling with systemd: a oneshot service that runs `trawl campaign run
 * FILE`, and a timer with the campaign's schedule as OnCalendar and
 * Persistent=true (a run missed while the host was down happens at boot).
 * The schedule is systemd's own calendar syntax, checked by systemd's own
 * parser (`systemd-analyze calendar`) where it is installed.
 */

/** Unit names: "trawl-campaign-NAME.service" / ".timer". */
void trawl_units_names(const struct trawl_campaign *c, char *service, char *timer, size_t len);

/** The service unit, running @p trawl_bin. */
void trawl_units_service(const struct trawl_campaign *c, const char *trawl_bin, FILE *f);

/** The timer unit. */
void trawl_units_timer(const struct trawl_campaign *c, FILE *f);

/**
 * Check the schedule with systemd-analyze and print its next @p n times to
 * @p out (NULL: only check). @return 0; 1 if systemd-analyze is not
 * installed (nothing checked: said on @p out); -EINVAL with
 * "file:line:column: ..." in @p err for a schedule systemd refuses.
 */
int trawl_units_check_calendar(const struct trawl_campaign *c, unsigned int n, FILE *out, struct trawl_err *err);

#endif
