/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctrmeta.c - the container cache of ctrmeta.h: two-way set-associative by
 * a hash of the id; a new entry takes an empty way, else the one used
 * longest ago.  Entries unused for CTRMETA_GRACE_MS count as empty.
 * "No state file" answers live apart, in a compact two-way table of 64-bit
 * id hashes (16 bytes an entry), so that a node with more containers than
 * the cache holds, none with a state file (the runtime's state not mounted,
 * the kubelet the only source), costs one set of failed opens per
 * container every CTRMETA_MISS_TTL_MS, not one per record, and its misses
 * never push out the answers that were found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "podmeta/ctrmeta.h"

#define WAYS 2
#define DIRS_BUF 1024
#define MISS_SETS 16384 /* 2 entries each; power of 2 */

enum { E_EMPTY = 0, E_FOUND };

struct entry {
	char id[65];
	uint8_t state;
	int64_t read_ms, used_ms;
	struct rtstate_meta m;
};

struct ctrmeta {
	char dirbuf[DIRS_BUF];
	const char *dirs[RTSTATE_DIRS_MAX];
	unsigned ndirs;
	char ns[64];
	struct entry *e; /* CTRMETA_SETS * WAYS */
	struct miss { uint64_t h; int64_t read_ms; } *miss; /* MISS_SETS * WAYS */
	struct ctrmeta_stats st;
};

struct ctrmeta *ctrmeta_new(const char *dirs, const char *ns)
{
	struct ctrmeta *cm = calloc(1, sizeof *cm);
	char *p, *save = NULL;

	if (!cm)
		return NULL;
	if (strlen(dirs) >= sizeof cm->dirbuf || strlen(ns) >= sizeof cm->ns)
		goto fail;
	strcpy(cm->dirbuf, dirs);
	strcpy(cm->ns, ns);
	for (p = strtok_r(cm->dirbuf, " \t,", &save); p;
	     p = strtok_r(NULL, " \t,", &save)) {
		if (cm->ndirs == RTSTATE_DIRS_MAX)
			goto fail;
		cm->dirs[cm->ndirs++] = p;
	}
	cm->e = calloc((size_t)CTRMETA_SETS * WAYS, sizeof *cm->e);
	cm->miss = calloc((size_t)MISS_SETS * WAYS, sizeof *cm->miss);
	if (!cm->e || !cm->miss)
		goto fail;
	return cm;
fail:
	free(cm->e);
	free(cm);
	errno = EINVAL;
	return NULL;
}

void ctrmeta_free(struct ctrmeta *cm)
{
	if (!cm)
		return;
	free(cm->e);
	free(cm->miss);
	free(cm);
}

/* FNV-1a over the whole id; never 0 (0 marks an empty miss entry). */
static uint64_t hash64(const char *id)
{
	uint64_t h = 14695981039346656037ULL;

	for (int i = 0; id[i]; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* The miss entry of id, or NULL; the set's first way when ret_set. */
static struct miss *miss_find(struct ctrmeta *cm, uint64_t h, struct miss **ret_set)
{
	struct miss *set = &cm->miss[(h >> 32 & (MISS_SETS - 1)) * WAYS];

	*ret_set = set;
	for (int w = 0; w < WAYS; w++)
		if (set[w].h == h)
			return &set[w];
	return NULL;
}

static void miss_note(struct ctrmeta *cm, uint64_t h, int64_t now)
{
	struct miss *set, *x = miss_find(cm, h, &set);

	if (!x) /* the older way goes */
		x = set[0].read_ms <= set[1].read_ms ? &set[0] : &set[1];
	x->h = h;
	x->read_ms = now;
}

static uint32_t hash_id(const char *id)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16 && id[i]; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	return h;
}

static int live(const struct entry *x, int64_t now)
{
	return x->state != E_EMPTY && now - x->used_ms < CTRMETA_GRACE_MS;
}

const struct rtstate_meta *ctrmeta_get(struct ctrmeta *cm, const char *id,
				       int64_t now)
{
	struct entry *set, *x = NULL;
	struct miss *mset, *mx;
	struct rtstate_meta m;
	uint64_t h;
	int r;

	cm->st.lookups++;
	if (!cm->ndirs || strlen(id) != 64)
		return NULL;
	set = &cm->e[(hash_id(id) & (CTRMETA_SETS - 1)) * WAYS];
	for (int w = 0; w < WAYS; w++)
		if (live(&set[w], now) && strcmp(set[w].id, id) == 0)
			x = &set[w];
	if (x) { /* only answers that were found are kept here */
		cm->st.hits++;
		x->used_ms = now;
		return &x->m;
	}
	h = hash64(id);
	mx = miss_find(cm, h, &mset);
	if (mx && now - mx->read_ms < CTRMETA_MISS_TTL_MS) {
		cm->st.hits++;
		return NULL;
	}
	cm->st.reads++;
	r = rtstate_find(cm->dirs, cm->ndirs, cm->ns, id, &m);
	if (r == 1) {
		/* a free way, else the one used longest ago */
		for (int w = 0; w < WAYS; w++) {
			struct entry *c = &set[w];

			if (!live(c, now)) {
				x = c;
				break;
			}
			if (!x || c->used_ms < x->used_ms)
				x = c;
		}
		if (live(x, now))
			cm->st.evictions++;
		memcpy(x->id, id, 65);
		x->read_ms = x->used_ms = now;
		x->state = E_FOUND;
		x->m = m;
		cm->st.found++;
		return &x->m;
	}
	miss_note(cm, h, now);
	if (r < 0)
		cm->st.bad++;
	else
		cm->st.not_found++;
	return NULL;
}

const struct ctrmeta_stats *ctrmeta_stats(const struct ctrmeta *cm)
{
	return &cm->st;
}
