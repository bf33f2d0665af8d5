/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h - the plugin's counters, gathered into one table and shown three
 * ways: logged on SIGUSR1 (and at exit), written every metrics_interval to
 * metrics_file in node_exporter's textfile format (atomically: a temporary
 * file renamed over the old one), and a one-line status every
 * status_interval.
 */
#ifndef P2P_REPORT_H
#define P2P_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "output/sink.h"
#include "plugin/pipeline.h"
#include "podmeta/ctrmeta.h"
#include "podmeta/kubelet.h"
#include "podmeta/podcache.h"
#include "resolve/procconn.h"
#include "resolve/resolve.h"

#define REPORT_COUNTERS_MAX 96

struct counter {
	const char *name;  /* metric name without the pid2pod_ prefix */
	const char *help;
	uint64_t value;
	int gauge;         /* 1: a gauge, 0: a counter (_total) */
};

/* Where the numbers come from; NULL members are left out. */
struct report_src {
	const struct pipe_stats *pipe;
	const struct sink_stats *sink;
	const struct resolve_stats *res;
	const struct procconn_stats *conn;
	const struct ctrmeta_stats *meta;
	const struct podcache_stats *pods;   /* NULL: no kubelet */
	const struct kubelet_stats *kube;
	int kube_state;                      /* enum podcache_state */
	uint64_t queue_bytes, queue_high;
	uint64_t reloads, reload_failures;
	uint64_t input_pauses, input_paused_ms;
	uint64_t input_reads, wakeups;
	uint64_t watched, watch_full;        /* the runtime watch set */
	uint64_t seccomp_denied;             /* calls the filter failed (EPERM) */
};

/* report_collect - fill out[] (max entries); returns how many. */
size_t report_collect(const struct report_src *src, struct counter *out,
		      size_t max);

/* report_log - log every counter as name=value lines (log_info). */
void report_log(const struct counter *c, size_t n);

/*
 * report_write_metrics - write them to path in the textfile format via
 * path.tmp and rename(2).  Returns 0 or -errno.
 */
int report_write_metrics(const char *path, const struct counter *c, size_t n);

/* report_status - one line: records in/out, enriched, unresolved, ... */
void report_status(const struct counter *c, size_t n, char *buf, size_t size);

#endif
