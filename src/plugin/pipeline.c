/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline.c - the record path: scan, resolve, name, format.
 *
 * Text output formats each record into the output queue as soon as it is
 * read, so order is the input's by construction.  The one exception: a
 * record of a container the pod list does not know yet may wait for the
 * fetch its miss started (hold_ms at most); while anything waits, every
 * later record waits behind it (holdq), so order is kept.  JSON output
 * groups records into events (event.c) and formats each when it completes;
 * an event waiting for the pod list stops the drain of completed events
 * the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "input/goaudit.h"
#include "input/record.h"
#include "output/enrich.h"
#include "output/event.h"
#include "output/jsonmap.h"
#include "output/jsonnames.h"
#include "output/jsonout.h"
#include "plugin/holdq.h"
#include "plugin/pipeline.h"
#include "podmeta/ctrmeta.h"
#include "podmeta/kubeconf.h"
#include "podmeta/kubelet.h"
#include "podmeta/names.h"
#include "podmeta/podcache.h"
#include "resolve/resolve.h"

/* A held go-audit object: this, its pids' identities, then the line. */
struct ga_held {
	uint32_t nids, line_len;
};
#define GA_HELD_MAX (sizeof(struct ga_held) + \
		     GOAUDIT_PIDS_MAX * sizeof(struct ident) + GOAUDIT_LINE_MAX)

struct pipeline {
	int format;
	int schema;     /* enum conf_schema, of FORMAT_JSON */
	int overflow;
	size_t max_bytes;
	char node[CONF_NAME_MAX];
	struct outq *q;
	struct resolver *res;
	struct ctrmeta *cm;
	struct podcache *pc;   /* NULL: no kubelet */
	struct eventtab *events;
	struct jsoninterp *ji; /* JSON: libauparse for "interpreted" */
	struct enrich_stats est;
	struct log_rate drop_rate;
	int64_t now;      /* time of the line or tick being handled */
	int64_t hold_ms;  /* 0: never hold */
	int64_t hold_until; /* deadline shared by what is held; 0: none held */
	struct holdq held;  /* text records waiting (empty without kubelet) */
	/* JSON: the completed event at the head of the drain that waits */
	const struct event *jheld;
	uint64_t jheld_ticket;
	int64_t jheld_until, jheld_since;
	struct pipe_stats st;
	int goaudit;        /* input = go-audit: JSON objects, not records */
	size_t room;        /* output room one line may need */
	char *ga_buf;       /* go-audit: a held entry being put together */
	struct names_buf obj_nb; /* obj_names' answer, until its next call */
	/* the configured label keys (sealed records write each) */
	char labels[K8S_LABELS_MAX][KUBELET_LABEL_KEY_MAX];
	const char *label_keys[K8S_LABELS_MAX];
	unsigned nlabels;
};

int pipeline_node_matches(const char *mine, const char *node, size_t len)
{
	size_t ml = strlen(mine), ms = ml, ns = len;
	const char *d;

	if (len == ml && memcmp(mine, node, len) == 0)
		return 1;
	/* short and FQDN forms of the same name match each other */
	if ((d = memchr(mine, '.', ml)))
		ms = (size_t)(d - mine);
	if ((d = memchr(node, '.', len)))
		ns = (size_t)(d - node);
	if (ms == ml && ns < len)  /* mine is short, node is an FQDN */
		return ns == ms && memcmp(mine, node, ns) == 0;
	if (ns == len && ms < ml)  /* node is short, mine is an FQDN */
		return ns == ms && memcmp(mine, node, ns) == 0;
	return 0;
}

static void count_names(struct pipeline *p, int r)
{
	if (r == NAMES_KNOWN)
		p->st.named++;
	else if (r == NAMES_DISAGREE)
		p->st.disagree++;
}

static void count_wait(struct pipeline *p, int64_t since)
{
	int64_t w = p->now - since;

	if (w > 0 && (uint64_t)w > p->st.hold_max_ms)
		p->st.hold_max_ms = (uint64_t)w;
}

