/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goaudit.h - go-audit's JSON lines (input = go-audit): one object per
 * event, {"sequence":N,"timestamp":"S.MS","messages":[{"type":1300,
 * "data":"arch=... pid=... ..."},...],"uid_map":{...}}.
 *
 * goaudit_scan() checks a line is one valid JSON object of that shape
 * (by common/jsonscan.h, strings valid UTF-8) and finds, for each message
 * whose "data" (unescaped) carries a pid= field (by record.c's field-aware
 * scanner, so a pid= inside a quoted value never counts), the pid and the
 * offset of the message's closing brace.
 * goaudit_format() writes the line back byte for byte with
 * `,"k8s":{...}` inserted just before each such brace (the object comes
 * from a callback: jsonout_k8s in the plugin), so cutting the inserted text
 * out gives the input again.  goaudit_malformed() is the visible form of a
 * line that is not JSON or was too long.  Pure functions: no I/O, no
 * allocation, every loop and the nesting capped.
 */
#ifndef P2P_GOAUDIT_H
#define P2P_GOAUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"

/* Longest go-audit line taken whole, newline included (input framing). */
#define GOAUDIT_LINE_MAX (256 * 1024)
/* Messages of one object that get a "k8s" object; later ones do not. */
#define GOAUDIT_PIDS_MAX 32
/* JSON nesting taken (the object itself is depth 1). */
#define GOAUDIT_DEPTH_MAX 32
/* Room for one "k8s" object; a bigger one is written without names. */
#define GOAUDIT_K8S_MAX (16 * 1024)
/* Bytes of a malformed line kept (JSON-escaped) in its report. */
#define GOAUDIT_REPORT_KEEP (64 * 1024)
/* Output room for one line of len bytes with npids insertions. */
#define GOAUDIT_OUT_BOUND(len, npids) \
	((len) + 1 + (size_t)(npids) * (7 + GOAUDIT_K8S_MAX))
/* Output room any line may need (report or enriched object). */
#define GOAUDIT_ROOM_MAX GOAUDIT_OUT_BOUND(GOAUDIT_LINE_MAX, GOAUDIT_PIDS_MAX)
#define GOAUDIT_REPORT_BOUND (GOAUDIT_REPORT_KEEP * 6 + 128)

enum goaudit_status {
	GOAUDIT_OK = 0,    /* an object of go-audit's shape */
	GOAUDIT_EMPTY,     /* nothing but white space */
	GOAUDIT_SHAPE,     /* valid JSON, not go-audit's shape: passed on as is */
	GOAUDIT_BAD_JSON,  /* not JSON (truncated, bad escape, ...): reported */
	GOAUDIT_NUL,       /* NUL bytes in the line: reported */
	GOAUDIT_DEEP,      /* nested deeper than GOAUDIT_DEPTH_MAX: reported */
};

struct goaudit_msg {
	uint32_t insert_at; /* offset of the message object's closing brace */
	int32_t pid;        /* 0: a pid= that is not the kernel's ("?") */
};

struct goaudit_obj {
	int status;          /* enum goaudit_status */
	unsigned nmsgs;      /* message objects seen */
	unsigned npids;      /* entries of pids[] */
	unsigned capped;     /* messages with a pid past GOAUDIT_PIDS_MAX */
	unsigned has_k8s;    /* messages that had a "k8s" key already (kept) */
	int64_t wall_ms;     /* "timestamp":"S.MS" as ms; 0: none or not so */
	struct goaudit_msg pids[GOAUDIT_PIDS_MAX];
};

/*
 * goaudit_scan - fill *ret for the line (len bytes, no newline, need not be
 * NUL-terminated).  Never fails; status says what the line is.  Only with
 * GOAUDIT_OK are pids[] filled.  A message that already has a "k8s" key
 * gets none (running the filter twice adds nothing).
 */
void goaudit_scan(const char *line, size_t len, struct goaudit_obj *ret);

/*
 * goaudit_k8s_fn - write the k8s object (no key) for message i (pid) into
 * dst, at most cap bytes; return its length, 0 for nothing to add.
 */
typedef size_t (*goaudit_k8s_fn)(void *ctx, unsigned i, int32_t pid,
				 char *dst, size_t cap);

/*
 * goaudit_format - the output line for an object o of line (GOAUDIT_OK):
 * the line with `,"k8s":` + fn's object inserted before each message's
 * closing brace, then '\n'.  Returns bytes written, 0 when cap is too small
 * (GOAUDIT_OUT_BOUND(len, o->npids) always suffices).
 */
size_t goaudit_format(char *dst, size_t cap, const char *line, size_t len,
		      const struct goaudit_obj *o, goaudit_k8s_fn fn, void *ctx);

/*
 * goaudit_malformed - a line that cannot be enriched, as one JSON object:
 * {"malformed":why,"orig_len":N,"kept":K,"line":"<the first K bytes>"}\n
 * why: "json", "nul", "deep" or "long" (orig_len > len: cut on input).  At
 * most GOAUDIT_REPORT_KEEP bytes are kept.  Returns bytes written, or 0
 * when cap (GOAUDIT_REPORT_BOUND suffices) is too small.
 */
size_t goaudit_malformed(char *dst, size_t cap, const char *line, size_t len,
			 size_t orig_len, const char *why);

/* goaudit_why - the report's why for a status (NULL: not reported). */
const char *goaudit_why(int status, int cut);

#endif
