/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsoninterp.c - the "interpreted" object of a JSON record (the rules are
 * in jsoninterp.h): libauparse reads the record's text for the kinds it
 * interprets as a pure function, auditd's ENRICHED tail gives the rest.
 * One libauparse state per pipeline, fed one record at a time from a
 * buffer of ours, and only on a miss of its remembered answers: a record
 * with no field named like those kinds never reaches it, and a field
 * whose (record type, name, value, arch, syscall) was asked before is
 * answered from the memo.
 */
#include <auparse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsoninterp.h"

struct memo {
	char k[JSONINTERP_MEMO_KEY];
	uint16_t kl; /* 0: empty */
	uint16_t vl;
	char v[JSONINTERP_MEMO_VALUE]; /* the answer as JSON, "" for none */
};

struct jsoninterp {
	auparse_state_t *au;
	char buf[RECORD_MAX + 2]; /* the record's text and a newline */
	char key[JSONINTERP_MEMO_KEY];
	char ans[JSONINTERP_LIB_ROOM];
	struct memo memo[JSONINTERP_MEMO_SLOTS];
};

/* The keys of one object: remembered (n), written (wrote) */
struct keys {
	char k[JSONINTERP_KEYS_MAX][JSONINTERP_KEY_MAX];
	uint8_t kl[JSONINTERP_KEYS_MAX];
	unsigned n, wrote;
};

struct jsoninterp *jsoninterp_new(void)
{
	struct jsoninterp *ji = calloc(1, sizeof *ji);

	if (!ji)
		return NULL;
	ji->au = auparse_init(AUSOURCE_BUFFER, "");
	if (!ji->au) {
		free(ji);
		return NULL;
	}
	auparse_set_escape_mode(ji->au, AUPARSE_ESC_RAW);
	return ji;
}

void jsoninterp_free(struct jsoninterp *ji)
{
	if (!ji)
		return;
	auparse_destroy(ji->au);
	free(ji);
}

/* 1 when key (n bytes) is new (and now remembered); 0 when seen, too long
 * or the object is full */
static int key_add(struct keys *ks, const char *key, size_t n)
{
	if (n == 0 || n >= JSONINTERP_KEY_MAX || ks->n >= JSONINTERP_KEYS_MAX)
		return 0;
	for (unsigned i = 0; i < ks->n; i++)
		if (ks->kl[i] == n && memcmp(ks->k[i], key, n) == 0)
			return 0;
	memcpy(ks->k[ks->n], key, n);
	ks->kl[ks->n] = (uint8_t)n;
	ks->n++;
	return 1;
}

static int all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define DEC "0123456789"
#define HEX "0123456789ABCDEFabcdef"

/* 1 when the library interprets fields of this type as a pure function of
 * the record and v has the shape that type's values have */
static int wanted(int type, const char *v)
{
	switch (type) {
	case AUPARSE_TYPE_ARCH:
		return all_of(v, HEX, 1, 8);
	case AUPARSE_TYPE_SYSCALL:
		return all_of(v, DEC, 1, 10);
	case AUPARSE_TYPE_EXIT:
		return all_of(v + (*v == '-'), DEC, 1, 19);
	case AUPARSE_TYPE_MODE:
	case AUPARSE_TYPE_MODE_SHORT:
		return all_of(v, "01234567", 1, 11);
	case AUPARSE_TYPE_PERM:
	case AUPARSE_TYPE_CAPABILITY:
		return all_of(v, DEC, 1, 3);
	case AUPARSE_TYPE_CAP_BITMAP:
		return all_of(v, HEX, 1, 16);
	case AUPARSE_TYPE_SOCKADDR:
		/* audit's hex: upper case, whole bytes, a family at least */
		return all_of(v, "0123456789ABCDEF", 4, JSONINTERP_SADDR_MAX) &&
		       strlen(v) % 2 == 0;
	default: /* UID, GID (NSS), A0..A3 (a uid for some), the rest */
		return 0;
	}
}

/* 1 when the library's answer s for value v says something */
static int answered(const char *s, const char *v)
{
	static const char *const failed[] = {
		"unknown", "conversion error", "malformed", "(null)",
		"too short",
	};

	if (!s || !*s || strcmp(s, v) == 0 ||
	    strlen(s) > JSONINTERP_VALUE_MAX)
		return 0;
	for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++)
		if (strstr(s, failed[i]))
			return 0;
	return 1;
}

/* ,"name":"s" (s may be NULL: nothing) */
static void put_str(struct jw *w, const char *name, const char *s)
{
	if (!s || !*s || strlen(s) > JSONINTERP_VALUE_MAX)
		return;
	jw_lit(w, ",\"");
	jw_lit(w, name);
	jw_lit(w, "\":");
	jw_str(w, s, strlen(s));
}

