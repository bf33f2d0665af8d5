/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h - look at one audit record line without copying it.
 *
 * record_scan() finds what pid2pod needs in a line auditd handed over:
 * the optional node= prefix, the type, the audit(SEC.MS:SERIAL) stamp, where
 * the 0x1D interpretation tail starts, the record's own pid= and opid=
 * fields and where inserted fields must go.  The pid taken is the one the
 * kernel (or auditd) wrote, never text a process chose: a field-aware scan
 * (a comm="..." value holding "pid=" does not count), and per record type
 * the place the kernel puts it (record.c's table: user-space records only
 * before msg=', NETFILTER_CFG only in the kernel's tail after the raw table
 * name, opid= only first in OBJ_PID).  User-space records get the inserted
 * fields just before " msg='", NETFILTER_CFG records before their first
 * field (the raw table name): ahead of anything the sender wrote.
 */
#ifndef P2P_RECORD_H
#define P2P_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* auditd's MAX_AUDIT_MESSAGE_LENGTH: a record line, newline included. */
#define RECORD_MAX 8970
/* Longest line pid2pod writes, newline included (ausearch's buffer). */
#define OUTPUT_LINE_MAX 8969

#define RECORD_INTERP_SEP '\x1d'

enum record_flags {
	REC_EOE = 1 << 0,       /* type=EOE: ends an event, never emitted */
	REC_BAD_HEADER = 1 << 1, /* no type=/msg=audit(...): header */
	REC_HAS_NUL = 1 << 2,   /* NUL bytes inside the line */
	REC_USER_MSG = 1 << 3,  /* a user-space record's msg='...' (sender's text) */
	REC_BAD_PID = 1 << 4,   /* a pid= or opid= value that is no number */
	REC_PID_FORGED = 1 << 5, /* pid= text where the kernel's should be,
				  * not written by it: unresolved, never used */
	REC_SEALED = 1 << 6,    /* text a process chose follows insert_at (a
				  * user-space msg='...', NETFILTER_CFG's table
				  * name): every field name of ours is written,
				  * "?" when unknown (enrich.h) */
};

#define RECORD_NO_PID (-1)

struct record {
	const char *line;   /* the line, not NUL-terminated, no newline */
	uint32_t len;       /* bytes of the line without the newline */
	uint32_t raw_len;   /* bytes before the 0x1D tail (len when none) */
	uint32_t insert_at; /* where inserted fields go */
	uint32_t flags;     /* enum record_flags */
	const char *node;   /* node= value, or NULL */
	uint32_t node_len;
	const char *type;   /* type= value, or NULL */
	uint32_t type_len;
	uint64_t sec;       /* audit(SEC.MS:SERIAL) */
	uint32_t msec;
	uint64_t serial;
	uint32_t fields_at; /* where the fields start (after "): "), or 0 */
	uint32_t msg_at;    /* REC_USER_MSG: where the sender's msg=' starts */
	uint32_t nf_tail;   /* NETFILTER_CFG: where the kernel's " pid=...
			     * comm=..." tail starts (0: none, REC_PID_FORGED) */
	int32_t pid;        /* own pid= field, or RECORD_NO_PID */
	int32_t opid;       /* opid= field (OBJ_PID), or RECORD_NO_PID */
};

/*
 * record_scan - fill *ret for the line (len bytes, no newline; need not be
 * NUL-terminated).  Never fails: a line that is not a record gets
 * REC_BAD_HEADER and no pid, and is passed on as it is.
 */
void record_scan(const char *line, size_t len, struct record *ret);

/* record_type_is - 1 when the record's type equals name. */
int record_type_is(const struct record *r, const char *name);

#endif
