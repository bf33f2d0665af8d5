/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.c - stdout, file and syslog outputs.
 *
 * file: opened by fsafe_open_append (no symlink, no FIFO, regular files
 * only), at start and on SIGHUP.
 *
 * syslog: glibc's syslog(3) drops messages silently when /dev/log is
 * missing, so records go out through our own non-blocking AF_UNIX datagram
 * socket in the RFC 3164 form syslog(3) uses: "<PRI>Mmm dd hh:mm:ss
 * audisp-pid2pod[pid]: record".  EAGAIN means the daemon is slow: the line
 * stays queued (the overflow policy applies).  ENOENT/ECONNREFUSED means no
 * daemon: the line is counted as lost and a reconnect is tried at most every
 * SINK_RECONNECT_MS.  Note rsyslog's default maxMessageSize is 8k: raise it
 * to 16k or records near auditd's 8970-byte limit get cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "common/log.h"
#include "input/record.h"
#include "output/sink.h"

#define SYSLOG_HDR_MAX 96

struct sink {
	enum sink_kind kind;
	int fd;
	char path[PATH_MAX];
	int pri;
	int64_t next_connect_ms;
	time_t hdr_time;
	char hdr[SYSLOG_HDR_MAX];
	size_t hdr_len;
	struct log_rate lost_rate;
	struct sink_stats st;
};

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int open_file(struct sink *s)
{
	int fd = fsafe_open_append(s->path, 0600);

	if (fd < 0)
		return fd;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	return 0;
}

static int syslog_connect(struct sink *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	if (strlen(s->path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, s->path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	s->fd = fd;
	return 0;
}

int sink_open(struct sink **ret, const struct sink_opts *o)
{
	struct sink *s = calloc(1, sizeof *s);
	struct stat st;
	int e = 0;

	if (!s)
		return -ENOMEM;
	s->kind = o->kind;
	s->fd = -1;
	s->pri = o->syslog_pri;
	switch (s->kind) {
	case SINK_STDOUT:
		s->fd = STDOUT_FILENO;
		/* only pipes and sockets: never flip a shared terminal */
		if (fstat(s->fd, &st) == 0 &&
		    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			e = set_nonblock(s->fd);
		break;
	case SINK_FILE:
		snprintf(s->path, sizeof s->path, "%s", o->path);
		e = open_file(s);
		break;
	case SINK_SYSLOG:
		snprintf(s->path, sizeof s->path, "%s",
			 o->path[0] ? o->path : SINK_SYSLOG_PATH);
		if (syslog_connect(s) < 0)
			log_warn("cannot connect to %s (records will be counted "
				 "as lost until a syslog daemon listens)",
				 s->path);
		break;
	}
	if (e < 0) {
		free(s);
		return e;
	}
	*ret = s;
	return 0;
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	if (s->fd >= 0 && s->fd != STDOUT_FILENO)
		close(s->fd);
	free(s);
}

int sink_fd(const struct sink *s)
{
	return s->fd;
}

int sink_reopen(struct sink *s)
{
	if (s->kind == SINK_FILE)
		return open_file(s);
	if (s->kind == SINK_SYSLOG)
		return syslog_connect(s);
	return 0;
}

const struct sink_stats *sink_stats(const struct sink *s)
{
	return &s->st;
}

static ssize_t write_stream(struct sink *s, const char *buf, size_t len)
{
	ssize_t n;

	/* whole lines only, so a hard error never leaves half a record */
	if (len > SINK_WRITE_MAX) {
		const char *nl = memrchr(buf, '\n', SINK_WRITE_MAX);

		len = nl ? (size_t)(nl - buf) + 1 : len;
	}
	do
		n = write(s->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		s->st.write_errors++;
		return -errno;
	}
	s->st.bytes_out += (size_t)n;
	/* counting lines is cheap next to the write itself */
	for (const char *p = buf, *e = buf + n;
	     (p = memchr(p, '\n', (size_t)(e - p))); p++)
		s->st.lines_out++;
	return n;
}

/* "<PRI>Mmm dd hh:mm:ss audisp-pid2pod[pid]: ", rebuilt once a second. */
static void syslog_header(struct sink *s)
{
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];

	if (t == s->hdr_time && s->hdr_len)
		return;
	s->hdr_time = t;
	localtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%b %e %H:%M:%S", &tm);
	s->hdr_len = (size_t)snprintf(s->hdr, sizeof s->hdr, "<%d>%s %s[%d]: ",
				      s->pri, ts, SINK_SYSLOG_TAG,
				      (int)getpid());
}

static void syslog_lost(struct sink *s, int64_t now, int err)
{
	unsigned long sup = 0;

	s->st.syslog_failed++;
	if (log_ratelimited(&s->lost_rate, now, &sup))
		log_warnx("syslog %s: %s: records are being lost "
			  "(%llu so far, %lu warnings suppressed)",
			  s->path, strerror(err),
			  (unsigned long long)s->st.syslog_failed, sup);
}

static ssize_t write_syslog(struct sink *s, const char *buf, size_t len,
			    int64_t now)
{
	size_t done = 0;

	syslog_header(s);
	while (done < len) {
		const char *line = buf + done;
		const char *nl = memchr(line, '\n', len - done);
		size_t n = nl ? (size_t)(nl - line) : len - done;
		struct iovec iov[2] = {
			{ .iov_base = s->hdr, .iov_len = s->hdr_len },
			{ .iov_base = (void *)line, .iov_len = n },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t w;

		if (s->fd < 0) {
			if (now < s->next_connect_ms) {
				syslog_lost(s, now, ENOTCONN);
				done += n + 1;
				continue;
			}
			s->next_connect_ms = now + SINK_RECONNECT_MS;
			if (syslog_connect(s) < 0) {
				syslog_lost(s, now, ENOENT);
				done += n + 1;
				continue;
			}
		}
		w = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == ENOBUFS))
			return done ? (ssize_t)done : -EAGAIN;
		if (w < 0 && (errno == ECONNREFUSED || errno == ENOTCONN ||
			      errno == ENOENT)) {
			/* the daemon went away: reconnect now, once */
			int e = errno;

			if (syslog_connect(s) == 0 &&
			    sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
				s->st.lines_out++;
			} else {
				s->next_connect_ms = now + SINK_RECONNECT_MS;
				if (s->fd >= 0) {
					close(s->fd);
					s->fd = -1;
				}
				syslog_lost(s, now, e);
			}
		} else if (w < 0) {
			syslog_lost(s, now, errno);
		} else {
			s->st.lines_out++;
			s->st.bytes_out += n;
		}
		done += n + 1;
	}
	return (ssize_t)done;
}

ssize_t sink_write(struct sink *s, const char *buf, size_t len, int64_t now)
{
	if (len == 0)
		return 0;
	if (s->kind == SINK_SYSLOG)
		return write_syslog(s, buf, len, now);
	return write_stream(s, buf, len);
}
