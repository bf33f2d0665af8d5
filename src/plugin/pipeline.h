/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline.h - from input lines to output bytes, without I/O of its own.
 *
 * pipeline_line() takes one input line (framed by the reader), scans it,
 * resolves its pid and opid, and either formats it straight into the output
 * queue (text) or adds it to its event (json).  Strict line order in text
 * mode; completion order of events in json mode.  The caller owns reading,
 * writing and time, which keeps this testable with an injected clock.
 */
#ifndef P2P_PIPELINE_H
#define P2P_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "output/outq.h"

/* Room one input line may need in the output queue. */
#define PIPE_LINE_ROOM (8970 + 64)
/* ... as a JSON line of its own (a malformed line, or a record of an event
 * too big for its room): every byte may take 6 ("\u00XX"). */
#define PIPE_JSON_LINE_ROOM (8970 * 6 + 256)
/* The most one JSON event reserves in the output queue, and the queue's
 * headroom over queue_max_bytes (plugin.c). */
#define PIPE_EVENT_ROOM_MAX (2 * 1024 * 1024)

struct pipe_stats {
	uint64_t lines_in;     /* every line read, EOE included */
	uint64_t records_in;   /* lines that are not EOE */
	uint64_t eoe;
	uint64_t enriched;     /* records that got fields */
	uint64_t host;         /* records of host processes */
	uint64_t unresolved;   /* records that got container_id=? */
	uint64_t pod_only;
	uint64_t foreign_node; /* other nodes' records, passed untouched */
	uint64_t malformed;    /* bad header, NUL bytes or overlong */
	uint64_t truncated;    /* overlong lines cut */
	uint64_t fields_dropped;
	uint64_t dropped;      /* overflow_action = drop */
	uint64_t named;        /* records given pod names (runtime state) */
	uint64_t disagree;     /* the pod sources named other pods */
	uint64_t held;         /* records that waited for the pod list */
	uint64_t hold_max_ms;  /* longest such wait */
	/* input = go-audit: objects (every non-empty line), the ones not
	 * enriched for their form (reported or passed on as they came), those
	 * cut on input, messages with a pid past GOAUDIT_PIDS_MAX */
	uint64_t goaudit_objects, goaudit_malformed, goaudit_overlong;
	uint64_t goaudit_capped;
};

struct pipeline;

/*
 * pipeline_new - a pipeline for c writing into q.  node_name is the
 * resolved node name (conf's, or this host's).  NULL on error (errno).
 */
struct pipeline *pipeline_new(const struct conf *c, const char *node_name,
			      struct outq *q);
void pipeline_free(struct pipeline *p);

/*
 * pipeline_has_room - 1 when one more line can be taken without going past
 * queue_max_bytes.
 */
int pipeline_has_room(const struct pipeline *p);

/*
 * pipeline_line - process one line (len bytes, newline removed; orig_len is
 * its length on input when the reader had to cut it).  The caller checks
 * pipeline_has_room() first; with overflow_action = drop a line that
 * finds no room is counted and discarded here.
 */
void pipeline_line(struct pipeline *p, const char *line, size_t len,
		   size_t orig_len, int64_t now);

/* pipeline_tick - time passes: close timed-out events, emit what waits. */
void pipeline_tick(struct pipeline *p, int64_t now);
/* pipeline_flush - EOF or shutdown: close every event. */
void pipeline_flush(struct pipeline *p);
/* pipeline_deadline - next time pipeline_tick has work, or -1. */
int64_t pipeline_deadline(const struct pipeline *p);
/* pipeline_idle - 1 when nothing is held back (all in the output queue). */
int pipeline_idle(const struct pipeline *p);
/* pipeline_queued_bytes - bytes held (output queue and open events). */
size_t pipeline_queued_bytes(const struct pipeline *p);

const struct pipe_stats *pipeline_stats(const struct pipeline *p);
struct resolver *pipeline_resolver(struct pipeline *p);
struct ctrmeta *pipeline_ctrmeta(struct pipeline *p);

/*
 * pipeline_on_exec - the connector saw pid exec: read its cgroup, and a
 * container's runtime state while the bundle still exists.
 */
void pipeline_on_exec(struct pipeline *p, int32_t pid, int64_t now);

/* pipeline_podcache - the kubelet's pod list, or NULL (not configured). */
struct podcache *pipeline_podcache(struct pipeline *p);
struct podsnap;
/*
 * pipeline_pods - the pod list fetch with ticket ended at now: snap (a
 * reference handed over) or NULL; held records may now go out.
 */
void pipeline_pods(struct pipeline *p, uint64_t ticket, struct podsnap *snap,
		   int64_t now);

/*
 * pipeline_line_max - the input line cap this pipeline wants (RECORD_MAX;
 * GOAUDIT_LINE_MAX for input = go-audit), for input_set_line_max().
 */
size_t pipeline_line_max(const struct pipeline *p);

/* pipeline_node_matches - 1 when a record's node= names this node. */
int pipeline_node_matches(const char *mine, const char *node, size_t len);

#endif
