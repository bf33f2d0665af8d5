/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtstate.h - pod identity from the container runtime's own state files:
 * known before the kubelet reports, without credentials, and there at a
 * container's birth.
 *
 *  - containerd: <dir>/<namespace>/<id>/config.json (OCI annotations
 *    io.kubernetes.cri.container-type, .sandbox-name, .sandbox-namespace,
 *    .sandbox-uid, .container-name, .image-name);
 *  - CRI-O: <dir>/<id>/userdata/config.json (annotations
 *    io.kubernetes.pod.name, .pod.namespace, .pod.uid,
 *    io.kubernetes.container.name, io.kubernetes.cri-o.ContainerType,
 *    io.kubernetes.cri-o.ImageName);
 *  - Docker / cri-dockerd: <dir>/<id>/config.v2.json (Config.Labels
 *    io.kubernetes.pod.*, io.kubernetes.container.name,
 *    io.kubernetes.docker.type; Config.Image).
 * Files are read with a size cap and parsed for these strings only; a
 * malformed or hostile file is counted and ignored, its strings never
 * trusted beyond their length caps.
 */
#ifndef P2P_RTSTATE_H
#define P2P_RTSTATE_H

#include <stddef.h>

#define RTSTATE_FILE_MAX (1024 * 1024)
#define RTSTATE_NAME_MAX 253   /* DNS subdomain: pod and namespace names */
#define RTSTATE_IMAGE_MAX 511
#define RTSTATE_UID_MAX 36
#define RTSTATE_DIRS_MAX 8

enum rtstate_kind { RTSTATE_NONE = 0, RTSTATE_CONTAINERD, RTSTATE_CRIO,
		    RTSTATE_DOCKER };

struct rtstate_meta {
	int kind;        /* enum rtstate_kind: where it was found */
	int sandbox;     /* 1: the pod's sandbox (pause) container */
	char namespace_[RTSTATE_NAME_MAX + 1];
	char pod[RTSTATE_NAME_MAX + 1];
	char pod_uid[RTSTATE_UID_MAX + 1];
	char container[RTSTATE_NAME_MAX + 1]; /* "" for a sandbox */
	char image[RTSTATE_IMAGE_MAX + 1];
};

/*
 * rtstate_parse - parse one state file's bytes (kind says which layout).
 * Returns 1 when it names a pod (namespace and pod name at least), 0 when
 * it is valid but not a Kubernetes container, -EINVAL when malformed.
 * *ret is zeroed first.
 */
int rtstate_parse(int kind, const char *buf, size_t len,
		  struct rtstate_meta *ret);

/*
 * rtstate_find - look for container id (64 hex) under each of dirs (ndirs
 * directories, each tried with the three layouts; containerd's with the
 * namespace ns).  Returns 1 and *ret when found and parsed, 0 when no file
 * exists, -errno when a file exists but could not be used (too big,
 * malformed: -EINVAL).
 */
int rtstate_find(const char *const *dirs, unsigned ndirs, const char *ns,
		 const char *id, struct rtstate_meta *ret);

#endif
