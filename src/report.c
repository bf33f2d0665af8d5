/*
 * report.c - the counters table and its three outputs (see report.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "report.h"
#include "util.h"

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
		PUT("records_sources_disagree", "cgroup and runtime state named other pods", p->disagree);
		PUT("records_foreign_node", "records of other nodes passed untouched", p->foreign_node);
		PUT("records_malformed", "lines that were not well-formed records", p->malformed);
		PUT("records_truncated", "overlong lines cut", p->truncated);
		PUT("fields_dropped", "optional fields left out to keep lines short", p->fields_dropped);
		PUT("records_dropped", "records dropped with overflow_action = drop", p->dropped);
	}
	if (s->sink) {
		PUT("lines_out", "lines the output accepted", s->sink->lines_out);
		PUT("bytes_out", "bytes the output accepted", s->sink->bytes_out);
		PUT("syslog_failed", "records syslog could not take (lost)", s->sink->syslog_failed);
		PUT("output_errors", "write errors of the output", s->sink->write_errors);
	}
	GAUGE("queue_bytes", "bytes waiting in the queue", s->queue_bytes);
	GAUGE("queue_high_bytes", "high-water mark of the queue", s->queue_high);
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
	}
	GAUGE("connector_up", "1 when the process connector delivers events", s->conn != NULL);
	if (s->conn) {
		PUT("connector_events", "fork/exec/exit events received", s->conn->events);
		PUT("connector_overruns", "times the kernel dropped events", s->conn->overruns);
	}
	if (s->meta) {
		PUT("runtime_state_reads", "runtime state lookups on disk", s->meta->reads);
		PUT("runtime_state_found", "runtime state files naming a pod", s->meta->found);
		PUT("runtime_state_missing", "containers without a state file", s->meta->not_found);
		PUT("runtime_state_bad", "state files unusable (malformed, too big)", s->meta->bad);
	}
	PUT("reloads", "configurations loaded on SIGHUP", s->reloads);
	PUT("reload_failures", "SIGHUPs whose configuration was refused", s->reload_failures);
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
	char tmp[4200];
	FILE *f;
	int fd, e = 0;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		return -errno;
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
		 "queue_bytes=%llu connector_up=%llu",
		 (unsigned long long)value_of(c, n, "records_in"),
		 (unsigned long long)value_of(c, n, "lines_out"),
		 (unsigned long long)value_of(c, n, "records_enriched"),
		 (unsigned long long)value_of(c, n, "records_unresolved"),
		 (unsigned long long)value_of(c, n, "records_host"),
		 (unsigned long long)value_of(c, n, "records_dropped"),
		 (unsigned long long)value_of(c, n, "syslog_failed"),
		 (unsigned long long)value_of(c, n, "queue_bytes"),
		 (unsigned long long)value_of(c, n, "connector_up"));
}
