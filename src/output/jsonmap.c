/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonmap.c - write an event under the names of json_schema = ecs | otel
 * (jsonmap.h).  Every key comes from the table (jsonnames.c) by what it
 * stands for; this file only knows where each value is.  Allocation-free,
 * into the output queue, like jsonout.c.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "input/record.h"
#include "output/jsonfields.h"
#include "output/jsonmap.h"
#include "output/jsonnames.h"
#include "output/jw.h"

#define JM_VALUE_MAX 4096 /* bytes of one field value taken from a record */
/* bytes of a label's "key=value" or OTel name: Kubernetes allows a
 * 317-byte key (253 prefix, '/', 63 name) and a 63-byte value; a longer
 * one (not Kubernetes') is left out */
#define JM_LABEL_MAX 512

struct jm {
	struct jw w;
	int schema;
};

/* ,"name": for src (kind: a workload's), or NULL when the schema has
 * none; nothing is written then. */
static const struct jn_name *jm_key(struct jm *m, int src, const char *kind)
{
	const struct jn_name *n = jsonnames_find(m->schema, src, kind);

	if (!n)
		return NULL;
	jw_lit(&m->w, ",");
	jw_str(&m->w, n->name, strlen(n->name));
	jw_lit(&m->w, ":");
	return n;
}

static int all_digits(const char *s, size_t n)
{
	if (!n || n > 19)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* src = v (n bytes) as its type says; nothing for an empty value, or a
 * number that is not one */
static void jm_val(struct jm *m, int src, const char *kind, const char *v,
		   size_t n)
{
	const struct jn_name *nm = jsonnames_find(m->schema, src, kind);

	if (!nm || !v || !n || (nm->type == JT_NUM && !all_digits(v, n)))
		return;
	jm_key(m, src, kind);
	if (nm->type == JT_NUM)
		jw_raw(&m->w, v, n);
	else if (nm->type == JT_ARRAY) {
		jw_lit(&m->w, "[");
		jw_str(&m->w, v, n);
		jw_lit(&m->w, "]");
	} else
		jw_str(&m->w, v, n);
}

static void jm_s(struct jm *m, int src, const char *v)
{
	if (v)
		jm_val(m, src, NULL, v, strlen(v));
}

static void jm_int(struct jm *m, int src, long long v)
{
	char num[24];

	jm_val(m, src, NULL, num, (size_t)snprintf(num, sizeof num, "%lld", v));
}

/* src from the kernel's field key of r */
static void jm_field(struct jm *m, int src, const struct record *r,
		     const char *key)
{
	static __thread char buf[JM_VALUE_MAX];
	long n = jsonfields_get(r, key, buf, sizeof buf);

	if (n > 0)
		jm_val(m, src, NULL, buf, (size_t)n);
}

/* "success" / "fail" from the kernel's success= or res= of r, or NULL */
static const char *result_of(const struct record *r)
{
	char v[16];
	long n = jsonfields_get(r, "success", v, sizeof v);

	if (n < 0)
		n = jsonfields_get(r, "res", v, sizeof v);
	if (n == 3 && memcmp(v, "yes", 3) == 0)
		return "success";
	if (n == 2 && memcmp(v, "no", 2) == 0)
		return "fail";
	if ((n == 7 && memcmp(v, "success", 7) == 0) || (n == 1 && v[0] == '1'))
		return "success";
	if ((n == 6 && memcmp(v, "failed", 6) == 0) || (n == 1 && v[0] == '0'))
		return "fail";
	return NULL;
}

/* The records' raw text (no interpretation tails), '\n' between, as one
 * JSON string: each piece encoded alone, its quotes dropped. */
static void jm_original(struct jm *m, const struct event *ev)
{
	const char *p = ev->buf, *end = ev->buf + ev->len;
	struct record r;

	if (!jm_key(m, JN_ORIGINAL, NULL))
		return;
	jw_lit(&m->w, "\"");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), at;

		record_scan(p, n, &r);
		if (p != ev->buf)
			jw_lit(&m->w, "\\n");
		at = m->w.len;
		jw_str(&m->w, p, r.raw_len);
		if (!m->w.bad) {
			memmove(m->w.p + at, m->w.p + at + 1, m->w.len - at - 2);
			m->w.len -= 2;
		}
		p += n + 1;
	}
	jw_lit(&m->w, "\"");
}