/*
 * The deadline of a record that arrived at t and may wait for the fetch
 * with ticket: t + hold_ms, and never later than the deadline shared by
 * everything held since holding began.  0: it may not wait.
 */
static int64_t hold_deadline(struct pipeline *p, uint64_t ticket, int64_t t)
{
	int64_t d = t + p->hold_ms;

	if (!ticket || !p->hold_ms || !p->pc)
		return 0;
	if (!p->hold_until)
		p->hold_until = d;
	return d < p->hold_until ? d : p->hold_until;
}

static int waiting(const struct pipeline *p, uint64_t ticket, int64_t deadline)
{
	return ticket && p->now < deadline && !podcache_done(p->pc, ticket);
}

/* An OBJ_PID target's names (jsonout_names_fn): no hold for them; sources
 * that disagree make *id unresolved. */
static const struct k8s_names *obj_names(void *ctx, struct ident *id)
{
	struct pipeline *p = ctx;
	const struct k8s_names *nm = NULL;

	count_names(p, names_lookup(p->cm, p->pc, id, p->now, &p->obj_nb,
				    &nm, NULL));
	return nm;
}

/* An event JSONOUT_BOUND does not hold: its records one by one. */
static void emit_by_record(struct pipeline *p, const struct event *ev)
{
	const char *s = ev->buf, *end = ev->buf + ev->len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *dst = outq_reserve(p->q, PIPE_JSON_LINE_ROOM);

		if (!dst)
			break; /* cannot happen: the event's room is free */
		p->st.malformed++;
		outq_commit(p->q, jsonout_malformed(dst, PIPE_JSON_LINE_ROOM, s,
						    n, n, "room"));
		s += n + 1;
	}
}

static int emit_event(void *ctx, const struct event *ev)
{
	struct pipeline *p = ctx;
	/* never more than the queue's headroom over queue_max_bytes: an
	 * event that needs more is written record by record */
	size_t want = JSONOUT_BOUND(ev->len, ev->nrec, ev->nobjs);
	size_t bound = want < PIPE_EVENT_ROOM_MAX ? want : PIPE_EVENT_ROOM_MAX;
	char *dst = outq_reserve(p->q, bound);
	size_t n;
	const struct k8s_names *names = NULL;
	struct names_buf nb;
	struct event copy;
	uint64_t t = 0;
	unsigned cut = 0;
	int r, was_held = p->jheld == ev;

	if (!dst)
		return -ENOSPC;
	if (was_held && waiting(p, p->jheld_ticket, p->jheld_until))
		return -EAGAIN;
	if (ev->has_id && (ev->id.state == IDENT_CONTAINER ||
			   ev->id.state == IDENT_POD_ONLY)) {
		/* names may turn the answer into "sources disagree" */
		copy = *ev;
		r = names_lookup(p->cm, p->pc, &copy.id, p->now, &nb, &names,
				 p->jheld == ev ? NULL : &t);
		if (p->jheld != ev && t) {
			int64_t d = hold_deadline(p, t, ev->opened_ms);

			if (waiting(p, t, d)) {
				p->jheld = ev;
				p->jheld_ticket = t;
				p->jheld_until = d;
				p->jheld_since = p->now;
				p->st.held++;
				return -EAGAIN;
			}
		}
		count_names(p, r);
		ev = &copy;
	}
	if (was_held)
		count_wait(p, p->jheld_since);
	p->jheld = NULL;
	if (p->schema == SCHEMA_NATIVE)
		n = jsonout_event(dst, bound, ev, p->node, names, obj_names, p,
				  p->ji, &cut);
	else
		n = jsonmap_event(dst, bound, p->schema == SCHEMA_ECS ? JN_ECS :
				  JN_OTEL, ev, p->node, names, obj_names, p,
				  &cut);
	p->st.fields_dropped += cut;
	if (n)
		outq_commit(p->q, n);
	else
		emit_by_record(p, ev);
	return 0;
}

