/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtwatch.h - the runtime watch set: which processes ring the process
 * connector's doorbell (procconn_watch), so that their execs are handled
 * at once while every other exec waits for the next lazy read.
 *
 * Why: a process forked in a container's cgroup inherits its answer from
 * its parent (resolve.h), so a short-lived one is named even when its exec
 * is read late.  The processes a container runtime starts are forked on
 * the host and moved into the container's cgroup before they exec: their
 * cgroup must be read at the exec, before a short-lived one is gone.  The
 * set holds the runtimes and their managers (seeded by name, and joined
 * by name at a host exec), and every process they fork until it is seen,
 * at an exec, inside a container (it is then the container's own process:
 * its children inherit).  It only decides how soon an exec is read, never
 * what the answer is.
 *
 * A fixed set of RTWATCH_MAX pids; past that it is "full": the doorbell
 * then rings for every exec and fork, as if everything were watched.
 */
#ifndef P2P_RTWATCH_H
#define P2P_RTWATCH_H

#include <stddef.h>
#include <stdint.h>

#define RTWATCH_MAX 1024

/* what an exec showed of a watched process (rtwatch_exec) */
enum rtwatch_seen {
	RTW_GONE,       /* no longer readable */
	RTW_CONTAINER,  /* inside a container or pod cgroup */
	RTW_HOST,       /* on the host, not a runtime by name */
	RTW_HOST_RUNTIME, /* on the host, a runtime or manager by name */
};

struct rtwatch {
	size_t n;
	int dirty;            /* changed since rtwatch_clean() */
	int full;             /* a pid did not fit: watch everything */
	uint64_t overflows;   /* pids that did not fit */
	int32_t pid[RTWATCH_MAX]; /* sorted, n of them */
};

void rtwatch_init(struct rtwatch *w);
int rtwatch_has(const struct rtwatch *w, int32_t pid);
/* add pid (a seed, or a runtime seen at its exec) */
void rtwatch_add(struct rtwatch *w, int32_t pid);
/* the process events, in kernel order */
void rtwatch_fork(struct rtwatch *w, int32_t parent, int32_t child);
void rtwatch_exec(struct rtwatch *w, int32_t pid, enum rtwatch_seen seen);
void rtwatch_exit(struct rtwatch *w, int32_t pid);
/* the set changed: give it to procconn_watch(), then rtwatch_clean() */
static inline int rtwatch_dirty(const struct rtwatch *w) { return w->dirty; }
void rtwatch_clean(struct rtwatch *w);

#endif
