/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procconn_sock.h - the process connector's sockets (procconn_sock.c), for
 * procconn.c only: one netlink socket bound to CN_IDX_PROC with the kernel
 * filter of its kind, and the subscribe/unsubscribe message.
 */
#ifndef P2P_PROCCONN_SOCK_H
#define P2P_PROCCONN_SOCK_H

#include <linux/cn_proc.h>

#include <stddef.h>
#include <stdint.h>

#include "resolve/procconn.h"

enum sock_kind {
	PCS_PLAIN,    /* unfiltered: everything (the fallback) */
	PCS_STREAM,   /* execs, and forks and exits of whole processes */
	PCS_DOORBELL, /* the watched pids' execs and forks (a wakeup) */
};

/* A connector socket of kind, bound, not yet subscribed: 0 or -errno. */
int procconn_sock_open(enum sock_kind kind, int *ret_fd);

/*
 * procconn_sock_watch - the doorbell fd's filter for n pids (at most
 * PROCCONN_WATCH_MAX), or for every exec and fork when all is set.
 * 0 or -errno.
 */
int procconn_sock_watch(int fd, const int32_t *pid, size_t n, int all);

/* PROC_CN_MCAST_LISTEN or _IGNORE on fd: 0 or -errno. */
int procconn_send_op(int fd, enum proc_cn_mcast_op op);

#endif
