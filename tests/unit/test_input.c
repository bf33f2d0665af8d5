/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_input.c - line framing: records split across reads, many per read,
 * a last line without newline, overlong lines cut with their length kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "input/input.h"

#define MAX_LINES 64

struct got {
	size_t n;
	size_t len[MAX_LINES], orig[MAX_LINES];
	char first[MAX_LINES][16];
};

/* Feed the chunks through a socketpair, collect every line. */
static void run(const char *const *chunks, const size_t *sizes, size_t nchunks,
		struct got *g)
{
	int sv[2];
	struct input in;
	const char *line;
	size_t len, orig;

	memset(g, 0, sizeof *g);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	input_init(&in, sv[0]);
	for (size_t c = 0; c <= nchunks; c++) {
		if (c < nchunks) {
			size_t off = 0;

			/* write in pieces the socket buffer takes */
			while (off < sizes[c]) {
				ssize_t w = write(sv[1], chunks[c] + off, sizes[c] - off > 65536 ? 65536 : sizes[c] - off);

				if (w <= 0)
					break;
				off += (size_t)w;
				while (input_read(&in) > 0 && input_pending(&in)) {
					while (input_next(&in, &line, &len, &orig) && g->n < MAX_LINES) {
						g->len[g->n] = len;
						g->orig[g->n] = orig;
						memcpy(g->first[g->n], line, len < 15 ? len : 15);
						g->n++;
					}
					/* drain what the socket still holds */
					struct timeval tv = { 0, 1000 };
					setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
				}
			}
		} else {
			close(sv[1]);
			while (input_read(&in) > 0)
				;
			while (input_next(&in, &line, &len, &orig) && g->n < MAX_LINES) {
				g->len[g->n] = len;
				g->orig[g->n] = orig;
				memcpy(g->first[g->n], line, len < 15 ? len : 15);
				g->n++;
			}
		}
	}
	CHECK(in.eof);
	input_done(&in);
	close(sv[0]);
}

int main(void)
{
	struct got g;

	CASE("two lines in one read, one split across reads") {
		const char *c[] = { "a=1\nbb=2\ncc", "c=3\n" };
		size_t s[] = { 11, 4 };

		run(c, s, 2, &g);
		CHECK_INT(g.n, 3);
		CHECK_STR(g.first[2], "ccc=3");
		CHECK_INT(g.len[1], 4);
	}
	CASE("last line without newline at EOF") {
		const char *c[] = { "x=1\ny=2" };
		size_t s[] = { 7 };

		run(c, s, 1, &g);
		CHECK_INT(g.n, 2);
		CHECK_STR(g.first[1], "y=2");
	}
	CASE("empty lines are lines") {
		const char *c[] = { "\n\nz\n" };
		size_t s[] = { 4 };

		run(c, s, 1, &g);
		CHECK_INT(g.n, 3);
		CHECK_INT(g.len[0], 0);
	}
	CASE("line of exactly RECORD_MAX bytes with newline is whole") {
		char *buf = malloc(RECORD_MAX);
		const char *c[1] = { buf };
		size_t s[] = { RECORD_MAX };

		memset(buf, 'a', RECORD_MAX - 1);
		buf[RECORD_MAX - 1] = '\n';
		run(c, s, 1, &g);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.len[0], RECORD_MAX - 1);
		CHECK_INT(g.orig[0], RECORD_MAX - 1);
		free(buf);
	}
	CASE("one byte longer: cut, original length kept, next line intact") {
		size_t n = RECORD_MAX + 1 + 4;
		char *buf = malloc(n);
		const char *c[1] = { buf };
		size_t s[1] = { n };

		memset(buf, 'b', RECORD_MAX);
		buf[RECORD_MAX] = '\n';
		memcpy(buf + RECORD_MAX + 1, "ok\n", 3);
		s[0] = RECORD_MAX + 4;
		run(c, s, 1, &g);
		CHECK_INT(g.n, 2);
		CHECK_INT(g.len[0], INPUT_LONG_KEEP);
		CHECK_INT(g.orig[0], RECORD_MAX);
		CHECK_STR(g.first[1], "ok");
		free(buf);
	}
	CASE("a 3 MB line costs no memory and loses no neighbour") {
		size_t big = 3 * 1024 * 1024;
		char *buf = malloc(big + 16);
		const char *c[1] = { buf };
		size_t s[1];

		memcpy(buf, "first\n", 6);
		memset(buf + 6, 'c', big);
		memcpy(buf + 6 + big, "\nlast\n", 6);
		s[0] = big + 12;
		run(c, s, 1, &g);
		CHECK_INT(g.n, 3);
		CHECK_STR(g.first[0], "first");
		CHECK_INT(g.orig[1], big);
		CHECK_STR(g.first[2], "last");
		free(buf);
	}
	CASE("overlong line at EOF without newline") {
		size_t big = 20000;
		char *buf = malloc(big);
		const char *c[1] = { buf };
		size_t s[1] = { big };

		memset(buf, 'd', big);
		run(c, s, 1, &g);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.orig[0], big);
		free(buf);
	}
	return check_done();
}
