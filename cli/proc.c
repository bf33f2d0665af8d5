/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc.c - one process as the command shows it, and the walk over every
 * process of the node.
 *
 * The answer comes from <proc_root>/<pid>/cgroup alone (procfs_ident);
 * stat (parent, start time, comm), status (NSpid) and cmdline add what
 * they can and are simply missing from a tree that lacks them.  Names come
 * from names_lookup over the runtime's state and the pod list, copied here
 * because names_lookup's answer lives only until its next call.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"
#include "podmeta/names.h"
#include "resolve/procfs.h"



/* Control bytes would move a terminal's cursor: shown as '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* ppid and comm from stat; comm may hold spaces and parentheses. */
static void read_stat(const char *root, struct cproc *p, char *comm,
		      size_t comm_size)
{
	char buf[PROCFS_STAT_MAX];
	const char *open, *close;
	char *end;
	long v;

	comm[0] = '\0';
	if (procfs_read(root, p->pid, "stat", buf, sizeof buf) <= 0)
		return;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open || close[1] != ' ' || !close[2] ||
	    close[3] != ' ')
		return;
	snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
	errno = 0;
	v = strtol(close + 4, &end, 10);
	if (!errno && end != close + 4 && *end == ' ' && v >= 0 && v <= INT32_MAX)
		p->ppid = (int32_t)v;
}

static void read_cmd(const char *root, struct cproc *p, const char *comm)
{
	char buf[CLI_CMDLINE_MAX];
	ssize_t n = procfs_read(root, p->pid, "cmdline", buf, sizeof buf);

	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		p->cmd = strdup(buf);
	} else if (comm[0]) {
		/* no command line: a kernel thread or a zombie, as ps shows it */
		snprintf(buf, sizeof buf, "[%s]", comm);
		p->cmd = strdup(buf);
	}
	if (p->cmd)
		printable(p->cmd);
}

static const char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void copy_names(struct k8s_names *dst, const struct k8s_names *src)
{
	memset(dst, 0, sizeof *dst);
	dst->namespace_ = dup_or_null(src->namespace_);
	dst->pod = dup_or_null(src->pod);
	dst->container = dup_or_null(src->container);
	dst->image = dup_or_null(src->image);
	dst->owner = dup_or_null(src->owner);
	dst->workload = dup_or_null(src->workload);
	dst->workload_kind = dup_or_null(src->workload_kind);
	dst->sa = dup_or_null(src->sa);
	for (unsigned i = 0; i < src->nlabels && i < ENRICH_LABELS_MAX; i++) {
		dst->label_keys[i] = dup_or_null(src->label_keys[i]);
		dst->label_vals[i] = dup_or_null(src->label_vals[i]);
		dst->nlabels = i + 1;
	}
}

/* the inode of pid's ns/pid link ("pid:[4026531836]"); 0: unknown */
static uint64_t pidns_of(const char *root, int32_t pid)
{
	char path[4200], link[64]; /* a proc_root up to PATH_MAX, and the rest */
	ssize_t n;

	if ((size_t)snprintf(path, sizeof path, "%s/%d/ns/pid", root,
			     (int)pid) >= sizeof path)
		return 0;
	n = readlink(path, link, sizeof link - 1);
	if (n <= 5 || memcmp(link, "pid:[", 5) != 0)
		return 0;
	link[n] = '\0';
	return strtoull(link + 5, NULL, 10);
}

/* Everything besides the cgroup's verdict. */
static void fill(struct cli *c, struct cproc *p)
{
	const char *root = c->conf.proc_root;
	const struct k8s_names *nm;
	struct names_buf *nb;
	char comm[PROCFS_COMM_MAX];
	int32_t ns;

	read_stat(root, p, comm, sizeof comm);
	if (procfs_nspid(root, p->pid, &ns) == 0)
		p->nspid = ns > 0 ? ns : p->pid;
	read_cmd(root, p, comm);
	p->pidns = pidns_of(root, p->pid);
	if (p->id.state != IDENT_CONTAINER && p->id.state != IDENT_POD_ONLY)
		return;
	nb = malloc(sizeof *nb); /* a few KiB: not on the stack */
	if (!nb)
		return;
	if (names_lookup(c->cm, c->pc, &p->id, c->now, nb, &nm, NULL) ==
	    NAMES_KNOWN) {
		copy_names(&p->nm, nm);
		p->named = 1;
	}
	free(nb);
}

