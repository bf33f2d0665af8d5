/*
 * procconn.c - the process connector (see procconn.h).
 *
 * One netlink datagram socket bound to the CN_IDX_PROC multicast group.
 * Each datagram holds one or more netlink messages, each a cn_msg wrapping
 * a struct proc_event; every length is checked before anything is read, so
 * a short or inconsistent message is counted and skipped.  The receive
 * buffer is enlarged so a burst of execs does not overflow it; when it does
 * (ENOBUFS) the overrun is counted and the caller told to distrust.
 */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procconn.h"

#define PROCCONN_RCVBUF (8 * 1024 * 1024)
#define PROCCONN_RECV_MAX 65536

struct procconn {
	int fd;
	struct procconn_stats st;
	char buf[PROCCONN_RECV_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
};

/* PROC_CN_MCAST_LISTEN or _IGNORE to the kernel. */
static int send_op(int fd, enum proc_cn_mcast_op op)
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

int procconn_open(struct procconn **ret)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = CN_IDX_PROC };
	int size = PROCCONN_RCVBUF, e;
	struct procconn *pc;

	pc = calloc(1, sizeof *pc);
	if (!pc)
		return -ENOMEM;
	pc->fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_CONNECTOR);
	if (pc->fd < 0) {
		e = -errno;
		free(pc);
		return e;
	}
	/* as root the kernel's rmem_max does not apply */
	if (setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof size) < 0)
		setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (bind(pc->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    (e = send_op(pc->fd, PROC_CN_MCAST_LISTEN)) < 0) {
		e = -errno;
		close(pc->fd);
		free(pc);
		return e ? e : -EIO;
	}
	*ret = pc;
	return 0;
}

void procconn_close(struct procconn *pc)
{
	if (!pc)
		return;
	send_op(pc->fd, PROC_CN_MCAST_IGNORE);
	close(pc->fd);
	free(pc);
}

int procconn_fd(const struct procconn *pc)
{
	return pc->fd;
}

const struct procconn_stats *procconn_stats(const struct procconn *pc)
{
	return &pc->st;
}

/*
 * One proc_event of len bytes at raw: deliver it when it is one we report.
 * The event sits 4-byte aligned in the datagram while struct proc_event
 * wants 8: it is copied into an aligned local first.
 */
static int deliver(struct procconn *pc, const void *raw, size_t len,
		   procconn_fn fn, void *ctx)
{
	struct proc_event copy, *pe = &copy;
	size_t head = offsetof(struct proc_event, event_data);
	struct procconn_event ev;

	memset(&copy, 0, sizeof copy);
	memcpy(&copy, raw, len < sizeof copy ? len : sizeof copy);
	memset(&ev, 0, sizeof ev);
	ev.timestamp_ns = pe->timestamp_ns;

	switch (pe->what) {
	case PROC_EVENT_FORK:
		if (len < head + sizeof pe->event_data.fork)
			goto bad;
		if (pe->event_data.fork.child_pid !=
		    pe->event_data.fork.child_tgid)
			return 0; /* a thread */
		ev.what = PROCCONN_FORK;
		ev.pid = pe->event_data.fork.child_tgid;
		ev.ppid = pe->event_data.fork.parent_tgid;
		pc->st.forks++;
		break;
	case PROC_EVENT_EXEC:
		if (len < head + sizeof pe->event_data.exec)
			goto bad;
		ev.what = PROCCONN_EXEC;
		ev.pid = pe->event_data.exec.process_tgid;
		pc->st.execs++;
		break;
	case PROC_EVENT_EXIT:
		/* older kernels send a shorter exit event: need the pids only */
		if (len < head + 2 * sizeof(__kernel_pid_t))
			goto bad;
		if (pe->event_data.exit.process_pid !=
		    pe->event_data.exit.process_tgid)
			return 0; /* a thread */
		ev.what = PROCCONN_EXIT;
		ev.pid = pe->event_data.exit.process_tgid;
		pc->st.exits++;
		break;
	default:
		return 0; /* uid, gid, sid, ptrace, comm, coredump, ack */
	}
	pc->st.events++;
	fn(ctx, &ev);
	return 1;
bad:
	pc->st.bad++;
	return 0;
}

/*
 * procconn_parse - deliver the events of one datagram (buf, len).
 * Exported for the tests only (not in procconn.h): it is fed crafted
 * datagrams there.  Returns the events delivered.
 */
int procconn_parse(struct procconn *pc, const void *buf, size_t len,
		   procconn_fn fn, void *ctx);
int procconn_parse(struct procconn *pc, const void *buf, size_t len,
		   procconn_fn fn, void *ctx)
{
	const char *p = buf;
	int n = 0;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nl = (const void *)p;
		const struct cn_msg *cn;
		size_t mlen = nl->nlmsg_len, step;

		if (mlen < sizeof *nl || mlen > len) {
			pc->st.bad++;
			break;
		}
		step = NLMSG_ALIGN(mlen);
		if (nl->nlmsg_type == NLMSG_NOOP || nl->nlmsg_type == NLMSG_ERROR)
			goto next;
		if (mlen < NLMSG_LENGTH(sizeof *cn)) {
			pc->st.bad++;
			goto next;
		}
		cn = NLMSG_DATA(nl);
		if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC ||
		    cn->len > mlen - NLMSG_LENGTH(sizeof *cn) ||
		    cn->len < offsetof(struct proc_event, event_data)) {
			pc->st.bad++;
			goto next;
		}
		n += deliver(pc, cn->data, cn->len, fn, ctx);
next:
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

int procconn_read(struct procconn *pc, procconn_fn fn, void *ctx)
{
	int total = 0;

	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(pc->fd, pc->buf, sizeof pc->buf,
				     MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				pc->st.overruns++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return total;
			return -errno;
		}
		if (fl < sizeof from || from.nl_pid != 0) {
			pc->st.bad++; /* only the kernel speaks here */
			continue;
		}
		total += procconn_parse(pc, pc->buf, (size_t)n, fn, ctx);
	}
}
