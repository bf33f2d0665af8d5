/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_procconn.c - the process connector: real events from the kernel
 * (fork, exec, exit of a child in order; threads dropped by the kernel's
 * filter; the busy flag; a datagram from a userspace sender refused), the
 * doorbell (silent for pids not watched, ringing for a watched parent's
 * fork and a watched pid's exec, for all, for a list at its cap), and the
 * parser on crafted datagrams (every malformed one counted, nothing bogus
 * delivered).
 */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "resolve/procconn.h"

/* Exported by procconn.c for this test only. */
int procconn_parse(struct procconn *pc, const void *buf, size_t len,
		   procconn_fn fn, void *ctx);

/* room for what the whole machine does while a case drains */
#define EV_MAX 65536
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define THREADS 50
#define KIDS 200

struct seen {
	int n;
	struct procconn_event ev[EV_MAX];
};

static void collect(void *ctx, const struct procconn_event *ev)
{
	struct seen *s = ctx;

	if (ev->what == PROCCONN_DRAINED)
		return; /* fork_on_exit's case looks at those */
	if (s->n < EV_MAX)
		s->ev[s->n++] = *ev;
}

/* collect, and at the exit of trigger fork child (once): a fork made
 * while an event is handled */
struct forker {
	struct seen *s;
	pid_t trigger, child;
	int made_at;     /* events seen when the child was forked */
	int marks;       /* PROCCONN_DRAINED seen since */
	int drained_at;  /* events seen when the one that covers the fork
			    came: the second since, or one with none to
			    follow (resolver_events_drained); -1: none */
};

static void fork_on_exit(void *ctx, const struct procconn_event *ev)
{
	struct forker *f = ctx;

	if (ev->what == PROCCONN_DRAINED) {
		if (f->child && f->drained_at < 0 &&
		    (++f->marks == 2 || ev->pid == 0))
			f->drained_at = f->s->n;
		return;
	}
	collect(f->s, ev);
	if (ev->what != PROCCONN_EXIT || ev->pid != f->trigger || f->child)
		return;
	fflush(stdout);
	f->child = fork();
	if (f->child == 0)
		_exit(0);
	waitpid(f->child, NULL, 0);
	f->made_at = f->s->n;
}

/* Read both sockets until neither has had anything for ms. */
static void drain(struct procconn *pc, struct seen *s, int ms)
{
	struct pollfd pfd[2] = { { procconn_fd(pc), POLLIN, 0 },
				 { procconn_lazy_fd(pc), POLLIN, 0 } };

	while (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, ms) > 0)
		procconn_read(pc, collect, s);
}

static int find(const struct seen *s, int what, int pid, int from)
{
	for (int i = from; i < s->n; i++)
		if ((int)s->ev[i].what == what && s->ev[i].pid == pid)
			return i;
	return -1;
}

/* 1 when pid's fork, exec and exit are all there, in that order. */
static int in_order(const struct seen *s, int pid)
{
	int f = find(s, PROCCONN_FORK, pid, 0);
	int x = f >= 0 ? find(s, PROCCONN_EXEC, pid, f) : -1;

	return x >= 0 && find(s, PROCCONN_EXIT, pid, x) > x;
}

