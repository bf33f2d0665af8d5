/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procconn.c - the process connector (see procconn.h).
 *
 * Two netlink datagram sockets bound to the CN_IDX_PROC multicast group,
 * each with a classic BPF filter (procconn_sock.c).  The stream passes
 * execs, forks and exits of whole processes (thread events, most of the
 * traffic on a busy node, never reach userspace); it alone is delivered,
 * in kernel order.  The doorbell passes only the events of the watched
 * pids (procconn_watch): it is drained and thrown away, its job is to wake
 * the caller.  Where a filter cannot be attached there is one unfiltered
 * socket, the stream, always polled, as before.
 *
 * Each datagram holds one or more netlink messages, each a cn_msg wrapping
 * a struct proc_event; every length is checked before anything is read, so
 * a short or inconsistent message is counted and skipped, and what the
 * filter decided is checked again (a kernel that ignored it still gives
 * right results).  The stream's receive buffer is enlarged so a burst
 * between two reads does not overflow it; when one does (ENOBUFS) the
 * overrun is counted and the caller told to distrust.
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

#include "common/util.h"
#include "resolve/procconn.h"
#include "resolve/procconn_sock.h"

#define PROCCONN_BATCH 64        /* datagrams per recvmmsg */
#define PROCCONN_DGRAM_MAX 512   /* the kernel's are 76 bytes: one event */
#define PROCCONN_ROUNDS_MAX 64   /* recvmmsg rounds per procconn_read */
#define PROCCONN_SHORT_MAX 4     /* short rounds per procconn_read */
#define PROCCONN_RETRY_MAX 8     /* EINTR/ENOBUFS retries of one recvmmsg */

/* recvmmsg's vectors, pointed at their buffers once (batch_init); each
 * round refills the buffers. */
struct batch {
	struct mmsghdr mh[PROCCONN_BATCH];
	struct iovec iov[PROCCONN_BATCH];
	struct sockaddr_nl from[PROCCONN_BATCH];
	char buf[PROCCONN_BATCH][PROCCONN_DGRAM_MAX]
		__attribute__((aligned(NLMSG_ALIGNTO)));
};

struct procconn {
	int filtered;
	int busy;
	int stopped;  /* read_round gave up retrying (not empty) */
	struct procconn_stats st;
	int fd;       /* the stream (the one plain socket in the fallback) */
	int bell_fd;  /* the doorbell; -1 in the fallback */
	struct batch b;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void batch_init(struct batch *b)
{
	for (int i = 0; i < PROCCONN_BATCH; i++) {
		b->iov[i] = (struct iovec){ b->buf[i], sizeof b->buf[i] };
		b->mh[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &b->from[i],
			.msg_namelen = sizeof b->from[i],
			.msg_iov = &b->iov[i], .msg_iovlen = 1 } };
	}
}

/*
 * The doorbell is bound first: the kernel puts a group's newest socket at
 * the head of its list and delivers an event down that list, so the stream
 * holds an event before the doorbell rings for it.
 */
int procconn_open(struct procconn **ret)
{
	struct procconn *pc;
	int e;

	pc = calloc(1, sizeof *pc);
	if (!pc)
		return -ENOMEM;
	pc->fd = pc->bell_fd = -1;
	batch_init(&pc->b);
	if (procconn_sock_open(PCS_DOORBELL, &pc->bell_fd) == 0 &&
	    procconn_sock_open(PCS_STREAM, &pc->fd) == 0) {
		pc->filtered = 1;
	} else {
		/* one unfiltered socket; a real error (EPERM) shows again */
		close_fd(&pc->fd);
		close_fd(&pc->bell_fd);
		e = procconn_sock_open(PCS_PLAIN, &pc->fd);
		if (e < 0) {
			free(pc);
			return e;
		}
	}
	e = procconn_send_op(pc->fd, PROC_CN_MCAST_LISTEN);
	if (e == 0 && pc->bell_fd >= 0) {
		e = procconn_send_op(pc->bell_fd, PROC_CN_MCAST_LISTEN);
		if (e < 0) /* the listener count is the kernel's: give it back */
			procconn_send_op(pc->fd, PROC_CN_MCAST_IGNORE);
	}
	if (e < 0) {
		close_fd(&pc->fd);
		close_fd(&pc->bell_fd);
		free(pc);
		return e;
	}
	*ret = pc;
	return 0;
}

void procconn_close(struct procconn *pc)
{
	if (!pc)
		return;
	if (pc->bell_fd >= 0)
		procconn_send_op(pc->bell_fd, PROC_CN_MCAST_IGNORE);
	procconn_send_op(pc->fd, PROC_CN_MCAST_IGNORE);
	close_fd(&pc->bell_fd);
	close_fd(&pc->fd);
	free(pc);
}

int procconn_fd(const struct procconn *pc)
{
	return pc->filtered ? pc->bell_fd : pc->fd;
}

