/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonfields.c - a record's key=value text as JSON (see jsonfields.h for
 * the rules).  One pass over each span of fields, a small hash set of the
 * keys written so far per object, and a scratch buffer for decoded hex: no
 * allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/util.h"
#include "output/jsonfields.h"

#define SEEN_SLOTS 1024 /* > 2 x JSONFIELDS_KEYS_MAX: a sparse open table */
#define SHORT_VALUE 24 /* bytes of a value looked at before memchr */

struct tok {
	const char *k, *v; /* key; value without its quotes */
	size_t kl, vl;
	int quoted;
};

/* The keys written in one object: a slot is in use when its gen is the
 * object's (seen_reset starts a new object without clearing the table). */
struct seen {
	const char *k[SEEN_SLOTS];
	uint16_t kl[SEEN_SLOTS];
	uint32_t gen[SEEN_SLOTS];
	uint32_t cur;
	unsigned n;
	int cut;
};

static void seen_reset(struct seen *s)
{
	if (++s->cur == 0) { /* wrapped: clear once every 2^32 objects */
		memset(s->gen, 0, sizeof s->gen);
		s->cur = 1;
	}
	s->n = 0;
	s->cut = 0;
}

/* The next key=value token in [*pp, end); bare words are skipped.  0 at
 * the end.  A quoted value ("..." or '...') runs to the same quote (the
 * kernel's quoted values hold none), or to the end when none follows. */
static int next_tok(const char **pp, const char *end, struct tok *t)
{
	const char *p = *pp;

	for (;;) {
		const char *eq, *q;

		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		eq = p;
		while (eq < end && *eq != '=' && *eq != ' ')
			eq++;
		if (eq >= end)
			break;
		if (*eq == ' ' || eq == p) {
			p = eq + 1; /* a bare word, or "=x" */
			continue;
		}
		t->k = p;
		t->kl = (size_t)(eq - p);
		t->v = eq + 1;
		if (t->v < end && (*t->v == '"' || *t->v == '\'')) {
			/* quoted as record.c reads it: to the same quote */
			char c = *t->v++;

			q = memchr(t->v, c, (size_t)(end - t->v));
			t->vl = (size_t)((q ? q : end) - t->v);
			t->quoted = 1;
			*pp = q ? q + 1 : end;
		} else {
			/* most values are short: a loop, memchr for long ones */
			q = t->v;
			while (q < end && q - t->v < SHORT_VALUE && *q != ' ')
				q++;
			if (q < end && *q != ' ') {
				q = memchr(q, ' ', (size_t)(end - q));
				if (!q)
					q = end;
			}
			t->vl = (size_t)(q - t->v);
			t->quoted = 0;
			*pp = q;
		}
		return 1;
	}
	*pp = end;
	return 0;
}

/* Fields whose unquoted value is hex-encoded text (the kernel's
 * audit_log_untrustedstring, user space's audit_encode_nv_string), by
 * length: the look-up stops at the first longer name. */
#define ENC(s) { s, sizeof(s) - 1 }
static const struct {
	const char *name;
	size_t len;
} encoded[] = {
	ENC("vm"), ENC("cmd"), ENC("cwd"), ENC("exe"), ENC("key"),
	ENC("acct"), ENC("comm"), ENC("data"), ENC("name"), ENC("path"),
	ENC("ocomm"), ENC("device"), ENC("old-fs"), ENC("new-fs"),
	ENC("old-net"), ENC("new-net"), ENC("old-rng"), ENC("new-rng"),
	ENC("root_dir"), ENC("old-disk"), ENC("new-disk"), ENC("proctitle"),
	ENC("old-chardev"), ENC("new-chardev"),
};

static int is_encoded_name(const struct tok *t)
{
	if (t->quoted || t->kl > 11)
		return 0; /* a quoted value is never hex; no name is longer */
	for (size_t i = 0; i < sizeof encoded / sizeof encoded[0]; i++) {
		if (encoded[i].len > t->kl)
			return 0;
		if (encoded[i].len == t->kl && t->k[0] == encoded[i].name[0] &&
		    memcmp(t->k, encoded[i].name, t->kl) == 0)
			return 1;
	}
	return 0;
}

/* An upper-case hex digit's value (audit writes its hex so), else -1. */
static int hexval(char c)
{
	return c >= 'a' && c <= 'f' ? -1 : hex_digit(c);
}

/* Decode n upper-case hex digits at s into dst (n / 2 bytes); -1 when
 * they are not that. */
