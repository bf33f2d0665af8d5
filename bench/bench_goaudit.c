/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_goaudit.c - go-audit objects per second: the scanner and inserter
 * alone (goaudit_scan + goaudit_format), and the whole record path in
 * input = go-audit (pipeline_line: scan, pid cache, k8s objects into the
 * output queue) on a fake proc tree of container and host pids, objects
 * shaped like go-audit's (an execve event: SYSCALL, EXECVE, CWD, two PATHs,
 * PROCTITLE; about 1.3 KB).  `make bench` runs it; it prints figures, it
 * asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input/goaudit.h"
#include "output/outq.h"
#include "plugin/pipeline.h"

#define PIDS 2000
#define OBJECTS 400000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_tree(const char *root)
{
	char path[512];

	for (int pid = 1; pid <= PIDS; pid++) {
		FILE *f;

		snprintf(path, sizeof path, "%s/%d", root, pid);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/%d/cgroup", root, pid);
		f = fopen(path, "w");
		if (pid % 4 == 0)
			fprintf(f, "0::/system.slice/sshd.service\n");
		else
			fprintf(f, "0::/kubepods/burstable/pod%08x-aaaa-bbbb-cccc-%012d/%064d\n",
				pid % 500, pid % 500, pid % 1500);
		fclose(f);
	}
}

/* One go-audit object for pid, as go-audit writes an execve event. */
static size_t object(char *dst, size_t cap, int seq, int pid)
{
	int n = snprintf(dst, cap,
		"{\"sequence\":%d,\"timestamp\":\"1795517706.346\",\"messages\":["
		"{\"type\":1300,\"data\":\"arch=c000003e syscall=59 success=yes exit=0 "
		"a0=56407f9b2020 a1=56407f9960a0 a2=56407f993260 a3=f18d69411efcc872 "
		"items=2 ppid=2904 pid=%d auid=4294967295 uid=0 gid=0 euid=0 suid=0 "
		"fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
		"comm=\\\"auditctl\\\" exe=\\\"/usr/sbin/auditctl\\\" key=\\\"exec\\\"\"},"
		"{\"type\":1309,\"data\":\"argc=9 a0=\\\"auditctl\\\" a1=\\\"-a\\\" "
		"a2=\\\"always,exit\\\" a3=\\\"-F\\\" a4=\\\"arch=b64\\\" a5=\\\"-S\\\" "
		"a6=\\\"kill\\\" a7=\\\"-k\\\" a8=\\\"kill\\\"\"},"
		"{\"type\":1307,\"data\":\"cwd=\\\"/root\\\"\"},"
		"{\"type\":1302,\"data\":\"item=0 name=\\\"/usr/sbin/auditctl\\\" "
		"inode=1048599 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
		"nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\"},"
		"{\"type\":1302,\"data\":\"item=1 name=\\\"/lib64/ld-linux-x86-64.so.2\\\" "
		"inode=332383 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
		"nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\"},"
		"{\"type\":1327,\"data\":\"proctitle=617564697463746C002D6100616C776179"
		"732C65786974002D46006172636800623634002D5300657865637665\"}],"
		"\"uid_map\":{\"0\":\"root\",\"4294967295\":\"unset\"}}", seq, pid);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static size_t fixed_k8s(void *ctx, unsigned i, int32_t pid, char *dst, size_t cap)
{
	static const char k[] = "{\"container_id\":\"?\"}";

	(void)ctx;
	(void)i;
	(void)pid;
	if (cap < sizeof k - 1)
		return 0;
	memcpy(dst, k, sizeof k - 1);
	return sizeof k - 1;
}

int main(void)
{
	static char lines[64][2048], out[1 << 16];
	size_t lens[64], bytes = 0;
	char root[] = "/tmp/p2p-bench-goaudit-XXXXXX", cmd[128];
	struct goaudit_obj o;
	struct outq q;
	struct conf c;
	struct pipeline *p;
	double t0, t1;
	size_t sink = 0;

	for (int i = 0; i < 64; i++)
		lens[i] = object(lines[i], sizeof lines[i], i, 1 + (i * 37) % PIDS);

	t0 = now_s();
	for (int k = 0; k < OBJECTS; k++) {
		int i = k & 63;

		goaudit_scan(lines[i], lens[i], &o);
		sink += goaudit_format(out, sizeof out, lines[i], lens[i], &o,
				       fixed_k8s, NULL);
		bytes += lens[i];
	}
	t1 = now_s();
	printf("goaudit scan+format: %d objects of ~%zu bytes in %.3f s: "
	       "%.0f objects/s, %.0f MB/s (%zu bytes out)\n", OBJECTS, lens[0],
	       t1 - t0, OBJECTS / (t1 - t0), bytes / (t1 - t0) / 1e6, sink);

	if (!mkdtemp(root))
		return 1;
	make_tree(root);
	conf_defaults(&c);
	c.input = INPUT_GOAUDIT;
	c.proc_connector = 0;
	c.runtime_state_dirs[0] = '\0';
	c.kubelet_token_file[0] = '\0';
	snprintf(c.proc_root, sizeof c.proc_root, "%s", root);
	outq_init(&q, c.queue_max_bytes + (1 << 21));
	p = pipeline_new(&c, "bench", &q);
	bytes = 0;
	t0 = now_s();
	for (int k = 0; k < OBJECTS; k++) {
		int i = k & 63;

		pipeline_line(p, lines[i], lens[i], lens[i], 1000 + k / 1000);
		bytes += outq_used(&q);
		outq_consume(&q, outq_used(&q));
	}
	t1 = now_s();
	printf("goaudit pipeline (pid cache warm after the first 64, 3 of 4 "
	       "pids in containers): %.0f objects/s, %.0f MB/s out, "
	       "%llu enriched, %llu host\n", OBJECTS / (t1 - t0),
	       bytes / (t1 - t0) / 1e6,
	       (unsigned long long)pipeline_stats(p)->enriched,
	       (unsigned long long)pipeline_stats(p)->host);
	pipeline_free(p);
	outq_done(&q);
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}
