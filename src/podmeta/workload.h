/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workload.h - the workload behind a pod, told from the pod's own
 * ownerReferences and labels, without asking the API server: a
 * ReplicaSet named "<name>-<pod-template-hash>" is a Deployment's, a Job
 * named "<name>-<8 to 10 digits>" a CronJob's, a static pod is its Node's.
 * The rules, and the one ambiguity (a Job named like a CronJob's by hand),
 * are in docs/design.md ("Workload").
 */
#ifndef P2P_WORKLOAD_H
#define P2P_WORKLOAD_H

#include <stddef.h>

#define WORKLOAD_CRONJOB_NAME_MAX 52 /* Kubernetes caps a CronJob's name */
#define WORKLOAD_SUFFIX_MIN 8        /* scheduled time: minutes since 1970 */
#define WORKLOAD_SUFFIX_MAX 10       /* ... or seconds (older controller) */

/* What workload_of reads: the controller ownerReferences entry and two
 * pieces of the pod's metadata.  NULL or "" = absent. */
struct workload_in {
	const char *kind;  /* the controller's kind ("ReplicaSet", ...) */
	const char *name;  /* the controller's name */
	const char *hash;  /* label pod-template-hash */
	int mirror;        /* annotation kubernetes.io/config.mirror is there */
};

/*
 * workload_of - the workload's name into buf (cap bytes) and its kind into
 * *ret_kind (a static string, or in->kind for a controller kept as it is).  Returns 1; 0 when there is none to tell
 * (no controller, a mirror pod whose controller is not a Node, a name that
 * does not fit cap): then buf is "" and *ret_kind NULL.
 */
int workload_of(const struct workload_in *in, char *buf, size_t cap,
		const char **ret_kind);

#endif
