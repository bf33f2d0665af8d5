/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podcache.c - the latest pod list, the misses it remembers, and when to
 * fetch the next one (the rules are in podcache.h).
 *
 * Time is passed in and requests leave through a callback, so the whole
 * policy runs in tests on an injected clock.  The snapshot itself is
 * immutable; replacing it is one pointer swap on the loop's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podmeta/podcache.h"

struct miss {
	char key[CONTAINER_ID_LEN + 1]; /* container id or pod UID; "" free */
	int64_t first_ms;               /* first miss of this round */
};

struct podcache {
	int64_t refresh_ms;
	podcache_request_fn request;
	void *ctx;
	struct podsnap *snap;       /* NULL until the first good list */
	int64_t snap_started_ms;    /* when the refresh behind snap started */
	int state;                  /* enum podcache_state */
	uint64_t last_ticket;       /* last one asked for */
	uint64_t inflight;          /* 0: none */
	int64_t last_start_ms, last_end_ms;
	int64_t next_periodic_ms;
	int64_t backoff_ms;
	int64_t pending_since;      /* a miss wants a refresh; -1: none */
	struct podcache_stats st;
	struct miss misses[PODCACHE_MISS_SLOTS];
};

struct podcache *podcache_new(int64_t refresh_ms, podcache_request_fn request,
			      void *ctx)
{
	struct podcache *pc = calloc(1, sizeof *pc);

	if (!pc)
		return NULL;
	pc->refresh_ms = refresh_ms > 0 ? refresh_ms : 1;
	pc->request = request;
	pc->ctx = ctx;
	pc->backoff_ms = PODCACHE_BACKOFF_MIN_MS;
	pc->pending_since = -1;
	pc->last_start_ms = pc->last_end_ms = INT64_MIN / 2;
	return pc;
}

void podcache_free(struct podcache *pc)
{
	if (!pc)
		return;
	podsnap_unref(pc->snap);
	free(pc);
}

void podcache_set_request(struct podcache *pc, podcache_request_fn request,
			  void *ctx)
{
	pc->request = request;
	pc->ctx = ctx;
}

static void start(struct podcache *pc, int64_t now)
{
	if (!pc->request)
		return; /* nobody to fetch it yet */
	pc->inflight = ++pc->last_ticket;
	pc->last_start_ms = now;
	pc->st.requests++;
	pc->request(pc->ctx, pc->inflight);
}

/* When the next refresh is due when none is in flight. */
static int64_t due(const struct podcache *pc)
{
	int64_t d;

	if (pc->state == PODCACHE_DOWN)
		return pc->last_end_ms + pc->backoff_ms;
	d = pc->next_periodic_ms;
	if (pc->pending_since >= 0 &&
	    pc->last_start_ms + PODCACHE_SPACING_MS < d)
		d = pc->last_start_ms + PODCACHE_SPACING_MS;
	return d;
}

void podcache_tick(struct podcache *pc, int64_t now)
{
	if (pc->inflight || !pc->request || now < due(pc))
		return;
	if (pc->pending_since >= 0)
		pc->st.by_miss++;
	pc->pending_since = -1;
	start(pc, now);
}

int64_t podcache_next(const struct podcache *pc)
{
	return pc->inflight || !pc->request ? -1 : due(pc);
}