/* the pod's names (not the ids: jm_ids) */
static void jm_names(struct jm *m, const struct k8s_names *nm)
{
	const struct jn_name *l;

	jm_s(m, JN_CONTAINER, nm->container);
	jm_s(m, JN_IMAGE, nm->image);
	jm_s(m, JN_NAMESPACE, nm->namespace_);
	jm_s(m, JN_POD, nm->pod);
	jm_s(m, JN_OWNER, nm->owner);
	if (nm->workload && *nm->workload)
		jm_val(m, JN_WORKLOAD, nm->workload_kind, nm->workload,
		       strlen(nm->workload));
	jm_s(m, JN_WORKLOAD_KIND, nm->workload_kind);
	jm_s(m, JN_SA, nm->sa);
	l = jsonnames_find(m->schema, JN_LABEL, NULL);
	if (!l || !nm->nlabels)
		return;
	if (l->type == JT_PREFIX) {
		for (unsigned i = 0; i < nm->nlabels; i++) {
			char k[JM_LABEL_MAX];
			int n;

			if (!nm->label_vals[i] || !*nm->label_vals[i])
				continue;
			n = snprintf(k, sizeof k, "%s.%s", l->name,
				     nm->label_keys[i]);
			if (n < 0 || (size_t)n >= sizeof k)
				continue;
			jw_lit(&m->w, ",");
			jw_str(&m->w, k, (size_t)n);
			jw_lit(&m->w, ":");
			jw_str(&m->w, nm->label_vals[i], strlen(nm->label_vals[i]));
		}
		return;
	}
	/* an array of "key=value" */
	{
		int first = 1;

		jm_key(m, JN_LABEL, NULL);
		jw_lit(&m->w, "[");
		for (unsigned i = 0; i < nm->nlabels; i++) {
			char kv[JM_LABEL_MAX];
			int n;

			if (!nm->label_vals[i] || !*nm->label_vals[i])
				continue;
			n = snprintf(kv, sizeof kv, "%s=%s", nm->label_keys[i],
				     nm->label_vals[i]);
			if (n < 0 || (size_t)n >= sizeof kv)
				continue;
			if (!first)
				jw_lit(&m->w, ",");
			first = 0;
			jw_str(&m->w, kv, (size_t)n);
		}
		jw_lit(&m->w, "]");
	}
}

/* container.id, the pod's UID and the pid-derived ids of a resolved id */
static void jm_ids(struct jm *m, const struct ident *id, int trusted)
{
	jm_s(m, JN_CONTAINER_ID,
	     id->state == IDENT_CONTAINER ? id->container_id : "?");
	if (id->state == IDENT_UNRESOLVED)
		return;
	jm_s(m, JN_ORCHESTRATOR, "kubernetes");
	jm_s(m, JN_POD_TYPE, "pod");
	jm_s(m, JN_POD_UID, id->pod_uid);
	if (!trusted)
		return;
	if (id->nspid > 0)
		jm_int(m, JN_VPID, id->nspid);
	if (id->exec_root > 0)
		jm_int(m, JN_EXEC, id->exec_root);
	else if (id->exec_root == IDENT_EXEC_UNKNOWN)
		jm_s(m, JN_EXEC, "?");
}

/* pid2pod.targets: each OBJ_PID record's target, in record order */
static void jm_targets(struct jm *m, const struct event *ev,
		       jsonout_names_fn obj_names, void *ctx, unsigned *cut)
{
	static const struct ident unknown = { .state = IDENT_UNRESOLVED };
	const char *p = ev->buf, *end = ev->buf + ev->len;
	unsigned nobj = 0;
	struct record r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		record_scan(p, n, &r);
		p += n + 1;
		if (r.opid == RECORD_NO_PID)
			continue;
		{
			const struct k8s_names *nm = NULL;
			struct ident oid = nobj < ev->nobjs ? ev->objs[nobj] : unknown;
			char num[40];
			size_t room, k = 0;

			if (nobj++ == 0) {
				if (!jm_key(m, JN_TARGETS, NULL))
					return;
				jw_lit(&m->w, "[");
			} else {
				jw_lit(&m->w, ",");
			}
			snprintf(num, sizeof num, "{\"pid\":%d", (int)r.opid);
			jw_lit(&m->w, num);
			if (obj_names && (oid.state == IDENT_CONTAINER ||
					  oid.state == IDENT_POD_ONLY))
				nm = obj_names(ctx, &oid);
			if (oid.state != IDENT_NONE && oid.state != IDENT_HOST &&
			    !m->w.bad) {
				room = m->w.cap > m->w.len + 8 ? m->w.cap - m->w.len - 8 : 0;
				k = jsonout_k8s(m->w.p + m->w.len + 7, room, &oid, nm,
						oid.nspid);
				if (!k && nm) {
					k = jsonout_k8s(m->w.p + m->w.len + 7, room,
							&oid, NULL, oid.nspid);
					if (k && cut)
						(*cut)++;
				}
				if (!k)
					m->w.bad = 1;
				else {
					memcpy(m->w.p + m->w.len, ",\"k8s\":", 7);
					m->w.len += 7 + k;
				}
			}
			jw_lit(&m->w, "}");
		}
	}
	if (nobj)
		jw_lit(&m->w, "]");
}

