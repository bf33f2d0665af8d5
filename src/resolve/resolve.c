/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c - the pid cache and the policy of resolve.h.
 *
 * The cache is two-way set-associative: set = pid & (SETS-1).  A new entry
 * takes an empty way, else an exited one, else the one confirmed longest
 * ago.  Lookups are O(1) with no probing.  A slot keeps its answer packed
 * (the container id and pod UID as bytes, not hex: 48 bytes instead of
 * 102; 128 bytes a slot with the times that tell a reused pid apart and
 * the exec session), so the RESOLVE_CACHE_SETS * 2 slots that hold a
 * node's 100,000 pids take 16.8 MB; an answer that does not pack (never seen: procfs
 * writes lowercase hex ids and UIDs) is given out but not cached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/procfs.h"
#include "resolve/resolve.h"

#define WAYS 2
#define CID_BYTES (CONTAINER_ID_LEN / 2)
#define UID_BYTES 16
#define UUID_DASHED_LEN 36
#define UID_HEX_LEN 32
#define READ_DUR_LONG 255 /* a read this long or longer: its end unknown */

enum origin { FROM_READ = 0, FROM_PARENT, FROM_NOTHING };
enum { UID_NONE = 0, UID_DASHED, UID_HEX32 };

struct slot {
	int32_t pid;          /* 0: empty */
	uint8_t has_start : 1;    /* start_time is known */
	uint8_t start_skipped : 1;/* stat not read: the connector vouched */
	uint8_t exited : 1;
	uint8_t rt_known : 1;     /* rt_kind holds procfs_runtime_kind's answer */
	uint8_t rt_kind : 2;
	uint8_t origin : 2;       /* enum origin */
	uint8_t confirmed : 1;    /* FROM_PARENT, checked against the parent
				     after the child's exec or exit */
	uint8_t late : 1;         /* FROM_READ after the exit: a zombie's or
				     the pid's next owner's (settle_late) */
	/* the answer, packed (pack/unpack) */
	uint8_t state, runtime, reason;
	uint8_t has_cid, uid_form;
	uint8_t read_dur;     /* FROM_READ: ms the read took (READ_DUR_LONG: more) */
	int32_t nspid;
	int32_t ppid;         /* FROM_PARENT: whose answer it is */
	int32_t exec_root;    /* the exec session (ident.h): set at a fork
				 (the parent's) or a runtime child's exec
				 (resolver_set_exec_root), kept by the
				 process's reads, reset with its pid */
	uint32_t seq;         /* resolver's event count at the read or fork */
	uint64_t start_time;
	int64_t checked_ms;   /* when the answer was last confirmed */
	int64_t exited_ms;
	int64_t born_wall_ms; /* ghosts[]: the pid's last fork, wall clock */
	int64_t exit_wall_ms; /* its exit, wall clock (0: not seen) */
	int64_t read_ms;      /* FROM_READ: when the /proc read began (now_ms's
				 clock); it ended by read_ms + read_dur */
	uint8_t cid[CID_BYTES];
	uint8_t uid[UID_BYTES];
};

