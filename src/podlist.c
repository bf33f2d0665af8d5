/*
 * podlist.c - the streaming PodList parser of podlist.h: the outer scanner.
 *
 * One pass over the bytes as they come, in chunks of any size, with all of
 * its state in struct podlist: a stack of open brackets (PODLIST_OUTER_DEPTH
 * outside "items", PODLIST_DEPTH inside an item) and the state of the
 * token being read, so a chunk may end anywhere, even inside a \u escape.
 * It checks the whole body as strict JSON (RFC 8259 grammar: no trailing
 * commas, no control bytes in strings, no leading zeros, nothing after the
 * top-level value but whitespace), captures the keys of the top-level
 * object only to find "items", and copies nothing else outside items.
 * String bodies and whitespace are skipped by table lookups in tight loops.
 * Each element of the items array is collected into one buffer (spans of
 * the chunk, not byte by byte) and handed to poditem.c when its closing
 * brace comes; the buffer is reused.  Only the parts poditem.c reads are
 * collected (poditem_fields): any other value inside an item is checked
 * like the rest and replaced by 0, so an item costs json-c and memory in
 * proportion to what is kept, not to its annotations.  An element whose
 * bytes (all of them) pass PODLIST_ITEM_MAX is skipped and counted.
 *
 * max_bytes == 0 means no cap on the whole body (memory is bounded by the
 * item cap all the same).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podlist.h"
#include "poditem.h"

#define STACK_MAX (PODLIST_OUTER_DEPTH + PODLIST_DEPTH + 2)
#define ITEMS_DEPTH 2                  /* the items array: top object, array */
#define KEY_CAP PODITEM_KEY_MAX        /* keys are compared this far */
#define ITEM_BUF_MIN (64 * 1024)
#define ERR_MAX 160

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
};

/* Where a number is: the states after which it may end are marked. */
enum num { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };
#define NUM_CAN_END ((1u << N_ZERO) | (1u << N_INT) | (1u << N_FRAC) | \
		     (1u << N_EXP))

struct podlist {
	uint8_t state, num, hex_left;
	uint8_t is_key, key_cap, key_items; /* the string being read */
	uint8_t key_cut;                    /* a \u0000 ended the key */
	uint8_t started, items_seen, items_open, item_on, item_big;
	uint8_t elide_next, eliding;        /* the next value / this one: 0 */
	unsigned depth, elide_depth;
	uint8_t stack[STACK_MAX];           /* '{' or '[' */
	/* inside an item: what each open bracket keeps (NULL: all of it) */
	const struct poditem_keep *keep[STACK_MAX];
	const struct poditem_keep *next;    /* ... and the next value */
	uint64_t item_off;                  /* where the item began */
	const char *lit;                    /* rest of true/false/null */
	unsigned uval;                      /* \u digits so far */
	char key[KEY_CAP + 1];
	size_t keylen;                      /* KEY_CAP + 1: longer */
	const unsigned char *span;          /* item bytes start, this chunk */
	char *item;
	size_t item_len, item_cap;
	size_t max_bytes;
	char *labels[PODSNAP_LABELS_MAX];
	struct poditem_ctx ctx;
	struct podsnap *snap;
	struct podlist_stats st;
	int err, finished;
	char why[ERR_MAX];
};

