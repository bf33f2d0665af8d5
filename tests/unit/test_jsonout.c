/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsonout.c - unit tests for the "k8s" JSON object (src/output/jsonout.c),
 * the labels above all: a label whose value is empty (legal in Kubernetes)
 * is left out without leaving a stray comma, wherever it stands (found by
 * fuzz/fuzz_enrich.c: {"labels":{,"tier":"web"}}).  Every row's output is
 * also parsed by json-c.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "input/record.h"
#include "output/event.h"
#include "output/jsonout.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct row {
	const char *name;
	unsigned nlabels;
	const char *keys[4], *vals[4];
	const char *want; /* the labels object */
};

static const struct row rows[] = {
	{ "labels: two set", 2, { "app", "tier" }, { "web", "front" },
	  "\"labels\":{\"app\":\"web\",\"tier\":\"front\"}" },
	{ "labels: the first empty", 2, { "app", "tier" }, { "", "web" },
	  "\"labels\":{\"tier\":\"web\"}" },
	{ "labels: a middle one empty", 3, { "a", "b", "c" }, { "1", "", "3" },
	  "\"labels\":{\"a\":\"1\",\"c\":\"3\"}" },
	{ "labels: all empty", 2, { "a", "b" }, { "", "" }, "\"labels\":{}" },
	{ "labels: key with a quote is escaped", 1, { "a\"b" }, { "v" },
	  "\"labels\":{\"a\\\"b\":\"v\"}" },
};

/* An event made by the event table itself, records and identities. */
struct got {
	char line[1 << 16];
	size_t n;
};

static const struct k8s_names big_names = { .namespace_ = "ns", .pod = "p" };
static char huge[12000]; /* more than the 8 KB the bound keeps for 1 record */
static struct k8s_names huge_names = { .namespace_ = "ns", .pod = huge };

static const struct k8s_names *names_of(void *ctx, struct ident *id)
{
	(void)ctx;
	if (id->nspid == 13) {
		id->state = IDENT_UNRESOLVED; /* its sources disagree */
		return NULL;
	}
	return id->nspid == 12 ? &huge_names : &big_names;
}

static struct got *got_p;
static unsigned cut_n;
static size_t got_cap; /* 0: all of got's line */

static int emit(void *ctx, const struct event *ev)
{
	size_t cap = got_cap ? got_cap : sizeof got_p->line - 1;

	(void)ctx;
	got_p->n = jsonout_event(got_p->line, cap, ev, "me", NULL, names_of,
				 NULL, NULL, &cut_n);
	got_p->line[got_p->n] = '\0';
	return 0;
}

static void add(struct eventtab *t, const char *line, const struct ident *id,
		const struct ident *oid)
{
	struct record r;

	record_scan(line, strlen(line), &r);
	eventtab_add(t, &r, id, oid, 0);
}

