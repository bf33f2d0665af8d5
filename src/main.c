/*
 * main.c - audisp-pid2pod: the auditd plugin's process.
 *
 * Set-up (auditd starts plugins with an empty environment, its own signal
 * mask and stray fds), then one poll loop: read stdin into lines, run them
 * through the pipeline into the output queue, write the queue to the sink
 * without blocking.  Signals arrive through a signalfd: SIGHUP reloads the
 * config (a bad one keeps the old), SIGTERM/SIGINT and EOF drain and exit 0,
 * SIGUSR1 logs the counters.  With overflow_action = block, a full queue
 * stops reading stdin, so auditd's own queue and policy decide.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <cap-ng.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "ctrmeta.h"
#include "input.h"
#include "log.h"
#include "outq.h"
#include "pipeline.h"
#include "procconn.h"
#include "report.h"
#include "resolve.h"
#include "sink.h"
#include "util.h"

#define P2P_VERSION "0.1.0"
#define RETRY_MS 1000        /* after a hard output error */
#define EXIT_DRAIN_MS 10000  /* how long exit waits for a stuck output */
#define ERR_BUF 4096
#define FEED_BATCH 256       /* lines between two looks at process events */

#ifdef P2P_SANITIZER_LOG
/*
 * Sanitizer builds (CI): under auditd stderr is /dev/null and the
 * environment empty, so the reports go to files named here.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void)
{
	return "log_path=" P2P_SANITIZER_LOG ":detect_leaks=1";
}
const char *__ubsan_default_options(void)
{
	return "log_path=" P2P_SANITIZER_LOG ":halt_on_error=1:print_stacktrace=1";
}
#endif

struct plugin {
	const char *conf_path;
	struct conf conf;
	char node[CONF_NAME_MAX];
	struct input in;
	struct outq q;
	struct pipeline *pipe;
	struct sink *sink;
	struct procconn *pc;   /* NULL: no process connector */
	uint64_t pc_overruns;  /* overruns already passed to the resolver */
	int sigfd;
	int want_pollout;
	int64_t retry_at;
	int terminate;
	uint64_t reloads, reload_failures;
	int64_t next_metrics, next_status;
	struct log_rate werr_rate;
	struct log_rate metrics_rate;
	uint64_t lost_at_exit;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: audisp-pid2pod [-c FILE] [-n] [-d] [-V] [-h] "
		"[--print-config]\n"
		"  -c FILE  configuration (default " CONF_DEFAULT_PATH ")\n"
		"  -n       check the configuration, print problems, exit\n"
		"  -d       diagnostics to stderr\n"
		"  -V       print the version\n"
		"  --print-config  print the default configuration\n"
		"Reads audit records on stdin (auditd's plugin interface) and "
		"writes them\nwith their Kubernetes pod identity appended.\n");
}

static void resolve_node(const struct conf *c, char *node, size_t size)
{
	if (c->node_name[0]) {
		snprintf(node, size, "%s", c->node_name);
		return;
	}
	if (gethostname(node, size) < 0)
		node[0] = '\0';
	node[size - 1] = '\0';
}