struct pipeline *pipeline_new(const struct conf *c, const char *node_name,
			      struct outq *q)
{
	struct pipeline *p = calloc(1, sizeof *p);
	struct kubelet_conf kc;
	char why[256];

	if (!p)
		return NULL;
	p->goaudit = c->input == INPUT_GOAUDIT;
	/* go-audit objects go out one for one, as text records do */
	p->format = p->goaudit ? FORMAT_TEXT : c->output_format;
	p->schema = c->json_schema;
	p->room = p->goaudit ? GOAUDIT_ROOM_MAX :
		  p->format == FORMAT_JSON ? PIPE_JSON_LINE_ROOM : PIPE_LINE_ROOM;
	p->overflow = c->overflow_action;
	p->max_bytes = (size_t)c->queue_max_bytes;
	snprintf(p->node, sizeof p->node, "%s", node_name);
	p->q = q;
	p->hold_ms = (int64_t)c->hold_ms;
	p->res = resolver_new(c->proc_root);
	p->cm = ctrmeta_new(c->runtime_state_dirs, c->containerd_namespace);
	if (p->format == FORMAT_JSON) {
		p->events = eventtab_new(emit_event, p);
		/* here, before the sandbox: libauparse reads auditd.conf */
		p->ji = jsoninterp_new();
		if (!p->ji)
			log_warnx("libauparse: no interpreted values in JSON");
	}
	if (kubelet_conf_from(c, node_name, &kc, why, sizeof why) == 1) {
		p->pc = podcache_new((int64_t)c->kubelet_refresh_interval * 1000,
				     NULL, NULL);
		for (unsigned i = 0; i < kc.nlabels && i < K8S_LABELS_MAX; i++) {
			memcpy(p->labels[i], kc.labels[i], sizeof p->labels[i]);
			p->label_keys[p->nlabels++] = p->labels[i];
		}
		if (!p->pc || (p->format == FORMAT_TEXT &&
			       holdq_init(&p->held, HOLDQ_BYTES_MAX) < 0))
			goto fail;
	}
	if (!p->res || !p->cm || (p->format == FORMAT_JSON && !p->events))
		goto fail;
	return p;
fail:
	pipeline_free(p);
	return NULL;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	resolver_free(p->res);
	ctrmeta_free(p->cm);
	eventtab_free(p->events);
	jsoninterp_free(p->ji);
	podcache_free(p->pc);
	holdq_done(&p->held);
	free(p->ga_buf);
	free(p);
}

size_t pipeline_queued_bytes(const struct pipeline *p)
{
	return outq_used(p->q) + (p->events ? eventtab_bytes(p->events) : 0) +
	       holdq_bytes(&p->held);
}

int pipeline_has_room(const struct pipeline *p)
{
	return pipeline_queued_bytes(p) + PIPE_LINE_ROOM <= p->max_bytes &&
	       outq_free(p->q) >= p->room &&
	       (!p->held.q.buf || holdq_free(&p->held) >=
		holdq_room(p->goaudit ? GA_HELD_MAX : RECORD_MAX));
}

static void count_ident(struct pipeline *p, const struct ident *id)
{
	switch (id->state) {
	case IDENT_HOST: p->st.host++; break;
	case IDENT_CONTAINER: p->st.enriched++; break;
	case IDENT_POD_ONLY: p->st.enriched++; p->st.pod_only++; break;
	case IDENT_UNRESOLVED: p->st.unresolved++; break;
	default: break;
	}
}

static int is_malformed(const struct record *r, size_t len, size_t orig_len)
{
	return (r->flags & (REC_BAD_HEADER | REC_HAS_NUL)) || orig_len > len ||
	       len + 1 > RECORD_MAX;
}

