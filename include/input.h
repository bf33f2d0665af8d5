/*
 * input.h - frame auditd's byte stream into lines, with a cap.
 *
 * A read may hold part of a record or many.  Lines are handed out in place
 * (no copy) while they sit in the buffer.  A line longer than RECORD_MAX
 * is cut: its first RECORD_MAX-1 bytes are kept, the rest is skipped as it
 * streams in, and the line is handed out with its original length so the
 * caller can mark it; memory never grows with the input.
 */
#ifndef P2P_INPUT_H
#define P2P_INPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "record.h"

#define INPUT_BUF_SIZE (256 * 1024)
#define INPUT_LONG_KEEP (RECORD_MAX - 1)

struct input {
	int fd;
	int eof;
	char *buf;
	size_t start, end;
	int in_long;        /* skipping the rest of an overlong line */
	size_t long_len;    /* its length so far */
	char longbuf[INPUT_LONG_KEEP];
	int long_ready;     /* a cut line waits to be handed out */
	size_t long_ready_len;
};

int input_init(struct input *in, int fd);
void input_done(struct input *in);

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
