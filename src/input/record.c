/* SPDX-License-Identifier: Apache-2.0 */
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

#include <libaudit.h>

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
	if (starts(p, end, "):", 2))
		return p + 2;
	/* auditd before 2.x wrote its own records without the ':' (ausearch
	 * reads them): ") " or the end */
	if (starts(p, end, ")", 1) && (p + 1 == end || p[1] == ' '))
		return p + 1;
	return NULL;
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

/*
 * Where a record's pid comes from: which text in it the kernel (or auditd)
 * wrote, and which a process chose.  From the kernel's formats (kernel/
 * audit.c, auditsc.c, net/netfilter, security/lsm_audit.c) and records of
 * this machine's kernel (6.x):
 *
 *  - most kernel records: every string before pid= is escaped
 *    (audit_log_untrustedstring: quoted, or hex when it holds a quote, space
 *    or control byte), or a fixed word: the first pid= token is the kernel's
 *    (SYSCALL, AVC, ANOM_*, SECCOMP, LOGIN, TTY, INTEGRITY_*, EVENT_LISTENER,
 *    DM_CTRL, URINGOP, auditd's DAEMON_* ...);
 *  - NETFILTER_CFG: `table=%s family=%u entries=%u op=%s pid=%d[ subj=%s]
 *    comm=<escaped>`: the table name is raw (nf_tables: any bytes a process
 *    with CAP_NET_ADMIN in its network namespace chose, spaces, quotes,
 *    0x1D), and it comes first.  The kernel's pid is the one followed by
 *    nothing but its own subj= and comm= to the end of the record; kernels
 *    before 5.12 write no pid there at all;
 *  - user-space records (USER, 1100-1199, 2100-2999): `pid=%d uid=%u
 *    auid=%u ses=%u[ subj=%s] msg='<sender's raw text>'`: only fields before
 *    msg=' are the kernel's (USER_TTY has data=<escaped> instead of msg);
 *  - opid= is the kernel's only as the first field of OBJ_PID.
 */
enum trust {
	TRUST_FIRST,      /* the first pid= token */
	TRUST_USER,       /* pid= before msg=' only; fields go before it */
	TRUST_NFCFG,      /* the pid= of the kernel's tail */
	TRUST_OBJ,        /* opid= as the first field */
};

#define TYPE_NAME_MAX 40
#define TYPE_CACHE_SLOTS 32 /* type names seen, by a hash of the name */

struct type_slot {
	uint8_t len;       /* 0: empty */
	uint8_t trust;
	char name[TYPE_NAME_MAX];
};

static enum trust type_lookup(const char *name)
{
	int t = audit_name_to_msg_type(name);

	if (t == AUDIT_USER || (t >= AUDIT_FIRST_USER_MSG &&
				t <= AUDIT_LAST_USER_MSG) ||
	    (t >= AUDIT_FIRST_USER_MSG2 && t <= AUDIT_LAST_USER_MSG2))
		return TRUST_USER;
	if (t == AUDIT_NETFILTER_CFG)
		return TRUST_NFCFG;
	if (t == AUDIT_OBJ_PID)
		return TRUST_OBJ;
	return TRUST_FIRST;
}

/* The trust of r's type: libaudit's number for its name, remembered. */
static enum trust type_trust(const struct record *r)
{
	static __thread struct type_slot cache[TYPE_CACHE_SLOTS];
	struct type_slot *c;
	unsigned h = r->type_len;

	if (r->type_len >= TYPE_NAME_MAX)
		return TRUST_FIRST;
	for (uint32_t i = 0; i < r->type_len; i++)
		h = h * 31 + (unsigned char)r->type[i];
	c = &cache[h % TYPE_CACHE_SLOTS];
	if (c->len != r->type_len || memcmp(c->name, r->type, c->len) != 0) {
		memcpy(c->name, r->type, r->type_len);
		c->name[r->type_len] = '\0';
		c->len = (uint8_t)r->type_len;
		c->trust = (uint8_t)type_lookup(c->name);
	}
	return (enum trust)c->trust;
}

/* A token-aware scan of the fields (see the top of the file). */
static void scan_fields(const char *p, const char *end, struct record *r,
			enum trust trust)
{
	int first = 1;

