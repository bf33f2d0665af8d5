/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_workload.c - the workload behind a pod (k8s_workload,
 * k8s_workload_kind): one PodList item per named case, parsed by the real
 * podlist/poditem path into a snapshot, and the pod's owner, workload and
 * kind read back.  Every rule of workload.h has a case that holds and one
 * beside it that must not: a ReplicaSet with and without its hash, a
 * CronJob's Job and Jobs whose digits do not fit, the documented ambiguity
 * (a Job named "<name>-<date>" by hand is taken for a CronJob's), static
 * pods, wrong JSON types, names at and past the caps, and a deleted pod
 * carried into the next list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"
#include "podmeta/workload.h"

#define POD_UID "0a000001-0000-4000-8000-000000000001"
#define NAME_MAX_BUILT 5000 /* the longest name built */
#define META_MAX (NAME_MAX_BUILT + 256)

#define RS(n) "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\"," \
	"\"kind\":\"ReplicaSet\",\"name\":\"" n "\",\"controller\":true}]"
#define OWNER(k, n) "\"ownerReferences\":[{\"kind\":\"" k "\",\"name\":\"" \
	n "\",\"controller\":true}]"
#define HASH(h) "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"" h "\"}"
#define MIRROR "\"annotations\":{\"kubernetes.io/config.mirror\":\"9f1c\"," \
	"\"kubernetes.io/config.source\":\"file\"}"

struct wcase {
	const char *name;
	const char *meta;     /* metadata members after uid, namespace, name */
	const char *owner;    /* NULL: none */
	const char *workload; /* NULL: none */
	const char *kind;
};

static const struct wcase cases[] = {
	{ "deployment-via-pod-template-hash", HASH("7d9f8c6b5") "," RS("web-7d9f8c6b5"),
	  "ReplicaSet/web-7d9f8c6b5", "web", "Deployment" },
	{ "deployment-name-with-dashes", HASH("5d8f") "," RS("shop-front-end-5d8f"),
	  "ReplicaSet/shop-front-end-5d8f", "shop-front-end", "Deployment" },
	{ "replicaset-without-hash-label", "\"labels\":{\"app\":\"web\"}," RS("web-7d9f8c6b5"),
	  "ReplicaSet/web-7d9f8c6b5", "web-7d9f8c6b5", "ReplicaSet" },
	{ "replicaset-name-not-ending-in-hash", HASH("abcde") "," RS("web-7d9f8c6b5"),
	  "ReplicaSet/web-7d9f8c6b5", "web-7d9f8c6b5", "ReplicaSet" },
	{ "replicaset-hash-in-the-middle", HASH("7d9f8") "," RS("web-7d9f8-x"),
	  "ReplicaSet/web-7d9f8-x", "web-7d9f8-x", "ReplicaSet" },
	{ "replicaset-hash-without-dash", HASH("7d9f8") "," RS("web7d9f8"),
	  "ReplicaSet/web7d9f8", "web7d9f8", "ReplicaSet" },
	{ "replicaset-named-only-the-hash", HASH("7d9f8") "," RS("-7d9f8"),
	  "ReplicaSet/-7d9f8", "-7d9f8", "ReplicaSet" },
	{ "replicaset-empty-hash-label", HASH("") "," RS("web-"),
	  "ReplicaSet/web-", "web-", "ReplicaSet" },
	{ "replicaset-hash-label-not-a-string",
	  "\"labels\":{\"pod-template-hash\":7},\"ownerReferences\":[{\"kind\":"
	  "\"ReplicaSet\",\"name\":\"web-7\",\"controller\":true}]",
	  "ReplicaSet/web-7", "web-7", "ReplicaSet" },
	{ "cronjob-job-minutes", OWNER("Job", "backup-29430720"),
	  "Job/backup-29430720", "backup", "CronJob" },
	{ "cronjob-job-seconds-older-controller", OWNER("Job", "backup-1765843200"),
	  "Job/backup-1765843200", "backup", "CronJob" },
	{ "cronjob-name-with-dashes", OWNER("Job", "db-nightly-backup-29430720"),
	  "Job/db-nightly-backup-29430720", "db-nightly-backup", "CronJob" },
	/* the documented ambiguity: a Job named by hand after a date */
	{ "hand-named-job-with-date-is-taken-for-cronjob", OWNER("Job", "migrate-20240101"),
	  "Job/migrate-20240101", "migrate", "CronJob" },
	{ "job-seven-digits-stays-job", OWNER("Job", "migrate-2024011"),
	  "Job/migrate-2024011", "migrate-2024011", "Job" },
	{ "job-eleven-digits-stays-job", OWNER("Job", "migrate-20240101123"),
	  "Job/migrate-20240101123", "migrate-20240101123", "Job" },
	{ "job-leading-zero-stays-job", OWNER("Job", "x-02943072"),
	  "Job/x-02943072", "x-02943072", "Job" },
	{ "job-digits-and-letter-stays-job", OWNER("Job", "backup-2943072a"),
	  "Job/backup-2943072a", "backup-2943072a", "Job" },
	{ "job-only-digits-stays-job", OWNER("Job", "29430720"),
	  "Job/29430720", "29430720", "Job" },
	{ "job-dash-digits-stays-job", OWNER("Job", "-29430720"),
	  "Job/-29430720", "-29430720", "Job" },
	{ "job-prefix-over-cronjob-cap-stays-job",
	  OWNER("Job", "a123456789b123456789c123456789d123456789e123456789fgh-29430720"),
	  "Job/a123456789b123456789c123456789d123456789e123456789fgh-29430720",
	  "a123456789b123456789c123456789d123456789e123456789fgh-29430720", "Job" },
	{ "job-prefix-at-cronjob-cap",
	  OWNER("Job", "a123456789b123456789c123456789d123456789e123456789fg-29430720"),
	  "Job/a123456789b123456789c123456789d123456789e123456789fg-29430720",
	  "a123456789b123456789c123456789d123456789e123456789fg", "CronJob" },
	{ "statefulset", OWNER("StatefulSet", "db"), "StatefulSet/db", "db", "StatefulSet" },
	{ "statefulset-with-hash-label-stays", HASH("abc") "," OWNER("StatefulSet", "db-abc"),
	  "StatefulSet/db-abc", "db-abc", "StatefulSet" },
	{ "daemonset", OWNER("DaemonSet", "node-exporter"), "DaemonSet/node-exporter",
	  "node-exporter", "DaemonSet" },
	{ "replicationcontroller", OWNER("ReplicationController", "legacy-1"),
	  "ReplicationController/legacy-1", "legacy-1", "ReplicationController" },
	{ "other-controller-as-is", OWNER("Workflow", "etl-42"), "Workflow/etl-42",
	  "etl-42", "Workflow" },
	{ "static-pod-by-annotation", MIRROR "," OWNER("Node", "node-1"), "Node/node-1",
	  "node-1", "Node" },
	{ "static-pod-by-node-owner", OWNER("Node", "node-2"), "Node/node-2", "node-2",
	  "Node" },
	{ "mirror-annotation-with-replicaset-owner", MIRROR "," HASH("7d9f8") ","
	  RS("web-7d9f8"), "ReplicaSet/web-7d9f8", NULL, NULL },
	{ "mirror-annotation-without-owner", MIRROR, NULL, NULL, NULL },
	{ "mirror-annotation-not-a-string",
	  "\"annotations\":{\"kubernetes.io/config.mirror\":1}," OWNER("Workflow", "w"),
	  "Workflow/w", "w", "Workflow" },
	{ "no-owner-references", HASH("7d9f8"), NULL, NULL, NULL },
	{ "empty-owner-references", "\"ownerReferences\":[]", NULL, NULL, NULL },
	{ "owner-without-controller",
	  "\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"web-1\"}]",
	  NULL, NULL, NULL },
	{ "owner-controller-false",
	  "\"ownerReferences\":[{\"kind\":\"Job\",\"name\":\"b-29430720\",\"controller\":false}]",
	  NULL, NULL, NULL },
	{ "controller-is-second-entry",
	  "\"ownerReferences\":[{\"kind\":\"Job\",\"name\":\"b-29430720\"},"
	  "{\"kind\":\"StatefulSet\",\"name\":\"s\",\"controller\":true}]",
	  "StatefulSet/s", "s", "StatefulSet" },
	{ "controller-as-string", "\"ownerReferences\":[{\"kind\":\"Job\","
	  "\"name\":\"b-29430720\",\"controller\":\"true\"}]", NULL, NULL, NULL },
	{ "owner-references-an-object", "\"ownerReferences\":{\"kind\":\"Job\","
	  "\"name\":\"b-29430720\",\"controller\":true}", NULL, NULL, NULL },
	{ "owner-kind-a-number", "\"ownerReferences\":[{\"kind\":3,"
	  "\"name\":\"b-29430720\",\"controller\":true}]", NULL, NULL, NULL },
	{ "owner-name-null", "\"ownerReferences\":[{\"kind\":\"Job\","
	  "\"name\":null,\"controller\":true}]", NULL, NULL, NULL },
	{ "owner-entry-not-an-object", "\"ownerReferences\":[\"Job/b-29430720\"]",
	  NULL, NULL, NULL },
	{ "annotations-an-array", "\"annotations\":[\"kubernetes.io/config.mirror\"],"
	  OWNER("Job", "b-29430720"), "Job/b-29430720", "b", "CronJob" },
};

/* Parse one PodList whose one pod has meta; the sealed snapshot or NULL. */
static struct podsnap *parse_meta(const char *meta)
{
	static const char *const lbl[] = { "app" };
	struct podlist_opts o = { lbl, 1, 1 << 20 };
	struct podlist *pl = podlist_new(&o);
	struct podsnap *s = NULL;
	char *buf;
	int n;

	n = asprintf(&buf, "{\"kind\":\"PodList\",\"items\":[{\"metadata\":"
		     "{\"uid\":\"%s\",\"namespace\":\"ns\",\"name\":\"p\"%s%s},"
		     "\"spec\":{},\"status\":{}}]}", POD_UID, *meta ? "," : "",
		     meta);
	if (!pl || n < 0) {
		podlist_free(pl);
		return NULL;
	}
	if (podlist_feed(pl, buf, (size_t)n) != 0 || podlist_finish(pl, &s) != 0 ||
	    podsnap_seal(s) != 0) {
		podsnap_unref(s);
		s = NULL;
	}
	podlist_free(pl);
	free(buf);
	return s;
}

static void check_opt(const char *what, const char *got, const char *want)
{
	char m[1200];

	if ((!got && !want) || (got && want && strcmp(got, want) == 0))
		return;
	snprintf(m, sizeof m, "%s: got \"%.500s\" want \"%.500s\"", what,
		 got ? got : "(none)", want ? want : "(none)");
	check_fail(__FILE__, __LINE__, m);
}

static void run_case(const char *name, const char *meta, const char *owner,
		     const char *workload, const char *kind)
{
	CASE(name) {
		struct podsnap *s = parse_meta(meta);
		const struct podsnap_pod *p = s ? podsnap_pod_by_uid(s, POD_UID) : NULL;

		CHECK(p != NULL);
		if (p) {
			check_opt("owner", p->owner, owner);
			check_opt("workload", p->workload, workload);
			check_opt("workload_kind", p->workload_kind, kind);
		}
		podsnap_unref(s);
	}
}

/* Names of n bytes: at the caps of PODSNAP_STR_MAX and the owner buffer. */
static void long_names(void)
{
	static const struct { const char *name; size_t len; int owner; } sizes[] = {
		/* "ReplicaSet/" + name still under PODSNAP_STR_MAX + 1 */
		{ "name-longest-owner-kept", PODSNAP_STR_MAX - 11, 1 },
		{ "name-owner-one-over", PODSNAP_STR_MAX - 10, 0 },
		{ "name-over-podsnap-str-max", PODSNAP_STR_MAX + 1, 0 },
		{ "name-far-over", NAME_MAX_BUILT, 0 },
	};
	char meta[META_MAX], nm[NAME_MAX_BUILT + 1], want_owner[META_MAX];

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i].len;
		char cname[96];

		/* "<a...a>-7d9f8": a Deployment's when kept */
		memset(nm, 'a', n - 6);
		memcpy(nm + n - 6, "-7d9f8", 7);
		snprintf(meta, sizeof meta, HASH("7d9f8") ",\"ownerReferences\":"
			 "[{\"kind\":\"ReplicaSet\",\"name\":\"%s\","
			 "\"controller\":true}]", nm);
		snprintf(want_owner, sizeof want_owner, "ReplicaSet/%s", nm);
		nm[n - 6] = '\0';
		snprintf(cname, sizeof cname, "capped-%s", sizes[i].name);
		run_case(cname, meta, sizes[i].owner ? want_owner : NULL,
			 sizes[i].owner ? nm : NULL,
			 sizes[i].owner ? "Deployment" : NULL);
	}
}

