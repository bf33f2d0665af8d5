/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonout.h - one JSON object per event (output_format = json):
 * {"node":..,"time":"SEC.MS","serial":N,"records":[{"type":..,"text":..,
 *  "interp":..,"fields":{..}[,"argv":[..]][,"interpreted":{..}]
 *  [,"k8s":{..}: an OBJ_PID
 *  record's target]},...],
 *  "k8s":{"container_id":..,"namespace":..,"pod":..,"container":..,
 *  "pod_uid":..}}
 * "k8s" is absent for host processes and {"container_id":"?"} when the pid
 * could not be resolved.  "exec": the host pid of the exec session's root
 * (README: Exec sessions), "?" when the process may be in one, absent
 * otherwise.  Strings are always valid UTF-8 JSON.
 */
#ifndef P2P_JSONOUT_H
#define P2P_JSONOUT_H

#include <stddef.h>

#include "output/enrich.h"
#include "output/event.h"
#include "output/jsoninterp.h"

/* Bytes of a "k8s" object without names (container_id, pod_uid, nspid,
 * exec),
 * with its ,"k8s": key: what a k8s object always has room for. */
#define JSONOUT_K8S_BARE_MAX 256
/* Bytes jsonout_event needs for an event of len record bytes in nrec
 * records and nobjs OBJ_PID targets (names that do not fit are left out,
 * see below): the text (6 bytes a byte at most), its fields (jsonfields.h:
 * 6 more, and a few for each record, which is longer than that), and the
 * library's interpretations of each record (jsoninterp.h; the tail's are
 * 6 bytes a byte of the tail, which its fields do not take). */
#define JSONOUT_BOUND(len, nrec, nobjs) \
	((len) * 13 + 4096 + (size_t)(nrec) * (JSONINTERP_LIB_ROOM + 64) + \
	 (size_t)(nobjs) * JSONOUT_K8S_BARE_MAX)
/* JSONOUT_BOUND, above, holds for record types of a few ASCII letters (the
 * type is written twice); an event it does not hold is written record by
 * record as jsonout_malformed "room" lines instead, nothing lost. */

/* The names of an OBJ_PID target (jsonout_event), or NULL: valid until the
 * next call.  It may make *id unresolved (its sources disagree). */
typedef const struct k8s_names *(*jsonout_names_fn)(void *ctx,
						     struct ident *id);

/*
 * jsonout_event - write ev as one line (ending in '\n') into dst.
 * node is used when the records carry no node= prefix.  names may be NULL.
 * Each OBJ_PID record (opid=) gets its own "k8s" object for its target
 * (ev->objs; names from obj_names, which may be NULL); one past the
 * event's EVENT_OBJS_MAX is {"container_id":"?"}.  ji: the pipeline's
 * libauparse state for the "interpreted" objects, or NULL (none).  A k8s
 * object whose names do not fit is written without them and counted in
 * *cut (may be NULL), never left out.  Returns bytes written, or 0 when cap is too
 * small for JSONOUT_BOUND.
 */
size_t jsonout_event(char *dst, size_t cap, const struct event *ev,
		     const char *node, const struct k8s_names *names,
		     jsonout_names_fn obj_names, void *ctx,
		     struct jsoninterp *ji, unsigned *cut);

/*
 * jsonout_k8s - write the "k8s" object (no key) for id/names into dst.
 * Returns bytes written, 0 when there is nothing to write (host, none) or
 * it does not fit.  Shared with the CLI and the go-audit input.
 */
size_t jsonout_k8s(char *dst, size_t cap, const struct ident *id,
		   const struct k8s_names *names, int nspid);

/*
 * jsonout_malformed - a line that is not a record (why: "header", "nul",
 * "long") as {"malformed":why,"orig_len":N,"records":[{"type":null,
 * "text":..}]}.  Returns bytes written or 0.
 */
size_t jsonout_malformed(char *dst, size_t cap, const char *line, size_t len,
			 size_t orig_len, const char *why);

#endif
