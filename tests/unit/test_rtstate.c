/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rtstate.c - runtime state files of each runtime, good and hostile
 * (fixtures in tests/data/rtstate, named for what they show), and the
 * lookup through directory layouts built by the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "podmeta/rtstate.h"

#define FIX "tests/data/rtstate/"
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

struct row {
	const char *file;
	int kind;
	int want;
	const char *ns, *pod, *uid, *container, *image;
	int sandbox;
};

static const struct row rows[] = {
	{ "containerd-container.json", RTSTATE_CONTAINERD, 1, "shop", "web-7d9f8c6b5-x2x4q",
	  "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "app", "registry.example/team/web:1.4.2", 0 },
	{ "containerd-sandbox.json", RTSTATE_CONTAINERD, 1, "shop", "web-7d9f8c6b5-x2x4q",
	  "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "", "", 1 },
	{ "containerd-no-cri.json", RTSTATE_CONTAINERD, 0, "", "", "", "", "", 0 },
	{ "crio-container.json", RTSTATE_CRIO, 1, "edge", "front-0",
	  "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e", "nginx", "docker.io/library/nginx:1.25", 0 },
	{ "crio-sandbox.json", RTSTATE_CRIO, 1, "edge", "front-0",
	  "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e", "", "registry.k8s.io/pause:3.9", 1 },
	{ "docker-container.json", RTSTATE_DOCKER, 1, "backend", "api-6c7",
	  "11112222-3333-4444-5555-666677778888", "api", "example/api:2.0", 0 },
	{ "docker-sandbox.json", RTSTATE_DOCKER, 1, "backend", "api-6c7",
	  "11112222-3333-4444-5555-666677778888", "", "registry.k8s.io/pause:3.9", 1 },
	{ "docker-plain.json", RTSTATE_DOCKER, 0, "", "", "", "", "", 0 },
	{ "malformed-truncated.json", RTSTATE_CONTAINERD, -EINVAL, "", "", "", "", "", 0 },
	{ "malformed-array.json", RTSTATE_CONTAINERD, -EINVAL, "", "", "", "", "", 0 },
	{ "malformed-annotations-array.json", RTSTATE_CONTAINERD, 0, "", "", "", "", "", 0 },
	{ "malformed-wrong-types.json", RTSTATE_CONTAINERD, 0, "", "", "", "", "", 0 },
	{ "malformed-control-bytes.json", RTSTATE_CONTAINERD, 0, "", "", "", "", "", 0 },
	{ "malformed-trailing.json", RTSTATE_CONTAINERD, -EINVAL, "", "", "", "", "", 0 },
	{ "malformed-long-pod-name.json", RTSTATE_CONTAINERD, 0, "", "", "", "", "", 0 },
	{ "bad-uid.json", RTSTATE_CONTAINERD, 1, "shop", "web", "", "app", "", 0 },
	{ "containerd-container.json", 99, -EINVAL, "", "", "", "", "", 0 },
};

static void mkdirs(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	if (system(cmd) != 0)
		abort();
}

static void copy(const char *from, const char *to)
{
	char cmd[800];

	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	if (system(cmd) != 0)
		abort();
}

static void check_find(void)
{
	char root[] = "/tmp/p2p-rtstate-XXXXXX", a[256], b[256], c[256], p[512];
	const char *dirs[3];
	struct rtstate_meta m;

	if (!mkdtemp(root))
		return;
	snprintf(a, sizeof a, "%s/containerd", root);
	snprintf(b, sizeof b, "%s/crio", root);
	snprintf(c, sizeof c, "%s/docker", root);
	dirs[0] = a; dirs[1] = b; dirs[2] = c;

	CASE("find: nothing there") {
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 0);
	}
	CASE("find: containerd layout under its namespace only") {
		snprintf(p, sizeof p, "%s/moby/%s", a, ID);
		mkdirs(p);
		strcat(p, "/config.json");
		copy(FIX "containerd-container.json", p);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 0);
		snprintf(p, sizeof p, "%s/k8s.io/%s", a, ID);
		mkdirs(p);
		strcat(p, "/config.json");
		copy(FIX "containerd-container.json", p);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 1);
		CHECK_INT(m.kind, RTSTATE_CONTAINERD);
		CHECK_STR(m.pod, "web-7d9f8c6b5-x2x4q");
		unlink(p);
	}
	CASE("find: an unsafe namespace is never put in a path") {
		CHECK_INT(rtstate_find(dirs, 3, "../k8s.io", ID, &m), 0);
		CHECK_INT(rtstate_find(dirs, 3, "..", ID, &m), 0);
	}
	CASE("find: bad ids do not touch the file system") {
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", "../../etc", &m), 0);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID "0", &m), 0);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io",
				       "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", &m), 0);
	}
	CASE("find: CRI-O and Docker layouts") {
		snprintf(p, sizeof p, "%s/%s/userdata", b, ID);
		mkdirs(p);
		strcat(p, "/config.json");
		copy(FIX "crio-container.json", p);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 1);
		CHECK_INT(m.kind, RTSTATE_CRIO);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s", c, ID);
		mkdirs(p);
		strcat(p, "/config.v2.json");
		copy(FIX "docker-container.json", p);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 1);
		CHECK_INT(m.kind, RTSTATE_DOCKER);
		CHECK_STR(m.container, "api");
	}
	CASE("find: a symlinked state file is refused") {
		snprintf(p, sizeof p, "%s/k8s.io/%s/config.json", a, ID);
		if (symlink(FIX "containerd-container.json", p) != 0)
			CHECK(0);
		/* the docker file further on still answers */
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 1);
		CHECK_INT(m.kind, RTSTATE_DOCKER);
		CHECK_INT(rtstate_find(dirs, 1, "k8s.io", ID, &m), -ELOOP);
		unlink(p);
	}
	CASE("find: a FIFO where the file should be neither blocks nor answers") {
		snprintf(p, sizeof p, "%s/k8s.io/%s/config.json", a, ID);
		if (mkfifo(p, 0600) != 0)
			CHECK(0);
		alarm(5); /* a blocking open would hang here: SIGALRM fails it */
		CHECK_INT(rtstate_find(dirs, 1, "k8s.io", ID, &m), -EINVAL);
		alarm(0);
		unlink(p);
	}
	CASE("find: a directory where the file should be is unusable") {
		snprintf(p, sizeof p, "%s/k8s.io/%s/config.json", a, ID);
		mkdirs(p);
		CHECK(rtstate_find(dirs, 1, "k8s.io", ID, &m) < 0);
		rmdir(p);
	}
	CASE("find: an oversized file is an error, a later one still wins") {
		FILE *f;

		snprintf(p, sizeof p, "%s/k8s.io/%s/config.json", a, ID);
		f = fopen(p, "w");
		for (int i = 0; i < RTSTATE_FILE_MAX / 8 + 2; i++)
			fputs("        ", f);
		fclose(f);
		CHECK_INT(rtstate_find(dirs, 1, "k8s.io", ID, &m), -EFBIG);
		CHECK_INT(rtstate_find(dirs, 3, "k8s.io", ID, &m), 1);
	}
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			abort();
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *t = &rows[i];
		char name[160];

		snprintf(name, sizeof name, "parse %s as kind %d", t->file, t->kind);
		CASE(name) {
			char path[256];
			size_t len = 0;
			char *buf;
			struct rtstate_meta m;

			snprintf(path, sizeof path, FIX "%s", t->file);
			buf = slurp(path, &len);
			CHECK(buf != NULL);
			if (!buf)
				continue;
			CHECK_INT(rtstate_parse(t->kind, buf, len, &m), t->want);
			CHECK_STR(m.namespace_, t->ns);
			CHECK_STR(m.pod, t->pod);
			CHECK_STR(m.pod_uid, t->uid);
			CHECK_STR(m.container, t->container);
			CHECK_STR(m.image, t->image);
			CHECK_INT(m.sandbox, t->sandbox);
			free(buf);
		}
	}
	CASE("parse: nesting 10000 deep is refused, not recursed into") {
		size_t n = 10000;
		char *b = malloc(2 * n + 1);
		struct rtstate_meta m;

		memset(b, '[', n);
		memset(b + n, ']', n);
		CHECK_INT(rtstate_parse(RTSTATE_CONTAINERD, b, 2 * n, &m), -EINVAL);
		free(b);
	}
	CASE("parse: over the size cap") {
		struct rtstate_meta m;

		CHECK_INT(rtstate_parse(RTSTATE_CONTAINERD, "{}", RTSTATE_FILE_MAX + 1, &m),
			  -EFBIG);
	}
	CASE("parse: empty input") {
		struct rtstate_meta m;

		CHECK_INT(rtstate_parse(RTSTATE_CRIO, "", 0, &m), -EINVAL);
	}
	check_find();
	return check_done();
}