/* The cgroup's verdict: 0, or -ESRCH when there is no such process. */
static int ident(struct cli *c, int32_t pid, struct cproc *p)
{
	int r;

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = -1;
	p->nspid = -1;
	r = procfs_ident(c->conf.proc_root, pid, &p->id, &p->start, 1);
	if (r == -ENOENT || r == -ESRCH || r == -ENOTDIR) {
		memset(p, 0, sizeof *p);
		return -ESRCH;
	}
	return 0; /* other errors (EACCES, ...): unresolved, "?" */
}

int cproc_read(struct cli *c, int32_t pid, struct cproc *p)
{
	if (ident(c, pid, p) < 0)
		return -ESRCH;
	fill(c, p);
	return 0;
}

void cproc_done(struct cproc *p)
{
	struct k8s_names *nm = &p->nm;

	free((char *)nm->namespace_);
	free((char *)nm->pod);
	free((char *)nm->container);
	free((char *)nm->image);
	free((char *)nm->owner);
	free((char *)nm->workload);
	free((char *)nm->workload_kind);
	free((char *)nm->sa);
	for (unsigned i = 0; i < nm->nlabels; i++) {
		free((char *)nm->label_keys[i]);
		free((char *)nm->label_vals[i]);
	}
	free(p->cmd);
	memset(p, 0, sizeof *p);
}

static int by_pid(const void *a, const void *b)
{
	const struct cproc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int cproc_scan(struct cli *c, const struct cproc *like, struct cproc_list *ret)
{
	DIR *d = opendir(c->conf.proc_root);
	struct dirent *de;
	struct cproc p;
	int32_t pid;

	memset(ret, 0, sizeof *ret);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (cli_parse_pid(de->d_name, &pid) < 0 || ident(c, pid, &p) < 0)
			continue;
		if (p.id.state != IDENT_CONTAINER && p.id.state != IDENT_POD_ONLY)
			continue;
		if (like && !cproc_same_container(&p, like))
			continue;
		if (ret->n == ret->cap) {
			size_t cap = ret->cap ? ret->cap * 2 : 256;
			struct cproc *v;

			if (cap > CLI_PROCS_MAX ||
			    !(v = realloc(ret->v, cap * sizeof *v))) {
				closedir(d);
				cproc_list_free(ret);
				return -ENOMEM;
			}
			ret->v = v;
			ret->cap = cap;
		}
		fill(c, &p);
		ret->v[ret->n++] = p;
	}
	closedir(d);
	if (ret->n)
		qsort(ret->v, ret->n, sizeof *ret->v, by_pid);
	return 0;
}