/* Bytes a string body skips over: all but '"', '\\' and control bytes. */
static const uint8_t str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};
static const uint8_t is_ws[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/*
 * The first byte at or after p that ends a run of string body: '"', '\\'
 * or a control byte (end when there is none).  16 bytes at a time with the
 * compiler's vector extension (SSE2, NEON), the last few one by one.
 */
static const unsigned char *str_skip(const unsigned char *p,
				     const unsigned char *end)
{
	typedef unsigned char v16 __attribute__((vector_size(16)));
	v16 x;
	uint64_t w[2];

	while (end - p >= 16) {
		memcpy(&x, p, sizeof x);
		x = (v16)((x == '"') | (x == '\\') | (x < 0x20));
		memcpy(w, &x, sizeof w);
		if (w[0] | w[1])
			break;
		p += 16;
	}
	while (p < end && !str_stop[*p])
		p++;
	return p;
}

__attribute__((format(printf, 4, 5)))
static int fail(struct podlist *pl, int err, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(pl->why, sizeof pl->why, "byte %llu: ",
			 (unsigned long long)off);

	va_start(ap, fmt);
	vsnprintf(pl->why + n, sizeof pl->why - (size_t)n, fmt, ap);
	va_end(ap);
	pl->err = err;
	return err;
}

struct podlist *podlist_new(const struct podlist_opts *o)
{
	struct podlist *pl;

	if (o && (o->nlabels > PODSNAP_LABELS_MAX || (o->nlabels && !o->labels))) {
		errno = EINVAL;
		return NULL;
	}
	pl = calloc(1, sizeof *pl);
	if (!pl)
		return NULL;
	pl->ctx.labels = (const char *const *)pl->labels;
	pl->ctx.snap = pl->snap = podsnap_new();
	pl->ctx.st = &pl->st;
	if (!pl->snap || poditem_ctx_init(&pl->ctx) < 0)
		goto fail;
	for (unsigned i = 0; o && i < o->nlabels; i++)
		if (!(pl->labels[pl->ctx.nlabels++] =
		      strdup(o->labels[i] ? o->labels[i] : "")))
			goto fail;
	pl->max_bytes = o ? o->max_bytes : 0;
	return pl;
fail:
	podlist_free(pl);
	errno = ENOMEM;
	return NULL;
}

void podlist_free(struct podlist *pl)
{
	if (!pl)
		return;
	for (unsigned i = 0; i < pl->ctx.nlabels; i++)
		free(pl->labels[i]);
	poditem_ctx_done(&pl->ctx);
	podsnap_unref(pl->snap);
	free(pl->item);
	free(pl);
}

static void item_append(struct podlist *pl, const unsigned char *from,
			const unsigned char *to)
{
	size_t n = (size_t)(to - from), cap = pl->item_cap;
	char *p;

	if (pl->item_big || !n)
		return;
	if (n > PODLIST_ITEM_MAX - pl->item_len) {
		pl->item_big = 1; /* skipped and counted when it ends */
		return;
	}
	while (cap < pl->item_len + n)
		cap = cap ? cap * 2 : ITEM_BUF_MIN;
	if (cap > PODLIST_ITEM_MAX)
		cap = PODLIST_ITEM_MAX;
	if (cap != pl->item_cap) {
		if (!(p = realloc(pl->item, cap))) {
			pl->item_big = 1;
			pl->err = -ENOMEM; /* reported by the caller */
			return;
		}
		pl->item = p;
		pl->item_cap = cap;
	}
	memcpy(pl->item + pl->item_len, from, n);
	pl->item_len += n;
}

/* The item that started at item_off ends with the '}' at p. */
static int item_end(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	const char *why = "";
	int r;

	if (off + 1 - pl->item_off > PODLIST_ITEM_MAX)
		pl->item_big = 1;
	item_append(pl, pl->span, p + 1);
	pl->item_on = 0;
	if (pl->err)
		return fail(pl, pl->err, off, "out of memory for an item");
	if (pl->item_big) {
		pl->st.skipped++;
		return 0;
	}
	r = poditem_add(&pl->ctx, pl->item, pl->item_len, &why);
	if (r == -EINVAL)
		return fail(pl, r, off, "item %llu: %s",
			    (unsigned long long)pl->st.items - 1, why);
	if (r < 0)
		return fail(pl, r, off, "out of memory");
	return 0;
}

static void key_add(struct podlist *pl, const void *s, size_t n)
{
	if (pl->key_cut)
		return;
	if (pl->keylen + n > KEY_CAP) {
		pl->keylen = KEY_CAP + 1;
		return;
	}
	memcpy(pl->key + pl->keylen, s, n);
	pl->keylen += n;
}

/* A value ended; after is the first byte past it. */
static void value_done(struct podlist *pl, const unsigned char *after)
{
	pl->state = pl->depth ? ST_NEXT : ST_DONE;
	if (pl->eliding && pl->depth == pl->elide_depth) {
		pl->eliding = 0;
		pl->span = after; /* collect again from here */
	}
}

/* A value starts at p inside an item: keep it, or collect 0 instead. */
static void item_value(struct podlist *pl, const unsigned char *p)
{
	static const unsigned char zero[] = "0";

	if (pl->stack[pl->depth - 1] == '[') {
		pl->next = pl->keep[pl->depth - 1];
		pl->elide_next = 0;
	}
	if (!pl->elide_next)
		return;
	item_append(pl, pl->span, p);
	item_append(pl, zero, zero + 1);
	pl->eliding = 1;
	pl->elide_depth = pl->depth;
}

/* A key ended: what its value keeps. */
static void key_end(struct podlist *pl)
{
	const struct poditem_keep *k = pl->keep[pl->depth - 1];

	pl->next = NULL;
	pl->elide_next = 0;
	if (!pl->key_cap)
		return;
	pl->elide_next = 1;
	for (; pl->keylen <= KEY_CAP && k->key; k++)
		if (strlen(k->key) == pl->keylen &&
		    memcmp(k->key, pl->key, pl->keylen) == 0) {
			pl->next = k->sub;
			pl->elide_next = 0;
			return;
		}
}

static int hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	return c - 'a' < 6 ? (int)(c - 'a' + 10) : -1;
}

