/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c - the counters table and its three outputs (see report.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "common/log.h"
#include "common/util.h"
#include "plugin/report.h"

#define PUT(n, h, v) add(out, &k, max, n, h, (uint64_t)(v), 0)
#define GAUGE(n, h, v) add(out, &k, max, n, h, (uint64_t)(v), 1)
#define LOG_PER_LINE 8

static void add(struct counter *out, size_t *k, size_t max, const char *name,
		const char *help, uint64_t v, int gauge)
{
	if (*k < max)
		out[(*k)++] = (struct counter){ name, help, v, gauge };
}

size_t report_collect(const struct report_src *s, struct counter *out,
		      size_t max)
{
	size_t k = 0;

	if (s->pipe) {
		const struct pipe_stats *p = s->pipe;

		PUT("records_in", "records read (EOE lines not counted)", p->records_in);
		PUT("eoe_in", "EOE lines read (never emitted)", p->eoe);
		PUT("records_enriched", "records given container fields", p->enriched);
		PUT("records_host", "records of host processes", p->host);
		PUT("records_unresolved", "records given container_id=?", p->unresolved);
		PUT("records_pod_only", "records whose pod but not container is known", p->pod_only);
		PUT("records_named", "records given pod names", p->named);
		PUT("records_sources_disagree", "the pod sources (cgroup, runtime state, kubelet) named other pods", p->disagree);
		PUT("records_foreign_node", "records of other nodes passed untouched", p->foreign_node);
		PUT("records_malformed", "lines that were not well-formed records", p->malformed);
		PUT("records_truncated", "overlong lines cut", p->truncated);
		PUT("fields_dropped", "optional fields left out to keep lines short", p->fields_dropped);
		PUT("records_dropped", "records dropped with overflow_action = drop", p->dropped);
		PUT("records_held", "records that waited for the kubelet's pod list", p->held);
		GAUGE("hold_max_ms", "longest wait of a record for the pod list", p->hold_max_ms);
		PUT("goaudit_objects", "go-audit objects read (input = go-audit)", p->goaudit_objects);
		PUT("goaudit_malformed", "go-audit lines not enriched for their form (reported or passed on)", p->goaudit_malformed);
		PUT("goaudit_overlong", "go-audit lines over the line cap (reported, cut)", p->goaudit_overlong);
		PUT("goaudit_pids_capped", "go-audit messages with a pid past the per-object cap (no k8s)", p->goaudit_capped);
	}
	if (s->sink) {
		PUT("lines_out", "lines the output accepted", s->sink->lines_out);
		PUT("bytes_out", "bytes the output accepted", s->sink->bytes_out);
		PUT("syslog_failed", "records syslog could not take (lost)", s->sink->syslog_failed);
		PUT("output_errors", "write errors of the output", s->sink->write_errors);
	}
	GAUGE("queue_bytes", "bytes waiting in the queue", s->queue_bytes);
	GAUGE("queue_high_bytes", "high-water mark of the queue", s->queue_high);
	PUT("input_reads", "reads of stdin that took records", s->input_reads);
	PUT("wakeups", "times the loop woke up (batch_ms makes one take many records)", s->wakeups);
	PUT("input_pauses", "times reading stopped at queue_max_bytes (overflow_action = block)", s->input_pauses);
	PUT("input_paused_ms", "time reading stood stopped at queue_max_bytes", s->input_paused_ms);
	if (s->res) {
		const struct resolve_stats *r = s->res;

		PUT("cache_hits", "pid cache hits", r->hits);
		PUT("cache_misses", "pid cache misses", r->misses);
		PUT("proc_reads", "cgroup files read", r->proc_reads);
		PUT("pid_reused", "cached pids found reused", r->reused);
		PUT("exec_reads", "cgroup reads at exec events", r->exec_reads);
		PUT("exec_gone", "processes gone before their exec was handled", r->exec_gone);
		PUT("inherited", "answers taken from a parent at fork", r->inherited);
		PUT("inherited_used", "records resolved by an inherited answer", r->inherited_used);
		PUT("runtime_parent", "forks from runtime processes (not inherited)", r->runtime_parent);
		PUT("exited_used", "records resolved after their process exited", r->exited_used);
		PUT("cache_evictions", "live pid cache entries pushed out", r->evictions);
		PUT("parent_disagree", "inherited answers refused (the parent had moved): ?", r->parent_disagree);
		PUT("predecessor_used", "late records given the reused pid's previous owner's pod", r->predecessor);
		PUT("reuse_unsure", "records too close to a pid's reuse to tell its owner: ?", r->reuse_unsure);
		PUT("read_after_exit", "reads made after the process's exit (its zombie, or the pid's next owner)", r->read_after_exit);
		PUT("read_after_exit_settled", "of those, proven the zombie's (no reuse before the read)", r->late_settled);
		PUT("read_after_exit_unsure", "records given ? while such a read was unsettled", r->late_unsure);
		PUT("read_next_owner", "reads found to be of the pid's next owner: ?", r->read_next_owner);
		PUT("sessions_started", "exec sessions started into containers (their roots marked)", r->sessions_started);
		PUT("sessions_unsure", "runtime children entering a container not told init or exec: k8s_exec=?", r->sessions_unsure);
	}
	GAUGE("connector_up", "1 when the process connector delivers events", s->conn != NULL);
	if (s->conn) {
		PUT("connector_events", "fork/exec/exit events received", s->conn->events);
		PUT("connector_overruns", "times the kernel dropped events", s->conn->overruns);
		PUT("connector_datagrams", "datagrams received from the connector", s->conn->datagrams);
		PUT("connector_ignored", "connector messages not for us (thread events, ...; 0 while the kernel filters them)", s->conn->ignored);
		PUT("connector_doorbells", "wakeups for a watched runtime's exec or fork", s->conn->doorbells);
		PUT("connector_watch_updates", "doorbell filters attached", s->conn->watch_updates);
		GAUGE("connector_watched", "pids the doorbell rings for (runtimes and their children)", s->watched);
		GAUGE("connector_watch_full", "1 when the watch set is full and every exec rings", s->watch_full);
	}
	if (s->meta) {
		PUT("runtime_state_reads", "runtime state lookups on disk", s->meta->reads);
		PUT("runtime_state_found", "runtime state files naming a pod", s->meta->found);
		PUT("runtime_state_missing", "containers without a state file", s->meta->not_found);
		PUT("runtime_state_bad", "state files unusable (malformed, too big)", s->meta->bad);
	}
	GAUGE("kubelet_up", "1 when the last fetch of the pod list succeeded",
	      s->pods && s->kube_state == PODCACHE_UP);
	if (s->pods) {
		const struct podcache_stats *c = s->pods;

		GAUGE("kubelet_pods", "pods in the cached list (deleted ones in grace included)", c->pods);
		GAUGE("kubelet_containers", "container ids in the cached list", c->containers);
		PUT("pod_lookups", "lookups in the pod list", c->lookups);
		PUT("pod_hits", "lookups that found the container", c->hits);
		PUT("pod_uid_hits", "lookups that found only the pod", c->pod_hits);
		PUT("pod_misses", "lookups that found nothing new", c->misses);
		PUT("pod_misses_remembered", "misses answered from the miss memory", c->misses_confirmed);
		PUT("pod_ambiguous", "container ids found in two pods (no answer)", c->ambiguous);
		PUT("kubelet_refreshes", "fetches of the pod list asked for", c->requests);
		PUT("kubelet_refreshes_by_miss", "fetches asked for by an unknown container", c->by_miss);
	}
	if (s->kube) {
		const struct kubelet_stats *ku = s->kube;

		PUT("kubelet_fetches", "fetches of the pod list done", ku->fetches);
		PUT("kubelet_ok", "fetches that gave a new list", ku->ok);
		PUT("kubelet_unauthorized", "fetches answered 401", ku->unauthorized);
		PUT("kubelet_forbidden", "fetches answered 403", ku->forbidden);
		PUT("kubelet_http_errors", "fetches answered with another error status", ku->http_errors);
		PUT("kubelet_transport_errors", "fetches failed to connect, TLS or time out", ku->transport_errors);
		PUT("kubelet_bad_lists", "answers that were not a pod list", ku->bad_lists);
		PUT("kubelet_too_big", "answers over kubelet_max_bytes (cut there: the pods before kept)", ku->too_big);
		PUT("kubelet_token_reads", "times the token file was read", ku->token_reads);
		PUT("kubelet_bytes", "bytes received from the kubelet", ku->bytes);
		GAUGE("kubelet_last_bytes", "size of the last good list", ku->last_bytes);
		GAUGE("kubelet_last_fetch_ms", "duration of the last fetch", ku->last_fetch_ms);
	}
	PUT("reloads", "configurations loaded on SIGHUP", s->reloads);
	PUT("reload_failures", "SIGHUPs whose configuration was refused", s->reload_failures);
	PUT("seccomp_denied", "system calls the seccomp filter failed with EPERM (not on its list)", s->seccomp_denied);
	return k;
}

void report_log(const struct counter *c, size_t n)
{
	char line[1024];

	for (size_t i = 0; i < n; i += LOG_PER_LINE) {
		size_t used = 0;

		line[0] = '\0';
		for (size_t j = i; j < n && j < i + LOG_PER_LINE; j++) {
			int w = snprintf(line + used, sizeof line - used,
					 "%s%s=%llu", used ? " " : "", c[j].name,
					 (unsigned long long)c[j].value);
			if (w < 0 || (size_t)w >= sizeof line - used)
				break;
			used += (size_t)w;
		}
		log_info("%s", line);
	}
}

int report_write_metrics(const char *path, const struct counter *c, size_t n)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd, e = 0;

	/* a new file of our own, never one planted at a name we could guess */
	fd = fsafe_mkstemp(path, tmp, sizeof tmp);
	if (fd < 0)
		return fd;
	if (fchmod(fd, 0644) < 0) { /* node_exporter reads it */
		e = -errno;
		close(fd);
		unlink(tmp);
		return e;
	}
	f = fdopen(fd, "w");
	if (!f) {
		e = -errno;
		close(fd);
		unlink(tmp);
		return e;
	}
	for (size_t i = 0; i < n; i++) {
		const char *suffix = c[i].gauge ? "" : "_total";

		fprintf(f, "# HELP pid2pod_%s%s %s\n# TYPE pid2pod_%s%s %s\n"
			   "pid2pod_%s%s %llu\n",
			c[i].name, suffix, c[i].help, c[i].name, suffix,
			c[i].gauge ? "gauge" : "counter", c[i].name, suffix,
			(unsigned long long)c[i].value);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		e = -errno;
	if (fclose(f) != 0 && !e)
		e = -errno;
	if (!e && rename(tmp, path) < 0)
		e = -errno;
	if (e)
		unlink(tmp);
	return e;
}

static uint64_t value_of(const struct counter *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	return 0;
}

void report_status(const struct counter *c, size_t n, char *buf, size_t size)
{
	snprintf(buf, size,
		 "status: records_in=%llu lines_out=%llu enriched=%llu "
		 "unresolved=%llu host=%llu dropped=%llu syslog_failed=%llu "
		 "queue_bytes=%llu connector_up=%llu kubelet_up=%llu held=%llu",
		 (unsigned long long)value_of(c, n, "records_in"),
		 (unsigned long long)value_of(c, n, "lines_out"),
		 (unsigned long long)value_of(c, n, "records_enriched"),
		 (unsigned long long)value_of(c, n, "records_unresolved"),
		 (unsigned long long)value_of(c, n, "records_host"),
		 (unsigned long long)value_of(c, n, "records_dropped"),
		 (unsigned long long)value_of(c, n, "syslog_failed"),
		 (unsigned long long)value_of(c, n, "queue_bytes"),
		 (unsigned long long)value_of(c, n, "connector_up"),
		 (unsigned long long)value_of(c, n, "kubelet_up"),
		 (unsigned long long)value_of(c, n, "records_held"));
}
