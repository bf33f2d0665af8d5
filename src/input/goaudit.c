/*
 * goaudit.c - go-audit's JSON lines: check, find the pids, insert "k8s"
 * (see goaudit.h).
 *
 * One pass of a strict JSON scanner (RFC 8259: escapes, UTF-8, numbers,
 * literals, nothing after the value but white space) over the line, with
 * the nesting capped at GOAUDIT_DEPTH_MAX.  The top object's "messages"
 * array and each message's "data" string are the only places looked into:
 * data is unescaped behind a made-up record header and handed to
 * record_scan(), the field-aware scanner of the auditd path, so pid= is
 * found exactly where it would be in the audit record itself.  Nothing is
 * copied but that data (into a stack buffer of one record's size).
 */
#include <stdio.h>
#include <string.h>

#include "common/encode.h"
#include "common/util.h"
#include "input/goaudit.h"
#include "input/record.h"

/* What record_scan needs in front of the fields go-audit keeps. */
#define FAKE_HDR "type=GOAUDIT msg=audit(0.000:0): "
#define FAKE_HDR_LEN (sizeof FAKE_HDR - 1)

struct scan {
	const char *s, *p, *end;
	int depth;
	int status;   /* first failure: GOAUDIT_BAD_JSON or GOAUDIT_DEEP */
	int shape;    /* valid so far but not go-audit's shape */
	struct goaudit_obj *o;
};

static int fail(struct scan *c, int status)
{
	if (!c->status)
		c->status = status;
	c->p = c->end;
	return -1;
}

static void ws(struct scan *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* Length of a valid UTF-8 sequence at p (first byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (b >= 0xC2 && b <= 0xDF)
		n = 2;
	else if (b >= 0xE0 && b <= 0xEF)
		n = 3;
	else if (b >= 0xF0 && b <= 0xF4)
		n = 4;
	else
		return 0;
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/*
 * A string at c->p (its opening quote): checked, and its content's span
 * (between the quotes, still escaped) in *a, *b.  *esc: it has escapes.
 */
static int string(struct scan *c, const char **a, const char **b, int *esc)
{
	const unsigned char *p = (const unsigned char *)c->p + 1;
	const unsigned char *end = (const unsigned char *)c->end;

	*esc = 0;
	while (p < end) {
		unsigned char ch = *p;

		if (ch == '"') {
			*a = c->p + 1;
			*b = (const char *)p;
			c->p = (const char *)p + 1;
			return 0;
		}
		if (ch == '\\') {
			*esc = 1;
			if (p + 1 >= end)
				break;
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				if (end - p < 6 || hex_digit((char)p[2]) < 0 ||
				    hex_digit((char)p[3]) < 0 || hex_digit((char)p[4]) < 0 ||
				    hex_digit((char)p[5]) < 0)
					return fail(c, GOAUDIT_BAD_JSON);
				p += 6;
				continue;
			default:
				return fail(c, GOAUDIT_BAD_JSON);
			}
		}
		if (ch < 0x20)
			return fail(c, GOAUDIT_BAD_JSON);
		if (ch >= 0x80) {
			size_t n = utf8_len(p, end);

			if (!n)
				return fail(c, GOAUDIT_BAD_JSON);
			p += n;
			continue;
		}
		p++;
	}
	return fail(c, GOAUDIT_BAD_JSON);
}

static int digits(struct scan *c)
{
	const char *p = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > p ? 0 : fail(c, GOAUDIT_BAD_JSON);
}

static int number(struct scan *c)
{
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (digits(c) < 0)
		return -1;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (digits(c) < 0)
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (digits(c) < 0)
			return -1;
	}
	return 0;
}

static int literal(struct scan *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return fail(c, GOAUDIT_BAD_JSON);
	c->p += n;
	return 0;
}

