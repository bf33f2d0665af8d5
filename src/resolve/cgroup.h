/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.h - turn the bytes of /proc/<pid>/cgroup into a container id and a
 * pod UID.  A pure function: no I/O, no allocation, no logging.
 */
#ifndef P2P_CGROUP_H
#define P2P_CGROUP_H

#include <stddef.h>
#include "common/ident.h"

enum cgroup_verdict {
	CGROUP_HOST = 0,   /* no line names a container or a pod */
	CGROUP_CONTAINER,  /* a container id (and maybe a pod UID) */
	CGROUP_POD_ONLY,   /* a pod UID but no container id */
	CGROUP_AMBIGUOUS,  /* lines disagree: "unknown", never a guess */
	CGROUP_EMPTY,      /* empty file: the process has exited */
};

struct cgroup_result {
	char container_id[CONTAINER_ID_LEN + 1]; /* lowercase hex, or "" */
	char pod_uid[POD_UID_MAX + 1];  /* dashed, or 32 hex (static), or "" */
	enum ident_runtime runtime;     /* from the segment's prefix, if any */
};

/*
 * cgroup_parse - classify the content of a cgroup file.
 * buf need not be NUL-terminated.  *ret is always filled (zeroed first).
 * Returns the verdict; ret->container_id / pod_uid are set for
 * CGROUP_CONTAINER and CGROUP_POD_ONLY, empty otherwise.
 */
enum cgroup_verdict cgroup_parse(const char *buf, size_t len,
				 struct cgroup_result *ret);

/* cgroup_verdict_name - "host", "container", "pod-only", "ambiguous",
 * "empty": for messages, tests and the CLI. */
const char *cgroup_verdict_name(enum cgroup_verdict v);

#endif
