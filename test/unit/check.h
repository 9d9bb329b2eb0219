/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TRAWL_TEST_CHECK_H
#define TRAWL_TEST_CHECK_H

/*
 * The smallest test harness that says what failed and where: CHECK keeps
 * going after a failure (so one run shows every broken rule); REQUIRE is a
 * precondition: when it fails, the function it is in returns at once (what
 * follows would use what is not there); RUN names the behaviour under test,
 * and a test in which no check ran fails; check_done() prints "N passed,
 * N failed" and gives the exit status meson reads (a run of no test fails).
 * One behaviour per test function, as in libuv's test list.
 */
#include <stdio.h>
#include <stdlib.h>

static int check_failed_in_test;
static unsigned long checks_run_in_test;
static int checks_passed_tests;
static int checks_failed_tests;

#define CHECK(cond) do { \
	checks_run_in_test++; \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		check_failed_in_test = 1; \
	} \
} while (0)

#define CHECK_EQ_U64(a, b) do { \
	unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
	checks_run_in_test++; \
	if (va_ != vb_) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%llu != %llu)\n", __FILE__, __LINE__, \
			#a, #b, va_, vb_); \
		check_failed_in_test = 1; \
	} \
} while (0)

/* A precondition: on failure, the enclosing function returns (void), or returns @p ret (REQUIRE_OR). */
#define REQUIRE_OR(cond, ret) do { \
	checks_run_in_test++; \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: REQUIRE failed: %s (the rest of this test is skipped)\n", __FILE__, \
			__LINE__, #cond); \
		check_failed_in_test = 1; \
		return ret; \
	} \
} while (0)
#define REQUIRE(cond) REQUIRE_OR(cond, )

#define RUN(fn) do { \
	check_failed_in_test = 0; \
	checks_run_in_test = 0; \
	fn(); \
	if (checks_run_in_test == 0) { \
		fprintf(stderr, "%s: no check ran\n", #fn); \
		check_failed_in_test = 1; \
	} \
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
	if (checks_passed_tests + checks_failed_tests == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return checks_failed_tests ? 1 : 0;
}

#endif
