/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonnames.h - the names of the JSON events in json_schema = ecs | otel:
 * one table (jsonnames.c) from what pid2pod knows (a source) to the name
 * each schema gives it, with its JSON type and whether the name is the
 * spec's or our own (custom: pid2pod.*, or auditd.* as Elastic's Auditbeat
 * names them).  tests/spec/check_names.js checks every name that is not
 * custom against the pinned @elastic/ecs and
 * @opentelemetry/semantic-conventions (test_json_names).
 */
#ifndef P2P_JSONNAMES_H
#define P2P_JSONNAMES_H

#include <stddef.h>
#include <stdio.h>

/* What a name stands for (the writer, jsonmap.c, knows how to get each). */
enum jn_src {
	JN_TIME,          /* the event's time */
	JN_NODE,          /* the node */
	JN_SEQUENCE,      /* the audit serial */
	JN_MSG_TYPE,      /* the first record's type, lower case */
	JN_RESULT,        /* "success" / "fail": the kernel's success=/res= */
	JN_OUTCOME,       /* "success" / "failure": the same */
	JN_KIND,          /* "event" */
	JN_CATEGORY,      /* ["process"] when the event has an EXECVE */
	JN_TYPE,          /* ["start"] the same */
	JN_ORIGINAL,      /* the records' text, one line each */
	JN_DATA,          /* the subject record's fields (object) */
	JN_DATA_CUT,      /* true when those were cut */
	JN_PID,           /* the kernel-written pid of the subject record */
	JN_PPID,          /* its ppid= */
	JN_EXE,           /* its exe= */
	JN_COMM,          /* its comm= */
	JN_UID,           /* its uid= */
	JN_EUID,          /* its euid= */
	JN_ARGS,          /* the EXECVE record's arguments (array) */
	JN_VPID,          /* the pid in its own pid namespace */
	JN_CONTAINER_ID,  /* the container id, "?" when not known */
	JN_CONTAINER,     /* the pod's container name */
	JN_IMAGE,         /* its image */
	JN_ORCHESTRATOR,  /* "kubernetes" */
	JN_NAMESPACE,     /* the pod's namespace */
	JN_POD,           /* the pod's name */
	JN_POD_TYPE,      /* "pod" */
	JN_POD_UID,       /* the pod's UID */
	JN_OWNER,         /* "Kind/name" of its controller */
	JN_WORKLOAD,      /* its workload's name (by kind, see the rows) */
	JN_WORKLOAD_KIND, /* its workload's kind */
	JN_SA,            /* its service account */
	JN_LABEL,         /* a pod label (array of key=value, or a prefix) */
	JN_EXEC,          /* the exec session's root pid, or "?" */
	JN_TARGETS,       /* OBJ_PID targets: [{"pid":N,"k8s":{native}}] */
	JN_NSRC
};

enum jn_type {
	JT_STR,    /* a JSON string */
	JT_NUM,    /* a JSON number (written only when the text is digits) */
	JT_ARRAY,  /* an array of strings */
	JT_OBJECT, /* an object */
	JT_BOOL,   /* true */
	JT_PREFIX, /* a name prefix: name.<key> (OTel's templates) */
};

enum jn_schema { JN_ECS = 0, JN_OTEL = 1, JN_NSCHEMA };

struct jn_name {
	const char *name;  /* NULL: not written in this schema */
	unsigned char type; /* enum jn_type */
	unsigned char custom; /* 1: ours, not the spec's (not checked) */
};

struct jn_row {
	unsigned char src;     /* enum jn_src */
	const char *kind;      /* JN_WORKLOAD: this workload kind only */
	struct jn_name n[JN_NSCHEMA];
	const char *why;       /* where the name comes from, for custom ones */
};

extern const struct jn_row jsonnames_rows[];
extern const size_t jsonnames_nrows;

/*
 * jsonnames_find - the name schema gives src (for JN_WORKLOAD, that of
 * kind: a row of that kind first, else the generic one), or NULL when the
 * schema writes none.
 */
const struct jn_name *jsonnames_find(int schema, int src, const char *kind);

/* jsonnames_print - every row as "ecs|otel NAME TYPE spec|custom" lines,
 * for tests/spec/check_names.js (tests/tools/jsonnames_list). */
void jsonnames_print(FILE *f);

#endif