/* Unescape a string's content a..b into dst (cap bytes); returns length. */
static size_t unescape(char *dst, size_t cap, const char *a, const char *b)
{
	size_t n = 0;

	while (a < b && n < cap) {
		unsigned cp;

		if (*a != '\\') {
			dst[n++] = *a++;
			continue;
		}
		switch (a[1]) {
		case 'b': dst[n++] = '\b'; a += 2; continue;
		case 'f': dst[n++] = '\f'; a += 2; continue;
		case 'n': dst[n++] = '\n'; a += 2; continue;
		case 'r': dst[n++] = '\r'; a += 2; continue;
		case 't': dst[n++] = '\t'; a += 2; continue;
		case 'u': break;
		default: dst[n++] = a[1]; a += 2; continue;
		}
		cp = (unsigned)(hex_digit(a[2]) << 12 | hex_digit(a[3]) << 8 |
				hex_digit(a[4]) << 4 | hex_digit(a[5]));
		a += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF && b - a >= 6 && a[0] == '\\' &&
		    a[1] == 'u') {
			unsigned lo = (unsigned)(hex_digit(a[2]) << 12 |
						 hex_digit(a[3]) << 8 |
						 hex_digit(a[4]) << 4 | hex_digit(a[5]));

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				a += 6;
			}
		}
		if (cp >= 0xD800 && cp <= 0xDFFF)
			cp = 0xFFFD;
		/* UTF-8; what does not fit is cut, as the end of data is */
		if (cp < 0x80) {
			dst[n++] = (char)cp;
		} else if (cp < 0x800 && cap - n >= 2) {
			dst[n++] = (char)(0xC0 | cp >> 6);
			dst[n++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000 && cap - n >= 3) {
			dst[n++] = (char)(0xE0 | cp >> 12);
			dst[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			dst[n++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp >= 0x10000 && cap - n >= 4) {
			dst[n++] = (char)(0xF0 | cp >> 18);
			dst[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			dst[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			dst[n++] = (char)(0x80 | (cp & 0x3F));
		} else {
			break;
		}
	}
	return n;
}

/* 1 when the (checked) string content a..b is the key name. */
static int key_is(const char *a, const char *b, int esc, const char *name)
{
	size_t n = strlen(name);
	char buf[16];

	if (!esc)
		return (size_t)(b - a) == n && memcmp(a, name, n) == 0;
	if ((size_t)(b - a) > 6 * sizeof buf)
		return 0;
	return unescape(buf, sizeof buf, a, b) == n && memcmp(buf, name, n) == 0;
}

/* The pid= of a message's data (a..b, escaped), or RECORD_NO_PID. */
static int32_t data_pid(const char *a, const char *b, int esc)
{
	char buf[FAKE_HDR_LEN + RECORD_MAX];
	struct record r;
	size_t n;

	memcpy(buf, FAKE_HDR, FAKE_HDR_LEN);
	if (esc) {
		n = unescape(buf + FAKE_HDR_LEN, sizeof buf - FAKE_HDR_LEN, a, b);
	} else {
		n = (size_t)(b - a);
		if (n > sizeof buf - FAKE_HDR_LEN)
			n = sizeof buf - FAKE_HDR_LEN;
		memcpy(buf + FAKE_HDR_LEN, a, n);
	}
	record_scan(buf, FAKE_HDR_LEN + n, &r);
	return r.pid;
}

static int value(struct scan *c);

/* Shared by every object: "key": value pairs up to the closing brace. */
typedef int (*member_fn)(struct scan *c, const char *ka, const char *kb,
			 int kesc, void *ctx);

/* On success c->p is left at the closing brace (callers want its offset). */
static int object(struct scan *c, member_fn fn, void *ctx)
{
	const char *ka, *kb;
	int kesc;

	if (++c->depth > GOAUDIT_DEPTH_MAX)
		return fail(c, GOAUDIT_DEEP);
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->depth--;
		return 0;
	}
	for (;;) {
		ws(c);
		if (c->p >= c->end || *c->p != '"' || string(c, &ka, &kb, &kesc) < 0)
			return fail(c, GOAUDIT_BAD_JSON);
		ws(c);
		if (c->p >= c->end || *c->p != ':')
			return fail(c, GOAUDIT_BAD_JSON);
		c->p++;
		ws(c);
		if ((fn ? fn(c, ka, kb, kesc, ctx) : value(c)) < 0)
			return -1;
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '}')
			break;
		return fail(c, GOAUDIT_BAD_JSON);
	}
	/* c->p is at the closing brace: callers want its offset */
	c->depth--;
	return 0;
}

typedef int (*elem_fn)(struct scan *c, void *ctx);

static int array(struct scan *c, elem_fn fn, void *ctx)
{
	if (++c->depth > GOAUDIT_DEPTH_MAX)
		return fail(c, GOAUDIT_DEEP);
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		ws(c);
		if ((fn ? fn(c, ctx) : value(c)) < 0)
			return -1;
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			c->depth--;
			return 0;
		}
		return fail(c, GOAUDIT_BAD_JSON);
	}
}

static int value(struct scan *c)
{
	const char *a, *b;
	int esc;

	if (c->p >= c->end)
		return fail(c, GOAUDIT_BAD_JSON);
	switch (*c->p) {
	case '{':
		if (object(c, NULL, NULL) < 0)
			return -1;
		c->p++;
		return 0;
	case '[':
		return array(c, NULL, NULL);
	case '"':
		return string(c, &a, &b, &esc);
	case 't':
		return literal(c, "true", 4);
	case 'f':
		return literal(c, "false", 5);
	case 'n':
		return literal(c, "null", 4);
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return number(c);
		return fail(c, GOAUDIT_BAD_JSON);
	}
}

struct msg_ctx {
	const char *da, *db; /* "data" content, escaped */
	int desc, ndata, k8s;
};

