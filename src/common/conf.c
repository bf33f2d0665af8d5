/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c - parse pid2pod.conf: `key = value` lines, like auditd.conf.
 *
 * The key table below is the single source of truth.  Parsing fills a fresh
 * struct; the caller swaps it in only when the whole file was good, so a bad
 * edit followed by SIGHUP keeps the old configuration running.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/fsafe.h"
#include "common/util.h"

static const struct conf_enum_val output_vals[] = {
	{ "syslog", OUTPUT_SYSLOG }, { "stdout", OUTPUT_STDOUT },
	{ "file", OUTPUT_FILE }, { NULL, 0 },
};
static const struct conf_enum_val input_vals[] = {
	{ "auditd", INPUT_AUDITD }, { "go-audit", INPUT_GOAUDIT }, { NULL, 0 },
};
static const struct conf_enum_val format_vals[] = {
	{ "text", FORMAT_TEXT }, { "json", FORMAT_JSON }, { NULL, 0 },
};
static const struct conf_enum_val schema_vals[] = {
	{ "native", SCHEMA_NATIVE }, { "ecs", SCHEMA_ECS },
	{ "otel", SCHEMA_OTEL }, { NULL, 0 },
};
static const struct conf_enum_val bool_vals[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};
static const struct conf_enum_val overflow_vals[] = {
	{ "block", OVERFLOW_BLOCK }, { "drop", OVERFLOW_DROP }, { NULL, 0 },
};
/* Names as audisp-syslog spells them; "LOG_" prefix and case are optional. */
static const struct conf_enum_val facility_vals[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { NULL, 0 },
};
static const struct conf_enum_val priority_vals[] = {
	{ "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
	{ "err", LOG_ERR }, { "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
	{ "debug", LOG_DEBUG }, { NULL, 0 },
};

#define KEY(n, t) .name = #n, .type = (t), .offset = offsetof(struct conf, n), \
		  .size = sizeof(((struct conf *)0)->n)

const struct conf_key conf_keys[] = {
	{ KEY(input, CONF_T_ENUM), .def = "auditd", .vals = input_vals,
	  .doc = "auditd: audit records from auditd (the plugin); go-audit: go-audit's JSON lines on stdin (output_format, json_schema and node_name do not apply)" },
	{ KEY(output, CONF_T_ENUM), .def = "syslog", .vals = output_vals,
	  .doc = "where enriched records go: syslog, stdout or file" },
	{ KEY(output_file, CONF_T_PATH), .def = "/var/log/audit/pid2pod.log",
	  .doc = "the file for output = file (appended; reopened on SIGHUP)" },
	{ KEY(output_format, CONF_T_ENUM), .def = "text", .vals = format_vals,
	  .doc = "text: audit lines with fields appended; json: one object per event" },
	{ KEY(json_schema, CONF_T_ENUM), .def = "native", .vals = schema_vals,
	  .doc = "field names of output_format = json: native (pid2pod's own), ecs (Elastic Common Schema) or otel (OpenTelemetry semantic conventions)" },
	{ KEY(syslog_facility, CONF_T_ENUM), .def = "user", .vals = facility_vals,
	  .doc = "syslog facility for output = syslog (as audisp-syslog: user, local0..local7, ...)" },
	{ KEY(syslog_priority, CONF_T_ENUM), .def = "info", .vals = priority_vals,
	  .doc = "syslog priority for output = syslog" },
	{ KEY(syslog_socket, CONF_T_PATH), .def = "/dev/log",
	  .doc = "the syslog daemon's socket, for output = syslog and for the plugin's own messages (a DaemonSet may mount its rsyslog's elsewhere)" },
	{ KEY(proc_root, CONF_T_PATH), .def = "/proc",
	  .doc = "where the host's /proc is (a DaemonSet mounts it elsewhere)" },
	{ KEY(node_name, CONF_T_STRING), .def = "",
	  .doc = "this node's name; records of other nodes pass untouched (empty: this host's name, short or FQDN)" },
	{ KEY(queue_max_bytes, CONF_T_SIZE), .def = "8M", .min = 64 * 1024,
	  .max = 1ULL << 30,
	  .doc = "bytes of records held while output is slow (K, M, G suffixes)" },
	{ KEY(overflow_action, CONF_T_ENUM), .def = "block", .vals = overflow_vals,
	  .doc = "when the queue is full: block (stop reading; auditd's queue decides) or drop (counted)" },
	{ KEY(batch_ms, CONF_T_UINT), .def = "20", .min = 0, .max = 100,
	  .doc = "while auditd's records come in small reads, wait this many milliseconds before the next read, so one wakeup takes many (each record waits at most this long; 0: read at once)" },
	{ KEY(proc_connector, CONF_T_BOOL), .def = "yes", .vals = bool_vals,
	  .doc = "follow fork/exec/exit through the kernel's process connector, so short-lived processes resolve (needs root)" },
	{ KEY(sandbox, CONF_T_BOOL), .def = "yes", .vals = bool_vals,
	  .doc = "after start-up, confine the plugin with Landlock to the paths and the kubelet port this file names, and kill it on exec or ptrace (seccomp); set at start, see pid2pod.conf(5)" },
	{ KEY(runtime_state_dirs, CONF_T_STRING),
	  .def = "/run/containerd/io.containerd.runtime.v2.task /run/k3s/containerd/io.containerd.runtime.v2.task /run/containers/storage/overlay-containers /var/lib/docker/containers",
	  .doc = "container runtimes' state directories (containerd, k3s, CRI-O, Docker), space-separated; empty: not used" },
	{ KEY(containerd_namespace, CONF_T_STRING), .def = "k8s.io",
	  .doc = "containerd namespace of the Kubernetes containers" },
	{ KEY(metrics_file, CONF_T_PATH), .def = "",
	  .doc = "counters in node_exporter's textfile format, rewritten atomically (empty: none)" },
	{ KEY(metrics_interval, CONF_T_UINT), .def = "60", .min = 1, .max = 86400,
	  .doc = "seconds between two writes of metrics_file" },
	{ KEY(status_interval, CONF_T_UINT), .def = "0", .min = 0, .max = 86400,
	  .doc = "seconds between one-line status messages to syslog (0: none)" },
	{ KEY(log_file, CONF_T_PATH), .def = "",
	  .doc = "diagnostics also appended here (stderr is /dev/null under auditd; empty: syslog only)" },
	{ KEY(kubelet_url, CONF_T_STRING), .def = "",
	  .doc = "the kubelet, for pod names, owner and labels (empty: https://<node_name>:10250 at 127.0.0.1; http:// only when written here)" },
	{ KEY(kubelet_token_file, CONF_T_PATH), .def = CONF_DEFAULT_TOKEN_FILE,
	  .doc = "bearer token for the kubelet, re-read every minute and on 401 (the default is used only when it exists)" },
	{ KEY(kubelet_ca_file, CONF_T_PATH), .def = CONF_DEFAULT_KUBELET_CA,
	  .doc = "CA that signed the kubelet's serving certificate (the default, when absent: the system's CAs)" },
	{ KEY(kubelet_client_cert, CONF_T_PATH), .def = "",
	  .doc = "client certificate for the kubelet, instead of or besides the token (with kubelet_client_key)" },
	{ KEY(kubelet_client_key, CONF_T_PATH), .def = "",
	  .doc = "private key of kubelet_client_cert" },
	{ KEY(kubelet_insecure_skip_verify, CONF_T_BOOL), .def = "no", .vals = bool_vals,
	  .doc = "do not check the kubelet's certificate (anyone answering on its address gets the token; logged loudly)" },
	{ KEY(kubelet_refresh_interval, CONF_T_UINT), .def = "10", .min = 1, .max = 3600,
	  .doc = "seconds between two fetches of the pod list (an unknown container fetches sooner, at most once a second)" },
	{ KEY(kubelet_max_bytes, CONF_T_SIZE), .def = "64M", .min = 64 * 1024,
	  .max = 1ULL << 30,
	  .doc = "largest pod list taken from the kubelet (K, M, G suffixes)" },
	{ KEY(hold_ms, CONF_T_UINT), .def = "300", .min = 0, .max = 5000,
	  .doc = "milliseconds a record of a container not yet in the pod list may wait for the fetch it started (0: never)" },
	{ KEY(pod_grace, CONF_T_UINT), .def = "300", .min = 0, .max = 86400,
	  .doc = "seconds a deleted pod's names are kept for late records" },
	{ KEY(labels, CONF_T_STRING), .def = "",
	  .doc = "pod labels to add as k8s_label_<key> (text) and k8s.labels (JSON), space-separated, at most 16" },
};
const size_t conf_nkeys = sizeof conf_keys / sizeof conf_keys[0];

struct errbuf {
	char *p;
	size_t size, used;
	int count;
};

__attribute__((format(printf, 4, 5)))
static void err_add(struct errbuf *e, const char *file, unsigned line,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	e->count++;
	if (!e->p || e->used + 1 >= e->size)
		return;
	n = snprintf(e->p + e->used, e->size - e->used, "%s:%u: ", file, line);
	if (n > 0 && e->used + (size_t)n < e->size) {
		e->used += (size_t)n;
		va_start(ap, fmt);
		n = vsnprintf(e->p + e->used, e->size - e->used, fmt, ap);
		va_end(ap);
		if (n > 0)
			e->used += (size_t)n;
	}
	if (e->used >= e->size - 1)
		e->used = e->size - 1;
	else
		e->p[e->used++] = '\n';
	e->p[e->used] = '\0';
}

static const struct conf_key *key_find(const char *name, size_t len)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strlen(conf_keys[i].name) == len &&
		    memcmp(conf_keys[i].name, name, len) == 0)
			return &conf_keys[i];
	return NULL;
}