size_t jsonmap_event(char *dst, size_t cap, int schema, const struct event *ev,
		     const char *node, const struct k8s_names *names,
		     jsonout_names_fn obj_names, void *ctx, unsigned *cut)
{
	struct jm m = { { dst, cap, 0, 0 }, schema };
	const char *p = ev->buf, *end = ev->buf + ev->len;
	const struct jn_name *tn;
	struct record r, subj = { 0 }, execve = { 0 }, first = { 0 };
	int has_subj = 0, nexecve = 0, has_first = 0;
	char num[64], type[64];
	const char *res = NULL;
	size_t mark;

	/* the subject: the first record whose pid= the kernel wrote */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		record_scan(p, n, &r);
		p += n + 1;
		if (!has_first) {
			first = r;
			has_first = 1;
		}
		if (!has_subj && r.pid != RECORD_NO_PID &&
		    !(r.flags & (REC_PID_FORGED | REC_BAD_HEADER))) {
			subj = r;
			has_subj = 1;
		}
		if (record_type_is(&r, "EXECVE")) {
			execve = r;
			nexecve++;
		}
	}
	tn = jsonnames_find(schema, JN_TIME, NULL);
	if (!tn)
		return 0;
	jw_lit(&m.w, "{");
	jw_str(&m.w, tn->name, strlen(tn->name));
	if (strcmp(tn->name, "@timestamp") == 0) {
		time_t t = (time_t)ev->sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(num, sizeof num, ":\"%Y-%m-%dT%H:%M:%S", &tm);
		jw_lit(&m.w, num);
		snprintf(num, sizeof num, ".%03uZ\"", ev->msec % 1000);
	} else {
		snprintf(num, sizeof num, ":\"%llu.%03u\"",
			 (unsigned long long)ev->sec, ev->msec % 1000);
	}
	jw_lit(&m.w, num);
	node = ev->node[0] ? ev->node : node;
	jm_s(&m, JN_NODE, node);
	jm_int(&m, JN_SEQUENCE, (long long)ev->serial);
	if (has_first && first.type && first.type_len < sizeof type) {
		for (size_t i = 0; i < first.type_len; i++)
			type[i] = (char)((first.type[i] >= 'A' && first.type[i] <= 'Z') ?
					 first.type[i] + 32 : first.type[i]);
		jm_val(&m, JN_MSG_TYPE, NULL, type, first.type_len);
	}
	if (has_subj)
		res = result_of(&subj);
	jm_s(&m, JN_RESULT, res);
	if (res)
		jm_s(&m, JN_OUTCOME, strcmp(res, "success") == 0 ? "success" : "failure");
	jm_s(&m, JN_KIND, "event");
	if (nexecve && res && strcmp(res, "success") == 0) {
		jm_s(&m, JN_CATEGORY, "process");
		jm_s(&m, JN_TYPE, "start");
	}
	jm_original(&m, ev);
	if (has_subj) {
		const struct jn_name *d = jsonnames_find(schema, JN_DATA, NULL);
		const struct jn_name *c = jsonnames_find(schema, JN_DATA_CUT, NULL);

		if (d && c)
			jsonfields_write_as(&m.w, &subj, d->name, c->name, NULL);
		jm_int(&m, JN_PID, subj.pid);
		jm_field(&m, JN_PPID, &subj, "ppid");
		jm_field(&m, JN_EXE, &subj, "exe");
		jm_field(&m, JN_COMM, &subj, "comm");
		jm_field(&m, JN_UID, &subj, "uid");
		jm_field(&m, JN_EUID, &subj, "euid");
	}
	/* one EXECVE record: its arguments (more: they are in the text) */
	if (nexecve == 1) {
		const struct jn_name *a = jsonnames_find(schema, JN_ARGS, NULL);

		if (a)
			jsonfields_write_as(&m.w, &execve, NULL, NULL, a->name);
	}
	if (ev->has_id && ev->id.state != IDENT_NONE &&
	    ev->id.state != IDENT_HOST)
		jm_ids(&m, &ev->id, has_subj);
	jm_targets(&m, ev, obj_names, ctx, cut);
	/* the names last: when they do not fit, the event goes without */
	mark = m.w.len;
	if (names && ev->has_id && (ev->id.state == IDENT_CONTAINER ||
				    ev->id.state == IDENT_POD_ONLY)) {
		jm_names(&m, names);
		if (m.w.bad || m.w.cap - m.w.len < 2) {
			m.w.bad = 0;
			m.w.len = mark;
			if (cut)
				(*cut)++;
		}
	}
	jw_lit(&m.w, "}\n");
	return m.w.bad ? 0 : m.w.len;
}
