/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin_conn.c - the plugin and the process connector: subscribing (and
 * seeding the runtime watch set), and taking the events, each to the
 * resolver and to the watch set, whose changes go to the doorbell at once.
 */
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "podmeta/names.h"
#include "plugin/pipeline.h"
#include "plugin/plugin.h"
#include "resolve/cgprocs.h"
#include "resolve/procconn.h"
#include "resolve/procfs.h"
#include "resolve/resolve.h"

#define LAZY_HOLD_MS 1000    /* the stream not polled after a busy read */
#define SESSION_CMD_MAX 128  /* bytes of a session's command logged */

_Static_assert(RTWATCH_MAX <= PROCCONN_WATCH_MAX,
	       "the doorbell takes the whole watch set");

/*
 * The connector stamps events with CLOCK_MONOTONIC, audit its records with
 * the wall clock: wall = monotonic + offset, the offset sampled (the wall
 * clock read between two monotonic reads) at each read of the events, so
 * a clock step shows within one batch.  One plugin per process: a file
 * static.
 */
static int64_t mono_to_wall_ns;

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void clock_sample(void)
{
	struct timespec m1, w, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	mono_to_wall_ns = ts_ns(&w) - (ts_ns(&m1) + ts_ns(&m2)) / 2;
}

static int64_t event_wall_ms(const struct procconn_event *ev)
{
	if (!ev->timestamp_ns)
		return 0;
	return ((int64_t)ev->timestamp_ns + mono_to_wall_ns) / 1000000;
}

/*
 * What pid's exec, just read by the resolver, shows for the watch set: a
 * host process not watched is looked at by name (one more read), so that
 * a runtime or manager started later is watched too.
 */
static enum rtwatch_seen exec_seen(struct plugin *pl, int32_t pid)
{
	struct ident id;

	if (!resolver_peek(pipeline_resolver(pl->pipe), pid, &id))
		return RTW_HOST; /* given out uncached: nothing to go by */
	switch (id.state) {
	case IDENT_CONTAINER:
	case IDENT_POD_ONLY:
		return RTW_CONTAINER;
	case IDENT_HOST:
		if (rtwatch_has(&pl->watch, pid))
			return RTW_HOST;
		return resolver_runtime_kind(pipeline_resolver(pl->pipe), pid) ?
			RTW_HOST_RUNTIME : RTW_HOST;
	default:
		return id.reason == REASON_NO_PROC ? RTW_GONE : RTW_HOST;
	}
}

/* The info line of a session started by root (its pod, container and
 * command: text a process chose, printable ASCII only). */
