/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_podcache.c - the pod cache's policy on an injected clock: when a
 * refresh is asked for, which records may wait for it, what a miss costs,
 * backoff while the kubelet fails, and the names merged with the runtime's
 * state (names.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "podmeta/names.h"
#include "podmeta/podcache.h"

#define CID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CID_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define CID_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define UID_A "11111111-2222-3333-4444-555555555555"
#define UID_B "66666666-7777-8888-9999-000000000000"
#define UID_X "99999999-8888-7777-6666-555555555555"

static uint64_t asked[64];
static unsigned nasked;

static void on_request(void *ctx, uint64_t t)
{
	(void)ctx;
	if (nasked < 64)
		asked[nasked++] = t;
}

/* A sealed snapshot: pod A with container A (and C in both pods when dup). */
static struct podsnap *snap(int with_b, int dup)
{
	struct podsnap *s = podsnap_new();
	struct podsnap_pod_in a = { .uid = UID_A, .namespace_ = "shop",
				    .name = "web-0", .owner = "StatefulSet/web",
				    .sa = "web-sa", .nlabels = 1,
				    .label_keys = { "app" },
				    .label_vals = { "web" } };
	struct podsnap_pod_in b = { .uid = UID_B, .namespace_ = "edge",
				    .name = "front-1" };
	int ia = podsnap_add_pod(s, &a), ib;

	podsnap_add_container(s, (uint32_t)ia, "containerd://" CID_A, "app",
			      "nginx:1.25");
	if (with_b) {
		ib = podsnap_add_pod(s, &b);
		podsnap_add_container(s, (uint32_t)ib, CID_B, "front", "envoy:1");
		if (dup) {
			podsnap_add_container(s, (uint32_t)ia, CID_C, "x", NULL);
			podsnap_add_container(s, (uint32_t)ib, CID_C, "y", NULL);
		}
	}
	podsnap_seal(s);
	return s;
}

static struct podcache *fresh(int64_t now, int with_b)
{
	struct podcache *pc = podcache_new(10000, on_request, NULL);

	nasked = 0;
	podcache_tick(pc, now);            /* the first fetch starts at once */
	podcache_result(pc, asked[0], snap(with_b, 0), now + 5);
	nasked = 0;
	return pc;
}

int main(void)
{
	struct podcache_answer a;
	struct podcache *pc;

	CASE("first tick fetches at once; nothing more while it is in flight") {
		pc = podcache_new(10000, on_request, NULL);
		nasked = 0;
		podcache_tick(pc, 1000);
		CHECK_INT(nasked, 1);
		CHECK_INT(podcache_next(pc), -1);
		podcache_tick(pc, 5000);
		CHECK_INT(nasked, 1);
		CHECK_INT(podcache_state(pc), PODCACHE_UNKNOWN);
		podcache_result(pc, asked[0], snap(0, 0), 1100);
		CHECK_INT(podcache_state(pc), PODCACHE_UP);
		CHECK_INT(podcache_next(pc), 11100);
		CHECK(podcache_done(pc, asked[0]));
		podcache_free(pc);
	}
	CASE("hit by container id gives pod and container") {
		pc = fresh(1000, 1);
		CHECK_INT(podcache_lookup(pc, CID_A, UID_A, 2000, &a), 1);
		CHECK(a.ctr && a.pod);
		CHECK_STR(a.ctr->name, "app");
		CHECK_STR(a.ctr->image, "nginx:1.25");
		CHECK_STR(a.pod->name, "web-0");
		CHECK_STR(a.pod->owner, "StatefulSet/web");
		CHECK_INT(a.hold, 0);
		CHECK_INT(nasked, 0);
		podcache_free(pc);
	}
	CASE("unknown container of a known pod: pod fields, and a refresh to wait for") {
		pc = fresh(1000, 1);
		CHECK_INT(podcache_lookup(pc, CID_C, UID_A, 3000, &a), 1);
		CHECK(a.pod && !a.ctr);
		CHECK_STR(a.pod->namespace_, "shop");
		CHECK_INT(nasked, 1);
		CHECK(a.hold != 0 && a.hold == asked[0]);
		podcache_free(pc);
	}
	CASE("pod UID alone (pause, conmon) resolves the pod, asks nothing") {
		pc = fresh(1000, 1);
		CHECK_INT(podcache_lookup(pc, NULL, UID_B, 3000, &a), 1);
		CHECK_STR(a.pod->name, "front-1");
		CHECK_INT(nasked, 0);
		podcache_free(pc);
	}
	CASE("a burst of misses asks one refresh; later records do not wait") {
		pc = fresh(1000, 1);
		CHECK_INT(podcache_lookup(pc, CID_C, NULL, 3000, &a), 0);
		CHECK(a.hold != 0);
		for (int i = 1; i < 100; i++) {
			CHECK_INT(podcache_lookup(pc, CID_C, NULL, 3000 + i, &a), 0);
			CHECK_INT(a.hold, 0); /* the fetch started before it came */
		}
		CHECK_INT(nasked, 1);
		podcache_free(pc);
	}
	CASE("a miss confirmed by a newer list is remembered, then asked again") {
		pc = fresh(1000, 1);
		podcache_lookup(pc, CID_C, NULL, 3000, &a);
		podcache_result(pc, asked[0], snap(1, 0), 3050);
		CHECK_INT(podcache_lookup(pc, CID_C, NULL, 3100, &a), 0);
		CHECK_INT(a.hold, 0);
		CHECK_INT(podcache_lookup(pc, CID_C, NULL, 9000, &a), 0);
		CHECK_INT(nasked, 1);
		CHECK_INT(podcache_stats(pc)->misses_confirmed, 2);
		/* after the miss memory's time, it may ask again */
		CHECK_INT(podcache_lookup(pc, CID_C, NULL,
					  3000 + PODCACHE_MISS_TTL_MS + 1, &a), 0);
		CHECK_INT(nasked, 2);
		CHECK(a.hold != 0);
		podcache_free(pc);
	}
	CASE("spacing: a second unknown container within a second waits for the tick") {
		pc = fresh(1000, 1);
		podcache_lookup(pc, CID_C, NULL, 3000, &a);
		podcache_result(pc, asked[0], snap(1, 0), 3020);
		CHECK_INT(podcache_lookup(pc, CID_D, NULL, 3200, &a), 0);
		CHECK_INT(a.hold, 0);
		CHECK_INT(nasked, 1);
		CHECK_INT(podcache_next(pc), 3000 + PODCACHE_SPACING_MS);
		podcache_tick(pc, 3000 + PODCACHE_SPACING_MS);
		CHECK_INT(nasked, 2);
		CHECK_INT(podcache_stats(pc)->by_miss, 2);
		podcache_free(pc);
	}
	CASE("the same id in two pods is no answer and asks nothing") {
		pc = podcache_new(10000, on_request, NULL);
		nasked = 0;
		podcache_tick(pc, 0);
		podcache_result(pc, asked[0], snap(1, 1), 10);
		nasked = 0;
		CHECK_INT(podcache_lookup(pc, CID_C, NULL, 100, &a), -EEXIST);
		CHECK(!a.pod && !a.ctr);
		CHECK_INT(nasked, 0);
		podcache_free(pc);
	}
	CASE("kubelet down: nothing waits, misses ask nothing, backoff doubles to the interval") {
		pc = podcache_new(10000, on_request, NULL);
		nasked = 0;
		podcache_tick(pc, 0);
		podcache_result(pc, asked[0], NULL, 10);
		CHECK_INT(podcache_state(pc), PODCACHE_DOWN);
		CHECK_INT(podcache_lookup(pc, CID_A, UID_A, 20, &a), 0);
		CHECK_INT(a.hold, 0);
		CHECK_INT(nasked, 1);
		CHECK_INT(podcache_next(pc), 10 + 1000);
		podcache_tick(pc, 1010);
		podcache_result(pc, asked[1], NULL, 1020);
		CHECK_INT(podcache_next(pc), 1020 + 2000);
		podcache_tick(pc, 3020);
		podcache_result(pc, asked[2], NULL, 3030);
		CHECK_INT(podcache_next(pc), 3030 + 4000);
		podcache_tick(pc, 7030);
		podcache_result(pc, asked[3], NULL, 7040);
		CHECK_INT(podcache_next(pc), 7040 + 8000);
		podcache_tick(pc, 15040);
		podcache_result(pc, asked[4], NULL, 15050);
		CHECK_INT(podcache_next(pc), 15050 + 10000);
		/* up again: names at once, the miss that waited is answered */
		podcache_tick(pc, 25050);
		podcache_result(pc, asked[5], snap(0, 0), 25060);
		CHECK_INT(podcache_state(pc), PODCACHE_UP);
		CHECK_INT(podcache_lookup(pc, CID_A, UID_A, 25070, &a), 1);
		CHECK_INT(podcache_next(pc), 25060 + 10000);
		podcache_free(pc);
	}
	CASE("a failed refresh keeps the list it had") {
		pc = fresh(1000, 1);
		podcache_tick(pc, 20000);
		CHECK_INT(nasked, 1);
		podcache_result(pc, asked[0], NULL, 20010);
		CHECK_INT(podcache_lookup(pc, CID_B, NULL, 20020, &a), 1);
		CHECK_STR(a.ctr->name, "front");
		podcache_free(pc);
	}
	CASE("a result for another ticket is ignored (and its list freed)") {
		pc = fresh(1000, 0);
		podcache_tick(pc, 20000);
		podcache_result(pc, asked[0] + 7, snap(1, 0), 20010);
		CHECK_INT(podcache_lookup(pc, CID_B, NULL, 20020, &a), 0);
		CHECK(!podcache_done(pc, asked[0]));
		podcache_free(pc);
	}
	CASE("no request function yet: nothing starts, nothing waits") {
		pc = podcache_new(10000, NULL, NULL);
		podcache_tick(pc, 0);
		CHECK_INT(podcache_next(pc), -1); /* no timer to spin on */
		CHECK_INT(podcache_lookup(pc, CID_A, NULL, 5, &a), 0);
		CHECK_INT(a.hold, 0);
		CHECK_INT(podcache_stats(pc)->requests, 0);
		podcache_free(pc);
	}
	CASE("install: a one-shot list makes the cache up and answers, asks nothing") {
		struct ident id = { .state = IDENT_CONTAINER, .container_id = CID_B };
		const struct k8s_names *nm;
		struct names_buf nb;
		uint64_t hold;

		pc = podcache_new(10000, NULL, NULL);
		CHECK_INT(podcache_state(pc), PODCACHE_UNKNOWN);
		podcache_install(pc, snap(0, 0), 500);
		podcache_install(pc, snap(1, 0), 1000); /* the first is freed */
		CHECK_INT(podcache_state(pc), PODCACHE_UP);
		CHECK_INT(podcache_stats(pc)->pods, 2);
		CHECK_INT(podcache_lookup(pc, CID_A, NULL, 1001, &a), 1);
		CHECK_STR(a.ctr->name, "app");
		CHECK_INT(names_lookup(NULL, pc, &id, 1002, &nb, &nm, &hold), NAMES_KNOWN);
		CHECK_STR(nm->pod, "front-1");
		CHECK_STR(id.pod_uid, UID_B);
		CHECK_INT(hold, 0);
		CHECK_INT(podcache_lookup(pc, CID_D, NULL, 1003, &a), 0);
		CHECK_INT(a.hold, 0);
		CHECK_INT(podcache_stats(pc)->requests, 0);
		podcache_free(pc);
	}

	/* names.c: the two sources together */
	CASE("names: kubelet alone names a container and fills the pod UID") {
		struct ident id = { .state = IDENT_CONTAINER, .container_id = CID_A };
		const struct k8s_names *nm;
		struct names_buf nb;
		uint64_t hold;

		pc = fresh(1000, 1);
		CHECK_INT(names_lookup(NULL, pc, &id, 2000, &nb, &nm, &hold), NAMES_KNOWN);
		CHECK_STR(nm->namespace_, "shop");
		CHECK_STR(nm->pod, "web-0");
		CHECK_STR(nm->container, "app");
		CHECK_STR(nm->image, "nginx:1.25");
		CHECK_STR(nm->owner, "StatefulSet/web");
		CHECK_STR(nm->sa, "web-sa");
		CHECK_INT(nm->nlabels, 1);
		CHECK_STR(nm->label_keys[0], "app");
		CHECK_STR(nm->label_vals[0], "web");
		CHECK_STR(id.pod_uid, UID_A);
		CHECK_INT(hold, 0);
		podcache_free(pc);
	}
	CASE("names: the cgroup's pod UID and the kubelet's disagree: unresolved") {
		struct ident id = { .state = IDENT_CONTAINER, .container_id = CID_A,
				    .pod_uid = UID_X };
		const struct k8s_names *nm;
		struct names_buf nb;

		pc = fresh(1000, 1);
		CHECK_INT(names_lookup(NULL, pc, &id, 2000, &nb, &nm, NULL),
			  NAMES_DISAGREE);
		CHECK_INT(id.state, IDENT_UNRESOLVED);
		CHECK_INT(id.reason, REASON_DISAGREE);
		CHECK_STR(id.container_id, "");
		podcache_free(pc);
	}
	CASE("names: pod-only process gets pod fields, no container name") {
		struct ident id = { .state = IDENT_POD_ONLY, .pod_uid = UID_A };
		const struct k8s_names *nm;
		struct names_buf nb;

		pc = fresh(1000, 1);
		CHECK_INT(names_lookup(NULL, pc, &id, 2000, &nb, &nm, NULL), NAMES_KNOWN);
		CHECK_STR(nm->pod, "web-0");
		CHECK(nm->container == NULL);
		podcache_free(pc);
	}
	CASE("names: unknown container waits only when a fetch after it is in flight") {
		struct ident id = { .state = IDENT_CONTAINER, .container_id = CID_C,
				    .pod_uid = UID_B };
		const struct k8s_names *nm;
		struct names_buf nb;
		uint64_t hold;

		pc = fresh(1000, 1);
		CHECK_INT(names_lookup(NULL, pc, &id, 3000, &nb, &nm, &hold), NAMES_KNOWN);
		CHECK_STR(nm->pod, "front-1");
		CHECK(nm->container == NULL);
		CHECK(hold != 0);
		CHECK_INT(names_lookup(NULL, pc, &id, 3001, &nb, &nm, &hold), NAMES_KNOWN);
		CHECK_INT(hold, 0);
		podcache_free(pc);
	}
	CASE("names: host processes and records without a pid ask nothing") {
		struct ident id = { .state = IDENT_HOST };
		const struct k8s_names *nm;
		struct names_buf nb;

		pc = fresh(1000, 1);
		CHECK_INT(names_lookup(NULL, pc, &id, 3000, &nb, &nm, NULL), NAMES_NONE);
		id.state = IDENT_UNRESOLVED;
		CHECK_INT(names_lookup(NULL, pc, &id, 3000, &nb, &nm, NULL), NAMES_NONE);
		CHECK_INT(podcache_stats(pc)->lookups, 0);
		podcache_free(pc);
	}
	check_case_end();
	return check_done();
}
