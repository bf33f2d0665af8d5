/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podcache.h - the plugin loop's view of the kubelet's pod list: the latest
 * snapshot, the misses it remembers, and when to ask for the next one.
 *
 * Pure policy, no I/O and no clock of its own: the loop passes the time, and
 * a refresh is asked for through the request callback (which wakes the
 * kubelet client's thread; see kubelet.h).  The rules:
 *  - one refresh in flight at most, every refresh_ms while the kubelet
 *    answers, with backoff (1 s doubling up to refresh_ms) while it fails;
 *  - a lookup that misses asks for a refresh at once when none is in flight
 *    and the last one started spacing_ms ago or more, later otherwise; never
 *    one request per record;
 *  - a miss is remembered: once a list fetched after the first miss still
 *    lacks the key, the key is not asked about again for miss_ttl_ms;
 *  - a record may be held for a refresh only while one that started at or
 *    after the record's arrival is in flight and the kubelet is up
 *    (podcache_answer.hold is that refresh's ticket); before the first
 *    answer of the kubelet (at start), for the first fetch, started at
 *    once if it has not been.
 */
#ifndef P2P_PODCACHE_H
#define P2P_PODCACHE_H

#include <stdint.h>

#include "podmeta/podsnap.h"

#define PODCACHE_SPACING_MS 1000     /* between two refreshes asked by misses */
#define PODCACHE_MISS_TTL_MS 10000   /* a confirmed miss is believed this long */
#define PODCACHE_MISS_SLOTS 4096     /* remembered misses (power of 2) */
#define PODCACHE_BACKOFF_MIN_MS 1000

enum podcache_state { PODCACHE_UNKNOWN = 0, PODCACHE_UP, PODCACHE_DOWN };

struct podcache_stats {
	uint64_t lookups, hits, pod_hits, misses, ambiguous;
	uint64_t misses_confirmed;  /* answered from the miss memory */
	uint64_t requests, by_miss; /* refreshes asked for; of them by misses */
	uint64_t results_ok, results_failed;
	uint64_t pods, containers;  /* in the current snapshot */
	int64_t last_ok_ms;         /* when the last good list arrived; 0 never */
};

/* What the pod list says about one container / pod. */
struct podcache_answer {
	const struct podsnap_pod *pod;        /* NULL: pod not known */
	const struct podsnap_container *ctr;  /* NULL: container not known */
	uint64_t hold;  /* != 0: a refresh that may know more is in flight */
};

typedef void (*podcache_request_fn)(void *ctx, uint64_t ticket);

struct podcache;

/*
 * podcache_new - refresh_ms between fetches; request is called (from the
 * calling thread) whenever a refresh should start.  NULL on ENOMEM.
 */
struct podcache *podcache_new(int64_t refresh_ms, podcache_request_fn request,
			      void *ctx);
void podcache_free(struct podcache *pc);
/* podcache_set_request - where requests go (NULL: nowhere, none starts). */
void podcache_set_request(struct podcache *pc, podcache_request_fn request,
			  void *ctx);

/*
 * podcache_lookup - container id (64 hex, or NULL) and pod UID (or NULL)
 * at now.  The pod comes from the container's entry when the list has it,
 * else from the UID.  Misses are counted, remembered and may ask for a
 * refresh.  The answer's pointers stay valid until podcache_result().
 * Returns 1 when something is known, 0 when nothing, -EEXIST when the
 * container id is in two pods (no answer).
 */
int podcache_lookup(struct podcache *pc, const char *cid, const char *pod_uid,
		    int64_t now, struct podcache_answer *ret);

/*
 * podcache_result - the refresh with this ticket ended at now: snap (one
 * reference handed over, sealed) on success, NULL on failure.
 */
void podcache_result(struct podcache *pc, uint64_t ticket, struct podsnap *snap,
		     int64_t now);

/*
 * podcache_install - make snap (sealed; its reference is taken over) the
 * current list as if a refresh that started at now had just brought it:
 * the cache is up.  For a one-shot fetch done outside the cache (the CLI).
 */
void podcache_install(struct podcache *pc, struct podsnap *snap, int64_t now);

/* podcache_tick - start a refresh when one is due. */
void podcache_tick(struct podcache *pc, int64_t now);
/* podcache_next - when podcache_tick next has work, or -1. */
int64_t podcache_next(const struct podcache *pc);
/* podcache_done - 1 when the refresh with ticket t has ended. */
int podcache_done(const struct podcache *pc, uint64_t t);
int podcache_state(const struct podcache *pc);
const struct podcache_stats *podcache_stats(const struct podcache *pc);

#endif
