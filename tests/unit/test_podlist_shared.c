/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_podlist_shared.c - the PodList parser over real kubelet /pods
 * answers (the .json files of kubelet-pods/ beside the repository, read in
 * place, never copied here), checked against an independent walk of the same file with
 * json-c's whole-tree parser.
 *
 * For every pod with a UID, every containerID of its containerStatuses,
 * initContainerStatuses and ephemeralContainerStatuses, and every
 * lastState.terminated.containerID, must resolve to that pod's UID,
 * namespace and name and to the container's name; an id found in two pods
 * must be ambiguous instead.  The file is also fed in 7-byte chunks, which
 * must give the same counts.  Each file is one case; the counts are
 * printed.  The directory is "$P2P_SHARED/kubelet-pods", or
 * "../shared/kubelet-pods" from the repository root; when it is absent the
 * test says skip and passes.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"

#define PODS_REL "kubelet-pods"
#define PODS_DEFAULT "../shared/" PODS_REL
#define SHARED_ENV "P2P_SHARED"
#define PATH_MAX_LEN 4096
#define IDS_MAX 4096
#define CHUNK_ODD 7

static const char *const lists[] = {
	"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses",
};

/* What the walk expects for one container id. */
struct want {
	char id[65];
	char uid[37];
	const char *ns, *pod, *name; /* json-c's strings, "" when absent */
	int ambiguous;
};

struct walk {
	struct want ids[IDS_MAX];
	unsigned nids, pods, ambiguous;
	char uids[IDS_MAX][37];
};

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The walk's own reading of an id: "<scheme>://" then 64 hex digits. */
static int norm(const char *in, char out[65])
{
	const char *p = strstr(in, "://");
	size_t i;

	p = p ? p + 3 : in;
	if (strlen(p) != 64)
		return -1;
	for (i = 0; i < 64; i++) {
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return -1;
		out[i] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] + 32 : p[i]);
	}
	out[64] = '\0';
	return 0;
}

static int uid_ok(const char *u)
{
	size_t n = strlen(u);

	if (n != 36 && n != 32)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]) || !u[i])
			return 0;
	}
	return 1;
}

static void note_id(struct walk *w, const char *raw, const char *uid,
		    json_object *meta, const char *name)
{
	char id[65];
	unsigned i;

	if (norm(raw, id) < 0)
		return;
	for (i = 0; i < w->nids && strcmp(w->ids[i].id, id); i++)
		;
	if (i < w->nids) {
		if (strcmp(w->ids[i].uid, uid) && !w->ids[i].ambiguous) {
			w->ids[i].ambiguous = 1;
			w->ambiguous++;
		}
		return;
	}
	if (w->nids == IDS_MAX)
		abort();
	memcpy(w->ids[i].id, id, sizeof id);
	snprintf(w->ids[i].uid, sizeof w->ids[i].uid, "%s", uid);
	w->ids[i].ns = get_str(meta, "namespace");
	w->ids[i].pod = get_str(meta, "name");
	w->ids[i].name = name;
	w->ids[i].ambiguous = 0;
	w->nids++;
}

static void walk_items(struct walk *w, json_object *items)
{
	size_t n = json_object_is_type(items, json_type_array)
		? json_object_array_length(items) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object *meta = get(it, "metadata"), *status = get(it, "status");
		const char *uid = get_str(meta, "uid");
		unsigned u;

		if (!uid_ok(uid))
			continue;
		for (u = 0; u < w->pods && strcmp(w->uids[u], uid); u++)
			;
		if (u < w->pods || w->pods == IDS_MAX)
			continue; /* a UID twice: the first item counts */
		snprintf(w->uids[w->pods++], sizeof w->uids[0], "%s", uid);
		for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
			json_object *a = get(status, lists[l]);
			size_t m = json_object_is_type(a, json_type_array)
				? json_object_array_length(a) : 0;

			for (size_t k = 0; k < m; k++) {
				json_object *cs = json_object_array_get_idx(a, k);
				const char *name = get_str(cs, "name");

				note_id(w, get_str(cs, "containerID"), uid, meta, name);
				note_id(w, get_str(get(get(cs, "lastState"), "terminated"),
						   "containerID"), uid, meta, name);
			}
		}
	}
}

static int parse(const char *buf, size_t len, size_t chunk, struct podlist **ret_pl,
		 struct podsnap **ret_s)
{
	struct podlist_opts o = { .max_bytes = 64 << 20 };
	struct podlist *pl = podlist_new(&o);
	int r = 0;

