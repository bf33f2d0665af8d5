/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pods.c - from a pod to its processes:
 *   `pids NS/POD [--container NAME]`: the host pids of the pod's
 *     containers, each container's main process marked (the oldest whose
 *     parent is outside the container: what a tracer or nsenter wants)
 *     and its exec session (cproc_sessions);
 *   `hostpid NS/POD[/CONTAINER] PID`: the host pid of the process a
 *     container knows as PID (its innermost NSpid);
 *   `sessions [NS/POD]`: the exec sessions open in pods, as /proc alone
 *     tells them (cproc_sessions): each root with its start, command and
 *     processes; what cannot be told is counted on stderr.
 * Pods are found by their names, so they need the runtime's state or the
 * pod list; without either the pod is "not found".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "podmeta/kubelet.h"

#define SPEC_MAX KUBELET_LABEL_KEY_MAX

struct spec {
	char ns[SPEC_MAX], pod[SPEC_MAX], ctr[SPEC_MAX]; /* ctr "": any */
};

/* NS/POD, or NS/POD/CONTAINER when allow_ctr; every part non-empty. */
static int parse_spec(const char *s, int allow_ctr, struct spec *ret)
{
	const char *a = strchr(s, '/'), *b = a ? strchr(a + 1, '/') : NULL;
	size_t nlen = a ? (size_t)(a - s) : 0;
	size_t plen = b ? (size_t)(b - a - 1) : a ? strlen(a + 1) : 0;

	memset(ret, 0, sizeof *ret);
	if (!a || !nlen || !plen || (b && (!allow_ctr || !b[1] || strchr(b + 1, '/'))) ||
	    nlen >= SPEC_MAX || plen >= SPEC_MAX || (b && strlen(b + 1) >= SPEC_MAX)) {
		cli_err("'%.80s' is not %s", s, allow_ctr ?
			"NAMESPACE/POD[/CONTAINER]" : "NAMESPACE/POD");
		return -1;
	}
	memcpy(ret->ns, s, nlen);
	memcpy(ret->pod, a + 1, plen);
	if (b)
		snprintf(ret->ctr, sizeof ret->ctr, "%s", b + 1);
	return 0;
}

static int ctr_is(const struct cproc *p, const char *name)
{
	return p->named && p->nm.container && strcmp(p->nm.container, name) == 0;
}

/*
 * The indexes of the pod's processes in l (and of its container's, when
 * one is named).  0, or CLI_NOT_FOUND after saying what is missing.
 */
static int select_pod(const struct cproc_list *l, const struct spec *s,
		      size_t **ret, size_t *ret_n)
{
	size_t *idx = calloc(l->n ? l->n : 1, sizeof *idx), n = 0, k = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!idx) {
		cli_err("out of memory");
		return CLI_NOT_FOUND;
	}
	for (size_t i = 0; i < l->n; i++)
		if (cproc_pod_is(&l->v[i], s->ns, s->pod))
			idx[n++] = i;
	if (!n) {
		free(idx);
		cli_err("pod %s/%s not found", s->ns, s->pod);
		return CLI_NOT_FOUND;
	}
	if (s->ctr[0]) {
		for (size_t i = 0; i < n; i++)
			if (ctr_is(&l->v[idx[i]], s->ctr))
				idx[k++] = idx[i];
		if (!k) {
			free(idx);
			cli_err("container %s not found in %s/%s", s->ctr,
				s->ns, s->pod);
			return CLI_NOT_FOUND;
		}
		n = k;
	}
	*ret = idx;
	*ret_n = n;
	return 0;
}

/* Pod-only processes first, then by container, then by pid. */
static int by_container(const void *a, const void *b, void *arg)
{
	const struct cproc_list *l = arg;

	return cproc_cmp_in_pod(&l->v[*(const size_t *)a],
				&l->v[*(const size_t *)b]);
}

static const char *const headers[] = {
	"CONTAINER", "PID", "MAIN", "PPID", "NSPID", "EXEC", "COMMAND",
};
#define NCOLS (sizeof headers / sizeof headers[0])

static void print_pids(const struct cproc_list *l, const size_t *idx, size_t n,
		       const int *is_main, int json)
{
	struct table *t = json ? NULL : table_new(NCOLS, headers);

	for (size_t i = 0; i < n; i++) {
		const struct cproc *p = &l->v[idx[i]];
		char ctr[SPEC_MAX], pid[16], ppid[16], nspid[16], ex[16];
		const char *cells[NCOLS];

		if (json) {
			out_json_proc(stdout, p, OUT_PPID | OUT_CMD, is_main[i]);
			continue;
		}
		cells[0] = out_container(p, ctr, sizeof ctr);
		cells[1] = out_int(p->pid, pid, sizeof pid);
		cells[2] = is_main[i] ? "yes" : "no";
		cells[3] = out_int(p->ppid, ppid, sizeof ppid);
		cells[4] = out_int(p->nspid, nspid, sizeof nspid);
		cells[5] = out_exec(p, ex, sizeof ex);
		cells[6] = p->cmd;
		table_add(t, cells);
	}
	table_print(t, stdout);
	table_free(t);
}

