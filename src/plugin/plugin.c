/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin.c - the plugin's loop: read stdin into lines, run them through the
 * pipeline into the output queue, write the queue to the sink without
 * blocking, handle the process connector's events first (plugin_conn.c),
 * and the signals (SIGHUP reload, within what the sandbox allows; SIGTERM
 * drain, SIGUSR1 report).  With
 * overflow_action = block a full queue stops reading stdin, so auditd's
 * own queue and policy decide.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/util.h"
#include "output/sink.h"
#include "plugin/pipeline.h"
#include "plugin/plugin.h"
#include "plugin/sandbox.h"
#include "podmeta/kubelet.h"
#include "resolve/procconn.h"
#include "resolve/resolve.h"

#define RETRY_MS 1000        /* after a hard output error */
#define EXIT_DRAIN_MS 10000  /* how long exit waits for a stuck output */
#define FEED_BATCH 256       /* lines between two looks at process events */
#define FEED_WRITE_BYTES (256 * 1024) /* queued: written before reading on */

/* The sink pl->conf names. */
static int open_sink(struct plugin *pl)
{
	static const enum sink_kind kinds[] = {
		[OUTPUT_SYSLOG] = SINK_SYSLOG,
		[OUTPUT_STDOUT] = SINK_STDOUT,
		[OUTPUT_FILE] = SINK_FILE,
	};
	struct sink_opts o = {
		.kind = kinds[pl->conf.output],
		.syslog_pri = pl->conf.syslog_facility | pl->conf.syslog_priority,
	};

	if (o.kind == SINK_FILE)
		snprintf(o.path, sizeof o.path, "%s", pl->conf.output_file);
	else if (o.kind == SINK_SYSLOG)
		snprintf(o.path, sizeof o.path, "%s", pl->conf.syslog_socket);
	return sink_open(&pl->sink, &o);
}

/* Build queue, pipeline and sink for pl->conf. */
int plugin_build(struct plugin *pl)
{
	size_t cap = (size_t)pl->conf.queue_max_bytes + PIPE_EVENT_ROOM_MAX;
	int e;

	conf_node_name(&pl->conf, pl->node, sizeof pl->node);
	e = outq_init(&pl->q, cap);
	if (e < 0)
		return e;
	pl->pipe = pipeline_new(&pl->conf, pl->node, &pl->q);
	if (!pl->pipe)
		return -ENOMEM;
	return open_sink(pl);
}

void plugin_teardown(struct plugin *pl)
{
	/* first: its requests go to the pipeline's pod cache */
	kubelet_stop(pl->kube);
	pl->kube = NULL;
	pipeline_free(pl->pipe);
	pl->pipe = NULL;
	sink_close(pl->sink);
	pl->sink = NULL;
	outq_done(&pl->q);
}

/* Write what the sink takes now. */
static void plugin_write(struct plugin *pl, int64_t now)
{
	pl->want_pollout = 0;
	if (pl->retry_at && now < pl->retry_at)
		return;
	pl->retry_at = 0;
	while (outq_used(&pl->q) > 0) {
		ssize_t n = sink_write(pl->sink, outq_data(&pl->q),
				       outq_used(&pl->q), now);

		if (n == -EAGAIN) {
			pl->want_pollout = sink_fd(pl->sink) >= 0;
			if (!pl->want_pollout)
				pl->retry_at = now + RETRY_MS;
			return;
		}
		if (n < 0) {
			unsigned long sup = 0;

			if (log_ratelimited(&pl->werr_rate, now, &sup))
				log_warnx("output: %s; records wait in the "
					  "queue (%lu warnings suppressed)",
					  strerror((int)-n), sup);
			if (n == -EPIPE) {
				/* nobody will ever read them */
				pl->terminate = 2;
				return;
			}
			pl->retry_at = now + RETRY_MS;
			return;
		}
		outq_consume(&pl->q, (size_t)n);
		/* completed JSON events may now fit */
		pipeline_tick(pl->pipe, now);
	}
}

