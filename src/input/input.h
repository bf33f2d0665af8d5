/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.h - frame auditd's byte stream into lines, with a cap.
 *
 * A read may hold part of a record or many.  Lines are handed out in place
 * (no copy) while they sit in the buffer.  A line longer than the cap
 * (RECORD_MAX unless set otherwise) is cut: its first cap-1 bytes are
 * kept, the rest is skipped as it streams in, and the line is handed out
 * with its original length so the caller can mark it; memory never grows
 * with the input.
 */
#ifndef P2P_INPUT_H
#define P2P_INPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "input/record.h"

#define INPUT_BUF_SIZE (256 * 1024)
#define INPUT_LONG_KEEP (RECORD_MAX - 1)  /* at the default line cap */

struct input {
	int fd;
	int eof;
	char *buf;
	size_t start, end;
	int in_long;        /* skipping the rest of an overlong line */
	size_t long_len;    /* its length so far */
	char *longbuf;      /* the kept head of a cut line (long_cap bytes) */
	size_t long_cap;
	int long_ready;     /* a cut line waits to be handed out */
	size_t long_ready_len;
	size_t line_max;    /* longest line taken whole, newline included */
	size_t buf_size;    /* of buf; at least twice line_max */
	size_t long_keep;   /* bytes kept of the cut line */
};

int input_init(struct input *in, int fd);
void input_done(struct input *in);

/*
 * input_set_line_max - the line cap (RECORD_MAX after input_init; go-audit
 * objects need more: GOAUDIT_LINE_MAX).  Buffers grow to fit it, never
 * shrink; buffered bytes are kept.  Call between input_next()s only (a line
 * handed out may move).  0 or -ENOMEM (then nothing changed).
 */
int input_set_line_max(struct input *in, size_t line_max);

/* input_read - one read(2) into the buffer: bytes, 0 at EOF, or -errno
 * (-EAGAIN: nothing now; -ENOBUFS: buffer full, take lines out first). */
ssize_t input_read(struct input *in);

/*
 * input_next - the next complete line (newline removed): 1 and *line, *len,
 * *orig_len set; 0 when none is complete.  After EOF a last line without
 * newline is handed out too.  The line is valid until the next input_read.
 */
int input_next(struct input *in, const char **line, size_t *len,
	       size_t *orig_len);

/* input_pending - bytes buffered and not yet handed out. */
size_t input_pending(const struct input *in);

#endif