int cmd_pids(struct cli *c, const struct cli_opts *o, int argc, char **argv)
{
	struct cproc_list l;
	struct spec s;
	size_t *idx, n;
	int *is_main, rc, e;

	if (parse_spec(argv[0], 0, &s) < 0)
		return CLI_USAGE;
	if (o->container)
		snprintf(s.ctr, sizeof s.ctr, "%s", o->container);
	if ((e = cproc_scan(c, NULL, &l)) < 0) {
		cli_err("%s: %s", c->conf.proc_root, strerror(-e));
		return CLI_NOT_FOUND;
	}
	rc = select_pod(&l, &s, &idx, &n);
	if (rc == 0) {
		cproc_sessions(c->conf.proc_root, &l, idx, n);
		qsort_r(idx, n, sizeof *idx, by_container, &l);
		is_main = calloc(n, sizeof *is_main);
		if (is_main) {
			cproc_main(&l, idx, n, is_main);
			print_pids(&l, idx, n, is_main, o->json);
		} else {
			cli_err("out of memory");
			rc = CLI_NOT_FOUND;
		}
		free(is_main);
		free(idx);
	}
	cproc_list_free(&l);
	return rc;
}

/* Several containers know PID: say which, status 1. */
static void ambiguous(const struct cproc_list *l, const size_t *hit, size_t n,
		      const struct spec *s, int32_t nspid)
{
	char msg[1024], ctr[SPEC_MAX];
	size_t len = 0;

	msg[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof msg; i++) {
		const struct cproc *p = &l->v[hit[i]];
		int k = snprintf(msg + len, sizeof msg - len, "%s%s (host pid %d)",
				 i ? ", " : "", out_container(p, ctr, sizeof ctr),
				 (int)p->pid);

		if (k < 0)
			break;
		len += (size_t)k;
	}
	cli_err("pid %d is in %zu containers of %s/%s: %s; name one as "
		"%s/%s/CONTAINER", (int)nspid, n, s->ns, s->pod, msg, s->ns, s->pod);
}

int cmd_hostpid(struct cli *c, const struct cli_opts *o, int argc, char **argv)
{
	struct cproc_list l;
	struct spec s;
	size_t *idx, n, nhit = 0;
	int32_t nspid;
	int rc, e;

	if (parse_spec(argv[0], 1, &s) < 0)
		return CLI_USAGE;
	if (cli_parse_pid(argv[1], &nspid) < 0) {
		cli_err("not a pid: '%.60s'", argv[1]);
		return CLI_USAGE;
	}
	if ((e = cproc_scan(c, NULL, &l)) < 0) {
		cli_err("%s: %s", c->conf.proc_root, strerror(-e));
		return CLI_NOT_FOUND;
	}
	rc = select_pod(&l, &s, &idx, &n);
	if (rc != 0) {
		cproc_list_free(&l);
		return rc;
	}
	cproc_sessions(c->conf.proc_root, &l, idx, n);
	/* keep the hits in idx: distinct processes, so distinct host pids */
	for (size_t i = 0; i < n; i++)
		if (l.v[idx[i]].nspid == nspid)
			idx[nhit++] = idx[i];
	if (nhit == 0) {
		cli_err("no process %d in %s/%s%s%s", (int)nspid, s.ns, s.pod,
			s.ctr[0] ? "/" : "", s.ctr);
		rc = CLI_NOT_FOUND;
	} else if (nhit > 1) {
		qsort_r(idx, nhit, sizeof *idx, by_container, &l);
		ambiguous(&l, idx, nhit, &s, nspid);
		rc = CLI_NOT_FOUND;
	} else if (o->json) {
		out_json_proc(stdout, &l.v[idx[0]], OUT_PPID | OUT_CMD, 0);
	} else {
		printf("%d\n", (int)l.v[idx[0]].pid);
	}
	free(idx);
	cproc_list_free(&l);
	return rc;
}

static const char *const sess_headers[] = {
	"NAMESPACE", "POD", "CONTAINER", "ROOT", "STARTED", "PROCS", "COMMAND",
};

