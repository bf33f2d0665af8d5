/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podsnap.c - the pod snapshot of podsnap.h.
 *
 * Pods and containers live in two growable arrays (capped at
 * PODSNAP_PODS_MAX and PODSNAP_CONTAINERS_MAX), their strings in an arena of
 * blocks that never move, so the pointers handed out stay valid while the
 * snapshot grows; the arena is capped at PODSNAP_ARENA_MAX bytes.  Two
 * open-addressing tables (linear probing, a slot holds index + 1, 0 is
 * empty, never more than half full) index the pods by UID and the
 * containers by id.  The tables are kept while the snapshot is built,
 * because adding needs them (a UID twice is refused, an id twice in one pod
 * kept once, in two pods made ambiguous); podsnap_seal() trims the arrays
 * and freezes the lot.  Lookups work on an unsealed snapshot too, from the
 * thread that builds it (podsnap_carry uses them).
 *
 * Configured label keys repeat in every pod: the arena keeps one copy of
 * each (up to KEYS_INTERN_MAX distinct keys, the rest copied per pod).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "podmeta/podsnap.h"

#define PODSNAP_ARENA_MAX (256u << 20) /* string bytes, all pods together */
#define ARENA_BLOCK_MIN 4096
#define ARENA_BLOCK_MAX (1u << 20)
#define INDEX_MIN 64                   /* slots of an empty table */
#define KEYS_INTERN_MAX 64
#define SCHEME_MAX 32                  /* "containerd", "cri-o", "docker" */
#define NO_POD UINT32_MAX

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct index {
	uint32_t *slot; /* mask + 1 slots: entry index + 1, 0 empty */
	uint32_t mask;
	uint32_t used;
};

struct podsnap {
	atomic_uint refs;
	int sealed;
	struct podsnap_pod *pods;
	uint32_t npods, podcap;
	struct podsnap_container *ctrs;
	uint32_t nctrs, ctrcap;
	struct index by_uid, by_id;
	struct block *arena;
	size_t arena_bytes;
	const char *keys[KEYS_INTERN_MAX];
	unsigned nkeys;
};

/* ---- strings ---- */

