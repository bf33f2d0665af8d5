/*
 * procconn.c - the process connector (see procconn.h).
 *
 * Two netlink datagram sockets bound to the CN_IDX_PROC multicast group,
 * each with a classic BPF filter (procconn_sock.c) so that the kernel drops what a socket is
 * not for: "now" passes execs, "lazy" forks and exits of whole processes.
 * Thread events, most of the traffic on a busy node, never reach userspace
 * and execs alone wake the caller.  Where a filter cannot be attached there
 * is one unfiltered socket, as before: never two, which would deliver every
 * event twice.  Here: reading both, merging them in kernel order.
 *
 * Each datagram holds one or more netlink messages, each a cn_msg wrapping
 * a struct proc_event; every length is checked before anything is read, so
 * a short or inconsistent message is counted and skipped, and what the
 * filters decided is checked again (a kernel that ignored them still gives
 * right results).  The receive buffers are enlarged so a burst of execs
 * does not overflow them; when one does (ENOBUFS) the overrun is counted
 * and the caller told to distrust.
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
#include "procconn_sock.h"
#include "util.h"

#define PROCCONN_BATCH 64        /* datagrams per recvmmsg */
#define PROCCONN_DGRAM_MAX 512   /* the kernel's are 76 bytes: one event */
#define PROCCONN_ROUNDS_MAX 64   /* recvmmsg rounds per procconn_read */
#define PROCCONN_RETRY_MAX 8     /* EINTR/ENOBUFS retries of one recvmmsg */

/*
 * How many events one datagram can carry: the shortest message that
 * delivers one is an exit with its two pids (see deliver()).  A side's
 * array holds a batch held back from the previous round and a new one.
 */
#define MSG_MIN NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct cn_msg) + \
		offsetof(struct proc_event, event_data) + 2 * sizeof(__kernel_pid_t)))
#define BATCH_EV (PROCCONN_BATCH * (PROCCONN_DGRAM_MAX / MSG_MIN))
#define SIDE_EV_MAX (2 * BATCH_EV)

/* One socket and its events parsed and not yet delivered, in kernel order. */
struct side {
	int fd;
	int more;            /* its last batch came back full: more queued */
	uint64_t last_ns;    /* latest timestamp read from it in this call */
	uint64_t lost;       /* events with no room (cannot happen; counted) */
	size_t n;
	struct procconn_event ev[SIDE_EV_MAX];
};

/* recvmmsg's vectors, pointed at their buffers once (batch_init); each
 * socket's round refills the buffers. */
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
	struct procconn_stats st;
	struct side now, lazy;  /* lazy.fd is -1 in the fallback */
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

