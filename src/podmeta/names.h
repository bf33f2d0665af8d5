/* SPDX-License-Identifier: Apache-2.0 */
/*
 * names.h - one answer from the two pod sources: the runtime's state files
 * (ctrmeta, known at a container's birth, no credentials) first, the
 * kubelet's pod list (podcache: owner, service account, labels, and names
 * the state files lack) second.  Sources naming different pods for one
 * process are a disagreement: the process comes out unresolved ("?").
 */
#ifndef P2P_NAMES_H
#define P2P_NAMES_H

#include <stdint.h>

#include "common/ident.h"
#include "podmeta/ctrmeta.h"
#include "podmeta/podcache.h"

struct names_buf {
	struct rtstate_meta meta;  /* a copy: ctrmeta's pointer is short-lived */
	struct k8s_names nm;
};

enum names_result { NAMES_NONE = 0, NAMES_KNOWN, NAMES_DISAGREE };

/*
 * names_lookup - the names of id's pod (either source may be NULL).
 * NAMES_KNOWN: *ret points into nb (and the pod list); id's pod UID is
 * filled in when the cgroup did not have it.  NAMES_DISAGREE: id is made
 * unresolved (REASON_DISAGREE).  *hold (when hold is not NULL) is the
 * ticket of a pod list fetch in flight that may name more, or 0.
 */
int names_lookup(struct ctrmeta *cm, struct podcache *pc, struct ident *id,
		 int64_t now, struct names_buf *nb, const struct k8s_names **ret,
		 uint64_t *hold);

#endif
