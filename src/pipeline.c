/*
 * pipeline.c - the record path: scan, resolve, format.
 *
 * Text output never waits: each record is formatted into the output queue as
 * soon as it is read, so order is the input's by construction.  JSON output
 * groups records into events (event.c) and formats each when it completes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrmeta.h"
#include "enrich.h"
#include "event.h"
#include "jsonout.h"
#include "log.h"
#include "pipeline.h"
#include "record.h"
#include "resolve.h"

struct pipeline {
	int format;
	int overflow;
	size_t max_bytes;
	char node[CONF_NAME_MAX];
	struct outq *q;
	struct resolver *res;
	struct ctrmeta *cm;
	struct eventtab *events;
	struct enrich_stats est;
	struct log_rate drop_rate;
	int64_t now;      /* time of the line or tick being handled */
	struct pipe_stats st;
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

/*
 * The pod names of a container from the runtime's state, into *nm (which
 * points into *meta, the caller's copy).  When the cgroup and the state
 * name different pods the sources disagree: id becomes unresolved.
 * Returns nm, or NULL when nothing is known.
 */
static const struct k8s_names *names_for(struct pipeline *p, struct ident *id,
					 struct rtstate_meta *meta,
					 struct k8s_names *nm, int64_t now)
{
	const struct rtstate_meta *m;

	if (id->state != IDENT_CONTAINER || !p->cm)
		return NULL;
	m = ctrmeta_get(p->cm, id->container_id, now);
	if (!m)
		return NULL;
	if (m->pod_uid[0] && id->pod_uid[0] && strcmp(m->pod_uid, id->pod_uid)) {
		p->st.disagree++;
		memset(id, 0, sizeof *id);
		id->state = IDENT_UNRESOLVED;
		id->reason = REASON_DISAGREE;
		return NULL;
	}
	*meta = *m;
	if (!id->pod_uid[0])
		memcpy(id->pod_uid, meta->pod_uid, sizeof id->pod_uid);
	memset(nm, 0, sizeof *nm);
	nm->namespace_ = meta->namespace_;
	nm->pod = meta->pod;
	nm->container = meta->container;
	nm->image = meta->image;
	p->st.named++;
	return nm;
}

static int emit_event(void *ctx, const struct event *ev)
{
	struct pipeline *p = ctx;
	size_t bound = JSONOUT_BOUND(ev->len), n;
	char *dst = outq_reserve(p->q, bound);
	struct rtstate_meta meta;
	struct k8s_names nm;
	const struct k8s_names *names = NULL;
	struct event copy;

	if (!dst)
		return -ENOSPC;
	if (ev->has_id && ev->id.state == IDENT_CONTAINER) {
		/* names may turn the answer into "sources disagree" */
		copy = *ev;
		names = names_for(p, &copy.id, &meta, &nm, p->now);
		ev = &copy;
	}
	n = jsonout_event(dst, bound, ev, p->node, names);
	outq_commit(p->q, n);
	return 0;
}

struct pipeline *pipeline_new(const struct conf *c, const char *node_name,
			      struct outq *q)
{
	struct pipeline *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->format = c->output_format;
	p->overflow = c->overflow_action;
	p->max_bytes = (size_t)c->queue_max_bytes;
	snprintf(p->node, sizeof p->node, "%s", node_name);
	p->q = q;
	p->res = resolver_new(c->proc_root);
	p->cm = ctrmeta_new(c->runtime_state_dirs, c->containerd_namespace);
	if (p->format == FORMAT_JSON)
		p->events = eventtab_new(emit_event, p);
	if (!p->res || !p->cm || (p->format == FORMAT_JSON && !p->events)) {
		pipeline_free(p);
		return NULL;
	}
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	resolver_free(p->res);
	ctrmeta_free(p->cm);
	eventtab_free(p->events);
	free(p);
}

size_t pipeline_queued_bytes(const struct pipeline *p)
{
	return outq_used(p->q) + (p->events ? eventtab_bytes(p->events) : 0);
}

int pipeline_has_room(const struct pipeline *p)
{
	return pipeline_queued_bytes(p) + PIPE_LINE_ROOM <= p->max_bytes &&
	       outq_free(p->q) >= PIPE_LINE_ROOM;
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

static void malformed(struct pipeline *p, const char *line, size_t len,
		      size_t orig_len, int has_nul, int bad_header)
{
	char *dst = outq_reserve(p->q, PIPE_LINE_ROOM);
	size_t n;

	p->st.malformed++;
	if (orig_len > len)
		p->st.truncated++;
	if (p->format == FORMAT_JSON) {
		/* JSON escapes anything; only the length needs a cap */
		const char *why = orig_len > len ? "long" :
				  has_nul ? "nul" : bad_header ? "header" : "?";

		n = jsonout_malformed(dst, PIPE_LINE_ROOM, line,
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

void pipeline_line(struct pipeline *p, const char *line, size_t len,
		   size_t orig_len, int64_t now)
{
	struct ident id, oid;
	struct record r;
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
	record_scan(line, len, &r);
	if (r.flags & REC_EOE) {
		p->st.eoe++;
		if (p->events) {
			eventtab_add(p->events, &r, NULL, now);
			eventtab_drain(p->events);
		}
		return;
	}
	p->st.records_in++;
	if ((r.flags & (REC_BAD_HEADER | REC_HAS_NUL)) || orig_len > len ||
	    len + 1 > RECORD_MAX) {
		malformed(p, line, len, orig_len, r.flags & REC_HAS_NUL,
			  r.flags & REC_BAD_HEADER);
		return;
	}

	mine = !r.node || pipeline_node_matches(p->node, r.node, r.node_len);
	if (!mine)
		p->st.foreign_node++;
	id.state = oid.state = IDENT_NONE;
	if (mine && r.pid != RECORD_NO_PID) {
		resolver_lookup(p->res, r.pid, now, &id);
		count_ident(p, &id);
	}
	if (mine && r.opid != RECORD_NO_PID)
		resolver_lookup(p->res, r.opid, now, &oid);

	if (p->format == FORMAT_JSON) {
		if (eventtab_add(p->events, &r,
				 id.state != IDENT_NONE ? &id : NULL, now) < 0)
			malformed(p, line, len, orig_len, 0, 0);
		eventtab_drain(p->events);
	} else {
		struct rtstate_meta sm, om;
		struct k8s_names sn, on;
		struct enrich_subject s = { .id = &id }, o = { .id = &oid };
		char *dst = outq_reserve(p->q, PIPE_LINE_ROOM);

		s.names = names_for(p, &id, &sm, &sn, now);
		o.names = names_for(p, &oid, &om, &on, now);
		s.nspid = id.nspid;
		o.nspid = oid.nspid;

		outq_commit(p->q, enrich_line(dst, PIPE_LINE_ROOM, &r, &s, &o,
					      &p->est));
		p->st.fields_dropped = p->est.fields_dropped;
	}
}

void pipeline_tick(struct pipeline *p, int64_t now)
{
	p->now = now;
	if (!p->events)
		return;
	eventtab_expire(p->events, now);
	eventtab_drain(p->events);
}

void pipeline_flush(struct pipeline *p)
{
	if (!p->events)
		return;
	eventtab_flush(p->events);
	eventtab_drain(p->events);
}

int64_t pipeline_deadline(const struct pipeline *p)
{
	return p->events ? eventtab_next_deadline(p->events) : -1;
}

int pipeline_idle(const struct pipeline *p)
{
	return !p->events || eventtab_pending(p->events) == 0;
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