/* The boot time (btime in <root>/stat), seconds; 0: unknown. */
static int64_t boot_time(const char *root)
{
	char path[4200], line[256];
	FILE *f;
	long long bt = 0;

	snprintf(path, sizeof path, "%s/stat", root);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!bt && fgets(line, sizeof line, f))
		if (sscanf(line, "btime %lld", &bt) != 1)
			bt = 0;
	fclose(f);
	return bt;
}

/* p's start as UTC ISO 8601, or "-" */
static const char *started(const struct cproc *p, int64_t btime, char *buf,
			   size_t size)
{
	long hz = sysconf(_SC_CLK_TCK);
	time_t t;
	struct tm tm;

	if (!btime || !p->start || hz <= 0)
		return "-";
	t = (time_t)(btime + (int64_t)(p->start / (uint64_t)hz));
	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return "-";
	return buf;
}

/* One session's JSON line: {"root":..,"started":..,"processes":..,
 * "process":{the root as pids --json shows it, "exec" in its k8s}}. */
static void session_json(struct cproc *p, const char *when, size_t k)
{
	char *obj = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&obj, &len);

	if (!m) {
		cli_err("out of memory");
		return;
	}
	out_json_proc(m, p, OUT_PPID | OUT_CMD, 0);
	fclose(m);
	while (len && obj[len - 1] == '\n')
		len--;
	if (len)
		printf("{\"root\":%d,\"started\":%s%s%s,\"processes\":%zu,"
		       "\"process\":%.*s}\n", (int)p->pid,
		       *when == '-' ? "" : "\"", *when == '-' ? "null" : when,
		       *when == '-' ? "" : "\"", k, (int)len, obj);
	free(obj);
}

/* The sessions of the pod's processes idx (n of them), printed. */
static void print_sessions(struct cli *c, struct cproc_list *l,
			   const size_t *idx, size_t n, int json, struct table *t)
{
	int64_t bt = boot_time(c->conf.proc_root);

	for (size_t i = 0; i < n; i++) {
		struct cproc *p = &l->v[idx[i]];
		char procs[24], when[32], ctr[CLI_SHORT_ID + 8], pid[16];
		const char *w;
		size_t k = 0;

		if (p->id.exec_root != p->pid)
			continue;
		for (size_t j = 0; j < n; j++)
			k += l->v[idx[j]].id.exec_root == p->pid;
		w = started(p, bt, when, sizeof when);
		if (json) {
			session_json(p, w, k);
			continue;
		}
		snprintf(procs, sizeof procs, "%zu", k);
		snprintf(pid, sizeof pid, "%d", (int)p->pid);
		{
			const char *cells[] = {
				p->named && p->nm.namespace_ ? p->nm.namespace_ : "",
				p->named && p->nm.pod ? p->nm.pod : p->id.pod_uid,
				out_container(p, ctr, sizeof ctr), pid, w, procs,
				p->cmd,
			};

			table_add(t, cells);
		}
	}
}

int cmd_sessions(struct cli *c, const struct cli_opts *o, int argc, char **argv)
{
	struct cproc_list l;
	struct spec s;
	size_t *idx = NULL, n = 0, unknown = 0;
	struct table *t = NULL;
	int rc = 0, e;

	if (argc > 0 && parse_spec(argv[0], 0, &s) < 0)
		return CLI_USAGE;
	if ((e = cproc_scan(c, NULL, &l)) < 0) {
		cli_err("%s: %s", c->conf.proc_root, strerror(-e));
		return CLI_NOT_FOUND;
	}
	if (argc > 0) {
		rc = select_pod(&l, &s, &idx, &n);
	} else if ((idx = calloc(l.n ? l.n : 1, sizeof *idx))) {
		for (n = 0; n < l.n; n++)
			idx[n] = n;
	} else {
		rc = CLI_NOT_FOUND;
	}
	if (rc == 0) {
		cproc_sessions(c->conf.proc_root, &l, idx, n);
		for (size_t i = 0; i < n; i++)
			unknown += l.v[idx[i]].id.exec_root == IDENT_EXEC_UNKNOWN;
		qsort_r(idx, n, sizeof *idx, by_container, &l);
		t = o->json ? NULL : table_new(7, sess_headers);
		print_sessions(c, &l, idx, n, o->json, t);
		if (t) {
			table_print(t, stdout);
			table_free(t);
		}
		if (unknown)
			cli_err("%zu processes not told: descendants of a "
				"container's pid 1 (which adopts the orphans of "
				"sessions), or in the host's pid namespace", unknown);
	}
	free(idx);
	cproc_list_free(&l);
	return rc;
}