/* A miss wants a newer list: start one, or hold on one already going. */
static void want(struct podcache *pc, int64_t now, struct podcache_answer *ret)
{
	/* before the first answer (boot, a restart) every record may wait
	 * for the first list, whenever its fetch started */
	int first = pc->state == PODCACHE_UNKNOWN && !pc->snap;

	if (first && !pc->inflight)
		start(pc, now);
	if (first && pc->inflight) {
		ret->hold = pc->inflight;
		return;
	}
	if (pc->state == PODCACHE_UP && pc->inflight) {
		if (pc->last_start_ms >= now)
			ret->hold = pc->inflight;
		else if (pc->pending_since < 0)
			pc->pending_since = now;
		return;
	}
	if (pc->state == PODCACHE_UP && pc->request &&
	    now - pc->last_start_ms >= PODCACHE_SPACING_MS) {
		pc->st.by_miss++;
		start(pc, now);
		ret->hold = pc->inflight;
		return;
	}
	/* spacing, a kubelet that is down or not heard from yet: later */
	if (pc->pending_since < 0)
		pc->pending_since = now;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void miss(struct podcache *pc, const char *key, int64_t now,
		 struct podcache_answer *ret)
{
	struct miss *m = &pc->misses[hash(key) & (PODCACHE_MISS_SLOTS - 1)];

	pc->st.misses++;
	if (strcmp(m->key, key) == 0) {
		if (pc->snap && pc->snap_started_ms >= m->first_ms) {
			/* a list fetched after the first miss lacks it too */
			if (now - m->first_ms < PODCACHE_MISS_TTL_MS) {
				pc->st.misses_confirmed++;
				return;
			}
			m->first_ms = now;
		}
	} else {
		snprintf(m->key, sizeof m->key, "%s", key);
		m->first_ms = now;
	}
	want(pc, now, ret);
}

int podcache_lookup(struct podcache *pc, const char *cid, const char *pod_uid,
		    int64_t now, struct podcache_answer *ret)
{
	const struct podsnap_container *c = NULL;
	int r = 0;

	memset(ret, 0, sizeof *ret);
	pc->st.lookups++;
	if (cid && !*cid)
		cid = NULL;
	if (pod_uid && !*pod_uid)
		pod_uid = NULL;
	if (!cid && !pod_uid)
		return 0;
	if (pc->snap && cid)
		r = podsnap_container(pc->snap, cid, &c);
	if (r == -EEXIST) {
		pc->st.ambiguous++;
		return -EEXIST;
	}
	if (r == 1) {
		pc->st.hits++;
		ret->ctr = c;
		ret->pod = podsnap_pod(pc->snap, c->pod);
		return 1;
	}
	if (pc->snap && pod_uid)
		ret->pod = podsnap_pod_by_uid(pc->snap, pod_uid);
	if (ret->pod)
		pc->st.pod_hits++;
	/* a container not in the list yet, even when its pod is */
	if (cid || !ret->pod)
		miss(pc, cid ? cid : pod_uid, now, ret);
	return ret->pod != NULL;
}

/* snap (a reference taken over) is the list, from a fetch started then. */
static void install(struct podcache *pc, struct podsnap *snap, int64_t started,
		    int64_t now)
{
	podsnap_unref(pc->snap);
	pc->snap = snap;
	pc->snap_started_ms = started;
	pc->state = PODCACHE_UP;
	pc->backoff_ms = PODCACHE_BACKOFF_MIN_MS;
	pc->next_periodic_ms = now + pc->refresh_ms;
	/* the misses before that fetch started are answered by it */
	if (pc->pending_since >= 0 && pc->pending_since <= started)
		pc->pending_since = -1;
	pc->st.results_ok++;
	pc->st.last_ok_ms = now;
	pc->st.pods = snap ? podsnap_npods(snap) : 0;
	pc->st.containers = snap ? podsnap_ncontainers(snap) : 0;
}

void podcache_result(struct podcache *pc, uint64_t ticket, struct podsnap *snap,
		     int64_t now)
{
	if (!pc->inflight || ticket != pc->inflight) {
		podsnap_unref(snap);
		return;
	}
	pc->inflight = 0;
	pc->last_end_ms = now;
	if (!snap) {
		pc->st.results_failed++;
		if (pc->state == PODCACHE_DOWN) {
			int64_t cap = pc->refresh_ms > PODCACHE_BACKOFF_MIN_MS ?
				      pc->refresh_ms : PODCACHE_BACKOFF_MIN_MS;

			pc->backoff_ms = pc->backoff_ms * 2 < cap ?
					 pc->backoff_ms * 2 : cap;
		} else {
			pc->backoff_ms = PODCACHE_BACKOFF_MIN_MS;
		}
		pc->state = PODCACHE_DOWN;
		return;
	}
	install(pc, snap, pc->last_start_ms, now);
}

void podcache_install(struct podcache *pc, struct podsnap *snap, int64_t now)
{
	install(pc, snap, now, now);
}

int podcache_done(const struct podcache *pc, uint64_t t)
{
	return t != 0 && t <= pc->last_ticket && t != pc->inflight;
}

int podcache_state(const struct podcache *pc)
{
	return pc->state;
}

const struct podcache_stats *podcache_stats(const struct podcache *pc)
{
	return &pc->st;
}
