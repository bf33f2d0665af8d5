/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_podlist.c - the streaming PodList parser over the fixtures in
 * tests/data/podlist (named for what they show), each fed whole, one byte
 * at a time and in 7-byte chunks: the three results (return, error text,
 * counters and every pod and container stored) must be identical, and the
 * looked-up values exact.  Then lists built here: 5,000 pods (~5 MB, and
 * ~50 MB with big annotations; the parse time is printed, not asserted),
 * an item over PODLIST_ITEM_MAX, the max_bytes cap, the API's edges.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"

#define FIX "tests/data/podlist/"
#define ID(x) x x x x x x x x /* 8 hex digits, 8 times */
#define UID(h) "0a0000" h "-0000-4000-8000-0000000000" h
#define CHUNK_ODD 7
#define CHUNK_CURL (16 * 1024) /* what libcurl hands a write callback */
#define BIG_PODS 5000
#define BIG_PAD 9500           /* annotation bytes per pod: ~50 MB in all */
#define SMALL_PAD 250          /* ~5 MB in all */

static const char *const labels[] = { "app", "tier", "app.kubernetes.io/name",
				      "absent-label" };

struct ctr_want {
	const char *id;  /* looked up as given */
	int found;       /* podsnap_container's answer */
	const char *uid, *name, *image;
};

struct pod_want {
	const char *uid;
	int found;
	const char *ns, *name, *owner, *sa;
	const char *labels; /* "k=v;k=v" in the configured order */
};

struct fixture {
	const char *file;
	int want;            /* the result of feeding and finishing */
	const char *why;     /* part of podlist_error(), NULL when it worked */
	int items, pods, containers, skipped, ambiguous;
	const struct ctr_want *ctrs;  /* ended by a NULL id */
	const struct pod_want *podw;  /* ended by a NULL uid */
	void (*extra)(const struct podsnap *s);
};

static void long_strings(const struct podsnap *s);

#define NONE { { NULL, 0, NULL, NULL, NULL } }
#define NOPODS { { NULL, 0, NULL, NULL, NULL, NULL, NULL } }
#define BAD(f, w) { f, -EINVAL, w, -1, -1, -1, -1, -1, \
		    (const struct ctr_want[])NONE, (const struct pod_want[])NOPODS, NULL }

