/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out.c - what the command prints: tables aligned like ps's (columns two
 * spaces apart, the last one not padded, "-" for what is unknown), JSON
 * objects, one per line, whose "k8s" member is the plugin's own
 * (jsonout_k8s), so a script reads both the same way, and the short forms
 * shown for a process (its pod, container, runtime).  It reads struct
 * cproc but calls nothing of proc.c (proc.c sorts by out_container).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/encode.h"
#include "output/jsonout.h"

#define TABLE_COLS_MAX 16

struct table {
	unsigned ncols;
	size_t nrows, cap;
	char **cells;          /* nrows * ncols; row 0 the headers */
	size_t width[TABLE_COLS_MAX];
	int oom;
};

struct table *table_new(unsigned ncols, const char *const *headers)
{
	struct table *t;

	if (ncols == 0 || ncols > TABLE_COLS_MAX)
		return NULL;
	t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	table_add(t, headers);
	return t;
}

void table_add(struct table *t, const char *const *cells)
{
	if (!t || t->oom)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **v = realloc(t->cells, cap * t->ncols * sizeof *v);

		if (!v) {
			t->oom = 1;
			return;
		}
		t->cells = v;
		t->cap = cap;
	}
	for (unsigned i = 0; i < t->ncols; i++) {
		const char *s = cells[i] && *cells[i] ? cells[i] : "-";
		char *d = strdup(s);

		if (!d)
			t->oom = 1;
		t->cells[t->nrows * t->ncols + i] = d;
		if (d && strlen(d) > t->width[i])
			t->width[i] = strlen(d);
	}
	t->nrows++;
}

void table_print(struct table *t, FILE *f)
{
	if (!t || t->nrows < 2)
		return; /* headers alone say nothing */
	if (t->oom) {
		cli_err("out of memory");
		return;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		for (unsigned i = 0; i < t->ncols; i++) {
			const char *s = t->cells[r * t->ncols + i];

			if (i + 1 == t->ncols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%-*s  ", (int)t->width[i], s);
		}
	}
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

const char *out_short_id(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", CLI_SHORT_ID, id);
	return buf;
}

const char *out_pod(const struct cproc *p, char *buf, size_t size)
{
	if (p->named && p->nm.namespace_ && p->nm.pod)
		snprintf(buf, size, "%s/%s", p->nm.namespace_, p->nm.pod);
	else
		snprintf(buf, size, "%s", p->id.pod_uid[0] ? p->id.pod_uid : "-");
	return buf;
}

const char *out_container(const struct cproc *p, char *buf, size_t size)
{
	if (p->named && p->nm.container)
		snprintf(buf, size, "%s", p->nm.container);
	else if (p->id.state == IDENT_CONTAINER)
		out_short_id(p->id.container_id, buf, size);
	else
		snprintf(buf, size, "-");
	return buf;
}

const char *out_runtime(const struct cproc *p)
{
	switch (p->id.runtime) {
	case RUNTIME_CONTAINERD: return "containerd";
	case RUNTIME_CRIO: return "cri-o";
	case RUNTIME_DOCKER: return "docker";
	case RUNTIME_PODMAN: return "podman";
	default: return NULL;
	}
}

const char *out_exec(const struct cproc *p, char *buf, size_t size)
{
	if (p->id.exec_root > 0) {
		snprintf(buf, size, "%d", (int)p->id.exec_root);
		return buf;
	}
	return p->id.exec_root == IDENT_EXEC_UNKNOWN ? "?" : NULL;
}

const char *out_int(int64_t n, char *buf, size_t size)
{
	if (n < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%" PRId64, n);
	return buf;
}

/* A JSON text being written into a fixed buffer; bad: it did not fit. */
struct jbuf {
	char b[CLI_JSON_MAX];
	size_t len;
	int bad;
};

static void jb_lit(struct jbuf *j, const char *s)
{
	size_t n = strlen(s);

	if (j->bad || j->len + n >= sizeof j->b) {
		j->bad = 1;
		return;
	}
	memcpy(j->b + j->len, s, n);
	j->len += n;
}

static void jb_str(struct jbuf *j, const char *s)
{
	size_t k;

	if (j->bad)
		return;
	k = encode_json_string(j->b + j->len, sizeof j->b - j->len - 1, s,
			       strlen(s));
	if (!k)
		j->bad = 1;
	j->len += k;
}

static void jb_int(struct jbuf *j, const char *key, int64_t n)
{
	char num[64];

	if (n < 0)
		snprintf(num, sizeof num, ",\"%s\":null", key);
	else
		snprintf(num, sizeof num, ",\"%s\":%" PRId64, key, n);
	jb_lit(j, num);
}

void out_json_proc(FILE *f, const struct cproc *p, int flags, int is_main)
{
	struct jbuf *j = calloc(1, sizeof *j);
	const char *rt = out_runtime(p);
	char num[32];
	size_t k;

	if (!j) {
		cli_err("out of memory");
		return;
	}
	snprintf(num, sizeof num, "{\"pid\":%d", (int)p->pid);
	jb_lit(j, num);
	if (p->id.state == IDENT_HOST) {
		jb_lit(j, ",\"host\":true}");
		goto out;
	}
	if (flags & OUT_PPID)
		jb_int(j, "ppid", p->ppid);
	jb_int(j, "nspid", p->nspid);
	jb_lit(j, ",\"runtime\":");
	if (rt)
		jb_str(j, rt);
	else
		jb_lit(j, "null");
	if (flags & OUT_CMD) {
		jb_lit(j, ",\"command\":");
		if (p->cmd)
			jb_str(j, p->cmd);
		else
			jb_lit(j, "null");
	}
	if (is_main)
		jb_lit(j, ",\"main\":true");
	jb_lit(j, ",\"k8s\":");
	if (!j->bad) {
		k = jsonout_k8s(j->b + j->len, sizeof j->b - j->len - 1, &p->id,
				p->named ? &p->nm : NULL, p->id.nspid);
		if (!k)
			j->bad = 1;
		j->len += k;
	}
	jb_lit(j, "}");
out:
	if (j->bad)
		cli_err("pid %d: its JSON object is larger than %d bytes",
			(int)p->pid, CLI_JSON_MAX);
	else
		fprintf(f, "%.*s\n", (int)j->len, j->b);
	free(j);
}
