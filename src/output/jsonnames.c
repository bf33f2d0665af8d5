/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonnames.c - the name table of json_schema = ecs | otel (jsonnames.h):
 * what each name stands for lives here and only here; jsonmap.c writes the
 * values.  The rules behind the rows (docs/design.md, "JSON names"):
 *  - a name is the spec's when the spec has a field for that meaning;
 *    otherwise it is custom and says so (c = 1): pid2pod.* for ours, and
 *    auditd.* as Elastic's Auditbeat auditd module writes them (its
 *    message_type, sequence, result, data), which ECS itself lacks;
 *  - Kubernetes facts neither spec has (owner, workload kind, service
 *    account, exec session, OBJ_PID targets) are under pid2pod.*;
 *  - process.* and every pid-derived name are of the kernel-written pid
 *    (record.h), never a pid a process wrote; an unresolved process gets
 *    container.id "?" and no pod names.
 */
#include <string.h>

#include "output/jsonnames.h"

#define S(n) { n, JT_STR, 0 }
#define N(n) { n, JT_NUM, 0 }
#define A(n) { n, JT_ARRAY, 0 }
#define CS(n) { n, JT_STR, 1 }
#define CN(n) { n, JT_NUM, 1 }
#define CO(n) { n, JT_OBJECT, 1 }
#define NONE { NULL, 0, 0 }
#define AB "Auditbeat auditd module"