static const struct fixture fixtures[] = {
	{ "main-init-ephemeral.json", 0, NULL, 1, 1, 4, 0, 0, (const struct ctr_want[]){
		{ ID("a1a1a1a1"), 1, UID("01"), "app", "registry.example/web:1.4.2" },
		{ ID("a2a2a2a2"), 1, UID("01"), "sidecar", "docker.io/envoyproxy/envoy:v1.29" },
		{ ID("a3a3a3a3"), 1, UID("01"), "init-db", "busybox:1.36" },   /* "" -> spec */
		{ ID("a4a4a4a4"), 1, UID("01"), "debugger", "busybox:debug" }, /* none -> spec */
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("01"), 1, "shop", "web-7d9f8c6b5-x2x4q", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "restarted-laststate.json", 0, NULL, 1, 1, 3, 0, 0, (const struct ctr_want[]){
		{ ID("b1b1b1b1"), 1, UID("02"), "worker", "example/worker:2" },
		{ ID("b2b2b2b2"), 1, UID("02"), "worker", "example/worker:2" },
		{ ID("b3b3b3b3"), 1, UID("02"), "logger", "example/logger:1" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("02"), 1, "batch", "worker-0", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "waiting-no-containerid.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("c1c1c1c1"), 1, UID("03"), "ready", "example/ready:1" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("03"), 1, "default", "pending-abc", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "items-null.json", 0, NULL, 0, 0, 0, 0, 0,
	  (const struct ctr_want[])NONE, (const struct pod_want[])NOPODS, NULL },
	{ "null-items.json", 0, NULL, 9, 1, 1, 8, 0, (const struct ctr_want[]){
		{ ID("d1d1d1d1"), 1, UID("04"), "c", "img:c" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("04"), 1, "a", "only", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "wrong-types.json", 0, NULL, 4, 2, 2, 2, 0, (const struct ctr_want[]){
		{ ID("e1e1e1e1"), 1, UID("05"), NULL, NULL },
		{ ID("e2e2e2e2"), 1, UID("05"), "ok2", "img:ok2" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("05"), 1, NULL, NULL, NULL, "fallback-sa", "" },
		{ UID("06"), 1, "x", "bad-spec", NULL, NULL, "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "missing-uid.json", 0, NULL, 6, 1, 1, 5, 0, (const struct ctr_want[]){
		{ ID("f2f2f2f2"), 1, UID("08"), "c", "i" },
		{ ID("f1f1f1f1"), 0, NULL, NULL, NULL },
		{ ID("f3f3f3f3"), 0, NULL, NULL, NULL },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("08"), 1, "a", "good", NULL, "default", "" },
		{ UID("07"), 0, NULL, NULL, NULL, NULL, NULL },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "duplicate-container-id.json", 0, NULL, 3, 3, 3, 0, 1, (const struct ctr_want[]){
		{ ID("01010101"), -EEXIST, NULL, NULL, NULL },
		{ ID("02020202"), 1, UID("09"), "y", "i:y" },
		{ ID("03030303"), 1, UID("0a"), "z", "i:z" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("0b"), 1, "ns", "three", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "duplicate-pod-uid.json", 0, NULL, 3, 1, 1, 2, 0, (const struct ctr_want[]){
		{ ID("04040404"), 1, UID("0c"), "c", "i:1" },
		{ ID("05050505"), 0, NULL, NULL, NULL },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("0c"), 1, "ns", "first", NULL, "default", "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "static-pod.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("06060606"), 1, "2d7e1b3e4a5f60718293a4b5c6d7e8f9", "kube-apiserver",
		  "registry.k8s.io/kube-apiserver:v1.30.1" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ "2d7e1b3e4a5f60718293a4b5c6d7e8f9", 1, "kube-system", "kube-apiserver-node1",
		  "Node/node1", NULL, "tier=control-plane" },
		{ "2D7E1B3E4A5F60718293A4B5C6D7E8F9", 1, "kube-system", "kube-apiserver-node1",
		  "Node/node1", NULL, "tier=control-plane" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "crio-docker-prefixes.json", 0, NULL, 1, 1, 3, 0, 0, (const struct ctr_want[]){
		{ ID("07070707"), 1, UID("0d"), "crio", "i:crio" },
		{ ID("abcdef01"), 1, UID("0d"), "docker", "i:docker" },
		{ ID("09090909"), 1, UID("0d"), "containerd", "i:containerd" },
		{ ID("0b0b0b0b"), 0, NULL, NULL, NULL },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[])NOPODS, NULL },
	{ "labels-owner-sa.json", 0, NULL, 3, 3, 3, 0, 0, (const struct ctr_want[]){
		{ ID("0c0c0c0c"), 1, UID("0e"), "api", "i:api" },
		{ ID("0d0d0d0d"), 1, UID("0f"), "job", "i:job" },
		{ ID("0e0e0e0e"), 1, UID("10"), "db", "i:db" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("0e"), 1, "shop", "api-1", "ReplicaSet/api-6c7", "api-sa",
		  "app=api;tier=;app.kubernetes.io/name=api-server" },
		{ UID("0f"), 1, "batch", "job-1", NULL, "legacy-sa", "tier=batch" },
		{ UID("10"), 1, "db", "db-0", NULL, NULL, "tier=ok" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "decoy-nested-items.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("0f0f0f0f"), 1, UID("11"), "c", "i:real" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("11"), 1, "real", "pod", NULL, "default", "" },
		{ UID("aa"), 0, NULL, NULL, NULL, NULL, NULL },
		{ UID("ab"), 0, NULL, NULL, NULL, NULL, NULL },
		{ UID("ac"), 0, NULL, NULL, NULL, NULL, NULL },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "long-strings.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("1a1a1a1a"), 1, UID("12"), "c", "short:1" }, /* 2000 bytes -> spec */
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[])NOPODS, long_strings },
	{ "escaped-strings.json", 0, NULL, 1, 1, 3, 0, 0, (const struct ctr_want[]){
		{ ID("1b1b1b1b"), 1, UID("13"), "tab", "spec:tab" },
		{ ID("1c1c1c1c"), 1, UID("13"), NULL, "i:nul" },
		{ ID("1d1d1d1d"), 1, UID("13"), "caf\xc3\xa9", "i:caf\xc3\xa9" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("13"), 1, "esc", "we\"b\\1/x", NULL, "sa",
		  "app=\xf0\x9f\x98\x80;tier=caf\xc3\xa9" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "numbers-literals.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("1e1e1e1e"), 1, UID("14"), "c", "i" },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("14"), 1, "num", "n", NULL, NULL, "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	{ "deep-nesting-ok.json", 0, NULL, 1, 1, 1, 0, 0, (const struct ctr_want[]){
		{ ID("1f1f1f1f"), 1, UID("15"), "c", NULL },
		{ NULL, 0, NULL, NULL, NULL } }, (const struct pod_want[]){
		{ UID("15"), 1, NULL, "deep", NULL, NULL, "" },
		{ NULL, 0, NULL, NULL, NULL, NULL, NULL } }, NULL },
	BAD("truncated.json", "the body ended early"),
	BAD("not-object.json", "byte 0: the top level is not an object"),
	BAD("not-object-string.json", "byte 0: the top level is not an object"),
	BAD("no-items.json", "no \"items\" key"),
	BAD("items-not-array.json", "\"items\" is neither an array nor null"),
	BAD("duplicate-items-key.json", "a second \"items\" key"),
	BAD("garbage-after.json", "garbage after the top-level value"),
	BAD("garbage-after-literal.json", "garbage after the top-level value"),
	BAD("deep-nesting-item.json", "nested deeper than 64"),
	BAD("deep-nesting-outer.json", "nested deeper than 64"),
	BAD("mismatched-brackets.json", "']' does not match its bracket"),
	BAD("trailing-comma.json", "expected a key"),
	BAD("bad-number.json", "expected ','"),
	BAD("bad-literal.json", "bad literal"),
	BAD("control-byte-in-string.json", "control byte in a string"),
	BAD("bad-escape.json", "bad escape"),
	BAD("bad-unicode-escape.json", "bad \\u escape"),
	BAD("missing-colon.json", "expected ':' after a key"),
	BAD("whitespace-only.json", "the body is empty"),
};

static int same(const char *got, const char *want)
{
	return got == want || (got && want && strcmp(got, want) == 0);
}

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
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static const struct podlist_opts default_opts = {
	.labels = labels, .nlabels = 4, .max_bytes = 64 << 20,
};

/* Feed buf in chunks of chunk bytes (0: whole); *ret_s is the snapshot. */
static int parse(const char *buf, size_t len, size_t chunk,
		 const struct podlist_opts *o, struct podlist **ret_pl,
		 struct podsnap **ret_s)
{
	struct podlist *pl = podlist_new(o);
	int r = 0;

	*ret_pl = pl;
	*ret_s = NULL;
	if (!pl)
		return -ENOMEM;
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len && r == 0; off += chunk)
		r = podlist_feed(pl, buf + off, len - off < chunk ? len - off : chunk);
	if (r == 0)
		r = podlist_finish(pl, ret_s);
	if (*ret_s)
		podsnap_seal(*ret_s);
	return r;
}

static void put_str(FILE *f, const char *s)
{
	fputs(s ? s : "(null)", f);
	fputc('|', f);
}

/* Everything a parse produced, as text, to compare chunkings. */
static char *digest(int r, const struct podlist *pl, const struct podsnap *s)
{
	const struct podlist_stats *st = podlist_stats(pl);
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	/* bytes: all that was fed, so after an error it depends on the chunks */
	fprintf(f, "r=%d why=%s bytes=%llu items=%llu pods=%llu ctrs=%llu skipped=%llu amb=%llu\n",
		r, podlist_error(pl), r ? 0ull : (unsigned long long)st->bytes,
		(unsigned long long)st->items, (unsigned long long)st->pods,
		(unsigned long long)st->containers, (unsigned long long)st->skipped,
		(unsigned long long)st->ambiguous);
	for (uint32_t i = 0; s && i < podsnap_npods(s); i++) {
		const struct podsnap_pod *p = podsnap_pod(s, i);

		put_str(f, p->uid);
		put_str(f, p->namespace_);
		put_str(f, p->name);
		put_str(f, p->owner);
		put_str(f, p->sa);
		for (unsigned l = 0; l < p->nlabels; l++)
			fprintf(f, "%s=%s;", p->label_keys[l], p->label_vals[l]);
		fputc('\n', f);
	}
	for (uint32_t i = 0; s && i < podsnap_ncontainers(s); i++) {
		const struct podsnap_container *c = podsnap_container_at(s, i);

		fprintf(f, "%s %u %d ", c->id, c->pod, c->ambiguous);
		put_str(f, c->name);
		put_str(f, c->image);
		fputc('\n', f);
	}
	fclose(f);
	return out;
}

static void labels_of(const struct podsnap_pod *p, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned l = 0; l < p->nlabels && n < size; l++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", l ? ";" : "",
				      p->label_keys[l], p->label_vals[l]);
}

static void check_values(const struct fixture *t, const struct podsnap *s)
{
	for (const struct ctr_want *w = t->ctrs; w->id; w++) {
		const struct podsnap_container *c = NULL;
		const struct podsnap_pod *p;

		CHECK_INT(podsnap_container(s, w->id, &c), w->found);
		if (w->found != 1 || !c)
			continue;
		p = podsnap_pod(s, c->pod);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK_STR(p->uid, w->uid);
		CHECK(same(c->name, w->name));
		if (!same(c->name, w->name))
			printf("#   %s: name %s\n", w->id, c->name ? c->name : "(null)");
		CHECK(same(c->image, w->image));
		if (!same(c->image, w->image))
			printf("#   %s: image %s\n", w->id, c->image ? c->image : "(null)");
	}
	for (const struct pod_want *w = t->podw; w->uid; w++) {
		const struct podsnap_pod *p = podsnap_pod_by_uid(s, w->uid);
		char got[2048];

		CHECK_INT(p != NULL, w->found);
		if (!p)
			continue;
		CHECK(same(p->namespace_, w->ns));
		CHECK(same(p->name, w->name));
		CHECK(same(p->owner, w->owner));
		CHECK(same(p->sa, w->sa));
		CHECK_INT(p->deleted_ms, 0);
		labels_of(p, got, sizeof got);
		CHECK_STR(got, w->labels);
	}
}

static void long_strings(const struct podsnap *s)
{
	const struct podsnap_pod *p = podsnap_pod_by_uid(s, UID("12"));

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->namespace_ && strlen(p->namespace_) == PODSNAP_STR_MAX &&
	      strspn(p->namespace_, "n") == PODSNAP_STR_MAX);
	CHECK(p->name == NULL); /* 1024 bytes */
	CHECK_INT(p->nlabels, 1); /* app's 1024-byte value left out */
	CHECK(p->nlabels == 1 && same(p->label_keys[0], "tier") &&
	      strlen(p->label_vals[0]) == PODSNAP_STR_MAX);
}

static void run_fixture(const struct fixture *t)
{
	static const size_t chunks[] = { 0, 1, CHUNK_ODD };
	char path[256], name[200], *buf, *first = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, FIX "%s", t->file);
	buf = slurp(path, &len);
	snprintf(name, sizeof name, "podlist %s", t->file);
	CASE(name) {
		CHECK(buf != NULL);
		for (size_t k = 0; buf && k < sizeof chunks / sizeof chunks[0]; k++) {
			struct podlist *pl;
			struct podsnap *s;
			int r = parse(buf, len, chunks[k], &default_opts, &pl, &s);
			const struct podlist_stats *st = podlist_stats(pl);
			char *d = digest(r, pl, s);

			if (k == 0) {
				CHECK_INT(r, t->want);
				CHECK_INT(st->bytes, t->want == 0 ? len : st->bytes);
				if (t->why && !strstr(podlist_error(pl), t->why))
					CHECK_STR(podlist_error(pl), t->why);
				if (!t->why)
					CHECK_STR(podlist_error(pl), "");
				CHECK(t->want == 0 || s == NULL);
				if (t->items >= 0) {
					CHECK_INT(st->items, t->items);
					CHECK_INT(st->pods, t->pods);
					CHECK_INT(st->containers, t->containers);
					CHECK_INT(st->skipped, t->skipped);
					CHECK_INT(st->ambiguous, t->ambiguous);
					CHECK_INT(podsnap_npods(s), t->pods);
					CHECK_INT(podsnap_ncontainers(s), t->containers);
				}
				if (s) {
					check_values(t, s);
					if (t->extra)
						t->extra(s);
				}
				first = d;
			} else {
				if (strcmp(first, d) != 0) {
					printf("#   whole:\n%s#   chunks of %zu:\n%s", first,
					       chunks[k], d);
					CHECK(!"chunked parse differs from the whole");
				}
				free(d);
			}
			podsnap_unref(s);
			podlist_free(pl);
		}
	}
	free(first);
	free(buf);
}

/* ---- lists built here ---- */

struct gen {
	char *buf;
	size_t size;
	FILE *f;
};

static void gen_begin(struct gen *g)
{
	g->buf = NULL;
	g->f = open_memstream(&g->buf, &g->size);
	fputs("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":"
	      "{\"resourceVersion\":\"42\"},\"items\":[", g->f);
}

static void gen_pod(struct gen *g, unsigned i, size_t pad)
{
	FILE *f = g->f;

	fprintf(f, "%s{\"metadata\":{\"name\":\"pod-%u\",\"namespace\":\"ns-%u\","
		"\"uid\":\"%08x-0000-4000-8000-%012x\",\"labels\":{\"app\":\"a%u\"},"
		"\"annotations\":{\"big\":\"", i ? "," : "", i, i % 50, i, i, i);
	for (size_t k = 0; k < pad; k += 64)
		fwrite("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		       1, pad - k < 64 ? pad - k : 64, f);
	fprintf(f, "\"},\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"rs-%u\","
		"\"controller\":true}]},\"spec\":{\"serviceAccountName\":\"sa\","
		"\"containers\":[{\"name\":\"app\",\"image\":\"img/app:%u\"},"
		"{\"name\":\"side\",\"image\":\"img/side:1\"}]},\"status\":{\"phase\":"
		"\"Running\",\"containerStatuses\":["
		"{\"name\":\"app\",\"containerID\":\"containerd://%08x%056x\","
		"\"lastState\":{\"terminated\":{\"containerID\":\"containerd://%08x%056x\"}}},"
		"{\"name\":\"side\",\"image\":\"img/side:1\",\"containerID\":\"cri-o://%08x%056x\"}]}}",
		i, i, i, 1u, i, 2u, i, 3u);
}

static void gen_end(struct gen *g)
{
	fputs("]}\n", g->f);
	fclose(g->f);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void check_big(size_t pad, const char *what)
{
	char name[160];
	struct gen g;

	gen_begin(&g);
	for (unsigned i = 0; i < BIG_PODS; i++)
		gen_pod(&g, i, pad);
	gen_end(&g);
	snprintf(name, sizeof name, "%u pods, %s (%.1f MB), in %d KiB chunks",
		 BIG_PODS, what, (double)g.size / 1e6, CHUNK_CURL / 1024);
	CASE(name) {
		struct podlist *pl;
		struct podsnap *s;
		struct timespec t0;
		struct mallinfo2 m0 = mallinfo2(), m1;
		const struct podlist_stats *st;
		int r, bad = 0;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = parse(g.buf, g.size, CHUNK_CURL, &default_opts, &pl, &s);
		ms = ms_since(&t0);
		m1 = mallinfo2();
		st = podlist_stats(pl);
		CHECK_INT(r, 0);
		CHECK_INT(st->items, BIG_PODS);
		CHECK_INT(st->pods, BIG_PODS);
		CHECK_INT(st->containers, 3 * BIG_PODS);
		CHECK_INT(st->skipped, 0);
		printf("# %s: %.0f ms (%.0f MB/s), snapshot %zu KiB, heap +%zu KiB\n",
		       name, ms, (double)g.size / 1e3 / ms, podsnap_bytes(s) / 1024,
		       m1.uordblks > m0.uordblks ? (m1.uordblks - m0.uordblks) / 1024 : 0);
		/* the heap holds the snapshot and about one item, not the list
		 * (mallinfo2 says 0 under ASan: nothing to compare then) */
		if (m0.uordblks && m1.uordblks > m0.uordblks)
			CHECK(m1.uordblks - m0.uordblks < podsnap_bytes(s) + (2u << 20));
		for (unsigned i = 0; s && i < BIG_PODS; i++) {
			char id[80], pod[32], image[32];

			snprintf(pod, sizeof pod, "pod-%u", i);
			snprintf(image, sizeof image, "img/app:%u", i); /* from the spec */
			for (unsigned k = 1; k <= 3; k++) {
				const struct podsnap_container *c = NULL;

				snprintf(id, sizeof id, "%08x%056x", i, k);
				if (podsnap_container(s, id, &c) != 1 ||
				    !same(podsnap_pod(s, c->pod)->name, pod) ||
				    !same(c->name, k == 3 ? "side" : "app") ||
				    !same(c->image, k == 3 ? "img/side:1" : image))
					bad++;
			}
		}
		CHECK_INT(bad, 0);
		podsnap_unref(s);
		podlist_free(pl);
	}
	free(g.buf);
}

/* Three pods, the middle one with an annotation of about `pad` bytes. */
static char *three_pods(size_t pad, size_t *len)
{
	struct gen g;

	gen_begin(&g);
	gen_pod(&g, 0, 10);
	gen_pod(&g, 1, pad);
	gen_pod(&g, 2, 10);
	gen_end(&g);
	*len = g.size;
	return g.buf;
}

static void check_item_cap(void)
{
	static const struct {
		const char *name;
		size_t pad;
		int pods, skipped;
	} rows[] = {
		{ "item over PODLIST_ITEM_MAX: skipped and counted", PODLIST_ITEM_MAX, 2, 1 },
		{ "item just under PODLIST_ITEM_MAX: parsed", PODLIST_ITEM_MAX - 2000, 3, 0 },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t len;
		char *buf = three_pods(rows[i].pad, &len);

		CASE(rows[i].name) {
			static const size_t chunks[] = { 0, CHUNK_CURL };

			for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
				struct podlist *pl;
				struct podsnap *s;
				const struct podsnap_container *c = NULL;
				int r = parse(buf, len, chunks[k], &default_opts, &pl, &s);

				CHECK_INT(r, 0);
				CHECK_INT(podlist_stats(pl)->items, 3);
				CHECK_INT(podlist_stats(pl)->pods, rows[i].pods);
				CHECK_INT(podlist_stats(pl)->skipped, rows[i].skipped);
				CHECK_INT(podsnap_container(s, "00000000000000000000000000000000"
							    "00000000000000000000000000000001", &c), 1);
				CHECK_INT(podsnap_container(s, "00000002000000000000000000000000"
							    "00000000000000000000000000000003", &c), 1);
				CHECK_INT(podsnap_container(s, "00000001000000000000000000000000"
							    "00000000000000000000000000000001", &c),
					  rows[i].pods == 3);
				podsnap_unref(s);
				podlist_free(pl);
			}
		}
		free(buf);
	}
}

/*
 * A list over max_bytes is cut there: the pods complete before the cut are
 * kept (counted as truncated), the one cut short is not; a cut before
 * "items" began leaves nothing.
 */
static void check_cut(void)
{
	static const size_t chunks[] = { 0, 1, CHUNK_ODD, CHUNK_CURL };
	struct podlist_opts o = default_opts;
	struct gen g;
	size_t six;

	gen_begin(&g);
	for (unsigned i = 0; i < 6; i++)
		gen_pod(&g, i, 1000);
	fflush(g.f);
	six = g.size; /* where pod 6 begins */
	for (unsigned i = 6; i < 10; i++)
		gen_pod(&g, i, 1000);
	gen_end(&g);
	CASE("max_bytes: a list over it keeps the 6 pods before the cut, whole or in chunks") {
		o.max_bytes = six + 500; /* inside pod 6 */
		for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
			const struct podsnap_container *c = NULL;
			struct podlist *pl;
			struct podsnap *s;

			CHECK_INT(parse(g.buf, g.size, chunks[k], &o, &pl, &s), -EFBIG);
			CHECK_INT(podlist_stats(pl)->bytes, o.max_bytes);
			CHECK_INT(podlist_finish(pl, &s), 0);
			CHECK_INT(podlist_stats(pl)->truncated, 1);
			CHECK_INT(podlist_stats(pl)->pods, 6);
			CHECK_INT(s ? (long)podsnap_npods(s) : -1L, 6);
			CHECK_INT(s ? podsnap_container(s, "00000005000000000000000000000000"
						    "00000000000000000000000000000001", &c) : -1, 1);
			CHECK_INT(s ? podsnap_container(s, "00000006000000000000000000000000"
						    "00000000000000000000000000000001", &c) : -1, 0);
			podsnap_unref(s);
			podlist_free(pl);
		}
	}
	CASE("max_bytes: a list that fits is not truncated") {
		struct podlist *pl;
		struct podsnap *s;

		o.max_bytes = g.size;
		CHECK_INT(parse(g.buf, g.size, CHUNK_ODD, &o, &pl, &s), 0);
		CHECK_INT(podlist_stats(pl)->truncated, 0);
		CHECK_INT(s ? (long)podsnap_npods(s) : -1L, 10);
		podsnap_unref(s);
		podlist_free(pl);
	}
	CASE("max_bytes: cut before \"items\": -EFBIG, no list") {
		struct podlist *pl;
		struct podsnap *s;

		o.max_bytes = 20;
		CHECK_INT(parse(g.buf, g.size, 0, &o, &pl, &s), -EFBIG);
		CHECK_INT(podlist_finish(pl, &s), -EFBIG);
		CHECK(strstr(podlist_error(pl), "max_bytes") != NULL);
		podlist_free(pl);
	}
	free(g.buf);
}

static void check_max_bytes(void)
{
	size_t len = 0;
	char *buf = slurp(FIX "main-init-ephemeral.json", &len);
	struct podlist_opts o = default_opts;

	CASE("max_bytes: a body of exactly max_bytes is fine") {
		struct podlist *pl;
		struct podsnap *s;

		o.max_bytes = len;
		CHECK(buf != NULL);
		CHECK_INT(parse(buf, len, 0, &o, &pl, &s), 0);
		CHECK_INT(podsnap_npods(s), 1);
		podsnap_unref(s);
		podlist_free(pl);
		CHECK_INT(parse(buf, len, CHUNK_ODD, &o, &pl, &s), 0);
		podsnap_unref(s);
		podlist_free(pl);
	}
	CASE("max_bytes: one byte more is -EFBIG, whole or in chunks, and stays") {
		static const size_t chunks[] = { 0, 1, CHUNK_ODD };
		struct podsnap *s;

		o.max_bytes = len - 1;
		for (size_t k = 0; buf && k < sizeof chunks / sizeof chunks[0]; k++) {
			struct podlist *pl;

			CHECK_INT(parse(buf, len, chunks[k], &o, &pl, &s), -EFBIG);
			CHECK(s == NULL);
			CHECK(strstr(podlist_error(pl), "max_bytes") != NULL);
			CHECK_INT(podlist_feed(pl, "{", 1), -EFBIG);
			/* cut inside the list's closing: its one pod is kept */
			CHECK_INT(podlist_finish(pl, &s), 0);
			CHECK_INT(podlist_stats(pl)->truncated, 1);
			CHECK_INT(s ? (long)podsnap_npods(s) : -1L, 1);
			podsnap_unref(s);
			podlist_free(pl);
		}
	}
	check_cut();
	CASE("max_bytes 0: no cap") {
		struct podlist *pl;
		struct podsnap *s;

		o.max_bytes = 0;
		CHECK_INT(parse(buf, len, 0, &o, &pl, &s), 0);
		podsnap_unref(s);
		podlist_free(pl);
	}
	free(buf);
}

static void check_api(void)
{
	static const char ok[] = "{\"items\":[]}";

	CASE("api: NULL options, an empty list, finish twice, feed after the end") {
		struct podlist *pl = podlist_new(NULL);
		struct podsnap *s = NULL, *s2 = NULL;

		CHECK(pl != NULL);
		CHECK_INT(podlist_feed(pl, ok, 0), 0); /* nothing yet */
		CHECK_INT(podlist_feed(pl, ok, sizeof ok - 1), 0);
		CHECK_STR(podlist_error(pl), "");
		CHECK_INT(podlist_finish(pl, &s), 0);
		CHECK(s != NULL);
		CHECK_INT(podsnap_npods(s), 0);
		CHECK_INT(podlist_finish(pl, &s2), -EINVAL);
		CHECK(s2 == NULL);
		CHECK_INT(podlist_feed(pl, " ", 1), -EINVAL);
		podlist_free(pl); /* the snapshot is the caller's now */
		CHECK_INT(podsnap_seal(s), 0);
		podsnap_unref(s);
	}
	CASE("api: an error sticks, the snapshot is never handed out") {
		struct podlist *pl = podlist_new(&default_opts);
		struct podsnap *s = NULL;

		CHECK_INT(podlist_feed(pl, "{\"items\":[}", 11), -EINVAL);
		CHECK_STR(podlist_error(pl), "byte 10: expected a value, not '}'");
		podlist_free(pl);
		pl = podlist_new(&default_opts);
		CHECK_INT(podlist_feed(pl, "{\"items\":[1", 11), 0);
		CHECK_INT(podlist_feed(pl, "}", 1), -EINVAL);
		CHECK_STR(podlist_error(pl), "byte 11: '}' does not match its bracket");
		CHECK_INT(podlist_feed(pl, "]}", 2), -EINVAL);
		CHECK_INT(podlist_finish(pl, &s), -EINVAL);
		CHECK(s == NULL);
		CHECK_STR(podlist_error(pl), "byte 11: '}' does not match its bracket");
		podlist_free(pl);
		podlist_free(NULL);
	}
	CASE("api: too many label keys is refused") {
		const char *many[PODSNAP_LABELS_MAX + 1] = { 0 };
		struct podlist_opts o = { .labels = many, .nlabels = PODSNAP_LABELS_MAX + 1 };

		for (unsigned i = 0; i <= PODSNAP_LABELS_MAX; i++)
			many[i] = "k";
		errno = 0;
		CHECK(podlist_new(&o) == NULL);
		CHECK_INT(errno, EINVAL);
	}
	CASE("api: option strings are copied") {
		char key[8] = "app";
		const char *keys[] = { key };
		struct podlist_opts o = { .labels = keys, .nlabels = 1 };
		struct podlist *pl = podlist_new(&o);
		struct podsnap *s = NULL;
		static const char body[] = "{\"items\":[{\"metadata\":{\"uid\":\"" UID("01")
			"\",\"labels\":{\"app\":\"web\"}}}]}";

		strcpy(key, "xxx");
		CHECK_INT(podlist_feed(pl, body, sizeof body - 1), 0);
		CHECK_INT(podlist_finish(pl, &s), 0);
		podsnap_seal(s);
		CHECK(podsnap_pod(s, 0) && podsnap_pod(s, 0)->nlabels == 1);
		podsnap_unref(s);
		podlist_free(pl);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
		run_fixture(&fixtures[i]);
	check_big(SMALL_PAD, "small annotations");
	check_big(BIG_PAD, "big annotations");
	check_item_cap();
	check_max_bytes();
	check_api();
	return check_done();
}
