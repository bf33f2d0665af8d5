/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podlist.h - parse the kubelet's GET /pods answer (a PodList) as it streams
 * in, item by item, into a podsnap.
 *
 * Memory does not grow with the response: a small scanner follows the
 * outer JSON structure byte by byte; each element of "items" is collected
 * (up to PODLIST_ITEM_MAX) and parsed on its own with json-c (depth
 * PODLIST_DEPTH), only the fields pid2pod uses are copied into the snapshot,
 * and the item's tree is freed at once.  Kept per pod:
 * metadata.{uid,namespace,name}, the configured metadata.labels, the
 * controller's ownerReferences entry ("Kind/name"),
 * spec.serviceAccountName; per container (containerStatuses,
 * initContainerStatuses, ephemeralContainerStatuses): name, image (the
 * spec's image when the status has none), containerID and
 * lastState.terminated.containerID.
 *
 * Tolerated: "items": null, null items, missing fields, wrong types (a
 * field of the wrong type counts as absent; an item without a usable UID
 * is skipped and counted).  Errors (the list is not used): not a JSON
 * object, no "items" key, broken JSON outside or inside an item,
 * truncation.  More than max_bytes is no error once "items" has begun: the
 * body is cut there and the pods complete before the cut are kept (the
 * list counts as truncated).  Each item has its own cap, PODLIST_ITEM_MAX:
 * one over it is skipped and counted, the others are kept.
 */
#ifndef P2P_PODLIST_H
#define P2P_PODLIST_H

#include <stddef.h>
#include <stdint.h>

#include "podmeta/podsnap.h"

#define PODLIST_ITEM_MAX (4 * 1024 * 1024) /* one pod's JSON */
#define PODLIST_DEPTH 64                   /* nesting inside an item */
#define PODLIST_OUTER_DEPTH 64             /* nesting outside items */

struct podlist_opts {
	const char *const *labels; /* label keys to keep (exact match) */
	unsigned nlabels;          /* <= PODSNAP_LABELS_MAX */
	size_t max_bytes;          /* cap on the whole response: cut there */
};

struct podlist_stats {
	uint64_t bytes;           /* fed so far */
	uint64_t items;           /* elements of "items" seen */
	uint64_t pods;            /* added to the snapshot */
	uint64_t containers;      /* container ids added */
	uint64_t skipped;         /* null, not an object, no UID, too big, dup */
	uint64_t ambiguous;       /* ids found in two pods */
	uint64_t truncated;       /* 1: cut at max_bytes, the pods before kept */
};

struct podlist;

/* podlist_new - a parser writing into a new snapshot; NULL on ENOMEM. */
struct podlist *podlist_new(const struct podlist_opts *o);
void podlist_free(struct podlist *pl);

/*
 * podlist_feed - the next len bytes of the body.  Returns 0, or -EINVAL
 * (malformed), -EFBIG (past max_bytes: the bytes up to it were parsed; stop
 * feeding, podlist_finish keeps the pods complete by then), -ENOMEM; after
 * an error every further call returns the same error.
 */
int podlist_feed(struct podlist *pl, const char *buf, size_t len);

/*
 * podlist_finish - the body is complete (or was cut at max_bytes).  0 and
 * *ret, the (unsealed) snapshot, now the caller's; or the error (-EINVAL
 * when the body ended early or had no "items"; -EFBIG when it was cut
 * before "items" began).
 */
int podlist_finish(struct podlist *pl, struct podsnap **ret);

/* podlist_error - what went wrong, for the log ("" when nothing did). */
const char *podlist_error(const struct podlist *pl);
const struct podlist_stats *podlist_stats(const struct podlist *pl);

#endif
