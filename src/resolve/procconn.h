/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procconn.h - the kernel's process connector (NETLINK_CONNECTOR,
 * CN_IDX_PROC): fork, exec and exit of every process, as they happen.
 *
 * It lets the resolver read a new process's cgroup at its exec, before a
 * short-lived process is gone, and tell a reused pid from its predecessor.
 * Subscribing needs CAP_NET_ADMIN (root): do it before dropping
 * capabilities.  Non-blocking.
 *
 * Two sockets, each with a kernel filter.  The "stream" gets every exec,
 * and the forks and exits of whole processes (thread events never reach
 * userspace); procconn_read() delivers it.  The "doorbell" gets a copy of
 * the events of the pids given to procconn_watch() (their execs, and the
 * forks they make): it only wakes the caller, so that those execs are read
 * at once while every other waits for the next read.  The caller always
 * polls procconn_fd() (the doorbell); it polls procconn_lazy_fd() (the
 * stream) too while procconn_busy() is 0, and while it is 1 calls
 * procconn_read() at least every PROCCONN_LAZY_MS instead (a busy node
 * would wake it per event).  Where the filters cannot be attached there is
 * one unfiltered socket, the stream: procconn_fd() is that socket,
 * procconn_lazy_fd() is -1, procconn_busy() always 0, and every event
 * wakes the caller.
 */
#ifndef P2P_PROCCONN_H
#define P2P_PROCCONN_H

#include <stdint.h>

/* the longest an event not watched waits for the caller while busy */
#define PROCCONN_LAZY_MS 20

/* the most pids procconn_watch() takes (the doorbell's filter fits) */
#define PROCCONN_WATCH_MAX 1024

enum procconn_what {
	PROCCONN_FORK = 1, /* pid = child, ppid = parent (thread group ids) */
	PROCCONN_EXEC,     /* pid has exec'd */
	PROCCONN_EXIT,     /* pid (a whole process, not a thread) exited */
	/*
	 * Not the kernel's: a read of the stream found less than a batch, so
	 * every event queued before it is given by the time the pid events
	 * it returned are (pid = how many follow, 0: none).  Given before
	 * those.  So what fn read from /proc before the previous
	 * PROCCONN_DRAINED (or before this one, when none follow) came after
	 * every event queued before that read: a fork that reused its pid
	 * has been given (resolver_events_drained).
	 */
	PROCCONN_DRAINED,
};

struct procconn_event {
	enum procconn_what what;
	int32_t pid;
	int32_t ppid;        /* PROCCONN_FORK only */
	uint64_t timestamp_ns; /* kernel's, CLOCK_MONOTONIC based */
};

struct procconn_stats {
	uint64_t events;      /* fork+exec+exit delivered */
	uint64_t forks, execs, exits;
	uint64_t overruns;    /* ENOBUFS: the kernel dropped events */
	uint64_t bad;         /* messages that did not parse */
	uint64_t datagrams;   /* received on the stream */
	uint64_t doorbells;   /* received on the doorbell (thrown away) */
	uint64_t watch_updates; /* doorbell filters attached */
	uint64_t ignored;     /* well formed, not reported: thread events,
			       * uid/gid/comm/... kinds; 0 with the filters */
};

typedef void (*procconn_fn)(void *ctx, const struct procconn_event *ev);

struct procconn;

/*
 * procconn_open - open and subscribe (PROC_CN_MCAST_LISTEN).
 * Returns 0 and *ret, or -errno (-EPERM without CAP_NET_ADMIN,
 * -EPROTONOSUPPORT when the kernel lacks the connector).  A kernel that
 * refuses the filters gives the one-socket fallback, not an error.
 */
int procconn_open(struct procconn **ret);
void procconn_close(struct procconn *pc);

/* The doorbell (the one socket in the fallback): always poll it. */
int procconn_fd(const struct procconn *pc);

/* The stream, or -1 in the fallback. */
int procconn_lazy_fd(const struct procconn *pc);

/*
 * procconn_watch - ring the doorbell for the execs of these n pids (at
 * most PROCCONN_WATCH_MAX) and the forks they make; all == 1: for every
 * exec and fork.  Replaces the last list at once (events queued before
 * it are rung by the old one).  A no-op in the fallback.  0 or -errno.
 */
int procconn_watch(struct procconn *pc, const int32_t *pids, size_t n, int all);

/*
 * procconn_busy - 1 when the last procconn_read() found events on the
 * stream: more are likely, so do not poll the stream (each would wake the
 * caller) but call procconn_read() within PROCCONN_LAZY_MS.
 */
int procconn_busy(const struct procconn *pc);

/* 1 when the two kernel-filtered sockets are in use, 0 in the fallback. */
int procconn_filtered(const struct procconn *pc);

/*
 * procconn_read - drain the doorbell and read what is queued on the stream
 * (never blocks; one call is bounded) and call fn for each fork/exec/exit
 * event, in kernel order.  Thread forks and thread exits (tid != tgid) are not
 * reported; fn must not call procconn_read().  Returns the events delivered, or -errno (-ENOBUFS is counted
 * as an overrun and reading goes on: events were lost, so callers must not
 * trust "no exit seen" for the time being).
 */
int procconn_read(struct procconn *pc, procconn_fn fn, void *ctx);

const struct procconn_stats *procconn_stats(const struct procconn *pc);

#endif
