/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poditem.h - one element of a PodList's "items", parsed on its own with
 * json-c and copied into a podsnap (which fields: see podlist.h).  Used by
 * podlist.c only; a header of its own so the field extraction and the outer
 * scanner each stay small enough to read in one sitting.
 */
#ifndef P2P_PODITEM_H
#define P2P_PODITEM_H

#include <stddef.h>

#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"

struct json_tokener;

/*
 * Which parts of an item poditem_add reads: a list of keys ended by a NULL
 * key, each with the list its object value (or each object in its array
 * value) is filtered by, or NULL to keep the whole value.  The collector in
 * podlist.c replaces every other value by 0 before json-c sees the item, so
 * annotations, managedFields, env and the rest cost no parsing.
 */
struct poditem_keep {
	const char *key;
	const struct poditem_keep *sub;
};
extern const struct poditem_keep poditem_fields[];
#define PODITEM_KEY_MAX 32 /* longer keys are never kept */

struct poditem_ctx {
	struct json_tokener *tok;  /* depth PODLIST_DEPTH, strict */
	const char *const *labels; /* label keys to keep, in this order */
	unsigned nlabels;
	struct podsnap *snap;      /* where the pod and its containers go */
	struct podlist_stats *st;  /* pods, containers, skipped, ambiguous */
};

/* poditem_ctx_init - set up c->tok (the rest is the caller's). */
int poditem_ctx_init(struct poditem_ctx *c);
void poditem_ctx_done(struct poditem_ctx *c);

/*
 * poditem_add - parse the len bytes at buf (one JSON object, whose outer
 * structure the caller has checked) and add its pod and containers to
 * c->snap, counting in c->st.  An item without a usable UID, or whose UID
 * is there already, or past PODSNAP_PODS_MAX, is skipped and counted.
 * Returns 0, -EINVAL with *ret_why set (json-c refused the item), -ENOMEM.
 */
int poditem_add(struct poditem_ctx *c, const char *buf, size_t len,
		const char **ret_why);

#endif
