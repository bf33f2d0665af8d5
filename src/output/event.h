/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.h - group records into events by (node, time, serial) for JSON
 * output, as ausearch and auparse group them.
 *
 * Records of concurrent events arrive interleaved; an event is complete at
 * its EOE, at once for single-record user-space types (USER_*, DAEMON_*),
 * after EVENT_TIMEOUT_MS without its EOE (auditd dropped it under load), or
 * at EOF, or when open events hold more than EVENT_OPEN_BYTES_MAX (the
 * oldest first).  Lookups are O(1) (hash by serial) and expiry looks only
 * at the oldest open event, so incomplete events cost constant time each.
 * Completed events wait in a FIFO (completion order) until eventtab_drain()
 * hands them to the emit callback; a callback that has no room returns
 * -ENOSPC and the event waits for the next drain, so nothing is lost when
 * the output is slow.  Time is passed in (now_ms): tests drive it without
 * sleeping.
 */
#ifndef P2P_EVENT_H
#define P2P_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"
#include "input/record.h"

#define EVENT_TIMEOUT_MS 2000
#define EVENT_OPEN_MAX 8192          /* more open: the oldest is closed */
/* more bytes held by open events: the oldest are closed.  Open events count
 * toward queue_max_bytes; without this cap a stream of events that lost
 * their EOE (auditd dropping under load) would fill the queue and stop
 * input until the oldest timed out, 2 s, exactly when auditd is behind. */
#define EVENT_OPEN_BYTES_MAX (2 * 1024 * 1024)
#define EVENT_BYTES_MAX (256 * 1024) /* more bytes: closed early */
#define EVENT_NODE_MAX 255
/* OBJ_PID targets of one event kept with their identity; a later one is
 * written as not known ("?") */
#define EVENT_OBJS_MAX 64

struct event {
	uint64_t serial;
	uint64_t sec;
	uint32_t msec;
	char node[EVENT_NODE_MAX + 1]; /* "" for local records */
	int64_t opened_ms;
	char *buf;        /* the records' lines, each ending in '\n' */
	size_t len, cap;
	unsigned nrec;
	int has_id;       /* id is of the first record carrying pid= */
	int id_forged;    /* ... whose pid= was forged (unresolved): a later
			   * kernel-written one takes its place */
	struct ident id;
	/* the identities of its records' opid= targets (OBJ_PID), in record
	 * order; nobjs <= EVENT_OBJS_MAX, objs_seen counts them all */
	struct ident *objs;
	unsigned nobjs, objs_cap, objs_seen;
	int objs_full;    /* an allocation failed: no more kept */
	int complete_by;  /* enum event_close */
	/* private */
	struct event *hnext, *older, *newer;
};

enum event_close { EVCLOSE_EOE, EVCLOSE_SINGLE, EVCLOSE_TIMEOUT,
		   EVCLOSE_EOF, EVCLOSE_LIMIT };

/* 0: emitted; -ENOSPC: no room now, keep it and stop draining. */
typedef int (*event_emit_fn)(void *ctx, const struct event *ev);

struct event_stats {
	uint64_t events, by_eoe, by_single, by_timeout, by_eof, by_limit;
	uint64_t orphan_eoe;  /* EOE for no open event */
	uint64_t open_max;    /* high-water mark of open events */
};

struct eventtab;

struct eventtab *eventtab_new(event_emit_fn emit, void *ctx);
void eventtab_free(struct eventtab *t);

/*
 * eventtab_add - add a scanned record (r->flags without REC_BAD_HEADER);
 * id is the record's pid= identity or NULL; oid that of its opid= (a
 * record with one: OBJ_PID), or NULL (nothing to add: not looked up).
 * May complete events.  Returns 0 or -ENOMEM (the caller must then emit
 * the record itself).
 */
int eventtab_add(struct eventtab *t, const struct record *r,
		 const struct ident *id, const struct ident *oid,
		 int64_t now);

/* eventtab_expire - close events older than EVENT_TIMEOUT_MS. */
void eventtab_expire(struct eventtab *t, int64_t now);
/* eventtab_flush - close every open event (EOF, shutdown). */
void eventtab_flush(struct eventtab *t);
/* eventtab_drain - emit completed events, oldest first, while emit can. */
void eventtab_drain(struct eventtab *t);
/* eventtab_pending - completed events not yet emitted. */
size_t eventtab_pending(const struct eventtab *t);
/* eventtab_next_deadline - when the oldest open event times out, or -1. */
int64_t eventtab_next_deadline(const struct eventtab *t);
/* eventtab_bytes - bytes held by open and completed events (counts toward the queue). */
size_t eventtab_bytes(const struct eventtab *t);
const struct event_stats *eventtab_stats(const struct eventtab *t);

/* event_is_single - 1 for types that never get an EOE (user space). */
int event_is_single(const struct record *r);

#endif