static int enum_lookup(const struct conf_enum_val *v, const char *s, int *ret)
{
	if (strncasecmp(s, "LOG_", 4) == 0 && v == facility_vals)
		s += 4;
	else if (strncasecmp(s, "LOG_", 4) == 0 && v == priority_vals)
		s += 4;
	for (; v->name; v++)
		if (strcasecmp(v->name, s) == 0) {
			*ret = v->value;
			return 0;
		}
	return -EINVAL;
}

void conf_node_name(const struct conf *c, char *node, size_t size)
{
	if (c->node_name[0]) {
		snprintf(node, size, "%s", c->node_name);
		return;
	}
	if (gethostname(node, size) < 0)
		node[0] = '\0';
	node[size - 1] = '\0';
}

const char *conf_enum_name(const char *key, int value)
{
	const struct conf_key *k = key_find(key, strlen(key));

	if (!k || (k->type != CONF_T_ENUM && k->type != CONF_T_BOOL))
		return "?";
	for (const struct conf_enum_val *v = k->vals; v->name; v++)
		if (v->value == value)
			return v->name;
	return "?";
}

/* "8M" -> 8388608; plain digits, optional K/M/G (powers of 1024). */
static int parse_size(const char *s, unsigned long long *ret)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(*p - '0');
	}
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; p++; break;
	case 'm': case 'M': mul = 1ULL << 20; p++; break;
	case 'g': case 'G': mul = 1ULL << 30; p++; break;
	default: return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	if (v > ULLONG_MAX / mul)
		return -ERANGE;
	*ret = v * mul;
	return 0;
}

