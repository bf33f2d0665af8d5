/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - diagnostics to stderr, syslog and an optional log file.
 *
 * Diagnostics are best effort, but they must never stall the plugin: glibc's
 * syslog(3) can block in send() when the daemon is stopped, so messages go
 * through our own non-blocking datagram socket to /dev/log instead, and are
 * simply not delivered when the daemon is slow or absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "common/log.h"

#define LOG_LINE_MAX 1024

static const char *log_ident = "pid2pod";
static int log_stderr;
static int log_verbose;
static int log_syslog;
static int log_sock = -1;
static int log_fd = -1;
static char log_sock_path[sizeof ((struct sockaddr_un *)0)->sun_path] = "/dev/log";

void log_init(const char *ident, int to_stderr, int verbose)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_verbose = verbose;
}

void log_use_syslog(int on)
{
	log_syslog = on;
	if (!on && log_sock >= 0) {
		close(log_sock);
		log_sock = -1;
	}
}

void log_set_syslog_socket(const char *path)
{
	if (!path || !*path)
		path = "/dev/log";
	if (strlen(path) < sizeof log_sock_path)
		snprintf(log_sock_path, sizeof log_sock_path, "%s", path);
}

static void log_to_syslog(int prio, const char *msg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[LOG_LINE_MAX + 128], ts[32];
	time_t t = time(NULL);
	struct tm tm;
	int n;

	memcpy(sa.sun_path, log_sock_path, sizeof log_sock_path);
	if (log_sock < 0) {
		log_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
					   SOCK_NONBLOCK, 0);
		if (log_sock < 0)
			return;
	}
	localtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "<%d>%s %s[%d]: %s", LOG_DAEMON | prio,
		     ts, log_ident, (int)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	/* unconnected: a restarted daemon's new socket is found each time */
	(void)sendto(log_sock, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
		     (struct sockaddr *)&sa, sizeof sa);
}

int log_set_file(const char *path)
{
	int fd = -1;

	if (path && *path) {
		fd = fsafe_open_append(path, 0600);
		if (fd < 0) {
			errno = -fd;
			return fd;
		}
	}
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	return 0;
}

__attribute__((format(printf, 3, 0)))
static void log_emit(enum log_level lvl, int with_errno, const char *fmt,
		     va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	int saved = errno;
	char msg[LOG_LINE_MAX];
	int n;

	if (lvl == LOG_LVL_DEBUG && !log_verbose)
		return;
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof msg)
		n = sizeof msg - 1;
	if (with_errno)
		snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(saved));

	if (log_stderr)
		fprintf(stderr, "%s: %s: %s\n", log_ident, tag[lvl], msg);
	if (log_syslog)
		log_to_syslog(prio[lvl], msg);
	if (log_fd >= 0) {
		char line[LOG_LINE_MAX + 128];
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;

		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S",
			 gmtime_r(&t, &tm));
		n = snprintf(line, sizeof line, "%sZ %s[%d]: %s: %s\n", ts,
			     log_ident, (int)getpid(), tag[lvl], msg);
		if (n > 0) {
			ssize_t w = write(log_fd, line,
					  (size_t)n < sizeof line ? (size_t)n
								  : sizeof line - 1);
			(void)w;
		}
	}
	errno = saved;
}

#define LOG_FN(name, lvl, err)                                    \
	void name(const char *fmt, ...)                           \
	{                                                         \
		va_list ap;                                       \
		va_start(ap, fmt);                                \
		log_emit(lvl, err, fmt, ap);                      \
		va_end(ap);                                       \
	}

LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

int log_ratelimited(struct log_rate *r, long long now_ms,
		    unsigned long *ret_suppressed)
{
	if (r->last_ms && now_ms - r->last_ms < LOG_RATE_INTERVAL_MS) {
		r->suppressed++;
		return 0;
	}
	r->last_ms = now_ms ? now_ms : 1;
	if (ret_suppressed)
		*ret_suppressed = r->suppressed;
	r->suppressed = 0;
	return 1;
}
