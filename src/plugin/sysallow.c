/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysallow.c - the reviewed list of system calls the running plugin makes
 * after start-up, which the seccomp filter (sysfilter.c) allows; any other
 * fails with EPERM and shows as seccomp_denied.  Found by tracing the
 * plugin over the test suite (`strace -f -ff` through P2P_WRAP, the calls
 * after seccomp(2); docs/design.md says how), then read row by row: each
 * says who makes the call.  Start-up calls (before the filter) need no row.
 * Rows not seen in the traces say why they are there (a fallback: the
 * vDSO's clocks, clone when clone3 is refused; a path the traced tests
 * do not take: mremap for a large pod list, sendmsg for output = socket).
 * Names, not numbers: libseccomp resolves them for the architecture built
 * for and skips those it lacks (aarch64 has no rename, poll, readlink,
 * access: its own block lists the calls glibc uses there).
 * The sanitizer rows are compiled in only under -fsanitize=address.
 */
#include <sys/ioctl.h>

#include "plugin/sysallow.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

static const struct sysallow sysallow_base[] = {
	/* reading and writing: stdin (auditd), the output, the log file,
	 * /proc, the runtime state files, the config on SIGHUP */
	{ "read", "stdin, /proc, state files, config; curl/openssl sockets" },
	{ "write", "output file or stdout, log_file, metrics, eventfd" },
	{ "openat", "/proc/PID/*, state files, config, CA, token (Landlock decides which)" },
	{ "close", "every descriptor" },
	{ "lseek", "OpenSSL loading the kubelet client certificate/key (test_kubelet's cert run)" },
	{ "newfstatat", "fstat/stat/lstat in glibc: fsafe.c, sink.c, openssl" },
	{ "getdents64", "readdir: /proc/PID/task, cgroup.procs dirs, state dirs" },
	{ "readlink", "realpath (fsafe.c), /proc/PID/exe and ns links" },
	{ "access", "kubeconf.c: is the token/CA there" },
	{ "fcntl", "non-blocking stdin and sockets, curl" },
	{ "fsync", "metrics file before its rename (report.c)" },
	{ "fchmod", "metrics file's mode (report.c)" },
	{ "rename", "metrics file: path.tmp over path (report.c)" },
	/* waiting and time */
	{ "poll", "the main loop (plugin.c), curl" },
	{ "clock_gettime", "now_ms() when the vDSO cannot answer" },
	{ "gettimeofday", "the same for glibc's gettimeofday" },
	{ "time", "time() (log.c, sink.c timestamps) without the vDSO" },
	{ "clock_nanosleep", "usleep in plugin.c's output retry" },
	/* sockets: the process connector, the output socket, syslog, curl */
	{ "socket", "syslog's /dev/log, output socket on reopen, curl" },
	{ "connect", "syslog, output socket, curl to the kubelet" },
	{ "sendto", "syslog lines (log.c), the connector's control message" },
	{ "sendmsg", "output = socket (sink.c)" },
	{ "sendmmsg", "glibc's resolver: the A and AAAA queries of a kubelet host name (curl's resolver thread)" },
	{ "recvfrom", "curl/openssl reading the kubelet" },
	{ "recvmmsg", "the process connector, a batch at a time (procconn.c)" },
	{ "setsockopt", "curl (TCP_NODELAY, keepalive), the connector" },
	{ "getsockopt", "curl: SO_ERROR after a non-blocking connect" },
	{ "getsockname", "curl: the local address" },
	{ "getpeername", "curl: the peer's address" },
	{ "socketpair", "curl's wakeup pair" },
	{ "eventfd2", "the kubelet thread's doorbell (kubethread.c), curl" },
	/* memory */
	{ "brk", "malloc" },
	{ "mmap", "malloc of large blocks, thread stacks" },
	{ "munmap", "free of large blocks, thread stacks" },
	{ "mremap", "realloc of large blocks" },
	{ "mprotect", "thread stack guard pages, malloc arenas" },
	{ "madvise", "glibc freeing a thread's stack, malloc trim" },
	/* threads and signals: the kubelet thread, curl's resolver threads */
	{ "clone", "pthread_create when clone3 is refused (ENOSYS: an old kernel, a container's profile)" },
	{ "clone3", "pthread_create: the kubelet thread, curl's resolver" },
	{ "set_robust_list", "a new thread's start" },
	{ "rseq", "a new thread's start" },
	{ "futex", "mutexes and joins between the threads" },
	{ "exit", "a thread ending" },
	{ "exit_group", "the process ending" },
	{ "rt_sigprocmask", "pthread_sigmask in the kubelet thread, glibc" },
	{ "rt_sigaction", "curl and openssl setting SIGPIPE aside" },
	{ "rt_sigreturn", "the end of the SIGSYS handler (sysfilter.c)" },
	{ "getpid", "syslog lines, openssl" },
	/* misc */
	{ "getrandom", "openssl's random numbers (TLS to the kubelet)" },
	{ "sysinfo", "glibc's qsort (physical memory size)" },
	{ "uname", "gethostname for the node name on SIGHUP (conf.c)" },
	{ "geteuid", "fsafe.c: may this uid own the token, CA, key (kubelet thread)" },
#ifdef __aarch64__
	/* the same calls where aarch64 has only the newer forms (untraced:
	 * glibc's choice there; x86_64 lists the older names above) */
	{ "ppoll", "poll" },
	{ "readlinkat", "readlink" },
	{ "faccessat", "access" },
	{ "renameat", "rename" },
	{ "renameat2", "rename" },
#endif
};