static void enum_list(const struct conf_enum_val *v, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; v->name && used < size; v++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? ", " : "", v->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Set one key from its textual value; returns 0 or -errno with *why set. */
static int key_set(struct conf *c, const struct conf_key *k, const char *val,
		   const char **why)
{
	char *field = (char *)c + k->offset;
	unsigned long long n;
	int e;

	switch (k->type) {
	case CONF_T_PATH:
		if (*val && val[0] != '/') {
			*why = "must be an absolute path";
			return -EINVAL;
		}
		/* fall through */
	case CONF_T_STRING:
		if (strlen(val) >= k->size) {
			*why = "is too long";
			return -ENAMETOOLONG;
		}
		memset(field, 0, k->size);
		memcpy(field, val, strlen(val));
		return 0;
	case CONF_T_BOOL:
	case CONF_T_ENUM:
		if (enum_lookup(k->vals, val, (int *)(void *)field) < 0) {
			*why = "is not one of the allowed values";
			return -EINVAL;
		}
		return 0;
	case CONF_T_UINT:
	case CONF_T_SIZE:
		e = parse_size(val, &n);
		if (e < 0 || (k->type == CONF_T_UINT &&
			      !isdigit((unsigned char)val[strlen(val) - 1]))) {
			*why = k->type == CONF_T_UINT ? "is not a whole number" :
			       "is not a size (digits with an optional K, M or G)";
			return e < 0 ? e : -EINVAL;
		}
		if (n < k->min || n > k->max) {
			*why = "is out of range";
			return -ERANGE;
		}
		*(unsigned long long *)(void *)field = n;
		return 0;
	}
	*why = "has an unknown type";
	return -EINVAL;
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < conf_nkeys; i++) {
		const char *why = NULL;

		if (key_set(c, &conf_keys[i], conf_keys[i].def, &why) < 0)
			abort(); /* a broken table is a build bug */
	}
}