/* One more byte of a number: 1 taken, 0 not a number byte. */
static int num_step(struct podlist *pl, unsigned c)
{
	int digit = c - '0' < 10;

	switch (pl->num) {
	case N_MINUS:
		if (digit)
			pl->num = c == '0' ? N_ZERO : N_INT;
		return digit;
	case N_INT:
		if (digit)
			return 1;
		/* fall through */
	case N_ZERO:
		if (c == '.')
			pl->num = N_DOT;
		else if ((c | 0x20) == 'e')
			pl->num = N_E;
		else
			return 0;
		return 1;
	case N_DOT:
	case N_FRAC:
		if (digit) {
			pl->num = N_FRAC;
			return 1;
		}
		if (pl->num == N_FRAC && (c | 0x20) == 'e') {
			pl->num = N_E;
			return 1;
		}
		return 0;
	case N_E:
		if (c == '+' || c == '-') {
			pl->num = N_ESIGN;
			return 1;
		}
		/* fall through */
	default: /* N_ESIGN, N_EXP */
		if (digit)
			pl->num = N_EXP;
		return digit;
	}
}

/* A value starts with the byte at p (not whitespace). */
static int value_start(struct podlist *pl, const unsigned char *p,
		       uint64_t off)
{
	unsigned c = *p;

	if (!pl->started) {
		pl->started = 1;
		if (c != '{')
			return fail(pl, -EINVAL, off, "the top level is not an object");
	}
	if (pl->key_items) {
		pl->key_items = 0;
		if (c != '[' && c != 'n')
			return fail(pl, -EINVAL, off, "\"items\" is neither an array nor null");
		pl->items_open = c == '[';
	} else if (pl->items_open && pl->depth == ITEMS_DEPTH) {
		pl->st.items++;
		if (c == '{') {
			pl->item_on = 1;
			pl->item_big = 0;
			pl->item_len = 0;
			pl->item_off = off;
			pl->span = p;
			pl->next = poditem_fields;
		} else {
			pl->st.skipped++; /* null, or not an object */
		}
	} else if (pl->item_on && !pl->eliding) {
		item_value(pl, p);
	}
	switch (c) {
	case '{':
	case '[':
		if (pl->depth >= (pl->items_open ? ITEMS_DEPTH + PODLIST_DEPTH
				  : PODLIST_OUTER_DEPTH))
			return fail(pl, -EINVAL, off, "nested deeper than %d",
				    pl->items_open ? PODLIST_DEPTH : PODLIST_OUTER_DEPTH);
		pl->keep[pl->depth] = pl->item_on && !pl->eliding ? pl->next : NULL;
		pl->stack[pl->depth++] = (uint8_t)c;
		pl->state = c == '{' ? ST_KEY_OR_END : ST_VALUE_OR_END;
		return 0;
	case '"':
		pl->state = ST_STRING;
		pl->is_key = pl->key_cap = 0;
		return 0;
	case 't':
		pl->lit = "rue";
		break;
	case 'f':
		pl->lit = "alse";
		break;
	case 'n':
		pl->lit = "ull";
		break;
	default:
		if (c != '-' && c - '0' >= 10)
			return fail(pl, -EINVAL, off, "expected a value, not '%c'",
				    c >= 0x20 && c < 0x7f ? (int)c : '?');
		pl->num = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
		pl->state = ST_NUMBER;
		return 0;
	}
	pl->state = ST_LITERAL;
	return 0;
}