static int msg_member(struct scan *c, const char *ka, const char *kb,
		      int kesc, void *ctx)
{
	struct msg_ctx *m = ctx;

	if (key_is(ka, kb, kesc, "k8s"))
		m->k8s = 1;
	if (!key_is(ka, kb, kesc, "data"))
		return value(c);
	if (++m->ndata > 1 || c->p >= c->end || *c->p != '"') {
		c->shape = 1;
		return value(c);
	}
	return string(c, &m->da, &m->db, &m->desc);
}

static int message(struct scan *c, void *ctx)
{
	struct msg_ctx m = { 0 };
	struct goaudit_obj *o = c->o;
	int32_t pid;

	(void)ctx;
	if (c->p >= c->end || *c->p != '{') {
		c->shape = 1;
		return value(c);
	}
	if (object(c, msg_member, &m) < 0)
		return -1;
	o->nmsgs++;
	if (m.k8s)
		o->has_k8s++;
	else if (m.ndata == 1 && m.da &&
		 (pid = data_pid(m.da, m.db, m.desc)) != RECORD_NO_PID) {
		if (o->npids < GOAUDIT_PIDS_MAX)
			o->pids[o->npids++] = (struct goaudit_msg){
				.insert_at = (uint32_t)(c->p - c->s), .pid = pid };
		else
			o->capped++;
	}
	c->p++;
	return 0;
}

static int top_member(struct scan *c, const char *ka, const char *kb,
		      int kesc, void *ctx)
{
	int *seen = ctx;

	if (!key_is(ka, kb, kesc, "messages"))
		return value(c);
	if (++*seen > 1 || c->p >= c->end || *c->p != '[') {
		c->shape = 1;
		return value(c);
	}
	return array(c, message, NULL);
}

void goaudit_scan(const char *line, size_t len, struct goaudit_obj *o)
{
	struct scan c = { .s = line, .p = line, .end = line + len, .o = o };
	int seen = 0;

	memset(o, 0, offsetof(struct goaudit_obj, pids));
	if (memchr(line, '\0', len)) {
		o->status = GOAUDIT_NUL;
		return;
	}
	ws(&c);
	if (c.p >= c.end) {
		o->status = GOAUDIT_EMPTY;
		return;
	}
	if (*c.p == '{') {
		if (object(&c, top_member, &seen) == 0)
			c.p++;
		if (!seen)
			c.shape = 1;
	} else {
		value(&c);
		c.shape = 1;
	}
	ws(&c);
	if (!c.status && c.p < c.end)
		c.status = GOAUDIT_BAD_JSON;
	o->status = c.status ? c.status : c.shape ? GOAUDIT_SHAPE : GOAUDIT_OK;
	if (o->status != GOAUDIT_OK)
		o->npids = o->capped = 0;
}

size_t goaudit_format(char *dst, size_t cap, const char *line, size_t len,
		      const struct goaudit_obj *o, goaudit_k8s_fn fn, void *ctx)
{
	size_t at = 0, n = 0;

	for (unsigned i = 0; i < o->npids; i++) {
		size_t upto = o->pids[i].insert_at, room, k;

		if (upto < at || upto > len || cap - n < upto - at)
			return 0;
		memcpy(dst + n, line + at, upto - at);
		n += upto - at;
		at = upto;
		/* the rest of the line and its newline must still fit */
		if (cap - n < len - at + 1 + 7)
			return 0;
		room = cap - n - (len - at + 1) - 7;
		if (room > GOAUDIT_K8S_MAX)
			room = GOAUDIT_K8S_MAX;
		k = fn(ctx, i, o->pids[i].pid, dst + n + 7, room);
		if (k && k <= room) {
			memcpy(dst + n, ",\"k8s\":", 7);
			n += 7 + k;
		}
	}
	if (cap - n < len - at + 1)
		return 0;
	memcpy(dst + n, line + at, len - at);
	n += len - at;
	dst[n++] = '\n';
	return n;
}

const char *goaudit_why(int status, int cut)
{
	if (cut)
		return "long";
	switch (status) {
	case GOAUDIT_BAD_JSON: return "json";
	case GOAUDIT_NUL: return "nul";
	case GOAUDIT_DEEP: return "deep";
	default: return NULL;
	}
}

size_t goaudit_malformed(char *dst, size_t cap, const char *line, size_t len,
			 size_t orig_len, const char *why)
{
	size_t kept = len < GOAUDIT_REPORT_KEEP ? len : GOAUDIT_REPORT_KEEP;
	int h = snprintf(dst, cap, "{\"malformed\":\"%s\",\"orig_len\":%zu,"
			 "\"kept\":%zu,\"line\":", why, orig_len, kept);
	size_t n, k;

	if (h < 0 || (size_t)h >= cap)
		return 0;
	n = (size_t)h;
	k = encode_json_string(dst + n, cap - n, line, kept);
	if (!k || cap - n - k < 3)
		return 0;
	n += k;
	memcpy(dst + n, "}\n", 2);
	return n + 2;
}
