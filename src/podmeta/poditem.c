/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poditem.c - take the fields pid2pod uses out of one PodList item (see
 * podlist.h) and add them to the snapshot; the item's json-c tree is freed
 * before returning.
 *
 * poditem_fields below lists every key read here, and only those reach
 * json-c (podlist.c collects nothing else): a field read here must be
 * listed there.
 *
 * A field of the wrong type, an empty string, a string holding a control
 * byte (< 0x20, 0x7f) or longer than PODSNAP_STR_MAX counts as absent (the
 * snapshot could not keep it); label values may be empty.  The owner is
 * the first ownerReferences entry with "controller": true (a JSON
 * boolean); from it, the pod-template-hash label and the presence of the
 * kubernetes.io/config.mirror annotation (a string) comes the workload
 * (workload.h; none without an owner).  The service account is
 * spec.serviceAccountName, else the older spec.serviceAccount.  A
 * container's image is its status's, else the image of the spec container
 * of the same name in the matching list (containers, initContainers,
 * ephemeralContainers).  Both containerID and
 * lastState.terminated.containerID are indexed; an id that is not
 * "<scheme>://" + 64 hex digits (a waiting container has none) is not.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "podmeta/poditem.h"
#include "podmeta/workload.h"

#define OWNER_BUF (PODSNAP_STR_MAX + 2) /* one more: too long shows */
#define WORKLOAD_BUF (PODSNAP_STR_MAX + 1) /* a part of the owner's name */
#define HASH_LABEL "pod-template-hash"
#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"

/* Status list and the spec list naming the same containers. */
static const char *const lists[][2] = {
	{ "containerStatuses", "containers" },
	{ "initContainerStatuses", "initContainers" },
	{ "ephemeralContainerStatuses", "ephemeralContainers" },
};

static const struct poditem_keep keep_ctr_spec[] = {
	{ "name", NULL }, { "image", NULL }, { NULL, NULL },
};
static const struct poditem_keep keep_terminated[] = {
	{ "containerID", NULL }, { NULL, NULL },
};
static const struct poditem_keep keep_last_state[] = {
	{ "terminated", keep_terminated }, { NULL, NULL },
};
static const struct poditem_keep keep_ctr_status[] = {
	{ "name", NULL }, { "image", NULL }, { "containerID", NULL },
	{ "lastState", keep_last_state }, { NULL, NULL },
};
static const struct poditem_keep keep_owner_ref[] = {
	{ "kind", NULL }, { "name", NULL }, { "controller", NULL },
	{ NULL, NULL },
};
static const struct poditem_keep keep_annotations[] = {
	{ MIRROR_ANNOTATION, NULL }, { NULL, NULL },
};
static const struct poditem_keep keep_metadata[] = {
	{ "uid", NULL }, { "namespace", NULL }, { "name", NULL },
	{ "labels", NULL }, { "annotations", keep_annotations },
	{ "ownerReferences", keep_owner_ref }, { NULL, NULL },
};
static const struct poditem_keep keep_spec[] = {
	{ "serviceAccountName", NULL }, { "serviceAccount", NULL },
	{ "containers", keep_ctr_spec }, { "initContainers", keep_ctr_spec },
	{ "ephemeralContainers", keep_ctr_spec }, { NULL, NULL },
};
static const struct poditem_keep keep_status[] = {
	{ "containerStatuses", keep_ctr_status },
	{ "initContainerStatuses", keep_ctr_status },
	{ "ephemeralContainerStatuses", keep_ctr_status }, { NULL, NULL },
};
const struct poditem_keep poditem_fields[] = {
	{ "metadata", keep_metadata }, { "spec", keep_spec },
	{ "status", keep_status }, { NULL, NULL },
};

static json_object *member(json_object *o, const char *key, json_type t)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

/* A string member; NULL when absent, not a string, longer than the
 * snapshot keeps or holding a control byte (NUL included). */
static const char *str_or_empty(json_object *o, const char *key)
{
	json_object *v = member(o, key, json_type_string);
	const char *s;
	size_t n;

	if (!v)
		return NULL;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n > PODSNAP_STR_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

static const char *str(json_object *o, const char *key)
{
	const char *s = str_or_empty(o, key);

	return s && *s ? s : NULL;
}

/* "Kind/name" of the first ownerReferences entry with controller: true;
 * its kind and name apart in *w (untouched when there is none). */
static const char *owner_of(json_object *meta, char buf[OWNER_BUF],
			    struct workload_in *w)
{
	json_object *refs = member(meta, "ownerReferences", json_type_array);
	size_t n = refs ? json_object_array_length(refs) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(refs, i);
		json_object *ctl = member(r, "controller", json_type_boolean);
		const char *kind, *name;
		int len;

		if (!ctl || !json_object_get_boolean(ctl))
			continue;
		kind = str(r, "kind");
		name = str(r, "name");
		if (!kind || !name)
			return NULL;
		len = snprintf(buf, OWNER_BUF, "%s/%s", kind, name);
		if (len <= 0 || len >= OWNER_BUF - 1)
			return NULL;
		w->kind = kind;
		w->name = name;
		return buf;
	}
	return NULL;
}

