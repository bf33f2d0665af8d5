/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonout.c - format events as JSON lines, allocation-free, straight into
 * the output queue.
 */
#include <stdio.h>
#include <string.h>

#include "common/encode.h"
#include "input/record.h"
#include "output/jsonfields.h"
#include "output/jsoninterp.h"
#include "output/jsonout.h"
#include "output/jw.h"

/* ,"key":"value", both escaped (skipped when value is NULL or empty) */
static void jw_kv(struct jw *w, int *first, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	if (!*first)
		jw_lit(w, ",");
	*first = 0;
	jw_str(w, key, strlen(key));
	jw_lit(w, ":");
	jw_str(w, val, strlen(val));
}

size_t jsonout_k8s(char *dst, size_t cap, const struct ident *id,
		   const struct k8s_names *nm, int nspid)
{
	struct jw w = { dst, cap, 0, 0 };
	int first = 1;
	char num[16];

	if (!id || id->state == IDENT_NONE || id->state == IDENT_HOST)
		return 0;
	jw_lit(&w, "{");
	jw_kv(&w, &first, "container_id",
	      id->state == IDENT_CONTAINER ? id->container_id : "?");
	if (id->state != IDENT_UNRESOLVED) {
		if (nm) {
			jw_kv(&w, &first, "namespace", nm->namespace_);
			jw_kv(&w, &first, "pod", nm->pod);
			jw_kv(&w, &first, "container", nm->container);
		}
		jw_kv(&w, &first, "pod_uid", id->pod_uid);
		if (nspid > 0) {
			snprintf(num, sizeof num, "%d", nspid);
			jw_lit(&w, ",\"nspid\":");
			jw_lit(&w, num);
		}
		/* the exec session: its root, "?" when it may be in one */
		if (id->exec_root > 0) {
			snprintf(num, sizeof num, "%d", (int)id->exec_root);
			jw_lit(&w, ",\"exec\":");
			jw_lit(&w, num);
		} else if (id->exec_root == IDENT_EXEC_UNKNOWN) {
			jw_lit(&w, ",\"exec\":\"?\"");
		}
		if (nm) {
			jw_kv(&w, &first, "image", nm->image);
			jw_kv(&w, &first, "owner", nm->owner);
			jw_kv(&w, &first, "workload", nm->workload);
			jw_kv(&w, &first, "workload_kind",
			      nm->workload_kind);
			jw_kv(&w, &first, "sa", nm->sa);
			if (nm->nlabels) {
				int f = 1; /* one flag: a label skipped (empty) is not the first */

				jw_lit(&w, ",\"labels\":{");
				for (unsigned i = 0; i < nm->nlabels; i++)
					jw_kv(&w, &f, nm->label_keys[i],
					      nm->label_vals[i]);
				jw_lit(&w, "}");
			}
		}
	}
	jw_lit(&w, "}");
	return w.bad ? 0 : w.len;
}

/*
 * ,"k8s":{...} for id at the end of w: with names when they fit, else
 * without them (counted in *cut), which JSONOUT_BOUND leaves room for.
 */
static void jw_k8s(struct jw *w, const struct ident *id,
		   const struct k8s_names *names, unsigned *cut)
{
	size_t room, k;

	if (w->bad || !id || id->state == IDENT_NONE ||
	    id->state == IDENT_HOST)
		return;
	room = w->cap > w->len + 7 ? w->cap - w->len - 7 : 0;
	k = jsonout_k8s(w->p + w->len + 7, room, id, names, id->nspid);
	if (!k && names) {
		k = jsonout_k8s(w->p + w->len + 7, room, id, NULL, id->nspid);
		if (k && cut)
			(*cut)++;
	}
	if (!k) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, ",\"k8s\":", 7);
	w->len += 7 + k;
}

/* One record line (no newline) -> {"type":..,"text":..,"interp":..,
 * "fields":..,"interpreted":..}, with
 * its target's k8s object when it has an opid= (*nobj counts those) */
static void jw_record(struct jw *w, const struct event *ev, const char *line,
		      size_t len, unsigned *nobj, jsonout_names_fn obj_names,
		      void *ctx, struct jsoninterp *ji, unsigned *cut)
{
	static const struct ident unknown = { .state = IDENT_UNRESOLVED };
	const struct k8s_names *nm = NULL;
	struct ident oid;
	struct record r;

	record_scan(line, len, &r);
	jw_lit(w, "{\"type\":");
	if (r.type)
		jw_str(w, r.type, r.type_len);
	else
		jw_lit(w, "null");
	jw_lit(w, ",\"text\":");
	jw_str(w, line, r.raw_len);
	if (r.raw_len < len) {
		jw_lit(w, ",\"interp\":");
		jw_str(w, line + r.raw_len + 1, len - r.raw_len - 1);
	}
	jsonfields_write(w, &r);
	jsoninterp_write(ji, w, &r);
	if (r.opid != RECORD_NO_PID) {
		/* the event kept them in record order (eventtab_add) */
		oid = *nobj < ev->nobjs ? ev->objs[*nobj] : unknown;
		(*nobj)++;
		if (obj_names && (oid.state == IDENT_CONTAINER ||
				  oid.state == IDENT_POD_ONLY))
			nm = obj_names(ctx, &oid);
		jw_k8s(w, &oid, nm, cut);
	}
	jw_lit(w, "}");
}

size_t jsonout_event(char *dst, size_t cap, const struct event *ev,
		     const char *node, const struct k8s_names *names,
		     jsonout_names_fn obj_names, void *ctx,
		     struct jsoninterp *ji, unsigned *cut)
{
	struct jw w = { dst, cap, 0, 0 };
	char num[64];
	const char *p = ev->buf, *end = ev->buf + ev->len;
	unsigned nobj = 0;
	int first = 1;

	jw_lit(&w, "{\"node\":");
	node = ev->node[0] ? ev->node : node;
	jw_str(&w, node ? node : "", node ? strlen(node) : 0);
	snprintf(num, sizeof num, ",\"time\":\"%llu.%03u\",\"serial\":%llu",
		 (unsigned long long)ev->sec, ev->msec,
		 (unsigned long long)ev->serial);
	jw_lit(&w, num);
	jw_lit(&w, ",\"records\":[");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!first)
			jw_lit(&w, ",");
		first = 0;
		jw_record(&w, ev, p, n, &nobj, obj_names, ctx, ji, cut);
		p += n + 1;
	}
	jw_lit(&w, "]");
	if (ev->has_id)
		jw_k8s(&w, &ev->id, names, cut);
	jw_lit(&w, "}\n");
	return w.bad ? 0 : w.len;
}

size_t jsonout_malformed(char *dst, size_t cap, const char *line, size_t len,
			 size_t orig_len, const char *why)
{
	struct jw w = { dst, cap, 0, 0 };
	char num[64];

	jw_lit(&w, "{\"malformed\":");
	jw_str(&w, why, strlen(why));
	snprintf(num, sizeof num, ",\"orig_len\":%zu", orig_len);
	jw_lit(&w, num);
	jw_lit(&w, ",\"records\":[{\"type\":null,\"text\":");
	jw_str(&w, line, len);
	jw_lit(&w, "}]}\n");
	return w.bad ? 0 : w.len;
}
