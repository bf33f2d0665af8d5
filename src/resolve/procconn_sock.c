/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procconn_sock.c - the process connector's sockets (see procconn_sock.h):
 * the kernel filters that keep thread events and the other kinds out of
 * userspace (the stream), and the doorbell's, which passes only the
 * events of the watched pids.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "resolve/procconn_sock.h"

#define PROCCONN_RCVBUF (8 * 1024 * 1024)

/*
 * Where the filters look.  A socket filter sees the packet from the
 * nlmsghdr: nlmsghdr, cn_msg, then the proc_event (the asserts pin the
 * layout every arch shares, so a header surprise fails the build).
 */
#define OFF_PE(m) (NLMSG_HDRLEN + sizeof(struct cn_msg) + \
		   offsetof(struct proc_event, m))
#define OFF_WHAT OFF_PE(what)
#define OFF_EXEC_TGID OFF_PE(event_data.exec.process_tgid)
#define OFF_FORK_PARENT_TGID OFF_PE(event_data.fork.parent_tgid)
#define OFF_FORK_PID OFF_PE(event_data.fork.child_pid)
#define OFF_FORK_TGID OFF_PE(event_data.fork.child_tgid)
#define OFF_EXIT_PID OFF_PE(event_data.exit.process_pid)
#define OFF_EXIT_TGID OFF_PE(event_data.exit.process_tgid)
_Static_assert(NLMSG_HDRLEN == 16 && sizeof(struct cn_msg) == 20,
	       "the proc_event starts at 36");
_Static_assert(OFF_WHAT == 36 && OFF_PE(event_data) == 52,
	       "proc_event.what at 36, event_data at 52");
_Static_assert(OFF_EXEC_TGID == 56 && OFF_FORK_PARENT_TGID == 56,
	       "exec: process_tgid at 56; fork: parent_tgid at 56");
_Static_assert(OFF_FORK_PID == 60 && OFF_FORK_TGID == 64,
	       "fork: child_pid at 60, child_tgid at 64");
_Static_assert(OFF_EXIT_PID == 52 && OFF_EXIT_TGID == 56,
	       "exit: process_pid at 52, process_tgid at 56");

/* PROC_CN_MCAST_LISTEN or _IGNORE to the kernel. */
int procconn_send_op(int fd, enum proc_cn_mcast_op op)
{
	/* nlmsghdr, cn_msg (whose data[] is the op), the op: laid out by hand
	 * because cn_msg ends in a flexible array */
	char msg[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof op)]
		__attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nl = (struct nlmsghdr *)msg;
	struct cn_msg *cn = NLMSG_DATA(nl);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(msg, 0, sizeof msg);
	nl->nlmsg_len = sizeof msg;
	nl->nlmsg_type = NLMSG_DONE;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof op;
	memcpy(cn->data, &op, sizeof op);
	if (sendto(fd, msg, sizeof msg, 0, (struct sockaddr *)&to,
		   sizeof to) < 0)
		return -errno;
	return 0;
}

#define PASS BPF_STMT(BPF_RET | BPF_K, 0xffffffff)
#define DROP BPF_STMT(BPF_RET | BPF_K, 0)
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ_K(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))

/* Attach (or replace: the kernel swaps it atomically) fd's filter. */
static int set_filter(int fd, struct sock_filter *insn, size_t n)
{
	struct sock_fprog prog = { (unsigned short)n, insn };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
		return -errno;
	return 0;
}

/*
 * The stream's filter: execs, and forks and exits of whole processes.
 * BPF_ABS loads are big-endian, so `what` is compared with htonl(); a pid
 * equality compares two loads and needs no swap.  Built at run time:
 * htonl() is no constant.
 */
