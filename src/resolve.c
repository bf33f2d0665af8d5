/*
 * resolve.c - the pid cache and the policy of resolve.h.
 *
 * The cache is two-way set-associative: set = pid & (SETS-1).  A new entry
 * takes an empty way, else an exited one, else the one confirmed longest
 * ago.  Lookups are O(1) with no probing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "resolve.h"

#define WAYS 2

enum origin { FROM_READ = 0, FROM_PARENT, FROM_NOTHING };

struct slot {
	int32_t pid;          /* 0: empty */
	uint8_t has_start;    /* start_time is known */
	uint8_t origin;       /* enum origin */
	uint8_t exited;
	uint64_t start_time;
	int64_t checked_ms;   /* when the answer was last confirmed */
	int64_t exited_ms;
	struct ident id;
};

struct resolver {
	char proc_root[4096];
	struct slot *slots;   /* RESOLVE_CACHE_SETS * WAYS */
	int connector;        /* events are being delivered */
	int64_t lossy_until;  /* events were lost: revalidate until then */
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
	if (!r->slots) {
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

/* Read pid now into its slot; keeps an inherited answer if it is gone. */
static struct slot *read_into(struct resolver *r, int32_t pid, int64_t now)
{
	struct slot *s = claim(r, pid);
	struct ident id;
	uint64_t start = 0;
	int e;

	r->st.proc_reads++;
	e = procfs_ident(r->proc_root, pid, &id, &start);
	if (e < 0 && s->pid == pid && s->origin == FROM_PARENT &&
	    !s->exited) {
		/* gone already: the parent's answer stands */
		s->checked_ms = now;
		return s;
	}
	if (s->pid != pid || e >= 0)
		s->exited = 0;
	s->pid = pid;
	s->id = id;
	s->origin = e < 0 ? FROM_NOTHING : FROM_READ;
	s->has_start = e == 1;
	s->start_time = start;
	s->checked_ms = now;
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
	/* a healthy connector reports every fork: no reuse goes unseen */
	if (r->connector && now >= r->lossy_until)
		return 1;
	if (now - s->checked_ms < RESOLVE_REVALIDATE_MS)
		return 1;
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

/* The slot holding a good answer for pid, read now if need be. */
static struct slot *lookup_slot(struct resolver *r, int32_t pid, int64_t now,
				int *ret_hit)
{
	struct slot *s = find(r, pid);

	*ret_hit = s && still_good(r, s, now);
	return *ret_hit ? s : read_into(r, pid, now);
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
	s = lookup_slot(r, pid, now, &hit);
	if (hit) {
		r->st.hits++;
		if (s->origin == FROM_PARENT)
			r->st.inherited_used++;
		if (s->exited)
			r->st.exited_used++;
	} else {
		r->st.misses++;
	}
	*ret = s->id;
	count(&r->st, ret);
}

void resolver_on_fork(struct resolver *r, int32_t parent, int32_t child,
		      int64_t now)
{
	struct ident pid_of_parent;
	struct slot *s;
	int hit;

	if (child <= 0)
		return;
	/* a new process: whatever was cached for this pid is a predecessor */
	s = find(r, child);
	if (s)
		s->pid = 0;
	if (parent <= 0)
		return;
	pid_of_parent = lookup_slot(r, parent, now, &hit)->id;
	if (pid_of_parent.state != IDENT_CONTAINER)
		return;
	if (procfs_is_runtime(r->proc_root, parent)) {
		r->st.runtime_parent++;
		return;
	}
	s = claim(r, child);
	memset(s, 0, sizeof *s);
	s->pid = child;
	s->origin = FROM_PARENT;
	s->id = pid_of_parent;
	s->id.nspid = 0; /* the child's own is not known */
	s->checked_ms = now;
	r->st.inherited++;
}

void resolver_on_exec(struct resolver *r, int32_t pid, int64_t now)
{
	struct slot *s;

	if (pid <= 0)
		return;
	r->st.exec_reads++;
	s = read_into(r, pid, now);
	if (s->origin != FROM_READ)
		r->st.exec_gone++;
}

void resolver_on_exit(struct resolver *r, int32_t pid, int64_t now)
{
	struct slot *s = pid > 0 ? find(r, pid) : NULL;

	if (!s)
		return;
	if (s->origin == FROM_NOTHING) {
		s->pid = 0;
		return;
	}
	s->exited = 1;
	s->exited_ms = now;
}

void resolver_connector(struct resolver *r, int active)
{
	r->connector = active;
}

void resolver_events_lost(struct resolver *r, int64_t now)
{
	r->lossy_until = now + RESOLVE_LOSSY_MS;
}

int resolver_peek(const struct resolver *r, int32_t pid, struct ident *ret)
{
	const struct slot *s = pid > 0 ? find(r, pid) : NULL;

	if (!s)
		return 0;
	*ret = s->id;
	return 1;
}

const struct resolve_stats *resolver_stats(const struct resolver *r)
{
	return &r->st;
}