static void malformed(struct pipeline *p, const struct record *r,
		      const char *line, size_t len, size_t orig_len)
{
	int json = p->format == FORMAT_JSON;
	char *dst = outq_reserve(p->q, json ? PIPE_JSON_LINE_ROOM :
					      PIPE_LINE_ROOM);
	int has_nul = r->flags & REC_HAS_NUL;
	size_t n;

	if (json) {
		/* JSON escapes anything; only the length needs a cap */
		const char *why = orig_len > len ? "long" :
				  has_nul ? "nul" :
				  (r->flags & REC_BAD_HEADER) ? "header" : "?";

		n = jsonout_malformed(dst, PIPE_JSON_LINE_ROOM, line,
				      len > RECORD_MAX ? RECORD_MAX : len,
				      orig_len, why);
	} else if (has_nul || orig_len > len || len + 1 > RECORD_MAX) {
		n = enrich_malformed(dst, PIPE_LINE_ROOM, line, len, orig_len,
				     has_nul);
	} else {
		/* not a record, but a clean line: passed on as it is */
		memcpy(dst, line, len);
		dst[len] = '\n';
		n = len + 1;
	}
	outq_commit(p->q, n);
}

/*
 * Format one text record.  sres/snames: the subject's names when already
 * looked up (sres >= 0), else they are looked up now.
 */
static void emit_text(struct pipeline *p, const struct record *r,
		      struct ident *id, struct ident *oid, int sres,
		      const struct k8s_names *snames)
{
	struct names_buf sb, ob;
	struct enrich_subject s = { .id = id, .names = snames,
				    .labels = p->label_keys,
				    .nlabels = p->nlabels }, o = { .id = oid };
	char *dst = outq_reserve(p->q, PIPE_LINE_ROOM);

	if (sres < 0)
		sres = names_lookup(p->cm, p->pc, id, p->now, &sb, &s.names, NULL);
	count_names(p, sres);
	count_names(p, names_lookup(p->cm, p->pc, oid, p->now, &ob, &o.names,
				    NULL));
	s.nspid = id->nspid;
	o.nspid = oid->nspid;
	outq_commit(p->q, enrich_line(dst, PIPE_LINE_ROOM, r, &s, &o, &p->est));
	p->st.fields_dropped = p->est.fields_dropped;
}

/*
 * input = go-audit: one object in, one line out, in input order, through
 * the same hold as text records.  A held object keeps the identities its
 * pids had at arrival (struct ga_held).
 */
struct ga_emit {
	struct pipeline *p;
	struct ident *ids;
};

static size_t ga_k8s(void *ctx, unsigned i, int32_t pid, char *dst, size_t cap)
{
	struct ga_emit *g = ctx;
	struct pipeline *p = g->p;
	struct ident *id = &g->ids[i];
	const struct k8s_names *nm = NULL;
	struct names_buf nb;
	size_t n;

	(void)pid;
	if (id->state == IDENT_CONTAINER || id->state == IDENT_POD_ONLY)
		count_names(p, names_lookup(p->cm, p->pc, id, p->now, &nb,
					    &nm, NULL));
	n = jsonout_k8s(dst, cap, id, nm, id->nspid);
	if (!n && nm) {
		/* too long with its names: the identity alone */
		p->st.fields_dropped++;
		n = jsonout_k8s(dst, cap, id, NULL, id->nspid);
	}
	return n;
}

static void ga_emit(struct pipeline *p, const char *line, size_t len,
		    size_t orig_len, const struct goaudit_obj *o,
		    struct ident *ids)
{
	const char *why = goaudit_why(o->status, orig_len > len);
	size_t room = why ? GOAUDIT_REPORT_BOUND :
			    GOAUDIT_OUT_BOUND(len, o->npids);
	char *dst = outq_reserve(p->q, room);
	struct ga_emit g = { p, ids };
	size_t n;

