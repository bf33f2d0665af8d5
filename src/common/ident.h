/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ident.h - what pid2pod knows about one process: the answer every lookup
 * produces and every output formats.  Plain data, fixed size, no pointers,
 * so it can be copied into the record queue and the pid cache freely.
 * Beside it, k8s_names: the names the pod sources give that answer (a view
 * into their buffers, so pointers; podmeta fills it, output prints it).
 */
#ifndef P2P_IDENT_H
#define P2P_IDENT_H

#include <stdint.h>

#define CONTAINER_ID_LEN 64 /* full id: 64 lowercase hex digits */
#define POD_UID_MAX 36      /* dashed UUID; static pods: 32 hex */

enum ident_state {
	IDENT_NONE = 0,       /* record names no process: nothing to add */
	IDENT_HOST,           /* a host process: no fields */
	IDENT_CONTAINER,      /* container id known (pod UID maybe) */
	IDENT_POD_ONLY,       /* pod UID known, container id not (pause, ...) */
	IDENT_UNRESOLVED,     /* could not tell, or sources disagree: "?" */
};

enum ident_runtime {
	RUNTIME_UNKNOWN = 0,
	RUNTIME_CONTAINERD,
	RUNTIME_CRIO,
	RUNTIME_DOCKER,
	RUNTIME_PODMAN,
};

/* Why a pid came out unresolved; counted, never printed in records. */
enum ident_reason {
	REASON_NONE = 0,
	REASON_NO_PROC,       /* <proc_root>/<pid> gone or unreadable */
	REASON_EMPTY_CGROUP,  /* cgroup file empty: the process has exited */
	REASON_AMBIGUOUS,     /* cgroup lines disagree */
	REASON_BAD_PID,       /* pid= value is not a number we can use */
	REASON_DISAGREE,      /* cgroup and runtime state name other pods */
};

struct ident {
	uint8_t state;   /* enum ident_state */
	uint8_t runtime; /* enum ident_runtime */
	uint8_t reason;  /* enum ident_reason, for IDENT_UNRESOLVED */
	char container_id[CONTAINER_ID_LEN + 1]; /* "" when unknown */
	char pod_uid[POD_UID_MAX + 1];           /* "" when unknown */
	int32_t nspid; /* pid in its own pid namespace (NSpid's last); 0: none */
	int32_t exec_root; /* > 0: in the exec session started by that host
			      pid (k8s_exec); or one of IDENT_EXEC_* */
};

/*
 * exec_root without a session (README: Exec sessions).  0 is what a
 * zeroed ident says: nothing told (no connector, a host process, a
 * process moved into a container by something else than its runtime).
 */
#define IDENT_EXEC_UNTOLD 0
#define IDENT_EXEC_UNKNOWN (-1) /* may be in a session: k8s_exec=? */
#define IDENT_EXEC_NONE (-2)    /* the container's own tree (its init's) */

#define K8S_LABELS_MAX 16 /* pod labels copied, at most */

/* What the pod sources (kubelet, runtime state) know; NULL/"" = unknown. */
struct k8s_names {
	const char *namespace_;
	const char *pod;
	const char *container;
	const char *image;
	const char *owner;         /* "Kind/name" of the pod's controller */
	const char *workload;      /* its workload: a Deployment's name, ... */
	const char *workload_kind; /* "Deployment", "CronJob", "Node", ... */
	const char *sa;
	const char *label_keys[K8S_LABELS_MAX];  /* as configured (enrich.c
						    makes the field names) */
	const char *label_vals[K8S_LABELS_MAX];
	unsigned nlabels;
};

#endif
