/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsoninterp.c - the "interpreted" object of a JSON record (the rules are
 * in jsoninterp.h): libauparse reads the record's text for the kinds it
 * interprets as a pure function, auditd's ENRICHED tail gives the rest.
 * One libauparse state per pipeline, fed one record at a time from a
 * buffer of ours; records without a field of those kinds never reach it.
 */
#include <auparse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "output/jsoninterp.h"

struct jsoninterp {
	auparse_state_t *au;
	char buf[RECORD_MAX + 2]; /* the record's text and a newline */
};

struct keys {
	char k[JSONINTERP_KEYS_MAX][JSONINTERP_KEY_MAX];
	unsigned n;
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
		if (strncmp(ks->k[i], key, n) == 0 && ks->k[i][n] == '\0')
			return 0;
	memcpy(ks->k[ks->n], key, n);
	ks->k[ks->n][n] = '\0';
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

/* Does the record hold a field the library may interpret?  A cheap look
 * at the text: a false yes costs one parse, never a key. */
static int worth_parsing(const struct record *r)
{
	static const char *const names[] = {
		"arch=", "exit=", "mode=", "perm=", "saddr=", "cap", "fp=",
		"pp=", "pe=",
	};
	const char *f = r->line + r->fields_at;
	size_t n = r->raw_len - r->fields_at;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (memmem(f, n, names[i], strlen(names[i])))
			return 1;
	return 0;
}

/* The library's keys for r, at most JSONINTERP_LIB_ROOM bytes of them */
static void put_lib(struct jsoninterp *ji, struct jw *w, struct keys *ks,
		    const struct record *r)
{
	auparse_state_t *au = ji->au;
	size_t cap = w->cap, good;

	memcpy(ji->buf, r->line, r->raw_len);
	ji->buf[r->raw_len] = '\n';
	if (auparse_new_buffer(au, ji->buf, r->raw_len + 1) < 0 ||
	    auparse_first_record(au) <= 0)
		return;
	if (w->len + JSONINTERP_LIB_ROOM < w->cap)
		w->cap = w->len + JSONINTERP_LIB_ROOM;
	do {
		int type = auparse_get_field_type(au);
		const char *name, *v, *s;

		if (type == AUPARSE_TYPE_UID || type == AUPARSE_TYPE_GID)
			continue; /* never: the library would ask NSS */
		name = auparse_get_field_name(au);
		v = auparse_get_field_str(au);
		if (!name || !v || !wanted(type, v))
			continue;
		s = auparse_interpret_field(au);
		if (!answered(s, v) || !key_add(ks, name, strlen(name)))
			continue;
		good = w->len;
		if (ks->n > 1)
			jw_lit(w, ",");
		jw_str(w, name, strlen(name));
		jw_lit(w, ":");
		if (type == AUPARSE_TYPE_SOCKADDR)
			put_saddr(w, au, s);
		else
			jw_str(w, s, strlen(s));
		if (w->bad) { /* past the room: this key and the rest out */
			w->len = good;
			w->bad = 0;
			ks->n--;
			break;
		}
	} while (auparse_next_field(au) > 0);
	w->cap = cap;
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
		if (ks->n > 1)
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
	ks.n = 0;
	jw_lit(w, ",\"interpreted\":{");
	/* a user message's fields and a table name are a process's text */
	if (!(r->flags & REC_USER_MSG) && !record_type_is(r, "NETFILTER_CFG") &&
	    worth_parsing(r))
		put_lib(ji, w, &ks, r);
	if (r->raw_len < r->len)
		put_tail(w, &ks, r->line + r->raw_len + 1, r->line + r->len);
	jw_lit(w, "}");
	if (!ks.n && !w->bad)
		w->len = start; /* nothing to say: no object */
}
