/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsonmap.c - the ECS and OpenTelemetry events (src/output/jsonmap.c,
 * names from jsonnames.c): field trust above all (process.pid is the pid
 * the kernel wrote, never one a process wrote into its message or an
 * nftables table name; an unresolved pid names no pod), then the workload
 * by kind, OBJ_PID targets, labels and names that do not fit.  Every
 * output is parsed by json-c and read back by key.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "input/record.h"
#include "output/event.h"
#include "output/jsonmap.h"
#include "output/jsonnames.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "11112222-3333-4444-5555-666677778888"

static char out[1 << 16];
static size_t out_cap = sizeof out - 1;
static int schema;
static unsigned cut_n;
static const struct k8s_names *ev_names;
static struct json_object *got;

static const struct k8s_names pod_names = {
	.namespace_ = "shop", .pod = "web-7d9f8-x2", .container = "app",
	.image = "nginx:1", .owner = "ReplicaSet/web-7d9f8",
	.workload = "web", .workload_kind = "Deployment", .sa = "default",
	.label_keys = { "app" }, .label_vals = { "web" }, .nlabels = 1,
};

static const struct k8s_names *obj_names(void *ctx, struct ident *id)
{
	(void)ctx;
	(void)id;
	return &pod_names;
}

static int emit(void *ctx, const struct event *ev)
{
	size_t n = jsonmap_event(out, out_cap, schema, ev, "node1", ev_names,
				 obj_names, NULL, &cut_n);

	(void)ctx;
	out[n] = '\0';
	if (got)
		json_object_put(got);
	got = n ? json_tokener_parse(out) : NULL;
	return 0;
}

/* one event of lines ('\n'-separated), the first pid record's ident id */
static void run(int sch, const char *lines, const struct ident *id,
		const struct ident *oid)
{
	struct eventtab *t = eventtab_new(emit, NULL);
	char buf[4096];
	char *save = NULL, *l;

	schema = sch;
	snprintf(buf, sizeof buf, "%s", lines);
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct record r;

		record_scan(l, strlen(l), &r);
		eventtab_add(t, &r, r.pid != RECORD_NO_PID ||
				     (r.flags & REC_PID_FORGED) ? id : NULL,
			     r.opid != RECORD_NO_PID ? oid : NULL, 0);
	}
	eventtab_flush(t);
	eventtab_drain(t);
	eventtab_free(t);
}

