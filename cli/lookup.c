/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup.c - `pid2pod lookup PID...`: which container and pod each pid is
 * in, in the order given, and its exec session (EXEC, k8s's "exec"): for
 * a pod's process, its container's processes are read (cproc_scan) and
 * told by the rule of ps (cproc_sessions); when that read does not find
 * the same process (gone, or its pid reused in between): "?".  A pid
 * that does not exist is said on stderr and makes the status 1; the
 * others are still printed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char *const headers[] = {
	"PID", "NSPID", "EXEC", "CONTAINER-ID", "RUNTIME", "NAMESPACE", "POD",
	"CONTAINER", "IMAGE", "POD-UID",
};
#define NCOLS (sizeof headers / sizeof headers[0])

static void row(struct table *t, const struct cproc *p)
{
	char pid[16], nspid[16], ex[16], cid[CLI_SHORT_ID + 1];
	const struct k8s_names *nm = p->named ? &p->nm : NULL;
	const char *state;
	const char *cells[NCOLS];

	switch (p->id.state) {
	case IDENT_HOST: state = "host"; break;
	case IDENT_CONTAINER: state = out_short_id(p->id.container_id, cid,
						   sizeof cid); break;
	case IDENT_POD_ONLY: state = "-"; break;
	default: state = "?"; break;
	}
	cells[0] = out_int(p->pid, pid, sizeof pid);
	cells[1] = out_int(p->nspid, nspid, sizeof nspid);
	cells[2] = out_exec(p, ex, sizeof ex);
	cells[3] = state;
	cells[4] = out_runtime(p);
	cells[5] = nm ? nm->namespace_ : NULL;
	cells[6] = nm ? nm->pod : NULL;
	cells[7] = nm ? nm->container : NULL;
	cells[8] = nm ? nm->image : NULL;
	cells[9] = p->id.pod_uid;
	table_add(t, cells);
}

/* p's exec session into p->id.exec_root (a host process's stays 0). */
static void session_of(struct cli *c, struct cproc *p)
{
	struct cproc_list l;
	const struct cproc *q;
	size_t *idx;

	if (p->id.state == IDENT_UNRESOLVED)
		p->id.exec_root = IDENT_EXEC_UNKNOWN;
	if (p->id.state != IDENT_CONTAINER && p->id.state != IDENT_POD_ONLY)
		return;
	p->id.exec_root = IDENT_EXEC_UNKNOWN;
	if (cproc_scan(c, p, &l) < 0)
		return;
	idx = calloc(l.n ? l.n : 1, sizeof *idx);
	if (idx) {
		for (size_t i = 0; i < l.n; i++)
			idx[i] = i;
		cproc_sessions(c->conf.proc_root, &l, idx, l.n);
		q = cproc_find(&l, p->pid);
		if (q && q->start == p->start && cproc_same_container(q, p))
			p->id.exec_root = q->id.exec_root;
	}
	free(idx);
	cproc_list_free(&l);
}

int cmd_lookup(struct cli *c, const struct cli_opts *o, int argc, char **argv)
{
	struct table *t = NULL;
	struct cproc p;
	int32_t pid;
	int rc = CLI_OK;

	for (int i = 0; i < argc; i++)
		if (cli_parse_pid(argv[i], &pid) < 0) {
			cli_err("not a pid: '%.60s'", argv[i]);
			return CLI_USAGE;
		}
	if (!o->json && !(t = table_new(NCOLS, headers))) {
		cli_err("out of memory");
		return CLI_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		cli_parse_pid(argv[i], &pid);
		if (cproc_read(c, pid, &p) < 0) {
			cli_err("no process %d", (int)pid);
			rc = CLI_NOT_FOUND;
			continue;
		}
		session_of(c, &p);
		if (o->json)
			out_json_proc(stdout, &p, 0, 0);
		else
			row(t, &p);
		cproc_done(&p);
	}
	table_print(t, stdout);
	table_free(t);
	return rc;
}
