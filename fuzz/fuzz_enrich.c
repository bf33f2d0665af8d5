/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_enrich.c - the field inserter on attacker-chosen values: the names
 * and labels come from pod lists and runtime state files, the record from
 * the audit stream.  fuzz_record keeps the values fixed; here they are the
 * input too.  Checked against an independent model of the contract: the
 * fields present are a prefix of the fields due, in their order, each
 * named right and encoded the audit way (quoted when safe, uppercase hex
 * otherwise, "?" for an unresolved container id, and in sealed records,
 * REC_SEALED, for every name not known) and decoding to the
 * value given; everything fits in OUTPUT_LINE_MAX when the record does, all
 * of them when there is room, and what was left out is counted.  The same
 * values through jsonout_k8s must give one valid UTF-8 JSON object in room
 * for the worst case (6 bytes per input byte), and nothing at all in one
 * byte less than it takes.
 *
 * Input: byte 0 subject state (low 3 bits) and label count (high 4 bits),
 * byte 1 object state (low 3 bits) and the subject's exec session (bits
 * 3-4), bytes 2-5 nspid; then NUL-separated strings:
 * container_id, pod_uid, namespace, pod, container, image, owner, sa,
 * workload, workload_kind, and a key and a value per label; the rest is the record line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "input/record.h"
#include "output/enrich.h"
#include "output/jsonout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIXED 10
#define DUE_MAX (2 * (12 + ENRICH_LABELS_MAX))

struct due {
	char name[128];
	const char *val; /* NULL: the raw "?" */
	size_t len;
};

static int needs_hex(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"' || c < 0x21 || c >= 0x7f)
			return 1;
	}
	return 0;
}

static size_t due_bytes(const struct due *d)
{
	size_t n = 2 + strlen(d->name); /* " name=" */

	if (!d->val)
		return n + 1;
	return n + (needs_hex(d->val, d->len) ? 2 * d->len : d->len + 2);
}

static void add(struct due *due, unsigned *n, const char *pfx,
		const char *name, const char *val)
{
	if (!val || !*val || *n >= DUE_MAX)
		return;
	strcpy(due[*n].name, pfx);
	strcat(due[*n].name, name);
	due[*n].val = val;
	due[*n].len = strlen(val);
	(*n)++;
}

/* val, or "?" (NULL) when sealed and val is unknown */
static void add_or(struct due *due, unsigned *n, const char *pfx,
		   const char *name, const char *val, int seal)
{
	if ((val && *val) || !seal) {
		add(due, n, pfx, name, val);
		return;
	}
	if (*n >= DUE_MAX)
		return;
	strcpy(due[*n].name, pfx);
	strcat(due[*n].name, name);
	due[*n].val = NULL;
	due[(*n)++].len = 0;
}

/* k8s_label_<key>[_], made here without enrich.c's helpers */
static void label_field(char *key, const char *raw)
{
	size_t k;

	strcpy(key, "k8s_label_");
	k = strlen(key);
	for (const char *p = raw; *p && k < 10 + 63; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		key[k++] = (char)c;
	}
	key[k] = '\0';
	if (enrich_name_ends_in_key(key + 10))
		strcat(key, "_");
}

