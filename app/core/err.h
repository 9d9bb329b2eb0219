/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_ERR_H
#define TRAWL_ERR_H

#include <stdarg.h>
#include <stdio.h>

/*
 * One human-readable reason for a failure, filled where the failure is
 * understood (file:line:column for config) and printed once by main.c.
 */
struct trawl_err {
	char msg[512];
};

static inline int
trawl_err_set(struct trawl_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int
trawl_err_set(struct trawl_err *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

#endif