static void log_session(struct plugin *pl, int32_t root, unsigned long sup)
{
	struct resolver *r = pipeline_resolver(pl->pipe);
	const struct k8s_names *nm = NULL;
	struct names_buf nb;
	struct ident id;
	char cmd[SESSION_CMD_MAX];
	ssize_t n = procfs_read(pl->conf.proc_root, root, "cmdline", cmd,
				sizeof cmd);

	if (!resolver_peek(r, root, &id))
		return;
	while (n > 0 && !cmd[n - 1])
		cmd[--n] = '\0'; /* the last argument's end */
	for (ssize_t i = 0; i < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
		else if (cmd[i] < 0x20 || cmd[i] > 0x7e)
			cmd[i] = '?';
	if (n <= 0)
		strcpy(cmd, "?");
	if (names_lookup(pipeline_ctrmeta(pl->pipe),
			 pipeline_podcache(pl->pipe), &id, now_ms(), &nb, &nm,
			 NULL) != NAMES_KNOWN)
		nm = NULL;
	log_info("exec session: root %d in %s/%s container %s (%.12s): %s "
		 "(%lu more not logged)", (int)root,
		 nm && nm->namespace_ ? nm->namespace_ : "?",
		 nm && nm->pod ? nm->pod : "?",
		 nm && nm->container ? nm->container : "?",
		 id.container_id[0] ? id.container_id : "?", cmd, sup);
}

/*
 * A watched runtime child just seen entering a container: the container's
 * init (its cgroup empty but for it) or the root of an exec session (the
 * init, or another process, already there).  README: Exec sessions.
 */
static void exec_session(struct plugin *pl, int32_t pid)
{
	struct resolver *r = pipeline_resolver(pl->pipe);
	unsigned long sup = 0;
	struct ident id;
	int32_t root;

	if (!resolver_peek(r, pid, &id))
		return; /* gone, or given out uncached */
	root = cgprocs_exec_root(pid, id.nspid, id.nspid == 1 ? 0 :
				 cgprocs_others(pl->conf.proc_root,
						CGPROCS_MOUNTINFO, pid));
	if (resolver_set_exec_root(r, pid, root) < 0)
		return;
	if (root > 0 && log_ratelimited(&pl->session_rate, now_ms(), &sup))
		log_session(pl, pid, sup);
}

static void on_proc_event(void *ctx, const struct procconn_event *ev)
{
	struct plugin *pl = ctx;
	struct resolver *r = pipeline_resolver(pl->pipe);
	int64_t now = now_ms();

	if (ev->what == PROCCONN_DRAINED) {
		resolver_events_drained(r, ev->pid);
		return;
	}
	resolver_event_wall(r, event_wall_ms(ev));
	resolver_event_mono(r, (int64_t)(ev->timestamp_ns / 1000000));
	switch (ev->what) {
	case PROCCONN_FORK:
		resolver_on_fork(r, ev->ppid, ev->pid, now,
				 rtwatch_has(&pl->watch, ev->ppid));
		rtwatch_fork(&pl->watch, ev->ppid, ev->pid);
		break;
	case PROCCONN_EXEC: {
		int watched = rtwatch_has(&pl->watch, ev->pid);
		enum rtwatch_seen seen;

		pipeline_on_exec(pl->pipe, ev->pid, now);
		seen = exec_seen(pl, ev->pid);
		if (watched && seen == RTW_CONTAINER)
			exec_session(pl, ev->pid);
		rtwatch_exec(&pl->watch, ev->pid, seen);
		break;
	}
	case PROCCONN_EXIT:
		resolver_on_exit(r, ev->pid, now);
		rtwatch_exit(&pl->watch, ev->pid);
		break;
	case PROCCONN_DRAINED:
		break; /* taken above */
	}
}

/* The watch set to the doorbell; a failure keeps the last list. */
static void watch_apply(struct plugin *pl)
{
	struct rtwatch *w = &pl->watch;
	unsigned long sup = 0;
	int e = procconn_watch(pl->pc, w->pid, w->n, w->full);

	rtwatch_clean(w);
	if (e < 0 && log_ratelimited(&pl->watch_rate, now_ms(), &sup))
		log_warnx("process connector: the doorbell's filter (%zu pids): "
			  "%s; execs of runtimes' children may be read late "
			  "(%lu warnings suppressed)", w->n, strerror(-e), sup);
}

/* A runtime by name is one only on the host by its cgroup too: a pod's
 * process may call itself runc (and 1,024 of them would fill the set). */
static void seed_one(void *ctx, int32_t pid)
{
	struct plugin *pl = ctx;
	struct ident id;
	uint64_t start;

	if (procfs_ident(pl->conf.proc_root, pid, &id, &start, 0) >= 0 &&
	    id.state == IDENT_HOST)
		rtwatch_add(&pl->watch, pid);
}

/* Take the process events queued so far (before the records they explain). */
void plugin_procevents(struct plugin *pl)
{
	const struct procconn_stats *st;

	pl->pc_stale = 0;
	if (!pl->pc)
		return;
	clock_sample();
	procconn_read(pl->pc, on_proc_event, pl);
	/* a new list, then the events that came before it took effect: an
	 * exec rung for by neither is read here */
	for (int i = 0; i < 2 && rtwatch_dirty(&pl->watch); i++) {
		watch_apply(pl);
		procconn_read(pl->pc, on_proc_event, pl);
	}
	pl->pc_read_at = now_ms();
	/* a node that forks now forks again soon: stay lazy for a while
	 * rather than be woken by the next fork after a quiet read */
	if (procconn_busy(pl->pc))
		pl->pc_lazy_until = pl->pc_read_at + LAZY_HOLD_MS;
	st = procconn_stats(pl->pc);
	if (st->overruns != pl->pc_overruns) {
		pl->pc_overruns = st->overruns;
		resolver_events_lost(pipeline_resolver(pl->pipe), now_ms());
	}
}

/* Subscribe when configured; a failure leaves the /proc-only fallback. */
void plugin_connector(struct plugin *pl)
{
	int e;

	if (!pl->conf.proc_connector) {
		procconn_close(pl->pc);
		pl->pc = NULL;
	} else if (!pl->pc) {
		e = procconn_open(&pl->pc);
		if (e < 0) {
			pl->pc = NULL;
			log_warnx("process connector: %s; short-lived processes "
				  "may resolve as unknown", strerror(-e));
		} else {
			/* the runtimes already running; later ones are seen
			 * at their exec or fork */
			rtwatch_init(&pl->watch);
			e = procfs_each_runtime(pl->conf.proc_root, seed_one,
						pl);
			if (e < 0)
				log_warnx("%s: %s: runtimes already running are "
					  "not watched", pl->conf.proc_root,
					  strerror(-e));
			watch_apply(pl);
		}
	}
	resolver_connector(pipeline_resolver(pl->pipe), pl->pc != NULL);
	/* reads timed as the connector's events are, when they happen */
	resolver_set_clock(pipeline_resolver(pl->pipe), now_ms);
}