	for (;; first = 0) {
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
		if (trust == TRUST_USER && eq - key == 3 &&
		    memcmp(key, "msg", 3) == 0 && v < end && *v == '\'') {
			/* the sender's text: nothing in it is ours to read,
			 * and our fields go before it (its space included) */
			r->flags |= REC_USER_MSG | REC_SEALED;
			r->msg_at = (uint32_t)(key - r->line);
			r->insert_at = r->msg_at;
			if (key > r->line && key[-1] == ' ')
				r->insert_at--;
			return;
		}
		if (v < end && (*v == '"' || *v == '\'')) {
			const char *q = memchr(v + 1, *v, (size_t)(end - v - 1));

			vend = q ? q + 1 : end;
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
		else if (trust == TRUST_OBJ && first && eq - key == 4 &&
			 memcmp(key, "opid", 4) == 0)
			r->opid = pid_value(v, vend, r);
		p = vend;
	}
}

/* Length of an escaped value at p (quoted without a quote inside, or
 * upper-case hex, or "(null)"), or 0. */
static size_t escaped_len(const char *p, const char *end)
{
	const char *q = p;

	if (q < end && *q == '"') {
		q = memchr(q + 1, '"', (size_t)(end - q - 1));
		return q ? (size_t)(q + 1 - p) : 0;
	}
	while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'F')))
		q++;
	if (q == p && end - p >= 6 && memcmp(p, "(null)", 6) == 0)
		q = p + 6;
	return (size_t)(q - p);
}

/*
 * NETFILTER_CFG: the kernel's ` pid=N[ subj=S] comm=ESCAPED` must end the
 * record's fields; nothing raw follows it, so it is the last " pid=".  A
 * " pid=" anywhere that is not that tail (a kernel before 5.12, or a table
 * name carrying 0x1D to move the kernel's own fields out of auparse's view)
 * is someone's text: REC_PID_FORGED.
 */
/* The last " pid=" in [lo, hi), or NULL. */
static const char *last_pid_key(const char *lo, const char *hi)
{
	for (size_t i = (size_t)(hi - lo); i >= 5; i--)
		if (memcmp(lo + i - 5, " pid=", 5) == 0)
			return lo + i - 5;
	return NULL;
}

static void scan_nfcfg(const char *fields, struct record *r)
{
	const char *end = r->line + r->raw_len, *p, *v;
	size_t n;

	/* our fields go before the first field (its space: "): table="),
	 * ahead of the raw table name, a process's text */
	if (fields < end && *fields == ' ') {
		r->insert_at = (uint32_t)(fields - r->line);
		r->flags |= REC_SEALED;
	}
	/* the space before the first field counts */
	if (fields > r->line)
		fields--;
	if ((p = last_pid_key(fields, end))) {
		v = p + 5;
		for (p = v; p < end && *p >= '0' && *p <= '9'; p++)
			;
		r->pid = pid_value(v, p, r);
		if (end - p > 6 && memcmp(p, " subj=", 6) == 0) {
			p += 6;
			while (p < end && *p != ' ')
				p++;
		}
		if (end - p > 6 && memcmp(p, " comm=", 6) == 0 &&
		    (n = escaped_len(p + 6, end)) > 0 && p + 6 + n == end &&
		    r->pid != RECORD_NO_PID) {
			r->nf_tail = (uint32_t)(v - 5 - r->line);
			return;
		}
		r->pid = RECORD_NO_PID;
		r->flags &= ~(uint32_t)REC_BAD_PID;
		r->flags |= REC_PID_FORGED;
		return;
	}
	/* none before the first 0x1D: one after it is out of auparse's view */
	if (last_pid_key(end, r->line + r->len))
		r->flags |= REC_PID_FORGED;
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
	r->fields_at = (uint32_t)(fields - line);
	if (r->type_len == 3 && memcmp(r->type, "EOE", 3) == 0) {
		r->flags |= REC_EOE;
		return;
	}
	switch (type_trust(r)) {
	case TRUST_NFCFG:
		scan_nfcfg(fields, r);
		break;
	case TRUST_USER:
		scan_fields(fields, line + r->raw_len, r, TRUST_USER);
		break;
	case TRUST_OBJ:
		scan_fields(fields, line + r->raw_len, r, TRUST_OBJ);
		break;
	default:
		scan_fields(fields, line + r->raw_len, r, TRUST_FIRST);
	}
}

int record_type_is(const struct record *r, const char *name)
{
	size_t n = strlen(name);

	return r->type && r->type_len == n && memcmp(r->type, name, n) == 0;
}
