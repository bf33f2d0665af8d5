/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.h - where enriched lines go: stdout, a file, or syslog.
 *
 * sink_write never blocks on a pipe or socket: it writes what the sink takes
 * now and says how much.  For syslog each line is one datagram sent to
 * /dev/log by pid2pod itself, so it knows whether the line was delivered;
 * lines that cannot be delivered (no syslog daemon) are counted, never
 * silently lost.
 */
#ifndef P2P_SINK_H
#define P2P_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <sys/types.h>

#define SINK_SYSLOG_PATH "/dev/log"
#define SINK_SYSLOG_TAG "audisp-pid2pod"
#define SINK_RECONNECT_MS 1000
#define SINK_WRITE_MAX (1024 * 1024) /* bytes per write() call */

struct sink_stats {
	uint64_t lines_out;       /* lines the sink accepted */
	uint64_t bytes_out;
	uint64_t syslog_failed;   /* lines syslog could not take: lost */
	uint64_t write_errors;
};

enum sink_kind { SINK_SYSLOG, SINK_STDOUT, SINK_FILE };

/* What a sink needs to know, filled by the plugin from its config. */
struct sink_opts {
	enum sink_kind kind;
	char path[PATH_MAX]; /* SINK_FILE: the file; SINK_SYSLOG: the socket
				("": SINK_SYSLOG_PATH) */
	int syslog_pri;      /* facility | priority, as <syslog.h> encodes it */
};

struct sink;

/* sink_open - a sink as o says. */
int sink_open(struct sink **ret, const struct sink_opts *o);
void sink_close(struct sink *s);

/*
 * sink_write - offer buf[0..len), whole lines.  Returns the bytes consumed
 * (written, or counted as lost for syslog), or -EAGAIN when the sink takes
 * nothing now (poll sink_fd for POLLOUT, or retry after a while), or
 * another -errno on a hard error of a file or stdout.
 */
ssize_t sink_write(struct sink *s, const char *buf, size_t len, int64_t now);

/* sink_fd - the fd to poll for POLLOUT after -EAGAIN, or -1. */
int sink_fd(const struct sink *s);

/* sink_reopen - reopen the output file (SIGHUP); 0 or -errno. */
int sink_reopen(struct sink *s);

const struct sink_stats *sink_stats(const struct sink *s);

#endif
