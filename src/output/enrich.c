/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enrich.c - build the output line: the record, byte for byte, with the
 * Kubernetes fields inserted where auparse still reads them (before the 0x1D
 * tail; in user-space records before " msg='", ahead of the sender's text).
 * No allocation: fields are encoded into a stack buffer, then the three
 * pieces are copied once.  Field names never end in an audit key (below).
 */
#include <stdio.h>
#include <string.h>

#include "common/encode.h"
#include "output/enrich.h"

#define FIELDS_MAX (2 * (12 + ENRICH_LABELS_MAX))
#define FIELD_NAME_MAX 96
#define LABEL_KEY_MAX 63

const char *const enrich_field_names[] = {
	"container_id", "k8s_namespace", "k8s_pod", "k8s_container",
	"k8s_pod_id", "k8s_pid_inside", "k8s_image", "k8s_owner",
	"k8s_workload", "k8s_workload_kind", "k8s_sa", "k8s_exec", NULL,
};

/*
 * Field names ausearch/aureport look for by substring (strstr(text,
 * "uid=") in ausearch-parse.c: "uid=" is found inside "k8s_pod_uid=",
 * and the record is dropped or misread), and the kernel's and
 * user space's common names beside them.  "id" is not here: ausearch
 * looks for it only as " id=", and a bare "id=" would already hit every
 * uid=/pid= of every record.
 */
const char *const enrich_audit_keys[] = {
	"pid", "ppid", "opid", "uid", "auid", "euid", "suid", "fsuid", "ouid",
	"oauid", "loginuid", "gid", "egid", "sgid", "fsgid", "ogid", "ses",
	"oses", "subj", "obj", "tcontext", "scontext", "tclass", "comm",
	"ocomm", "exe", "key", "res", "result", "acct", "hostname", "addr",
	"saddr", "laddr", "raddr", "cwd", "terminal", "tty", "vm", "uuid",
	"type", "arch", "syscall", "success", "exit", "a0", "a1", "a2", "a3",
	"items", "path", "name", "inode", "dev", "mode", "op", "msg", "data",
	"proctitle", "argc", "sig", "grp", "cmd", "table", "family",
	NULL,
};

int enrich_name_ends_in_key(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *k = enrich_audit_keys; *k; k++) {
		size_t kl = strlen(*k);

		if (kl <= n && memcmp(name + n - kl, *k, kl) == 0)
			return 1;
	}
	return 0;
}

struct fieldbuf {
	char buf[OUTPUT_LINE_MAX + 256];
	size_t end[FIELDS_MAX]; /* offset after field i */
	unsigned n;
	int full;               /* a field did not fit at all */
};

static void put(struct fieldbuf *fb, const char *prefix, const char *name,
		const char *val, int raw)
{
	char fname[FIELD_NAME_MAX];
	size_t used = fb->n ? fb->end[fb->n - 1] : 0, w, pl, nl;

	if (fb->full || fb->n >= FIELDS_MAX || !val || !*val)
		return;
	/* prefix + name, without stdio: this runs for every field of every record */
	pl = strlen(prefix);
	nl = strlen(name);
	if (pl + nl >= sizeof fname)
		return;
	memcpy(fname, prefix, pl);
	memcpy(fname + pl, name, nl + 1);
	if (raw)
		w = encode_field_raw(fb->buf + used, sizeof fb->buf - used,
				     fname, val);
	else
		w = encode_field(fb->buf + used, sizeof fb->buf - used, fname,
				 val, strlen(val));
	if (w == 0) {
		fb->full = 1;
		return;
	}
	fb->end[fb->n++] = used + w;
}

/* k8s_label_<key>[_] for a label key */
static void label_name(char *dst, size_t cap, const char *key)
{
	char k[LABEL_KEY_MAX + 1];

	enrich_label_key(k, sizeof k, key);
	snprintf(dst, cap, "k8s_label_%s%s", k,
		 enrich_name_ends_in_key(k) ? "_" : "");
}

/* v, or "?" when sealed and v is unknown (else nothing: put skips it) */
static void put_or(struct fieldbuf *fb, const char *pfx, const char *name,
		   const char *v, int seal)
{
	if (v && *v)
		put(fb, pfx, name, v, 0);
	else if (seal)
		put(fb, pfx, name, "?", 1);
}

static void put_labels(struct fieldbuf *fb, const char *pfx,
		       const struct enrich_subject *s, int seal)
{
	const struct k8s_names *nm = s->names;
	char lname[FIELD_NAME_MAX];

	if (!seal) {
		for (unsigned i = 0; nm && i < nm->nlabels &&
		     i < ENRICH_LABELS_MAX; i++) {
			label_name(lname, sizeof lname, nm->label_keys[i]);
			put(fb, pfx, lname, nm->label_vals[i], 0);
		}
		return;
	}
	/* sealed: every configured key, in its order, the pod's value or ? */
	for (unsigned i = 0; i < s->nlabels && i < ENRICH_LABELS_MAX; i++) {
		const char *v = NULL;

		for (unsigned j = 0; nm && j < nm->nlabels &&
		     j < ENRICH_LABELS_MAX; j++)
			if (!v && strcmp(nm->label_keys[j], s->labels[i]) == 0)
				v = nm->label_vals[j];
		label_name(lname, sizeof lname, s->labels[i]);
		put_or(fb, pfx, lname, v, 1);
	}
}

/*
 * k8s_exec: the session's root, "?" when it may be in one; with seal, the
 * container's own tree says "none" and nothing told "?" (a forged
 * k8s_exec= comes after ours either way).
 */
