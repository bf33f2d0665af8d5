/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin.h - the running plugin: its state and the loop that moves records
 * from stdin through the pipeline to the sink (plugin.c), and what it shows
 * of itself (plugin_obs.c).  main.c sets up the process and calls these.
 */
#ifndef P2P_PLUGIN_H
#define P2P_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/log.h"
#include "input/input.h"
#include "output/outq.h"
#include "plugin/report.h"
#include "resolve/rtwatch.h"

#define PLUGIN_ERR_BUF 4096

struct plugin {
	const char *conf_path;
	struct conf conf;
	char node[CONF_NAME_MAX];
	struct input in;
	struct outq q;
	struct pipeline *pipe;
	struct sink *sink;
	struct procconn *pc;   /* NULL: no process connector */
	struct kubelet *kube;  /* NULL: no kubelet client */
	int kube_state;        /* last state logged */
	int kube_cut_logged;   /* a pod list cut at kubelet_max_bytes was logged */
	struct log_rate kube_rate;
	uint64_t pc_overruns;  /* overruns already passed to the resolver */
	int pc_stale;          /* input read since the last procconn_read */
	int64_t pc_read_at;    /* when procconn_read last ran */
	int64_t pc_lazy_until; /* the stream is not polled until then */
	struct rtwatch watch;  /* the pids the doorbell rings for */
	struct log_rate watch_rate;
	struct log_rate session_rate; /* a line per exec session started */
	int64_t in_rest_until; /* stdin is not polled until then (batch_ms) */
	size_t in_pipe_size;   /* what stdin's pipe holds (0: not a pipe) */
	uint64_t input_reads, wakeups;
	int sigfd;
	int want_pollout;
	int64_t retry_at;
	int terminate;
	uint64_t reloads, reload_failures;
	int64_t next_metrics, next_status;
	struct log_rate werr_rate;
	struct log_rate metrics_rate;
	uint64_t lost_at_exit;
	/* overflow_action = block: times input reading paused at the bound,
	 * for how long in all, since when (0: not paused) */
	uint64_t input_pauses, input_paused_ms;
	int64_t paused_since;
	struct log_rate pause_rate;
	/* the seccomp filter's denials already logged (sysfilter.c) */
	unsigned long seccomp_logged;
	struct log_rate seccomp_rate;
};

/* plugin_build - queue, pipeline and sink for pl->conf; 0 or -errno. */
int plugin_build(struct plugin *pl);
void plugin_teardown(struct plugin *pl);
/* plugin_conn.c: plugin_connector - subscribe to the process connector
 * when configured; plugin_procevents - take the events queued so far */
void plugin_connector(struct plugin *pl);
void plugin_procevents(struct plugin *pl);
/* plugin_kube.c: the kubelet client thread and its results */
void plugin_kubelet(struct plugin *pl);
void plugin_kubelet_results(struct plugin *pl);
/* plugin_run - the poll loop, until EOF or SIGTERM (everything drained). */
int plugin_run(struct plugin *pl);

/* plugin_obs.c: counters, the SIGUSR1 report, metrics file, status line */
size_t plugin_counters(struct plugin *pl, struct counter *out);
/* plugin_seccomp_log - log the seccomp filter's denials since the last
 * line (rate-limited; the main loop calls it on every round) */
void plugin_seccomp_log(struct plugin *pl, int64_t now);
void plugin_report(struct plugin *pl);
void plugin_write_metrics(struct plugin *pl, int64_t now);
void plugin_timers(struct plugin *pl, int64_t now);
int64_t plugin_next_timer(const struct plugin *pl);

#endif
