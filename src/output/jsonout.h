/*
 * jsonout.h - one JSON object per event (output_format = json):
 * {"node":..,"time":"SEC.MS","serial":N,"records":[{"type":..,"text":..,
 *  "interp":..},...],"k8s":{"container_id":..,"namespace":..,"pod":..,
 *  "container":..,"pod_uid":..}}
 * "k8s" is absent for host processes and {"container_id":"?"} when the pid
 * could not be resolved.  Strings are always valid UTF-8 JSON.
 */
#ifndef P2P_JSONOUT_H
#define P2P_JSONOUT_H

#include <stddef.h>

#include "output/enrich.h"
#include "output/event.h"

/* Worst-case bytes jsonout_event needs for an event of len record bytes. */
#define JSONOUT_BOUND(len) ((len) * 6 + 4096)

/*
 * jsonout_event - write ev as one line (ending in '\n') into dst.
 * node is used when the records carry no node= prefix.  names may be NULL.
 * Returns bytes written, or 0 when cap is too small.
 */
size_t jsonout_event(char *dst, size_t cap, const struct event *ev,
		     const char *node, const struct k8s_names *names);

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
