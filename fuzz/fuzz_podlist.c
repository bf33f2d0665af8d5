/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_podlist.c - the streaming PodList parser on any bytes, fed whole and
 * split at two points taken from the data: both must give the same answer
 * (result, error text, counters, every pod and container).  A finished
 * snapshot must hold only valid UIDs and ids, in-range pod indexes, strings
 * without control bytes within PODSNAP_STR_MAX, and every id must look up
 * to itself (or -EEXIST when ambiguous); a pod's workload comes with its
 * kind and an owner and is the start of the owner's name.  When json-c's
 * whole-tree parser reads the same input, every containerID in the status
 * lists of the first item with each valid UID must resolve to that pod or
 * be ambiguous.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BYTES (1 << 20)
#define TREE_DEPTH (PODLIST_OUTER_DEPTH + PODLIST_DEPTH)

static const char *const labels[] = { "app", "tier", "k8s-app" };
static const char *const lists[] = {
	"containerStatuses", "initContainerStatuses",
	"ephemeralContainerStatuses",
};

static void check_str(const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strnlen(s, PODSNAP_STR_MAX + 1);
	if (n > PODSNAP_STR_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static int hex_lower(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") >= n;
}

static int uid_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 32)
		return hex_lower(u, 32);
	return n == 36 && u[8] == '-' && u[13] == '-' && u[18] == '-' &&
	       u[23] == '-' && hex_lower(u, 8) && hex_lower(u + 9, 4) &&
	       hex_lower(u + 14, 4) && hex_lower(u + 19, 4) &&
	       hex_lower(u + 24, 12);
}

static void check_pod(const struct podsnap *s, const struct podsnap_pod *p)
{
	if (!p || !p->uid || !uid_ok(p->uid) ||
	    podsnap_pod_by_uid(s, p->uid) != p || p->nlabels > 3 ||
	    p->deleted_ms)
		abort();
	check_str(p->namespace_);
	check_str(p->name);
	check_str(p->owner);
	check_str(p->workload);
	check_str(p->workload_kind);
	check_str(p->sa);
	/* a workload only with its kind and an owner, and its name is the
	 * start of the owner's ("ReplicaSet/web-5d8f" -> "web") */
	if (!p->workload != !p->workload_kind || (p->workload && !p->owner))
		abort();
	if (p->workload) {
		/* a kind may hold a '/' itself: any '/' may be the one */
		const char *slash = p->owner;
		size_t wl = strlen(p->workload);

		while ((slash = strchr(slash, '/')) &&
		       strncmp(slash + 1, p->workload, wl) != 0)
			slash++;
		if (!slash)
			abort();
	}
	for (unsigned l = 0; l < p->nlabels; l++) {
		if (!p->label_keys[l] || !p->label_vals[l])
			abort();
		check_str(p->label_vals[l]);
	}
}

