/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h - the smallest test harness that still tells you what broke.
 *
 * Every unit test is a program that prints one line per case:
 *   "ok - <name>", "not ok - <name>: <detail>" or "skip - <name>: <reason>".
 * tests/run.sh counts those lines over all programs and prints the closing
 * "N passed, N failed, N skipped" line.  A program that crashes or exits
 * non-zero without a "not ok" line is counted as one failure by the runner.
 *
 * Use: CASE("name") { CHECK(expr); CHECK_STR(a, b); ... } once per case,
 * usually inside a loop over a table of named fixtures; return check_done().
 */
#ifndef P2P_CHECK_H
#define P2P_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_cases;
static int check_case_failed;
static char check_case_name[256]; /* a copy: names may be built at run time */
static int check_case_open;

static void check_case_end(void)
{
	if (!check_case_open)
		return;
	if (check_case_failed)
		check_failed_cases++;
	else
		printf("ok - %s\n", check_case_name);
	check_case_open = 0;
}

static inline int check_case_begin(const char *name)
{
	check_case_end();
	snprintf(check_case_name, sizeof check_case_name, "%s", name);
	check_case_failed = 0;
	check_case_open = 1;
	return 1;
}

/* CASE opens a new named case; the previous one is closed and reported. */
#define CASE(name) if (check_case_begin(name))

static inline void check_fail(const char *file, int line, const char *what)
{
	/* Only the first failure of a case is printed as "not ok". */
	if (!check_case_failed)
		printf("not ok - %s: %s:%d: %s\n", check_case_name, file, line,
		       what);
	else
		printf("#   also %s:%d: %s\n", file, line, what);
	check_case_failed = 1;
}

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond))                                           \
			check_fail(__FILE__, __LINE__, #cond);         \
	} while (0)

#define CHECK_STR(got, want)                                           \
	do {                                                           \
		const char *g_ = (got), *w_ = (want);                  \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {               \
			char m_[1024];                                 \
			snprintf(m_, sizeof m_, "%s: got \"%.400s\" want \"%.400s\"", \
				 #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
			check_fail(__FILE__, __LINE__, m_);            \
		}                                                      \
	} while (0)

#define CHECK_INT(got, want)                                           \
	do {                                                           \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (g_ != w_) {                                        \
			char m_[256];                                  \
			snprintf(m_, sizeof m_, "%s: got %lld want %lld", \
				 #got, g_, w_);                        \
			check_fail(__FILE__, __LINE__, m_);            \
		}                                                      \
	} while (0)

static inline void check_skip(const char *name, const char *why)
{
	check_case_end();
	printf("skip - %s: %s\n", name, why);
}

/* Close the last case; the exit status says whether anything failed. */
static inline int check_done(void)
{
	check_case_end();
	fflush(stdout);
	return check_failed_cases ? 1 : 0;
}

#endif
