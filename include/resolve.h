/*
 * resolve.h - pid -> struct ident, through <proc_root>/<pid>/cgroup, with a
 * pid cache in front so a pid costs a /proc read once, not once per record.
 *
 * A cached answer is trusted for RESOLVE_REVALIDATE_MS; after that the
 * process's start time (field 22 of <proc_root>/<pid>/stat) is compared with
 * the one cached, so a reused pid never gets its predecessor's answer.
 * Where stat does not exist (a fake tree) there is nothing to compare.
 */
#ifndef P2P_RESOLVE_H
#define P2P_RESOLVE_H

#include <stdint.h>

#include "ident.h"

#define RESOLVE_CACHE_SLOTS 65536   /* direct-mapped by pid; power of 2 */
#define RESOLVE_REVALIDATE_MS 1000
#define RESOLVE_MISSING_TTL_MS 1000 /* how long "no such pid" is believed */
#define RESOLVE_CGROUP_FILE_MAX 16384

struct resolve_stats {
	uint64_t lookups;
	uint64_t hits;
	uint64_t misses;
	uint64_t proc_reads;   /* cgroup files read */
	uint64_t reused;       /* cached pid found reused (start time moved) */
	uint64_t host, container, pod_only, unresolved;
};

struct resolver;

/* resolver_new - a resolver reading below proc_root; NULL on ENOMEM. */
struct resolver *resolver_new(const char *proc_root);
void resolver_free(struct resolver *r);

/*
 * resolver_lookup - the identity of pid at time now_ms (injected clock).
 * Always fills *ret.  pid <= 0 gives IDENT_UNRESOLVED / REASON_BAD_PID.
 */
void resolver_lookup(struct resolver *r, int32_t pid, int64_t now,
		     struct ident *ret);

/* resolver_forget - drop what is cached for pid (exit/exec events). */
void resolver_forget(struct resolver *r, int32_t pid);

/* resolver_read - read and classify pid now, bypassing the cache. */
int resolver_read(const char *proc_root, int32_t pid, struct ident *ret,
		  uint64_t *ret_start_time);

const struct resolve_stats *resolver_stats(const struct resolver *r);

#endif
