/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsnap.h - one snapshot of the kubelet's pod list, indexed by container
 * id and by pod UID.
 *
 * A snapshot is built by one thread (the kubelet client: podlist.c adds the
 * pods as they stream in, podsnap_carry() keeps recently deleted pods for
 * their grace time), sealed, and from then on read-only: the plugin's loop
 * looks records up in it without a lock while the client builds the next
 * one.  It is reference-counted (atomically) because both threads may hold
 * it.  Every string lives in the snapshot's own arena; every count has a
 * cap.
 *
 * Container ids are stored as 64 lowercase hex digits (the "containerd://",
 * "cri-o://", "docker://" prefix removed); pod UIDs lowercase, dashed, or 32
 * hex digits for static pods.  The same container id in two pods is
 * ambiguous: no answer for it.
 */
#ifndef P2P_PODSNAP_H
#define P2P_PODSNAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"

#define PODSNAP_PODS_MAX 65536         /* more pods: the rest are refused */
#define PODSNAP_CONTAINERS_MAX 262144  /* container ids, all pods together */
#define PODSNAP_STR_MAX 1023           /* longer strings are not kept */
#define PODSNAP_LABELS_MAX K8S_LABELS_MAX

struct podsnap_pod {
	const char *uid;        /* never NULL */
	const char *namespace_; /* NULL: unknown */
	const char *name;
	const char *owner;      /* "Kind/name" of the controller, or NULL */
	const char *workload;   /* workload.h: "web" for ReplicaSet/web-5d8f, */
	const char *workload_kind; /* "Deployment"; NULL without an owner */
	const char *sa;         /* service account, or NULL */
	/* the configured labels this pod has, in the configured order */
	const char *label_keys[PODSNAP_LABELS_MAX];
	const char *label_vals[PODSNAP_LABELS_MAX];
	unsigned nlabels;
	int64_t deleted_ms;     /* 0: in the latest list; else first missed */
};

struct podsnap_container {
	char id[CONTAINER_ID_LEN + 1];
	uint32_t pod;           /* index of its pod */
	const char *name;       /* NULL: unknown */
	const char *image;      /* NULL: unknown */
	uint8_t ambiguous;      /* the id is in two pods: no answer */
};

/* What a pod looks like before it is added (strings are copied). */
struct podsnap_pod_in {
	const char *uid, *namespace_, *name, *owner, *sa;
	const char *workload, *workload_kind;
	const char *label_keys[PODSNAP_LABELS_MAX];
	const char *label_vals[PODSNAP_LABELS_MAX];
	unsigned nlabels;
	int64_t deleted_ms;
};

struct podsnap;

/* podsnap_new - an empty, unsealed snapshot (refcount 1), or NULL. */
struct podsnap *podsnap_new(void);
/* podsnap_ref / podsnap_unref - atomic; the last unref frees (NULL ok). */
struct podsnap *podsnap_ref(struct podsnap *s);
void podsnap_unref(struct podsnap *s);

/*
 * podsnap_add_pod - add a pod (strings copied into the arena; a string
 * longer than PODSNAP_STR_MAX or holding a byte < 0x20 or 0x7f is stored as
 * NULL).  Returns the pod's index (>= 0), -EINVAL for a bad or missing UID,
 * -EEXIST when a pod with that UID is already there, -ENOSPC past
 * PODSNAP_PODS_MAX, -ENOMEM.
 */
int podsnap_add_pod(struct podsnap *s, const struct podsnap_pod_in *p);

/*
 * podsnap_add_container - add container id (64 hex digits, either case,
 * optionally after "<scheme>://") to pod index pod.  The same id twice in
 * one pod is kept once (the first name wins); in two pods it becomes
 * ambiguous.  Returns 0 (added, already in this pod, or already
 * ambiguous), 1 when this call made the id ambiguous (so a caller can count
 * them), -EINVAL (bad id or pod index), -ENOSPC, -ENOMEM.
 */
int podsnap_add_container(struct podsnap *s, uint32_t pod, const char *id,
			  const char *name, const char *image);

/*
 * podsnap_carry - copy into s the pods of prev that s does not have (by
 * UID), marked deleted since their deleted_ms (or now when prev still had
 * them live), unless they have been deleted for grace_ms or longer; their
 * containers come along unless s already has the id.  Call before seal.
 * Returns the number of pods carried, or -errno.
 */
int podsnap_carry(struct podsnap *s, const struct podsnap *prev, int64_t now,
		  int64_t grace_ms);

/* podsnap_seal - build the indexes; the snapshot is read-only after. */
int podsnap_seal(struct podsnap *s);

/* Lookups (sealed snapshots only).  NULL when absent. */
const struct podsnap_pod *podsnap_pod_by_uid(const struct podsnap *s,
					     const char *uid);
/*
 * podsnap_container - the container with id (64 lowercase hex): 1 and *ret,
 * 0 when absent, -EEXIST when ambiguous (*ret untouched).
 */
int podsnap_container(const struct podsnap *s, const char *id,
		      const struct podsnap_container **ret);
const struct podsnap_pod *podsnap_pod(const struct podsnap *s, uint32_t idx);
/* podsnap_container_at - the idx-th container id (ambiguous ones too), for
 * walking all of them (tests, invariant checks, dumps); NULL past the end. */
const struct podsnap_container *podsnap_container_at(const struct podsnap *s,
						     uint32_t idx);

size_t podsnap_npods(const struct podsnap *s);       /* deleted included */
size_t podsnap_ncontainers(const struct podsnap *s);
size_t podsnap_bytes(const struct podsnap *s);       /* memory held */

#endif
