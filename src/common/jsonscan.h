/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonscan.h - a strict streaming JSON scanner: bytes in, in chunks of any
 * size, structural events out, nothing stored but its own small state.
 *
 * It checks the RFC 8259 grammar (matched brackets, no trailing commas, no
 * control bytes in strings, valid escapes, numbers and literals, one value
 * followed by nothing but whitespace), with JSONSCAN_UTF8 also that strings
 * are valid UTF-8, and tells its user where each value starts and ends and
 * what each object key is, so that parts of a document can be picked out
 * without building its tree: podlist.c finds and collects the items of a
 * PodList streaming in this way, goaudit.c the messages of one go-audit
 * line (jsonscan_scan, the whole buffer at once).
 */
#ifndef P2P_JSONSCAN_H
#define P2P_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

#define JSONSCAN_DEPTH_MAX 160 /* open brackets; users set tighter limits */
#define JSONSCAN_KEY_MAX 32    /* longer keys are only known to be longer */
#define JSONSCAN_WHY_MAX 160

/* Flags (struct jsonscan's flags, jsonscan_scan's flags). */
#define JSONSCAN_UTF8 0x1u /* strings must be valid UTF-8 (encode_utf8_len) */

enum jsonscan_event {
	JSONSCAN_VALUE, /* a value starts: p is its first byte */
	JSONSCAN_END,   /* a value ended: p is the first byte after it */
	JSONSCAN_KEY,   /* an object key ended: key, keylen */
};

struct jsonscan;

/*
 * The user's event function.  js->depth is the number of brackets around
 * the value (0: the top-level value) at both its VALUE and its END event;
 * js->stack[js->depth - 1] is the bracket it is in.  off is p's offset in
 * the whole input.  p points into the chunk being fed (NULL at the END of
 * a top-level number, which only jsonscan_finish can see).  Return 0, or
 * an error from jsonscan_fail() to stop the scan.
 */
typedef int jsonscan_fn(void *ctx, struct jsonscan *js,
			enum jsonscan_event ev, const unsigned char *p,
			uint64_t off);

struct jsonscan {
	/* for the event function to read */
	unsigned depth;
	uint8_t stack[JSONSCAN_DEPTH_MAX]; /* '{' or '[' */
	char key[JSONSCAN_KEY_MAX + 1];    /* decoded, cut at a \u0000 */
	size_t keylen;                     /* JSONSCAN_KEY_MAX + 1: longer */
	uint8_t key_cut;                   /* the key held a \u0000: key is
					      what came before it (json-c's) */
	uint8_t escaped;                   /* at a string's END: it held a
					      backslash escape */
	uint64_t bytes;                    /* fed so far */
	/* the user's, set after jsonscan_init, before the first feed */
	unsigned flags;                    /* JSONSCAN_UTF8 */
	/* the scanner's own */
	uint8_t state, num, hex_left, is_key;
	uint8_t u8[4], u8len;              /* a UTF-8 sequence cut by a chunk */
	const char *lit;
	unsigned uval;
	jsonscan_fn *fn;
	void *ctx;
	int err;
	char why[JSONSCAN_WHY_MAX];
};

/* jsonscan_init - a scanner at the start of its input, calling fn(ctx, ...). */
void jsonscan_init(struct jsonscan *js, jsonscan_fn *fn, void *ctx);

/*
 * jsonscan_feed - the next len bytes.  Returns 0, or the first error (the
 * JSON's or the event function's); after an error every call returns it.
 */
int jsonscan_feed(struct jsonscan *js, const char *buf, size_t len);

/* jsonscan_finish - the input is complete: 0 when it held one whole value
 * (a top-level number's END event comes now), else -EINVAL ("ended early",
 * "empty"). */
int jsonscan_finish(struct jsonscan *js);

/*
 * jsonscan_scan - init js and scan the whole of buf (len bytes, need not
 * be NUL-terminated) with flags: offsets are buf's.  Returns 0 when buf is
 * one JSON value and white space, or the first error (the JSON's or fn's;
 * jsonscan_error(js) says which).
 */
int jsonscan_scan(struct jsonscan *js, const char *buf, size_t len,
		  unsigned flags, jsonscan_fn *fn, void *ctx);

/*
 * jsonscan_unescape - the content of a string jsonscan checked (between
 * its quotes, len bytes) decoded into dst (cap bytes): escapes undone, a
 * surrogate pair joined, a lone surrogate U+FFFD, \u0000 a NUL byte.
 * What does not fit is cut (never inside a UTF-8 sequence written for an
 * escape).  Returns the bytes written.
 */
size_t jsonscan_unescape(char *dst, size_t cap, const char *s, size_t len);

/*
 * jsonscan_fail - record an error at offset off ("byte N: " and the
 * message, for jsonscan_error) unless one is recorded already; returns
 * err.  For event functions and the scanner's user.
 */
int jsonscan_fail(struct jsonscan *js, int err, uint64_t off,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* jsonscan_error - the recorded error's text, "" when none. */
const char *jsonscan_error(const struct jsonscan *js);

#endif