	if (!dst) {
		/* pipeline_has_room() keeps p->room free: a caller skipped it */
		p->st.dropped++;
		return;
	}
	if (why) {
		n = goaudit_malformed(dst, room, line, len, orig_len, why);
	} else if (o->status == GOAUDIT_OK) {
		n = goaudit_format(dst, room, line, len, o, ga_k8s, &g);
	} else {
		/* valid JSON of another shape, or a blank line: as it came */
		memcpy(dst, line, len);
		dst[len] = '\n';
		n = len + 1;
	}
	outq_commit(p->q, n);
}

static void ga_release(struct pipeline *p, const struct held *e)
{
	struct ident ids[GOAUDIT_PIDS_MAX];
	const char *b = held_line(e), *line;
	struct goaudit_obj o;
	struct ga_held gh;

	memcpy(&gh, b, sizeof gh);
	memcpy(ids, b + sizeof gh, gh.nids * sizeof ids[0]);
	line = b + sizeof gh + gh.nids * sizeof ids[0];
	goaudit_scan(line, gh.line_len, &o);  /* the same pids, in order */
	ga_emit(p, line, gh.line_len, e->orig_len, &o, ids);
}

static void release(struct pipeline *p, int force);

static void goaudit_line(struct pipeline *p, const char *line, size_t len,
			 size_t orig_len)
{
	struct ident ids[GOAUDIT_PIDS_MAX];
	struct held h = { .orig_len = (uint32_t)orig_len, .arrived_ms = p->now };
	struct ga_held gh = { 0, (uint32_t)len };
	struct goaudit_obj o;
	uint64_t t = 0;
	int cut = orig_len > len;

	goaudit_scan(line, len, &o);
	if (o.status != GOAUDIT_EMPTY || cut) {
		p->st.records_in++;
		p->st.goaudit_objects++;
		if (cut || o.status != GOAUDIT_OK) {
			p->st.malformed++;
			p->st.goaudit_malformed++;
		}
		if (cut) {
			p->st.truncated++;
			p->st.goaudit_overlong++;
		}
	}
	p->st.goaudit_capped += o.capped;
	for (unsigned i = 0; i < o.npids; i++) {
		/* matched to the pid's owner at the event's time (rule 6) */
		resolver_lookup_at(p->res, o.pids[i].pid, p->now, o.wall_ms,
				   &ids[i]);
		count_ident(p, &ids[i]);
		if (p->pc && p->hold_ms && (ids[i].state == IDENT_CONTAINER ||
					    ids[i].state == IDENT_POD_ONLY)) {
			/* a miss starts the fetch that may name it */
			struct ident copy = ids[i];
			const struct k8s_names *nm;
			struct names_buf nb;
			uint64_t ti = 0;

			names_lookup(p->cm, p->pc, &copy, p->now, &nb, &nm, &ti);
			if (ti > t)
				t = ti;
		}
	}
	if (t && (h.deadline_ms = hold_deadline(p, t, p->now))) {
		h.ticket = t;
		p->st.held++;
	}
	if (!h.ticket && !holdq_front(&p->held)) {
		ga_emit(p, line, len, orig_len, &o, ids);
		return;
	}
	if (!p->ga_buf)
		p->ga_buf = malloc(GA_HELD_MAX);
	gh.nids = o.npids;
	h.len = (uint32_t)(sizeof gh + gh.nids * sizeof ids[0] + len);
	if (p->ga_buf) {
		memcpy(p->ga_buf, &gh, sizeof gh);
		memcpy(p->ga_buf + sizeof gh, ids, gh.nids * sizeof ids[0]);
		memcpy(p->ga_buf + sizeof gh + gh.nids * sizeof ids[0], line, len);
	}
	if (!p->ga_buf || holdq_push(&p->held, &h, p->ga_buf) < 0) {
		/* as for text records: nothing waits any longer */
		release(p, 1);
		ga_emit(p, line, len, orig_len, &o, ids);
		return;
	}
	release(p, 0);
}

/*
 * Release held text records whose wait is over (all of them with force),
 * oldest first, while the output queue has room.
 */