/* "saddr":{"family":..,"addr":..,"port":..,"text":..} (the library's
 * answers share one buffer: each is written before the next is asked) */
static void put_saddr(struct jw *w, auparse_state_t *au, const char *text)
{
	char t[JSONINTERP_VALUE_MAX + 1];
	const char *fam;

	snprintf(t, sizeof t, "%s", text);
	jw_lit(w, "{\"family\":");
	fam = auparse_interpret_sock_family(au);
	jw_str(w, fam ? fam : "?", fam ? strlen(fam) : 1);
	put_str(w, "addr", auparse_interpret_sock_address(au));
	put_str(w, "port", auparse_interpret_sock_port(au));
	put_str(w, "text", t);
	jw_lit(w, "}");
}

/* The record's fields the library may give a key for: a look at the
 * name only (the library still says what the field is). */
static int candidate(const char *k, size_t n)
{
#define NM(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t n;
	} names[] = {
		NM("arch"), NM("syscall"), NM("exit"), NM("mode"), NM("perm"),
		NM("saddr"), NM("fp"), NM("fi"), NM("pp"), NM("pi"), NM("pe"),
		NM("pa"), NM("capability"),
	};
#undef NM

	if (n < 2 || !strchr("acefmops", k[0]))
		return 0; /* most names (pid, uid, comm, ...) end here */
	if ((n > 4 && memcmp(k, "cap_", 4) == 0) ||
	    (n > 4 && memcmp(k, "old_", 4) == 0))
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].n == n && names[i].s[0] == k[0] &&
		    memcmp(k, names[i].s, n) == 0)
			return 1;
	return 0;
}

/* FNV-1a over s (n bytes), from h */
static uint32_t hash(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The JSON of the library's answer for the field name (its first in the
 * record) into out ("" for none); the record parsed on first need. */
static void ask(struct jsoninterp *ji, const struct record *r, int *parsed,
		const char *name, char *out, size_t cap)
{
	auparse_state_t *au = ji->au;
	struct jw o = { out, cap - 1, 0, 0 };
	const char *v, *s;
	int type;

	out[0] = '\0';
	if (!*parsed && (r->raw_len > RECORD_MAX ||
			 memchr(r->line, '\n', r->raw_len) ||
			 memchr(r->line, '\0', r->raw_len))) {
		/* longer than a record, or more than one line to the library
		 * (it keeps a half event, and leaks it on the next buffer) */
		*parsed = -1;
	} else if (!*parsed) {
		memcpy(ji->buf, r->line, r->raw_len);
		ji->buf[r->raw_len] = '\n';
		*parsed = auparse_new_buffer(au, ji->buf, r->raw_len + 1) == 0 ?
			  1 : -1;
	}
	if (*parsed < 0 || auparse_first_record(au) <= 0 ||
	    !auparse_find_field(au, name))
		return;
	type = auparse_get_field_type(au);
	if (type == AUPARSE_TYPE_UID || type == AUPARSE_TYPE_GID)
		return; /* never: the library would ask NSS */
	v = auparse_get_field_str(au);
	if (!v || !wanted(type, v))
		return;
	s = auparse_interpret_field(au);
	if (!answered(s, v))
		return;
	if (type == AUPARSE_TYPE_SOCKADDR)
		put_saddr(&o, au, s);
	else
		jw_str(&o, s, strlen(s));
	o.len = o.bad ? 0 : o.len;
	out[o.len] = '\0';
}

/* The library's keys for r in field order, at most JSONINTERP_LIB_ROOM
 * bytes of them.  Answers are remembered by (type, name, value, arch,
 * syscall): a pure function's, so a hit is what the library would say. */
