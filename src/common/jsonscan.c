/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonscan.c - the streaming JSON scanner of jsonscan.h.
 *
 * One pass over the bytes, every bit of state in struct jsonscan (the
 * bracket stack and the token being read), so a chunk may end anywhere,
 * even inside a \u escape.  The loop works byte by byte only on structure;
 * string bodies are skipped 16 bytes at a time (the compiler's vector
 * extension: SSE2, NEON) and whitespace by a table.  Events go out at the
 * start and end of every value and at every key, nothing else: there is no
 * per-byte call.  With JSONSCAN_UTF8 a string body stops at bytes >= 0x80
 * too, and each such sequence goes to encode_utf8_len (the project's one
 * UTF-8 check); one cut by the end of a chunk is kept (4 bytes at most)
 * until the next completes it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/encode.h"
#include "common/jsonscan.h"

enum state {
	ST_VALUE,        /* a value must come */
	ST_VALUE_OR_END, /* after '[' */
	ST_KEY_OR_END,   /* after '{' */
	ST_KEY,          /* after ',' in an object */
	ST_COLON,
	ST_NEXT,         /* after a value inside brackets: ',' or the closer */
	ST_DONE,         /* after the top-level value: whitespace only */
	ST_STRING,
	ST_ESC,          /* after a backslash */
	ST_UHEX,         /* inside the 4 digits of \uXXXX */
	ST_NUMBER,
	ST_LITERAL,
	ST_UTF8,         /* inside a UTF-8 sequence cut by a chunk's end */
};

/* Where a number is; NUM_CAN_END marks where it may stop. */
enum num { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };
#define NUM_CAN_END ((1u << N_ZERO) | (1u << N_INT) | (1u << N_FRAC) | \
		     (1u << N_EXP))

