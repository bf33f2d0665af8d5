/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - diagnostics for the plugin and the CLI.
 *
 * Under auditd the plugin's stderr is /dev/null and /dev/log may be missing,
 * so messages go to every configured destination: stderr with -d, syslog
 * (daemon facility, written by pid2pod itself, never blocking), and log_file
 * when set.  log_warn appends strerror(errno), log_warnx does not; errno is
 * preserved across every call.  fatal/fatalx are for start-up and broken
 * invariants only.
 */
#ifndef P2P_LOG_H
#define P2P_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* ident is the program name; to_stderr also prints to stderr (-d, CLI). */
void log_init(const char *ident, int to_stderr, int verbose);
/* Send messages to syslog (1) or not (0, the default for the CLI). */
void log_use_syslog(int on);
/* The syslog socket (NULL or "": /dev/log); longer than sun_path: ignored. */
void log_set_syslog_socket(const char *path);
/* Also append to this file (NULL: stop), opened by fsafe_open_append (no
 * symlink, regular files only); when refused, the old one is kept.  0 or
 * -errno (errno set too, for log_warn). */
int log_set_file(const char *path);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2))) void fatal(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void fatalx(const char *fmt, ...);

/*
 * log_ratelimited - 1 when a message of this class may be logged now: at most
 * one per LOG_RATE_INTERVAL_MS per class; suppressed ones are counted and the
 * count is reported with the next one allowed (via *ret_suppressed).
 */
struct log_rate {
	long long last_ms;
	unsigned long suppressed;
};
int log_ratelimited(struct log_rate *r, long long now_ms,
		    unsigned long *ret_suppressed);

#define LOG_RATE_INTERVAL_MS 10000

#endif
