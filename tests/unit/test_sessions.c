/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sessions.c - exec sessions (README: Exec sessions): the resolver's
 * session per process (set at a runtime child's exec, taken at forks,
 * kept by reads, reset by a reusing fork, ? when the lineage was not
 * seen), the init/root decision (cgprocs_exec_root) and cgprocs_others on
 * a fake proc tree, cgroup tree and mountinfo written by the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "resolve/cgprocs.h"
#include "resolve/resolve.h"

#define CA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define UA "aaaaaaaa-1111-2222-3333-444444444444"
#define POD_A "0::/kubepods/pod" UA "/" CA "\n"
#define HOST "0::/system.slice/ssh.service\n"
#define T 1795517706000LL /* a record's wall clock, ms */

static char root[] = "/tmp/p2p-sessions-XXXXXX";

static void put(const char *rel, const char *content)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname %s)\"", path);
	if (system(cmd) != 0)
		abort();
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(content, f);
	fclose(f);
}

static void gone(int pid)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf %s/proc/%d", root, pid);
	if (system(cmd) != 0)
		abort();
}

/* a process: cgroup, stat, comm, status with NSpid */
static void proc(int pid, const char *cgroup, const char *comm,
		 const char *nspid)
{
	char rel[64], buf[512];

	snprintf(rel, sizeof rel, "proc/%d/cgroup", pid);
	put(rel, cgroup);
	snprintf(buf, sizeof buf,
		 "%d (%s) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 7 "
		 "1 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 pid, comm);
	snprintf(rel, sizeof rel, "proc/%d/stat", pid);
	put(rel, buf);
	snprintf(rel, sizeof rel, "proc/%d/comm", pid);
	snprintf(buf, sizeof buf, "%s\n", comm);
	put(rel, buf);
	snprintf(rel, sizeof rel, "proc/%d/status", pid);
	snprintf(buf, sizeof buf, "Name:\t%s\nNSpid:\t%s\n", comm, nspid);
	put(rel, buf);
}

static int32_t exec_of(struct resolver *r, int pid, int64_t now)
{
	struct ident id;

	resolver_lookup(r, pid, now, &id);
	return id.state == IDENT_CONTAINER ? id.exec_root : -99;
}

/*
 * What the plugin does for a watched runtime child entering a container:
 * runc (host, watched) forks it, it execs in the container, and the
 * decision is made from its nspid and what its cgroup holds.
 */
static void runtime_start(struct resolver *r, int runc, int pid,
			  const char *nspid, int others, int64_t now)
{
	struct ident id;

	resolver_on_fork(r, runc, pid, now, 1);
	proc(pid, POD_A, "sh", nspid);
	resolver_on_exec(r, pid, now);
	resolver_peek(r, pid, &id);
	resolver_set_exec_root(r, pid, cgprocs_exec_root(pid, id.nspid,
							  others));
}

static void resolver_cases(void)
{
	char proc_root[300];
	struct resolver *r;
	int64_t now = 10;

	snprintf(proc_root, sizeof proc_root, "%s/proc", root);
	r = resolver_new(proc_root);
	resolver_connector(r, 1);
	proc(4000, HOST, "runc", "4000");
	resolver_on_exec(r, 4000, now);
	/* the container's init (pid 1 inside), then a session's root */
	runtime_start(r, 4000, 4001, "4001 1", 0, now);
	runtime_start(r, 4000, 4010, "4010 7", 1, now);

	CASE("sessions: the root of an exec is its own session") {
		CHECK_INT(exec_of(r, 4010, now), 4010);
		CHECK_INT(resolver_stats(r)->sessions_started, 1);
	}
	CASE("sessions: the container's init is not a root") {
		CHECK_INT(exec_of(r, 4001, now), IDENT_EXEC_NONE);
	}
	CASE("sessions: the init's children are not in a session") {
		resolver_on_fork(r, 4001, 4002, now, 0);
		proc(4002, POD_A, "true", "4002 2");
		resolver_on_exec(r, 4002, now);
		CHECK_INT(exec_of(r, 4002, now), IDENT_EXEC_NONE);
	}
	CASE("sessions: descendants inherit the root, through execs and generations") {
		resolver_on_fork(r, 4010, 4011, now, 0);
		proc(4011, POD_A, "sh", "4011 8");
		resolver_on_exec(r, 4011, now);
		resolver_on_fork(r, 4011, 4012, now, 0);
		CHECK_INT(exec_of(r, 4011, now), 4010);
		/* a grandchild gone before it was read keeps its parent's pod
		 * and session (its parent alive and still there) */
		resolver_on_exit(r, 4012, now);
		CHECK_INT(exec_of(r, 4012, now + 1), 4010);
	}
	CASE("sessions: a child that outlives its root stays in the session") {
		resolver_on_fork(r, 4010, 4013, now, 0);
		resolver_event_wall(r, T + 40);
		resolver_on_exit(r, 4010, now + 1);
		gone(4010);
		/* re-parented to the init: no event; it execs later */
		proc(4013, POD_A, "true", "4013 9");
		resolver_on_exec(r, 4013, now + 2);
		CHECK_INT(exec_of(r, 4013, now + 3), 4010);
		resolver_on_fork(r, 4013, 4014, now + 3, 0);
		proc(4014, POD_A, "true", "4014 10");
		resolver_on_exec(r, 4014, now + 3);
		CHECK_INT(exec_of(r, 4014, now + 4), 4010);
	}
	CASE("sessions: a root's pid reused by the init's child is not marked") {
		resolver_event_wall(r, T + 100);
		resolver_on_fork(r, 4001, 4010, now + 5, 0);
		proc(4010, POD_A, "true", "4010 11");
		resolver_on_exec(r, 4010, now + 5);
		CHECK_INT(exec_of(r, 4010, now + 6), IDENT_EXEC_NONE);
	}
	CASE("sessions: a late record of the reused root keeps its session") {
		struct ident id;

		resolver_lookup_at(r, 4010, now + 6, T + 30, &id);
		CHECK_INT(id.state, IDENT_CONTAINER);
		CHECK_INT(id.exec_root, 4010);
		resolver_lookup_at(r, 4010, now + 6, T + 100 + 50, &id);
		CHECK_INT(id.exec_root, IDENT_EXEC_NONE);
	}
	CASE("sessions: a root's pid reused by a host process is not marked") {
		resolver_on_exit(r, 4013, now + 7);
		proc(4013, HOST, "bash", "4013");
		resolver_on_fork(r, 1, 4013, now + 8, 0);
		resolver_on_exec(r, 4013, now + 8);
		{
			struct ident id;

			resolver_lookup(r, 4013, now + 9, &id);
			CHECK_INT(id.state, IDENT_HOST);
			CHECK_INT(id.exec_root, IDENT_EXEC_UNTOLD);
		}
	}
	CASE("sessions: a container process read without its fork seen: unknown") {
		proc(4020, POD_A, "sh", "4020 12");
		CHECK_INT(exec_of(r, 4020, now + 10), IDENT_EXEC_UNKNOWN);
		/* and its children after it */
		resolver_on_fork(r, 4020, 4021, now + 10, 0);
		proc(4021, POD_A, "true", "4021 13");
		resolver_on_exec(r, 4021, now + 10);
		CHECK_INT(exec_of(r, 4021, now + 11), IDENT_EXEC_UNKNOWN);
	}
	CASE("sessions: read without its fork, a host shell its parent: nothing told") {
		proc(4025, HOST, "bash", "4025");
		proc(4026, POD_A, "sh", "4026");
		put("proc/4026/status", "Name:\tsh\nPPid:\t4025\nNSpid:\t4026\n");
		CHECK_INT(exec_of(r, 4026, now + 11), IDENT_EXEC_UNTOLD);
	}
	CASE("sessions: read without its fork, a runtime or the host's pid 1 its parent: unknown") {
		put("proc/4027/status", "Name:\tsh\nPPid:\t4000\nNSpid:\t4027 3\n");
		put("proc/4027/cgroup", POD_A);
		CHECK_INT(exec_of(r, 4027, now + 11), IDENT_EXEC_UNKNOWN);
		put("proc/4028/status", "Name:\tsh\nPPid:\t1\nNSpid:\t4028\n");
		put("proc/4028/cgroup", POD_A);
		proc(1, HOST, "systemd", "1");
		CHECK_INT(exec_of(r, 4028, now + 11), IDENT_EXEC_UNKNOWN);
	}
	CASE("sessions: a host shell gone before its fork was handled: its child untold") {
		proc(4069, HOST, "bash", "4069");
		resolver_on_exec(r, 4069, now + 11);   /* read: host */
		/* a subshell: inherits host, never read, gone at once */
		resolver_on_fork(r, 4069, 4070, now + 11, 0);
		resolver_on_fork(r, 4070, 4071, now + 12, 0);
		resolver_on_exit(r, 4070, now + 12);
		proc(4071, POD_A, "sleep", "4071");    /* moved itself in */
		put("proc/4071/status", "Name:\tsleep\nPPid:\t1\nNSpid:\t4071\n");
		resolver_on_exec(r, 4071, now + 12);
		CHECK_INT(exec_of(r, 4071, now + 13), IDENT_EXEC_UNTOLD);
	}
	CASE("sessions: a session's process gone before its fork was handled: its child keeps the root") {
		resolver_on_fork(r, 4000, 4072, now + 14, 1);
		proc(4072, POD_A, "sh", "4072 20");
		resolver_on_exec(r, 4072, now + 14);
		resolver_set_exec_root(r, 4072, cgprocs_exec_root(4072, 20, 1));
		gone(4072);
		resolver_on_fork(r, 4072, 4073, now + 15, 0);
		resolver_on_exit(r, 4072, now + 15);
		proc(4073, POD_A, "true", "4073 21");
		put("proc/4073/status", "Name:\ttrue\nPPid:\t4001\nNSpid:\t4073 21\n");
		resolver_on_exec(r, 4073, now + 15);
		CHECK_INT(exec_of(r, 4073, now + 16), 4072);
	}
	CASE("sessions: a container's pid 1 read without its fork seen: the init") {
		proc(4030, POD_A, "sh", "4030 1");
		CHECK_INT(exec_of(r, 4030, now + 12), IDENT_EXEC_NONE);
	}
	CASE("sessions: a start not told (cgroup unreadable): unknown") {
		runtime_start(r, 4000, 4040, "4040 14", -ENOENT, now + 13);
		CHECK_INT(exec_of(r, 4040, now + 13), IDENT_EXEC_UNKNOWN);
		CHECK_INT(resolver_stats(r)->sessions_unsure, 1);
	}
	CASE("sessions: a host process moved into a pod: nothing told") {
		proc(4050, HOST, "bash", "4050");
		resolver_on_exec(r, 4050, now + 14);
		resolver_on_fork(r, 4050, 4051, now + 14, 0);
		proc(4051, POD_A, "sh", "4051");
		resolver_on_exec(r, 4051, now + 14);
		CHECK_INT(exec_of(r, 4051, now + 15), IDENT_EXEC_UNTOLD);
	}
	resolver_free(r);

	CASE("sessions: without the connector nothing is told") {
		r = resolver_new(proc_root);
		proc(4060, POD_A, "sh", "4060 3");
		CHECK_INT(exec_of(r, 4060, 1), IDENT_EXEC_UNTOLD);
		resolver_free(r);
	}
}

/* init or root: nspid, what the cgroup holds */
static void decision_cases(void)
{
	static const struct {
		const char *name;
		int32_t nspid;
		int others;
		int32_t want; /* 0: the pid itself */
	} rows[] = {
		{ "decide: another process in its cgroup: a root", 7, 1, 0 },
		{ "decide: alone in its cgroup: the init", 7, 0, IDENT_EXEC_NONE },
		{ "decide: pid 1 of its namespace with others there: the init", 1, 1, IDENT_EXEC_NONE },
		{ "decide: alone, child cgroups: unknown", 7, -EAGAIN, IDENT_EXEC_UNKNOWN },
		{ "decide: cgroup not readable: unknown", 7, -ENOENT, IDENT_EXEC_UNKNOWN },
		{ "decide: the host pid namespace (nspid 0), others: a root", 0, 1, 0 },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CASE(rows[i].name) {
			CHECK_INT(cgprocs_exec_root(4711, rows[i].nspid,
						    rows[i].others),
				  rows[i].want ? rows[i].want : 4711);
		}
}

/* cgprocs_others on a fake tree: pid 5000's cgroup file and its cgroups */
static void cgprocs_cases(void)
{
	char proc_root[300], mi[300], buf[1200];
	static const struct {
		const char *name;
		const char *cgroup;   /* pid 5000's cgroup file */
		const char *procs;    /* cgroup.procs of /pod/c1 (v1 pids and v2) */
		const char *shim;     /* cgroup.procs of /sys/ctrd (v2) */
		int subdir;           /* /pod/c1 has a child cgroup */
		int want;
	} rows[] = {
		{ "cgprocs: v2, the init alive beside it: others", "0::/pod/c1\n",
		  "4999\n5000\n", "", 0, 1 },
		{ "cgprocs: v2, alone: none", "0::/pod/c1\n", "5000\n", "", 0, 0 },
		{ "cgprocs: v2, alone with a child cgroup: not told", "0::/pod/c1\n",
		  "5000\n", "", 1, -EAGAIN },
		{ "cgprocs: hybrid, a v1 line wins over the shim's unified one",
		  "3:memory:/pod/c1\n2:pids:/pod/c1\n0::/sys/ctrd\n", "5000\n",
		  "100\n101\n", 0, 0 },
		{ "cgprocs: hybrid, the init in the v1 pids hierarchy: others",
		  "2:pids:/pod/c1\n0::/sys/ctrd\n", "5000\n4999\n", "100\n", 0, 1 },
		{ "cgprocs: v1, no mount of its hierarchies: not told",
		  "4:blkio:/pod/c1\n", "4999\n", "", 0, -ENOENT },
	};

	snprintf(proc_root, sizeof proc_root, "%s/proc", root);
	snprintf(mi, sizeof mi, "%s/mountinfo", root);
	snprintf(buf, sizeof buf,
		 "24 1 0:22 / /proc rw - proc proc rw\n"
		 "30 24 0:26 / %s/v2 rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
		 "31 24 0:27 / %s/pids rw,nosuid - cgroup cgroup rw,pids\n"
		 "32 24 0:28 /sub %s/memory rw,nosuid - cgroup cgroup rw,memory\n",
		 root, root, root);
	put("mountinfo", buf);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CASE(rows[i].name) {
			char cmd[400];

			snprintf(cmd, sizeof cmd, "rm -rf %s/v2 %s/pids %s/memory",
				 root, root, root);
			if (system(cmd) != 0)
				abort();
			put("proc/5000/cgroup", rows[i].cgroup);
			put("v2/pod/c1/cgroup.procs", rows[i].procs);
			put("pids/pod/c1/cgroup.procs", rows[i].procs);
			put("v2/sys/ctrd/cgroup.procs", rows[i].shim);
			if (rows[i].subdir) {
				put("v2/pod/c1/sub/cgroup.procs", "");
				put("pids/pod/c1/sub/cgroup.procs", "");
			}
			CHECK_INT(cgprocs_others(proc_root, mi, 5000), rows[i].want);
		}
	CASE("cgprocs: the process gone: not told") {
		CHECK(cgprocs_others(proc_root, mi, 5999) < 0);
	}
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(root))
		return 1;
	resolver_cases();
	decision_cases();
	cgprocs_cases();
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		return 1;
	return check_done();
}
