/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtwatch.c - the runtime watch set (see rtwatch.h): a sorted array, so a
 * lookup (every fork, exec and exit) is a binary search and the rare joins
 * and leaves move at most RTWATCH_MAX pids.
 */
#include <string.h>

#include "resolve/rtwatch.h"

void rtwatch_init(struct rtwatch *w)
{
	memset(w, 0, sizeof *w);
}

/* index of the first pid >= p */
static size_t lower(const struct rtwatch *w, int32_t p)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->pid[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int rtwatch_has(const struct rtwatch *w, int32_t pid)
{
	size_t i = lower(w, pid);

	return i < w->n && w->pid[i] == pid;
}

void rtwatch_add(struct rtwatch *w, int32_t pid)
{
	size_t i = lower(w, pid);

	if (pid <= 0 || (i < w->n && w->pid[i] == pid))
		return;
	if (w->n == RTWATCH_MAX) {
		if (!w->full)
			w->dirty = 1;
		w->full = 1;
		w->overflows++;
		return;
	}
	memmove(w->pid + i + 1, w->pid + i, (w->n - i) * sizeof w->pid[0]);
	w->pid[i] = pid;
	w->n++;
	w->dirty = 1;
}

static void del(struct rtwatch *w, int32_t pid)
{
	size_t i = lower(w, pid);

	if (i == w->n || w->pid[i] != pid)
		return;
	memmove(w->pid + i, w->pid + i + 1, (w->n - i - 1) * sizeof w->pid[0]);
	w->n--;
	w->dirty = 1;
	/* full ends once the set has room to spare again, not at every pid */
	if (w->full && w->n < RTWATCH_MAX / 2)
		w->full = 0;
}

void rtwatch_fork(struct rtwatch *w, int32_t parent, int32_t child)
{
	/* a pid reused: the exit of its predecessor was seen first, but a
	 * seed read from /proc may be stale */
	del(w, child);
	if (parent > 0 && rtwatch_has(w, parent))
		rtwatch_add(w, child);
}

void rtwatch_exec(struct rtwatch *w, int32_t pid, enum rtwatch_seen seen)
{
	switch (seen) {
	case RTW_HOST_RUNTIME:
		rtwatch_add(w, pid);
		break;
	case RTW_GONE:
	case RTW_CONTAINER:
		del(w, pid);
		break;
	case RTW_HOST:
		break; /* a runtime's helper on the host: its children may be moved */
	}
}

void rtwatch_exit(struct rtwatch *w, int32_t pid)
{
	del(w, pid);
}

void rtwatch_clean(struct rtwatch *w)
{
	w->dirty = 0;
}
