/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctrmeta.h - what the runtime's state says about each container, cached by
 * container id: read once (at the container's first exec, or at the first
 * record that needs it), kept while the container is in use and for
 * CTRMETA_GRACE_MS after, so records arriving after a container is gone
 * (its bundle removed the moment its process exits) still carry its pod.
 */
#ifndef P2P_CTRMETA_H
#define P2P_CTRMETA_H

#include <stdint.h>

#include "podmeta/rtstate.h"

#define CTRMETA_SETS 1024        /* 2 entries each; power of 2 */
#define CTRMETA_GRACE_MS 300000  /* unused answers kept this long */
#define CTRMETA_MISS_TTL_MS 2000 /* "no state file" believed this long */

struct ctrmeta_stats {
	uint64_t lookups, hits, reads, found, not_found, bad, evictions;
};

struct ctrmeta;

/*
 * ctrmeta_new - a cache over the state directories dirs (space-separated
 * absolute paths; "" disables the source) and containerd namespace ns.
 * NULL on ENOMEM or a list longer than RTSTATE_DIRS_MAX.
 */
struct ctrmeta *ctrmeta_new(const char *dirs, const char *ns);
void ctrmeta_free(struct ctrmeta *cm);

/*
 * ctrmeta_get - the runtime's answer for container id at now, reading the
 * state files when nothing (or an expired "not found") is cached.
 * NULL when no state names a Kubernetes container.  The pointer is valid
 * until the next call.
 */
const struct rtstate_meta *ctrmeta_get(struct ctrmeta *cm, const char *id,
				       int64_t now);

const struct ctrmeta_stats *ctrmeta_stats(const struct ctrmeta *cm);

#endif
