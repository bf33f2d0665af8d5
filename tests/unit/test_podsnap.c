/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_podsnap.c - the pod snapshot: adding and looking up pods and
 * container ids (case folding, runtime prefixes, bad ids and UIDs, strings
 * that cannot be stored), ambiguity, the caps, carrying deleted pods over
 * with their grace time, and the reference count across threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "podmeta/podsnap.h"

#define ID(x) x x x x x x x x /* 8 hex digits, 8 times */
#define UID_A "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define UID_B "0b9c8d7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e"
#define UID_C "11112222-3333-4444-5555-666677778888"
#define UID_STATIC "2d7e1b3e4a5f60718293a4b5c6d7e8f9"
#define REF_THREADS 4
#define REF_ROUNDS 100000

/* NULL-aware string equality for CHECKs. */
static int same(const char *got, const char *want)
{
	return got == want || (got && want && strcmp(got, want) == 0);
}

static struct podsnap *snap_with(const char *uid, int *ret_pod)
{
	struct podsnap *s = podsnap_new();
	struct podsnap_pod_in in = { .uid = uid, .namespace_ = "shop",
				     .name = "web-1" };

	*ret_pod = s ? podsnap_add_pod(s, &in) : -ENOMEM;
	return s;
}

/* ---- ids and UIDs, table-driven ---- */

struct id_row {
	const char *name;
	const char *in;   /* what is added */
	int add;          /* podsnap_add_container's answer */
	const char *look; /* what is looked up */
	int found;        /* podsnap_container's answer */
};

static const struct id_row id_rows[] = {
	{ "bare lowercase id", ID("0123abcd"), 0, ID("0123abcd"), 1 },
	{ "uppercase id is folded", ID("0123ABCD"), 0, ID("0123abcd"), 1 },
	{ "lookup folds too", ID("0123abcd"), 0, ID("0123ABCD"), 1 },
	{ "containerd:// prefix", "containerd://" ID("0123abcd"), 0, ID("0123abcd"), 1 },
	{ "cri-o:// prefix", "cri-o://" ID("0123abcd"), 0, ID("0123abcd"), 1 },
	{ "docker:// prefix, uppercase hex", "docker://" ID("ABCDEF01"), 0, ID("abcdef01"), 1 },
	{ "prefixed lookup", ID("0123abcd"), 0, "containerd://" ID("0123abcd"), 1 },
	{ "63 hex digits", "123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd", -EINVAL, ID("0123abcd"), 0 },
	{ "65 hex digits", ID("0123abcd") "0", -EINVAL, ID("0123abcd"), 0 },
	{ "non-hex digit", "0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcg", -EINVAL, ID("0123abcd"), 0 },
	{ "empty scheme", "://" ID("0123abcd"), -EINVAL, ID("0123abcd"), 0 },
	{ "one slash", "containerd:/" ID("0123abcd"), -EINVAL, ID("0123abcd"), 0 },
	{ "space in scheme", "con tainerd://" ID("0123abcd"), -EINVAL, ID("0123abcd"), 0 },
	{ "scheme only", "containerd://", -EINVAL, ID("0123abcd"), 0 },
	{ "empty", "", -EINVAL, ID("0123abcd"), 0 },
	{ "NULL", NULL, -EINVAL, ID("0123abcd"), 0 },
	{ "absent id", ID("0123abcd"), 0, ID("fedcba98"), 0 },
	{ "bad lookup", ID("0123abcd"), 0, "../../etc/passwd", 0 },
};

struct uid_row {
	const char *name;
	const char *in;
	int ok;
	const char *stored;
};