/*
 * Write everything out, waiting for a slow sink up to EXIT_DRAIN_MS.
 * Returns the bytes that could not be written (0: all out).
 */
static size_t plugin_drain(struct plugin *pl)
{
	int64_t until = now_ms() + EXIT_DRAIN_MS;

	pipeline_flush(pl->pipe);
	for (;;) {
		int64_t now = now_ms();

		pl->retry_at = 0;
		plugin_write(pl, now);
		pipeline_flush(pl->pipe);
		if ((outq_used(&pl->q) == 0 && pipeline_idle(pl->pipe)) ||
		    pl->terminate == 2 || now >= until)
			break;
		if (pl->want_pollout) {
			struct pollfd pfd = { sink_fd(pl->sink), POLLOUT, 0 };

			poll(&pfd, 1, (int)(until - now));
		} else {
			usleep(10000);
		}
	}
	if (outq_used(&pl->q))
		log_warnx("output: %zu bytes could not be written within %d ms",
			  outq_used(&pl->q), EXIT_DRAIN_MS);
	return outq_used(&pl->q);
}

/* SIGHUP: load the new config; keep the old one if it is bad. */
static void plugin_reload(struct plugin *pl)
{
	struct conf nc;
	char err[PLUGIN_ERR_BUF];
	int rebuild;

	if (conf_load(pl->conf_path, &nc, err, sizeof err) < 0) {
		pl->reload_failures++;
		log_warnx("SIGHUP: keeping the running configuration; %s "
			  "has problems:\n%s", pl->conf_path, err);
		return;
	}
	/* the sandbox was set at start for good: a config that needs more
	 * (new paths, another kubelet port) waits for a restart */
	if (sandbox_covers(&nc, pl->conf_path, err, sizeof err) < 0) {
		pl->reload_failures++;
		log_warnx("SIGHUP: keeping the running configuration; the "
			  "sandbox set at start does not allow what %s needs: "
			  "%s; restart audisp-pid2pod to apply it",
			  pl->conf_path, err);
		return;
	}
	if (nc.sandbox != pl->conf.sandbox)
		log_warnx("SIGHUP: sandbox = %s takes effect at the next start",
			  nc.sandbox ? "yes" : "no");
	pl->reloads++;
	log_set_syslog_socket(nc.syslog_socket);
	if (log_set_file(nc.log_file[0] ? nc.log_file : NULL) < 0)
		log_warn("SIGHUP: log_file %s", nc.log_file);
	pl->next_metrics = pl->next_status = 0;
	rebuild = memcmp(&nc, &pl->conf, sizeof nc) != 0;
	if (!rebuild) {
		if (sink_reopen(pl->sink) < 0)
			log_warn("SIGHUP: reopening the output");
		log_info("SIGHUP: configuration unchanged, output reopened");
		return;
	}
	/* everything read so far goes out under the old settings */
	if (plugin_drain(pl) > 0)
		log_warnx("SIGHUP: the old output did not take everything; "
			  "the rest is lost with it");
	{
		struct plugin old = *pl;

		pl->conf = nc;
		pl->pipe = NULL;
		pl->sink = NULL;
		pl->kube = NULL;
		memset(&pl->q, 0, sizeof pl->q);
		if (plugin_build(pl) < 0) {
			log_warn("SIGHUP: cannot apply the new configuration; "
				 "keeping the old one");
			plugin_teardown(pl);
			pl->conf = old.conf;
			pl->pipe = old.pipe;
			pl->sink = old.sink;
			pl->kube = old.kube;
			pl->q = old.q;
			snprintf(pl->node, sizeof pl->node, "%s", old.node);
			return;
		}
		plugin_teardown(&old);
	}
	plugin_connector(pl);
	plugin_kubelet(pl);
	if (input_set_line_max(&pl->in, pipeline_line_max(pl->pipe)) < 0)
		log_warnx("SIGHUP: no memory for the input's line cap; kept");
	log_info("SIGHUP: new configuration loaded from %s", pl->conf_path);
}
static void plugin_signals(struct plugin *pl)
{
	struct signalfd_siginfo si;

	while (read(pl->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGHUP:
			plugin_reload(pl);
			break;
		case SIGUSR1:
			plugin_report(pl);
			break;
		default:
			pl->terminate = 1;
			break;
		}
	}
}