int procconn_watch(struct procconn *pc, const int32_t *pids, size_t n, int all)
{
	int e;

	if (!pc->filtered)
		return 0; /* the one socket wakes the caller for everything */
	e = procconn_sock_watch(pc->bell_fd, pids, n, all);
	if (e == 0)
		pc->st.watch_updates++;
	return e;
}

int procconn_lazy_fd(const struct procconn *pc)
{
	return pc->filtered ? pc->fd : -1;
}

int procconn_busy(const struct procconn *pc)
{
	return pc->busy;
}

int procconn_filtered(const struct procconn *pc)
{
	return pc->filtered;
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
			goto ignored; /* a thread */
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
			goto ignored; /* a thread */
		ev.what = PROCCONN_EXIT;
		ev.pid = pe->event_data.exit.process_tgid;
		pc->st.exits++;
		break;
	default:
		goto ignored; /* uid, gid, sid, ptrace, comm, coredump, ack */
	}
	pc->st.events++;
	fn(ctx, &ev);
	return 1;
ignored:
	pc->st.ignored++;
	return 0;
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
		if (nl->nlmsg_type == NLMSG_NOOP || nl->nlmsg_type == NLMSG_ERROR) {
			pc->st.ignored++;
			goto next;
		}
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

/*
 * One recvmmsg on fd.  The stream's datagrams are parsed and delivered;
 * the doorbell's (deliver == 0) only counted.  Returns the datagrams
 * received (0: the socket is empty) or -errno.
 */
static int read_round(struct procconn *pc, int fd, int deliver,
		      procconn_fn fn, void *ctx)
{
	struct batch *b = &pc->b;
	int n, tries = 0;

	while ((n = recvmmsg(fd, b->mh, PROCCONN_BATCH, MSG_DONTWAIT,
			     NULL)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			n = 0;
			break;
		}
		if (errno == ENOBUFS) {
			if (deliver) /* the doorbell's lose nothing */
				pc->st.overruns++;
		} else if (errno != EINTR) {
			return -errno;
		}
		if (++tries == PROCCONN_RETRY_MAX) {
			pc->stopped = 1;
			return 0;
		}
	}
	if (deliver && n < PROCCONN_BATCH) {
		/* short: what was queued before this call is in hand */
		struct procconn_event d = { .what = PROCCONN_DRAINED,
					    .pid = n };

		fn(ctx, &d);
	}
	for (int i = 0; i < n; i++) {
		struct msghdr *m = &b->mh[i].msg_hdr;
		int from_kernel = m->msg_namelen >= sizeof b->from[i] &&
				  b->from[i].nl_pid == 0;

		/* the only field recvmmsg changes that it also reads */
		m->msg_namelen = sizeof b->from[i];
		if (!deliver) {
			pc->st.doorbells++;
			continue;
		}
		pc->st.datagrams++;
		/* cut short, or not from the kernel: only the kernel speaks here */
		if ((m->msg_flags & MSG_TRUNC) || !from_kernel) {
			pc->st.bad++;
			continue;
		}
		procconn_parse(pc, b->buf[i], b->mh[i].msg_len, fn, ctx);
	}
	return n;
}

/*
 * The doorbell first, then the stream: everything the doorbell rang for
 * is on the stream by then (see procconn_open), so no ring is lost for an
 * event left unread.  Both are bounded: what a round cap leaves on the
 * stream waits for the next call (busy says to make it soon).  After a
 * short round the stream is read on until empty (a few rounds at most), so
 * that a PROCCONN_DRAINED speaks for the reads fn made for its events.
 */
int procconn_read(struct procconn *pc, procconn_fn fn, void *ctx)
{
	int n = 0, round, short_seen = 0;
	uint64_t ev0 = pc->st.events;

	if (pc->bell_fd >= 0)
		for (round = 0; round < PROCCONN_ROUNDS_MAX; round++) {
			n = read_round(pc, pc->bell_fd, 0, NULL, NULL);
			if (n < PROCCONN_BATCH)
				break;
		}
	if (n < 0)
		return n;
	pc->busy = 0;
	pc->stopped = 0;
	for (round = 0; round < PROCCONN_ROUNDS_MAX; round++) {
		n = read_round(pc, pc->fd, 1, fn, ctx);
		if (n < 0)
			return n;
		if (n > 0 && pc->filtered)
			pc->busy = 1;
		if (n == 0 || pc->stopped)
			break;
		/* after a short round read on until one finds nothing, so
		 * that the reads fn made are covered by a PROCCONN_DRAINED
		 * too; while events trickle in, at most PROCCONN_SHORT_MAX
		 * such rounds (the records wait meanwhile) */
		if (n < PROCCONN_BATCH && ++short_seen >= PROCCONN_SHORT_MAX)
			break;
	}
	return (int)(pc->st.events - ev0);
}
