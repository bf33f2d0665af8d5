/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.c - the line reader (see input.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input/input.h"

int input_init(struct input *in, int fd)
{
	memset(in, 0, sizeof *in);
	in->fd = fd;
	in->line_max = RECORD_MAX;
	in->buf_size = INPUT_BUF_SIZE;
	in->buf = malloc(INPUT_BUF_SIZE);
	in->longbuf = malloc(INPUT_LONG_KEEP);
	in->long_cap = INPUT_LONG_KEEP;
	if (in->buf && in->longbuf)
		return 0;
	input_done(in);
	return -ENOMEM;
}

void input_done(struct input *in)
{
	free(in->buf);
	free(in->longbuf);
	in->buf = in->longbuf = NULL;
}

int input_set_line_max(struct input *in, size_t line_max)
{
	size_t need = 2 * line_max > INPUT_BUF_SIZE ? 2 * line_max : INPUT_BUF_SIZE;
	char *b, *l;

	if (line_max < 2)
		return -EINVAL;
	if (need > in->buf_size) {
		if (!(b = realloc(in->buf, need)))
			return -ENOMEM;
		in->buf = b;
		in->buf_size = need;
	}
	if (line_max - 1 > in->long_cap) {
		if (!(l = realloc(in->longbuf, line_max - 1)))
			return -ENOMEM;
		in->longbuf = l;
		in->long_cap = line_max - 1;
	}
	in->line_max = line_max;
	return 0;
}

size_t input_pending(const struct input *in)
{
	return in->end - in->start + (in->long_ready ? 1 : 0);
}

ssize_t input_read(struct input *in)
{
	ssize_t n;

	if (in->start == in->end) {
		in->start = in->end = 0;
	} else if (in->start > 0 && in->end == in->buf_size) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end == in->buf_size)
		return -ENOBUFS;
	do
		n = read(in->fd, in->buf + in->end, in->buf_size - in->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		in->eof = 1;
	in->end += (size_t)n;
	return n;
}

/* While skipping an overlong line: consume up to its newline. */
static void skip_long(struct input *in)
{
	char *nl = memchr(in->buf + in->start, '\n', in->end - in->start);
	size_t upto = nl ? (size_t)(nl - in->buf) : in->end;

	in->long_len += upto - in->start;
	in->start = nl ? upto + 1 : upto;
	if (nl || in->eof) {
		in->in_long = 0;
		in->long_ready = 1;
		in->long_ready_len = in->long_len;
	}
}

int input_next(struct input *in, const char **line, size_t *len,
	       size_t *orig_len)
{
	char *p, *nl;
	size_t avail;

	if (in->in_long)
		skip_long(in);
	if (in->long_ready) {
		in->long_ready = 0;
		*line = in->longbuf;
		*len = in->long_keep;
		*orig_len = in->long_ready_len;
		return 1;
	}
	if (in->in_long)
		return 0;
	p = in->buf + in->start;
	avail = in->end - in->start;
	nl = memchr(p, '\n', avail < in->line_max ? avail : in->line_max);
	if (nl) {
		*line = p;
		*len = (size_t)(nl - p);
		*orig_len = *len;
		in->start += *len + 1;
		return 1;
	}
	if (avail >= in->line_max) {
		/* no newline within the cap: keep the head, skip the rest */
		in->long_keep = in->line_max - 1;
		memcpy(in->longbuf, p, in->long_keep);
		in->in_long = 1;
		in->long_len = in->long_keep;
		in->start += in->long_keep;
		return input_next(in, line, len, orig_len);
	}
	if (in->eof && avail > 0) {
		*line = p;
		*len = avail;
		*orig_len = avail;
		in->start = in->end;
		return 1;
	}
	return 0;
}