static void *thread_fn(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

/* Does the doorbell ring within ms?  Drained (and counted) if it does. */
static int rings(struct procconn *pc, struct seen *s, int ms)
{
	struct pollfd p = { procconn_fd(pc), POLLIN, 0 };
	uint64_t d0 = procconn_stats(pc)->doorbells;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	procconn_read(pc, collect, s);
	return procconn_stats(pc)->doorbells > d0;
}

/* A child that execs /bin/true when go is written to, and its pipe. */
static pid_t held_child(int *go)
{
	int fds[2];
	pid_t c;
	char b;

	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(fds[1]);
		if (read(fds[0], &b, 1) == 1)
			execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	*go = fds[1];
	return c;
}

static void release(int go)
{
	if (write(go, "x", 1) != 1)
		perror("release");
	close(go);
}

static void doorbell_cases(struct procconn *pc, struct seen *s)
{
	int32_t me = getpid();
	int go;
	pid_t c;

	CASE("doorbell: silent for processes not watched; the stream has them") {
		drain(pc, s, 20);
		s->n = 0;
		CHECK_INT(procconn_watch(pc, NULL, 0, 0), 0);
		c = held_child(&go);
		release(go);
		waitpid(c, NULL, 0);
		CHECK(!rings(pc, s, 100));
		drain(pc, s, 100);
		CHECK(in_order(s, c));
	}
	CASE("doorbell: a watched parent's fork, then the watched child's exec") {
		int32_t two[2];

		drain(pc, s, 20);
		s->n = 0;
		CHECK_INT(procconn_watch(pc, &me, 1, 0), 0);
		c = held_child(&go);
		CHECK(rings(pc, s, 1000));
		CHECK(find(s, PROCCONN_FORK, c, 0) >= 0);
		two[0] = me < c ? me : c;
		two[1] = me < c ? c : me;
		CHECK_INT(procconn_watch(pc, two, 2, 0), 0);
		release(go);
		CHECK(rings(pc, s, 1000));
		waitpid(c, NULL, 0);
		drain(pc, s, 100);
		CHECK(in_order(s, c));
	}
	CASE("doorbell: a watched process's threads do not ring") {
		pthread_t t;
		pid_t tid;

		drain(pc, s, 20);
		CHECK_INT(procconn_watch(pc, &me, 1, 0), 0);
		pthread_create(&t, NULL, thread_fn, &tid);
		pthread_join(t, NULL);
		CHECK(!rings(pc, s, 100));
	}
	CASE("doorbell: all rings for a process not watched") {
		int32_t other = 1;

		drain(pc, s, 20);
		CHECK_INT(procconn_watch(pc, &other, 1, 1), 0);
		c = held_child(&go);
		CHECK(rings(pc, s, 1000));
		release(go);
		waitpid(c, NULL, 0);
	}
	CASE("doorbell: a full list attaches; its last pid rings; one more is refused") {
		int32_t *l = calloc(PROCCONN_WATCH_MAX + 1, sizeof *l);

		for (int i = 0; i < PROCCONN_WATCH_MAX; i++)
			l[i] = 4000000 + i; /* past any pid_max: never ring */
		l[PROCCONN_WATCH_MAX - 1] = me;
		drain(pc, s, 20);
		CHECK_INT(procconn_watch(pc, l, PROCCONN_WATCH_MAX, 0), 0);
		c = held_child(&go);
		CHECK(rings(pc, s, 1000));
		release(go);
		waitpid(c, NULL, 0);
		l[0] = me;
		l[PROCCONN_WATCH_MAX - 1] = 4000000;
		CHECK_INT(procconn_watch(pc, l, PROCCONN_WATCH_MAX, 0), 0);
		drain(pc, s, 20);
		c = held_child(&go);
		CHECK(rings(pc, s, 1000));
		release(go);
		waitpid(c, NULL, 0);
		CHECK_INT(procconn_watch(pc, l, PROCCONN_WATCH_MAX + 1, 0), -E2BIG);
		free(l);
		CHECK_INT(procconn_watch(pc, NULL, 0, 0), 0);
	}
}

/* A datagram of one proc_event message, laid out by hand (cn_msg ends in
 * a flexible array, so it cannot sit inside a struct). */
#define DG_CN NLMSG_LENGTH(0)
#define DG_PE (DG_CN + sizeof(struct cn_msg))
#define DG_LEN (DG_PE + sizeof(struct proc_event))

struct dgram {
	char b[NLMSG_ALIGN(DG_LEN)] __attribute__((aligned(8)));
};

static struct dgram mk(unsigned what, int a, int b, int c, int d)
{
	struct dgram g;
	struct nlmsghdr *nl = (struct nlmsghdr *)g.b;
	struct cn_msg *cn = (struct cn_msg *)(g.b + DG_CN);
	struct proc_event pe; /* aligned here, copied to its 4-aligned place */

	memset(&g, 0, sizeof g);
	memset(&pe, 0, sizeof pe);
	nl->nlmsg_len = DG_LEN;
	nl->nlmsg_type = NLMSG_DONE;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof pe;
	pe.what = what;
	pe.event_data.fork.parent_pid = a;
	pe.event_data.fork.parent_tgid = b;
	pe.event_data.fork.child_pid = c;
	pe.event_data.fork.child_tgid = d;
	memcpy(g.b + DG_PE, &pe, sizeof pe);
	return g;
}

static struct cn_msg *cn_of(struct dgram *g)
{
	return (struct cn_msg *)(g->b + DG_CN);
}

int main(void)
{
	static struct seen s;
	struct procconn *pc;
	int e = procconn_open(&pc);

	if (e == -EPERM || e == -EPROTONOSUPPORT) {
		check_skip("process connector", e == -EPERM ?
			   "needs CAP_NET_ADMIN (run as root)" :
			   "this kernel has no process connector");
	} else {
		CASE("open") CHECK_INT(e, 0);
	}
	if (e == 0) {
		CASE("as root: two sockets, each with its kernel filter") {
			CHECK_INT(procconn_filtered(pc), 1);
			CHECK(procconn_lazy_fd(pc) >= 0);
			CHECK(procconn_lazy_fd(pc) != procconn_fd(pc));
		}
		/* a child's exit may flush stdio (valgrind's does): the
		 * lines printed so far must not come out twice */
		fflush(stdout);
		CASE("a child's fork, exec and exit arrive in order") {
			pid_t c = fork();

			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(c, NULL, 0);
			drain(pc, &s, 200);
			int f = find(&s, PROCCONN_FORK, c, 0);
			int x = f >= 0 ? find(&s, PROCCONN_EXEC, c, f) : -1;
			int q = x >= 0 ? find(&s, PROCCONN_EXIT, c, x) : -1;

			CHECK(f >= 0 && s.ev[f].ppid == getpid());
			CHECK(x > f);
			CHECK(q > x);
		}
		uint64_t dg0 = procconn_stats(pc)->datagrams;
		pid_t kids[KIDS];

		CASE("200 quick execs: every exec seen") {
			int seen = 0;

			s.n = 0;
			fflush(stdout);
			for (int i = 0; i < KIDS; i++) {
				kids[i] = fork();
				if (kids[i] == 0) {
					execl("/bin/true", "true", (char *)NULL);
					_exit(127);
				}
			}
			for (int i = 0; i < KIDS; i++)
				waitpid(kids[i], NULL, 0);
			drain(pc, &s, 300);
			for (int i = 0; i < KIDS; i++)
				seen += find(&s, PROCCONN_EXEC, kids[i], 0) >= 0;
			printf("# 200 execs: %d seen, overruns %llu, %d events "
			       "in all\n", seen,
			       (unsigned long long)procconn_stats(pc)->overruns, s.n);
			CHECK_INT(seen, KIDS);
		}
		CASE("200 quick execs: each fork < exec < exit across full batches") {
			int ordered = 0;

			for (int i = 0; i < KIDS; i++)
				ordered += in_order(&s, kids[i]);
			CHECK_INT(ordered, KIDS);
			/* fork, exec, exit: each its own datagram */
			CHECK(procconn_stats(pc)->datagrams - dg0 >= 3 * KIDS);
		}
		CASE("threads are not processes: the kernel drops their events") {
			pthread_t t[THREADS];
			pid_t tid[THREADS];
			uint64_t ignored0;
			int forks_of_us = 0, of_threads = 0;

			drain(pc, &s, 20);
			s.n = 0;
			ignored0 = procconn_stats(pc)->ignored;
			for (int i = 0; i < THREADS; i++)
				pthread_create(&t[i], NULL, thread_fn, &tid[i]);
			for (int i = 0; i < THREADS; i++)
				pthread_join(t[i], NULL);
			drain(pc, &s, 100);
			for (int i = 0; i < s.n; i++)
				if (s.ev[i].what == PROCCONN_FORK &&
				    s.ev[i].ppid == getpid())
					forks_of_us++;
			for (int i = 0; i < THREADS; i++)
				of_threads += find(&s, PROCCONN_FORK, tid[i], 0) >= 0 ||
					      find(&s, PROCCONN_EXIT, tid[i], 0) >= 0;
			CHECK_INT(forks_of_us, 0);
			CHECK_INT(of_threads, 0);
			/* not even read: nothing thrown away in userspace */
			CHECK_INT(procconn_stats(pc)->ignored - ignored0, 0);
		}
		CASE("busy after a fork and exit; idle after a read of nothing new") {
			struct pollfd lz = { procconn_lazy_fd(pc), POLLIN, 0 };
			int got = 0, tries;
			pid_t c;

			drain(pc, &s, 20);
			s.n = 0;
			fflush(stdout);
			c = fork();
			if (c == 0)
				_exit(0);
			waitpid(c, NULL, 0);
			/* the exit event may be queued just after waitpid returns */
			for (tries = 0; tries < 50 && !got; tries++) {
				if (poll(&lz, 1, 100) > 0)
					procconn_read(pc, collect, &s);
				got = find(&s, PROCCONN_FORK, c, 0) >= 0 &&
				      find(&s, PROCCONN_EXIT, c, 0) >= 0;
			}
			CHECK(got);
			CHECK_INT(procconn_busy(pc), 1);
			/* others on this machine may fork meanwhile: retry */
			for (tries = 0; tries < 20; tries++) {
				procconn_read(pc, collect, &s);
				if (!procconn_busy(pc))
					break;
				usleep(1000);
			}
			CHECK_INT(procconn_busy(pc), 0);
		}
		CASE("drained: a fork made while an event is handled comes before the next PROCCONN_DRAINED") {
			/* the resolver reads /proc while it handles an event;
			 * a fork that read could see must be delivered before
			 * the stream is said drained (resolver_events_drained) */
			int ok = 0, tries;

			drain(pc, &s, 20);
			for (tries = 0; tries < 20 && !ok; tries++) {
				struct forker f = { .s = &s, .drained_at = -1 };
				int j;

				s.n = 0;
				f.trigger = fork();
				if (f.trigger == 0)
					_exit(0);
				waitpid(f.trigger, NULL, 0);
				usleep(20000);
				procconn_read(pc, fork_on_exit, &f);
				/* the mark that covers it may come with the next
				 * read of the stream */
				if (f.child && f.drained_at < 0)
					procconn_read(pc, fork_on_exit, &f);
				if (!f.child || f.drained_at < 0)
					continue; /* not seen, or others kept it busy */
				ok = 1;
				j = find(&s, PROCCONN_FORK, f.child, 0);
				CHECK(j >= 0 && j < f.drained_at);
			}
			CHECK(ok);
		}
		CASE("an exec sent by a userspace socket is bad; the kernel's next are taken") {
			struct sockaddr_nl to = { .nl_family = AF_NETLINK };
			socklen_t tl = sizeof to;
			struct dgram g = mk(PROC_EVENT_EXEC, 424242, 424242, 0, 0);
			int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
					NETLINK_CONNECTOR);
			uint64_t bad0;
			pid_t c;

			drain(pc, &s, 20);
			s.n = 0;
			bad0 = procconn_stats(pc)->bad;
			CHECK(fd >= 0);
			CHECK_INT(getsockname(procconn_lazy_fd(pc), (struct sockaddr *)&to, &tl), 0);
			CHECK(to.nl_pid != 0);
			to.nl_groups = 0; /* to that socket alone, not the group */
			CHECK(sendto(fd, g.b, DG_LEN, 0, (struct sockaddr *)&to,
				     sizeof to) == (ssize_t)DG_LEN);
			close(fd);
			fflush(stdout);
			c = fork();
			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(c, NULL, 0);
			drain(pc, &s, 200);
			CHECK_INT(procconn_stats(pc)->bad - bad0, 1);
			CHECK(find(&s, PROCCONN_EXEC, 424242, 0) < 0);
			CHECK(find(&s, PROCCONN_EXEC, c, 0) >= 0);
		}
		doorbell_cases(pc, &s);
		procconn_close(pc);
	}


	/* the parser, on crafted datagrams */
	pc = NULL;
	if (procconn_open(&pc) < 0)
		return check_done();
	{
		struct {
			const char *name;
			struct dgram g;
			size_t len;
			int delivered;
			int bad;
		} rows[] = {
			{ "fork of a process", mk(PROC_EVENT_FORK, 1, 1, 5, 5), DG_LEN, 1, 0 },
			{ "fork of a thread", mk(PROC_EVENT_FORK, 1, 1, 6, 5), DG_LEN, 0, 0 },
			{ "exec", mk(PROC_EVENT_EXEC, 7, 7, 0, 0), DG_LEN, 1, 0 },
			{ "uid change ignored", mk(PROC_EVENT_UID, 7, 7, 0, 0), DG_LEN, 0, 0 },
			{ "truncated header", mk(PROC_EVENT_EXEC, 7, 7, 0, 0), 10, 0, 0 },
			{ "nlmsg_len past the buffer", mk(PROC_EVENT_EXEC, 7, 7, 0, 0), DG_LEN - 8, 0, 1 },
		};
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			CASE(rows[i].name) {
				uint64_t bad0 = procconn_stats(pc)->bad;

				s.n = 0;
				CHECK_INT(procconn_parse(pc, &rows[i].g, rows[i].len,
							 collect, &s), rows[i].delivered);
				CHECK_INT(s.n, rows[i].delivered);
				CHECK_INT(procconn_stats(pc)->bad - bad0, rows[i].bad);
			}
		}
		CASE("wrong connector id, short cn.len, cn.len too big: all bad") {
			struct dgram g = mk(PROC_EVENT_EXEC, 7, 7, 0, 0);
			uint64_t bad0 = procconn_stats(pc)->bad;

			s.n = 0;
			cn_of(&g)->id.idx = 2;
			procconn_parse(pc, &g, DG_LEN, collect, &s);
			g = mk(PROC_EVENT_EXEC, 7, 7, 0, 0);
			cn_of(&g)->len = 4;
			procconn_parse(pc, &g, DG_LEN, collect, &s);
			cn_of(&g)->len = 60000;
			procconn_parse(pc, &g, DG_LEN, collect, &s);
			CHECK_INT(s.n, 0);
			CHECK_INT(procconn_stats(pc)->bad - bad0, 3);
		}
		CASE("two messages in one datagram") {
			char two[2 * NLMSG_ALIGN(DG_LEN)] __attribute__((aligned(8)));
			struct dgram a = mk(PROC_EVENT_EXEC, 8, 8, 0, 0),
				     b = mk(PROC_EVENT_EXEC, 9, 9, 0, 0);

			memcpy(two, a.b, DG_LEN);
			memcpy(two + NLMSG_ALIGN(DG_LEN), b.b, DG_LEN);
			s.n = 0;
			CHECK_INT(procconn_parse(pc, two, sizeof two, collect, &s), 2);
			CHECK_INT(s.ev[0].pid, 8);
			CHECK_INT(s.ev[1].pid, 9);
		}
	}
	procconn_close(pc);
	return check_done();
}
