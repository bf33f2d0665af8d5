/*
 * ctrmeta.c - the container cache of ctrmeta.h: two-way set-associative by
 * a hash of the id; a new entry takes an empty way, else the one used
 * longest ago.  Entries unused for CTRMETA_GRACE_MS count as empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrmeta.h"

#define WAYS 2
#define DIRS_BUF 1024

enum { E_EMPTY = 0, E_FOUND, E_NONE };

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
	if (!cm->e)
		goto fail;
	return cm;
fail:
	free(cm);
	errno = EINVAL;
	return NULL;
}

void ctrmeta_free(struct ctrmeta *cm)
{
	if (!cm)
		return;
	free(cm->e);
	free(cm);
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
	int r;

	cm->st.lookups++;
	if (!cm->ndirs || strlen(id) != 64)
		return NULL;
	set = &cm->e[(hash_id(id) & (CTRMETA_SETS - 1)) * WAYS];
	for (int w = 0; w < WAYS; w++)
		if (live(&set[w], now) && strcmp(set[w].id, id) == 0)
			x = &set[w];
	if (x && (x->state == E_FOUND ||
		  now - x->read_ms < CTRMETA_MISS_TTL_MS)) {
		cm->st.hits++;
		x->used_ms = now;
		return x->state == E_FOUND ? &x->m : NULL;
	}
	if (!x) {
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
	}
	cm->st.reads++;
	memset(x, 0, sizeof *x);
	memcpy(x->id, id, 65);
	x->read_ms = x->used_ms = now;
	r = rtstate_find(cm->dirs, cm->ndirs, cm->ns, id, &x->m);
	if (r == 1) {
		x->state = E_FOUND;
		cm->st.found++;
		return &x->m;
	}
	x->state = E_NONE;
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
