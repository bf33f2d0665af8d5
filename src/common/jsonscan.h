/*
 * jsonscan.h - a strict streaming JSON scanner: bytes in, in chunks of any
 * size, structural events out, nothing stored but its own small state.
 *
 * It checks the RFC 8259 grammar (matched brackets, no trailing commas, no
 * control bytes in strings, valid escapes, numbers and literals, one value
 * followed by nothing but whitespace) and tells its user where each value
 * starts and ends and what each object key is, so that parts of a big
 * document can be picked out without building its tree (podlist.c finds
 * and collects the items of a PodList this way).
 */
#ifndef P2P_JSONSCAN_H
#define P2P_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

#define JSONSCAN_DEPTH_MAX 160 /* open brackets; users set tighter limits */
#define JSONSCAN_KEY_MAX 32    /* longer keys are only known to be longer */
#define JSONSCAN_WHY_MAX 160

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
 * the whole input.  p points into the chunk being fed.  Return 0, or an
 * error from jsonscan_fail() to stop the scan.
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
	uint64_t bytes;                    /* fed so far */
	/* the scanner's own */
	uint8_t state, num, hex_left, is_key, key_cut;
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

/* jsonscan_finish - the input is complete: 0 when it held one whole value,
 * else -EINVAL ("ended early", "empty"). */
int jsonscan_finish(struct jsonscan *js);

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