/* The closing bracket at p. */
static int close_bracket(struct podlist *pl, const unsigned char *p,
			 uint64_t off)
{
	unsigned c = *p;

	if (!pl->depth || pl->stack[pl->depth - 1] != (c == '}' ? '{' : '['))
		return fail(pl, -EINVAL, off, "'%c' does not match its bracket", c);
	pl->depth--;
	value_done(pl, p + 1);
	if (pl->items_open && pl->depth == ITEMS_DEPTH && pl->item_on)
		return item_end(pl, p, off);
	if (pl->items_open && pl->depth == ITEMS_DEPTH - 1)
		pl->items_open = 0;
	return 0;
}

/* The closing quote of a string at p. */
static int string_end(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	if (!pl->is_key) {
		value_done(pl, p + 1);
		return 0;
	}
	pl->state = ST_COLON;
	if (pl->depth > 1) {
		key_end(pl);
	} else if (pl->keylen == 5 && memcmp(pl->key, "items", 5) == 0) {
		if (pl->items_seen)
			return fail(pl, -EINVAL, off, "a second \"items\" key");
		pl->items_seen = pl->key_items = 1;
	}
	return 0;
}

static int escape(struct podlist *pl, unsigned c, uint64_t off)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = c ? strchr(from, (int)c) : NULL;

	if (c == 'u') {
		pl->state = ST_UHEX;
		pl->hex_left = 4;
		pl->uval = 0;
		return 0;
	}
	if (!e)
		return fail(pl, -EINVAL, off, "bad escape in a string");
	if (pl->key_cap)
		key_add(pl, &to[e - from], 1);
	pl->state = ST_STRING;
	return 0;
}

