/*
 * resolve.c - the pid cache and the /proc reads behind it.
 *
 * The cache is direct-mapped: slot = pid & (SLOTS-1), tagged with the pid.
 * A collision simply replaces the slot (it is a cache), so lookups are O(1)
 * with no probing and no eviction policy to get wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "resolve.h"
#include "util.h"

#define STAT_FILE_MAX 1024
#define STARTTIME_FIELD 22

struct slot {
	int32_t pid;            /* 0: empty */
	uint8_t has_start;      /* start_time is known */
	uint64_t start_time;
	int64_t checked_ms;     /* when the answer was last confirmed */
	struct ident id;
};

struct resolver {
	char proc_root[4096];
	struct slot *slots;
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
	r->slots = calloc(RESOLVE_CACHE_SLOTS, sizeof *r->slots);
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

/* Field 22 of stat, after the last ')' (comm may hold spaces and parens). */
static int read_start_time(const char *proc_root, int32_t pid, uint64_t *ret)
{
	char path[4200], buf[STAT_FILE_MAX];
	const char *p;
	ssize_t n;
	int field = 2;

	snprintf(path, sizeof path, "%s/%d/stat", proc_root, (int)pid);
	n = read_small_file(path, buf, sizeof buf);
	if (n < 0)
		return (int)n;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	while (*p && field < STARTTIME_FIELD) {
		if (*p == ' ') {
			field++;
			while (*p == ' ')
				p++;
			continue;
		}
		p++;
	}
	if (field != STARTTIME_FIELD || *p < '0' || *p > '9')
		return -EINVAL;
	*ret = strtoull(p, NULL, 10);
	return 0;
}

static void ident_from_cgroup(enum cgroup_verdict v,
			      const struct cgroup_result *cg, struct ident *id)
{
	memset(id, 0, sizeof *id);
	switch (v) {
	case CGROUP_HOST:
		id->state = IDENT_HOST;
		break;
	case CGROUP_CONTAINER:
	case CGROUP_POD_ONLY:
		id->state = v == CGROUP_CONTAINER ? IDENT_CONTAINER
						  : IDENT_POD_ONLY;
		id->runtime = (uint8_t)cg->runtime;
		memcpy(id->container_id, cg->container_id,
		       sizeof id->container_id);
		memcpy(id->pod_uid, cg->pod_uid, sizeof id->pod_uid);
		break;
	case CGROUP_AMBIGUOUS:
		id->state = IDENT_UNRESOLVED;
		id->reason = REASON_AMBIGUOUS;
		break;
	case CGROUP_EMPTY:
		id->state = IDENT_UNRESOLVED;
		id->reason = REASON_EMPTY_CGROUP;
		break;
	}
}

int resolver_read(const char *proc_root, int32_t pid, struct ident *ret,
		  uint64_t *ret_start_time)
{
	char path[4200], buf[RESOLVE_CGROUP_FILE_MAX];
	struct cgroup_result cg;
	uint64_t st1 = 0, st2 = 0;
	int has_st, e;
	ssize_t n;

	has_st = read_start_time(proc_root, pid, &st1) == 0;
	snprintf(path, sizeof path, "%s/%d/cgroup", proc_root, (int)pid);
	n = read_small_file(path, buf, sizeof buf);
	if (n < 0) {
		memset(ret, 0, sizeof *ret);
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_NO_PROC;
		return (int)n;
	}
	ident_from_cgroup(cgroup_parse(buf, (size_t)n, &cg), &cg, ret);
	/* the pid may have been reused between the two reads */
	if (has_st) {
		e = read_start_time(proc_root, pid, &st2);
		if (e < 0 || st2 != st1) {
			memset(ret, 0, sizeof *ret);
			ret->state = IDENT_UNRESOLVED;
			ret->reason = REASON_NO_PROC;
			return e < 0 ? e : -ESRCH;
		}
	}
	if (ret_start_time)
		*ret_start_time = has_st ? st1 : 0;
	return has_st ? 1 : 0;
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

void resolver_lookup(struct resolver *r, int32_t pid, int64_t now,
		     struct ident *ret)
{
	struct slot *s;
	uint64_t start;
	int e;

	r->st.lookups++;
	if (pid <= 0) {
		memset(ret, 0, sizeof *ret);
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_BAD_PID;
		r->st.unresolved++;
		return;
	}
	s = &r->slots[(uint32_t)pid & (RESOLVE_CACHE_SLOTS - 1)];
	if (s->pid == pid) {
		int64_t ttl = s->id.reason == REASON_NO_PROC
				      ? RESOLVE_MISSING_TTL_MS
				      : RESOLVE_REVALIDATE_MS;

		if (now - s->checked_ms < ttl) {
			r->st.hits++;
			*ret = s->id;
			count(&r->st, ret);
			return;
		}
		if (s->has_start && read_start_time(r->proc_root, pid,
						    &start) == 0 &&
		    start == s->start_time) {
			s->checked_ms = now;
			r->st.hits++;
			*ret = s->id;
			count(&r->st, ret);
			return;
		}
		if (s->has_start)
			r->st.reused++;
		else if (s->id.reason != REASON_NO_PROC) {
			/* nothing to compare with: trust the answer */
			s->checked_ms = now;
			r->st.hits++;
			*ret = s->id;
			count(&r->st, ret);
			return;
		}
	}
	r->st.misses++;
	r->st.proc_reads++;
	e = resolver_read(r->proc_root, pid, &s->id, &s->start_time);
	s->pid = pid;
	s->has_start = e == 1;
	s->checked_ms = now;
	*ret = s->id;
	count(&r->st, ret);
}

void resolver_forget(struct resolver *r, int32_t pid)
{
	struct slot *s;

	if (pid <= 0)
		return;
	s = &r->slots[(uint32_t)pid & (RESOLVE_CACHE_SLOTS - 1)];
	if (s->pid == pid)
		s->pid = 0;
}

const struct resolve_stats *resolver_stats(const struct resolver *r)
{
	return &r->st;
}
