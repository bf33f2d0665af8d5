/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin_obs.c - what the plugin shows of itself: the counters of every
 * module gathered into one table (report.c formats it), logged on SIGUSR1,
 * written to metrics_file and summed up in the status line on their timers;
 * and the seccomp filter's denials, logged (rate-limited) as the main loop
 * comes round.
 */
#include <string.h>

#include "common/util.h"
#include "output/sink.h"
#include "plugin/pipeline.h"
#include "plugin/plugin.h"
#include "plugin/sysfilter.h"
#include "podmeta/ctrmeta.h"
#include "podmeta/kubelet.h"
#include "podmeta/podcache.h"
#include "resolve/procconn.h"
#include "resolve/resolve.h"

size_t plugin_counters(struct plugin *pl, struct counter *out)
{
	struct podcache *pods = pipeline_podcache(pl->pipe);
	struct kubelet_stats ks;
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
		.input_pauses = pl->input_pauses,
		.input_reads = pl->input_reads,
		.wakeups = pl->wakeups,
		.watched = pl->watch.n,
		.watch_full = (uint64_t)pl->watch.full,
		.input_paused_ms = pl->input_paused_ms +
			(pl->paused_since ? (uint64_t)(now_ms() - pl->paused_since) : 0),
		.pods = pods ? podcache_stats(pods) : NULL,
		.kube_state = pods ? podcache_state(pods) : 0,
	};
	int last;

	src.seccomp_denied = sysfilter_denied(&last);

	if (pl->kube) {
		kubelet_stats(pl->kube, &ks);
		src.kube = &ks;
	}

	return report_collect(&src, out, REPORT_COUNTERS_MAX);
}

void plugin_report(struct plugin *pl)
{
	struct counter c[REPORT_COUNTERS_MAX];

	report_log(c, plugin_counters(pl, c));
}

void plugin_write_metrics(struct plugin *pl, int64_t now)
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

/* A call the seccomp filter failed since the last look: one line, at most
 * one per LOG_RATE_INTERVAL_MS (the count says how many in all). */
void plugin_seccomp_log(struct plugin *pl, int64_t now)
{
	unsigned long sup = 0, n;
	char name[64];
	int last;

	n = sysfilter_denied(&last);
	if (n == pl->seccomp_logged || !log_ratelimited(&pl->seccomp_rate, now, &sup))
		return;
	pl->seccomp_logged = n;
	sysfilter_name(last, name, sizeof name);
	log_warnx("seccomp denied syscall %d (%s), returned EPERM; count %lu",
		  last, name, n);
}

/* Periodic work: the metrics file, the status line, seccomp denials. */
void plugin_timers(struct plugin *pl, int64_t now)
{
	plugin_seccomp_log(pl, now);
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

int64_t plugin_next_timer(const struct plugin *pl)
{
	int64_t t = -1;

	if (pl->conf.metrics_file[0])
		t = pl->next_metrics;
	if (pl->conf.status_interval && (t < 0 || pl->next_status < t))
		t = pl->next_status;
	return t;
}
