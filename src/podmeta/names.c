/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.c - merge the runtime's state and the kubelet's pod list into the
 * names a record gets (see names.h for the precedence).
 */
#include <string.h>

#include "podmeta/names.h"

static int disagree(struct ident *id)
{
	memset(id, 0, sizeof *id);
	id->state = IDENT_UNRESOLVED;
	id->reason = REASON_DISAGREE;
	return NAMES_DISAGREE;
}

static const char *first(const char *a, const char *b)
{
	return a && *a ? a : b;
}

int names_lookup(struct ctrmeta *cm, struct podcache *pc, struct ident *id,
		 int64_t now, struct names_buf *nb, const struct k8s_names **ret,
		 uint64_t *hold)
{
	const struct rtstate_meta *m = NULL;
	struct podcache_answer a = { 0 };
	struct k8s_names *nm = &nb->nm;
	int ctr = id->state == IDENT_CONTAINER;
	const char *uid;

	if (hold)
		*hold = 0;
	*ret = NULL;
	if (!ctr && id->state != IDENT_POD_ONLY)
		return NAMES_NONE;
	if (ctr && cm)
		m = ctrmeta_get(cm, id->container_id, now);
	if (m && m->pod_uid[0] && id->pod_uid[0] && strcmp(m->pod_uid, id->pod_uid))
		return disagree(id);
	if (m) {
		nb->meta = *m;
		m = &nb->meta;
	}
	uid = id->pod_uid[0] ? id->pod_uid : m ? m->pod_uid : "";
	if (pc && podcache_lookup(pc, ctr ? id->container_id : NULL, uid, now,
				  &a) == 1) {
		if ((id->pod_uid[0] && strcmp(a.pod->uid, id->pod_uid)) ||
		    (m && m->pod_uid[0] && strcmp(a.pod->uid, m->pod_uid)))
			return disagree(id);
	}
	/* hold only for what a newer list would add */
	if (hold && a.hold &&
	    (!a.pod || (ctr && !a.ctr && !(m && (m->container[0] || m->sandbox)))))
		*hold = a.hold;
	if (!m && !a.pod)
		return NAMES_NONE;
	memset(nm, 0, sizeof *nm);
	nm->namespace_ = first(m ? m->namespace_ : NULL,
			       a.pod ? a.pod->namespace_ : NULL);
	nm->pod = first(m ? m->pod : NULL, a.pod ? a.pod->name : NULL);
	nm->container = first(m ? m->container : NULL, a.ctr ? a.ctr->name : NULL);
	nm->image = first(m ? m->image : NULL, a.ctr ? a.ctr->image : NULL);
	if (a.pod) {
		nm->owner = a.pod->owner;
		nm->workload = a.pod->workload;
		nm->workload_kind = a.pod->workload_kind;
		nm->sa = a.pod->sa;
		nm->nlabels = a.pod->nlabels;
		for (unsigned i = 0; i < a.pod->nlabels; i++) {
			nm->label_keys[i] = a.pod->label_keys[i];
			nm->label_vals[i] = a.pod->label_vals[i];
		}
	}
	if (!id->pod_uid[0]) {
		const char *u = first(m ? m->pod_uid : NULL, a.pod ? a.pod->uid : NULL);

		if (u && strlen(u) <= POD_UID_MAX)
			memcpy(id->pod_uid, u, strlen(u) + 1);
	}
	*ret = nm;
	return NAMES_KNOWN;
}
