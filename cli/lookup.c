/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup.c - `pid2pod lookup PID...`: which container and pod each pid is
 * in, in the order given.  A pid that does not exist is said on stderr and
 * makes the status 1; the others are still printed.
 */
#include <stdio.h>

#include "cli.h"

static const char *const headers[] = {
	"PID", "NSPID", "CONTAINER-ID", "RUNTIME", "NAMESPACE", "POD",
	"CONTAINER", "IMAGE", "POD-UID",
};
#define NCOLS (sizeof headers / sizeof headers[0])

static void row(struct table *t, const struct cproc *p)
{
	char pid[16], nspid[16], cid[CLI_SHORT_ID + 1];
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
	cells[2] = state;
	cells[3] = out_runtime(p);
	cells[4] = nm ? nm->namespace_ : NULL;
	cells[5] = nm ? nm->pod : NULL;
	cells[6] = nm ? nm->container : NULL;
	cells[7] = nm ? nm->image : NULL;
	cells[8] = p->id.pod_uid;
	table_add(t, cells);
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