/* A label key as Kubernetes allows it: [prefix/]name of [A-Za-z0-9._-]. */
static int label_key_ok(const char *k)
{
	size_t n = strlen(k), slash = strcspn(k, "/");

	if (n == 0 || n > 253 + 1 + 63 || k[0] == '/' || k[n - 1] == '/')
		return 0;
	if (slash < n && strchr(k + slash + 1, '/'))
		return 0;
	return strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-/") == n;
}

unsigned conf_labels(const struct conf *c, char *buf, size_t size,
		     const char **keys)
{
	char *p, *save = NULL;
	unsigned n = 0;

	snprintf(buf, size, "%s", c->labels);
	for (p = strtok_r(buf, " \t,", &save); p && n < CONF_LABELS_MAX;
	     p = strtok_r(NULL, " \t,", &save))
		keys[n++] = p;
	return n;
}

static void conf_check_kubelet(const struct conf *c, const char *name,
			       struct errbuf *e)
{
	const char *u = c->kubelet_url;
	char buf[sizeof c->labels], *p, *save = NULL;
	unsigned n = 0;

	if (*u && strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		err_add(e, name, 0, "kubelet_url: '%s' must start with https:// "
			"(or http:// for the read-only port)", u);
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || *u == 0x7f) {
			err_add(e, name, 0, "kubelet_url: spaces or control "
				"bytes in the URL");
			break;
		}
	if (!c->kubelet_client_cert[0] != !c->kubelet_client_key[0])
		err_add(e, name, 0, "kubelet_client_cert and kubelet_client_key "
			"go together");
	memcpy(buf, c->labels, sizeof buf);
	for (p = strtok_r(buf, " \t,", &save); p;
	     p = strtok_r(NULL, " \t,", &save)) {
		if (!label_key_ok(p))
			err_add(e, name, 0, "labels: '%s' is not a label key", p);
		n++;
	}
	if (n > CONF_LABELS_MAX)
		err_add(e, name, 0, "labels: more than %d keys", CONF_LABELS_MAX);
}

