/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonmap.h - one JSON object per event in json_schema = ecs | otel: the
 * same facts as jsonout.h's native form under the names of jsonnames.c,
 * flat ("process.pid":N, not nested), e.g. for ecs
 * {"@timestamp":"2026-12-03T14:54:42.123Z","host.name":..,
 *  "auditd.sequence":N,"auditd.message_type":"syscall","auditd.result":..,
 *  "event.kind":"event","event.original":"type=SYSCALL ...\ntype=...",
 *  "auditd.data":{..},"process.pid":N,...,"container.id":..,
 *  "orchestrator.resource.name":..,...}
 * The subject is the first record whose pid= the kernel wrote (record.h):
 * process.* come from its kernel-written fields only; without one there is
 * no process.*.  The pod's names follow its identity as in jsonout.h
 * (container.id "?" and no names when unresolved).  OBJ_PID targets go to
 * pid2pod.targets:[{"pid":N,"k8s":{native jsonout_k8s object}}].
 */
#ifndef P2P_JSONMAP_H
#define P2P_JSONMAP_H

#include "output/jsonout.h"

/*
 * jsonmap_event - write ev as one line (ending in '\n') into dst with the
 * names of schema (enum jn_schema).  Arguments as jsonout_event's; it
 * needs no more than JSONOUT_BOUND.  Names that do not fit are left out
 * and counted in *cut.  Returns bytes written, or 0 when it does not fit.
 */
size_t jsonmap_event(char *dst, size_t cap, int schema, const struct event *ev,
		     const char *node, const struct k8s_names *names,
		     jsonout_names_fn obj_names, void *ctx, unsigned *cut);

#endif
