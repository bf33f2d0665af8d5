/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipefix.h - fixtures for the tests that drive a pipeline by hand
 * (test_pipeline, test_hold): a fake proc tree entry, one line in, the
 * output queue's content out.
 */
#ifndef P2P_PIPEFIX_H
#define P2P_PIPEFIX_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin/pipeline.h"

/* root/<pid>/cgroup with the given content. */
static inline void pipefix_mkpid(const char *root, int pid, const char *cgroup)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/cgroup", root, pid);
	f = fopen(path, "w");
	fputs(cgroup, f);
	fclose(f);
}

static inline void pipefix_feed(struct pipeline *p, const char *line, int64_t now)
{
	pipeline_line(p, line, strlen(line), strlen(line), now);
}

/* The queue's content as a string (consumed). */
static inline const char *pipefix_take(struct outq *q)
{
	static char buf[1 << 16];
	size_t n = outq_used(q) < sizeof buf - 1 ? outq_used(q) : sizeof buf - 1;

	memcpy(buf, outq_data(q), n);
	buf[n] = '\0';
	outq_consume(q, outq_used(q));
	return buf;
}

#endif
