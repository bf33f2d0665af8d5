/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cgroup_vectors.c - run the cgroup parser over the shared catalogue of
 * real cgroup files (cgroup-vectors/vectors.jsonl beside the repository).
 *
 * The catalogue is read in place, never copied here: one JSON object per
 * line with "id", "cgroup" (the file's content), the expected
 * "container_id" and "pod_uid" (null: none), "runtime" and "notes".  Each
 * vector is one case named by its id.  The container id and pod UID must
 * match exactly; the verdict must follow from them: an id means
 * CGROUP_CONTAINER, a pod UID alone CGROUP_POD_ONLY, neither means a host
 * process unless the notes call the file ambiguous, conflicting or say to
 * fail closed.  The catalogue's runtime is compared too, but a mismatch is
 * only reported as a "#" note: several vectors name the runtime from
 * knowledge outside the file (the kind node runs containerd, the cluster
 * used docker), which a parser of the file alone cannot have.
 *
 * The file is "$P2P_SHARED/cgroup-vectors/vectors.jsonl", or
 * "../shared/cgroup-vectors/vectors.jsonl" from the repository root; when
 * it is absent the test says skip and passes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr */
#endif
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "resolve/cgroup.h"
#include "check.h"

#define VECTORS_REL "cgroup-vectors/vectors.jsonl"
#define VECTORS_DEFAULT "../shared/" VECTORS_REL
#define SHARED_ENV "P2P_SHARED"
#define PATH_MAX_LEN 4096
#define NAME_MAX_LEN 200

static const char *const fail_closed_words[] = {
	"ambiguous", "conflict", "fail closed",
};

static const char *const runtime_names[] = {
	[RUNTIME_UNKNOWN] = "unknown",
	[RUNTIME_CONTAINERD] = "containerd",
	[RUNTIME_CRIO] = "crio",
	[RUNTIME_DOCKER] = "docker",
	[RUNTIME_PODMAN] = "podman",
};

/* A string member, or "" when it is missing or null. */
static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* Case names must outlive their iteration: two alternating slots. */
static const char *case_name(const char *name)
{
	static char slots[2][NAME_MAX_LEN];
	static int next;
	char *p = slots[next];

	next ^= 1;
	snprintf(p, sizeof(slots[0]), "%s", name);
	return p;
}

/* Expected verdict when neither an id nor a pod UID is expected. */
static enum cgroup_verdict nothing_verdict(const char *notes)
{
	for (size_t i = 0; i < sizeof(fail_closed_words) /
			       sizeof(fail_closed_words[0]); i++)
		if (strcasestr(notes, fail_closed_words[i]))
			return CGROUP_AMBIGUOUS;
	return CGROUP_HOST;
}

/* Report (without failing) a runtime the catalogue names differently. */
static void note_runtime(const char *id, enum ident_runtime got,
			 const char *want)
{
	const char *name = "?";

	if ((size_t)got < sizeof(runtime_names) / sizeof(runtime_names[0]))
		name = runtime_names[got];
	if (strcmp(name, want) != 0)
		printf("#   %s: runtime %s, catalogue says %s\n", id, name,
		       want);
}

static void run_vector(struct json_object *vec, unsigned lineno)
{
	char fallback[NAME_MAX_LEN];
	struct json_object *cg;
	const char *id = member_str(vec, "id");
	const char *want_id = member_str(vec, "container_id");
	const char *want_pod = member_str(vec, "pod_uid");
	const char *want_rt = member_str(vec, "runtime");
	enum cgroup_verdict want, got = CGROUP_EMPTY;
	struct cgroup_result res;
	bool have_cgroup;

	if (!*id) {
		snprintf(fallback, sizeof(fallback), "vector on line %u",
			 lineno);
		id = fallback;
	}
	if (*want_id)
		want = CGROUP_CONTAINER;
	else if (*want_pod)
		want = CGROUP_POD_ONLY;
	else
		want = nothing_verdict(member_str(vec, "notes"));

	memset(&res, 0, sizeof(res));
	have_cgroup = json_object_object_get_ex(vec, "cgroup", &cg) &&
		      json_object_is_type(cg, json_type_string);
	if (have_cgroup) {
		/* Exact-size copy: json-c's string is NUL-terminated. */
		size_t len = (size_t)json_object_get_string_len(cg);
		char *copy = malloc(len ? len : 1);

		if (!copy)
			abort();
		memcpy(copy, json_object_get_string(cg), len);
		got = cgroup_parse(copy, len, &res);
		free(copy);
	}
	CASE(case_name(id)) {
		CHECK(have_cgroup);
		CHECK_STR(res.container_id, want_id);
		CHECK_STR(res.pod_uid, want_pod);
		CHECK_INT(got, want); /* the values: names could all be equal */
		CHECK_STR(cgroup_verdict_name(got), cgroup_verdict_name(want));
	}
	if (*want_id && *want_rt)
		note_runtime(id, res.runtime, want_rt);
}

int main(void)
{
	char path[PATH_MAX_LEN];
	const char *shared = getenv(SHARED_ENV);
	unsigned lineno = 0, vectors = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (shared && *shared)
		snprintf(path, sizeof(path), "%s/%s", shared, VECTORS_REL);
	else
		snprintf(path, sizeof(path), "%s", VECTORS_DEFAULT);
	f = fopen(path, "r");
	if (!f) {
		char why[PATH_MAX_LEN + 32];

		snprintf(why, sizeof(why), "%s not present", path);
		check_skip("cgroup vectors", why);
		return check_done();
	}
	while (getline(&line, &cap, f) != -1) {
		struct json_object *vec;

		lineno++;
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		vec = json_tokener_parse(line);
		if (!vec || !json_object_is_type(vec, json_type_object)) {
			CASE(case_name("vectors.jsonl line is JSON"))
				check_fail(__FILE__, __LINE__, "bad JSON");
			json_object_put(vec);
			continue;
		}
		run_vector(vec, lineno);
		vectors++;
		json_object_put(vec);
	}
	free(line);
	fclose(f);
	CASE("cgroup vectors: catalogue not empty") CHECK(vectors > 0);
	printf("# %u vectors from %s\n", vectors, path);
	return check_done();
}
