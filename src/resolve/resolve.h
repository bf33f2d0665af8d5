/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.h - pid -> struct ident, with a pid cache in front of /proc so a
 * pid costs one read, not one per record, and with the process connector's
 * events (resolver_on_fork/exec/exit) so short-lived processes are caught.
 *
 * Where an answer comes from, best first (docs/design.md: How a pid is resolved):
 *  - the process's own cgroup file, read while it lives: at its exec (the
 *    connector) or at the first record that names it; a dead or dying
 *    process (a zombie reads "/" on cgroup v1) or an empty file is no read;
 *  - its parent's answer, taken at the fork the connector reported, unless
 *    the parent is a runtime (by name and on the host by cgroup) or
 *    watched: used only while still true (a live child is read itself; a
 *    gone one keeps a pod's answer only if its living parent, read again,
 *    still has it);
 *  - nothing: IDENT_UNRESOLVED ("container_id=?"), never "host": a process
 *    gone before it was read never keeps a host answer (it may have moved
 *    itself into a pod).
 * Exited processes keep their answer for RESOLVE_EXIT_GRACE_MS, so records
 * arriving after the exit still resolve.  A reused pid never gets its
 * predecessor's answer: the connector's fork replaces the entry, and
 * without the connector (or after it lost events) an entry older than
 * RESOLVE_REVALIDATE_MS is checked against the start time in stat.  A late
 * record of the predecessor is matched by its time (resolver_lookup_at).
 */
#ifndef P2P_RESOLVE_H
#define P2P_RESOLVE_H

#include <stdint.h>

#include "common/ident.h"

#define RESOLVE_CACHE_SETS 65536     /* 2 entries each (100,000 pids fit); power of 2 */
#define RESOLVE_REVALIDATE_MS 1000
#define RESOLVE_MISSING_TTL_MS 1000  /* how long "no such pid" is believed */
#define RESOLVE_EXIT_GRACE_MS 30000  /* answers kept after an exit */
#define RESOLVE_LOSSY_MS 5000        /* distrust after connector overruns */
/*
 * A record's time (audit(sec.msec), wall clock) against a fork's or an
 * exit's (the connector's CLOCK_MONOTONIC, made wall clock by the caller
 * with an offset it samples): closer than this, which process owned the pid
 * is not known and the record gets "?".  It covers one tick of the coarse
 * clock the kernel stamps audit records with (10 ms at HZ=100), the
 * millisecond the stamp is cut to, and the offset's error (microseconds).
 */
#define RESOLVE_REUSE_WINDOW_MS 20
/*
 * A fork's process is in /proc a moment before the connector stamps its
 * event (copy_process: attach_pid, then proc_fork_connector), so a read
 * up to this much before a reusing fork's stamp may have seen the new
 * process (microseconds, made up to 1 ms by the millisecond cut).
 */
#define RESOLVE_FORK_SLACK_MS 1
#define RESOLVE_GHOSTS 4096          /* predecessors kept (power of 2) */
/* a record stamped longer than this before the pid's fork is not from a
 * live stream (a replay, a test's records): its time is not used */
#define RESOLVE_LIVE_LAG_MS 600000

struct resolve_stats {
	uint64_t lookups;
	uint64_t hits;
	uint64_t misses;
	uint64_t proc_reads;    /* cgroup files read */
	uint64_t reused;        /* cached pid found reused (start time moved) */
	uint64_t exec_reads;    /* cgroup read at an exec event */
	uint64_t exec_gone;     /* exec event, process already gone */
	uint64_t inherited;     /* answers taken from the parent at fork */
	uint64_t inherited_used;/* records resolved by an inherited answer */
	uint64_t runtime_parent;/* forks from a runtime process: not inherited */
	uint64_t exited_used;   /* records resolved after their process exited */
	uint64_t evictions;     /* live entries pushed out by others */
	uint64_t parent_rereads;/* parents read again to confirm a child's */
	uint64_t parent_disagree;/* inherited answers refused: ? instead */
	uint64_t predecessor;   /* records given the pid's previous owner's */
	uint64_t reuse_unsure;  /* records too close to a pid's reuse: ? */
	uint64_t read_after_exit; /* reads made after the process's exit:
				     its zombie's, or the pid's next owner's */
	uint64_t late_settled;  /* of those, found to be the zombie's */
	uint64_t late_unsure;   /* records given ? while one was unsettled */
	uint64_t read_next_owner; /* reads found to be of the pid's next
				     owner (its fork came first): ? */
	uint64_t sessions_started; /* exec sessions' roots (set_exec_root) */
	uint64_t sessions_unsure;  /* runtime children in a container whose
				      session could not be told: ? */
	uint64_t host, container, pod_only, unresolved;
};

