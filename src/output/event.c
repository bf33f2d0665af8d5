/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.c - the open-event table behind JSON output.
 *
 * Open events sit in a hash table (chained, keyed by serial and node) and in
 * a doubly linked age list, oldest first.  Closed events go back to a free
 * list with their buffers, so the steady state allocates nothing.
 */
#include <errno.h>
#include <libaudit.h>
#include <stdlib.h>
#include <string.h>

#include "output/event.h"

#define EVENT_HASH_SLOTS 16384 /* power of 2 */
#define EVENT_BUF_INITIAL 2048 /* most events are 1-2 KB */
#define EVENT_FREE_MAX 512     /* events kept for reuse */

struct eventtab {
	struct event *hash[EVENT_HASH_SLOTS];
	struct event *oldest, *newest;
	struct event *done_head, *done_tail; /* completed, not yet emitted */
	size_t ndone;
	struct event *free;
	unsigned nfree;
	size_t open, bytes;
	size_t open_bytes;    /* of bytes: held by open events */
	event_emit_fn emit;
	void *ctx;
	struct event_stats st;
};

struct eventtab *eventtab_new(event_emit_fn emit, void *ctx)
{
	struct eventtab *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->emit = emit;
	t->ctx = ctx;
	return t;
}

static void event_destroy(struct event *e)
{
	free(e->buf);
	free(e->objs);
	free(e);
}

void eventtab_free(struct eventtab *t)
{
	struct event *e, *n;

	if (!t)
		return;
	for (e = t->oldest; e; e = n) {
		n = e->newer;
		event_destroy(e);
	}
	for (e = t->done_head; e; e = n) {
		n = e->hnext;
		event_destroy(e);
	}
	for (e = t->free; e; e = n) {
		n = e->hnext;
		event_destroy(e);
	}
	free(t);
}

/* time is not hashed: an event's records share it, and one serial rarely
 * comes at two times (a reboot), so those few share a chain */
static uint32_t slot_of(uint64_t serial, const char *node, size_t nlen)
{
	uint64_t h = serial * 0x9E3779B97F4A7C15ULL;

	for (size_t i = 0; i < nlen; i++)
		h = (h ^ (unsigned char)node[i]) * 0x100000001B3ULL;
	return (uint32_t)(h >> 32) & (EVENT_HASH_SLOTS - 1);
}

static int same_node(const struct event *e, const struct record *r)
{
	size_t n = r->node ? r->node_len : 0;

	return strlen(e->node) == n && (n == 0 || memcmp(e->node, r->node, n) == 0);
}

static struct event *find(struct eventtab *t, const struct record *r)
{
	uint32_t s = slot_of(r->serial, r->node, r->node ? r->node_len : 0);

	/* an event is node + time + serial, as ausearch and auparse group:
	 * the same serial at another time (after a reboot) is another */
	for (struct event *e = t->hash[s]; e; e = e->hnext)
		if (e->serial == r->serial && e->sec == r->sec &&
		    e->msec == r->msec && same_node(e, r))
			return e;
	return NULL;
}