static void put_exec(struct fieldbuf *fb, const char *pfx,
		     const struct ident *id, int seal)
{
	char root[16];

	if (id->state != IDENT_UNRESOLVED && id->exec_root > 0) {
		snprintf(root, sizeof root, "%d", (int)id->exec_root);
		put(fb, pfx, "k8s_exec", root, 0);
	} else if (id->state != IDENT_UNRESOLVED &&
		   id->exec_root == IDENT_EXEC_NONE) {
		if (seal)
			put(fb, pfx, "k8s_exec", "none", 0);
	} else if (seal || id->exec_root == IDENT_EXEC_UNKNOWN) {
		put(fb, pfx, "k8s_exec", "?", 1);
	}
}

/*
 * The subject's fields.  seal: text a process chose follows them
 * (REC_SEALED), so every name is written, "?" for what is not known, and
 * a name that text forges comes after ours (auparse_find_field and
 * ausearch read the first).  A host process gets none either way.
 */
static void put_subject(struct fieldbuf *fb, const char *pfx,
			const struct enrich_subject *s, int seal)
{
	const struct k8s_names *nm = s->names;
	const struct ident *id = s->id;
	char nspid[16] = "";

	if (!id || id->state == IDENT_NONE || id->state == IDENT_HOST)
		return;
	if (id->state == IDENT_CONTAINER)
		put(fb, pfx, "container_id", id->container_id, 0);
	else
		put(fb, pfx, "container_id", "?", 1);
	if (id->state == IDENT_UNRESOLVED) {
		nm = NULL;
		if (!seal)
			return;
	}
	put_or(fb, pfx, "k8s_namespace", nm ? nm->namespace_ : NULL, seal);
	put_or(fb, pfx, "k8s_pod", nm ? nm->pod : NULL, seal);
	put_or(fb, pfx, "k8s_container", nm ? nm->container : NULL, seal);
	put_or(fb, pfx, "k8s_pod_id",
	       id->state == IDENT_UNRESOLVED ? NULL : id->pod_uid, seal);
	if (s->nspid > 0 && id->state != IDENT_UNRESOLVED)
		snprintf(nspid, sizeof nspid, "%d", (int)s->nspid);
	put_or(fb, pfx, "k8s_pid_inside", nspid, seal);
	put_or(fb, pfx, "k8s_image", nm ? nm->image : NULL, seal);
	put_or(fb, pfx, "k8s_owner", nm ? nm->owner : NULL, seal);
	put_or(fb, pfx, "k8s_workload", nm ? nm->workload : NULL, seal);
	put_or(fb, pfx, "k8s_workload_kind", nm ? nm->workload_kind : NULL,
	       seal);
	put_or(fb, pfx, "k8s_sa", nm ? nm->sa : NULL, seal);
	put_exec(fb, pfx, id, seal);
	put_labels(fb, pfx, s, seal);
}

size_t enrich_line(char *dst, size_t cap, const struct record *r,
		   const struct enrich_subject *subj,
		   const struct enrich_subject *obj, struct enrich_stats *st)
{
	struct fieldbuf fb;
	size_t keep, flen = 0, total;

	fb.n = 0;
	fb.full = 0;
	if (subj)
		put_subject(&fb, "", subj, (r->flags & REC_SEALED) != 0);
	if (obj)
		put_subject(&fb, "o", obj, 0);

	/* keep as many fields as fit, dropping from the end of the order */
	keep = fb.n;
	while (keep > 0 && r->len + fb.end[keep - 1] + 1 > OUTPUT_LINE_MAX)
		keep--;
	if (keep)
		flen = fb.end[keep - 1];
	if (st)
		st->fields_dropped += fb.n - keep + (unsigned)fb.full;

	total = r->len + flen + 1;
	if (total > cap)
		return 0;
	memcpy(dst, r->line, r->insert_at);
	memcpy(dst + r->insert_at, fb.buf, flen);
	memcpy(dst + r->insert_at + flen, r->line + r->insert_at,
	       r->len - r->insert_at);
	dst[total - 1] = '\n';
	return total;
}

size_t enrich_malformed(char *dst, size_t cap, const char *line, size_t len,
			size_t orig_len, int has_nul)
{
	char marker[96];
	size_t mlen, room, o = 0, i;
	int cut;

	if (cap < OUTPUT_LINE_MAX)
		return 0;
	/* worst case the marker says both; size the room for it */
	mlen = (size_t)snprintf(marker, sizeof marker,
				" pid2pod_malformed=nul,long pid2pod_orig_len=%zu",
				orig_len);
	room = OUTPUT_LINE_MAX - 1 - mlen;
	for (i = 0; i < len; i++) {
		size_t need = line[i] == '\0' ? 2 : 1;

		if (o + need > room)
			break;
		if (line[i] == '\0') {
			dst[o++] = '^';
			dst[o++] = '@';
		} else {
			dst[o++] = line[i];
		}
	}
	cut = i < len || orig_len > len;
	if (cut)
		mlen = (size_t)snprintf(marker, sizeof marker,
					" pid2pod_malformed=%s pid2pod_orig_len=%zu",
					has_nul ? "nul,long" : "long", orig_len);
	else
		mlen = (size_t)snprintf(marker, sizeof marker,
					" pid2pod_malformed=nul");
	memcpy(dst + o, marker, mlen);
	o += mlen;
	dst[o++] = '\n';
	return o;
}

size_t enrich_label_key(char *dst, size_t cap, const char *key)
{
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (; *key && n + 1 < cap; key++) {
		unsigned char c = (unsigned char)*key;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			c = '_';
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}