static char *arena_alloc(struct podsnap *s, size_t n)
{
	struct block *b = s->arena;
	size_t size;

	if (!b || b->size - b->used < n) {
		size = s->arena_bytes < ARENA_BLOCK_MIN ? ARENA_BLOCK_MIN
			: s->arena_bytes > ARENA_BLOCK_MAX ? ARENA_BLOCK_MAX
			: s->arena_bytes;
		if (size < n)
			size = n;
		if (s->arena_bytes + size > PODSNAP_ARENA_MAX) {
			errno = ENOSPC;
			return NULL;
		}
		b = malloc(sizeof *b + size);
		if (!b) {
			errno = ENOMEM;
			return NULL;
		}
		b->next = s->arena;
		b->used = 0;
		b->size = size;
		s->arena = b;
		s->arena_bytes += size;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* Length of a storable string, or -1 (NULL, too long, control bytes). */
static long str_len(const char *p)
{
	size_t n;

	if (!p)
		return -1;
	for (n = 0; p[n]; n++)
		if (n == PODSNAP_STR_MAX || (unsigned char)p[n] < 0x20 ||
		    p[n] == 0x7f)
			return -1;
	return (long)n;
}

/* *ret = a copy of p in the arena, or NULL when p cannot be stored. */
static int copy_str(struct podsnap *s, const char *p, const char **ret)
{
	long n = str_len(p);
	char *d;

	*ret = NULL;
	if (n < 0)
		return 0;
	d = arena_alloc(s, (size_t)n + 1);
	if (!d)
		return -errno;
	memcpy(d, p, (size_t)n + 1);
	*ret = d;
	return 0;
}

/* A label key: the snapshot's copy when it has one already. */
static int copy_key(struct podsnap *s, const char *k, const char **ret)
{
	int r;

	for (unsigned i = 0; i < s->nkeys; i++)
		if (k && strcmp(s->keys[i], k) == 0) {
			*ret = s->keys[i];
			return 0;
		}
	r = copy_str(s, k, ret);
	if (r == 0 && *ret && s->nkeys < KEYS_INTERN_MAX)
		s->keys[s->nkeys++] = *ret;
	return r;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A dashed UUID or 32 hex digits (static pods), lowercased into out. */
static int norm_uid(const char *in, char out[POD_UID_MAX + 1])
{
	size_t n = in ? strnlen(in, POD_UID_MAX + 1) : 0;

	if (n != 36 && n != 32)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? in[i] != '-' : hex_digit(in[i]) < 0)
			return -EINVAL;
		out[i] = lower(in[i]);
	}
	out[n] = '\0';
	return 0;
}

/* 64 hex digits, optionally after "<scheme>://", lowercased into out. */
static int norm_id(const char *in, char out[CONTAINER_ID_LEN + 1])
{
	const char *sep;
	size_t i;

	if (!in)
		return -EINVAL;
	sep = memchr(in, ':', strnlen(in, SCHEME_MAX + 1));
	if (sep) {
		if (sep == in || sep[1] != '/' || sep[2] != '/')
			return -EINVAL;
		for (const char *p = in; p < sep; p++)
			if (hex_digit(*p) < 0 && !(*p >= 'a' && *p <= 'z') &&
			    !(*p >= 'A' && *p <= 'Z') && *p != '-' &&
			    *p != '.' && *p != '+')
				return -EINVAL;
		in = sep + 3;
	}
	for (i = 0; i < CONTAINER_ID_LEN; i++) {
		if (hex_digit(in[i]) < 0)
			return -EINVAL;
		out[i] = lower(in[i]);
	}
	if (in[i])
		return -EINVAL;
	out[i] = '\0';
	return 0;
}

/* ---- indexes ---- */

/* Keys are at most 64 bytes: mixed 8 bytes at a time. */
static uint32_t hash_str(const char *p)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, w;
	size_t n = strlen(p);

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ n) * 0x94d049bb133111ebull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static const char *key_of(const struct podsnap *s, const struct index *ix,
			  uint32_t i)
{
	return ix == &s->by_uid ? s->pods[i].uid : s->ctrs[i].id;
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t *index_slot(const struct podsnap *s, const struct index *ix,
			    const char *key)
{
	uint32_t pos = hash_str(key) & ix->mask;

	while (ix->slot[pos] && strcmp(key_of(s, ix, ix->slot[pos] - 1), key))
		pos = (pos + 1) & ix->mask;
	return &ix->slot[pos];
}

/* Entry index of key, or -1. */
static long index_find(const struct podsnap *s, const struct index *ix,
		       const char *key)
{
	uint32_t v;

	if (!ix->slot)
		return -1;
	v = *index_slot(s, ix, key);
	return v ? (long)v - 1 : -1;
}

/* Room for one more entry: double the table when it would be half full. */
static int index_reserve(struct podsnap *s, struct index *ix)
{
	struct index old = *ix;
	uint32_t size = old.slot ? (old.mask + 1) * 2 : INDEX_MIN;

	if (old.slot && (ix->used + 1) * 2 <= old.mask + 1)
		return 0;
	ix->slot = calloc(size, sizeof *ix->slot);
	if (!ix->slot) {
		*ix = old;
		return -ENOMEM;
	}
	ix->mask = size - 1;
	for (uint32_t i = 0; old.slot && i <= old.mask; i++)
		if (old.slot[i])
			*index_slot(s, ix, key_of(s, ix, old.slot[i] - 1)) =
				old.slot[i];
	free(old.slot);
	return 0;
}

/* ---- life cycle ---- */

struct podsnap *podsnap_new(void)
{
	struct podsnap *s = calloc(1, sizeof *s);

	if (s)
		atomic_init(&s->refs, 1);
	return s;
}

struct podsnap *podsnap_ref(struct podsnap *s)
{
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void podsnap_unref(struct podsnap *s)
{
	struct block *b, *next;

	if (!s || atomic_fetch_sub_explicit(&s->refs, 1,
					    memory_order_acq_rel) != 1)
		return;
	for (b = s->arena; b; b = next) {
		next = b->next;
		free(b);
	}
	free(s->by_uid.slot);
	free(s->by_id.slot);
	free(s->pods);
	free(s->ctrs);
	free(s);
}

/* Grow *arr (cap elements of size) to hold one more, up to max. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t size,
		uint32_t max)
{
	uint32_t c = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -ENOSPC;
	if (c > max)
		c = max;
	p = realloc(*arr, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

/* ---- building ---- */

int podsnap_add_pod(struct podsnap *s, const struct podsnap_pod_in *p)
{
	char uid[POD_UID_MAX + 1];
	struct podsnap_pod *d;
	int r;

	if (!s || !p || s->sealed || p->nlabels > PODSNAP_LABELS_MAX ||
	    norm_uid(p->uid, uid) < 0)
		return -EINVAL;
	if (index_find(s, &s->by_uid, uid) >= 0)
		return -EEXIST;
	r = grow((void **)&s->pods, &s->podcap, s->npods, sizeof *s->pods,
		 PODSNAP_PODS_MAX);
	if (r < 0 || (r = index_reserve(s, &s->by_uid)) < 0)
		return r;
	d = &s->pods[s->npods];
	memset(d, 0, sizeof *d);
	if ((r = copy_str(s, uid, &d->uid)) < 0 ||
	    (r = copy_str(s, p->namespace_, &d->namespace_)) < 0 ||
	    (r = copy_str(s, p->name, &d->name)) < 0 ||
	    (r = copy_str(s, p->owner, &d->owner)) < 0 ||
	    (r = copy_str(s, p->workload, &d->workload)) < 0 ||
	    (r = copy_str(s, p->workload_kind, &d->workload_kind)) < 0 ||
	    (r = copy_str(s, p->sa, &d->sa)) < 0)
		return r;
	for (unsigned i = 0; i < p->nlabels; i++) {
		const char *k, *v;

		if ((r = copy_key(s, p->label_keys[i], &k)) < 0 ||
		    (r = copy_str(s, p->label_vals[i], &v)) < 0)
			return r;
		if (!k || !*k || !v)
			continue; /* a label without a usable key or value */
		d->label_keys[d->nlabels] = k;
		d->label_vals[d->nlabels++] = v;
	}
	d->deleted_ms = p->deleted_ms;
	*index_slot(s, &s->by_uid, uid) = ++s->npods;
	s->by_uid.used++;
	return (int)(s->npods - 1);
}

/* Add a normalized id; see podsnap_add_container for the results. */
static int add_ctr(struct podsnap *s, uint32_t pod, const char *id,
		   const char *name, const char *image, uint8_t ambiguous)
{
	struct podsnap_container *c;
	long i = index_find(s, &s->by_id, id);
	int r;

	if (i >= 0) {
		c = &s->ctrs[i];
		if (c->pod == pod || c->ambiguous)
			return 0;
		c->ambiguous = 1;
		return 1;
	}
	r = grow((void **)&s->ctrs, &s->ctrcap, s->nctrs, sizeof *s->ctrs,
		 PODSNAP_CONTAINERS_MAX);
	if (r < 0 || (r = index_reserve(s, &s->by_id)) < 0)
		return r;
	c = &s->ctrs[s->nctrs];
	memset(c, 0, sizeof *c);
	memcpy(c->id, id, sizeof c->id);
	c->pod = pod;
	c->ambiguous = ambiguous;
	if ((r = copy_str(s, name, &c->name)) < 0 ||
	    (r = copy_str(s, image, &c->image)) < 0)
		return r;
	*index_slot(s, &s->by_id, c->id) = ++s->nctrs;
	s->by_id.used++;
	return 0;
}

int podsnap_add_container(struct podsnap *s, uint32_t pod, const char *id,
			  const char *name, const char *image)
{
	char nid[CONTAINER_ID_LEN + 1];

	if (!s || s->sealed || pod >= s->npods || norm_id(id, nid) < 0)
		return -EINVAL;
	return add_ctr(s, pod, nid, name, image, 0);
}

int podsnap_carry(struct podsnap *s, const struct podsnap *prev, int64_t now,
		  int64_t grace_ms)
{
	uint32_t *map;
	int carried = 0, r = 0;

	if (!s || !prev || s->sealed || s == prev)
		return -EINVAL;
	if (grace_ms <= 0 || !prev->npods)
		return 0;
	map = malloc(prev->npods * sizeof *map);
	if (!map)
		return -ENOMEM;
	for (uint32_t i = 0; i < prev->npods; i++) {
		const struct podsnap_pod *p = &prev->pods[i];
		struct podsnap_pod_in in = { .uid = p->uid };
		int64_t since = p->deleted_ms ? p->deleted_ms : now ? now : 1;

		map[i] = NO_POD;
		if (r < 0 || index_find(s, &s->by_uid, p->uid) >= 0 ||
		    now - since >= grace_ms)
			continue;
		in.namespace_ = p->namespace_;
		in.name = p->name;
		in.owner = p->owner;
		in.workload = p->workload;
		in.workload_kind = p->workload_kind;
		in.sa = p->sa;
		in.nlabels = p->nlabels;
		memcpy(in.label_keys, p->label_keys, sizeof in.label_keys);
		memcpy(in.label_vals, p->label_vals, sizeof in.label_vals);
		in.deleted_ms = since;
		r = podsnap_add_pod(s, &in);
		if (r >= 0) {
			map[i] = (uint32_t)r;
			carried++;
		}
	}
	if (r >= 0 || r == -ENOSPC)
		r = 0;
	for (uint32_t i = 0; r == 0 && i < prev->nctrs; i++) {
		const struct podsnap_container *c = &prev->ctrs[i];

		if (map[c->pod] == NO_POD ||
		    index_find(s, &s->by_id, c->id) >= 0)
			continue;
		r = add_ctr(s, map[c->pod], c->id, c->name, c->image,
			    c->ambiguous);
	}
	free(map);
	return r < 0 && r != -ENOSPC ? r : carried;
}

int podsnap_seal(struct podsnap *s)
{
	void *p;

	if (!s)
		return -EINVAL;
	if (s->sealed)
		return 0;
	/* give back what doubling left over (a failed shrink is harmless) */
	if (s->npods && s->npods < s->podcap &&
	    (p = realloc(s->pods, s->npods * sizeof *s->pods))) {
		s->pods = p;
		s->podcap = s->npods;
	}
	if (s->nctrs && s->nctrs < s->ctrcap &&
	    (p = realloc(s->ctrs, s->nctrs * sizeof *s->ctrs))) {
		s->ctrs = p;
		s->ctrcap = s->nctrs;
	}
	s->sealed = 1;
	return 0;
}

/* ---- lookups ---- */

const struct podsnap_pod *podsnap_pod_by_uid(const struct podsnap *s,
					     const char *uid)
{
	char u[POD_UID_MAX + 1];
	long i;

	if (!s || norm_uid(uid, u) < 0 ||
	    (i = index_find(s, &s->by_uid, u)) < 0)
		return NULL;
	return &s->pods[i];
}

int podsnap_container(const struct podsnap *s, const char *id,
		      const struct podsnap_container **ret)
{
	char nid[CONTAINER_ID_LEN + 1];
	long i;

	if (!s || norm_id(id, nid) < 0 ||
	    (i = index_find(s, &s->by_id, nid)) < 0)
		return 0;
	if (s->ctrs[i].ambiguous)
		return -EEXIST;
	*ret = &s->ctrs[i];
	return 1;
}

const struct podsnap_pod *podsnap_pod(const struct podsnap *s, uint32_t idx)
{
	return s && idx < s->npods ? &s->pods[idx] : NULL;
}

const struct podsnap_container *podsnap_container_at(const struct podsnap *s,
						     uint32_t idx)
{
	return s && idx < s->nctrs ? &s->ctrs[idx] : NULL;
}

size_t podsnap_npods(const struct podsnap *s)
{
	return s ? s->npods : 0;
}

size_t podsnap_ncontainers(const struct podsnap *s)
{
	return s ? s->nctrs : 0;
}

size_t podsnap_bytes(const struct podsnap *s)
{
	size_t n;

	if (!s)
		return 0;
	n = sizeof *s + (size_t)s->podcap * sizeof *s->pods +
	    (size_t)s->ctrcap * sizeof *s->ctrs + s->arena_bytes;
	for (const struct block *b = s->arena; b; b = b->next)
		n += sizeof *b;
	if (s->by_uid.slot)
		n += ((size_t)s->by_uid.mask + 1) * sizeof(uint32_t);
	if (s->by_id.slot)
		n += ((size_t)s->by_id.mask + 1) * sizeof(uint32_t);
	return n;
}