static void event_cases(void)
{
	static struct got g;
	struct ident pod = { .state = IDENT_CONTAINER, .container_id = CID,
			     .pod_uid = "11112222-3333-4444-5555-666677778888" },
		     host = { .state = IDENT_HOST },
		     unres = { .state = IDENT_UNRESOLVED },
		     big = pod, disagree = pod;
	struct eventtab *t;
	struct json_object *o, *recs, *k;

	got_p = &g;
	big.nspid = 12;
	disagree.nspid = 13;
	memset(huge, 'x', sizeof huge - 1);
	CASE("event: each OBJ_PID target its own k8s, in record order") {
		t = eventtab_new(emit, NULL);
		add(t, "type=SYSCALL msg=audit(1.0:7): pid=5 syscall=62", &host, NULL);
		add(t, "type=OBJ_PID msg=audit(1.0:7): opid=8 ocomm=\"a\"", NULL, &pod);
		add(t, "type=OBJ_PID msg=audit(1.0:7): opid=9 ocomm=\"b\"", NULL, &host);
		add(t, "type=OBJ_PID msg=audit(1.0:7): opid=10 ocomm=\"c\"", NULL, &unres);
		add(t, "type=OBJ_PID msg=audit(1.0:7): opid=11 ocomm=\"d\"", NULL, &disagree);
		add(t, "type=EOE msg=audit(1.0:7): ", NULL, NULL);
		eventtab_drain(t);
		o = json_tokener_parse(g.line);
		CHECK(o != NULL);
		CHECK(json_object_object_get_ex(o, "records", &recs));
		CHECK_INT(json_object_array_length(recs), 5);
		/* the event's own pid is a host process: no event k8s */
		CHECK(!json_object_object_get_ex(o, "k8s", NULL));
		CHECK(!json_object_object_get_ex(json_object_array_get_idx(recs, 0), "k8s", NULL));
		CHECK(json_object_object_get_ex(json_object_array_get_idx(recs, 1), "k8s", &k));
		CHECK_STR(json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN),
			  "{\"container_id\":\"" CID "\",\"namespace\":\"ns\",\"pod\":\"p\","
			  "\"pod_uid\":\"11112222-3333-4444-5555-666677778888\"}");
		CHECK(!json_object_object_get_ex(json_object_array_get_idx(recs, 2), "k8s", NULL));
		CHECK(json_object_object_get_ex(json_object_array_get_idx(recs, 3), "k8s", &k));
		CHECK_STR(json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN),
			  "{\"container_id\":\"?\"}");
		CHECK(json_object_object_get_ex(json_object_array_get_idx(recs, 4), "k8s", &k));
		CHECK_STR(json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN),
			  "{\"container_id\":\"?\"}");
		json_object_put(o);
		eventtab_free(t);
	}
	CASE("event: a target not looked up keeps its place; the next is its own") {
		t = eventtab_new(emit, NULL);
		add(t, "type=OBJ_PID msg=audit(1.0:11): opid=8 ocomm=\"a\"", NULL, NULL);
		add(t, "type=OBJ_PID msg=audit(1.0:11): opid=9 ocomm=\"b\"", NULL, &unres);
		add(t, "type=EOE msg=audit(1.0:11): ", NULL, NULL);
		eventtab_drain(t);
		o = json_tokener_parse(g.line);
		CHECK(o && json_object_object_get_ex(o, "records", &recs));
		CHECK(o && !json_object_object_get_ex(json_object_array_get_idx(recs, 0), "k8s", NULL));
		CHECK(o && json_object_object_get_ex(json_object_array_get_idx(recs, 1), "k8s", &k));
		CHECK(o && strstr(json_object_to_json_string(k), "\"?\"") != NULL);
		json_object_put(o);
		eventtab_free(t);
	}
	CASE("event: past EVENT_OBJS_MAX targets are ?, none left out") {
		char line[128];
		int n = 0;

		t = eventtab_new(emit, NULL);
		add(t, "type=SYSCALL msg=audit(1.0:8): pid=5 syscall=62", &host, NULL);
		for (int i = 0; i < EVENT_OBJS_MAX + 3; i++) {
			snprintf(line, sizeof line,
				 "type=OBJ_PID msg=audit(1.0:8): opid=%d ocomm=\"x\"", 100 + i);
			add(t, line, NULL, &pod);
		}
		add(t, "type=EOE msg=audit(1.0:8): ", NULL, NULL);
		eventtab_drain(t);
		o = json_tokener_parse(g.line);
		CHECK(o && json_object_object_get_ex(o, "records", &recs));
		for (int i = 1; o && i <= EVENT_OBJS_MAX + 3; i++) {
			const char *want = i <= EVENT_OBJS_MAX ? CID : "?";
			struct json_object *c;

			if (json_object_object_get_ex(json_object_array_get_idx(recs, (size_t)i), "k8s", &k) &&
			    json_object_object_get_ex(k, "container_id", &c) &&
			    strcmp(json_object_get_string(c), want) == 0)
				n++;
		}
		CHECK_INT(n, EVENT_OBJS_MAX + 3);
		json_object_put(o);
		eventtab_free(t);
	}
	CASE("event: names that do not fit are left out, the identity never") {
		const char *l = "type=OBJ_PID msg=audit(1.0:9): opid=8 ocomm=\"a\"";

		cut_n = 0;
		/* the room JSONOUT_BOUND promises: a 12 KB pod name is more */
		got_cap = JSONOUT_BOUND(strlen(l) + 1, 1, 1);
		t = eventtab_new(emit, NULL);
		add(t, l, NULL, &big);
		add(t, "type=EOE msg=audit(1.0:9): ", NULL, NULL);
		eventtab_drain(t);
		got_cap = 0;
		CHECK(g.n > 0);
		CHECK_INT(cut_n, 1);
		o = json_tokener_parse(g.line);
		CHECK(o && json_object_object_get_ex(o, "records", &recs));
		CHECK(o && json_object_object_get_ex(json_object_array_get_idx(recs, 0), "k8s", &k));
		CHECK(o && strstr(json_object_to_json_string(k), CID) != NULL);
		CHECK(o && !json_object_object_get_ex(k, "pod", NULL));
		json_object_put(o);
		eventtab_free(t);
	}
}