struct resolver;

/* resolver_new - a resolver reading below proc_root; NULL on ENOMEM. */
struct resolver *resolver_new(const char *proc_root);
void resolver_free(struct resolver *r);

/*
 * resolver_lookup - the identity of pid at time now (ms, injected clock).
 * Always fills *ret.  pid <= 0 gives IDENT_UNRESOLVED / REASON_BAD_PID.
 */
void resolver_lookup(struct resolver *r, int32_t pid, int64_t now,
		     struct ident *ret);
/*
 * resolver_lookup_at - the same for a record written at rec_wall_ms (wall
 * clock, ms; 0: unknown, as resolver_lookup): when pid was reused by a
 * fork after the record was written, the answer is its previous owner's
 * (a pod's only, as for any process gone); within RESOLVE_REUSE_WINDOW_MS
 * of that fork, or with the previous owner unknown, "?".
 */
void resolver_lookup_at(struct resolver *r, int32_t pid, int64_t now,
			int64_t rec_wall_ms, struct ident *ret);
/*
 * resolver_event_wall - the wall-clock time (ms; 0: unknown) of the
 * connector event about to be given to resolver_on_fork/exit.
 */
void resolver_event_wall(struct resolver *r, int64_t wall_ms);
/*
 * resolver_event_mono - the same event's time on the clock of now_ms()
 * (CLOCK_MONOTONIC, ms; 0: unknown): an exit, and a fork reusing a pid,
 * tell by it whether the process's /proc read came before it left, or
 * after (then it may have read the pid's next owner).
 */
void resolver_event_mono(struct resolver *r, int64_t mono_ms);
/*
 * resolver_set_clock - the clock of resolver_event_mono (ms), sampled
 * right after each /proc read; without one a read is timed by the now
 * its caller passed (which may be older than the read).
 */
void resolver_set_clock(struct resolver *r, int64_t (*clock)(void));

/*
 * The connector's events, in kernel order.  A fork gives the child its
 * parent's answer (container or host) until its exec is read, unless the
 * parent is a runtime by name or parent_watched (rtwatch.h: its children
 * may be moved into a container before they exec).
 */
void resolver_on_fork(struct resolver *r, int32_t parent, int32_t child,
		      int64_t now, int parent_watched);
void resolver_on_exec(struct resolver *r, int32_t pid, int64_t now);
void resolver_on_exit(struct resolver *r, int32_t pid, int64_t now);
/*
 * resolver_events_drained - the connector's stream was read short (a
 * PROCCONN_DRAINED), with more events following from that read: every
 * event queued before it is given once those are.  So the reads made
 * before the previous such call (or before this one when more is 0) came
 * after every fork queued before them: one made after its process's exit
 * saw the zombie, unless a fork of the pid came first (which
 * resolver_on_fork has seen by then).
 */
void resolver_events_drained(struct resolver *r, int more);
/* resolver_connector - events are (1) or are not (0) being delivered. */
void resolver_connector(struct resolver *r, int active);
/* resolver_events_lost - the connector overran: distrust for a while. */
void resolver_events_lost(struct resolver *r, int64_t now);

/*
 * resolver_runtime_kind - procfs_runtime_kind(pid), kept with pid's cached
 * answer until its next exec is read.
 */
int resolver_runtime_kind(struct resolver *r, int32_t pid);

/*
 * resolver_set_exec_root - pid's exec session, decided at its exec by the
 * caller (a watched runtime child seen entering a container): root (its
 * own pid: the root of a session), IDENT_EXEC_NONE (the container's
 * init) or IDENT_EXEC_UNKNOWN.  Its children take it at their forks
 * (resolver_on_fork), its own reads keep it.  0, or -ENOENT when pid has
 * no live slot (gone, or given out uncached).
 */
int resolver_set_exec_root(struct resolver *r, int32_t pid, int32_t root);

/* resolver_peek - what is cached for pid, without reading: 1, or 0. */
int resolver_peek(const struct resolver *r, int32_t pid, struct ident *ret);

const struct resolve_stats *resolver_stats(const struct resolver *r);

#endif