/* The image of the spec container called name in spec[list], or NULL. */
static const char *spec_image(json_object *spec, const char *list,
			      const char *name)
{
	json_object *a = member(spec, list, json_type_array);
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; name && i < n; i++) {
		json_object *c = json_object_array_get_idx(a, i);
		const char *cn = str(c, "name");

		if (cn && strcmp(cn, name) == 0)
			return str(c, "image");
	}
	return NULL;
}

static int add_id(struct poditem_ctx *c, uint32_t pod, const char *id,
		  const char *name, const char *image)
{
	size_t before = podsnap_ncontainers(c->snap);
	int r;

	if (!id)
		return 0;
	r = podsnap_add_container(c->snap, pod, id, name, image);
	if (r == 1)
		c->st->ambiguous++;
	if (podsnap_ncontainers(c->snap) > before)
		c->st->containers++;
	return r == -ENOMEM ? r : 0; /* a bad id, or past the cap: not kept */
}

static int add_containers(struct poditem_ctx *c, uint32_t pod,
			  json_object *spec, json_object *status)
{
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
		json_object *a = member(status, lists[l][0], json_type_array);
		size_t n = a ? json_object_array_length(a) : 0;

		for (size_t i = 0; i < n; i++) {
			json_object *cs = json_object_array_get_idx(a, i);
			json_object *last = member(cs, "lastState",
						   json_type_object);
			json_object *term = member(last, "terminated",
						   json_type_object);
			const char *name = str(cs, "name");
			const char *image = str(cs, "image");
			int r;

			if (!image)
				image = spec_image(spec, lists[l][1], name);
			r = add_id(c, pod, str(cs, "containerID"), name, image);
			if (r == 0)
				r = add_id(c, pod, str(term, "containerID"),
					   name, image);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int add_item(struct poditem_ctx *c, json_object *item)
{
	json_object *meta = member(item, "metadata", json_type_object);
	json_object *spec = member(item, "spec", json_type_object);
	json_object *labels = member(meta, "labels", json_type_object);
	json_object *notes = member(meta, "annotations", json_type_object);
	struct podsnap_pod_in in = { .uid = str(meta, "uid") };
	struct workload_in w = { .hash = str(labels, HASH_LABEL) };
	char owner[OWNER_BUF], workload[WORKLOAD_BUF];
	int pod;

	in.namespace_ = str(meta, "namespace");
	in.name = str(meta, "name");
	in.owner = owner_of(meta, owner, &w);
	/* present, whatever the string (the static pod's config hash) */
	w.mirror = member(notes, MIRROR_ANNOTATION, json_type_string) != NULL;
	/* w has the owner's kind and name only when the owner is known */
	if (workload_of(&w, workload, sizeof workload, &in.workload_kind) == 1)
		in.workload = workload;
	in.sa = str(spec, "serviceAccountName");
	if (!in.sa)
		in.sa = str(spec, "serviceAccount");
	for (unsigned i = 0; i < c->nlabels; i++) {
		const char *v = str_or_empty(labels, c->labels[i]);

		if (v) {
			in.label_keys[in.nlabels] = c->labels[i];
			in.label_vals[in.nlabels++] = v;
		}
	}
	pod = podsnap_add_pod(c->snap, &in);
	if (pod == -ENOMEM)
		return pod;
	if (pod < 0) { /* no usable UID, a UID twice, past the cap */
		c->st->skipped++;
		return 0;
	}
	c->st->pods++;
	return add_containers(c, (uint32_t)pod, spec,
			      member(item, "status", json_type_object));
}

int poditem_ctx_init(struct poditem_ctx *c)
{
	c->tok = json_tokener_new_ex(PODLIST_DEPTH);
	if (!c->tok)
		return -ENOMEM;
	json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT);
	return 0;
}

void poditem_ctx_done(struct poditem_ctx *c)
{
	if (c->tok)
		json_tokener_free(c->tok);
	c->tok = NULL;
}

int poditem_add(struct poditem_ctx *c, const char *buf, size_t len,
		const char **ret_why)
{
	json_object *item;
	enum json_tokener_error e;
	int r;

	if (len > PODLIST_ITEM_MAX) {
		*ret_why = "item over PODLIST_ITEM_MAX";
		return -EINVAL;
	}
	json_tokener_reset(c->tok);
	item = json_tokener_parse_ex(c->tok, buf, (int)len);
	e = json_tokener_get_error(c->tok);
	if (!item || e != json_tokener_success ||
	    json_tokener_get_parse_end(c->tok) != len) {
		json_object_put(item);
		*ret_why = e == json_tokener_success ||
			   e == json_tokener_continue
			? "not one complete JSON value"
			: json_tokener_error_desc(e);
		return -EINVAL;
	}
	r = add_item(c, item);
	json_object_put(item);
	return r;
}
