/*
 * test_jsonout.c - unit tests for the "k8s" JSON object (src/output/jsonout.c),
 * the labels above all: a label whose value is empty (legal in Kubernetes)
 * is left out without leaving a stray comma, wherever it stands (found by
 * fuzz/fuzz_enrich.c: {"labels":{,"tier":"web"}}).  Every row's output is
 * also parsed by json-c.
 */
#include <string.h>

#include <json-c/json.h>

#include "check.h"
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
	return check_done();
}