/* workload_of on its own: the caller's buffer cap, absent inputs. */
static void direct(void)
{
	struct workload_in in = { "ReplicaSet", "web-7d9f8", "7d9f8", 0 };
	const char *kind = "x";
	char buf[8];

	CASE("direct-fits-cap") {
		CHECK_INT(workload_of(&in, buf, 4, &kind), 1);
		CHECK_STR(buf, "web");
		CHECK_STR(kind, "Deployment");
	}
	CASE("direct-over-cap-is-none") {
		CHECK_INT(workload_of(&in, buf, 3, &kind), 0);
		CHECK_STR(buf, "");
		CHECK(kind == NULL);
	}
	CASE("direct-no-kind-is-none") {
		in.kind = NULL;
		CHECK_INT(workload_of(&in, buf, sizeof buf, &kind), 0);
		CHECK(kind == NULL);
	}
	CASE("direct-kind-strings-are-static") {
		char k[] = "DaemonSet";
		struct workload_in d = { k, "ds", NULL, 0 };

		CHECK_INT(workload_of(&d, buf, sizeof buf, &kind), 1);
		CHECK(kind != k);
		CHECK_STR(kind, "DaemonSet");
	}
}

/* A deleted pod carried into the next list keeps its workload. */
static void carried(void)
{
	CASE("carried-pod-keeps-workload") {
		struct podsnap *s = parse_meta(HASH("7d9f8") "," RS("web-7d9f8"));
		struct podsnap *next = podsnap_new();
		const struct podsnap_pod *p;

		CHECK(s && next);
		if (s && next) {
			CHECK_INT(podsnap_carry(next, s, 1000, 60000), 1);
			CHECK_INT(podsnap_seal(next), 0);
			p = podsnap_pod_by_uid(next, POD_UID);
			CHECK(p != NULL);
			if (p) {
				check_opt("workload", p->workload, "web");
				check_opt("workload_kind", p->workload_kind,
					  "Deployment");
			}
		}
		podsnap_unref(s);
		podsnap_unref(next);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(cases[i].name, cases[i].meta, cases[i].owner,
			 cases[i].workload, cases[i].kind);
	long_names();
	direct();
	carried();
	return check_done();
}