/* What ends a run of string body: '"', '\\' and control bytes. */
static const uint8_t str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};
/* The byte a short escape (backslash, then the index) stands for; 0: none. */
static const char esc_short[256] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
	['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};
static const uint8_t is_ws[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/*
 * The first byte at or after p that ends a run of string body, or end;
 * hi: 0x80 when bytes >= 0x80 end it too (JSONSCAN_UTF8), else 0.
 */
static const unsigned char *str_skip(const unsigned char *p,
				     const unsigned char *end, unsigned char hi)
{
	typedef unsigned char v16 __attribute__((vector_size(16)));
	v16 x;
	uint64_t w[2];

	while (end - p >= 16) {
		memcpy(&x, p, sizeof x);
		x = (v16)((x == '"') | (x == '\\') | (x < 0x20) | ((x & hi) != 0));
		memcpy(w, &x, sizeof w);
		if (w[0] | w[1])
			break;
		p += 16;
	}
	while (p < end && !str_stop[*p] && !(*p & hi))
		p++;
	return p;
}

void jsonscan_init(struct jsonscan *js, jsonscan_fn *fn, void *ctx)
{
	memset(js, 0, sizeof *js);
	js->state = ST_VALUE;
	js->fn = fn;
	js->ctx = ctx;
}

int jsonscan_fail(struct jsonscan *js, int err, uint64_t off,
		  const char *fmt, ...)
{
	va_list ap;
	int n;

	if (js->err)
		return js->err;
	n = snprintf(js->why, sizeof js->why, "byte %llu: ",
		     (unsigned long long)off);
	va_start(ap, fmt);
	vsnprintf(js->why + n, sizeof js->why - (size_t)n, fmt, ap);
	va_end(ap);
	js->err = err;
	return err;
}

const char *jsonscan_error(const struct jsonscan *js)
{
	return js->err ? js->why : "";
}

/* A JSON syntax error at off. */
static int bad(struct jsonscan *js, uint64_t off, const char *what)
{
	return jsonscan_fail(js, -EINVAL, off, "%s", what);
}

static void key_add(struct jsonscan *js, const void *s, size_t n)
{
	if (js->key_cut || js->keylen > JSONSCAN_KEY_MAX)
		return;
	if (js->keylen + n > JSONSCAN_KEY_MAX) {
		js->keylen = JSONSCAN_KEY_MAX + 1;
		return;
	}
	memcpy(js->key + js->keylen, s, n);
	js->keylen += n;
	js->key[js->keylen] = '\0';
}

static int hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	return c - 'a' < 6 ? (int)(c - 'a' + 10) : -1;
}

/* One more byte of a number: 1 taken, 0 not a number byte. */
static int num_step(struct jsonscan *js, unsigned c)
{
	int digit = c - '0' < 10;

	switch (js->num) {
	case N_MINUS:
		if (digit)
			js->num = c == '0' ? N_ZERO : N_INT;
		return digit;
	case N_INT:
		if (digit)
			return 1;
		/* fall through */
	case N_ZERO:
		if (c == '.')
			js->num = N_DOT;
		else if ((c | 0x20) == 'e')
			js->num = N_E;
		else
			return 0;
		return 1;
	case N_DOT:
	case N_FRAC:
		if (digit)
			js->num = N_FRAC;
		else if (js->num == N_FRAC && (c | 0x20) == 'e')
			js->num = N_E;
		else
			return 0;
		return 1;
	case N_E:
		if (c == '+' || c == '-') {
			js->num = N_ESIGN;
			return 1;
		}
		/* fall through */
	default: /* N_ESIGN, N_EXP */
		if (digit)
			js->num = N_EXP;
		return digit;
	}
}

static int emit(struct jsonscan *js, enum jsonscan_event ev,
		const unsigned char *p, uint64_t off)
{
	int r = js->fn ? js->fn(js->ctx, js, ev, p, off) : 0;

	return r < 0 ? jsonscan_fail(js, r, off, "stopped (%d)", r) : 0;
}

/* A value ended; p is the first byte after it. */
static int value_done(struct jsonscan *js, const unsigned char *p,
		      uint64_t off)
{
	js->state = js->depth ? ST_NEXT : ST_DONE;
	return emit(js, JSONSCAN_END, p, off);
}

/* A value starts with the byte at p (not whitespace). */
static int value_start(struct jsonscan *js, const unsigned char *p,
		       uint64_t off)
{
	unsigned c = *p;
	int r = emit(js, JSONSCAN_VALUE, p, off);

	if (r < 0)
		return r;
	switch (c) {
	case '{':
	case '[':
		if (js->depth == JSONSCAN_DEPTH_MAX)
			return bad(js, off, "nested too deep");
		js->stack[js->depth++] = (uint8_t)c;
		js->state = c == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
		return 0;
	case '"':
		js->state = ST_STRING;
		js->is_key = 0;
		js->escaped = 0;
		return 0;
	case 't':
		js->lit = "rue";
		break;
	case 'f':
		js->lit = "alse";
		break;
	case 'n':
		js->lit = "ull";
		break;
	default:
		if (c != '-' && c - '0' >= 10)
			return jsonscan_fail(js, -EINVAL, off,
					     "expected a value, not '%c'",
					     c >= 0x20 && c < 0x7f ? (int)c
					     : '?');
		js->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
		js->state = ST_NUMBER;
		return 0;
	}
	js->state = ST_LITERAL;
	return 0;
}

static int close_bracket(struct jsonscan *js, const unsigned char *p,
			 uint64_t off)
{
	if (!js->depth || js->stack[js->depth - 1] != (*p == '}' ? '{' : '['))
		return jsonscan_fail(js, -EINVAL, off,
				     "'%c' does not match its bracket", *p);
	js->depth--;
	return value_done(js, p + 1, off + 1);
}

static int escape(struct jsonscan *js, unsigned c, uint64_t off)
{
	if (c == 'u') {
		js->state = ST_UHEX;
		js->hex_left = 4;
		js->uval = 0;
		return 0;
	}
	if (!esc_short[c])
		return bad(js, off, "bad escape in a string");
	if (js->is_key)
		key_add(js, &esc_short[c], 1);
	js->state = ST_STRING;
	return 0;
}

/* The last of the 4 digits of a \u escape was read. */
static void uhex_done(struct jsonscan *js)
{
	char k = (char)js->uval;

	js->state = ST_STRING;
	if (!js->is_key)
		return;
	if (js->uval == 0)
		js->key_cut = 1;     /* json-c's keys end there */
	else if (js->uval < 0x80)
		key_add(js, &k, 1);
	else if (!js->key_cut)
		js->keylen = JSONSCAN_KEY_MAX + 1; /* not ASCII: long */
}

/*
 * A sequence whose first byte (>= 0x80) is at *pp in a string: *pp moves
 * past it, or to end when the chunk cuts it (kept for the next).
 */
static int utf8_seq(struct jsonscan *js, const unsigned char **pp,
		    const unsigned char *end, uint64_t off)
{
	const unsigned char *p = *pp;
	size_t avail = (size_t)(end - p);
	int n = encode_utf8_len(p, avail);

	if (n == 0)
		return bad(js, off, "bad UTF-8 in a string");
	if (n < 0) { /* a valid start, avail < 4 */
		memcpy(js->u8, p, avail);
		js->u8len = (uint8_t)avail;
		js->state = ST_UTF8;
		*pp = end;
		return 0;
	}
	if (js->is_key)
		key_add(js, p, (size_t)n);
	*pp = p + n;
	return 0;
}

/* The next byte c of a sequence the last chunk cut. */
static int utf8_more(struct jsonscan *js, unsigned char c, uint64_t off)
{
	int n;

	js->u8[js->u8len++] = c;
	n = encode_utf8_len(js->u8, js->u8len);
	if (n == 0)
		return bad(js, off, "bad UTF-8 in a string");
	if (n > 0) {
		if (js->is_key)
			key_add(js, js->u8, (size_t)n);
		js->state = ST_STRING;
	}
	return 0;
}

/* Structure: the byte at p is not whitespace. */
static int structure(struct jsonscan *js, const unsigned char *p, uint64_t off)
{
	unsigned c = *p;

	switch (js->state) {
	case ST_VALUE_OR_END:
		if (c == ']')
			return close_bracket(js, p, off);
		/* fall through */
	case ST_VALUE:
		return value_start(js, p, off);
	case ST_KEY_OR_END:
		if (c == '}')
			return close_bracket(js, p, off);
		/* fall through */
	case ST_KEY:
		if (c != '"')
			return bad(js, off, "expected a key");
		js->state = ST_STRING;
		js->is_key = 1;
		js->escaped = 0;
		js->keylen = 0;
		js->key[0] = '\0';
		js->key_cut = 0;
		return 0;
	case ST_COLON:
		js->state = ST_VALUE;
		return c == ':' ? 0 : bad(js, off, "expected ':' after a key");
	case ST_NEXT:
		if (c == '}' || c == ']')
			return close_bracket(js, p, off);
		if (c != ',')
			return bad(js, off,
				   "expected ',' or a closing bracket");
		js->state = js->stack[js->depth - 1] == '{' ? ST_KEY : ST_VALUE;
		return 0;
	default: /* ST_DONE */
		return bad(js, off, "garbage after the top-level value");
	}
}

int jsonscan_feed(struct jsonscan *js, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len, *q;
	uint64_t base = js->bytes;
	unsigned char hi = js->flags & JSONSCAN_UTF8 ? 0x80 : 0;
	int r = js->err;

#define OFF (base + (uint64_t)(p - (const unsigned char *)buf))
	while (p < end && r == 0) {
		switch (js->state) {
		case ST_STRING:
			for (;;) {
				q = str_skip(p, end, hi);
				if (js->is_key)
					key_add(js, p, (size_t)(q - p));
				p = q;
				/* a short escape whole in this chunk: taken here */
				if (end - p < 2 || *p != '\\' || !esc_short[p[1]])
					break;
				js->escaped = 1;
				if (js->is_key)
					key_add(js, &esc_short[p[1]], 1);
				p += 2;
			}
			if (p == end)
				break;
			if (*p == '"' && js->is_key) {
				js->state = ST_COLON;
				r = emit(js, JSONSCAN_KEY, p, OFF);
			} else if (*p == '"') {
				r = value_done(js, p + 1, OFF + 1);
			} else if (*p == '\\') {
				js->state = ST_ESC;
				js->escaped = 1;
			} else if (*p & hi) {
				r = utf8_seq(js, &p, end, OFF);
				break;
			} else {
				r = bad(js, OFF, "control byte in a string");
			}
			p++;
			break;
		case ST_UTF8:
			r = utf8_more(js, *p, OFF);
			p++;
			break;
		case ST_ESC:
			r = escape(js, *p, OFF);
			p++;
			break;
		case ST_UHEX:
			if (hexval(*p) < 0) {
				r = bad(js, OFF, "bad \\u escape");
				break;
			}
			js->uval = js->uval * 16 + (unsigned)hexval(*p++);
			if (!--js->hex_left)
				uhex_done(js);
			break;
		case ST_NUMBER:
			if (num_step(js, *p))
				p++;
			else if (!(NUM_CAN_END & (1u << js->num)))
				r = bad(js, OFF, "bad number");
			else
				r = value_done(js, p, OFF); /* p: again */
			break;
		case ST_LITERAL:
			if (*p != (unsigned char)*js->lit) {
				r = bad(js, OFF, "bad literal");
				break;
			}
			p++;
			if (!*++js->lit)
				r = value_done(js, p, OFF);
			break;
		default:
			while (p < end && is_ws[*p])
				p++;
			if (p < end) {
				r = structure(js, p, OFF);
				p++;
			}
			break;
		}
	}
#undef OFF
	js->bytes += len;
	return r;
}

int jsonscan_finish(struct jsonscan *js)
{
	if (js->err)
		return js->err;
	if (js->state == ST_NUMBER && !js->depth &&
	    (NUM_CAN_END & (1u << js->num)))
		return value_done(js, NULL, js->bytes); /* a top-level number */
	if (js->state == ST_DONE)
		return 0;
	return bad(js, js->bytes, js->state == ST_VALUE && !js->depth
		   ? "the body is empty" : "the body ended early");
}

int jsonscan_scan(struct jsonscan *js, const char *buf, size_t len,
		  unsigned flags, jsonscan_fn *fn, void *ctx)
{
	int r;

	jsonscan_init(js, fn, ctx);
	js->flags = flags;
	r = jsonscan_feed(js, buf, len);
	return r < 0 ? r : jsonscan_finish(js);
}

/* Four hex digits (checked by the scan) at s. */
static unsigned hex4(const char *s)
{
	return (unsigned)(hexval((unsigned char)s[0]) << 12 |
			  hexval((unsigned char)s[1]) << 8 |
			  hexval((unsigned char)s[2]) << 4 |
			  hexval((unsigned char)s[3]));
}

size_t jsonscan_unescape(char *dst, size_t cap, const char *s, size_t len)
{
	const char *a = s, *b = s + len;
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
		cp = hex4(a + 2);
		a += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF && b - a >= 6 && a[0] == '\\' &&
		    a[1] == 'u') {
			unsigned lo = hex4(a + 2);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				a += 6;
			}
		}
		if (cp >= 0xD800 && cp <= 0xDFFF)
			cp = 0xFFFD;
		/* UTF-8; what does not fit is cut, as the end of the string is */
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