static int setup_signals(void)
{
	sigset_t mask;
	struct sigaction sa = { .sa_handler = SIG_IGN };

	/* auditd hands us its own mask: start from a clean one */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_SETMASK, &mask, NULL) < 0)
		return -errno;
	sigaction(SIGPIPE, &sa, NULL);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void set_nonblock_if_stream(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void on_proc_event(void *ctx, const struct procconn_event *ev)
{
	struct plugin *pl = ctx;
	struct resolver *r = pipeline_resolver(pl->pipe);
	int64_t now = now_ms();

	switch (ev->what) {
	case PROCCONN_FORK:
		resolver_on_fork(r, ev->ppid, ev->pid, now);
		break;
	case PROCCONN_EXEC:
		pipeline_on_exec(pl->pipe, ev->pid, now);
		break;
	case PROCCONN_EXIT:
		resolver_on_exit(r, ev->pid, now);
		break;
	}
}

/* Take the process events queued so far (before the records they explain). */
static void plugin_procevents(struct plugin *pl)
{
	const struct procconn_stats *st;

	if (!pl->pc)
		return;
	procconn_read(pl->pc, on_proc_event, pl);
	st = procconn_stats(pl->pc);
	if (st->overruns != pl->pc_overruns) {
		pl->pc_overruns = st->overruns;
		resolver_events_lost(pipeline_resolver(pl->pipe), now_ms());
	}
}

/* Subscribe when configured; a failure leaves the /proc-only fallback. */
static void plugin_connector(struct plugin *pl)
{
	int e;

	if (!pl->conf.proc_connector) {
		procconn_close(pl->pc);
		pl->pc = NULL;
	} else if (!pl->pc) {
		e = procconn_open(&pl->pc);
		if (e < 0) {
			pl->pc = NULL;
			log_warnx("process connector: %s; short-lived processes "
				  "may resolve as unknown", strerror(-e));
		}
	}
	resolver_connector(pipeline_resolver(pl->pipe), pl->pc != NULL);
}

/* Build queue, pipeline and sink for pl->conf. */
static int plugin_build(struct plugin *pl)
{
	size_t cap = (size_t)pl->conf.queue_max_bytes + 2 * 1024 * 1024;
	int e;

	resolve_node(&pl->conf, pl->node, sizeof pl->node);
	e = outq_init(&pl->q, cap);
	if (e < 0)
		return e;
	pl->pipe = pipeline_new(&pl->conf, pl->node, &pl->q);
	if (!pl->pipe)
		return -ENOMEM;
	return sink_open(&pl->sink, &pl->conf, getenv("P2P_SYSLOG_PATH"));
}

static void plugin_teardown(struct plugin *pl)
{
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
	char err[ERR_BUF];
	int rebuild;

	if (conf_load(pl->conf_path, &nc, err, sizeof err) < 0) {
		pl->reload_failures++;
		log_warnx("SIGHUP: keeping the running configuration; %s "
			  "has problems:\n%s", pl->conf_path, err);
		return;
	}
	pl->reloads++;
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
		memset(&pl->q, 0, sizeof pl->q);
		if (plugin_build(pl) < 0) {
			log_warn("SIGHUP: cannot apply the new configuration; "
				 "keeping the old one");
			plugin_teardown(pl);
			pl->conf = old.conf;
			pl->pipe = old.pipe;
			pl->sink = old.sink;
			pl->q = old.q;
			snprintf(pl->node, sizeof pl->node, "%s", old.node);
			return;
		}
		plugin_teardown(&old);
	}
	plugin_connector(pl);
	log_info("SIGHUP: new configuration loaded from %s", pl->conf_path);
}

static size_t plugin_counters(struct plugin *pl, struct counter *out)
{
	struct report_src src = {
		.pipe = pipeline_stats(pl->pipe),
		.sink = sink_stats(pl->sink),
		.res = resolver_stats(pipeline_resolver(pl->pipe)),
		.conn = pl->pc ? procconn_stats(pl->pc) : NULL,
		.meta = ctrmeta_stats(pipeline_ctrmeta(pl->pipe)),
		.queue_bytes = pipeline_queued_bytes(pl->pipe),
		.queue_high = pl->q.high,
		.reloads = pl->reloads,
		.reload_failures = pl->reload_failures,
	};

	return report_collect(&src, out, REPORT_COUNTERS_MAX);
}

static void plugin_report(struct plugin *pl)
{
	struct counter c[REPORT_COUNTERS_MAX];

	report_log(c, plugin_counters(pl, c));
}

static void plugin_write_metrics(struct plugin *pl, int64_t now)
{
	struct counter c[REPORT_COUNTERS_MAX];
	unsigned long sup = 0;
	int e;

	if (!pl->conf.metrics_file[0])
		return;
	e = report_write_metrics(pl->conf.metrics_file, c,
				 plugin_counters(pl, c));
	if (e < 0 && log_ratelimited(&pl->metrics_rate, now, &sup))
		log_warnx("metrics_file %s: %s (%lu warnings suppressed)",
			  pl->conf.metrics_file, strerror(-e), sup);
}

/* Periodic work: the metrics file and the status line. */
static void plugin_timers(struct plugin *pl, int64_t now)
{
	if (pl->conf.metrics_file[0] && now >= pl->next_metrics) {
		plugin_write_metrics(pl, now);
		pl->next_metrics = now + (int64_t)pl->conf.metrics_interval * 1000;
	}
	if (pl->conf.status_interval && now >= pl->next_status) {
		struct counter c[REPORT_COUNTERS_MAX];
		char line[512];

		if (pl->next_status) {
			report_status(c, plugin_counters(pl, c), line, sizeof line);
			log_info("%s", line);
		}
		pl->next_status = now + (int64_t)pl->conf.status_interval * 1000;
	}
}

static int64_t plugin_next_timer(const struct plugin *pl)
{
	int64_t t = -1;

	if (pl->conf.metrics_file[0])
		t = pl->next_metrics;
	if (pl->conf.status_interval && (t < 0 || pl->next_status < t))
		t = pl->next_status;
	return t;
}

/*
 * Drop every capability for good: what the plugin still does needs none.
 * It keeps uid 0, so it can still read the root-owned config and output
 * files on SIGHUP, /proc/<pid>/{cgroup,stat,status,comm} (world-readable)
 * and the runtimes' root-owned state files; the process connector socket
 * stays subscribed.  What it can no longer do: subscribe again (turning
 * proc_connector on by SIGHUP needs a restart), read files of other owners
 * that deny it, or gain privileges through exec (no_new_privs).
 */