/* Checks that need several keys at once. */
static void conf_check(const struct conf *c, const char *name,
		       struct errbuf *e)
{
	if (c->output == OUTPUT_FILE && !c->output_file[0])
		err_add(e, name, 0, "output = file needs output_file");
	/* names for JSON events in a text output: a mistake, not a choice */
	if (c->json_schema != SCHEMA_NATIVE && c->output_format != FORMAT_JSON &&
	    c->input != INPUT_GOAUDIT)
		err_add(e, name, 0, "json_schema = %s needs output_format = json",
			conf_enum_name("json_schema", c->json_schema));
	if (!c->proc_root[0])
		err_add(e, name, 0, "proc_root must not be empty");
	{
		char dirs[sizeof c->runtime_state_dirs], *p, *save = NULL;
		unsigned n = 0;

		memcpy(dirs, c->runtime_state_dirs, sizeof dirs);
		for (p = strtok_r(dirs, " \t,", &save); p;
		     p = strtok_r(NULL, " \t,", &save)) {
			if (*p != '/')
				err_add(e, name, 0, "runtime_state_dirs: '%s' "
					"must be an absolute path", p);
			n++;
		}
		if (n > CONF_RUNTIME_DIRS_MAX)
			err_add(e, name, 0, "runtime_state_dirs: more than %d "
				"directories", CONF_RUNTIME_DIRS_MAX);
	}
	conf_check_kubelet(c, name, e);
	if (!c->containerd_namespace[0] ||
	    strspn(c->containerd_namespace, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(c->containerd_namespace) ||
	    strcmp(c->containerd_namespace, ".") == 0 ||
	    strcmp(c->containerd_namespace, "..") == 0)
		err_add(e, name, 0, "containerd_namespace: '%s' is not a "
			"namespace name", c->containerd_namespace);
}

static void trim(char **s, char **end)
{
	while (*s < *end && isspace((unsigned char)**s))
		(*s)++;
	while (*end > *s && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

int conf_parse_buf(const char *name, const char *buf, size_t len,
		   struct conf *ret, char *err, size_t err_size)
{
	struct errbuf e = { err, err_size, 0, 0 };
	unsigned char seen[sizeof conf_keys / sizeof conf_keys[0]] = { 0 };
	struct conf c;
	const char *p = buf, *bend = buf + len;
	unsigned lineno = 0;

	if (err && err_size)
		err[0] = '\0';
	conf_defaults(&c);
	while (p < bend) {
		const char *nl = memchr(p, '\n', (size_t)(bend - p));
		const char *lend = nl ? nl : bend;
		char line[CONF_LINE_MAX];
		char *s, *end, *eq, *v, *vend;
		const struct conf_key *k;
		const char *why = NULL;
		size_t ll = (size_t)(lend - p);

		lineno++;
		if (ll >= sizeof line) {
			err_add(&e, name, lineno, "line longer than %d bytes",
				CONF_LINE_MAX - 1);
			p = nl ? nl + 1 : bend;
			continue;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl ? nl + 1 : bend;
		if (memchr(line, '\0', ll)) {
			err_add(&e, name, lineno, "NUL byte in line");
			continue;
		}
		s = line;
		end = line + ll;
		trim(&s, &end);
		if (s == end || *s == '#')
			continue;
		eq = memchr(s, '=', (size_t)(end - s));
		if (!eq) {
			err_add(&e, name, lineno, "expected 'key = value'");
			continue;
		}
		v = eq + 1;
		vend = end;
		trim(&v, &vend);
		*vend = '\0';
		end = eq;
		trim(&s, &end);
		k = key_find(s, (size_t)(end - s));
		*end = '\0';
		if (!k) {
			err_add(&e, name, lineno, "unknown key '%s'", s);
			continue;
		}
		if (seen[k - conf_keys]++) {
			err_add(&e, name, lineno, "'%s' set twice", k->name);
			continue;
		}
		if (key_set(&c, k, v, &why) < 0) {
			char allowed[256] = "";

			if (k->type == CONF_T_ENUM || k->type == CONF_T_BOOL)
				enum_list(k->vals, allowed, sizeof allowed);
			err_add(&e, name, lineno, "%s: '%s' %s%s%s", k->name, v,
				why, *allowed ? ": " : "", allowed);
		}
	}
	conf_check(&c, name, &e);
	if (e.count)
		return -EINVAL;
	*ret = c;
	return 0;
}

int conf_load(const char *path, struct conf *ret, char *err, size_t err_size)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	char why[FSAFE_WHY_MAX];
	struct stat st;
	ssize_t n;
	int e;

	if (err && err_size)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, err_size, "%s:0: cannot open: %s\n", path,
			 strerror(e));
		return -e;
	}
	e = fsafe_trusted(fd, path, why, sizeof why);
	if (e < 0) {
		snprintf(err, err_size, "%s:0: refused: %s\n", path, why);
		return e;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > CONF_FILE_MAX_BYTES) {
		snprintf(err, err_size, "%s:0: larger than %d bytes\n", path,
			 CONF_FILE_MAX_BYTES);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		snprintf(err, err_size, "%s:0: read: %s\n", path,
			 strerror((int)-n));
		return (int)n;
	}
	return conf_parse_buf(path, buf, (size_t)n, ret, err, err_size);
}

void conf_print_default(FILE *f)
{
	fprintf(f, "# pid2pod.conf - configuration of audisp-pid2pod.\n"
		   "# Generated from the key table (audisp-pid2pod "
		   "--print-config); see pid2pod.conf(5).\n"
		   "# Every key is shown at its default.\n");
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		fprintf(f, "\n# %s\n", k->doc);
		if (k->type == CONF_T_ENUM || k->type == CONF_T_BOOL) {
			char allowed[256];

			enum_list(k->vals, allowed, sizeof allowed);
			fprintf(f, "# one of: %s\n", allowed);
		}
		fprintf(f, "%s =%s%s\n", k->name, *k->def ? " " : "", k->def);
	}
}
