/*
 * procconn_sock.c - the process connector's sockets (see procconn_sock.h):
 * the kernel filters that keep thread events and the other kinds out of
 * userspace and put execs and forks/exits on sockets of their own.
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

#include "procconn_sock.h"
#include "util.h"

#define PROCCONN_RCVBUF (8 * 1024 * 1024)

/*
 * Where the filters look.  A socket filter sees the packet from the
 * nlmsghdr: nlmsghdr, cn_msg, then the proc_event (the asserts pin the
 * layout every arch shares, so a header surprise fails the build).
 */
#define OFF_PE(m) (NLMSG_HDRLEN + sizeof(struct cn_msg) + \
		   offsetof(struct proc_event, m))
#define OFF_WHAT OFF_PE(what)
#define OFF_FORK_PID OFF_PE(event_data.fork.child_pid)
#define OFF_FORK_TGID OFF_PE(event_data.fork.child_tgid)
#define OFF_EXIT_PID OFF_PE(event_data.exit.process_pid)
#define OFF_EXIT_TGID OFF_PE(event_data.exit.process_tgid)
_Static_assert(NLMSG_HDRLEN == 16 && sizeof(struct cn_msg) == 20,
	       "the proc_event starts at 36");
_Static_assert(OFF_WHAT == 36 && OFF_PE(event_data) == 52,
	       "proc_event.what at 36, event_data at 52");
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

/*
 * The kernel filter of a kind of socket.  BPF_ABS loads are big-endian,
 * so `what` is compared with htonl(); a pid equality compares two loads
 * and needs no swap.  Built at run time: htonl() is no constant.
 */
static int attach_filter(int fd, enum sock_kind kind)
{
	struct sock_filter now[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_WHAT),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXEC), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter lazy[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_WHAT),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_FORK), 0, 4),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_FORK_PID),
		/* 3 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_FORK_TGID),
		/* 5 */ BPF_STMT(BPF_JMP | BPF_JA, 4),           /* to 10 */
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXIT), 0, 5),
		/* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_EXIT_PID),
		/* 8 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_EXIT_TGID),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), /* pid == tgid */
		/* 11 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		/* 12 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { ARRAY_SIZE(now), now };

	if (kind == SOCK_PLAIN)
		return 0;
	if (kind == SOCK_LAZY)
		prog = (struct sock_fprog){ ARRAY_SIZE(lazy), lazy };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
		return -errno;
	return 0;
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
	/* as root the kernel's rmem_max does not apply */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	/* the filter before bind, so that not one event slips past it */
	e = attach_filter(fd, kind);
	if (e == 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		e = -errno;
	if (e < 0) {
		close(fd);
		return e;
	}
	*ret_fd = fd;
	return 0;
}