static const char hexd[] = "0123456789abcdef";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n lowercase hex digits at h -> n/2 bytes; -1 when h holds anything else */
static int unhex(uint8_t *out, const char *h, size_t n)
{
	for (size_t i = 0; i < n; i += 2) {
		int a = hexval(h[i]), b = hexval(h[i + 1]);

		if (a < 0 || b < 0)
			return -1;
		out[i / 2] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static void tohex(char *h, const uint8_t *in, size_t nbytes)
{
	for (size_t i = 0; i < nbytes; i++) {
		h[2 * i] = hexd[in[i] >> 4];
		h[2 * i + 1] = hexd[in[i] & 0xf];
	}
}

static int is_dash_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

/* id -> s's answer fields; -1 when id does not pack (s unchanged then) */
static int pack(struct slot *s, const struct ident *id)
{
	size_t cl = strnlen(id->container_id, sizeof id->container_id);
	size_t ul = strnlen(id->pod_uid, sizeof id->pod_uid);
	uint8_t cid[CID_BYTES] = { 0 }, uid[UID_BYTES] = { 0 };
	char hex[UID_HEX_LEN];
	int form = UID_NONE;

	if (cl != 0 && (cl != CONTAINER_ID_LEN || unhex(cid, id->container_id, cl) < 0))
		return -1;
	if (ul == UID_HEX_LEN) {
		if (unhex(uid, id->pod_uid, ul) < 0)
			return -1;
		form = UID_HEX32;
	} else if (ul == UUID_DASHED_LEN) {
		size_t k = 0;

		for (size_t i = 0; i < ul; i++) {
			if (is_dash_pos(i)) {
				if (id->pod_uid[i] != '-')
					return -1;
			} else {
				hex[k++] = id->pod_uid[i];
			}
		}
		if (unhex(uid, hex, UID_HEX_LEN) < 0)
			return -1;
		form = UID_DASHED;
	} else if (ul != 0) {
		return -1;
	}
	s->state = id->state;
	s->runtime = id->runtime;
	s->reason = id->reason;
	s->nspid = id->nspid;
	s->has_cid = cl != 0;
	s->uid_form = (uint8_t)form;
	memcpy(s->cid, cid, sizeof cid);
	memcpy(s->uid, uid, sizeof uid);
	return 0;
}

static void unpack(const struct slot *s, struct ident *id)
{
	char hex[UID_HEX_LEN];

	memset(id, 0, sizeof *id);
	id->state = s->state;
	id->runtime = s->runtime;
	id->reason = s->reason;
	id->nspid = s->nspid;
	id->exec_root = s->exec_root;
	if (s->has_cid)
		tohex(id->container_id, s->cid, CID_BYTES);
	if (s->uid_form == UID_HEX32) {
		tohex(id->pod_uid, s->uid, UID_BYTES);
	} else if (s->uid_form == UID_DASHED) {
		size_t k = 0;

		tohex(hex, s->uid, UID_BYTES);
		for (size_t i = 0; i < UUID_DASHED_LEN; i++)
			id->pod_uid[i] = is_dash_pos(i) ? '-' : hex[k++];
	}
}

struct resolver {
	char proc_root[4096];
	struct slot *slots;   /* RESOLVE_CACHE_SETS * WAYS */
	int connector;        /* events are being delivered */
	int64_t lossy_until;  /* events were lost: revalidate until then */
	uint32_t seq;         /* forks and reads so far: orders them */
	uint32_t drained_seq; /* every fork before this read was handled */
	uint32_t mark_seq;    /* reads before the last short read of events */
	int64_t ev_wall_ms;   /* the event being handled (resolver_event_wall) */
	int64_t ev_mono_ms;   /* the same, CLOCK_MONOTONIC (resolver_event_mono) */
	int64_t (*clock)(void); /* read_ms's clock (resolver_set_clock) */
	struct slot *ghosts;  /* RESOLVE_GHOSTS predecessors, by pid */
	/* the session each fork gave its child, by pid (RESOLVE_GHOSTS):
	 * for a child left without a slot (its parent gone before the
	 * fork was handled), read later (fresh_exec_root) */
	struct fork_exec { int32_t pid, exec_root; } *forks;
	struct resolve_stats st;
};

struct resolver *resolver_new(const char *proc_root)
{
	struct resolver *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	if (strlen(proc_root) >= sizeof r->proc_root) {
		free(r);
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(r->proc_root, proc_root);
	r->slots = calloc((size_t)RESOLVE_CACHE_SETS * WAYS, sizeof *r->slots);
	r->ghosts = calloc(RESOLVE_GHOSTS, sizeof *r->ghosts);
	r->forks = calloc(RESOLVE_GHOSTS, sizeof *r->forks);
	if (!r->slots || !r->ghosts || !r->forks) {
		free(r->slots);
		free(r->ghosts);
		free(r->forks);
		free(r);
		return NULL;
	}
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	free(r->slots);
	free(r->ghosts);
	free(r->forks);
	free(r);
}

static struct slot *set_of(const struct resolver *r, int32_t pid)
{
	return &r->slots[((uint32_t)pid & (RESOLVE_CACHE_SETS - 1)) * WAYS];
}

static struct slot *find(const struct resolver *r, int32_t pid)
{
	struct slot *s = set_of(r, pid);

	for (int w = 0; w < WAYS; w++)
		if (s[w].pid == pid)
			return &s[w];
	return NULL;
}

/* The slot for pid: its own, else a free, exited or stalest one. */
static struct slot *claim(struct resolver *r, int32_t pid)
{
	struct slot *s = set_of(r, pid), *victim = NULL;

	for (int w = 0; w < WAYS; w++) {
		if (s[w].pid == pid || s[w].pid == 0)
			return &s[w];
	}
	for (int w = 0; w < WAYS; w++) {
		struct slot *c = &s[w];

		if (!victim || (c->exited && !victim->exited) ||
		    (c->exited == victim->exited &&
		     c->checked_ms < victim->checked_ms))
			victim = c;
	}
	if (!victim->exited)
		r->st.evictions++;
	return victim;
}

static void count(struct resolve_stats *st, const struct ident *id)
{
	switch (id->state) {
	case IDENT_HOST: st->host++; break;
	case IDENT_CONTAINER: st->container++; break;
	case IDENT_POD_ONLY: st->pod_only++; break;
	default: st->unresolved++; break;
	}
}

/* A healthy connector reports every fork: no pid reuse goes unseen. */
static int vouched(const struct resolver *r, int64_t now)
{
	return r->connector && now >= r->lossy_until;
}

static int is_pod(const struct ident *id)
{
	return id->state == IDENT_CONTAINER || id->state == IDENT_POD_ONLY;
}

static int same_answer(const struct ident *a, const struct ident *b)
{
	return a->state == b->state &&
	       strcmp(a->container_id, b->container_id) == 0 &&
	       strcmp(a->pod_uid, b->pod_uid) == 0;
}

/* The clock reads are timed by: resolver_set_clock's, else the caller's. */
static int64_t read_clock(const struct resolver *r, int64_t now)
{
	return r->clock ? r->clock() : now;
}

/* Store a live read of pid (id, start, procfs_ident's e >= 0), begun at
 * t0 (read_clock), in s. */
static void store_read(struct resolver *r, struct slot *s, int32_t pid,
		       const struct ident *id, uint64_t start, int e,
		       int64_t now, int64_t t0)
{
	int64_t t1 = read_clock(r, now);

	s->exited = 0;
	s->pid = pack(s, id) == 0 ? pid : 0; /* 0: given out, not cached */
	s->origin = FROM_READ;
	s->confirmed = 0;
	s->late = 0;
	s->has_start = e == 1;
	s->start_skipped = e == 2;
	s->rt_known = 0;
	s->start_time = start;
	s->checked_ms = now;
	/* the read lay in [t0, t1]: the exit's check needs its start, the
	 * reusing fork's its end */
	s->read_ms = t0;
	s->read_dur = (uint8_t)(t1 - t0 < READ_DUR_LONG ?
				(t1 - t0 > 0 ? t1 - t0 : 0) : READ_DUR_LONG);
	s->seq = ++r->seq;
}

/*
 * Does the living parent of s (an inherited answer) still have the answer
 * s took from it?  Its slot counts when it was read after s's fork;
 * otherwise it is read again now (and its slot updated: the children it
 * forks next inherit the new answer).  A parent gone, dead, evicted or
 * not vouched for cannot confirm anything.
 */
static int parent_agrees(struct resolver *r, const struct slot *s,
			 int64_t now)
{
	struct slot *ps = s->ppid > 0 ? find(r, s->ppid) : NULL;
	struct ident mine, theirs;
	uint64_t start = 0;
	int64_t t0;
	int e;

	if (!ps || ps->exited || !vouched(r, now))
		return 0;
	unpack(s, &mine);
	if (ps->origin == FROM_READ && (int32_t)(ps->seq - s->seq) > 0) {
		unpack(ps, &theirs); /* read since the fork */
		return same_answer(&mine, &theirs);
	}
	r->st.parent_rereads++;
	r->st.proc_reads++;
	t0 = read_clock(r, now);
	e = procfs_ident(r->proc_root, s->ppid, &theirs, &start, 0);
	if (e < 0)
		return 0; /* gone or dead: its slot learns at its exit */
	store_read(r, ps, s->ppid, &theirs, start, e, now, t0);
	return same_answer(&mine, &theirs);
}

/*
 * pid is gone (or dead) and s holds what was known of it: may that still
 * be its answer?  Only a pod's: a process on the host may have moved
 * itself (or been moved) into a pod between its last read and its exit,
 * while leaving a pod takes the host's privileges.  And only when proven:
 * read from the process itself while the connector vouched that the pid
 * is the same process, or inherited from a parent still alive with that
 * answer (parent_agrees).
 */
static int keep_gone(struct resolver *r, struct slot *s, int64_t now)
{
	struct ident id;

	unpack(s, &id);
	if (s->origin == FROM_READ)
		return is_pod(&id) && vouched(r, now);
	if (s->origin != FROM_PARENT)
		return 0;
	if (s->confirmed)
		return is_pod(&id);
	/* the parent is read even for a host answer: if it moved, the
	 * children it forks next inherit where it is now */
	if (!parent_agrees(r, s, now)) {
		r->st.parent_disagree++;
		return 0;
	}
	s->confirmed = 1;
	return is_pod(&id);
}

/*
 * The exec session of pid, read without its fork seen (it started before
 * the plugin, or its fork is not read yet): none told without the
 * connector or outside a container; the container's init when it is pid
 * 1 of a pid namespace of its own (an exec'd process never is: the init
 * lives while the container does); none told when its parent is a host
 * process that is not a runtime (it forked it and it moved in: no
 * runtime started it; not the host's pid 1, which adopts orphans); what
 * its fork gave it when that was handled (forks[]: its parent gone by
 * then); else not known.
 */
static int32_t fresh_exec_root(const struct resolver *r, int32_t pid,
			       const struct ident *id)
{
	const struct fork_exec *fe =
		&r->forks[(uint32_t)pid & (RESOLVE_GHOSTS - 1)];
	struct ident pi;
	uint64_t start;
	int32_t ppid;

	if (!r->connector || !is_pod(id))
		return IDENT_EXEC_UNTOLD;
	if (id->nspid == 1)
		return IDENT_EXEC_NONE;
	if (fe->pid == pid && fe->exec_root != IDENT_EXEC_UNKNOWN)
		return fe->exec_root;
	if (procfs_ppid(r->proc_root, pid, &ppid) == 0 && ppid > 1 &&
	    procfs_ident(r->proc_root, ppid, &pi, &start, 0) >= 0 &&
	    pi.state == IDENT_HOST && !procfs_runtime_kind(r->proc_root, ppid))
		return IDENT_EXEC_UNTOLD;
	return IDENT_EXEC_UNKNOWN;
}

/* Read pid now into its slot (and *out); a process gone or dead keeps a
 * proven pod answer (keep_gone), never anything else. */
static struct slot *read_into(struct resolver *r, int32_t pid, int64_t now,
			      struct ident *out)
{
	struct slot *s = claim(r, pid);
	struct ident id;
	uint64_t start = 0;
	int64_t t0 = read_clock(r, now);
	int e, fresh = 0;

	if (s->pid != pid) {
		s->born_wall_ms = s->exit_wall_ms = 0; /* another's slot */
		/* no fork of it seen (or its slot lost): whether a
		 * container's process is in a session is not known */
		fresh = 1;
	}
	r->st.proc_reads++;
	/* a healthy connector reports every fork, so no reuse goes unseen:
	 * the start time (two stat reads, half the syscalls) is then not
	 * needed; still_good re-reads such a slot if events are ever lost */
	e = procfs_ident(r->proc_root, pid, &id, &start, !vouched(r, now));
	if (e < 0 && s->pid == pid && !s->exited && keep_gone(r, s, now)) {
		/* gone already (sh -c 'exec true' in a pod, read late: no
		 * fork since, so the same process) */
		s->checked_ms = now;
		unpack(s, out);
		return s;
	}
	if (fresh)
		s->exec_root = fresh_exec_root(r, pid, &id);
	id.exec_root = s->exec_root;
	*out = id;
	if (e >= 0) {
		store_read(r, s, pid, &id, start, e, now, t0);
		return s;
	}
	s->exited = 0;
	s->pid = pack(s, &id) == 0 ? pid : 0;
	s->origin = FROM_NOTHING;
	s->confirmed = 0;
	s->late = 0;
	s->has_start = 0;
	s->start_skipped = 0;
	s->rt_known = 0;
	s->start_time = 0;
	s->checked_ms = now;
	s->seq = ++r->seq;
	return s;
}

/* Is the cached answer in s still good at now? */
static int still_good(struct resolver *r, struct slot *s, int64_t now)
{
	uint64_t start;

	if (s->exited)
		return now - s->exited_ms < RESOLVE_EXIT_GRACE_MS;
	if (s->origin == FROM_NOTHING)
		return now - s->checked_ms < RESOLVE_MISSING_TTL_MS;
	if (vouched(r, now))
		return 1;
	if (now - s->checked_ms < RESOLVE_REVALIDATE_MS)
		return 1;
	if (s->start_skipped)
		return 0; /* nothing to compare with: read it again */
	if (!s->has_start)
		return s->origin == FROM_READ; /* a fake tree: nothing to compare */
	if (procfs_start_time(r->proc_root, s->pid, &start) == 0 &&
	    start == s->start_time) {
		s->checked_ms = now;
		return 1;
	}
	r->st.reused++;
	return 0;
}

static void unsure(struct ident *ret)
{
	memset(ret, 0, sizeof *ret);
	ret->state = IDENT_UNRESOLVED;
	ret->reason = REASON_NO_PROC;
}

/*
 * s was read after its process's exit event: of its zombie (the answer),
 * or of a process that took the pid since (not).  The fork of such a
 * process settles it (resolver_on_fork); so does a connector emptied
 * after the read with no such fork (resolver_events_drained).  1 when
 * settled as the process's own.
 */
static int settle_late(struct resolver *r, struct slot *s, int64_t now)
{
	if (!s->late)
		return 1;
	/* events lost: the fork that would tell may be among them */
	if ((int32_t)(r->drained_seq - s->seq) < 0 || !vouched(r, now))
		return 0;
	s->late = 0;
	r->st.late_settled++;
	return 1;
}

/* The slot holding a good answer for pid, read now if need be. */
static struct slot *lookup_slot(struct resolver *r, int32_t pid, int64_t now,
				int *ret_hit, struct ident *out)
{
	struct slot *s = find(r, pid);

	*ret_hit = s && still_good(r, s, now);
	if (!*ret_hit)
		return read_into(r, pid, now, out);
	if (s->origin == FROM_PARENT && !s->confirmed) {
		/* an inherited answer is used only if still true: the
		 * process's own cgroup while it lives, else its parent's */
		if (!s->exited)
			return read_into(r, pid, now, out);
		if (!keep_gone(r, s, now)) {
			memset(out, 0, sizeof *out);
			out->state = IDENT_UNRESOLVED;
			out->reason = REASON_NO_PROC;
			return s;
		}
	}
	if (!settle_late(r, s, now)) {
		r->st.late_unsure++;
		unsure(out);
		return s;
	}
	unpack(s, out);
	return s;
}

/*
 * A record of pid written at t: 1 when it may be the current owner's (or
 * nothing tells), else *ret is filled (0).  ghosts[] holds, per pid, the
 * time of its last fork and what was known of the process that had the
 * pid before (struct slot: born_wall_ms is the new owner's fork,
 * exit_wall_ms the previous owner's exit).  A record from before that
 * fork is the previous owner's: its pod when proven (read from it alive,
 * or inherited and confirmed), else "?"; one within the window, "?".
 */
static int owner_at(struct resolver *r, int32_t pid, int64_t t,
		    struct ident *ret)
{
	const struct slot *g = &r->ghosts[(uint32_t)pid & (RESOLVE_GHOSTS - 1)];
	int64_t w = RESOLVE_REUSE_WINDOW_MS;

	if (!t || g->pid != pid || !g->born_wall_ms ||
	    t > g->born_wall_ms + w ||
	    t < g->born_wall_ms - RESOLVE_LIVE_LAG_MS)
		return 1;
	if (t >= g->born_wall_ms - w) {
		/* near the fork: the current owner's, unless the previous
		 * one was still there then */
		if (!g->exit_wall_ms || t > g->exit_wall_ms + w)
			return 1;
	} else if (g->exit_wall_ms && t <= g->exit_wall_ms + w &&
		   ((g->origin == FROM_READ && !g->late) || g->confirmed) &&
		   (g->state == IDENT_CONTAINER ||
		    g->state == IDENT_POD_ONLY)) {
		r->st.predecessor++;
		unpack(g, ret);
		return 0;
	}
	r->st.reuse_unsure++;
	unsure(ret);
	return 0;
}

void resolver_lookup_at(struct resolver *r, int32_t pid, int64_t now,
			int64_t rec_wall_ms, struct ident *ret)
{
	if (pid > 0 && !owner_at(r, pid, rec_wall_ms, ret)) {
		r->st.lookups++;
		count(&r->st, ret);
		return;
	}
	resolver_lookup(r, pid, now, ret);
}

void resolver_event_wall(struct resolver *r, int64_t wall_ms)
{
	r->ev_wall_ms = wall_ms;
}

void resolver_set_clock(struct resolver *r, int64_t (*clock)(void))
{
	r->clock = clock;
}

void resolver_event_mono(struct resolver *r, int64_t mono_ms)
{
	r->ev_mono_ms = mono_ms;
}

void resolver_lookup(struct resolver *r, int32_t pid, int64_t now,
		     struct ident *ret)
{
	struct slot *s;
	int hit;

	r->st.lookups++;
	if (pid <= 0) {
		memset(ret, 0, sizeof *ret);
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_BAD_PID;
		r->st.unresolved++;
		return;
	}
	s = lookup_slot(r, pid, now, &hit, ret);
	if (hit) {
		r->st.hits++;
		if (s->origin == FROM_PARENT)
			r->st.inherited_used++;
		if (s->exited)
			r->st.exited_used++;
	} else {
		r->st.misses++;
	}
	count(&r->st, ret);
}

/*
 * procfs_runtime_kind of pid, kept in its slot s until the slot is read
 * again (an exec, where comm changes), so the host exec that asks it and
 * the forks after ask /proc once.  A rename by prctl(PR_SET_NAME) goes
 * unseen: it can only make a process's children be read at their exec
 * instead of inheriting, or the reverse for a runtime renaming itself.
 */
static int slot_runtime_kind(struct resolver *r, struct slot *s, int32_t pid)
{
	int kind;

	if (s && s->rt_known)
		return s->rt_kind;
	/* a runtime lives on the host: a pod's process named runc is not one
	 * (comm is the process's own choice) */
	if (!s || s->origin != FROM_READ || s->state != IDENT_HOST)
		return 0;
	kind = procfs_runtime_kind(r->proc_root, pid);
	if (s) {
		s->rt_known = 1;
		s->rt_kind = (uint8_t)kind;
	}
	return kind;
}

int resolver_runtime_kind(struct resolver *r, int32_t pid)
{
	return slot_runtime_kind(r, pid > 0 ? find(r, pid) : NULL, pid);
}

/* A read that may have been of the pid's next owner: its answer is "?". */
static void forget_read(struct resolver *r, struct slot *s)
{
	struct ident u;

	unsure(&u);
	pack(s, &u);
	s->late = 0;
	r->st.read_next_owner++;
}

void resolver_on_fork(struct resolver *r, int32_t parent, int32_t child,
		      int64_t now, int parent_watched)
{
	struct ident pid_of_parent;
	struct slot *s, *g, *ps;
	struct fork_exec *fe;
	int hit;

	if (child <= 0)
		return;
	/* the session the child is born in, from its parent as known before
	 * this fork (a parent gone by now reads as nothing below): a
	 * container's process passes its own on; a host process that is not
	 * a runtime (nor watched: a runtime's child) starts none */
	ps = parent > 0 ? find(r, parent) : NULL;
	fe = &r->forks[(uint32_t)child & (RESOLVE_GHOSTS - 1)];
	fe->pid = child;
	fe->exec_root = IDENT_EXEC_UNKNOWN;
	if (ps && !ps->exited && ps->state == IDENT_CONTAINER)
		fe->exec_root = ps->exec_root;
	else if (ps && !ps->exited && ps->state == IDENT_HOST &&
		 !parent_watched && !(ps->rt_known && ps->rt_kind))
		fe->exec_root = IDENT_EXEC_UNTOLD;
	/* a new process: whatever was cached for this pid is a predecessor,
	 * kept with the fork's time for its late records (owner_at) */
	s = find(r, child);
	g = &r->ghosts[(uint32_t)child & (RESOLVE_GHOSTS - 1)];
	if (s && s->exit_wall_ms) {
		*g = *s;
		/* read at or after this fork (connector events are handled a
		 * batch late): /proc showed this new process, not the one that
		 * left, so what was read is not the predecessor's answer; a
		 * read after the exit but before this fork was of its zombie */
		if (s->origin == FROM_READ && r->ev_mono_ms &&
		    (s->read_dur == READ_DUR_LONG ||
		     s->read_ms + s->read_dur + RESOLVE_FORK_SLACK_MS >=
		     r->ev_mono_ms))
			forget_read(r, g);
		else if (g->late && r->ev_mono_ms) {
			g->late = 0;
			r->st.late_settled++;
		}
	} else if (g->pid != child || g->born_wall_ms || !g->exit_wall_ms) {
		/* nothing known of a predecessor; else keep the exit that
		 * resolver_on_exit noted for a pid it had no slot for */
		memset(g, 0, sizeof *g);
		g->state = IDENT_UNRESOLVED;
	}
	g->pid = child;
	g->born_wall_ms = r->ev_wall_ms;
	if (s)
		s->pid = 0;
	if (parent <= 0)
		return;
	s = lookup_slot(r, parent, now, &hit, &pid_of_parent);
	if (pid_of_parent.state != IDENT_CONTAINER &&
	    pid_of_parent.state != IDENT_HOST)
		return;
	/* a runtime's child may be moved before its exec: it has its own
	 * answer or none (the parent's slot, unless given out uncached) */
	if (parent_watched ||
	    (pid_of_parent.state == IDENT_HOST &&
	     slot_runtime_kind(r, s->pid == parent ? s : NULL, parent) ==
	     PROCFS_RUNTIME)) {
		r->st.runtime_parent++;
		return;
	}
	s = claim(r, child);
	memset(s, 0, sizeof *s);
	pid_of_parent.nspid = 0; /* the child's own is not known */
	s->pid = pack(s, &pid_of_parent) == 0 ? child : 0;
	s->origin = FROM_PARENT;
	s->ppid = parent;
	/* membership follows the forks: a host parent (not a runtime)
	 * starts nothing in a container */
	s->exec_root = pid_of_parent.state == IDENT_CONTAINER ?
		pid_of_parent.exec_root : IDENT_EXEC_UNTOLD;
	s->seq = ++r->seq;
	s->checked_ms = now;
	r->st.inherited++;
}

void resolver_on_exec(struct resolver *r, int32_t pid, int64_t now)
{
	struct slot *s;
	struct ident id;

	if (pid <= 0)
		return;
	r->st.exec_reads++;
	s = read_into(r, pid, now, &id);
	if (s->origin != FROM_READ)
		r->st.exec_gone++;
}

/*
 * The exit of a pid no slot speaks for (never cached, or read as nothing)
 * noted in its ghost, so that a fork reusing the pid knows when the
 * predecessor left: without it a late record stamped just before that
 * fork would be taken for the new owner's (owner_at).
 */
static void note_exit(struct resolver *r, int32_t pid)
{
	struct slot *g = &r->ghosts[(uint32_t)pid & (RESOLVE_GHOSTS - 1)];

	memset(g, 0, sizeof *g);
	g->pid = pid;
	g->state = IDENT_UNRESOLVED;
	g->exit_wall_ms = r->ev_wall_ms;
}

void resolver_on_exit(struct resolver *r, int32_t pid, int64_t now)
{
	struct slot *s = pid > 0 ? find(r, pid) : NULL;

	if (!s) {
		if (pid > 0)
			note_exit(r, pid);
		return;
	}
	if (s->origin == FROM_NOTHING) {
		s->pid = 0;
		note_exit(r, pid);
		return;
	}
	/* read after this exit (the connector's events are handled a batch
	 * late): /proc showed this process's zombie, or whoever took the pid
	 * since; "?" until settle_late or the fork tells which (a read in the
	 * exit's own millisecond is left to the fork's check alone) */
	if (s->origin == FROM_READ && r->ev_mono_ms &&
	    s->read_ms > r->ev_mono_ms) {
		s->late = 1;
		r->st.read_after_exit++;
	}
	s->exited = 1;
	s->exited_ms = now;
	s->exit_wall_ms = r->ev_wall_ms;
}

void resolver_events_drained(struct resolver *r, int more)
{
	/* reads before the last mark: its read's events are all in now */
	r->drained_seq = r->mark_seq;
	r->mark_seq = r->seq;
	if (!more)
		r->drained_seq = r->seq;
}

void resolver_connector(struct resolver *r, int active)
{
	r->connector = active;
}

void resolver_events_lost(struct resolver *r, int64_t now)
{
	r->lossy_until = now + RESOLVE_LOSSY_MS;
}

int resolver_set_exec_root(struct resolver *r, int32_t pid, int32_t root)
{
	struct slot *s = pid > 0 ? find(r, pid) : NULL;

	if (!s || s->exited)
		return -ENOENT;
	s->exec_root = root;
	if (root > 0)
		r->st.sessions_started++;
	else if (root == IDENT_EXEC_UNKNOWN)
		r->st.sessions_unsure++;
	return 0;
}

int resolver_peek(const struct resolver *r, int32_t pid, struct ident *ret)
{
	const struct slot *s = pid > 0 ? find(r, pid) : NULL;

	if (!s)
		return 0;
	unpack(s, ret);
	return 1;
}

const struct resolve_stats *resolver_stats(const struct resolver *r)
{
	return &r->st;
}
