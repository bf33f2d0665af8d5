/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goaudit.c - go-audit's JSON lines: check, find the pids, insert "k8s"
 * (see goaudit.h).
 *
 * The line is checked by jsonscan (common/jsonscan.h: RFC 8259 with UTF-8,
 * nothing after the value but white space) in one call over the whole
 * buffer; this file only follows its events, capping the nesting at
 * GOAUDIT_DEPTH_MAX.  The top object's "messages" array and each message's
 * "data" string are the only places looked into: data is unescaped behind
 * a made-up record header and handed to record_scan(), the field-aware
 * scanner of the auditd path, so pid= is found exactly where it would be in
 * the audit record itself.  Nothing is copied but that data (into a stack
 * buffer of one record's size).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libaudit.h>

#include "common/encode.h"
#include "common/jsonscan.h"
#include "input/goaudit.h"
#include "input/record.h"

/* What record_scan needs in front of the fields go-audit keeps: the
 * message's type by name (its pid is where that type's kernel writes it:
 * record.c's trust table), GOAUDIT when libaudit has no name for it */
#define FAKE_HDR_FMT "type=%s msg=audit(0.000:0): "
#define FAKE_HDR_MAX (sizeof "type= msg=audit(0.000:0): " + 40)
#define TYPE_DIGITS_MAX 5

/* Brackets around a value (jsonscan's depth) where go-audit's parts are. */
#define D_TOP 0        /* the object */
#define D_MEMBER 1     /* its members' values: "messages" */
#define D_MSG 2        /* the elements of messages: one message each */
#define D_MSG_MEMBER 3 /* a message's members' values: "data" */

struct scan {
	struct goaudit_obj *o;
	const char *line;
	size_t len;
	uint8_t deep;      /* stopped: nested deeper than GOAUDIT_DEPTH_MAX */
	uint8_t shape;     /* valid so far but not go-audit's shape */
	uint8_t msgs_next; /* the next member's value is the first "messages" */
	uint8_t ts_next;   /* the next member's value is the first "timestamp" */
	unsigned nts;      /* "timestamp" keys of the object */
	uint8_t in_msgs;   /* inside that array */
	unsigned seen;     /* "messages" keys of the object */
	/* the message being read */
	uint8_t msg_on, data_next, data_on, k8s, desc, has_data, type_next;
	int msg_type;      /* its "type" (0: none, or not a small number) */
	unsigned ndata;    /* its "data" keys */
	uint64_t da, db;   /* the first one's string content, still escaped */
};

/* 1 when the key just read is name (a \u0000 in it makes it no name). */
static int key_is(const struct jsonscan *js, const char *name)
{
	size_t n = strlen(name);

	return !js->key_cut && js->keylen == n && memcmp(js->key, name, n) == 0;
}

/*
 * The pid= of a message's data (a..b, escaped) as the kernel wrote it for
 * a record of that type, RECORD_NO_PID when it has none, 0 when the pid=
 * there is text a process chose (NETFILTER_CFG's table name): "?".
 */
static int32_t data_pid(const char *a, const char *b, int esc, int type)
{
	char buf[FAKE_HDR_MAX + RECORD_MAX];
	const char *name = type > 0 ? audit_msg_type_to_name(type) : NULL;
	struct record r;
	size_t h, n;

	h = (size_t)snprintf(buf, FAKE_HDR_MAX, FAKE_HDR_FMT,
			     name && strlen(name) < 40 ? name : "GOAUDIT");
	if (esc) {
		n = jsonscan_unescape(buf + h, sizeof buf - h, a,
				      (size_t)(b - a));
	} else {
		n = (size_t)(b - a);
		if (n > sizeof buf - h)
			n = sizeof buf - h;
		memcpy(buf + h, a, n);
	}
	record_scan(buf, h + n, &r);
	if (r.flags & REC_PID_FORGED)
		return 0;
	return r.pid;
}

static void on_key(struct scan *c, const struct jsonscan *js)
{
	if (js->depth == D_MEMBER) {
		c->msgs_next = 0;
		c->ts_next = key_is(js, "timestamp") && ++c->nts == 1;
		if (!key_is(js, "messages"))
			return;
		if (++c->seen == 1)
			c->msgs_next = 1;
		else
			c->shape = 1; /* a second "messages" */
	} else if (js->depth == D_MSG_MEMBER && c->msg_on) {
		c->data_next = 0;
		c->type_next = key_is(js, "type");
		if (key_is(js, "k8s"))
			c->k8s = 1;
		if (!key_is(js, "data"))
			return;
		if (++c->ndata == 1)
			c->data_next = 1;
		else
			c->shape = 1; /* a second "data" */
	}
}

/* A JSON integer of at most TYPE_DIGITS_MAX digits in [p, end), else 0
 * (a fraction, an exponent, a longer or cut number: no type of audit's) */
static int small_number(const char *p, const char *end)
{
	int v = 0, k;

	for (k = 0; k < TYPE_DIGITS_MAX && p + k < end && p[k] >= '0' &&
	     p[k] <= '9'; k++)
		v = v * 10 + (p[k] - '0');
	if (k == 0 || p + k >= end || (p[k] >= '0' && p[k] <= '9') ||
	    p[k] == '.' || p[k] == 'e' || p[k] == 'E')
		return 0;
	return v;
}

/* "S.MS" (seconds, a dot, 1-3 digits of ms, the closing quote) in
 * [p, end) as ms, else 0: the event's time, for a late record's owner */
static int64_t stamp_ms(const char *p, const char *end)
{
	int64_t sec = 0, ms = 0;
	int k = 0, m = 0;

	for (; p < end && *p >= '0' && *p <= '9' && k < 12; p++, k++)
		sec = sec * 10 + (*p - '0');
	if (k == 0 || p >= end || *p++ != '.')
		return 0;
	for (; p < end && *p >= '0' && *p <= '9' && m < 3; p++, m++)
		ms = ms * 10 + (*p - '0');
	if (m == 0 || p >= end || *p != '"')
		return 0;
	while (m++ < 3)
		ms *= 10;
	return sec * 1000 + ms;
}

static void on_value(struct scan *c, unsigned d, unsigned ch, uint64_t off)
{
	if (d == D_MEMBER && c->ts_next) {
		c->ts_next = 0;
		if (ch == '"')
			c->o->wall_ms = stamp_ms(c->line + off + 1,
						 c->line + c->len);
	}
	if (d == D_TOP && ch != '{') {
		c->shape = 1;
	} else if (d == D_MEMBER && c->msgs_next) {
		c->msgs_next = 0;
		c->in_msgs = ch == '[';
		c->shape |= !c->in_msgs;
	} else if (d == D_MSG && c->in_msgs) {
		c->msg_on = ch == '{';
		c->shape |= !c->msg_on;
		c->ndata = c->k8s = c->has_data = c->data_next = 0;
		c->type_next = 0;
		c->msg_type = 0;
	} else if (d == D_MSG_MEMBER && c->type_next) {
		c->type_next = 0;
		c->msg_type = small_number(c->line + off, c->line + c->len);
	} else if (d == D_MSG_MEMBER && c->data_next) {
		c->data_next = 0;
		c->data_on = ch == '"';
		c->shape |= !c->data_on;
		c->da = off + 1;
	}
}

/* The message that is open ends with its brace at offset at. */
static void message_done(struct scan *c, uint64_t at)
{
	struct goaudit_obj *o = c->o;
	int32_t pid;

	o->nmsgs++;
	if (c->k8s) {
		o->has_k8s++;
	} else if (c->ndata == 1 && c->has_data &&
		   (pid = data_pid(c->line + c->da, c->line + c->db, c->desc,
				   c->msg_type)) !=
		   RECORD_NO_PID) {
		if (o->npids < GOAUDIT_PIDS_MAX)
			o->pids[o->npids++] = (struct goaudit_msg){
				.insert_at = (uint32_t)at, .pid = pid };
		else
			o->capped++;
	}
}

/* off: of the first byte after the value. */
static void on_end(struct scan *c, const struct jsonscan *js, uint64_t off)
{
	unsigned d = js->depth;

	if (d == D_MSG_MEMBER && c->data_on) {
		c->data_on = 0;
		c->has_data = 1;
		c->db = off - 1;
		c->desc = js->escaped;
	} else if (d == D_MSG && c->msg_on) {
		c->msg_on = 0;
		message_done(c, off - 1);
	} else if (d == D_MEMBER && c->in_msgs) {
		c->in_msgs = 0;
	}
}

static int on_event(void *ctx, struct jsonscan *js, enum jsonscan_event ev,
		    const unsigned char *p, uint64_t off)
{
	struct scan *c = ctx;

	switch (ev) {
	case JSONSCAN_KEY:
		on_key(c, js);
		return 0;
	case JSONSCAN_VALUE:
		if ((*p == '{' || *p == '[') && js->depth >= GOAUDIT_DEPTH_MAX) {
			c->deep = 1;
			return jsonscan_fail(js, -ELOOP, off, "nested too deep");
		}
		on_value(c, js->depth, *p, off);
		return 0;
	default:
		on_end(c, js, off);
		return 0;
	}
}

void goaudit_scan(const char *line, size_t len, struct goaudit_obj *o)
{
	struct scan c = { .o = o, .line = line, .len = len };
	struct jsonscan js;
	size_t i = 0;

	memset(o, 0, offsetof(struct goaudit_obj, pids));
	if (memchr(line, '\0', len)) {
		o->status = GOAUDIT_NUL;
		return;
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t' ||
			   line[i] == '\n' || line[i] == '\r'))
		i++;
	if (i == len) {
		o->status = GOAUDIT_EMPTY;
		return;
	}
	if (jsonscan_scan(&js, line, len, JSONSCAN_UTF8, on_event, &c) < 0)
		o->status = c.deep ? GOAUDIT_DEEP : GOAUDIT_BAD_JSON;
	else
		o->status = c.shape || !c.seen ? GOAUDIT_SHAPE : GOAUDIT_OK;
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