/* Hand buffered lines to the pipeline while it has room. */
static void plugin_feed(struct plugin *pl, int64_t now)
{
	const char *line;
	size_t len, orig;
	unsigned n = 0;

	/* records just read come after the events that explain them: those
	 * are queued by then (the kernel sends them at the fork or exec, long
	 * before auditd writes the record) */
	if (pl->pc_stale)
		plugin_procevents(pl);
	while ((pl->conf.overflow_action == OVERFLOW_DROP ||
		pipeline_has_room(pl->pipe)) &&
	       input_next(&pl->in, &line, &len, &orig)) {
		pipeline_line(pl->pipe, line, len, orig, now);
		if (++n % FEED_BATCH == 0) {
			plugin_procevents(pl);
			/* a sink that keeps up is written to as we go: the
			 * queue (and the memory it touches) stays small */
			if (outq_used(&pl->q) >= FEED_WRITE_BYTES &&
			    !pl->want_pollout)
				plugin_write(pl, now);
		}
	}
}

/*
 * overflow_action = block at queue_max_bytes: stdin is no longer read, so
 * auditd's own queue holds what comes; count it, log it (rate-limited),
 * and how long it lasted.
 */
static void plugin_pause(struct plugin *pl, int64_t now, int full)
{
	unsigned long sup = 0;

	if (full && !pl->paused_since) {
		pl->paused_since = now > 0 ? now : 1;
		pl->input_pauses++;
		if (log_ratelimited(&pl->pause_rate, now, &sup))
			log_warnx("queue full (%llu bytes): input paused until the "
				  "output drains (overflow_action = block; %llu "
				  "pauses so far, %lu warnings suppressed)",
				  pl->conf.queue_max_bytes,
				  (unsigned long long)pl->input_pauses, sup);
	} else if (!full && pl->paused_since) {
		pl->input_paused_ms += (uint64_t)(now - pl->paused_since);
		pl->paused_since = 0;
	}
}

/*
 * Read stdin once.  After a small read (pid2pod keeps up) stdin rests for
 * batch_ms: it is not polled, so what auditd writes meanwhile is taken by
 * a read made anyway when something else wakes the loop (an exec event),
 * or by one read when the rest is over.  Each such wake moves the end of
 * the rest on, so a record waits at most batch_ms after the wake before
 * it; only a rest that ran out with nothing to read ends it.  A read that
 * comes back large (a quarter of the buffer or of stdin's pipe: behind)
 * leaves no rest, so resting never caps the rate at a pipe per batch_ms.
 */
static ssize_t plugin_input(struct plugin *pl, int64_t now)
{
	ssize_t n = input_read(&pl->in);
	size_t full = pl->in_pipe_size && pl->in_pipe_size < pl->in.buf_size ?
		pl->in_pipe_size : pl->in.buf_size;

	if (n == -EAGAIN && now < pl->in_rest_until) {
		pl->in_rest_until = now + (int64_t)pl->conf.batch_ms;
	} else if (n > 0) {
		pl->input_reads++;
		pl->pc_stale = 1;
		pl->in_rest_until = pl->conf.batch_ms &&
			(size_t)n < full / 4 ?
			now + (int64_t)pl->conf.batch_ms : 0;
	} else if (n < 0 && n != -EAGAIN && n != -ENOBUFS) {
		log_warnx("stdin: %s", strerror((int)-n));
		pl->in.eof = 1;
	}
	return n;
}

