/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loadgen.c - the bench's exec load: RATE executions of PROGRAM per second
 * for SECONDS, paced on an absolute clock (a late start is caught up, never
 * skipped), children reaped as they finish.  Prints "execs N in S s" on
 * stdout.  Usage: loadgen RATE SECONDS [PROGRAM] (default /bin/true).
 * Not a bench_*.c: bench/run.sh runs it under a real auditd.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

int main(int argc, char **argv)
{
	long rate = argc > 1 ? atol(argv[1]) : 0, secs = argc > 2 ? atol(argv[2]) : 0;
	char *prog = argc > 3 ? argv[3] : "/bin/true";
	char *args[] = { prog, NULL };
	struct timespec next, t0, t1;
	long total, done = 0, failed = 0;

	if (rate <= 0 || rate > 100000 || secs <= 0 || secs > 3600) {
		fprintf(stderr, "usage: loadgen RATE SECONDS [PROGRAM]\n");
		return 2;
	}
	total = rate * secs;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (long i = 0; i < total; i++) {
		pid_t pid;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		if (posix_spawn(&pid, prog, NULL, NULL, args, environ) == 0)
			done++;
		else
			failed++;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		add_ns(&next, 1000000000L / rate);
	}
	while (wait(NULL) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("execs %ld in %.2f s (failed %ld)\n", done,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, failed);
	return failed ? 1 : 0;
}
