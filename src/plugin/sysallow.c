/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysallow.c - the reviewed list of system calls the running plugin makes
 * after start-up, which the seccomp filter (sysfilter.c) allows; any other
 * fails with EPERM and shows as seccomp_denied.  Found by tracing the
 * plugin over the test suite (`strace -f -ff` through P2P_WRAP, the calls
 * after seccomp(2); docs/design.md says how), then read row by row: each
 * says who makes the call.  Start-up calls (before the filter) need no row.
 * Names, not numbers: libseccomp resolves them for the architecture built
 * for and skips those it lacks (aarch64 has no open, stat, rename, poll:
 * glibc uses the *at and ppoll calls there, listed too).
 * The sanitizer rows are compiled in only under -fsanitize=address.
 */
#include "plugin/sysallow.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

static const struct sysallow sysallow_base[] = {
	/* reading and writing: stdin (auditd), the output, the log file,
	 * /proc, the runtime state files, the config on SIGHUP */
	{ "read", "stdin, /proc, state files, config; curl/openssl sockets" },
	{ "write", "output file or stdout, log_file, metrics, eventfd" },
	{ "writev", "glibc stdio (fflush of a log line), output" },
	{ "openat", "/proc/PID/*, state files, config, CA, token (Landlock decides which)" },
	{ "open", "the same on x86_64 through older paths" },
	{ "close", "every descriptor" },
	{ "lseek", "glibc stdio on opened files" },
	{ "fstat", "fsafe.c's checks, stdio (aarch64; x86_64: newfstatat)" },
	{ "newfstatat", "fstat/stat/lstat in glibc: fsafe.c, sink.c, openssl" },
	{ "statx", "glibc's stat family where it uses it" },
	{ "getdents64", "readdir: /proc/PID/task, cgroup.procs dirs, state dirs" },
	{ "readlink", "realpath (fsafe.c), /proc/PID/exe and ns links" },
	{ "readlinkat", "the same on aarch64" },
	{ "access", "kubeconf.c: is the token/CA there" },
	{ "faccessat", "access on aarch64" },
	{ "faccessat2", "access in newer glibc" },
	{ "fcntl", "non-blocking stdin and sockets, curl" },
	{ "ioctl", "glibc stdio's tty check (TCGETS) on a new stream" },
	{ "fsync", "metrics file before its rename (report.c)" },
	{ "fchmod", "metrics file's mode (report.c)" },
	{ "rename", "metrics file: path.tmp over path (report.c)" },
	{ "renameat", "rename on aarch64" },
	{ "renameat2", "rename in newer glibc" },
	{ "unlink", "metrics path.tmp after a failed write (report.c)" },
	{ "unlinkat", "unlink on aarch64" },
	/* waiting and time */
	{ "poll", "the main loop (plugin.c), curl" },
	{ "ppoll", "poll on aarch64" },
	{ "clock_gettime", "now_ms() when the vDSO cannot answer" },
	{ "gettimeofday", "time() in glibc without the vDSO" },
	{ "clock_nanosleep", "usleep in plugin.c's output retry" },
	{ "nanosleep", "the same in older glibc" },
	/* sockets: the process connector, the output socket, syslog, curl */
	{ "socket", "syslog's /dev/log, output socket on reopen, curl" },
	{ "connect", "syslog, output socket, curl to the kubelet" },
	{ "sendto", "syslog lines (log.c), the connector's control message" },
	{ "sendmsg", "output = socket (sink.c)" },
	{ "recvfrom", "curl/openssl reading the kubelet" },
	{ "recvmsg", "the process connector's netlink socket" },
	{ "recvmmsg", "the process connector, a batch at a time (procconn.c)" },
	{ "setsockopt", "curl (TCP_NODELAY, keepalive), the connector" },
	{ "getsockopt", "curl: SO_ERROR after a non-blocking connect" },
	{ "getsockname", "curl: the local address" },
	{ "getpeername", "curl: the peer's address" },
	{ "shutdown", "curl closing a connection" },
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
	{ "clone", "pthread_create (older glibc)" },
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
	{ "gettid", "abort() and raise(): a fatal error still dies of its signal" },
	{ "tgkill", "the same" },
	{ "sched_yield", "glibc and openssl spin locks" },
	/* misc */
	{ "getrandom", "openssl's random numbers (TLS to the kubelet)" },
	{ "sysinfo", "glibc's qsort (physical memory size)" },
	{ "uname", "gethostname for the node name on SIGHUP (conf.c)" },
	{ "geteuid", "fsafe.c: who owns the config on SIGHUP" },
};

#if defined(__SANITIZE_ADDRESS__)
#define SYSALLOW_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSALLOW_SANITIZER 1
#endif
#endif

#ifdef SYSALLOW_SANITIZER
/* ASan/UBSan/LSan's own calls: the report files, LeakSanitizer stopping
 * the threads at exit (a tracer thread: ptrace, waits) */
static const struct sysallow sysallow_san[] = {
	{ "ptrace", "LeakSanitizer suspends the threads at exit" },
	{ "wait4", "LeakSanitizer waits for its tracer" },
	{ "prctl", "LeakSanitizer lets its tracer trace (PR_SET_PTRACER)" },
	{ "sigaltstack", "the sanitizers' alternate signal stack" },
	{ "getppid", "the sanitizer report's pid" },
	{ "sched_getaffinity", "the sanitizers' thread setup" },
	{ "prlimit64", "the sanitizers read the stack limit" },
	{ "getrlimit", "the same" },
	{ "mkdir", "the sanitizer report's directory" },
	{ "pipe2", "the sanitizers' internal pipes" },
	{ "pread64", "the sanitizers' /proc/self/maps reads" },
	{ "kill", "LeakSanitizer stopping its tracer" },
};
#endif

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