	*ret_pl = pl;
	*ret_s = NULL;
	for (size_t off = 0; off < len && r == 0; off += chunk)
		r = podlist_feed(pl, buf + off, len - off < chunk ? len - off : chunk);
	if (r == 0 && (r = podlist_finish(pl, ret_s)) == 0)
		podsnap_seal(*ret_s);
	return r;
}

static int same(const char *got, const char *want)
{
	return *want ? got && strcmp(got, want) == 0 : got == NULL;
}

static void check_file(const char *dir, const char *file)
{
	static struct walk w;
	char path[PATH_MAX_LEN + 300], name[200];
	json_object *root;
	struct podlist *pl, *pl2;
	struct podsnap *s, *s2;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int r;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(name, sizeof name, "kubelet pods %.150s", file);
	f = fopen(path, "rb");
	if (f) {
		char tmp[65536];
		size_t n;

		while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
			if (len + n + 1 > cap && !(buf = realloc(buf, cap = 2 * (len + n + 1))))
				abort();
			memcpy(buf + len, tmp, n);
			len += n;
			buf[len] = '\0'; /* for json_tokener_parse; podlist gets len */
		}
		fclose(f);
	}
	memset(&w, 0, sizeof w);
	root = buf ? json_tokener_parse(buf) : NULL;
	walk_items(&w, get(root, "items"));
	r = parse(buf ? buf : "", len, len ? len : 1, &pl, &s);
	CASE(name) {
		unsigned resolved = 0;

		CHECK(buf != NULL && root != NULL);
		CHECK_INT(r, 0);
		if (r)
			printf("#   %s\n", podlist_error(pl));
		CHECK_INT(podsnap_npods(s), w.pods);
		CHECK_INT(podlist_stats(pl)->pods, w.pods);
		CHECK_INT(podsnap_ncontainers(s), w.nids);
		CHECK_INT(podlist_stats(pl)->ambiguous, w.ambiguous);
		for (unsigned i = 0; s && i < w.nids; i++) {
			const struct want *e = &w.ids[i];
			const struct podsnap_container *c = NULL;
			const struct podsnap_pod *p;
			int got = podsnap_container(s, e->id, &c);

			if (e->ambiguous) {
				CHECK_INT(got, -EEXIST);
				continue;
			}
			CHECK_INT(got, 1);
			if (got != 1)
				continue;
			p = podsnap_pod(s, c->pod);
			CHECK(p != NULL);
			if (!p)
				continue;
			CHECK_STR(p->uid, e->uid);
			CHECK(same(p->namespace_, e->ns));
			CHECK(same(p->name, e->pod));
			CHECK(same(c->name, e->name));
			CHECK(podsnap_pod_by_uid(s, e->uid) == p);
			resolved++;
		}
		CHECK_INT(parse(buf ? buf : "", len, CHUNK_ODD, &pl2, &s2), r);
		CHECK_INT(podsnap_npods(s2), podsnap_npods(s));
		CHECK_INT(podsnap_ncontainers(s2), podsnap_ncontainers(s));
		CHECK_INT(podlist_stats(pl2)->skipped, podlist_stats(pl)->skipped);
		podsnap_unref(s2);
		podlist_free(pl2);
		printf("# %s: %u pods, %u container ids, %u resolved, %u ambiguous, "
		       "%llu items skipped\n", file, w.pods, w.nids, resolved,
		       w.ambiguous, (unsigned long long)podlist_stats(pl)->skipped);
	}
	podsnap_unref(s);
	podlist_free(pl);
	json_object_put(root);
	free(buf);
}

static int is_json(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

int main(void)
{
	char dir[PATH_MAX_LEN];
	const char *shared = getenv(SHARED_ENV);
	struct dirent **names;
	int n;

	if (shared && *shared)
		snprintf(dir, sizeof dir, "%s/%s", shared, PODS_REL);
	else
		snprintf(dir, sizeof dir, "%s", PODS_DEFAULT);
	n = scandir(dir, &names, is_json, alphasort);
	if (n < 0) {
		char why[PATH_MAX_LEN + 32];

		snprintf(why, sizeof why, "%s not present", dir);
		check_skip("kubelet pod lists", why);
		return check_done();
	}
	for (int i = 0; i < n; i++) {
		check_file(dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	CASE("kubelet pod lists: directory not empty") CHECK(n > 0);
	printf("# %d files from %s\n", n, dir);
	return check_done();
}
