/*
 * test_procconn.c - the process connector: real events from the kernel
 * (fork, exec, exit of a child; threads filtered), and the parser on
 * crafted datagrams (every malformed one counted, nothing bogus delivered).
 */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procconn.h"

/* Exported by procconn.c for this test only. */
int procconn_parse(struct procconn *pc, const void *buf, size_t len,
		   procconn_fn fn, void *ctx);

#define EV_MAX 4096

struct seen {
	int n;
	struct procconn_event ev[EV_MAX];
};

static void collect(void *ctx, const struct procconn_event *ev)
{
	struct seen *s = ctx;

	if (s->n < EV_MAX)
		s->ev[s->n++] = *ev;
}

static void drain(struct procconn *pc, struct seen *s, int ms)
{
	struct pollfd pfd = { procconn_fd(pc), POLLIN, 0 };

	while (poll(&pfd, 1, ms) > 0)
		procconn_read(pc, collect, s);
}

static int find(const struct seen *s, int what, int pid, int from)
{
	for (int i = from; i < s->n; i++)
		if ((int)s->ev[i].what == what && s->ev[i].pid == pid)
			return i;
	return -1;
}

static void *thread_fn(void *arg)
{
	return arg;
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
		CASE("200 quick execs: every exec seen") {
			pid_t kids[200];
			int seen = 0;

			s.n = 0;
			for (int i = 0; i < 200; i++) {
				kids[i] = fork();
				if (kids[i] == 0) {
					execl("/bin/true", "true", (char *)NULL);
					_exit(127);
				}
			}
			for (int i = 0; i < 200; i++)
				waitpid(kids[i], NULL, 0);
			drain(pc, &s, 300);
			for (int i = 0; i < 200; i++)
				seen += find(&s, PROCCONN_EXEC, kids[i], 0) >= 0;
			printf("# 200 execs: %d seen, overruns %llu\n", seen,
			       (unsigned long long)procconn_stats(pc)->overruns);
			CHECK_INT(seen, 200);
		}
		CASE("threads are not processes: no fork or exit for them") {
			pthread_t t;
			int forks_of_us = 0;

			s.n = 0;
			pthread_create(&t, NULL, thread_fn, NULL);
			pthread_join(t, NULL);
			drain(pc, &s, 100);
			for (int i = 0; i < s.n; i++)
				if (s.ev[i].what == PROCCONN_FORK &&
				    s.ev[i].ppid == getpid())
					forks_of_us++;
			CHECK_INT(forks_of_us, 0);
		}
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