static int drop_privileges(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (geteuid() != 0)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		return -EPERM;
	return 0;
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

	plugin_procevents(pl);
	while ((pl->conf.overflow_action == OVERFLOW_DROP ||
		pipeline_has_room(pl->pipe)) &&
	       input_next(&pl->in, &line, &len, &orig)) {
		pipeline_line(pl->pipe, line, len, orig, now);
		if (++n % FEED_BATCH == 0)
			plugin_procevents(pl);
	}
}

static int plugin_run(struct plugin *pl)
{
	for (;;) {
		struct pollfd pfd[4];
		int64_t now = now_ms(), dl;
		int nfd = 0, in_idx = -1, timeout = -1;
		ssize_t n;

		plugin_feed(pl, now);
		pipeline_tick(pl->pipe, now);
		plugin_write(pl, now);
		plugin_timers(pl, now);
		if (pl->terminate == 2)
			break;
		if (pl->terminate || (pl->in.eof && !input_pending(&pl->in))) {
			/* take what is already there, then drain and go */
			while (!pl->in.eof && input_read(&pl->in) > 0)
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
		if (pl->pc)
			pfd[nfd++] = (struct pollfd){ procconn_fd(pl->pc), POLLIN, 0 };
		if (!pl->in.eof && (pl->conf.overflow_action == OVERFLOW_DROP ||
				    pipeline_has_room(pl->pipe))) {
			in_idx = nfd;
			pfd[nfd++] = (struct pollfd){ pl->in.fd, POLLIN, 0 };
		}
		if (pl->want_pollout) {
			/* POLLOUT only wakes us; plugin_write runs every turn */
			pfd[nfd++] = (struct pollfd){ sink_fd(pl->sink), POLLOUT, 0 };
		}
		dl = pipeline_deadline(pl->pipe);
		if (pl->retry_at && (dl < 0 || pl->retry_at < dl))
			dl = pl->retry_at;
		if (plugin_next_timer(pl) >= 0 &&
		    (dl < 0 || plugin_next_timer(pl) < dl))
			dl = plugin_next_timer(pl);
		if (dl >= 0)
			timeout = dl > now ? (int)(dl - now) : 0;
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents)
			plugin_signals(pl);
		/* exec events first: the process may be gone in a moment */
		plugin_procevents(pl);
		if (in_idx >= 0 && pfd[in_idx].revents) {
			n = input_read(&pl->in);
			if (n < 0 && n != -EAGAIN && n != -ENOBUFS) {
				log_warnx("stdin: %s", strerror((int)-n));
				pl->in.eof = 1;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "print-config", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct plugin pl = { .conf_path = CONF_DEFAULT_PATH, .sigfd = -1 };
	char err[ERR_BUF];
	int opt, check_only = 0, debug = 0, e;

	while ((opt = getopt_long(argc, argv, "c:ndVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': pl.conf_path = optarg; break;
		case 'n': check_only = 1; break;
		case 'd': debug = 1; break;
		case 'V': printf("audisp-pid2pod %s\n", P2P_VERSION); return 0;
		case 'P': conf_print_default(stdout); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("audisp-pid2pod", debug || check_only, debug);
	if (conf_load(pl.conf_path, &pl.conf, err, sizeof err) < 0) {
		fputs(err, stderr);
		if (!check_only) {
			log_use_syslog(1);
			log_warnx("configuration rejected:\n%s", err);
		}
		return 1;
	}
	if (check_only) {
		printf("%s: ok\n", pl.conf_path);
		return 0;
	}
	log_use_syslog(1);
	umask(077);
	/* auditd leaves stray descriptors open; we need only 0, 1 and 2 */
	close_range(3, ~0U, 0);
	pl.sigfd = setup_signals();
	if (pl.sigfd < 0)
		fatalx("signalfd: %s", strerror(-pl.sigfd));
	set_nonblock_if_stream(STDIN_FILENO);
	if (input_init(&pl.in, STDIN_FILENO) < 0)
		fatalx("out of memory");
	e = plugin_build(&pl);
	if (e < 0)
		fatalx("start-up: %s", strerror(-e));
	plugin_connector(&pl);
	if (pl.conf.log_file[0] && log_set_file(pl.conf.log_file) < 0)
		log_warn("log_file %s", pl.conf.log_file);
	/* everything that needs privileges is done: the connector is
	 * subscribed, config and outputs are open */
	e = drop_privileges();
	if (e < 0)
		log_warnx("cannot drop privileges: %s", strerror(-e));
	log_info("started: output=%s format=%s node=%s proc_root=%s",
		 conf_enum_name("output", pl.conf.output),
		 conf_enum_name("output_format", pl.conf.output_format),
		 pl.node, pl.conf.proc_root);
	plugin_run(&pl);
	plugin_report(&pl);
	plugin_write_metrics(&pl, now_ms());
	log_info("exiting");
	plugin_teardown(&pl);
	procconn_close(pl.pc);
	input_done(&pl.in);
	return 0;
}
