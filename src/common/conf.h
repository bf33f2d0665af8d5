/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.h - the configuration: one struct, one table of keys.
 *
 * Every key lives in conf_keys[] (name, type, default, limits, one line of
 * documentation).  The table drives the parser, `audisp-pid2pod
 * --print-config` (which generates the shipped pid2pod.conf) and the tests
 * that check the shipped config and the man page against it.
 */
#ifndef P2P_CONF_H
#define P2P_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "common/ident.h"

#define CONF_DEFAULT_PATH "/etc/audit/pid2pod.conf"
#define CONF_FILE_MAX_BYTES (256 * 1024)
#define CONF_LINE_MAX 4096
#define CONF_NAME_MAX 256
#define CONF_RUNTIME_DIRS_MAX 8
#define CONF_LABELS_MAX K8S_LABELS_MAX
#define CONF_DEFAULT_TOKEN_FILE "/var/run/secrets/kubernetes.io/serviceaccount/token"
#define CONF_DEFAULT_KUBELET_CA "/var/lib/kubelet/pki/kubelet.crt"

enum conf_output { OUTPUT_SYSLOG, OUTPUT_STDOUT, OUTPUT_FILE };
enum conf_format { FORMAT_TEXT, FORMAT_JSON };
enum conf_schema { SCHEMA_NATIVE, SCHEMA_ECS, SCHEMA_OTEL };
enum conf_overflow { OVERFLOW_BLOCK, OVERFLOW_DROP };
enum conf_input { INPUT_AUDITD, INPUT_GOAUDIT };

struct conf {
	int input;            /* enum conf_input: auditd lines or go-audit JSON */
	int output;           /* enum conf_output */
	char output_file[PATH_MAX];
	int output_format;    /* enum conf_format */
	int json_schema;      /* enum conf_schema: the JSON events' names */
	int syslog_facility;  /* LOG_LOCAL0 ... as <syslog.h> encodes it */
	int syslog_priority;  /* LOG_INFO ... */
	char syslog_socket[108]; /* sizeof sockaddr_un.sun_path */
	char proc_root[PATH_MAX];
	char node_name[CONF_NAME_MAX]; /* "" in the file: this host's name */
	unsigned long long queue_max_bytes;
	int overflow_action;  /* enum conf_overflow */
	unsigned long long batch_ms; /* rest between small reads of stdin */
	int proc_connector;   /* 1: subscribe to the process connector */
	int sandbox;          /* 1: Landlock after start-up (plugin/sandbox.c) */
	char runtime_state_dirs[CONF_LINE_MAX / 4]; /* space-separated */
	char containerd_namespace[CONF_NAME_MAX];
	char metrics_file[PATH_MAX];
	unsigned long long metrics_interval; /* seconds */
	unsigned long long status_interval;  /* seconds; 0: off */
	char log_file[PATH_MAX];
	/* the kubelet's pod list (kubelet.c, podcache.c) */
	char kubelet_url[CONF_NAME_MAX + 64]; /* "": https://<node>:10250 */
	char kubelet_token_file[PATH_MAX];
	char kubelet_ca_file[PATH_MAX];
	char kubelet_client_cert[PATH_MAX];
	char kubelet_client_key[PATH_MAX];
	int kubelet_insecure_skip_verify;
	unsigned long long kubelet_refresh_interval; /* seconds */
	unsigned long long kubelet_max_bytes;
	unsigned long long hold_ms;
	unsigned long long pod_grace;                /* seconds */
	char labels[CONF_LINE_MAX / 4];              /* label keys, space-separated */
};

enum conf_type { CONF_T_STRING, CONF_T_PATH, CONF_T_ENUM, CONF_T_SIZE,
		 CONF_T_BOOL, CONF_T_UINT };

struct conf_enum_val {
	const char *name;
	int value;
};

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;
	size_t size;                       /* string buffer size */
	const char *def;                   /* default, as written in the file */
	const struct conf_enum_val *vals;  /* CONF_T_ENUM, NULL-terminated */
	unsigned long long min, max;       /* CONF_T_SIZE, CONF_T_UINT */
	const char *doc;                   /* one line, for the shipped file */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* conf_defaults - fill *c with every key's default. */
void conf_defaults(struct conf *c);

/*
 * conf_load - parse the file at path into *ret (defaults first, then the
 * file).  On error returns -errno or -EINVAL and writes every problem as
 * "path:line: message" lines into err (err_size bytes, always terminated);
 * *ret is then untouched.  A file that others than root and us could have
 * written is refused (-EPERM; the rule: fsafe_trusted in common/fsafe.h).
 */
int conf_load(const char *path, struct conf *ret, char *err, size_t err_size);

/* conf_parse_buf - the same over a buffer (tests, fuzzing); no file checks. */
int conf_parse_buf(const char *name, const char *buf, size_t len,
		   struct conf *ret, char *err, size_t err_size);

/* conf_print_default - the shipped config, generated from the table. */
void conf_print_default(FILE *f);

/*
 * conf_labels - split c->labels into at most CONF_LABELS_MAX keys, each
 * pointing into buf (a copy, size bytes).  Returns the count.
 */
unsigned conf_labels(const struct conf *c, char *buf, size_t size,
		     const char **keys);

/*
 * conf_node_name - this node's name: node_name when set, else the host's
 * name ("" when it cannot be had), into node (size bytes).
 */
void conf_node_name(const struct conf *c, char *node, size_t size);

/* conf_enum_name - the name of an enum key's value, for messages. */
const char *conf_enum_name(const char *key, int value);

#endif