static long unhex(char *dst, const char *s, size_t n)
{
	if (n == 0 || n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		dst[i / 2] = (char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/* A value as a JSON string: decoded when it is hex of an encoded field. */
static void put_value(struct jw *w, const struct tok *t, int decode)
{
	char buf[RECORD_MAX / 2 + 1];
	long n;

	if (!t->quoted && decode && t->vl <= 2 * sizeof buf &&
	    (n = unhex(buf, t->v, t->vl)) >= 0) {
		jw_str(w, buf, (size_t)n);
		return;
	}
	jw_str(w, t->v, t->vl);
}

/* 1 when t's key is new in s (and now remembered); 0 when seen before or
 * the object is full (then s->cut). */
static int seen_add(struct seen *s, const struct tok *t)
{
	uint32_t h = 2166136261u;
	size_t kl = t->kl > UINT16_MAX ? UINT16_MAX : t->kl;

	for (size_t i = 0; i < kl; i++)
		h = (h ^ (unsigned char)t->k[i]) * 16777619u;
	for (uint32_t i = h % SEEN_SLOTS;; i = (i + 1) % SEEN_SLOTS) {
		if (s->gen[i] != s->cur)
			break;
		if (s->kl[i] == kl && memcmp(s->k[i], t->k, kl) == 0)
			return 0;
	}
	if (s->n >= JSONFIELDS_KEYS_MAX) {
		s->cut = 1;
		return 0;
	}
	for (uint32_t i = h % SEEN_SLOTS;; i = (i + 1) % SEEN_SLOTS) {
		if (s->gen[i] != s->cur) {
			s->gen[i] = s->cur;
			s->k[i] = t->k;
			s->kl[i] = (uint16_t)kl;
			break;
		}
	}
	s->n++;
	return 1;
}

/* ,"key":"value" for t when its key is new in s */
static void put_field(struct jw *w, struct seen *s, const struct tok *t,
		      int decode)
{
	if (!seen_add(s, t))
		return;
	if (s->n > 1)
		jw_lit(w, ",");
	jw_str(w, t->k, t->kl);
	jw_lit(w, ":");
	put_value(w, t, decode);
}

/* An EXECVE argument key: aN, aN_len or aN[i]; *idx = N, *part = i or -1
 * (-2 for aN_len). */
static int arg_key(const struct tok *t, long *idx, long *part)
{
	const char *p = t->k + 1, *end = t->k + t->kl;
	long n = 0;

	if (t->kl < 2 || t->k[0] != 'a' || *p < '0' || *p > '9')
		return 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > 1000000)
			return 0;
	*idx = n;
	*part = -1;
	if (p == end)
		return 1;
	if (end - p == 4 && memcmp(p, "_len", 4) == 0) {
		*part = -2;
		return 1;
	}
	if (*p == '[' && end[-1] == ']' && end - p > 2) {
		long i = 0;

		for (p++; p < end - 1; p++) {
			if (*p < '0' || *p > '9' || (i = i * 10 + (*p - '0')) > 1000000)
				return 0;
		}
		*part = i;
		return 1;
	}
	return 0;
}

/* The fields of [p, end) into the object of s (EXECVE: arguments left out
 * when skip_args). */
static void put_span(struct jw *w, struct seen *s, const char *p,
		     const char *end, int skip_args, int decode_args)
{
	struct tok t;
	long idx, part;

	while (next_tok(&p, end, &t)) {
		int arg = arg_key(&t, &idx, &part);

		if (skip_args && arg)
			continue;
		put_field(w, s, &t, is_encoded_name(&t) || (decode_args && arg));
	}
}

/* EXECVE's arguments of [p, end) as ,"argv":[...]: aN in order, an
 * argument given as aN_len and aN[i] pieces joined. */
static void put_argv(struct jw *w, const char *key, const char *p,
		     const char *end)
{
	static __thread char buf[RECORD_MAX];
	struct tok t;
	long idx, part, cur = -1, n;
	size_t have = 0;
	unsigned count = 0;

	jw_lit(w, ",");
	jw_str(w, key, strlen(key));
	jw_lit(w, ":[");
	while (next_tok(&p, end, &t)) {
		if (!arg_key(&t, &idx, &part) || part == -2)
			continue;
		if (part >= 0 && idx == cur) {
			/* one more piece of the argument being joined */
			if (!t.quoted && have + t.vl / 2 <= sizeof buf &&
			    (n = unhex(buf + have, t.v, t.vl)) >= 0)
				have += (size_t)n;
			else if (have + t.vl <= sizeof buf) {
				memcpy(buf + have, t.v, t.vl);
				have += t.vl;
			}
			continue;
		}
		if (cur >= 0) {
			jw_str(w, buf, have);
			cur = -1;
		}
		if (count >= JSONFIELDS_ARGV_MAX)
			break;
		if (count++)
			jw_lit(w, ",");
		if (part >= 0) {
			/* the first piece: join what follows */
			cur = idx;
			have = 0;
			if (!t.quoted && t.vl / 2 <= sizeof buf &&
			    (n = unhex(buf, t.v, t.vl)) >= 0)
				have = (size_t)n;
			else if (t.vl <= sizeof buf) {
				memcpy(buf, t.v, t.vl);
				have = t.vl;
			}
			continue;
		}
		put_value(w, &t, 1);
	}
	if (cur >= 0)
		jw_str(w, buf, have);
	jw_lit(w, "]");
}

/* The last occurrence of lit (n bytes) in [lo, hi), or NULL. */
static const char *last_of(const char *lo, const char *hi, const char *lit,
			   size_t n)
{
	if (hi - lo < (ptrdiff_t)n)
		return NULL;
	for (const char *p = hi - n; p >= lo; p--)
		if (memcmp(p, lit, n) == 0)
			return p;
	return NULL;
}

static int no_space(const char *p, const char *end)
{
	return p < end && !memchr(p, ' ', (size_t)(end - p));
}

/* NETFILTER_CFG: table=RAW family=N entries=N op=WORD, then the kernel's
 * tail.  The kernel's own three are the last of their kind before the
 * tail; the table is everything between. */
static void put_nfcfg(struct jw *w, struct seen *s, const struct record *r)
{
	const char *p = r->line + r->fields_at, *tail = r->line + r->nf_tail;
	const char *fam, *ent, *op;
	struct tok t = { .k = "table", .kl = 5, .quoted = 1 };

	while (p < tail && *p == ' ')
		p++;
	if (tail - p >= 6 && memcmp(p, "table=", 6) == 0) {
		p += 6;
		op = last_of(p, tail, " op=", 4);
		ent = op ? last_of(p, op, " entries=", 9) : NULL;
		fam = ent ? last_of(p, ent, " family=", 8) : NULL;
		if (fam && no_space(fam + 8, ent) && no_space(ent + 9, op) &&
		    no_space(op + 4, tail)) {
			t.v = p;
			t.vl = (size_t)(fam - p);
			put_field(w, s, &t, 0);
			put_span(w, s, fam, tail, 0, 0);
		} else {
			t.v = p;
			t.vl = (size_t)(tail - p);
			put_field(w, s, &t, 0);
		}
	}
	put_span(w, s, tail, r->line + r->raw_len, 0, 0);
}

void jsonfields_write(struct jw *w, const struct record *r)
{
	jsonfields_write_as(w, r, "fields", "fields_cut", "argv");
}

long jsonfields_get(const struct record *r, const char *key, char *dst,
		    size_t cap)
{
	const char *p = r->line + r->fields_at, *end = r->line + r->raw_len;
	size_t kl = strlen(key);
	struct tok t;
	long n;

	if ((r->flags & REC_BAD_HEADER) || !r->fields_at)
		return -1;
	if (record_type_is(r, "NETFILTER_CFG")) {
		if (!r->nf_tail)
			return -1;
		p = r->line + r->nf_tail; /* the table name is not the kernel's */
	}
	if (r->flags & REC_USER_MSG)
		end = r->line + r->msg_at; /* the sender's text is not */
	while (next_tok(&p, end, &t)) {
		if (t.kl != kl || memcmp(t.k, key, kl) != 0)
			continue;
		if (is_encoded_name(&t) && t.vl / 2 <= cap &&
		    (n = unhex(dst, t.v, t.vl)) >= 0)
			return n;
		if (t.vl > cap)
			return -1;
		memcpy(dst, t.v, t.vl);
		return (long)t.vl;
	}
	return -1;
}

void jsonfields_write_as(struct jw *w, const struct record *r,
			 const char *key, const char *cut_key,
			 const char *argv_key)
{
	static __thread struct seen top, msg;
	const char *fields = r->line + r->fields_at;
	const char *end = r->line + r->raw_len;
	int execve;

	if ((r->flags & REC_BAD_HEADER) || !r->fields_at)
		return;
	if (record_type_is(r, "NETFILTER_CFG") && !r->nf_tail)
		return; /* no kernel tail: nothing tells its fields apart */
	execve = record_type_is(r, "EXECVE");
	if (!key) {
		if (execve && argv_key)
			put_argv(w, argv_key, fields, end);
		return;
	}
	seen_reset(&top);
	jw_lit(w, ",");
	jw_str(w, key, strlen(key));
	jw_lit(w, ":{");
	if (r->nf_tail) {
		put_nfcfg(w, &top, r);
	} else if (r->flags & REC_USER_MSG) {
		const char *m = r->line + r->msg_at + 5, *mend = end;

		put_span(w, &top, fields, r->line + r->msg_at, 0, 0);
		/* the sender's text: msg='...' to the record's last quote */
		if (m < mend && *m == '\'')
			m++;
		if (mend > m && mend[-1] == '\'')
			mend--;
		seen_reset(&msg);
		if (top.n)
			jw_lit(w, ",");
		jw_lit(w, "\"msg\":{");
		put_span(w, &msg, m, mend, 0, 0);
		jw_lit(w, "}");
		top.n++;
		top.cut |= msg.cut;
	} else {
		put_span(w, &top, fields, end, execve, 0);
	}
	jw_lit(w, "}");
	if (top.cut) {
		jw_lit(w, ",");
		jw_str(w, cut_key, strlen(cut_key));
		jw_lit(w, ":true");
	}
	if (execve && argv_key)
		put_argv(w, argv_key, fields, end);
}