static void put_lib(struct jsoninterp *ji, struct jw *w, struct keys *ks,
		    const struct record *r)
{
	const char *p = r->line + r->fields_at, *end = r->line + r->raw_len;
	const char *arch = "", *sc = "";
	size_t archl = 0, scl = 0, room = w->len + JSONINTERP_LIB_ROOM;
	int parsed = 0;

	while (p < end) {
		const char *k, *v, *ve;
		size_t kl, vl, ml;
		char name[JSONINTERP_KEY_MAX], *m = ji->key;
		struct memo *e;
		uint32_t h;

		while (p < end && *p == ' ')
			p++;
		k = p;
		ve = memchr(p, ' ', (size_t)(end - p));
		ve = ve ? ve : end;
		p = ve;
		v = memchr(k, '=', (size_t)(ve - k));
		if (!v)
			continue;
		kl = (size_t)(v - k);
		vl = (size_t)(ve - ++v);
		if (kl == 4 && memcmp(k, "arch", 4) == 0)
			arch = v, archl = vl;
		else if (kl == 7 && memcmp(k, "syscall", 7) == 0)
			sc = v, scl = vl;
		if (!candidate(k, kl) || !key_add(ks, k, kl))
			continue;
		ml = r->type_len + kl + vl + archl + scl + 4;
		if (ml > JSONINTERP_MEMO_KEY) {
			m = NULL; /* too long to remember: asked each time */
		} else {
			memcpy(m, r->type, r->type_len);
			m += r->type_len;
			*m++ = '\0';
			memcpy(m, k, kl), m += kl, *m++ = '\0';
			memcpy(m, v, vl), m += vl, *m++ = '\0';
			memcpy(m, arch, archl), m += archl, *m++ = '\0';
			memcpy(m, sc, scl);
			m = ji->key;
		}
		/* the name and value pick the slot (the whole key is compared) */
		h = m ? hash(hash(2166136261u, k, kl + 1), v, vl) : 0;
		e = &ji->memo[h % JSONINTERP_MEMO_SLOTS];
		if (!m || e->kl != ml || memcmp(e->k, m, ml) != 0) {
			size_t n;

			memcpy(name, k, kl);
			name[kl] = '\0';
			ask(ji, r, &parsed, name, ji->ans, sizeof ji->ans);
			n = strlen(ji->ans);
			if (m && n < sizeof e->v) {
				memcpy(e->k, m, ml);
				e->kl = (uint16_t)ml;
				memcpy(e->v, ji->ans, n + 1);
				e->vl = (uint16_t)n;
			} else {
				e = NULL;
			}
		}
		{
			const char *ans = e ? e->v : ji->ans;
			size_t al = e ? e->vl : strlen(ans);

			if (!al || w->len + kl + al + 8 > room)
				continue; /* none, or past the room */
			if (ks->wrote++)
				jw_lit(w, ",");
			jw_str(w, k, kl);
			jw_lit(w, ":");
			jw_raw(w, ans, al);
		}
	}
}

/* The ENRICHED tail's keys: KEY=value, KEY="value" or KEY={ ... } */
static void put_tail(struct jw *w, struct keys *ks, const char *p,
		     const char *end)
{
	char key[JSONINTERP_KEY_MAX];

	while (p < end) {
		const char *k, *v, *ve;
		size_t kl;

		while (p < end && *p == ' ')
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ' ')
			p++;
		if (p >= end || *p == ' ')
			continue;
		kl = (size_t)(p - k);
		v = ++p;
		if (v < end && (*v == '"' || *v == '{')) {
			const char *q = memchr(v + 1, *v == '"' ? '"' : '}',
					       (size_t)(end - v - 1));

			ve = q ? q : end;
			p = q ? q + 1 : end;
			if (*v == '"')
				v++;
			else
				ve = q ? q + 1 : end;
		} else {
			ve = memchr(v, ' ', (size_t)(end - v));
			ve = ve ? ve : end;
			p = ve;
		}
		if (kl == 0 || kl >= sizeof key)
			continue;
		for (size_t i = 0; i < kl; i++)
			key[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ?
					k[i] - 'A' + 'a' : k[i]);
		if ((kl == 4 && memcmp(key, "arch", 4) == 0) ||
		    (kl == 7 && memcmp(key, "syscall", 7) == 0) ||
		    (kl == 5 && memcmp(key, "saddr", 5) == 0))
			continue; /* the library's kinds */
		if (!key_add(ks, key, kl))
			continue;
		if (ks->wrote++)
			jw_lit(w, ",");
		jw_str(w, key, kl);
		jw_lit(w, ":");
		jw_str(w, v, (size_t)(ve - v));
	}
}

void jsoninterp_write(struct jsoninterp *ji, struct jw *w,
		      const struct record *r)
{
	static __thread struct keys ks;
	size_t start = w->len;

	if (!ji || w->bad || (r->flags & REC_BAD_HEADER) || !r->fields_at)
		return;
	ks.n = ks.wrote = 0;
	jw_lit(w, ",\"interpreted\":{");
	/* a user message's fields and a table name are a process's text */
	if (!(r->flags & REC_USER_MSG) && !record_type_is(r, "NETFILTER_CFG"))
		put_lib(ji, w, &ks, r);
	if (r->raw_len < r->len)
		put_tail(w, &ks, r->line + r->raw_len + 1, r->line + r->len);
	jw_lit(w, "}");
	if (!ks.wrote && !w->bad)
		w->len = start; /* nothing to say: no object */
}
