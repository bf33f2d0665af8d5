/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workload.c - the workload behind a pod's controller (see workload.h).
 * Only names are compared: the owner's kind, its name, the pod's
 * pod-template-hash label and whether the pod is a mirror pod.  Anything
 * that does not match a rule exactly leaves the owner as it is (a
 * ReplicaSet stays a ReplicaSet), which is never wrong, only less useful.
 */
#include <string.h>

#include "podmeta/workload.h"

static const char *const as_is[] = {
	"StatefulSet", "DaemonSet", "ReplicationController",
};

static int empty(const char *s)
{
	return !s || !*s;
}

/* Length of name without "-<suffix>", or 0 when name does not end so. */
static size_t strip_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), sl = strlen(suffix);

	if (sl == 0 || n < sl + 2 || name[n - sl - 1] != '-' ||
	    memcmp(name + n - sl, suffix, sl) != 0)
		return 0;
	return n - sl - 1;
}

/* Length of name without "-<scheduled time>", or 0: the suffix is
 * WORKLOAD_SUFFIX_MIN..MAX decimal digits, no leading zero, and what is
 * before it could be a CronJob's name (1..WORKLOAD_CRONJOB_NAME_MAX). */
static size_t strip_schedule(const char *name)
{
	const char *dash = strrchr(name, '-');
	size_t digits, pre;

	if (!dash)
		return 0;
	digits = strlen(dash + 1);
	pre = (size_t)(dash - name);
	if (digits < WORKLOAD_SUFFIX_MIN || digits > WORKLOAD_SUFFIX_MAX ||
	    dash[1] == '0' || pre == 0 || pre > WORKLOAD_CRONJOB_NAME_MAX)
		return 0;
	for (const char *p = dash + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return pre;
}

static int put(char *buf, size_t cap, const char *s, size_t n,
	       const char *kind, const char **ret_kind)
{
	if (n + 1 > cap)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*ret_kind = kind;
	return 1;
}

int workload_of(const struct workload_in *in, char *buf, size_t cap,
		const char **ret_kind)
{
	const char *kind = in->kind, *name = in->name;
	size_t n;

	if (cap)
		buf[0] = '\0';
	*ret_kind = NULL;
	if (empty(kind) || empty(name) || cap == 0)
		return 0;
	n = strlen(name);
	if (strcmp(kind, "Node") == 0)
		return put(buf, cap, name, n, "Node", ret_kind);
	if (in->mirror)
		return 0; /* a static pod whose controller names no node */
	if (strcmp(kind, "ReplicaSet") == 0) {
		size_t d = empty(in->hash) ? 0 : strip_suffix(name, in->hash);

		return d ? put(buf, cap, name, d, "Deployment", ret_kind)
			 : put(buf, cap, name, n, "ReplicaSet", ret_kind);
	}
	if (strcmp(kind, "Job") == 0) {
		size_t c = strip_schedule(name);

		return c ? put(buf, cap, name, c, "CronJob", ret_kind)
			 : put(buf, cap, name, n, "Job", ret_kind);
	}
	/* StatefulSet, DaemonSet, ReplicationController and any other
	 * controller: the workload is the owner itself */
	for (size_t i = 0; i < sizeof as_is / sizeof as_is[0]; i++)
		if (strcmp(kind, as_is[i]) == 0)
			kind = as_is[i];
	return put(buf, cap, name, n, kind, ret_kind);
}