/* The earlier of deadline a and b (-1: none). */
static int64_t earlier(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

int plugin_run(struct plugin *pl)
{
	int in_nonblock = (fcntl(pl->in.fd, F_GETFL) & O_NONBLOCK) != 0;

	for (;;) {
		struct pollfd pfd[6];
		int64_t now = now_ms(), dl, lazy_at = -1;
		int nfd = 0, in_idx = -1, kube_idx = -1, pc_idx = -1,
		    lazy_idx = -1, timeout = -1, resting, room;

		plugin_feed(pl, now);
		pipeline_tick(pl->pipe, now);
		plugin_write(pl, now);
		plugin_timers(pl, now);
		if (pl->terminate == 2)
			break;
		if (pl->terminate || (pl->in.eof && !input_pending(&pl->in))) {
			/* take what is already there, then drain and go */
			while (!pl->in.eof && plugin_input(pl, now_ms()) > 0)
				plugin_feed(pl, now_ms());
			while (input_pending(&pl->in)) {
				plugin_feed(pl, now_ms());
				if (!input_pending(&pl->in))
					break;
				/* make room; an output stuck for good ends it */
				if (plugin_drain(pl) > 0 || pl->terminate == 2) {
					log_warnx("exit: output stuck; %zu bytes of "
						  "input not processed",
						  input_pending(&pl->in));
					break;
				}
			}
			plugin_drain(pl);
			break;
		}

		pfd[nfd] = (struct pollfd){ pl->sigfd, POLLIN, 0 };
		nfd++;
		if (pl->pc) {
			/* the doorbell (watched runtimes) wakes the loop at
			 * once; the stream only while it is quiet (procconn.h) */
			pc_idx = nfd;
			pfd[nfd++] = (struct pollfd){ procconn_fd(pl->pc), POLLIN, 0 };
			if (procconn_busy(pl->pc) || now < pl->pc_lazy_until)
				lazy_at = pl->pc_read_at + PROCCONN_LAZY_MS;
			else if (procconn_lazy_fd(pl->pc) >= 0) {
				lazy_idx = nfd;
				pfd[nfd++] = (struct pollfd){ procconn_lazy_fd(pl->pc),
							      POLLIN, 0 };
			}
		}
		if (pl->kube) {
			kube_idx = nfd;
			pfd[nfd++] = (struct pollfd){ kubelet_fd(pl->kube), POLLIN, 0 };
		}
		plugin_pause(pl, now, !pl->in.eof &&
			     pl->conf.overflow_action != OVERFLOW_DROP &&
			     !pipeline_has_room(pl->pipe));
		room = !pl->in.eof && (pl->conf.overflow_action == OVERFLOW_DROP ||
				       pipeline_has_room(pl->pipe));
		resting = pl->in_rest_until > now;
		if (room && !resting) {
			in_idx = nfd;
			pfd[nfd++] = (struct pollfd){ pl->in.fd, POLLIN, 0 };
		}
		if (pl->want_pollout) {
			/* POLLOUT only wakes us; plugin_write runs every turn */
			pfd[nfd++] = (struct pollfd){ sink_fd(pl->sink), POLLOUT, 0 };
		}
		dl = earlier(pipeline_deadline(pl->pipe),
			     pl->retry_at ? pl->retry_at : -1);
		dl = earlier(dl, plugin_next_timer(pl));
		dl = earlier(dl, lazy_at);
		if (room && resting)
			dl = earlier(dl, pl->in_rest_until);
		if (dl >= 0)
			timeout = dl > now ? (int)(dl - now) : 0;
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
			fatal("poll");
		pl->wakeups++;
		now = now_ms();
		if (pfd[0].revents)
			plugin_signals(pl);
		/* stdin: when it woke us, or in passing while it rests (a
		 * syscall, not a wakeup); never a blocking read */
		if (in_idx >= 0 ? pfd[in_idx].revents != 0
				: room && resting && in_nonblock)
			plugin_input(pl, now);
		/* process events first: a runtime's child may be gone in a
		 * moment */
		if (pl->pc_stale || (pc_idx >= 0 && pfd[pc_idx].revents) ||
		    (lazy_idx >= 0 && pfd[lazy_idx].revents) ||
		    (lazy_at >= 0 && now >= lazy_at))
			plugin_procevents(pl);
		if (kube_idx >= 0 && pfd[kube_idx].revents)
			plugin_kubelet_results(pl);
	}
	return 0;
}