int main(void)
{
	struct ident id = { .state = IDENT_CONTAINER, .container_id = CID,
			    .pod_uid = "11112222-3333-4444-5555-666677778888" };

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct k8s_names nm = { .namespace_ = "shop", .pod = "web-0",
					.nlabels = r->nlabels };
		char buf[4096];
		size_t n;

		for (unsigned k = 0; k < r->nlabels; k++) {
			nm.label_keys[k] = r->keys[k];
			nm.label_vals[k] = r->vals[k];
		}
		CASE(r->name) {
			struct json_object *o;

			n = jsonout_k8s(buf, sizeof buf - 1, &id, &nm, 0);
			CHECK(n > 0);
			buf[n] = '\0';
			CHECK(strstr(buf, r->want) != NULL);
			o = json_tokener_parse(buf);
			CHECK(o && json_object_is_type(o, json_type_object));
			json_object_put(o);
		}
	}
	CASE("no labels configured: no labels object") {
		struct k8s_names nm = { .namespace_ = "shop", .pod = "web-0" };
		char buf[1024];
		size_t n = jsonout_k8s(buf, sizeof buf - 1, &id, &nm, 3);

		CHECK(n > 0);
		buf[n] = '\0';
		CHECK(strstr(buf, "labels") == NULL);
		CHECK(strstr(buf, ",\"nspid\":3") != NULL);
	}
	CASE("the k8s object: owner, then its workload and kind, in order") {
		struct k8s_names nm = { .namespace_ = "shop", .pod = "web-0",
					.owner = "ReplicaSet/web-7d9f8",
					.workload = "web", .workload_kind = "Deployment",
					.sa = "web-sa" };
		char buf[1024];
		size_t n = jsonout_k8s(buf, sizeof buf - 1, &id, &nm, 0);

		CHECK(n > 0);
		buf[n] = '\0';
		CHECK_STR(buf, "{\"container_id\":\"" CID "\",\"namespace\":\"shop\","
			  "\"pod\":\"web-0\",\"pod_uid\":"
			  "\"11112222-3333-4444-5555-666677778888\","
			  "\"owner\":\"ReplicaSet/web-7d9f8\",\"workload\":\"web\","
			  "\"workload_kind\":\"Deployment\",\"sa\":\"web-sa\"}");
	}
	CASE("no owner: no workload keys") {
		struct k8s_names nm = { .namespace_ = "shop", .pod = "web-0" };
		char buf[1024];
		size_t n = jsonout_k8s(buf, sizeof buf - 1, &id, &nm, 0);

		CHECK(n > 0);
		buf[n] = '\0';
		CHECK(strstr(buf, "workload") == NULL);
	}
	/* the exec session (README: Exec sessions): after nspid */
	{
		static const struct {
			const char *name;
			int32_t exec_root;
			const char *want; /* NULL: no "exec" key */
		} xrows[] = {
			{ "exec session: its root after nspid", 4711, ",\"nspid\":3,\"exec\":4711," },
			{ "exec session unknown: \"?\"", IDENT_EXEC_UNKNOWN, ",\"nspid\":3,\"exec\":\"?\"," },
			{ "the container's own tree: no exec key", IDENT_EXEC_NONE, NULL },
			{ "nothing told: no exec key", IDENT_EXEC_UNTOLD, NULL },
		};

		for (size_t i = 0; i < sizeof xrows / sizeof xrows[0]; i++)
			CASE(xrows[i].name) {
				struct k8s_names nm = { .namespace_ = "shop",
							.pod = "web-0", .sa = "x" };
				struct ident e = id;
				struct json_object *o;
				char buf[1024];
				size_t n;

				e.exec_root = xrows[i].exec_root;
				n = jsonout_k8s(buf, sizeof buf - 1, &e, &nm, 3);
				CHECK(n > 0);
				buf[n] = '\0';
				if (xrows[i].want)
					CHECK(strstr(buf, xrows[i].want) != NULL);
				else
					CHECK(strstr(buf, "exec") == NULL);
				o = json_tokener_parse(buf);
				CHECK(o && json_object_is_type(o, json_type_object));
				json_object_put(o);
				/* without names: the identity keeps it */
				n = jsonout_k8s(buf, sizeof buf - 1, &e, NULL, 3);
				buf[n] = '\0';
				CHECK((strstr(buf, "\"exec\"") != NULL) == (xrows[i].want != NULL));
			}
	}
	event_cases();
	return check_done();
}
