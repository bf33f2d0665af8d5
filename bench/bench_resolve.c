/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_resolve.c - lookups per second of the resolver: cache misses (a
 * /proc read each: cgroup, stat twice, status) and cache hits, on a fake
 * tree of N pids and on the real /proc.  `make bench` runs it; it prints
 * figures, it asserts nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "resolve/resolve.h"

#define FAKE_PIDS 20000
#define HIT_ROUNDS 50

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_tree(const char *root, int n)
{
	char path[512];

	mkdir(root, 0755);
	for (int pid = 1; pid <= n; pid++) {
		FILE *f;

		snprintf(path, sizeof path, "%s/%d", root, pid);
		mkdir(path, 0755);
		snprintf(path, sizeof path, "%s/%d/cgroup", root, pid);
		f = fopen(path, "w");
		fprintf(f, "12:memory:/kubepods/burstable/pod%08x-aaaa-bbbb-cccc-%012d/"
			   "%064d\n0::/kubepods/burstable/pod%08x-aaaa-bbbb-cccc-%012d/%064d\n",
			pid % 500, pid % 500, pid % 2000, pid % 500, pid % 500, pid % 2000);
		fclose(f);
	}
}

static void run(const char *label, const char *root, const int *pids, int n)
{
	struct resolver *r = resolver_new(root);
	struct ident id;
	double t0, t1, t2;
	int64_t now = 0;

	t0 = now_s();
	for (int i = 0; i < n; i++)
		resolver_lookup(r, pids[i], now, &id);
	t1 = now_s();
	for (int k = 0; k < HIT_ROUNDS; k++)
		for (int i = 0; i < n; i++)
			resolver_lookup(r, pids[i], now, &id);
	t2 = now_s();
	printf("%-28s %8d pids  misses %10.0f lookups/s  hits %12.0f lookups/s\n",
	       label, n, n / (t1 - t0), (double)n * HIT_ROUNDS / (t2 - t1));
	resolver_free(r);
}

int main(int argc, char **argv)
{
	char root[] = "/tmp/p2p-bench-XXXXXX", cmd[600];
	static int pids[FAKE_PIDS];
	int n = 0;
	DIR *d;
	struct dirent *de;

	(void)argc;
	(void)argv;
	if (!mkdtemp(root))
		return 1;
	make_tree(root, FAKE_PIDS);
	for (int i = 0; i < FAKE_PIDS; i++)
		pids[i] = i + 1;
	run("fake tree (cgroup only)", root, pids, FAKE_PIDS);

	n = 0;
	d = opendir("/proc");
	while (d && (de = readdir(d)) && n < FAKE_PIDS)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			pids[n++] = atoi(de->d_name);
	if (d)
		closedir(d);
	run("real /proc (all files)", "/proc", pids, n);

	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : 1;
}
