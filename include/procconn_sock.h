/*
 * procconn_sock.h - the process connector's sockets (procconn_sock.c), for
 * procconn.c only: one netlink socket bound to CN_IDX_PROC with the kernel
 * filter of its kind, and the subscribe/unsubscribe message.
 */
#ifndef P2P_PROCCONN_SOCK_H
#define P2P_PROCCONN_SOCK_H

#include <linux/cn_proc.h>

enum sock_kind {
	SOCK_PLAIN, /* unfiltered: everything (the fallback) */
	SOCK_NOW,   /* execs only */
	SOCK_LAZY,  /* forks and exits of whole processes */
};

/* A connector socket of kind, bound, not yet subscribed: 0 or -errno. */
int procconn_sock_open(enum sock_kind kind, int *ret_fd);

/* PROC_CN_MCAST_LISTEN or _IGNORE on fd: 0 or -errno. */
int procconn_send_op(int fd, enum proc_cn_mcast_op op);

#endif