static int stream_filter(int fd)
{
	struct sock_filter insn[] = {
		/* 0 */ LD(OFF_WHAT),
		/* 1 */ JEQ_K(htonl(PROC_EVENT_EXEC), 0, 1),
		/* 2 */ PASS,
		/* 3 */ JEQ_K(htonl(PROC_EVENT_FORK), 0, 4),
		/* 4 */ LD(OFF_FORK_PID),
		/* 5 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 6 */ LD(OFF_FORK_TGID),
		/* 7 */ BPF_STMT(BPF_JMP | BPF_JA, 4),           /* to 12 */
		/* 8 */ JEQ_K(htonl(PROC_EVENT_EXIT), 0, 5),
		/* 9 */ LD(OFF_EXIT_PID),
		/* 10 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 11 */ LD(OFF_EXIT_TGID),
		/* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), /* pid == tgid */
		/* 13 */ PASS,
		/* 14 */ DROP,
	};

	return set_filter(fd, insn, ARRAY_SIZE(insn));
}

/* pids compared per block of the doorbell: a jump reaches 255 ahead */
#define BLOCK 250
#define DOORBELL_HEAD 11
#define DOORBELL_INSNS(n) (DOORBELL_HEAD + (n) + 2 * (((n) + BLOCK - 1) / BLOCK) + 1)
_Static_assert(DOORBELL_INSNS(PROCCONN_WATCH_MAX) <= BPF_MAXINSNS,
	       "the doorbell of a full watch list fits one filter");

/*
 * The doorbell's filter: the exec of a pid in the list, or a fork (of a
 * process) whose parent is in it; all == 1 passes every exec and fork.
 * The pids are compared one by one, in blocks that end in a PASS their
 * jumps can reach.
 */
int procconn_sock_watch(int fd, const int32_t *pid, size_t n, int all)
{
	struct sock_filter insn[DOORBELL_INSNS(PROCCONN_WATCH_MAX)] = {
		/* 0 */ LD(OFF_WHAT),
		/* 1 */ JEQ_K(htonl(PROC_EVENT_EXEC), 0, 2),
		/* 2 */ LD(OFF_EXEC_TGID),
		/* 3 */ BPF_STMT(BPF_JMP | BPF_JA, 7),           /* to 11 */
		/* 4 */ JEQ_K(htonl(PROC_EVENT_FORK), 0, 4),
		/* 5 */ LD(OFF_FORK_PID),
		/* 6 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 7 */ LD(OFF_FORK_TGID),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0), /* a process */
		/* 9 */ DROP,
		/* 10 */ LD(OFF_FORK_PARENT_TGID),
		/* 11: the list */
	};
	size_t k = DOORBELL_HEAD;

	if (n > PROCCONN_WATCH_MAX)
		return -E2BIG;
	if (all) {
		insn[k++] = (struct sock_filter)PASS;
		return set_filter(fd, insn, k);
	}
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t m = n - i < BLOCK ? n - i : BLOCK;

		for (size_t j = 0; j < m; j++)
			insn[k++] = (struct sock_filter)JEQ_K(
				htonl((uint32_t)pid[i + j]), (uint8_t)(m - j), 0);
		insn[k++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
		insn[k++] = (struct sock_filter)PASS;
	}
	insn[k++] = (struct sock_filter)DROP;
	return set_filter(fd, insn, k);
}

/* A connector socket of kind, bound to the group (not yet subscribed). */
int procconn_sock_open(enum sock_kind kind, int *ret_fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = CN_IDX_PROC };
	int size = PROCCONN_RCVBUF, fd, e;

	fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	/* as root the kernel's rmem_max does not apply; the doorbell's
	 * overflow loses nothing (the stream holds its events too) */
	if (kind != PCS_DOORBELL &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	/* the filter before bind, so that not one event slips past it */
	e = 0;
	if (kind == PCS_STREAM)
		e = stream_filter(fd);
	else if (kind == PCS_DOORBELL)
		e = procconn_sock_watch(fd, NULL, 0, 0);
	if (e == 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		e = -errno;
	if (e < 0) {
		close(fd);
		return e;
	}
	*ret_fd = fd;
	return 0;
}