static const struct uid_row uid_rows[] = {
	{ "dashed UUID", UID_A, 1, UID_A },
	{ "uppercase UUID is folded", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", 1, UID_A },
	{ "static pod: 32 hex", UID_STATIC, 1, UID_STATIC },
	{ "static pod, uppercase", "2D7E1B3E4A5F60718293A4B5C6D7E8F9", 1, UID_STATIC },
	{ "35 characters", "3f2504e0-4f89-41d3-9a0c-0305e82c330", 0, NULL },
	{ "37 characters", UID_A "1", 0, NULL },
	{ "dash misplaced", "3f2504e04-f89-41d3-9a0c-0305e82c3301", 0, NULL },
	{ "systemd underscores", "3f2504e0_4f89_41d3_9a0c_0305e82c3301", 0, NULL },
	{ "non-hex", "3f2504e0-4f89-41d3-9a0c-0305e82c330g", 0, NULL },
	{ "31 hex", "2d7e1b3e4a5f60718293a4b5c6d7e8f", 0, NULL },
	{ "empty", "", 0, NULL },
	{ "NULL", NULL, 0, NULL },
};

static void check_ids(void)
{
	for (size_t i = 0; i < sizeof id_rows / sizeof id_rows[0]; i++) {
		const struct id_row *t = &id_rows[i];
		char name[160];

		snprintf(name, sizeof name, "container id: %s", t->name);
		CASE(name) {
			const struct podsnap_container *c = NULL;
			int pod;
			struct podsnap *s = snap_with(UID_A, &pod);

			CHECK_INT(pod, 0);
			CHECK_INT(podsnap_add_container(s, 0, t->in, "app", "img"), t->add);
			CHECK_INT(podsnap_seal(s), 0);
			CHECK_INT(podsnap_container(s, t->look, &c), t->found);
			if (t->found == 1 && c) {
				CHECK_INT(strlen(c->id), CONTAINER_ID_LEN);
				CHECK(strspn(c->id, "0123456789abcdef") == CONTAINER_ID_LEN);
				CHECK_INT(c->pod, 0);
				CHECK_STR(c->name, "app");
				CHECK_STR(c->image, "img");
				CHECK_INT(c->ambiguous, 0);
			}
			CHECK_INT(podsnap_ncontainers(s), t->add == 0 ? 1 : 0);
			podsnap_unref(s);
		}
	}
	for (size_t i = 0; i < sizeof uid_rows / sizeof uid_rows[0]; i++) {
		const struct uid_row *t = &uid_rows[i];
		char name[160];

		snprintf(name, sizeof name, "pod UID: %s", t->name);
		CASE(name) {
			int pod;
			struct podsnap *s = snap_with(t->in, &pod);
			const struct podsnap_pod *p;

			CHECK_INT(pod, t->ok ? 0 : -EINVAL);
			podsnap_seal(s);
			CHECK_INT(podsnap_npods(s), t->ok);
			if (t->ok) {
				p = podsnap_pod_by_uid(s, t->stored);
				CHECK(p != NULL);
				CHECK(p && same(p->uid, t->stored));
				CHECK(podsnap_pod_by_uid(s, t->in) == p);
				CHECK(podsnap_pod(s, 0) == p);
			}
			CHECK(podsnap_pod(s, 1) == NULL);
			podsnap_unref(s);
		}
	}
}

/* ---- strings ---- */

static void check_strings(void)
{
	static char s1023[PODSNAP_STR_MAX + 1], s1024[PODSNAP_STR_MAX + 2];

	memset(s1023, 'n', PODSNAP_STR_MAX);
	memset(s1024, 'n', PODSNAP_STR_MAX + 1);
	CASE("strings: control bytes, DEL and overlong are stored as NULL") {
		struct podsnap *s = podsnap_new();
		struct podsnap_pod_in in = {
			.uid = UID_A, .namespace_ = s1023, .name = s1024,
			.owner = "ReplicaSet/web\t1", .sa = "sa\x7f",
			.label_keys = { "app", "tier", "bad\nkey", "team", "empty" },
			.label_vals = { "web", "a\x01", "x", "core", "" },
			.nlabels = 5,
		};
		const struct podsnap_pod *p;
		const struct podsnap_container *c = NULL;

		CHECK_INT(podsnap_add_pod(s, &in), 0);
		CHECK_INT(podsnap_add_container(s, 0, ID("0123abcd"), "na\nme", s1023), 0);
		podsnap_seal(s);
		p = podsnap_pod(s, 0);
		CHECK(p && same(p->namespace_, s1023));
		CHECK(p && p->name == NULL);
		CHECK(p && p->owner == NULL);
		CHECK(p && p->sa == NULL);
		/* labels without a usable key or value are left out; order kept */
		CHECK_INT(p ? p->nlabels : 99, 3);
		if (p && p->nlabels == 3) {
			CHECK_STR(p->label_keys[0], "app");
			CHECK_STR(p->label_vals[0], "web");
			CHECK_STR(p->label_keys[1], "team");
			CHECK_STR(p->label_vals[1], "core");
			CHECK_STR(p->label_keys[2], "empty");
			CHECK_STR(p->label_vals[2], "");
		}
		CHECK_INT(podsnap_container(s, ID("0123abcd"), &c), 1);
		CHECK(c && c->name == NULL);
		CHECK(c && same(c->image, s1023));
		podsnap_unref(s);
	}
	CASE("strings: copied, not referenced; label keys shared between pods") {
		struct podsnap *s = podsnap_new();
		char ns[16] = "shop", key[16] = "app";
		struct podsnap_pod_in in = { .uid = UID_A, .namespace_ = ns,
					     .label_keys = { key }, .label_vals = { "a" },
					     .nlabels = 1 };
		const struct podsnap_pod *a, *b;

		CHECK_INT(podsnap_add_pod(s, &in), 0);
		in.uid = UID_B;
		CHECK_INT(podsnap_add_pod(s, &in), 1);
		strcpy(ns, "gone");
		strcpy(key, "gone");
		podsnap_seal(s);
		a = podsnap_pod(s, 0);
		b = podsnap_pod(s, 1);
		CHECK(a && same(a->namespace_, "shop"));
		CHECK(a && b && a->label_keys[0] == b->label_keys[0]);
		CHECK(a && same(a->label_keys[0], "app"));
		CHECK(a && a->name == NULL && a->deleted_ms == 0);
		podsnap_unref(s);
	}
	CASE("pods: a UID twice, bad pod index, too many labels, sealed") {
		int pod;
		struct podsnap *s = snap_with(UID_A, &pod);
		struct podsnap_pod_in in = { .uid = "3F2504E0-4F89-41D3-9A0C-0305E82C3301" };

		CHECK_INT(podsnap_add_pod(s, &in), -EEXIST);
		CHECK_INT(podsnap_add_container(s, 1, ID("0123abcd"), "a", "b"), -EINVAL);
		in.uid = UID_B;
		in.nlabels = PODSNAP_LABELS_MAX + 1;
		CHECK_INT(podsnap_add_pod(s, &in), -EINVAL);
		in.nlabels = 0;
		CHECK_INT(podsnap_seal(s), 0);
		CHECK_INT(podsnap_seal(s), 0);
		CHECK_INT(podsnap_add_pod(s, &in), -EINVAL);
		CHECK_INT(podsnap_add_container(s, 0, ID("0123abcd"), "a", "b"), -EINVAL);
		CHECK_INT(podsnap_npods(s), 1);
		CHECK(podsnap_bytes(s) > sizeof(struct podsnap_pod));
		podsnap_unref(s);
	}
	CASE("NULL snapshot: lookups answer nothing, unref is a no-op") {
		const struct podsnap_container *c = NULL;

		CHECK(podsnap_pod_by_uid(NULL, UID_A) == NULL);
		CHECK_INT(podsnap_container(NULL, ID("0123abcd"), &c), 0);
		CHECK(podsnap_pod(NULL, 0) == NULL);
		CHECK(podsnap_container_at(NULL, 0) == NULL);
		CHECK_INT(podsnap_npods(NULL) + podsnap_ncontainers(NULL), 0);
		CHECK(podsnap_ref(NULL) == NULL);
		podsnap_unref(NULL);
	}
}

/* ---- ambiguity ---- */

static void check_ambiguity(void)
{
	CASE("ambiguity: one id in two pods gives no answer") {
		struct podsnap *s = podsnap_new();
		struct podsnap_pod_in in = { .uid = UID_A };
		const struct podsnap_container *c = NULL;

		podsnap_add_pod(s, &in);
		in.uid = UID_B;
		podsnap_add_pod(s, &in);
		in.uid = UID_C;
		podsnap_add_pod(s, &in);
		CHECK_INT(podsnap_add_container(s, 0, ID("0123abcd"), "a", "i"), 0);
		CHECK_INT(podsnap_add_container(s, 0, ID("11111111"), "b", "i"), 0);
		CHECK_INT(podsnap_add_container(s, 1, "cri-o://" ID("0123ABCD"), "x", "j"), 1);
		CHECK_INT(podsnap_add_container(s, 2, ID("0123abcd"), "y", "k"), 0);
		CHECK_INT(podsnap_add_container(s, 1, ID("0123abcd"), "x", "j"), 0);
		podsnap_seal(s);
		CHECK_INT(podsnap_container(s, ID("0123abcd"), &c), -EEXIST);
		CHECK(c == NULL);
		CHECK_INT(podsnap_container(s, ID("11111111"), &c), 1);
		CHECK(c && same(c->name, "b"));
		CHECK_INT(podsnap_ncontainers(s), 2);
		CHECK(podsnap_container_at(s, 0) && podsnap_container_at(s, 0)->ambiguous);
		CHECK(podsnap_container_at(s, 2) == NULL);
		podsnap_unref(s);
	}
	CASE("same id twice in one pod: kept once, the first name wins") {
		int pod;
		struct podsnap *s = snap_with(UID_A, &pod);
		const struct podsnap_container *c = NULL;

		CHECK_INT(podsnap_add_container(s, 0, "containerd://" ID("0123abcd"), "first", "i1"), 0);
		CHECK_INT(podsnap_add_container(s, 0, ID("0123ABCD"), "second", "i2"), 0);
		podsnap_seal(s);
		CHECK_INT(podsnap_container(s, ID("0123abcd"), &c), 1);
		CHECK(c && same(c->name, "first") && same(c->image, "i1"));
		CHECK_INT(podsnap_ncontainers(s), 1);
		podsnap_unref(s);
	}
}

/* ---- caps ---- */

static void make_uid(char *buf, size_t size, unsigned i)
{
	snprintf(buf, size, "%08x-0000-4000-8000-%012x", i, i * 7u);
}

static void make_id(char *buf, size_t size, unsigned i)
{
	snprintf(buf, size, "%08x%056x", i, i * 2654435761u);
}

static void check_caps(void)
{
	CASE("cap: PODSNAP_PODS_MAX pods, the next one refused") {
		struct podsnap *s = podsnap_new();
		struct podsnap_pod_in in = { .namespace_ = "ns" };
		char uid[40];
		int bad = 0;

		in.uid = uid;
		for (unsigned i = 0; i < PODSNAP_PODS_MAX; i++) {
			make_uid(uid, sizeof uid, i);
			bad += podsnap_add_pod(s, &in) != (int)i;
		}
		CHECK_INT(bad, 0);
		make_uid(uid, sizeof uid, PODSNAP_PODS_MAX);
		CHECK_INT(podsnap_add_pod(s, &in), -ENOSPC);
		podsnap_seal(s);
		CHECK_INT(podsnap_npods(s), PODSNAP_PODS_MAX);
		make_uid(uid, sizeof uid, 12345);
		CHECK(podsnap_pod_by_uid(s, uid) == podsnap_pod(s, 12345));
		make_uid(uid, sizeof uid, PODSNAP_PODS_MAX - 1);
		CHECK(podsnap_pod_by_uid(s, uid) == podsnap_pod(s, PODSNAP_PODS_MAX - 1));
		podsnap_unref(s);
	}
	CASE("cap: PODSNAP_CONTAINERS_MAX ids, the next one refused") {
		int pod;
		struct podsnap *s = snap_with(UID_A, &pod);
		const struct podsnap_container *c = NULL;
		char id[80];
		int bad = 0;

		for (unsigned i = 0; i < PODSNAP_CONTAINERS_MAX; i++) {
			make_id(id, sizeof id, i);
			bad += podsnap_add_container(s, 0, id, "c", NULL) != 0;
		}
		CHECK_INT(bad, 0);
		make_id(id, sizeof id, PODSNAP_CONTAINERS_MAX);
		CHECK_INT(podsnap_add_container(s, 0, id, "c", NULL), -ENOSPC);
		/* an id already there is still fine: nothing new is stored */
		make_id(id, sizeof id, 7);
		CHECK_INT(podsnap_add_container(s, 0, id, "c", NULL), 0);
		podsnap_seal(s);
		CHECK_INT(podsnap_ncontainers(s), PODSNAP_CONTAINERS_MAX);
		make_id(id, sizeof id, PODSNAP_CONTAINERS_MAX - 1);
		CHECK_INT(podsnap_container(s, id, &c), 1);
		CHECK(c && c->image == NULL);
		podsnap_unref(s);
	}
}

/* ---- carry ---- */

#define NOW 1000000
#define GRACE 30000

struct carry_row {
	const char *name;
	int64_t prev_deleted; /* 0: live in prev */
	int in_new;           /* the new list has the pod again */
	int carried;
	int64_t want_deleted; /* deleted_ms in the new snapshot */
};

static const struct carry_row carry_rows[] = {
	{ "live pod gone from the list: kept, deleted now", 0, 0, 1, NOW },
	{ "deleted a while ago: kept, its deleted_ms unchanged", NOW - 1000, 0, 1, NOW - 1000 },
	{ "deleted just inside the grace: kept", NOW - GRACE + 1, 0, 1, NOW - GRACE + 1 },
	{ "deleted exactly grace ago: expired", NOW - GRACE, 0, 0, 0 },
	{ "deleted long ago: expired", NOW - 10 * GRACE, 0, 0, 0 },
	{ "back in the list: the new one is used, live", NOW - 1000, 1, 0, 0 },
};

static void check_carry(void)
{
	for (size_t i = 0; i < sizeof carry_rows / sizeof carry_rows[0]; i++) {
		const struct carry_row *t = &carry_rows[i];
		char name[160];

		snprintf(name, sizeof name, "carry: %s", t->name);
		CASE(name) {
			struct podsnap *prev = podsnap_new(), *s = podsnap_new();
			struct podsnap_pod_in in = { .uid = UID_A, .namespace_ = "old",
						     .name = "gone", .owner = "Job/x", .sa = "sa",
						     .label_keys = { "app" }, .label_vals = { "v" },
						     .nlabels = 1, .deleted_ms = t->prev_deleted };
			struct podsnap_pod_in other = { .uid = UID_B, .namespace_ = "new" };
			const struct podsnap_container *c = NULL;
			const struct podsnap_pod *p;

			podsnap_add_pod(prev, &in);
			podsnap_add_container(prev, 0, ID("aaaaaaaa"), "app", "img:a");
			podsnap_seal(prev);
			podsnap_add_pod(s, &other);
			if (t->in_new) {
				in.namespace_ = "new";
				in.deleted_ms = 0;
				podsnap_add_pod(s, &in);
			}
			CHECK_INT(podsnap_carry(s, prev, NOW, GRACE), t->carried);
			podsnap_seal(s);
			p = podsnap_pod_by_uid(s, UID_A);
			CHECK((p != NULL) == (t->carried || t->in_new));
			if (p) {
				CHECK_INT(p->deleted_ms, t->want_deleted);
				CHECK_STR(p->namespace_, t->in_new ? "new" : "old");
			}
			if (p && t->carried) {
				CHECK_STR(p->name, "gone");
				CHECK_STR(p->owner, "Job/x");
				CHECK_STR(p->sa, "sa");
				CHECK_INT(p->nlabels, 1);
				CHECK_STR(p->label_vals[0], "v");
			}
			CHECK_INT(podsnap_container(s, ID("aaaaaaaa"), &c), t->carried);
			if (t->carried && c) {
				CHECK(podsnap_pod(s, c->pod) == p);
				CHECK_STR(c->name, "app");
				CHECK_STR(c->image, "img:a");
			}
			podsnap_unref(prev); /* s holds copies, not prev's strings */
			CHECK(!p || same(p->uid, UID_A));
			podsnap_unref(s);
		}
	}
	CASE("carry: ids already in the new snapshot are not overwritten") {
		struct podsnap *prev = podsnap_new(), *s = podsnap_new();
		struct podsnap_pod_in a = { .uid = UID_A, .name = "old" };
		struct podsnap_pod_in b = { .uid = UID_B, .name = "new" };
		const struct podsnap_container *c = NULL;

		podsnap_add_pod(prev, &a);
		podsnap_add_container(prev, 0, ID("aaaaaaaa"), "moved", "i");
		podsnap_add_container(prev, 0, ID("bbbbbbbb"), "kept", "i");
		podsnap_seal(prev);
		podsnap_add_pod(s, &b);
		podsnap_add_container(s, 0, ID("aaaaaaaa"), "now-here", "j");
		CHECK_INT(podsnap_carry(s, prev, NOW, GRACE), 1);
		podsnap_seal(s);
		CHECK_INT(podsnap_container(s, ID("aaaaaaaa"), &c), 1);
		CHECK(c && same(c->name, "now-here"));
		CHECK(c && same(podsnap_pod(s, c->pod)->name, "new"));
		CHECK_INT(podsnap_container(s, ID("bbbbbbbb"), &c), 1);
		CHECK(c && same(podsnap_pod(s, c->pod)->name, "old"));
		CHECK_INT(podsnap_npods(s), 2);
		podsnap_unref(prev);
		podsnap_unref(s);
	}
	CASE("carry: an ambiguous id stays ambiguous; grace 0 carries nothing") {
		struct podsnap *prev = podsnap_new(), *s = podsnap_new(), *t = podsnap_new();
		struct podsnap_pod_in a = { .uid = UID_A }, b = { .uid = UID_B };
		const struct podsnap_container *c = NULL;

		podsnap_add_pod(prev, &a);
		podsnap_add_pod(prev, &b);
		podsnap_add_container(prev, 0, ID("aaaaaaaa"), "x", "i");
		podsnap_add_container(prev, 1, ID("aaaaaaaa"), "y", "i");
		podsnap_seal(prev);
		CHECK_INT(podsnap_carry(s, prev, NOW, GRACE), 2);
		podsnap_seal(s);
		CHECK_INT(podsnap_container(s, ID("aaaaaaaa"), &c), -EEXIST);
		CHECK_INT(podsnap_carry(t, prev, NOW, 0), 0);
		CHECK_INT(podsnap_npods(t), 0);
		CHECK_INT(podsnap_carry(t, t, NOW, GRACE), -EINVAL);
		CHECK_INT(podsnap_carry(s, prev, NOW, GRACE), -EINVAL); /* sealed */
		podsnap_unref(prev);
		podsnap_unref(s);
		podsnap_unref(t);
	}
}

/* ---- reference count ---- */

static void *ref_worker(void *arg)
{
	struct podsnap *s = arg;

	for (int i = 0; i < REF_ROUNDS; i++)
		podsnap_unref(podsnap_ref(s));
	podsnap_unref(s); /* the reference the thread was given */
	return NULL;
}

static void check_refs(void)
{
	CASE("refcount: ref returns the snapshot; the last unref frees") {
		int pod;
		struct podsnap *s = snap_with(UID_A, &pod);

		CHECK(podsnap_ref(s) == s);
		podsnap_seal(s);
		podsnap_unref(s);
		CHECK(podsnap_pod_by_uid(s, UID_A) != NULL); /* one ref left */
		podsnap_unref(s); /* ASan reports a leak or double free */
	}
	CASE("refcount: threads taking and dropping references") {
		pthread_t th[REF_THREADS];
		int pod, started = 0;
		struct podsnap *s = snap_with(UID_A, &pod);

		podsnap_seal(s);
		for (int i = 0; i < REF_THREADS; i++)
			if (pthread_create(&th[i], NULL, ref_worker, podsnap_ref(s)) == 0)
				started++;
			else
				podsnap_unref(s);
		for (int i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		CHECK_INT(started, REF_THREADS);
		CHECK(podsnap_pod_by_uid(s, UID_A) != NULL);
		podsnap_unref(s);
	}
}

int main(void)
{
	check_ids();
	check_strings();
	check_ambiguity();
	check_caps();
	check_carry();
	check_refs();
	return check_done();
}