const struct jn_row jsonnames_rows[] = {
	/* the event */
	{ JN_TIME, NULL, { S("@timestamp"), CS("time") }, "OTel: a log record's time is no attribute" },
	{ JN_NODE, NULL, { S("host.name"), S("k8s.node.name") }, NULL },
	{ JN_SEQUENCE, NULL, { CN("auditd.sequence"), CN("auditd.sequence") }, AB },
	{ JN_MSG_TYPE, NULL, { CS("auditd.message_type"), CS("auditd.message_type") }, AB },
	{ JN_RESULT, NULL, { CS("auditd.result"), CS("auditd.result") }, AB },
	{ JN_OUTCOME, NULL, { S("event.outcome"), NONE }, NULL },
	{ JN_KIND, NULL, { S("event.kind"), NONE }, NULL },
	{ JN_CATEGORY, NULL, { A("event.category"), NONE }, NULL },
	{ JN_TYPE, NULL, { A("event.type"), NONE }, NULL },
	{ JN_ORIGINAL, NULL, { S("event.original"), S("log.record.original") }, NULL },
	{ JN_DATA, NULL, { CO("auditd.data"), CO("auditd.data") }, AB },
	{ JN_DATA_CUT, NULL, { { "pid2pod.data_cut", JT_BOOL, 1 },
			       { "pid2pod.data_cut", JT_BOOL, 1 } }, "ours" },
	/* the process: the kernel's words only */
	{ JN_PID, NULL, { N("process.pid"), N("process.pid") }, NULL },
	{ JN_PPID, NULL, { N("process.parent.pid"), N("process.parent_pid") }, NULL },
	{ JN_EXE, NULL, { S("process.executable"), S("process.executable.path") }, NULL },
	{ JN_COMM, NULL, { S("process.name"), S("thread.name") }, "OTel: comm is the thread's name" },
	{ JN_UID, NULL, { S("user.id"), N("process.real_user.id") }, NULL },
	{ JN_EUID, NULL, { S("user.effective.id"), N("process.user.id") }, NULL },
	{ JN_ARGS, NULL, { A("process.args"), A("process.command_args") }, NULL },
	{ JN_VPID, NULL, { N("process.vpid"), N("process.vpid") }, NULL },
	/* the container and its pod */
	{ JN_CONTAINER_ID, NULL, { S("container.id"), S("container.id") }, NULL },
	{ JN_CONTAINER, NULL, { S("container.name"), S("k8s.container.name") }, NULL },
	{ JN_IMAGE, NULL, { S("container.image.name"), S("container.image.name") }, NULL },
	{ JN_ORCHESTRATOR, NULL, { S("orchestrator.type"), NONE }, NULL },
	{ JN_NAMESPACE, NULL, { S("orchestrator.namespace"), S("k8s.namespace.name") }, NULL },
	{ JN_POD, NULL, { S("orchestrator.resource.name"), S("k8s.pod.name") }, NULL },
	{ JN_POD_TYPE, NULL, { S("orchestrator.resource.type"), NONE }, NULL },
	{ JN_POD_UID, NULL, { S("orchestrator.resource.id"), S("k8s.pod.uid") }, NULL },
	{ JN_OWNER, NULL, { CS("pid2pod.owner"), CS("pid2pod.owner") }, "neither has a pod's controller as Kind/name" },
	/* the workload: OTel names one attribute per kind; a kind it lacks
	 * (Node: a static pod) and ECS take the generic row */
	{ JN_WORKLOAD, "Deployment", { NONE, S("k8s.deployment.name") }, NULL },
	{ JN_WORKLOAD, "ReplicaSet", { NONE, S("k8s.replicaset.name") }, NULL },
	{ JN_WORKLOAD, "StatefulSet", { NONE, S("k8s.statefulset.name") }, NULL },
	{ JN_WORKLOAD, "DaemonSet", { NONE, S("k8s.daemonset.name") }, NULL },
	{ JN_WORKLOAD, "Job", { NONE, S("k8s.job.name") }, NULL },
	{ JN_WORKLOAD, "CronJob", { NONE, S("k8s.cronjob.name") }, NULL },
	{ JN_WORKLOAD, "ReplicationController", { NONE, S("k8s.replicationcontroller.name") }, NULL },
	{ JN_WORKLOAD, NULL, { CS("pid2pod.workload.name"), CS("pid2pod.workload.name") }, "ECS has no workload" },
	{ JN_WORKLOAD_KIND, NULL, { CS("pid2pod.workload.kind"), CS("pid2pod.workload.kind") }, "neither has the kind as a value" },
	{ JN_SA, NULL, { CS("pid2pod.service_account"), CS("pid2pod.service_account") }, "neither has it" },
	{ JN_LABEL, NULL, { A("orchestrator.resource.label"), { "k8s.pod.label", JT_PREFIX, 0 } }, NULL },
	{ JN_EXEC, NULL, { CS("pid2pod.exec"), CS("pid2pod.exec") }, "ours: README, Exec sessions" },
	{ JN_TARGETS, NULL, { { "pid2pod.targets", JT_ARRAY, 1 }, { "pid2pod.targets", JT_ARRAY, 1 } },
	  "neither has an OBJ_PID target process" },
};
const size_t jsonnames_nrows = sizeof jsonnames_rows / sizeof jsonnames_rows[0];

const struct jn_name *jsonnames_find(int schema, int src, const char *kind)
{
	const struct jn_name *any = NULL;

	if (schema < 0 || schema >= JN_NSCHEMA)
		return NULL;
	for (size_t i = 0; i < jsonnames_nrows; i++) {
		const struct jn_row *r = &jsonnames_rows[i];

		if (r->src != src || !r->n[schema].name)
			continue;
		if (!r->kind) {
			if (!any)
				any = &r->n[schema];
		} else if (kind && strcmp(kind, r->kind) == 0) {
			return &r->n[schema];
		}
	}
	return any;
}

void jsonnames_print(FILE *f)
{
	static const char *const sch[JN_NSCHEMA] = { "ecs", "otel" };
	static const char *const ty[] = { "string", "number", "array",
					  "object", "bool", "prefix" };

	for (size_t i = 0; i < jsonnames_nrows; i++)
		for (int s = 0; s < JN_NSCHEMA; s++) {
			const struct jn_name *n = &jsonnames_rows[i].n[s];

			if (n->name)
				fprintf(f, "%s %s %s %s\n", sch[s], n->name,
					ty[n->type], n->custom ? "custom" : "spec");
		}
}
