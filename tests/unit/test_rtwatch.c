/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rtwatch.c - the runtime watch set: named scripts of process events
 * (a runtime's children joining, the container's process leaving at its
 * exec, exits, pid reuse, the cap), each with the set expected after it.
 */
#include <stdlib.h>

#include "check.h"
#include "resolve/rtwatch.h"

enum op { ADD = 1, FORK, EXEC, EXIT, CLEAN };

struct step {
	enum op op;
	int32_t a, b;  /* ADD/EXEC/EXIT: a; FORK: a = parent, b = child */
	enum rtwatch_seen seen;
};

#define STEPS_MAX 12
#define WANT_MAX 8

static const struct {
	const char *name;
	struct step s[STEPS_MAX];
	int32_t want[WANT_MAX]; /* the set after, sorted, 0-ended */
	int dirty;
} rows[] = {
	{ "a seed is watched", { { ADD, 100, 0, 0 } }, { 100 }, 1 },
	{ "pid 0 and negative pids are never watched",
	  { { ADD, 0, 0, 0 }, { ADD, -5, 0, 0 } }, { 0 }, 0 },
	{ "a watched parent's child joins",
	  { { ADD, 100, 0, 0 }, { FORK, 100, 200, 0 } }, { 100, 200 }, 1 },
	{ "a child of a process not watched does not",
	  { { ADD, 100, 0, 0 }, { CLEAN, 0, 0, 0 }, { FORK, 7, 200, 0 } }, { 100 }, 0 },
	{ "grandchildren join while their parents are watched",
	  { { ADD, 100, 0, 0 }, { FORK, 100, 200, 0 }, { FORK, 200, 300, 0 } },
	  { 100, 200, 300 }, 1 },
	{ "an exec inside a container leaves: its children inherit",
	  { { ADD, 100, 0, 0 }, { FORK, 100, 200, 0 },
	    { EXEC, 200, 0, RTW_CONTAINER }, { FORK, 200, 300, 0 } }, { 100 }, 1 },
	{ "an exec on the host stays (runc init exec'ing itself)",
	  { { ADD, 100, 0, 0 }, { FORK, 100, 200, 0 }, { EXEC, 200, 0, RTW_HOST },
	    { FORK, 200, 300, 0 } }, { 100, 200, 300 }, 1 },
	{ "a host exec of a runtime not watched joins",
	  { { EXEC, 50, 0, RTW_HOST_RUNTIME } }, { 50 }, 1 },
	{ "a host exec of anything else does not",
	  { { EXEC, 50, 0, RTW_HOST } }, { 0 }, 0 },
	{ "gone at its exec: leaves",
	  { { ADD, 100, 0, 0 }, { FORK, 100, 200, 0 }, { EXEC, 200, 0, RTW_GONE } },
	  { 100 }, 1 },
	{ "an exit leaves; an exit of a pid not watched changes nothing",
	  { { ADD, 100, 0, 0 }, { ADD, 200, 0, 0 }, { EXIT, 200, 0, 0 }, { CLEAN, 0, 0, 0 }, { EXIT, 9, 0, 0 } },
	  { 100 }, 0 },
	{ "a reused pid forked by one not watched leaves",
	  { { ADD, 100, 0, 0 }, { ADD, 200, 0, 0 }, { FORK, 7, 200, 0 } }, { 100 }, 1 },
	{ "kept sorted whatever the order of joins",
	  { { ADD, 300, 0, 0 }, { ADD, 100, 0, 0 }, { ADD, 200, 0, 0 }, { ADD, 100, 0, 0 } },
	  { 100, 200, 300 }, 1 },
	{ "clean: nothing to give the doorbell until the next change",
	  { { ADD, 100, 0, 0 }, { CLEAN, 0, 0, 0 }, { ADD, 100, 0, 0 } }, { 100 }, 0 },
};

static void run(struct rtwatch *w, const struct step *s, size_t n)
{
	for (size_t i = 0; i < n && s[i].op; i++) {
		switch (s[i].op) {
		case ADD: rtwatch_add(w, s[i].a); break;
		case FORK: rtwatch_fork(w, s[i].a, s[i].b); break;
		case EXEC: rtwatch_exec(w, s[i].a, s[i].seen); break;
		case EXIT: rtwatch_exit(w, s[i].a); break;
		case CLEAN: rtwatch_clean(w); break;
		}
	}
}

int main(void)
{
	struct rtwatch *w = malloc(sizeof *w);

	if (!w)
		return 1;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CASE(rows[i].name) {
			size_t k = 0;

			rtwatch_init(w);
			run(w, rows[i].s, STEPS_MAX);
			while (k < WANT_MAX && rows[i].want[k])
				k++;
			CHECK_INT(w->n, k);
			for (size_t j = 0; j < k && j < w->n; j++)
				CHECK_INT(w->pid[j], rows[i].want[j]);
			for (size_t j = 0; j < k; j++)
				CHECK(rtwatch_has(w, rows[i].want[j]));
			CHECK_INT(rtwatch_dirty(w), rows[i].dirty);
			CHECK_INT(w->full, 0);
		}
	}
	CASE("at the cap: full (the doorbell rings for all), no pid lost") {
		rtwatch_init(w);
		for (int32_t p = 1; p <= RTWATCH_MAX; p++)
			rtwatch_add(w, p * 2);
		rtwatch_clean(w);
		CHECK_INT(w->full, 0);
		rtwatch_fork(w, 2, 99999);
		CHECK_INT(w->full, 1);
		CHECK_INT(rtwatch_dirty(w), 1);
		CHECK_INT(w->n, RTWATCH_MAX);
		CHECK_INT(w->overflows, 1);
		CHECK(rtwatch_has(w, 2 * RTWATCH_MAX));
		CHECK(!rtwatch_has(w, 99999));
	}
	CASE("full: a fork by one not watched still does not join") {
		rtwatch_exit(w, 2 * RTWATCH_MAX);
		rtwatch_fork(w, 3, 77777);
		CHECK(!rtwatch_has(w, 77777));
		CHECK_INT(w->n, RTWATCH_MAX - 1);
		CHECK_INT(w->full, 1);
	}
	CASE("full ends when half the set has gone") {
		for (int32_t p = 1; p < RTWATCH_MAX / 2; p++)
			rtwatch_exit(w, p * 2);
		CHECK_INT(w->full, 1);
		rtwatch_clean(w);
		rtwatch_exit(w, RTWATCH_MAX);
		CHECK_INT(w->full, 0);
		CHECK_INT(rtwatch_dirty(w), 1);
		CHECK_INT(w->n, RTWATCH_MAX / 2 - 1);
	}
	free(w);
	return check_done();
}
