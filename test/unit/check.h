/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TEST_CHECK_H
#define TRAWL_TEST_CHECK_H

/*
 * The smallest test harness that says what failed and where: CHECK keeps
 * going after a failure (so one run shows every broken rule), RUN names the
 * behaviour under test, and check_done() prints "N passed, N failed" and
 * gives the exit status meson reads. One behaviour per test function, as in
 * libuv's test list.
 */
#include <stdio.h>
#include <stdlib.h>

static int check_failed_in_test;
static int checks_passed_tests;
static int checks_failed_tests;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		check_failed_in_test = 1; \
	} \
} while (0)

#define CHECK_EQ_U64(a, b) do { \
	unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
	if (va_ != vb_) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%llu != %llu)\n", __FILE__, __LINE__, \
			#a, #b, va_, vb_); \
		check_failed_in_test = 1; \
	} \
} while (0)

#define RUN(fn) do { \
	check_failed_in_test = 0; \
	fn(); \
	printf("%s %s\n", check_failed_in_test ? "FAIL" : "ok  ", #fn); \
	if (check_failed_in_test) \
		checks_failed_tests++; \
	else \
		checks_passed_tests++; \
} while (0)

static inline int
check_done(void)
{
	printf("%d passed, %d failed\n", checks_passed_tests, checks_failed_tests);
	return checks_failed_tests ? 1 : 0;
}

#endif