#if defined(__SANITIZE_ADDRESS__)
#define SYSALLOW_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSALLOW_SANITIZER 1
#endif
#endif

#ifdef SYSALLOW_SANITIZER
/* ASan/UBSan/LSan's own calls: the tracing build under ASan denied
 * prctl and gettid (test_auditd, at exit), open and sched_getaffinity
 * (test_sandbox, test_auditd or test_privs_metrics); the rest are LeakSanitizer's
 * tracer, which blocks every signal, so a call denied there kills it
 * unseen and the plugin hangs at exit: read in its StopTheWorld code */
static const struct sysallow sysallow_san[] = {
	{ "ptrace", "LeakSanitizer's tracer suspends the threads at exit" },
	{ "prctl", "LeakSanitizer: PR_SET_PTRACER, PR_{GET,SET}_DUMPABLE, PR_SET_PDEATHSIG" },
	{ "gettid", "the sanitizers' thread ids" },
	{ "wait4", "LeakSanitizer waits for its tracer, the tracer for each thread" },
	{ "getppid", "the tracer checks its parent is alive" },
	{ "sigaltstack", "the tracer's own signal stack" },
	{ "sched_yield", "LeakSanitizer's spin waits" },
	{ "kill", "the tracer's own end on failure" },
	{ "tgkill", "the same" },
	{ "open", "the sanitizers' own file opens (x86_64: open, not openat; denied in the ASan tracing run)" },
	{ "sched_getaffinity", "the sanitizers counting CPUs (denied in the ASan tracing run)" },
	{ "getdents", "the tracer listing /proc/self/task (x86_64: getdents, not getdents64); without it the plugin spins at exit" },
};
#endif

static const struct sysallow_arg sysallow_fixed[] = {
	{ "ioctl", "glibc's resolver: FIONREAD, the size of a DNS answer "
	  "(a kubelet host name); no other request", 1, FIONREAD },
};

const struct sysallow_arg *sysallow_args(size_t *n)
{
	*n = ROWS(sysallow_fixed);
	return sysallow_fixed;
}

const struct sysallow *sysallow_table(int sanitizer, size_t *n)
{
	if (!sanitizer) {
		*n = ROWS(sysallow_base);
		return sysallow_base;
	}
#ifdef SYSALLOW_SANITIZER
	*n = ROWS(sysallow_san);
	return sysallow_san;
#else
	*n = 0;
	return sysallow_base;
#endif
}