int procconn_open(struct procconn **ret)
{
	struct procconn *pc;
	int e;

	pc = calloc(1, sizeof *pc);
	if (!pc)
		return -ENOMEM;
	pc->now.fd = pc->lazy.fd = -1;
	batch_init(&pc->b);
	if (procconn_sock_open(SOCK_NOW, &pc->now.fd) == 0 &&
	    procconn_sock_open(SOCK_LAZY, &pc->lazy.fd) == 0) {
		pc->filtered = 1;
	} else {
		/* one unfiltered socket; a real error (EPERM) shows again */
		close_fd(&pc->now.fd);
		close_fd(&pc->lazy.fd);
		e = procconn_sock_open(SOCK_PLAIN, &pc->now.fd);
		if (e < 0) {
			free(pc);
			return e;
		}
	}
	e = procconn_send_op(pc->now.fd, PROC_CN_MCAST_LISTEN);
	if (e == 0 && pc->lazy.fd >= 0) {
		e = procconn_send_op(pc->lazy.fd, PROC_CN_MCAST_LISTEN);
		if (e < 0) /* the listener count is the kernel's: give it back */
			procconn_send_op(pc->now.fd, PROC_CN_MCAST_IGNORE);
	}
	if (e < 0) {
		close_fd(&pc->now.fd);
		close_fd(&pc->lazy.fd);
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
	if (pc->lazy.fd >= 0)
		procconn_send_op(pc->lazy.fd, PROC_CN_MCAST_IGNORE);
	procconn_send_op(pc->now.fd, PROC_CN_MCAST_IGNORE);
	close_fd(&pc->lazy.fd);
	close_fd(&pc->now.fd);
	free(pc);
}

int procconn_fd(const struct procconn *pc)
{
	return pc->now.fd;
}

int procconn_lazy_fd(const struct procconn *pc)
{
	return pc->lazy.fd;
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
 * procconn_merge - call fn for the events of now (n_now, from the now
 * socket) and lazy (n_lazy) in timestamp order, and return how many.
 * Exported for the tests only, as procconn_parse.  A two-way merge: each
 * side's own order is kept as it is, even where its timestamps are not
 * monotonic (events of two CPUs); on equal timestamps now's event comes
 * first, the exec being the urgent one.
 */
int procconn_merge(const struct procconn_event *now, size_t n_now,
		   const struct procconn_event *lazy, size_t n_lazy,
		   procconn_fn fn, void *ctx);
int procconn_merge(const struct procconn_event *now, size_t n_now,
		   const struct procconn_event *lazy, size_t n_lazy,
		   procconn_fn fn, void *ctx)
{
	size_t i = 0, j = 0;

	while (i < n_now || j < n_lazy) {
		if (j == n_lazy || (i < n_now &&
				    now[i].timestamp_ns <= lazy[j].timestamp_ns))
			fn(ctx, &now[i++]);
		else
			fn(ctx, &lazy[j++]);
	}
	return (int)(n_now + n_lazy);
}

/* procconn_parse's fn while reading: onto the side's array. */
static void collect(void *ctx, const struct procconn_event *ev)
{
	struct side *sd = ctx;

	if (sd->n == SIDE_EV_MAX) {
		sd->lost++;
		return;
	}
	sd->ev[sd->n++] = *ev;
	if (ev->timestamp_ns > sd->last_ns)
		sd->last_ns = ev->timestamp_ns;
}

/*
 * One recvmmsg on sd's socket, what came parsed onto sd->ev.  Returns the
 * datagrams received (0: the socket is empty) or -errno.
 */
static int read_side(struct procconn *pc, struct side *sd)
{
	struct batch *b = &pc->b;
	int n, tries = 0;

	while ((n = recvmmsg(sd->fd, b->mh, PROCCONN_BATCH, MSG_DONTWAIT,
			     NULL)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == ENOBUFS)
			pc->st.overruns++; /* and the queue is still there */
		else if (errno != EINTR)
			return -errno;
		if (++tries == PROCCONN_RETRY_MAX)
			return 0;
	}
	for (int i = 0; i < n; i++) {
		struct msghdr *m = &b->mh[i].msg_hdr;
		int from_kernel = m->msg_namelen >= sizeof b->from[i] &&
				  b->from[i].nl_pid == 0;

		/* the only field recvmmsg changes that it also reads */
		m->msg_namelen = sizeof b->from[i];
		pc->st.datagrams++;
		/* cut short, or not from the kernel: only the kernel speaks here */
		if ((m->msg_flags & MSG_TRUNC) || !from_kernel) {
			pc->st.bad++;
			continue;
		}
		procconn_parse(pc, b->buf[i], b->mh[i].msg_len, collect, sd);
	}
	pc->st.overruns += sd->lost;
	sd->lost = 0;
	return n;
}

/* The leading events of sd that are not after limit_ns. */
static size_t upto(const struct side *sd, uint64_t limit_ns)
{
	size_t i = 0;

	while (i < sd->n && sd->ev[i].timestamp_ns <= limit_ns)
		i++;
	return i;
}

static void drop(struct side *sd, size_t k)
{
	memmove(sd->ev, sd->ev + k, (sd->n - k) * sizeof sd->ev[0]);
	sd->n -= k;
}

/*
 * Deliver what both sides hold, merged; all of it when all is set.
 * Otherwise a side whose batch came back full has more queued, newer than
 * its last_ns: the other side's events after that wait for the next round,
 * or a fork still queued on the lazy socket would come after its child's
 * exec (or an exec still queued on the now socket after the exit).
 */
static int flush(struct procconn *pc, int all, procconn_fn fn, void *ctx)
{
	struct side *now = &pc->now, *lazy = &pc->lazy;
	size_t cn = all || !lazy->more ? now->n : upto(now, lazy->last_ns);
	size_t cl = all || !now->more ? lazy->n : upto(lazy, now->last_ns);
	int n = procconn_merge(now->ev, cn, lazy->ev, cl, fn, ctx);

	drop(now, cn);
	drop(lazy, cl);
	return n;
}

/*
 * Why "now first, then lazy, then merge" keeps causal order.  The now
 * socket is drained at T1, the lazy one just after at T2.  A process's
 * fork event is queued before the child first runs, so every fork that
 * precedes a drained exec is already queued on the lazy socket when that
 * is drained, and the merge by timestamp puts it before the exec.  An exit
 * after a drained exec is drained too (and merged after it) or left for
 * the next call.  A fork or exit queued between T1 and T2 is delivered now
 * while an exec of that window waits for the next call; that inverts only
 * an exec followed by its own exit (or its child's fork) within those few
 * microseconds, which a real process cannot do (a reader preempted between
 * the two drains widens the window, but is then late for that exec's
 * cgroup read anyway, as one socket was).  Lazy first would invert
 * instead a fork and the child's exec racing the read.  A batch that comes
 * back full leaves its socket undrained: flush() holds the other side's
 * newer events back until the next round.
 */
int procconn_read(struct procconn *pc, procconn_fn fn, void *ctx)
{
	struct side *sides[2] = { &pc->now, &pc->lazy };
	int total = 0, lazy_got = 0, e = 0, done = 0;

	pc->now.last_ns = pc->lazy.last_ns = 0;
	for (int round = 0; !done; round++) {
		for (int s = 0; s < 2 && e == 0; s++) {
			struct side *sd = sides[s];
			int n;

			if (sd->fd < 0)
				continue;
			if (sd->n > SIDE_EV_MAX - BATCH_EV) {
				sd->more = 1; /* no room: read it next round */
				continue;
			}
			n = read_side(pc, sd);
			if (n < 0) {
				e = n;
				break;
			}
			sd->more = n == PROCCONN_BATCH;
			if (sd == &pc->lazy && n > 0)
				lazy_got = 1;
		}
		/* the last round takes everything: held events never
		 * outlive a call */
		done = e < 0 || round == PROCCONN_ROUNDS_MAX - 1 ||
		       (!pc->now.more && !pc->lazy.more);
		total += flush(pc, done, fn, ctx);
	}
	pc->now.more = pc->lazy.more = 0;
	pc->busy = lazy_got;
	return e < 0 ? e : total;
}
