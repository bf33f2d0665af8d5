/*
 * record.c - the field-aware record scanner (the hot path: one call per line).
 *
 * A record is `[node=N ]type=T msg=audit(S.MS:SERIAL): f1=v1 f2=v2 ...`,
 * optionally followed by 0x1D and uppercase interpretations.  Values are
 * bare words, "double quoted", or (user records) msg='single quoted with
 * spaces'.  Only field names at a token start count: the scanner jumps over
 * quoted values as a whole, so `comm="x pid=5"` or `msg='... pid=5'` never
 * yields a pid.  memchr does the byte scanning.
 */
#include <string.h>

#include "input/record.h"

/* bare values up to this long are scanned inline, longer ones by memchr */
#define SHORT_VALUE 16

static int starts(const char *p, const char *end, const char *lit, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Digits at p (up to end); returns the value or -1; *pp moves past them. */
static long long digits(const char **pp, const char *end, int max_digits)
{
	const char *p = *pp;
	long long v = 0;
	int n = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		if (++n > max_digits)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (n == 0)
		return -1;
	*pp = p;
	return v;
}

/* Parse the header; returns where the fields start, or NULL. */
static const char *scan_header(const char *p, const char *end,
			       struct record *r)
{
	const char *sp;
	long long v;

	if (starts(p, end, "node=", 5)) {
		p += 5;
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			return NULL;
		r->node = p;
		r->node_len = (uint32_t)(sp - p);
		p = sp + 1;
	}
	if (!starts(p, end, "type=", 5))
		return NULL;
	p += 5;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || sp == p)
		return NULL;
	r->type = p;
	r->type_len = (uint32_t)(sp - p);
	p = sp + 1;
	if (!starts(p, end, "msg=audit(", 10))
		return NULL;
	p += 10;
	if ((v = digits(&p, end, 18)) < 0)
		return NULL;
	r->sec = (uint64_t)v;
	if (p >= end || *p++ != '.')
		return NULL;
	if ((v = digits(&p, end, 3)) < 0)
		return NULL;
	r->msec = (uint32_t)v;
	if (p >= end || *p++ != ':')
		return NULL;
	if ((v = digits(&p, end, 18)) < 0)
		return NULL;
	r->serial = (uint64_t)v;
	if (!starts(p, end, "):", 2))
		return NULL;
	p += 2;
	return p;
}

/* A pid value: decimal, fits an int32, > 0.  Else RECORD_NO_PID + flag. */
static int32_t pid_value(const char *v, const char *vend, struct record *r)
{
	const char *p = v;
	long long n = digits(&p, vend, 10);

	if (n <= 0 || n > INT32_MAX || p != vend) {
		r->flags |= REC_BAD_PID;
		return RECORD_NO_PID;
	}
	return (int32_t)n;
}

static void scan_fields(const char *p, const char *end, struct record *r)
{
	while (p < end) {
		const char *key, *eq, *v, *vend;

		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		key = p;
		/* the key runs to '=' or to a space (a bare word) */
		eq = p;
		while (eq < end && *eq != '=' && *eq != ' ')
			eq++;
		if (eq >= end)
			break;
		if (*eq == ' ') {
			p = eq + 1;
			continue;
		}
		v = eq + 1;
		if (v < end && (*v == '"' || *v == '\'')) {
			const char *q = memchr(v + 1, *v, (size_t)(end - v - 1));

			vend = q ? q + 1 : end;
			if (q && *v == '\'' && eq - key == 3 &&
			    memcmp(key, "msg", 3) == 0) {
				r->flags |= REC_USER_MSG;
				r->insert_at = (uint32_t)(vend - r->line);
			}
		} else {
			/* most bare values are a few bytes: look at those
			 * inline, leave long ones (hex) to memchr */
			vend = v;
			while (vend < end && vend - v < SHORT_VALUE && *vend != ' ')
				vend++;
			if (vend < end && *vend != ' ') {
				vend = memchr(vend, ' ', (size_t)(end - vend));
				if (!vend)
					vend = end;
			}
		}
		if (eq - key == 3 && memcmp(key, "pid", 3) == 0 &&
		    r->pid == RECORD_NO_PID)
			r->pid = pid_value(v, vend, r);
		else if (eq - key == 4 && memcmp(key, "opid", 4) == 0 &&
			 r->opid == RECORD_NO_PID)
			r->opid = pid_value(v, vend, r);
		p = vend;
	}
}

void record_scan(const char *line, size_t len, struct record *r)
{
	const char *end = line + len, *tail, *fields;

	memset(r, 0, sizeof *r);
	r->line = line;
	r->len = (uint32_t)len;
	r->pid = RECORD_NO_PID;
	r->opid = RECORD_NO_PID;
	if (memchr(line, '\0', len))
		r->flags |= REC_HAS_NUL;
	tail = memchr(line, RECORD_INTERP_SEP, len);
	r->raw_len = (uint32_t)((tail ? tail : end) - line);
	r->insert_at = r->raw_len;

	fields = scan_header(line, line + r->raw_len, r);
	if (!fields) {
		r->flags |= REC_BAD_HEADER;
		r->type = NULL;
		r->type_len = 0;
		r->node = NULL;
		r->node_len = 0;
		return;
	}
	if (r->type_len == 3 && memcmp(r->type, "EOE", 3) == 0) {
		r->flags |= REC_EOE;
		return;
	}
	scan_fields(fields, line + r->raw_len, r);
}

int record_type_is(const struct record *r, const char *name)
{
	size_t n = strlen(name);

	return r->type && r->type_len == n && memcmp(r->type, name, n) == 0;
}