static void check_snap(const struct podsnap *s, const struct podlist_stats *st)
{
	size_t np = podsnap_npods(s), nc = podsnap_ncontainers(s);

	if (st->pods != np || st->containers != nc ||
	    st->items != st->pods + st->skipped || st->ambiguous > nc)
		abort();
	for (uint32_t i = 0; i < np; i++)
		check_pod(s, podsnap_pod(s, i));
	for (uint32_t i = 0; i < nc; i++) {
		const struct podsnap_container *c = podsnap_container_at(s, i);
		const struct podsnap_container *got = NULL;
		int r;

		if (!c || strlen(c->id) != 64 || !hex_lower(c->id, 64) ||
		    c->pod >= np)
			abort();
		check_str(c->name);
		check_str(c->image);
		r = podsnap_container(s, c->id, &got);
		if (c->ambiguous ? r != -EEXIST : (r != 1 || got != c))
			abort();
	}
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* Everything one parse gave, as text. */
static char *digest(int r, const struct podlist *pl, const struct podsnap *s)
{
	const struct podlist_stats *st = podlist_stats(pl);
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		abort();
	fprintf(f, "%d %s %llu %llu %llu %llu %llu\n", r, podlist_error(pl),
		(unsigned long long)st->items, (unsigned long long)st->pods,
		(unsigned long long)st->containers,
		(unsigned long long)st->skipped,
		(unsigned long long)st->ambiguous);
	for (uint32_t i = 0; s && i < podsnap_npods(s); i++) {
		const struct podsnap_pod *p = podsnap_pod(s, i);

		fprintf(f, "%s|%s|%s|%s|%s|%s|%s|%u\n", p->uid,
			or_dash(p->namespace_), or_dash(p->name),
			or_dash(p->owner), or_dash(p->workload),
			or_dash(p->workload_kind), or_dash(p->sa), p->nlabels);
	}
	for (uint32_t i = 0; s && i < podsnap_ncontainers(s); i++) {
		const struct podsnap_container *c = podsnap_container_at(s, i);

		fprintf(f, "%s %u %d %s|%s\n", c->id, c->pod, c->ambiguous,
			or_dash(c->name), or_dash(c->image));
	}
	fclose(f);
	return out;
}

static int parse(const uint8_t *data, size_t size, size_t a, size_t b,
		 struct podlist **ret_pl, struct podsnap **ret_s)
{
	struct podlist_opts o = { .labels = labels, .nlabels = 3,
				  .max_bytes = MAX_BYTES };
	struct podlist *pl = podlist_new(&o);
	const size_t cut[] = { 0, a, b, size };
	int r = 0;

	if (!pl)
		abort();
	for (int i = 0; i < 3 && r == 0; i++)
		r = podlist_feed(pl, (const char *)data + cut[i],
				 cut[i + 1] - cut[i]);
	*ret_s = NULL;
	if (r == 0)
		r = podlist_finish(pl, ret_s);
	if (r != 0 && r != -EINVAL && r != -EFBIG && r != -ENOMEM)
		abort();
	if ((r == 0) != (podlist_error(pl)[0] == '\0') ||
	    (r == 0) != (*ret_s != NULL))
		abort();
	if (*ret_s && podsnap_seal(*ret_s) != 0)
		abort();
	*ret_pl = pl;
	return r;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	return json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A string without a NUL inside, or NULL. */
static const char *plain_str(json_object *v)
{
	const char *s = json_object_get_string(v);

	if (!json_object_is_type(v, json_type_string) ||
	    strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

/* "<scheme>://" (lowercase letters and '-', at most 32) + 64 hex digits. */
static int well_formed(const char *id)
{
	const char *sep = strstr(id, "://"), *hex = sep ? sep + 3 : id;
	size_t scheme = sep ? (size_t)(sep - id) : 0;

	if (sep && (!scheme || scheme > 32 ||
		    strspn(id, "abcdefghijklmnopqrstuvwxyz-") != scheme))
		return 0;
	return strlen(hex) == 64 &&
	       strspn(hex, "0123456789abcdefABCDEF") == 64;
}

/* The ids of one container status of pod p. */
static void check_status(const struct podsnap *s, const struct podsnap_pod *p,
			 json_object *cs)
{
	json_object *term = get(get(cs, "lastState"), "terminated");
	const char *ids[2] = { plain_str(get(cs, "containerID")),
			       plain_str(get(term, "containerID")) };

	for (int j = 0; j < 2; j++) {
		const struct podsnap_container *c = NULL;
		int r;

		if (!ids[j])
			continue;
		r = podsnap_container(s, ids[j], &c);
		if (r == 1 && podsnap_pod(s, c->pod) != p)
			abort(); /* in another pod too: should be ambiguous */
		if (r == 0 && well_formed(ids[j]))
			abort(); /* a good id, not indexed */
	}
}

/* json-c's whole tree: the first item of each valid UID, its ids. */
static void check_tree(const uint8_t *data, size_t size,
		       const struct podsnap *s)
{
	struct json_tokener *tok = json_tokener_new_ex(TREE_DEPTH);
	json_object *root, *items;
	char (*seen)[37];
	size_t n, nseen = 0;

	if (!tok)
		abort();
	root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	items = get(root, "items");
	n = json_object_is_type(items, json_type_array)
		? json_object_array_length(items) : 0;
	seen = calloc(n + 1, sizeof *seen);
	if (!seen)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		const char *u = plain_str(get(get(it, "metadata"), "uid"));
		const struct podsnap_pod *p;
		char uid[37];
		size_t k;

		if (!u || strlen(u) > 36)
			continue;
		for (k = 0; u[k]; k++)
			uid[k] = (char)(u[k] >= 'A' && u[k] <= 'F' ? u[k] + 32 : u[k]);
		uid[k] = '\0';
		for (k = 0; k < nseen && strcmp(seen[k], uid); k++)
			;
		if (!uid_ok(uid) || k < nseen)
			continue; /* not a UID, or not its first item */
		memcpy(seen[nseen++], uid, sizeof uid);
		if (!(p = podsnap_pod_by_uid(s, uid)))
			abort();
		for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
			json_object *a = get(get(it, "status"), lists[l]);
			size_t m = json_object_is_type(a, json_type_array)
				? json_object_array_length(a) : 0;

			for (size_t j = 0; j < m; j++)
				check_status(s, p, json_object_array_get_idx(a, j));
		}
	}
	free(seen);
	json_object_put(root);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t a = size ? (data[size - 1] * 131u + data[0]) % (size + 1) : 0;
	size_t b = size ? a + (data[size / 2] * 7u) % (size - a + 1) : 0;
	struct podlist *pl1, *pl2;
	struct podsnap *s1, *s2;
	int r1 = parse(data, size, size, size, &pl1, &s1);
	int r2 = parse(data, size, a, b, &pl2, &s2);
	char *d1 = digest(r1, pl1, s1), *d2 = digest(r2, pl2, s2);

	if (r1 != r2 || strcmp(d1, d2) != 0)
		abort();
	if (s1) {
		check_snap(s1, podlist_stats(pl1));
		check_tree(data, size, s1);
	}
	free(d1);
	free(d2);
	podsnap_unref(s1);
	podsnap_unref(s2);
	podlist_free(pl1);
	podlist_free(pl2);
	return 0;
}