/* Run the scanner over one chunk. */
static int scan(struct podlist *pl, const unsigned char *p,
		const unsigned char *end)
{
	const unsigned char *buf = p;
	uint64_t base = pl->st.bytes;
	int r = 0;

#define OFF (base + (uint64_t)(p - buf))
	pl->span = p;
	while (p < end && r == 0) {
		const unsigned char *q;
		unsigned c;

		switch (pl->state) {
		case ST_STRING:
			q = str_skip(p, end);
			if (pl->key_cap)
				key_add(pl, p, (size_t)(q - p));
			p = q;
			if (p == end)
				continue;
			if (*p == '"')
				r = string_end(pl, p, OFF);
			else if (*p == '\\')
				pl->state = ST_ESC;
			else
				r = fail(pl, -EINVAL, OFF, "control byte in a string");
			p++;
			continue;
		case ST_ESC:
			r = escape(pl, *p, OFF);
			p++;
			continue;
		case ST_UHEX:
			if (hexval(*p) < 0) {
				r = fail(pl, -EINVAL, OFF, "bad \\u escape");
				continue;
			}
			pl->uval = pl->uval * 16 + (unsigned)hexval(*p++);
			if (--pl->hex_left)
				continue;
			if (pl->key_cap && pl->uval == 0) {
				pl->key_cut = 1; /* json-c's keys end at a NUL too */
			} else if (pl->key_cap && pl->uval < 0x80) {
				char k = (char)pl->uval;

				key_add(pl, &k, 1);
			} else if (pl->key_cap && !pl->key_cut) {
				pl->keylen = KEY_CAP + 1; /* not ASCII: no key we keep */
			}
			pl->state = ST_STRING;
			continue;
		case ST_NUMBER:
			if (num_step(pl, *p)) {
				p++;
				continue;
			}
			if (!(NUM_CAN_END & (1u << pl->num)))
				r = fail(pl, -EINVAL, OFF, "bad number");
			value_done(pl, p); /* the byte at p is read again */
			continue;
		case ST_LITERAL:
			if (*p != (unsigned char)*pl->lit) {
				r = fail(pl, -EINVAL, OFF, "bad literal");
				continue;
			}
			p++;
			if (!*++pl->lit)
				value_done(pl, p);
			continue;
		default:
			break;
		}
		while (p < end && is_ws[*p])
			p++;
		if (p == end)
			break;
		c = *p;
		switch (pl->state) {
		case ST_VALUE_OR_END:
			if (c == ']') {
				r = close_bracket(pl, p, OFF);
				break;
			}
			/* fall through */
		case ST_VALUE:
			r = value_start(pl, p, OFF);
			break;
		case ST_KEY_OR_END:
			if (c == '}') {
				r = close_bracket(pl, p, OFF);
				break;
			}
			/* fall through */
		case ST_KEY:
			if (c != '"') {
				r = fail(pl, -EINVAL, OFF, "expected a key");
				break;
			}
			pl->state = ST_STRING;
			pl->is_key = 1;
			pl->key_cap = pl->depth == 1 || (pl->item_on && !pl->eliding &&
							 pl->keep[pl->depth - 1]);
			pl->keylen = 0;
			pl->key_cut = 0;
			break;
		case ST_COLON:
			if (c != ':')
				r = fail(pl, -EINVAL, OFF, "expected ':' after a key");
			pl->state = ST_VALUE;
			break;
		case ST_NEXT:
			if (c == ',')
				pl->state = pl->stack[pl->depth - 1] == '{' ? ST_KEY
					: ST_VALUE;
			else if (c == '}' || c == ']')
				r = close_bracket(pl, p, OFF);
			else
				r = fail(pl, -EINVAL, OFF, "expected ',' or a closing bracket");
			break;
		default: /* ST_DONE */
			r = fail(pl, -EINVAL, OFF, "garbage after the top-level object");
			break;
		}
		p++;
	}
#undef OFF
	if (r == 0 && pl->item_on && base + (uint64_t)(end - buf) - pl->item_off >
	    PODLIST_ITEM_MAX)
		pl->item_big = 1;
	if (r == 0 && pl->item_on && !pl->eliding)
		item_append(pl, pl->span, end);
	if (r == 0 && pl->err)
		r = fail(pl, pl->err, base + (uint64_t)(end - buf),
			 "out of memory for an item");
	return r;
}

int podlist_feed(struct podlist *pl, const char *buf, size_t len)
{
	int r;

	if (pl->err)
		return pl->err;
	if (pl->finished)
		return fail(pl, -EINVAL, pl->st.bytes, "fed after the end");
	if (pl->max_bytes && len > pl->max_bytes - pl->st.bytes)
		return fail(pl, -EFBIG, pl->st.bytes + len,
			    "the body is over max_bytes (%zu)", pl->max_bytes);
	r = scan(pl, (const unsigned char *)buf, (const unsigned char *)buf + len);
	pl->st.bytes += len;
	return r;
}

int podlist_finish(struct podlist *pl, struct podsnap **ret)
{
	if (pl->err)
		return pl->err;
	if (pl->finished)
		return fail(pl, -EINVAL, pl->st.bytes, "finished twice");
	if (pl->state != ST_DONE)
		return fail(pl, -EINVAL, pl->st.bytes, pl->started
			    ? "the body ended early" : "the body is empty");
	if (!pl->items_seen)
		return fail(pl, -EINVAL, pl->st.bytes, "no \"items\" key");
	pl->finished = 1;
	*ret = pl->snap;
	pl->snap = pl->ctx.snap = NULL;
	return 0;
}

const char *podlist_error(const struct podlist *pl)
{
	return pl->err ? pl->why : "";
}

const struct podlist_stats *podlist_stats(const struct podlist *pl)
{
	return &pl->st;
}
