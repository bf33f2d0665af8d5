/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ps.c - `pid2pod ps`: every process of the node that belongs to a pod,
 * grouped by pod, then container (a pod's sandbox and other pod-only
 * processes first, as container "-"), then pid.  Where the names are
 * unknown (--no-kubelet without runtime state) the pod UID stands for the
 * pod and the short container id for the container.  EXEC: the process's
 * exec session as /proc tells it (cproc_sessions).  Filters that match
 * nothing: status 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const headers[] = {
	"NAMESPACE", "POD", "CONTAINER", "PID", "PPID", "NSPID", "EXEC", "COMMAND",
};
#define NCOLS (sizeof headers / sizeof headers[0])

static const char *ns_of(const struct cproc *p)
{
	return p->named && p->nm.namespace_ ? p->nm.namespace_ : "";
}

static const char *pod_of(const struct cproc *p)
{
	return p->named && p->nm.pod ? p->nm.pod : p->id.pod_uid;
}

static int by_pod(const void *a, const void *b)
{
	const struct cproc *x = a, *y = b;
	int r;

	if ((r = strcmp(ns_of(x), ns_of(y))) || (r = strcmp(pod_of(x), pod_of(y))))
		return r;
	return cproc_cmp_in_pod(x, y);
}

static int wanted(const struct cli_opts *o, const struct cproc *p)
{
	if (o->ns && !(p->named && p->nm.namespace_ &&
		       strcmp(p->nm.namespace_, o->ns) == 0))
		return 0;
	if (o->pod && !(p->named && p->nm.pod && strcmp(p->nm.pod, o->pod) == 0))
		return 0;
	return 1;
}

/* Every process's session, told while l is still sorted by pid. */
static int sessions(struct cli *c, struct cproc_list *l)
{
	size_t *idx = calloc(l->n ? l->n : 1, sizeof *idx);

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		idx[i] = i;
	cproc_sessions(c->conf.proc_root, l, idx, l->n);
	free(idx);
	return 0;
}

int cmd_ps(struct cli *c, const struct cli_opts *o, int argc, char **argv)
{
	struct cproc_list l;
	struct table *t = NULL;
	size_t shown = 0;
	int e;

	e = cproc_scan(c, NULL, &l);
	if (e < 0) {
		cli_err("%s: %s", c->conf.proc_root, strerror(-e));
		return CLI_NOT_FOUND;
	}
	if (sessions(c, &l) < 0) {
		cproc_list_free(&l);
		cli_err("out of memory");
		return CLI_USAGE;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, by_pod);
	if (!o->json && !(t = table_new(NCOLS, headers))) {
		cproc_list_free(&l);
		cli_err("out of memory");
		return CLI_USAGE;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct cproc *p = &l.v[i];
		char ctr[256], pid[16], ppid[16], nspid[16], ex[16];
		const char *cells[NCOLS];

		if (!wanted(o, p))
			continue;
		shown++;
		if (o->json) {
			out_json_proc(stdout, p, OUT_PPID | OUT_CMD, 0);
			continue;
		}
		cells[0] = ns_of(p);
		cells[1] = pod_of(p);
		cells[2] = out_container(p, ctr, sizeof ctr);
		cells[3] = out_int(p->pid, pid, sizeof pid);
		cells[4] = out_int(p->ppid, ppid, sizeof ppid);
		cells[5] = out_int(p->nspid, nspid, sizeof nspid);
		cells[6] = out_exec(p, ex, sizeof ex);
		cells[7] = p->cmd;
		table_add(t, cells);
	}
	table_print(t, stdout);
	table_free(t);
	cproc_list_free(&l);
	if (!shown && (o->ns || o->pod)) {
		cli_err("no pod process%s%s%s%s", o->ns ? " in namespace " : "",
			o->ns ? o->ns : "", o->pod ? " of a pod named " : "",
			o->pod ? o->pod : "");
		return CLI_NOT_FOUND;
	}
	return CLI_OK;
}
