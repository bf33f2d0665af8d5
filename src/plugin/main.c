/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - audisp-pid2pod: the auditd plugin's process.
 *
 * Set-up for a program auditd starts with an empty environment, its own
 * signal mask and stray fds: options, config, signals through a signalfd,
 * the plugin (plugin.c), the process connector, then every capability
 * dropped (privs.c), the Landlock sandbox (sandbox.c) and the seccomp
 * filter (sysfilter.c) set before the kubelet thread and the loop run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "plugin/pipeline.h"
#include "plugin/plugin.h"
#include "plugin/privs.h"
#include "plugin/sandbox.h"
#include "plugin/sysfilter.h"
#include "resolve/procconn.h"

#include "common/version.h"

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

#ifdef P2P_TEST_HOOKS
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
/*
 * Test builds only ($(B)/hooks/audisp-pid2pod; the Makefile never builds
 * the shipped binary with P2P_TEST_HOOKS, and test_sandbox checks its
 * strings): P2P_TEST_SANDBOX_TRY, read before the environment is cleared,
 * makes the started plugin try one thing, on its main thread and on a
 * thread it starts then, and log what happened to each:
 * "test-hook: TRY: main=EACCES thread=EACCES" (or "ok").  TRY is
 *   read:PATH     open PATH for reading
 *   create:PATH   create PATH.main or PATH.thread (O_CREAT | O_EXCL)
 *   connect:PORT  a TCP connection to 127.0.0.1:PORT
 *   syscall:getcpu  the getcpu system call itself (not the vDSO's): a
 *                 harmless call the seccomp list (sysallow.c) leaves out
 *   exec:PATH     on the main thread only: exec PATH -c 'exit 42' (the
 *                 plugin is gone either way: status 42, or killed)
 */
static char hook_try[PATH_MAX + 16];
static pthread_t hook_main;

static void hook_take(void)
{
	const char *v = getenv("P2P_TEST_SANDBOX_TRY");

	if (v)
		snprintf(hook_try, sizeof hook_try, "%s", v);
}

/* One attempt: "ok" or the errno's name. */
static void *hook_attempt(void *ret)
{
	const char **res = ret;
	char path[sizeof hook_try + 8];
	int fd = -1, e = 0;

	if (strncmp(hook_try, "read:", 5) == 0) {
		fd = open(hook_try + 5, O_RDONLY | O_CLOEXEC);
	} else if (strncmp(hook_try, "create:", 7) == 0) {
		/* PATH.main, PATH.thread: one file per attempt */
		snprintf(path, sizeof path, "%s.%s", hook_try + 7,
			 pthread_equal(pthread_self(), hook_main) ? "main" : "thread");
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	} else if (strncmp(hook_try, "connect:", 8) == 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)atoi(hook_try + 8)),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	} else if (strcmp(hook_try, "syscall:getcpu") == 0) {
		unsigned cpu;

		fd = syscall(SYS_getcpu, &cpu, NULL, NULL) < 0 ? -1 : 0;
		if (fd == 0) /* not a descriptor to close */
			fd = -2;
	} else {
		errno = EINVAL;
	}
	e = fd == -1 ? errno : 0;
	if (fd >= 0)
		close(fd);
	*res = e ? strerrorname_np(e) : "ok";
	return NULL;
}

static void hook_run(void)
{
	const char *on_main = "?", *on_thread = "?";
	pthread_t th;

	if (!hook_try[0])
		return;
	if (strncmp(hook_try, "exec:", 5) == 0) {
		log_warnx("test-hook: %s: trying", hook_try);
		execl(hook_try + 5, hook_try + 5, "-c", "exit 42", (char *)NULL);
		log_warnx("test-hook: %s: main=%s", hook_try, strerrorname_np(errno));
		return;
	}
	hook_main = pthread_self();
	hook_attempt(&on_main);
	if (pthread_create(&th, NULL, hook_attempt, &on_thread) == 0)
		pthread_join(th, NULL);
	log_warnx("test-hook: %s: main=%s thread=%s", hook_try, on_main,
		  on_thread);
}
#else
static void hook_take(void) {}
static void hook_run(void) {}
#endif

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