static void release(struct pipeline *p, int force)
{
	const struct held *e;

	while ((e = holdq_front(&p->held)) &&
	       outq_free(p->q) >= p->room) {
		struct ident id = e->id, oid = e->oid;
		struct record r;

		if (!force && waiting(p, e->ticket, e->deadline_ms))
			return;
		if (e->ticket)
			count_wait(p, e->arrived_ms);
		if (p->goaudit) {
			ga_release(p, e);
			holdq_pop(&p->held);
			continue;
		}
		record_scan(held_line(e), e->len, &r);
		if (is_malformed(&r, e->len, e->orig_len))
			malformed(p, &r, held_line(e), e->len, e->orig_len);
		else
			emit_text(p, &r, &id, &oid, -1, NULL);
		holdq_pop(&p->held);
	}
	if (!holdq_front(&p->held))
		p->hold_until = 0;
}

/* A text record: out at once, or behind what is held. */
static void text_record(struct pipeline *p, const struct record *r,
			const char *line, size_t len, size_t orig_len,
			struct ident *id, struct ident *oid)
{
	struct held h = { .len = (uint32_t)len, .orig_len = (uint32_t)orig_len,
			  .arrived_ms = p->now, .id = *id, .oid = *oid };
	const struct k8s_names *sn = NULL;
	struct names_buf sb;
	int sres = -1, bad = is_malformed(r, len, orig_len);
	uint64_t t = 0;

	if (p->pc && p->hold_ms && !bad) {
		/* at arrival: the state files are read while they exist, and
		 * a miss starts the fetch that may name the record */
		sres = names_lookup(p->cm, p->pc, id, p->now, &sb, &sn, &t);
		if (t && (h.deadline_ms = hold_deadline(p, t, p->now))) {
			h.ticket = t;
			p->st.held++;
		}
	}
	if (!h.ticket && !holdq_front(&p->held)) {
		if (bad)
			malformed(p, r, line, len, orig_len);
		else
			emit_text(p, r, id, oid, sres, sn);
		return;
	}
	if (holdq_push(&p->held, &h, line) < 0) {
		/* pipeline_has_room() keeps room for a whole record, so
		 * this needs a caller that skipped it: then nothing waits
		 * any longer, nothing is lost, and the record goes out
		 * after whatever the output queue could take of the held */
		release(p, 1);
		*id = h.id;
		if (bad)
			malformed(p, r, line, len, orig_len);
		else
			emit_text(p, r, id, oid, -1, NULL);
		return;
	}
	release(p, 0);
}

void pipeline_line(struct pipeline *p, const char *line, size_t len,
		   size_t orig_len, int64_t now)
{
	struct ident id, oid;
	struct record r;
	int64_t t;
	int mine;

	p->now = now;
	p->st.lines_in++;
	if (!pipeline_has_room(p)) {
		unsigned long sup = 0;

		/* the caller only gets here with overflow_action = drop */
		p->st.dropped++;
		if (log_ratelimited(&p->drop_rate, now, &sup))
			log_warnx("queue full (%zu bytes): dropping records "
				  "(%llu so far, %lu warnings suppressed)",
				  p->max_bytes,
				  (unsigned long long)p->st.dropped, sup);
		return;
	}
	if (p->goaudit) {
		goaudit_line(p, line, len, orig_len);
		return;
	}
	record_scan(line, len, &r);
	/* an overlong "EOE" is a malformed line like any other: shown, not lost */
	if ((r.flags & REC_EOE) && !is_malformed(&r, len, orig_len)) {
		p->st.eoe++;
		if (p->events) {
			eventtab_add(p->events, &r, NULL, NULL, now);
			eventtab_drain(p->events);
		}
		return;
	}
	p->st.records_in++;
	id.state = oid.state = IDENT_NONE;
	if (is_malformed(&r, len, orig_len)) {
		p->st.malformed++;
		if (orig_len > len)
			p->st.truncated++;
		if (p->format == FORMAT_JSON)
			malformed(p, &r, line, len, orig_len);
		else
			text_record(p, &r, line, len, orig_len, &id, &oid);
		return;
	}

	mine = !r.node || pipeline_node_matches(p->node, r.node, r.node_len);
	if (!mine)
		p->st.foreign_node++;
	/* the record's own time: a pid reused since is told apart */
	t = r.sec ? (int64_t)r.sec * 1000 + r.msec : 0;
	if (mine && (r.pid != RECORD_NO_PID || (r.flags & REC_PID_FORGED))) {
		/* a forged pid= (record.c): unresolved, "?", never its pod */
		resolver_lookup_at(p->res, r.flags & REC_PID_FORGED ? 0 : r.pid,
				   now, t, &id);
		count_ident(p, &id);
	}
	if (mine && r.opid != RECORD_NO_PID)
		resolver_lookup_at(p->res, r.opid, now, t, &oid);

	if (p->format == FORMAT_JSON) {
		/* a forged pid= names no one ("?"), and only until one of
		 * the event's records has the kernel's (event.c) */
		if (eventtab_add(p->events, &r,
				 id.state != IDENT_NONE ? &id : NULL,
				 r.opid != RECORD_NO_PID ? &oid : NULL,
				 now) < 0)
			malformed(p, &r, line, len, orig_len);
		eventtab_drain(p->events);
	} else {
		text_record(p, &r, line, len, orig_len, &id, &oid);
	}
}