static void unlink_event(struct eventtab *t, struct event *e)
{
	uint32_t s = slot_of(e->serial, e->node, strlen(e->node));
	struct event **pp;

	for (pp = &t->hash[s]; *pp; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	t->open--;
}

static void close_event(struct eventtab *t, struct event *e, int how)
{
	unlink_event(t, e);
	t->open_bytes -= e->len;
	e->complete_by = how;
	t->st.events++;
	switch (how) {
	case EVCLOSE_EOE: t->st.by_eoe++; break;
	case EVCLOSE_SINGLE: t->st.by_single++; break;
	case EVCLOSE_TIMEOUT: t->st.by_timeout++; break;
	case EVCLOSE_EOF: t->st.by_eof++; break;
	default: t->st.by_limit++; break;
	}
	e->hnext = NULL;
	if (t->done_tail)
		t->done_tail->hnext = e;
	else
		t->done_head = e;
	t->done_tail = e;
	t->ndone++;
}

static void release_event(struct eventtab *t, struct event *e)
{
	t->bytes -= e->len;
	if (t->nfree < EVENT_FREE_MAX && e->cap <= 4 * EVENT_BUF_INITIAL) {
		e->hnext = t->free;
		t->free = e;
		t->nfree++;
	} else {
		event_destroy(e);
	}
}

void eventtab_drain(struct eventtab *t)
{
	struct event *e;

	while ((e = t->done_head) != NULL) {
		if (t->emit(t->ctx, e) < 0)
			return;
		t->done_head = e->hnext;
		if (!t->done_head)
			t->done_tail = NULL;
		t->ndone--;
		release_event(t, e);
	}
}

size_t eventtab_pending(const struct eventtab *t)
{
	return t->ndone;
}

static struct event *open_event(struct eventtab *t, const struct record *r,
				int64_t now)
{
	struct event *e = t->free;
	size_t nlen = r->node ? r->node_len : 0;
	uint32_t s;

	if (e) {
		t->free = e->hnext;
		t->nfree--;
	} else {
		e = calloc(1, sizeof *e);
		if (!e)
			return NULL;
	}
	if (nlen > EVENT_NODE_MAX)
		nlen = EVENT_NODE_MAX;
	e->serial = r->serial;
	e->sec = r->sec;
	e->msec = r->msec;
	memcpy(e->node, r->node ? r->node : "", nlen);
	e->node[nlen] = '\0';
	e->opened_ms = now;
	e->len = 0;
	e->nrec = 0;
	e->has_id = 0;
	e->id_forged = 0;
	e->nobjs = e->objs_seen = 0;
	e->objs_full = 0;
	s = slot_of(e->serial, e->node, nlen);
	e->hnext = t->hash[s];
	t->hash[s] = e;
	e->newer = NULL;
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
	if (++t->open > t->st.open_max)
		t->st.open_max = t->open;
	return e;
}

static int append(struct eventtab *t, struct event *e, const struct record *r)
{
	size_t need = e->len + r->len + 1;

	if (need > e->cap) {
		size_t cap = e->cap ? e->cap : EVENT_BUF_INITIAL;
		char *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(e->buf, cap);
		if (!nb)
			return -ENOMEM;
		e->buf = nb;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, r->line, r->len);
	e->buf[e->len + r->len] = '\n';
	e->len += r->len + 1;
	e->nrec++;
	t->bytes += r->len + 1;
	t->open_bytes += r->len + 1;
	return 0;
}

int event_is_single(const struct record *r)
{
	char type[64];
	int n;

	if (!r->type || r->type_len >= sizeof type)
		return 0;
	memcpy(type, r->type, r->type_len);
	type[r->type_len] = '\0';
	n = audit_name_to_msg_type(type);
	/* user space and daemon messages never have an EOE */
	return n == AUDIT_USER ||
	       (n >= AUDIT_FIRST_USER_MSG && n <= AUDIT_LAST_USER_MSG) ||
	       (n >= AUDIT_FIRST_DAEMON && n <= AUDIT_LAST_DAEMON) ||
	       (n >= AUDIT_FIRST_USER_MSG2 && n <= AUDIT_LAST_USER_MSG2);
}

/* Keep oid, the identity of r's opid= target.  Past the cap, or once an
 * allocation failed, no more are kept (so the kept ones stay in record
 * order): the rest are written as not known. */
static void add_obj(struct event *e, const struct ident *oid)
{
	e->objs_seen++;
	if (e->objs_full || e->nobjs >= EVENT_OBJS_MAX)
		return;
	if (e->nobjs == e->objs_cap) {
		unsigned cap = e->objs_cap ? 2 * e->objs_cap : 4;
		struct ident *n = realloc(e->objs, cap * sizeof *n);

		if (!n) {
			e->objs_full = 1;
			return;
		}
		e->objs = n;
		e->objs_cap = cap;
	}
	e->objs[e->nobjs++] = *oid;
}

int eventtab_add(struct eventtab *t, const struct record *r,
		 const struct ident *id, const struct ident *oid, int64_t now)
{
	static const struct ident none = { .state = IDENT_NONE };
	struct event *e = find(t, r);

	if (r->flags & REC_EOE) {
		if (e)
			close_event(t, e, EVCLOSE_EOE);
		else
			t->st.orphan_eoe++;
		return 0;
	}
	if (e && e->len + r->len + 1 > EVENT_BYTES_MAX) {
		close_event(t, e, EVCLOSE_LIMIT);
		e = NULL;
	}
	if (!e) {
		if (t->open >= EVENT_OPEN_MAX)
			close_event(t, t->oldest, EVCLOSE_LIMIT);
		e = open_event(t, r, now);
		if (!e)
			return -ENOMEM;
	}
	if (append(t, e, r) < 0) {
		close_event(t, e, EVCLOSE_LIMIT);
		return -ENOMEM;
	}
	/* the first record with a pid= names the event; one whose pid= is
	 * forged (record.c: unresolved) only until a kernel-written one comes */
	if (id && (!e->has_id ||
		   (e->id_forged && !(r->flags & REC_PID_FORGED)))) {
		e->id = *id;
		e->has_id = 1;
		e->id_forged = !!(r->flags & REC_PID_FORGED);
	}
	/* every record with an opid= has its place, looked up or not */
	if (r->opid != RECORD_NO_PID)
		add_obj(e, oid ? oid : &none);
	if (event_is_single(r))
		close_event(t, e, EVCLOSE_SINGLE);
	while (t->open_bytes > EVENT_OPEN_BYTES_MAX && t->oldest)
		close_event(t, t->oldest, EVCLOSE_LIMIT);
	return 0;
}

void eventtab_expire(struct eventtab *t, int64_t now)
{
	while (t->oldest && now - t->oldest->opened_ms >= EVENT_TIMEOUT_MS)
		close_event(t, t->oldest, EVCLOSE_TIMEOUT);
}

void eventtab_flush(struct eventtab *t)
{
	while (t->oldest)
		close_event(t, t->oldest, EVCLOSE_EOF);
}

int64_t eventtab_next_deadline(const struct eventtab *t)
{
	return t->oldest ? t->oldest->opened_ms + EVENT_TIMEOUT_MS : -1;
}

size_t eventtab_bytes(const struct eventtab *t)
{
	return t->bytes;
}

const struct event_stats *eventtab_stats(const struct eventtab *t)
{
	return &t->st;
}
