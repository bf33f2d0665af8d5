/*
 * procconn.h - the kernel's process connector (NETLINK_CONNECTOR,
 * CN_IDX_PROC): fork, exec and exit of every process, as they happen.
 *
 * It lets the resolver read a new process's cgroup at its exec, before a
 * short-lived process is gone, and tell a reused pid from its predecessor.
 * Subscribing needs CAP_NET_ADMIN (root): do it before dropping
 * capabilities.  Non-blocking: the caller polls procconn_fd() and calls
 * procconn_read() when it is readable.
 */
#ifndef P2P_PROCCONN_H
#define P2P_PROCCONN_H

#include <stdint.h>

enum procconn_what {
	PROCCONN_FORK = 1, /* pid = child, ppid = parent (thread group ids) */
	PROCCONN_EXEC,     /* pid has exec'd */
	PROCCONN_EXIT,     /* pid (a whole process, not a thread) exited */
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
};

typedef void (*procconn_fn)(void *ctx, const struct procconn_event *ev);

struct procconn;

/*
 * procconn_open - open and subscribe (PROC_CN_MCAST_LISTEN).
 * Returns 0 and *ret, or -errno (-EPERM without CAP_NET_ADMIN,
 * -EPROTONOSUPPORT when the kernel lacks the connector).
 */
int procconn_open(struct procconn **ret);
void procconn_close(struct procconn *pc);
int procconn_fd(const struct procconn *pc);

/*
 * procconn_read - read what is queued (never blocks) and call fn for each
 * fork/exec/exit event, in kernel order.  Thread forks and thread exits
 * (tid != tgid) are not reported.  Returns the events delivered, or -errno
 * (-ENOBUFS is counted as an overrun and reading goes on: events were lost,
 * so callers must not trust "no exit seen" for the time being).
 */
int procconn_read(struct procconn *pc, procconn_fn fn, void *ctx);

const struct procconn_stats *procconn_stats(const struct procconn *pc);

#endif
