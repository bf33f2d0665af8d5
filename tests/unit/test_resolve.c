/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_resolve.c - the pid cache and the connector policy, on a fake proc
 * tree written by the test, with an injected clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "resolve/procfs.h"
#include "resolve/resolve.h"

#define CA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define UA "aaaaaaaa-1111-2222-3333-444444444444"

static char root[] = "/tmp/p2p-resolve-XXXXXX";

static void put(int pid, const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/%s", root, pid, name);
	f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
}

static void gone(int pid)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf %s/%d", root, pid);
	if (system(cmd) != 0)
		abort();
}

/* A process: cgroup, stat with a start time, comm, status with NSpid. */
static void proc(int pid, const char *cgroup, unsigned long long start,
		 const char *comm, const char *nspid)
{
	char buf[512];

	put(pid, "cgroup", cgroup);
	snprintf(buf, sizeof buf,
		 "%d (%s) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 %llu "
		 "1 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 pid, comm, start);
	put(pid, "stat", buf);
	snprintf(buf, sizeof buf, "%s\n", comm);
	put(pid, "comm", buf);
	snprintf(buf, sizeof buf, "Name:\t%s\nTgid:\t%d\nNSpid:\t%s\nPPid:\t1\n",
		 comm, pid, nspid);
	put(pid, "status", buf);
}

#define POD_A "0::/kubepods/pod" UA "/" CA "\n"
#define POD_B "0::/kubepods/pod" UA "/" CB "\n"
#define HOST "0::/system.slice/ssh.service\n"

#define V1_ZOMBIE "3:memory:/\n2:pids:/\n1:name=systemd:/\n0::/\n"

/* pid is a zombie: stat state Z, cgroup v1 reading "/" on every line */
static void zombie(int pid)
{
	char buf[256];

	put(pid, "cgroup", V1_ZOMBIE);
	snprintf(buf, sizeof buf,
		 "%d (x) Z 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 7 "
		 "0 0 0\n", pid);
	put(pid, "stat", buf);
}

/*
 * Answers that go stale (issue 20): an inherited answer used only while
 * still true, a dead or empty read never replacing a known answer, a
 * runtime only on the host.  Pids 2000-2999.
 */
static void stale_cases(void)
{
	struct resolver *r = resolver_new(root);
	struct ident id;

	resolver_connector(r, 1);
	CASE("stale: a host shell moved into a pod after its exec") {
		proc(2000, HOST, 1, "sh", "2000");
		resolver_on_exec(r, 2000, 10);          /* read: host */
		proc(2000, POD_A, 1, "sh", "2000 1");   /* moves itself */
		resolver_on_fork(r, 2000, 2001, 11, 0); /* inherits "host" */
		resolver_on_exec(r, 2001, 12);          /* gone */
		resolver_on_exit(r, 2001, 12);
		resolver_lookup(r, 2001, 13, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		/* the parent was read again: its next children are the pod's */
		resolver_on_fork(r, 2000, 2002, 14, 0);
		resolver_on_exec(r, 2002, 15);          /* gone */
		resolver_on_exit(r, 2002, 15);
		resolver_lookup(r, 2002, 16, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
	}
	CASE("stale: a child gone before its read, its pod parent moved: ?") {
		proc(2010, POD_A, 1, "sh", "2010 1");
		resolver_on_exec(r, 2010, 20);
		resolver_on_fork(r, 2010, 2011, 21, 0); /* inherits pod A */
		proc(2010, POD_B, 1, "sh", "2010 1");   /* moved by an agent */
		resolver_on_exit(r, 2011, 22);          /* never read */
		resolver_lookup(r, 2011, 23, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK(resolver_stats(r)->parent_disagree >= 1);
	}
	CASE("stale: a child of a pod parent that is gone too: ?") {
		proc(2020, POD_A, 1, "sh", "2020 1");
		resolver_on_exec(r, 2020, 30);
		resolver_on_fork(r, 2020, 2021, 31, 0);
		gone(2020);
		resolver_on_exit(r, 2020, 32);
		resolver_on_exit(r, 2021, 32);
		resolver_lookup(r, 2021, 33, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("stale: the parents of many gone children are read once a batch") {
		uint64_t rr;

		proc(2030, POD_A, 1, "sh", "2030 1");
		resolver_on_exec(r, 2030, 40);
		for (int c = 2031; c < 2041; c++) {
			resolver_on_fork(r, 2030, c, 41, 0);
			resolver_on_exec(r, c, 41);
			resolver_on_exit(r, c, 41);
		}
		rr = resolver_stats(r)->parent_rereads;
		for (int c = 2031; c < 2041; c++) {
			resolver_lookup(r, c, 42, &id);
			CHECK_STR(id.container_id, CA);
		}
		/* confirmed at their exec: no read more at the records */
		CHECK_INT(resolver_stats(r)->parent_rereads, rr);
	}
	CASE("stale: a zombie on cgroup v1 does not replace an inherited pod") {
		proc(2050, POD_A, 1, "sh", "2050 1");
		resolver_on_exec(r, 2050, 50);
		resolver_on_fork(r, 2050, 2051, 51, 0);
		zombie(2051);                           /* never reaped */
		resolver_lookup(r, 2051, 52, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
	}
	CASE("stale: a zombie read at its exec keeps its inherited pod") {
		resolver_on_fork(r, 2050, 2052, 53, 0);
		zombie(2052);
		resolver_on_exec(r, 2052, 54);
		resolver_lookup(r, 2052, 55, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
	}
	CASE("stale: a process exiting (PF_EXITING, not yet a zombie) is ?") {
		char buf[256];

		put(2055, "cgroup", V1_ZOMBIE);
		snprintf(buf, sizeof buf, "2055 (x) R 1 1 1 0 -1 4194564 1 0 0 0 "
			 "0 0 0 0 20 0 1 0 7 0 0 0\n");
		put(2055, "stat", buf);
		resolver_lookup(r, 2055, 56, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		put(2056, "cgroup", V1_ZOMBIE);
		snprintf(buf, sizeof buf, "2056 (x) R 1 1 1 0 -1 4194560 1 0 0 0 "
			 "0 0 0 0 20 0 1 0 7 0 0 0\n");
		put(2056, "stat", buf);
		resolver_lookup(r, 2056, 56, &id);
		CHECK_INT(id.state, IDENT_HOST); /* the same, alive: host */
	}
	CASE("stale: a zombie with nothing known is ?, not host") {
		zombie(2053);
		resolver_lookup(r, 2053, 56, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("stale: an empty cgroup file does not replace a known answer") {
		resolver_on_fork(r, 2050, 2054, 57, 0);
		proc(2054, POD_A, 1, "x", "2054 1");
		put(2054, "cgroup", "");
		resolver_on_exec(r, 2054, 58);
		resolver_lookup(r, 2054, 59, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
	}
	CASE("stale: a pod's process named runc is the pod's, not a runtime") {
		uint64_t rp = resolver_stats(r)->runtime_parent;

		proc(2060, POD_A, 1, "runc", "2060 1");
		resolver_on_exec(r, 2060, 60);
		CHECK_INT(resolver_runtime_kind(r, 2060), 0);
		resolver_on_fork(r, 2060, 2061, 61, 0);
		resolver_on_exit(r, 2061, 62);
		resolver_lookup(r, 2061, 63, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->runtime_parent, rp);
		proc(2062, HOST, 1, "runc", "2062");
		resolver_on_exec(r, 2062, 64);
		CHECK_INT(resolver_runtime_kind(r, 2062), PROCFS_RUNTIME);
	}
	CASE("stale: read as host at its exec, gone at its next: ? (it may have moved)") {
		/* sh -c 'echo $$ > <pod>/cgroup.procs; exec true': the shell
		 * was read on the host, true was gone before its exec was read */
		proc(2080, HOST, 1, "sh", "2080");
		resolver_on_exec(r, 2080, 80);
		gone(2080);
		resolver_on_exec(r, 2080, 81);
		resolver_lookup(r, 2080, 82, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("stale: a live inherited child is read itself when used") {
		proc(2070, HOST, 1, "sh", "2070");
		resolver_on_exec(r, 2070, 70);
		resolver_on_fork(r, 2070, 2071, 71, 0);
		proc(2071, POD_A, 1, "x", "2071 1");    /* moved itself */
		resolver_lookup(r, 2071, 72, &id);
		CHECK_STR(id.container_id, CA);
	}
	resolver_free(r);
}

/*
 * A reused pid told apart by time (issue 20): a late record of the pid's
 * previous owner.  Wall-clock ms around T; pids 3000-3999.
 */
#define T 1700000000000LL
static int64_t test_clock_ms;
static int64_t test_clock(void)
{
	return test_clock_ms;
}

/* a clock that moves 3 ms at every look (a read's start, then its end) */
static int64_t stepping_ms;
static int64_t stepping_clock(void)
{
	stepping_ms += 3;
	return stepping_ms;
}
static void reuse_cases(void)
{
	struct resolver *r = resolver_new(root);
	struct ident id;
	int64_t w = RESOLVE_REUSE_WINDOW_MS;

	resolver_connector(r, 1);
	proc(3000, POD_A, 1, "sh", "3000 1");
	proc(3010, POD_B, 1, "sh", "3010 1");
	resolver_on_exec(r, 3000, 1);
	resolver_on_exec(r, 3010, 1);
	CASE("reuse: a late record of pod A's process, the pid now pod B's") {
		resolver_event_wall(r, T);
		resolver_on_fork(r, 3000, 3001, 2, 0);
		proc(3001, POD_A, 2, "true", "3001 2");
		resolver_on_exec(r, 3001, 2);           /* read: pod A */
		resolver_event_wall(r, T + 5);
		resolver_on_exit(r, 3001, 3);
		gone(3001);
		resolver_event_wall(r, T + 100);
		resolver_on_fork(r, 3010, 3001, 4, 0);  /* pod B's now */
		proc(3001, POD_B, 3, "x", "3001 3");
		resolver_lookup_at(r, 3001, 5, T + 3, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->predecessor, 1);
		resolver_lookup_at(r, 3001, 5, T + 100 + w + 1, &id);
		CHECK_STR(id.container_id, CB);
	}
	CASE("reuse: a record within the window of an exit and fork is ?") {
		resolver_lookup_at(r, 3001, 6, T + 100 - w + 1, &id);
		CHECK_STR(id.container_id, CB); /* A gone since T + 5 */
		resolver_event_wall(r, T + 300);
		resolver_on_exit(r, 3001, 6);
		resolver_event_wall(r, T + 305);
		resolver_on_fork(r, 3000, 3001, 7, 0);  /* pod A's again */
		proc(3001, POD_A, 4, "y", "3001 4");
		resolver_lookup_at(r, 3001, 8, T + 303, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup_at(r, 3001, 8, T + 300 + w, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup_at(r, 3001, 8, T + 305 + w + 1, &id);
		CHECK_STR(id.container_id, CA);
		CHECK(resolver_stats(r)->reuse_unsure >= 2);
	}
	CASE("reuse: before the fork, the previous owner unknown: ?") {
		resolver_event_wall(r, T + 200);
		resolver_on_fork(r, 3010, 3002, 7, 0);  /* nothing before */
		resolver_lookup_at(r, 3002, 8, T + 150, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup_at(r, 3002, 8, T + 201, &id); /* its own */
		CHECK_STR(id.container_id, CB);
		/* its own record, stamped a coarse tick before the fork */
		resolver_lookup_at(r, 3002, 8, T + 200 - 10, &id);
		CHECK_STR(id.container_id, CB);
	}
	CASE("reuse: a predecessor with no slot, its exit seen: its late record is ?") {
		/* pod A's process never cached (its exec read after it was
		 * gone); pod B forks the pid right after its exit */
		resolver_event_wall(r, T + 400);
		resolver_on_exit(r, 3003, 9);
		resolver_event_wall(r, T + 402);
		resolver_on_fork(r, 3010, 3003, 9, 0);  /* pod B's now */
		proc(3003, POD_B, 5, "x", "3003 5");
		resolver_lookup_at(r, 3003, 10, T + 399, &id); /* A's record */
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_STR(id.container_id, "");
		resolver_lookup_at(r, 3003, 10, T + 402 + w + 1, &id);
		CHECK_STR(id.container_id, CB);
	}
	CASE("reuse: an exec read after the exit and a reusing fork is not its answer") {
		/* the exec event of pod A's process handled a batch late:
		 * A left at 51, pod B's process took the pid at 53, and
		 * /proc/3021 read at 55 shows B; B's fork is still unread
		 * when A's exit is handled (a bound cut the read short) */
		resolver_event_wall(r, T + 500);
		resolver_event_mono(r, 50);
		resolver_on_fork(r, 3000, 3021, 50, 0);
		proc(3021, POD_B, 6, "x", "3021 6");
		resolver_on_exec(r, 3021, 55);
		resolver_event_wall(r, T + 501);
		resolver_event_mono(r, 51);
		resolver_on_exit(r, 3021, 56);
		CHECK_INT(resolver_stats(r)->read_after_exit, 1);
		resolver_lookup(r, 3021, 57, &id);      /* before B's fork */
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_INT(resolver_stats(r)->late_unsure, 1);
		resolver_event_wall(r, T + 503);
		resolver_event_mono(r, 53);
		resolver_on_fork(r, 3010, 3021, 60, 0);  /* pod B's */
		CHECK_INT(resolver_stats(r)->read_next_owner, 1);
		resolver_events_drained(r, 0);
		resolver_lookup_at(r, 3021, 61, T + 400, &id); /* A's record */
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_STR(id.container_id, "");
	}
	CASE("reuse: a read after the exit, before any reuse, is the zombie's") {
		/* pod A's process read at 65 as a zombie (cgroup v2 keeps its
		 * path), after its exit at 62: unsure until the connector is
		 * read empty with no fork of the pid before the read */
		resolver_event_wall(r, T + 600);
		resolver_event_mono(r, 61);
		resolver_on_fork(r, 3000, 3024, 61, 0);
		proc(3024, POD_A, 9, "z", "3024 9");
		resolver_on_exec(r, 3024, 65);
		resolver_event_wall(r, T + 601);
		resolver_event_mono(r, 62);
		resolver_on_exit(r, 3024, 66);
		CHECK_INT(resolver_stats(r)->read_after_exit, 2);
		resolver_lookup_at(r, 3024, 66, T + 600, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);  /* not settled yet */
		resolver_events_drained(r, 0);
		resolver_lookup_at(r, 3024, 67, T + 600, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->late_settled, 1);
		/* pod B takes the pid at 121, after the read: A's late
		 * record still gets A's pod */
		resolver_event_wall(r, T + 660);
		resolver_event_mono(r, 121);
		resolver_on_fork(r, 3010, 3024, 121, 0);
		proc(3024, POD_B, 10, "x", "3024 10");
		resolver_lookup_at(r, 3024, 122, T + 600, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->read_next_owner, 1);
	}
	CASE("reuse: a zombie's read settled by the reusing fork that came after it") {
		/* read at 105 after the exit at 102, unsettled; the pid
		 * taken again at 160 (after the read): A's answer stands */
		resolver_event_wall(r, T + 1100);
		resolver_event_mono(r, 101);
		resolver_on_fork(r, 3000, 3025, 101, 0);
		proc(3025, POD_A, 11, "z", "3025 11");
		resolver_on_exec(r, 3025, 105);
		resolver_event_wall(r, T + 1102);
		resolver_event_mono(r, 102);
		resolver_on_exit(r, 3025, 106);
		resolver_event_wall(r, T + 1160);
		resolver_event_mono(r, 160);
		resolver_on_fork(r, 3010, 3025, 160, 0);
		proc(3025, POD_B, 12, "x", "3025 12");
		resolver_lookup_at(r, 3025, 161, T + 1100, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->read_next_owner, 1);
		CHECK_INT(resolver_stats(r)->late_settled, 2);
	}
	CASE("reuse: an unsettled read, the reusing fork's time unknown: ?") {
		resolver_event_wall(r, T + 1200);
		resolver_event_mono(r, 201);
		resolver_on_fork(r, 3000, 3026, 201, 0);
		proc(3026, POD_A, 13, "z", "3026 13");
		resolver_on_exec(r, 3026, 205);
		resolver_event_wall(r, T + 1202);
		resolver_event_mono(r, 202);
		resolver_on_exit(r, 3026, 206);
		resolver_event_wall(r, T + 1260);
		resolver_event_mono(r, 0);
		resolver_on_fork(r, 3010, 3026, 260, 0);
		resolver_lookup_at(r, 3026, 261, T + 1200, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("reuse: a read a millisecond before the reusing fork's stamp may be its") {
		/* /proc shows a forked process just before the connector
		 * stamps its fork: read at 305, stamped 306 */
		resolver_event_wall(r, T + 1300);
		resolver_event_mono(r, 301);
		resolver_on_fork(r, 3000, 3027, 301, 0);
		proc(3027, POD_B, 14, "x", "3027 14");
		resolver_on_exec(r, 3027, 305);
		resolver_event_wall(r, T + 1302);
		resolver_event_mono(r, 302);
		resolver_on_exit(r, 3027, 306);
		resolver_event_wall(r, T + 1360);
		resolver_event_mono(r, 306);
		resolver_on_fork(r, 3010, 3027, 306, 0);
		resolver_lookup_at(r, 3027, 307, T + 1300, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("reuse: a read is timed by the clock at the read, not by its caller's now") {
		/* the caller's now (400) is older than the read (clock: 409);
		 * the pid was taken again at 408, before the read */
		test_clock_ms = 409;
		resolver_set_clock(r, test_clock);
		resolver_event_wall(r, T + 1400);
		resolver_event_mono(r, 401);
		resolver_on_fork(r, 3000, 3028, 401, 0);
		proc(3028, POD_B, 15, "x", "3028 15");
		resolver_on_exec(r, 3028, 400);
		resolver_event_wall(r, T + 1402);
		resolver_event_mono(r, 402);
		resolver_on_exit(r, 3028, 409);
		resolver_event_wall(r, T + 1460);
		resolver_event_mono(r, 408);
		resolver_on_fork(r, 3010, 3028, 409, 0);
		resolver_lookup_at(r, 3028, 410, T + 1400, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_set_clock(r, NULL);
	}
	CASE("reuse: a read begun before the exit is the process's own, at once") {
		/* read from 500 to 503, the exit stamped 501: it began while
		 * the process was there (no drain needed) */
		stepping_ms = 497;
		resolver_set_clock(r, stepping_clock);
		resolver_event_wall(r, T + 1500);
		resolver_event_mono(r, 499);
		resolver_on_fork(r, 3000, 3029, 499, 0);
		proc(3029, POD_A, 16, "z", "3029 16");
		resolver_on_exec(r, 3029, 499);
		resolver_set_clock(r, NULL);
		resolver_event_wall(r, T + 1501);
		resolver_event_mono(r, 501);
		resolver_on_exit(r, 3029, 504);
		resolver_lookup_at(r, 3029, 505, T + 1500, &id);
		CHECK_STR(id.container_id, CA);
		/* a fork of the pid stamped at 503, within the read: its
		 * answer may be the new owner's (status is a second open) */
		resolver_event_wall(r, T + 1560);
		resolver_event_mono(r, 503);
		resolver_on_fork(r, 3010, 3029, 506, 0);
		resolver_lookup_at(r, 3029, 507, T + 1500, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("reuse: a late read is settled by the mark after the one that followed it") {
		/* the read at 605 comes before a short read of the stream
		 * that returned events (the fork reusing the pid may be
		 * among them): settled only at the next mark */
		resolver_event_wall(r, T + 1600);
		resolver_event_mono(r, 601);
		resolver_on_fork(r, 3000, 3030, 601, 0);
		proc(3030, POD_A, 17, "z", "3030 17");
		resolver_on_exec(r, 3030, 605);
		resolver_event_wall(r, T + 1602);
		resolver_event_mono(r, 602);
		resolver_on_exit(r, 3030, 606);
		resolver_events_drained(r, 2);
		resolver_lookup_at(r, 3030, 607, T + 1600, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_events_drained(r, 1);
		resolver_lookup_at(r, 3030, 608, T + 1600, &id);
		CHECK_STR(id.container_id, CA);
	}
	CASE("reuse: a read in the millisecond of exit and fork is not the predecessor's") {
		/* exit, reuse and read all at 73: the exit cannot tell, the
		 * fork can (the read saw a process that was born by then) */
		resolver_event_wall(r, T + 700);
		resolver_event_mono(r, 70);
		resolver_on_fork(r, 3000, 3023, 70, 0);
		proc(3023, POD_B, 8, "x", "3023 8");
		resolver_on_exec(r, 3023, 73);
		resolver_event_wall(r, T + 701);
		resolver_event_mono(r, 73);
		resolver_on_exit(r, 3023, 74);
		CHECK_INT(resolver_stats(r)->read_after_exit, 7); /* not > 73 */
		resolver_event_wall(r, T + 800);
		resolver_event_mono(r, 73);
		resolver_on_fork(r, 3010, 3023, 74, 0);  /* pod B's */
		CHECK_INT(resolver_stats(r)->read_next_owner, 5);
		resolver_lookup_at(r, 3023, 75, T + 700, &id); /* A's record */
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("reuse: a read before the process left stays the predecessor's") {
		resolver_event_wall(r, T + 900);
		resolver_event_mono(r, 80);
		resolver_on_fork(r, 3000, 3022, 80, 0);
		proc(3022, POD_A, 7, "y", "3022 7");
		resolver_on_exec(r, 3022, 81);           /* read at 81: pod A */
		resolver_event_wall(r, T + 902);
		resolver_event_mono(r, 82);
		resolver_on_exit(r, 3022, 83);
		resolver_event_wall(r, T + 1000);
		resolver_event_mono(r, 90);
		resolver_on_fork(r, 3010, 3022, 91, 0);  /* pod B's at 90 */
		resolver_lookup_at(r, 3022, 92, T + 900, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->read_after_exit, 7);
		CHECK_INT(resolver_stats(r)->read_next_owner, 5);
		resolver_event_mono(r, 0);
	}
	CASE("reuse: no time (0) or a replayed record: as before") {
		resolver_lookup_at(r, 3001, 9, 0, &id);
		CHECK_STR(id.container_id, CA);
		resolver_lookup_at(r, 3001, 9, T - RESOLVE_LIVE_LAG_MS - 1, &id);
		CHECK_STR(id.container_id, CA);
	}
	/* last: it leaves the resolver lossy */
	CASE("reuse: a late read is not settled while events are lost") {
		resolver_event_wall(r, T + 1700);
		resolver_event_mono(r, 701);
		resolver_on_fork(r, 3000, 3031, 701, 0);
		proc(3031, POD_A, 18, "z", "3031 18");
		resolver_on_exec(r, 3031, 705);
		resolver_event_wall(r, T + 1702);
		resolver_event_mono(r, 702);
		resolver_on_exit(r, 3031, 706);
		resolver_events_lost(r, 706);
		resolver_events_drained(r, 0);
		resolver_lookup_at(r, 3031, 707, T + 1700, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup_at(r, 3031, 706 + RESOLVE_LOSSY_MS, T + 1700, &id);
		CHECK_STR(id.container_id, CA);
	}
	resolver_free(r);
}

int main(void)
{
	struct resolver *r;
	struct ident id;

	if (!mkdtemp(root))
		return 1;
	r = resolver_new(root);

	CASE("a miss reads /proc once; later lookups are hits") {
		proc(100, POD_A, 500, "sh", "100 7");
		resolver_lookup(r, 100, 0, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
		CHECK_STR(id.pod_uid, UA);
		CHECK_INT(id.nspid, 7);
		resolver_lookup(r, 100, 10, &id);
		CHECK_INT(resolver_stats(r)->proc_reads, 1);
		CHECK_INT(resolver_stats(r)->hits, 1);
	}
	CASE("without the connector: a reused pid is noticed by its start time") {
		proc(100, POD_B, 900, "sh", "100 3");
		resolver_lookup(r, 100, RESOLVE_REVALIDATE_MS - 1, &id);
		CHECK_STR(id.container_id, CA); /* still trusted */
		resolver_lookup(r, 100, RESOLVE_REVALIDATE_MS + 20, &id);
		CHECK_STR(id.container_id, CB);
		CHECK_INT(resolver_stats(r)->reused, 1);
	}
	CASE("a host process, an unknown pid, a bad pid") {
		proc(200, HOST, 10, "sshd", "200");
		resolver_lookup(r, 200, 0, &id);
		CHECK_INT(id.state, IDENT_HOST);
		CHECK_INT(id.nspid, 0);
		resolver_lookup(r, 999, 0, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_INT(id.reason, REASON_NO_PROC);
		resolver_lookup(r, 0, 0, &id);
		CHECK_INT(id.reason, REASON_BAD_PID);
	}
	CASE("an unknown pid is retried after its TTL") {
		proc(999, POD_A, 77, "x", "999 1");
		resolver_lookup(r, 999, 10, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup(r, 999, RESOLVE_MISSING_TTL_MS + 1, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
	}
	resolver_free(r);

	r = resolver_new(root);
	resolver_connector(r, 1);
	CASE("connector: exec reads the cgroup before the process is gone") {
		proc(300, POD_A, 1000, "true", "300 5");
		resolver_on_exec(r, 300, 100);
		resolver_on_exit(r, 300, 101);
		gone(300);
		resolver_lookup(r, 300, 200, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(id.nspid, 5);
		CHECK_INT(resolver_stats(r)->exited_used, 1);
	}
	CASE("connector: an exited answer is kept for the grace period only") {
		resolver_lookup(r, 300, 101 + RESOLVE_EXIT_GRACE_MS - 1, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		resolver_lookup(r, 300, 101 + RESOLVE_EXIT_GRACE_MS + 1, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: a child gone before its exec inherits a container parent") {
		proc(400, POD_A, 50, "sh", "400 2");
		resolver_on_fork(r, 400, 401, 300, 0);
		resolver_on_exec(r, 401, 300); /* already gone: no files */
		resolver_on_exit(r, 401, 301);
		resolver_lookup(r, 401, 310, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(id.nspid, 0);
		CHECK_INT(resolver_stats(r)->inherited, 1);
		CHECK_INT(resolver_stats(r)->exec_gone, 1);
	}
	CASE("connector: the child's own cgroup wins over the parent's") {
		proc(402, POD_B, 60, "app", "402 1");
		resolver_on_fork(r, 400, 402, 320, 0);
		resolver_on_exec(r, 402, 321);
		resolver_lookup(r, 402, 330, &id);
		CHECK_STR(id.container_id, CB);
	}
	CASE("connector: nothing inherited from a runtime parent (runc, shim)") {
		proc(500, HOST, 70, "runc", "500");
		resolver_on_fork(r, 500, 501, 400, 0);
		resolver_lookup(r, 501, 401, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_INT(resolver_stats(r)->runtime_parent, 1);
		proc(510, HOST, 71, "containerd-shim", "510");
		resolver_on_fork(r, 510, 511, 400, 0);
		resolver_lookup(r, 511, 401, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: a parent's comm is read once, and again after its exec") {
		uint64_t rp = resolver_stats(r)->runtime_parent,
			 inh = resolver_stats(r)->inherited;

		proc(520, HOST, 72, "runc", "520");
		resolver_on_fork(r, 520, 521, 410, 0);
		put(520, "comm", "sh\n"); /* unseen until its exec */
		resolver_on_fork(r, 520, 522, 411, 0);
		CHECK_INT(resolver_stats(r)->runtime_parent - rp, 2);
		CHECK_INT(resolver_stats(r)->inherited - inh, 0);
		resolver_on_exec(r, 520, 412);
		resolver_on_fork(r, 520, 523, 413, 0);
		CHECK_INT(resolver_stats(r)->runtime_parent - rp, 2);
		CHECK_INT(resolver_stats(r)->inherited - inh, 1);
		gone(520);
		proc(520, HOST, 72, "sh", "520");
		resolver_on_exit(r, 523, 414); /* gone: only a pod's is kept */
		resolver_lookup(r, 523, 415, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: a child gone before its exec read: not host, ?") {
		/* it may have moved itself into a pod before its exec */
		proc(600, HOST, 80, "bash", "600");
		resolver_on_fork(r, 600, 601, 500, 0);
		resolver_on_exec(r, 601, 500); /* already gone */
		resolver_lookup(r, 601, 501, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: gone at a second exec: the answer of its first stands") {
		proc(640, HOST, 84, "bash", "640");
		proc(641, POD_A, 85, "sh", "641 2");
		resolver_on_fork(r, 640, 641, 500, 0);
		resolver_on_exec(r, 641, 500); /* sh, in the pod by then */
		gone(641);
		resolver_on_exec(r, 641, 501); /* exec true, read late */
		resolver_on_exit(r, 641, 502);
		resolver_lookup(r, 641, 503, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_STR(id.container_id, CA);
	}
	CASE("connector: nothing inherited from a watched parent (a runtime's child)") {
		proc(610, HOST, 81, "exe", "610");
		proc(620, POD_A, 82, "sh", "620 3");
		resolver_on_fork(r, 610, 611, 500, 1);
		resolver_on_fork(r, 620, 621, 500, 1);
		resolver_lookup(r, 611, 501, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		resolver_lookup(r, 621, 501, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: nothing inherited from a host runtime (containerd-shim)") {
		proc(630, HOST, 83, "containerd-shim", "630");
		resolver_on_fork(r, 630, 631, 500, 0);
		resolver_lookup(r, 631, 501, &id);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
	}
	CASE("connector: a fork replaces a predecessor of the same pid") {
		proc(700, POD_A, 90, "old", "700 4");
		resolver_lookup(r, 700, 600, &id);
		CHECK_STR(id.container_id, CA);
		resolver_on_exit(r, 700, 601);
		proc(700, HOST, 95, "new", "700");
		resolver_on_fork(r, 600, 700, 602, 0);
		resolver_lookup(r, 700, 603, &id);
		CHECK_INT(id.state, IDENT_HOST);
	}
	/* A pid reused by a fork whose parent gives nothing to inherit: the
	 * predecessor's pod must not survive in the new process's entry. */
	{
		static const struct {
			const char *name;
			const char *parent_cg; /* NULL: the parent has no /proc entry */
			const char *parent_comm;
			int exit_seen; /* the predecessor's exit was reported */
			const char *want; /* NULL: unresolved; else the container */
		} rows[] = {
			{ "reused pid, fork by a runtime (runc), exit seen", HOST, "runc", 1, NULL },
			{ "reused pid, fork by a runtime (runc), exit unseen", HOST, "runc", 0, NULL },
			/* named like a runtime but in a pod: a pod process (issue
			 * 20), whose gone child has its parent's pod, not the
			 * predecessor's */
			{ "reused pid, fork by a shim-named process in pod B", POD_B, "containerd-shim", 1, CB },
			{ "reused pid, fork by an unresolved parent, exit seen", NULL, NULL, 1, NULL },
			{ "reused pid, fork by an unresolved parent, exit unseen", NULL, NULL, 0, NULL },
		};

		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			int child = 710 + 10 * (int)i, parent = child + 1;
			int64_t t = 700 + 10 * (int64_t)i;

			CASE(rows[i].name) {
				proc(child, POD_A, 90, "old", "7 4");
				resolver_lookup(r, child, t, &id);
				CHECK_STR(id.container_id, CA);
				if (rows[i].exit_seen)
					resolver_on_exit(r, child, t + 1);
				gone(child);
				if (rows[i].parent_cg)
					proc(parent, rows[i].parent_cg, 91, rows[i].parent_comm, "1");
				resolver_on_fork(r, parent, child, t + 2, 0);
				resolver_on_exec(r, child, t + 3); /* already gone */
				resolver_lookup(r, child, t + 4, &id);
				CHECK_INT(id.state, rows[i].want ? IDENT_CONTAINER
								  : IDENT_UNRESOLVED);
				CHECK_STR(id.container_id, rows[i].want ? rows[i].want : "");
			}
		}
	}
	CASE("connector: after lost events, entries are revalidated again") {
		proc(800, POD_A, 100, "x", "800 9");
		resolver_lookup(r, 800, 1000, &id);
		proc(800, POD_B, 101, "y", "800 9"); /* reused, fork unseen */
		resolver_lookup(r, 800, 1000 + 2 * RESOLVE_REVALIDATE_MS, &id);
		CHECK_STR(id.container_id, CA); /* the connector is trusted */
		resolver_events_lost(r, 1000 + 2 * RESOLVE_REVALIDATE_MS);
		/* read while the connector vouched, without a start time to
		 * compare: read again, not trusted like a fake tree's */
		resolver_lookup(r, 800, 1000 + 2 * RESOLVE_REVALIDATE_MS + 1, &id);
		CHECK_STR(id.container_id, CB);
		/* read while lossy: with its start time, so it is checked */
		proc(800, POD_A, 102, "z", "800 9");
		resolver_lookup(r, 800, 1000 + 4 * RESOLVE_REVALIDATE_MS, &id);
		CHECK_STR(id.container_id, CA);
		CHECK_INT(resolver_stats(r)->reused, 1);
	}
	CASE("two ways per set: a third pid evicts the stalest") {
		int a = 1 + RESOLVE_CACHE_SETS, b = 1 + 2 * RESOLVE_CACHE_SETS,
		    c = 1 + 3 * RESOLVE_CACHE_SETS;
		uint64_t reads;

		proc(a, POD_A, 1, "a", "1");
		proc(b, POD_A, 1, "b", "1");
		proc(c, POD_A, 1, "c", "1");
		resolver_lookup(r, a, 5000, &id);
		resolver_lookup(r, b, 5001, &id);
		reads = resolver_stats(r)->proc_reads;
		resolver_lookup(r, a, 5002, &id);
		resolver_lookup(r, b, 5003, &id);
		CHECK_INT(resolver_stats(r)->proc_reads, reads);
		resolver_lookup(r, c, 5004, &id);
		CHECK_INT(resolver_stats(r)->evictions, 1);
		resolver_lookup(r, b, 5005, &id); /* b was newer: kept */
		CHECK_INT(resolver_stats(r)->proc_reads, reads + 1);
	}
	resolver_free(r);

	CASE("procfs: NSpid levels") {
		int32_t ns;

		proc(900, HOST, 1, "n", "900 12 3");
		CHECK_INT(procfs_nspid(root, 900, &ns), 0);
		CHECK_INT(ns, 3);
		proc(901, HOST, 1, "n", "901");
		procfs_nspid(root, 901, &ns);
		CHECK_INT(ns, 0);
		put(902, "status", "Name:\tx\n");
		CHECK(procfs_nspid(root, 902, &ns) < 0);
	}
	CASE("procfs: start time after a comm with spaces and parens") {
		uint64_t st;

		proc(903, HOST, 4242, "a) (b c", "903");
		CHECK_INT(procfs_start_time(root, 903, &st), 0);
		CHECK_INT(st, 4242);
		put(904, "stat", "904 (x) S 1");
		CHECK(procfs_start_time(root, 904, &st) < 0);
	}
	stale_cases();
	reuse_cases();
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			return 1;
	}
	return check_done();
}