/*
 * stdin non-blocking when it is a pipe or socket.  Returns what the pipe
 * holds (0: no pipe): a read of a quarter of it means pid2pod is behind.
 */
static size_t set_nonblock_if_stream(int fd)
{
	struct stat st;
	int fl, sz;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (!S_ISFIFO(st.st_mode))
		return 0;
	sz = fcntl(fd, F_GETPIPE_SZ);
	return sz > 0 ? (size_t)sz : 0;
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
	char err[PLUGIN_ERR_BUF];
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
	/* nothing in the environment decides anything: libcurl would take
	 * https_proxy, SSLKEYLOGFILE (the TLS keys, in a file) and others
	 * from it.  auditd starts plugins with an empty one anyway. */
	hook_take();
	if (clearenv() != 0)
		return 1;
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
	log_set_syslog_socket(pl.conf.syslog_socket);
	log_use_syslog(1);
	umask(077);
	/* auditd leaves stray descriptors open; we need only 0, 1 and 2 */
	close_range(3, ~0U, 0);
	pl.sigfd = setup_signals();
	if (pl.sigfd < 0)
		fatalx("signalfd: %s", strerror(-pl.sigfd));
	pl.in_pipe_size = set_nonblock_if_stream(STDIN_FILENO);
	if (input_init(&pl.in, STDIN_FILENO) < 0)
		fatalx("out of memory");
	e = plugin_build(&pl);
	if (e < 0)
		fatalx("start-up: %s", strerror(-e));
	/* go-audit's objects hold a whole event: a larger line cap */
	if (input_set_line_max(&pl.in, pipeline_line_max(pl.pipe)) < 0)
		fatalx("out of memory");
	plugin_connector(&pl);
	if (pl.conf.log_file[0] && log_set_file(pl.conf.log_file) < 0)
		log_warn("log_file %s", pl.conf.log_file);
	/* everything that needs privileges is done: the connector is
	 * subscribed, config and outputs are open */
	/* a plugin that meant to drop them and could not must not run with
	 * them: it would hold capabilities nobody expects it to have */
	e = privs_drop();
	if (e < 0)
		fatalx("cannot drop privileges: %s", strerror(-e));
	/* Landlock binds this thread and those it starts later: before the
	 * kubelet's (sandbox_apply refuses when another thread runs) */
	sysfilter_prepare();
	e = sandbox_apply(&pl.conf, pl.conf_path, err, sizeof err);
	if (e < 0)
		fatalx("sandbox: %s", err);
	if (e == 0 && pl.conf.sandbox)
		log_warnx("sandbox: %s", err);
	else
		log_info("sandbox: %s", err);
	if (pl.conf.sandbox) {
		e = sysfilter_apply(err, sizeof err);
		if (e < 0)
			fatalx("sandbox: %s", err);
		if (e == 0)
			log_warnx("sandbox: %s", err);
		else
			log_info("sandbox: %s", err);
	}
	/* threads after the drop: capabilities are per thread */
	plugin_kubelet(&pl);
	log_info("started: input=%s output=%s format=%s node=%s proc_root=%s",
		 conf_enum_name("input", pl.conf.input),
		 conf_enum_name("output", pl.conf.output),
		 conf_enum_name("output_format", pl.conf.output_format),
		 pl.node, pl.conf.proc_root);
	hook_run();
	plugin_run(&pl);
	pl.seccomp_rate.last_ms = 0; /* the last denials, whatever the rate */
	plugin_seccomp_log(&pl, now_ms());
	plugin_report(&pl);
	plugin_write_metrics(&pl, now_ms());
	log_info("exiting");
	plugin_teardown(&pl);
	procconn_close(pl.pc);
	input_done(&pl.in);
	return 0;
}