/* The model: the fields due for one side, in the order enrich.h gives. */
static void model(struct due *due, unsigned *n, const char *pfx,
		  const struct ident *id, const struct k8s_names *nm,
		  const char *nspid, int seal, const char *const *cfg,
		  unsigned ncfg)
{
	char key[64 + 16];

	if (id->state == IDENT_NONE || id->state == IDENT_HOST)
		return;
	if (id->state == IDENT_CONTAINER)
		add(due, n, pfx, "container_id", id->container_id);
	else
		add_or(due, n, pfx, "container_id", NULL, 1);
	if (id->state == IDENT_UNRESOLVED) {
		if (!seal)
			return;
		static const char *const names[] = { "k8s_namespace",
			"k8s_pod", "k8s_container", "k8s_pod_id",
			"k8s_pid_inside", "k8s_image", "k8s_owner",
			"k8s_workload", "k8s_workload_kind", "k8s_sa",
			"k8s_exec" };

		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			add_or(due, n, pfx, names[i], NULL, 1);
		for (unsigned i = 0; i < ncfg; i++) {
			label_field(key, cfg[i]);
			add_or(due, n, pfx, key, NULL, 1);
		}
		return;
	}
	add_or(due, n, pfx, "k8s_namespace", nm->namespace_, seal);
	add_or(due, n, pfx, "k8s_pod", nm->pod, seal);
	add_or(due, n, pfx, "k8s_container", nm->container, seal);
	add_or(due, n, pfx, "k8s_pod_id", id->pod_uid, seal);
	add_or(due, n, pfx, "k8s_pid_inside", nspid, seal);
	add_or(due, n, pfx, "k8s_image", nm->image, seal);
	add_or(due, n, pfx, "k8s_owner", nm->owner, seal);
	add_or(due, n, pfx, "k8s_workload", nm->workload, seal);
	add_or(due, n, pfx, "k8s_workload_kind", nm->workload_kind, seal);
	add_or(due, n, pfx, "k8s_sa", nm->sa, seal);
	/* the session: its root; "?" when it may be in one (or, sealed,
	 * nothing told); sealed, the container's own tree says none */
	if (id->exec_root > 0) {
		static char root[16]; /* due[] keeps the pointer */

		snprintf(root, sizeof root, "%d", (int)id->exec_root);
		add(due, n, pfx, "k8s_exec", root);
	} else if (id->exec_root == IDENT_EXEC_NONE) {
		add(due, n, pfx, "k8s_exec", seal ? "none" : NULL);
	} else {
		add_or(due, n, pfx, "k8s_exec", NULL,
		       seal || id->exec_root == IDENT_EXEC_UNKNOWN);
	}
	if (!seal) {
		for (unsigned i = 0; i < nm->nlabels; i++) {
			label_field(key, nm->label_keys[i]);
			add(due, n, pfx, key, nm->label_vals[i]);
		}
		return;
	}
	for (unsigned i = 0; i < ncfg; i++) {
		const char *v = NULL;

		for (unsigned j = 0; j < nm->nlabels && !v; j++)
			if (strcmp(nm->label_keys[j], cfg[i]) == 0)
				v = nm->label_vals[j];
		label_field(key, cfg[i]);
		add_or(due, n, pfx, key, v, 1);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* lowercase hex is not audit's */
}

/* One " name=value" at *p (end e) must be d; advances *p. */
static void expect_field(const char **p, const char *e, const struct due *d)
{
	const char *s = *p;
	size_t nl = strlen(d->name);

	if ((size_t)(e - s) < nl + 2 || s[0] != ' ' ||
	    memcmp(s + 1, d->name, nl) != 0 || s[1 + nl] != '=')
		abort();
	s += nl + 2;
	if (!d->val) {
		if (s >= e || *s != '?')
			abort();
		*p = s + 1;
		return;
	}
	if (needs_hex(d->val, d->len)) {
		if ((size_t)(e - s) < 2 * d->len)
			abort();
		for (size_t i = 0; i < d->len; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

			if (hi < 0 || lo < 0 ||
			    (unsigned char)(hi * 16 + lo) != (unsigned char)d->val[i])
				abort();
		}
		*p = s + 2 * d->len;
	} else {
		if ((size_t)(e - s) < d->len + 2 || s[0] != '"' ||
		    memcmp(s + 1, d->val, d->len) != 0 || s[1 + d->len] != '"')
			abort();
		*p = s + d->len + 2;
	}
}

static int valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 :
			   (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;

		if (k == 9 || (k == 1 && c < 0xc2) || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if (((unsigned char)s[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/*
 * Room for the worst case: every input byte escaped to \u00XX (6 bytes),
 * plus the keys, quotes and separators around at most all the fields.
 */
#define JSON_ROOM(size) (6 * (size) + 1024 + 32 * ENRICH_LABELS_MAX)

static void check_json(const struct ident *id, const struct k8s_names *nm,
		       int nspid, size_t size)
{
	size_t cap = JSON_ROOM(size), n;
	char *buf = malloc(cap), *again = malloc(cap);
	struct json_tokener *tok;
	struct json_object *o;

	n = jsonout_k8s(buf, cap, id, nm, nspid);
	if (n == 0) {
		/* nothing for a host process; everything else fits the room */
		if (id->state != IDENT_NONE && id->state != IDENT_HOST)
			abort();
		free(buf);
		free(again);
		return;
	}
	if (n >= cap || memchr(buf, '\n', n) || !valid_utf8(buf, n))
		abort();
	/* exactly n bytes of room is enough; one less gives nothing, never
	 * a cut object */
	if (jsonout_k8s(again, n, id, nm, nspid) != n ||
	    memcmp(again, buf, n) != 0 ||
	    jsonout_k8s(again, n - 1, id, nm, nspid) != 0)
		abort();
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, buf, (int)n);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n ||
	    !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "container_id", NULL))
		abort();
	json_object_put(o);
	json_tokener_free(tok);
	free(buf);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[ENRICH_LINE_BUF];
	const char *str[NFIXED + 2 * ENRICH_LABELS_MAX];
	struct ident sid = { 0 }, oid = { 0 };
	struct k8s_names nm = { 0 };
	struct due due[DUE_MAX];
	struct enrich_stats st = { 0 };
	const char *cfg[ENRICH_LABELS_MAX];
	unsigned ncfg = 0;
	struct enrich_subject s = { .id = &sid, .names = &nm, .labels = cfg },
			      o = { .id = &oid, .names = &nm };
	struct record r;
	char *copy, nspid_s[16] = "";
	const char *line, *p, *e;
	unsigned nstr, ndue = 0, present = 0;
	size_t pos = 6, len, n, fields_len, due_len = 0;
	int32_t nspid;

	if (size < 6 || size > 3 * RECORD_MAX)
		return 0;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	nm.nlabels = (data[0] >> 4) % (ENRICH_LABELS_MAX + 1);
	nstr = NFIXED + 2 * nm.nlabels;
	for (unsigned i = 0; i < nstr; i++) {
		const char *z = memchr(copy + pos, '\0', size + 1 - pos);

		str[i] = copy + pos;
		pos = (size_t)(z - copy) + (pos < size);
		if (pos > size)
			pos = size;
	}
	line = copy + pos;
	len = size - pos;
	sid.state = (uint8_t)(data[0] & 7) % 5;
	/* bits 3-4 of byte 1: the exec session (untold, unknown, none, a
	 * root) */
	switch ((data[1] >> 3) & 3) {
	case 1: sid.exec_root = IDENT_EXEC_UNKNOWN; break;
	case 2: sid.exec_root = IDENT_EXEC_NONE; break;
	case 3: sid.exec_root = 4711; break;
	default: break;
	}
	oid.state = (uint8_t)(data[1] & 7) % 5;
	memcpy(&nspid, data + 2, sizeof nspid);
	s.nspid = nspid;
	if (nspid > 0)
		snprintf(nspid_s, sizeof nspid_s, "%d", (int)nspid);
	snprintf(sid.container_id, sizeof sid.container_id, "%s", str[0]);
	snprintf(sid.pod_uid, sizeof sid.pod_uid, "%s", str[1]);
	if (!sid.container_id[0]) /* IDENT_CONTAINER always has an id */
		memset(sid.container_id, 'c', CONTAINER_ID_LEN);
	oid = (struct ident){ .state = oid.state };
	memcpy(oid.container_id, sid.container_id, sizeof oid.container_id);
	memcpy(oid.pod_uid, sid.pod_uid, sizeof oid.pod_uid);
	nm.namespace_ = str[2];
	nm.pod = str[3];
	nm.container = str[4];
	nm.image = str[5];
	nm.owner = str[6];
	nm.sa = str[7];
	nm.workload = str[8];
	nm.workload_kind = str[9];
	for (unsigned i = 0; i < nm.nlabels; i++) {
		nm.label_keys[i] = str[NFIXED + 2 * i];
		nm.label_vals[i] = str[NFIXED + 2 * i + 1];
	}

	/* configured labels (sealed records write each): the pod's keys
	 * but the last, then one it lacks */
	for (unsigned i = 0; i + 1 < nm.nlabels; i++)
		cfg[ncfg++] = nm.label_keys[i];
	cfg[ncfg++] = "fuzz.example/absent";
	s.nlabels = ncfg;

	check_json(&sid, &nm, nspid > 0 ? nspid : 0, size);

	record_scan(line, len, &r);
	if ((r.flags & (REC_BAD_HEADER | REC_HAS_NUL)) || len + 1 > RECORD_MAX ||
	    memchr(line, '\n', len)) {
		free(copy);
		return 0; /* not enrich_line's input: fuzz_record covers those */
	}
	model(due, &ndue, "", &sid, &nm, nspid_s,
	      (r.flags & REC_SEALED) != 0, cfg, ncfg);
	model(due, &ndue, "o", &oid, &nm, "", 0, NULL, 0);
	for (unsigned i = 0; i < ndue; i++)
		due_len += due_bytes(&due[i]);

	n = enrich_line(out, sizeof out, &r, &s, &o, &st);
	if (n < len + 1 || out[n - 1] != '\n' || memchr(out, '\n', n - 1))
		abort();
	if (n > OUTPUT_LINE_MAX && n != len + 1)
		abort();
	/* the record's own bytes around the inserted ones */
	fields_len = n - 1 - len;
	if (memcmp(out, line, r.insert_at) != 0 ||
	    memcmp(out + r.insert_at + fields_len, line + r.insert_at,
		   len - r.insert_at) != 0)
		abort();
	/* the inserted bytes: a prefix of the fields due, each exact */
	p = out + r.insert_at;
	e = p + fields_len;
	while (p < e) {
		if (present >= ndue)
			abort();
		expect_field(&p, e, &due[present++]);
	}
	if (p != e)
		abort();
	if (len + 1 + due_len <= OUTPUT_LINE_MAX && present != ndue)
		abort();
	if ((present < ndue) != (st.fields_dropped > 0) ||
	    st.fields_dropped > ndue - present)
		abort();
	free(copy);
	return 0;
}