/* the value of key in the last event as a string ("" when absent) */
static const char *val(const char *key)
{
	struct json_object *v;

	if (!got || !json_object_object_get_ex(got, key, &v))
		return "";
	return json_object_get_type(v) == json_type_string ?
	       json_object_get_string(v) :
	       json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static int has(const char *key)
{
	return got && json_object_object_get_ex(got, key, NULL);
}

int main(void)
{
	struct ident pod = { .state = IDENT_CONTAINER, .container_id = CID,
			     .pod_uid = UID, .nspid = 7 },
		     unres = { .state = IDENT_UNRESOLVED },
		     host = { .state = IDENT_HOST };

	ev_names = &pod_names;
	CASE("ecs: a syscall's process from the kernel's fields, its pod") {
		run(JN_ECS, "type=SYSCALL msg=audit(1700000000.250:7): arch=c000003e syscall=59 success=yes exit=0 ppid=40 pid=41 uid=0 euid=0 comm=\"sh\" exe=2F62696E2F7368 key=(null)\n"
			    "type=EXECVE msg=audit(1700000000.250:7): argc=2 a0=\"sh\" a1=\"-c\"",
		    &pod, NULL);
		CHECK(got != NULL);
		CHECK_STR(val("@timestamp"), "2023-11-14T22:13:20.250Z");
		CHECK_STR(val("process.pid"), "41");
		CHECK_STR(val("process.parent.pid"), "40");
		CHECK_STR(val("process.executable"), "/bin/sh");
		CHECK_STR(val("process.name"), "sh");
		CHECK_STR(val("process.args"), "[\"sh\",\"-c\"]");
		CHECK_STR(val("process.vpid"), "7");
		CHECK_STR(val("user.id"), "0");
		CHECK_STR(val("auditd.message_type"), "syscall");
		CHECK_STR(val("auditd.sequence"), "7");
		CHECK_STR(val("auditd.result"), "success");
		CHECK_STR(val("event.outcome"), "success");
		CHECK_STR(val("event.category"), "[\"process\"]");
		CHECK_STR(val("container.id"), CID);
		CHECK_STR(val("container.name"), "app");
		CHECK_STR(val("orchestrator.namespace"), "shop");
		CHECK_STR(val("orchestrator.resource.name"), "web-7d9f8-x2");
		CHECK_STR(val("orchestrator.resource.type"), "pod");
		CHECK_STR(val("orchestrator.resource.id"), UID);
		CHECK_STR(val("orchestrator.resource.label"), "[\"app=web\"]");
		CHECK_STR(val("pid2pod.workload.name"), "web");
		CHECK_STR(val("pid2pod.workload.kind"), "Deployment");
		CHECK_STR(val("host.name"), "node1");
	}
	CASE("otel: the same event, flat OpenTelemetry names") {
		run(JN_OTEL, "type=SYSCALL msg=audit(1700000000.250:7): arch=c000003e syscall=59 success=no exit=-2 ppid=40 pid=41 uid=1000 euid=0 comm=\"sh\" exe=\"/bin/sh\"",
		    &pod, NULL);
		CHECK_STR(val("process.pid"), "41");
		CHECK_STR(val("process.parent_pid"), "40");
		CHECK_STR(val("process.executable.path"), "/bin/sh");
		CHECK_STR(val("process.real_user.id"), "1000");
		CHECK_STR(val("process.user.id"), "0");
		CHECK_STR(val("auditd.result"), "fail");
		CHECK(!has("event.outcome")); /* ECS only */
		CHECK_STR(val("k8s.pod.name"), "web-7d9f8-x2");
		CHECK_STR(val("k8s.namespace.name"), "shop");
		CHECK_STR(val("k8s.pod.uid"), UID);
		CHECK_STR(val("k8s.container.name"), "app");
		CHECK_STR(val("container.image.name"), "nginx:1");
		CHECK_STR(val("k8s.deployment.name"), "web");
		CHECK(!has("pid2pod.workload.name"));
		CHECK_STR(val("k8s.pod.label.app"), "web");
		CHECK_STR(val("k8s.node.name"), "node1");
		CHECK_STR(val("time"), "1700000000.250");
	}
	CASE("trust: a user message's own pid= and exe= are not the process's") {
		for (int s = 0; s < JN_NSCHEMA; s++) {
			/* a quote of its own ends msg='...' for a tokenizer */
			run(s, "type=USER_CMD msg=audit(1.5:9): pid=300 uid=0 auid=0 ses=1 msg='cwd=\"/\"' pid=666 exe=\"/evil\" res=success'",
			    &pod, NULL);
			CHECK_STR(val("process.pid"), "300");
			CHECK(strstr(out, "666") == NULL || strstr(out, "\"process.pid\":666") == NULL);
			CHECK(!has(s == JN_ECS ? "process.executable" : "process.executable.path"));
			CHECK(!has("auditd.result")); /* res= is the sender's */
		}
	}
	CASE("trust: an nftables table named pid=666 without the kernel's tail: no process") {
		for (int s = 0; s < JN_NSCHEMA; s++) {
			run(s, "type=NETFILTER_CFG msg=audit(1.5:10): table=x pid=666 y family=2 entries=1 op=nft_register_table",
			    &unres, NULL);
			CHECK(got != NULL);
			CHECK(!has("process.pid"));
			CHECK(!has("process.vpid"));
			CHECK_STR(val("container.id"), "?");
		}
	}
	CASE("trust: a pid= only in the interpretation tail is no process") {
		for (int s = 0; s < JN_NSCHEMA; s++) {
			run(s, "type=SYSCALL msg=audit(1.5:16): syscall=1 success=yes\x1dpid=666",
			    &unres, NULL);
			CHECK(got != NULL);
			CHECK(!has("process.pid"));
		}
	}
	CASE("trust: unresolved names no pod, even with names at hand") {
		for (int s = 0; s < JN_NSCHEMA; s++) {
			run(s, "type=SYSCALL msg=audit(1.5:11): syscall=59 success=yes pid=50 uid=0 comm=\"x\"",
			    &unres, NULL);
			CHECK_STR(val("container.id"), "?");
			CHECK(strstr(out, "web-7d9f8-x2") == NULL);
			CHECK(strstr(out, "shop") == NULL);
			CHECK_STR(val("process.pid"), "50");
		}
	}
	CASE("host process: process.* and no container") {
		run(JN_ECS, "type=SYSCALL msg=audit(1.5:12): syscall=59 success=yes pid=51 uid=0", &host, NULL);
		CHECK_STR(val("process.pid"), "51");
		CHECK(!has("container.id"));
		CHECK(!has("orchestrator.resource.name"));
	}
	CASE("workload kinds: OTel's own attribute, the generic name for others") {
		static const struct { const char *kind, *otel; } k[] = {
			{ "StatefulSet", "k8s.statefulset.name" },
			{ "DaemonSet", "k8s.daemonset.name" },
			{ "Job", "k8s.job.name" }, { "CronJob", "k8s.cronjob.name" },
			{ "ReplicationController", "k8s.replicationcontroller.name" },
			{ "Node", "pid2pod.workload.name" },
		};
		struct k8s_names nm = pod_names;

		ev_names = &nm;
		for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
			nm.workload_kind = k[i].kind;
			run(JN_OTEL, "type=SYSCALL msg=audit(1.5:13): pid=52", &pod, NULL);
			CHECK_STR(val(k[i].otel), "web");
			CHECK_STR(val("pid2pod.workload.kind"), k[i].kind);
		}
		ev_names = &pod_names;
	}
	CASE("OBJ_PID targets: pid2pod.targets in record order") {
		run(JN_ECS, "type=SYSCALL msg=audit(1.5:14): syscall=62 success=yes pid=53\n"
			    "type=OBJ_PID msg=audit(1.5:14): opid=54 ocomm=\"a\"",
		    &host, &pod);
		CHECK_STR(val("pid2pod.targets"),
			  "[{\"pid\":54,\"k8s\":{\"container_id\":\"" CID "\",\"namespace\":\"shop\","
			  "\"pod\":\"web-7d9f8-x2\",\"container\":\"app\",\"pod_uid\":\"" UID "\","
			  "\"nspid\":7,\"image\":\"nginx:1\",\"owner\":\"ReplicaSet\\/web-7d9f8\","
			  "\"workload\":\"web\",\"workload_kind\":\"Deployment\",\"sa\":\"default\","
			  "\"labels\":{\"app\":\"web\"}}}]");
	}
	CASE("names that do not fit are left out and counted, the ids stay") {
		cut_n = 0;
		out_cap = 1500;
		run(JN_ECS, "type=SYSCALL msg=audit(1.5:15): syscall=59 success=yes pid=55 comm=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
		    &pod, NULL);
		out_cap = sizeof out - 1;
		CHECK(got != NULL);
		CHECK_STR(val("container.id"), CID);
		CHECK(!has("orchestrator.resource.name"));
		CHECK_INT(cut_n, 1);
	}
	CASE("table: every source has a name in some schema, no name twice") {
		for (size_t i = 0; i < jsonnames_nrows; i++)
			for (size_t j = i + 1; j < jsonnames_nrows; j++)
				for (int s = 0; s < JN_NSCHEMA; s++) {
					const char *a = jsonnames_rows[i].n[s].name,
						   *b = jsonnames_rows[j].n[s].name;

					CHECK(!a || !b || strcmp(a, b) != 0 ||
					      (jsonnames_rows[i].src == JN_WORKLOAD &&
					       jsonnames_rows[j].src == JN_WORKLOAD));
				}
	}
	if (got)
		json_object_put(got);
	return check_done();
}