void cproc_list_free(struct cproc_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		cproc_done(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

const struct cproc *cproc_find(const struct cproc_list *l, int32_t pid)
{
	struct cproc key = { .pid = pid };

	if (!l->n)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof *l->v, by_pid);
}

int cproc_cmp_in_pod(const struct cproc *x, const struct cproc *y)
{
	char cx[PODSNAP_STR_MAX + 1], cy[PODSNAP_STR_MAX + 1];
	int r;

	if ((x->id.state == IDENT_POD_ONLY) != (y->id.state == IDENT_POD_ONLY))
		return x->id.state == IDENT_POD_ONLY ? -1 : 1;
	if ((r = strcmp(out_container(x, cx, sizeof cx),
			out_container(y, cy, sizeof cy))) ||
	    (r = strcmp(x->id.container_id, y->id.container_id)))
		return r;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int cproc_same_container(const struct cproc *a, const struct cproc *b)
{
	if (a->id.state != b->id.state)
		return 0;
	if (a->id.state == IDENT_CONTAINER)
		return strcmp(a->id.container_id, b->id.container_id) == 0;
	if (a->id.state == IDENT_POD_ONLY)
		return a->id.pod_uid[0] && strcmp(a->id.pod_uid, b->id.pod_uid) == 0;
	return 0;
}

int cproc_pod_is(const struct cproc *p, const char *ns, const char *pod)
{
	return p->named && p->nm.namespace_ && p->nm.pod &&
	       strcmp(p->nm.namespace_, ns) == 0 && strcmp(p->nm.pod, pod) == 0;
}

/* A top process: its parent is known and outside its container. */
static int is_top(const struct cproc_list *l, const struct cproc *p)
{
	const struct cproc *parent;

	if (p->ppid < 0)
		return 0;
	parent = cproc_find(l, p->ppid);
	return !parent || !cproc_same_container(parent, p);
}

/* Older first: start time when both are known, then the pid. */
static int older(const struct cproc *a, const struct cproc *b)
{
	if (a->start && b->start && a->start != b->start)
		return a->start < b->start;
	return a->pid < b->pid;
}

void cproc_main(const struct cproc_list *l, const size_t *idx, size_t n,
		int *is_main)
{
	for (size_t i = 0; i < n; i++) {
		const struct cproc *p = &l->v[idx[i]];

		is_main[i] = is_top(l, p);
		for (size_t j = 0; is_main[i] && j < n; j++) {
			const struct cproc *q = &l->v[idx[j]];

			if (j != i && cproc_same_container(p, q) && is_top(l, q) &&
			    older(q, p))
				is_main[i] = 0;
		}
	}
}

#define SESSION_DEPTH_MAX 4096 /* parents walked, at most (no cycles) */

/* The session of l->v[idx[i]] (cproc_sessions). */
static int32_t session(const char *proc_root, const struct cproc_list *l,
		       const size_t *idx, size_t n, size_t i)
{
	const struct cproc *p = &l->v[idx[i]], *top = p, *main = NULL;
	const struct cproc *parent;
	uint64_t ns;

	for (int d = 0; d < SESSION_DEPTH_MAX; d++) {
		parent = top->ppid > 0 ? cproc_find(l, top->ppid) : NULL;
		if (!parent || !cproc_same_container(parent, top))
			break;
		top = parent;
	}
	if (top->ppid < 0)
		return IDENT_EXEC_UNKNOWN;
	for (size_t j = 0; j < n; j++) {
		const struct cproc *q = &l->v[idx[j]];

		if (cproc_same_container(q, p) && is_top(l, q) &&
		    (!main || older(q, main)))
			main = q;
	}
	if (top == main)
		return p == main || main->nspid != 1 ? IDENT_EXEC_NONE :
			IDENT_EXEC_UNKNOWN;
	ns = pidns_of(proc_root, top->ppid);
	if (top->pidns && ns && ns != top->pidns && top->nspid != 1)
		return top->pid;
	return IDENT_EXEC_UNKNOWN;
}

/* By container (cproc_same_container's key), then by index. */
static int by_ctr(const void *a, const void *b, void *arg)
{
	const struct cproc_list *l = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct cproc *x = &l->v[i], *y = &l->v[j];
	int r;

	if (x->id.state != y->id.state)
		return x->id.state < y->id.state ? -1 : 1;
	if ((r = strcmp(x->id.container_id, y->id.container_id)) ||
	    (r = strcmp(x->id.pod_uid, y->id.pod_uid)))
		return r;
	return (i > j) - (i < j);
}

void cproc_sessions(const char *proc_root, struct cproc_list *l,
		    const size_t *idx, size_t n)
{
	size_t *g = malloc((n ? n : 1) * sizeof *g), k;

	if (!g) { /* one pass over all: the same answers, slower */
		for (size_t i = 0; i < n; i++)
			l->v[idx[i]].id.exec_root = session(proc_root, l, idx, n, i);
		return;
	}
	/* one container at a time, so a node's ps is not n * n; session()
	 * reads no exec_root, so each is written as it is told */
	memcpy(g, idx, n * sizeof *g);
	qsort_r(g, n, sizeof *g, by_ctr, l);
	for (size_t i = 0; i < n; i = k) {
		for (k = i + 1; k < n && cproc_same_container(&l->v[g[i]], &l->v[g[k]]); k++)
			;
		for (size_t j = i; j < k; j++)
			l->v[g[j]].id.exec_root = session(proc_root, l, g + i, k - i, j - i);
	}
	free(g);
}