void pipeline_tick(struct pipeline *p, int64_t now)
{
	p->now = now;
	if (p->pc)
		podcache_tick(p->pc, now);
	if (!p->events) {
		release(p, 0);
		return;
	}
	eventtab_expire(p->events, now);
	eventtab_drain(p->events);
	if (!p->jheld)
		p->hold_until = 0;
}

void pipeline_flush(struct pipeline *p)
{
	/* nothing waits any more: out with what is known */
	p->hold_ms = 0;
	release(p, 1);
	p->jheld_until = 0;
	if (!p->events)
		return;
	eventtab_flush(p->events);
	eventtab_drain(p->events);
}

int64_t pipeline_deadline(const struct pipeline *p)
{
	int64_t d = p->events ? eventtab_next_deadline(p->events) : -1, k;
	const struct held *e = holdq_front(&p->held);

	if (e && e->ticket && (d < 0 || e->deadline_ms < d))
		d = e->deadline_ms;
	if (p->jheld && (d < 0 || p->jheld_until < d))
		d = p->jheld_until;
	if (p->pc && (k = podcache_next(p->pc)) >= 0 && (d < 0 || k < d))
		d = k;
	return d;
}

int pipeline_idle(const struct pipeline *p)
{
	return !holdq_front(&p->held) &&
	       (!p->events || eventtab_pending(p->events) == 0);
}

size_t pipeline_line_max(const struct pipeline *p)
{
	return p->goaudit ? GOAUDIT_LINE_MAX : RECORD_MAX;
}

const struct pipe_stats *pipeline_stats(const struct pipeline *p)
{
	return &p->st;
}

struct resolver *pipeline_resolver(struct pipeline *p)
{
	return p->res;
}

void pipeline_on_exec(struct pipeline *p, int32_t pid, int64_t now)
{
	struct ident id;

	resolver_on_exec(p->res, pid, now);
	/* a container's bundle can vanish the moment its process exits:
	 * read the runtime's state now, while it is there */
	if (resolver_peek(p->res, pid, &id) && id.state == IDENT_CONTAINER)
		ctrmeta_get(p->cm, id.container_id, now);
}

struct ctrmeta *pipeline_ctrmeta(struct pipeline *p)
{
	return p->cm;
}

struct podcache *pipeline_podcache(struct pipeline *p)
{
	return p->pc;
}

void pipeline_pods(struct pipeline *p, uint64_t ticket, struct podsnap *snap,
		   int64_t now)
{
	if (!p->pc) {
		podsnap_unref(snap);
		return;
	}
	podcache_result(p->pc, ticket, snap, now);
	pipeline_tick(p, now);
}
