/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfilter.c - the seccomp half of the sandbox (sandbox = yes), after
 * Landlock: a libseccomp filter on every thread (TSYNC; the kubelet thread
 * and curl's resolver threads start later and inherit it) that
 *   allows the system calls of the reviewed list (sysallow.c);
 *   kills the whole process on exec (execve, execveat) and on the calls
 *     that read or steer other processes (ptrace, process_vm_readv/writev,
 *     pidfd_getfd, process_madvise, kcmp), and on any call of another
 *     architecture or of x32 (the numbers would not mean the same);
 *   makes any other call fail with EPERM: SECCOMP_RET_TRAP raises SIGSYS,
 *     whose handler here sets the call's return register to -EPERM and
 *     counts it (sysfilter_denied: the main loop logs it, the metrics
 *     show seccomp_denied).  A call missing from the list so fails
 *     softly, is seen, and is added after review; a compromised plugin
 *     gets EPERM for everything else.
 * Sanitizer builds let ptrace through (LeakSanitizer stops the threads with
 * it at exit) and allow a few more calls (sysallow.c).
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "plugin/sysallow.h"
#include "plugin/sysfilter.h"

#if defined(__SANITIZE_ADDRESS__)
#define SYSF_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSF_SANITIZER 1
#endif
#endif
#ifndef SYSF_SANITIZER
#define SYSF_SANITIZER 0
#endif

#if defined(__x86_64__) || defined(__aarch64__)
#define SYSF_BUILT 1
#endif

/* the calls that kill the process instead of failing */
static const char *const sysf_kill[] = {
	"execve", "execveat",
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
	"process_madvise", "kcmp",
};

static atomic_ulong sysf_count;
static atomic_int sysf_last = -1;

#ifdef P2P_SYSFILTER_TRACE
/* Tracing builds only (make CFLAGS=-DP2P_SYSFILTER_TRACE='"FILE"'): every
 * denied call's number is also appended to FILE, opened before Landlock,
 * so a whole test suite's misses can be collected (docs/design.md). */
#include <fcntl.h>
#include <unistd.h>
static int sysf_trace_fd = -1;

void sysfilter_prepare(void)
{
	sysf_trace_fd = open(P2P_SYSFILTER_TRACE, O_WRONLY | O_APPEND |
			     O_CREAT | O_CLOEXEC, 0644);
}

static void sysf_trace(int nr)
{
	char line[16];
	int i = (int)sizeof line;
	unsigned v = (unsigned)nr;

	if (sysf_trace_fd < 0)
		return;
	line[--i] = '\n';
	do
		line[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	if (write(sysf_trace_fd, line + i, sizeof line - (size_t)i) < 0)
		return;
}
#else
void sysfilter_prepare(void) {}
static void sysf_trace(int nr) { (void)nr; }
#endif

#ifdef SYSF_BUILT
/* SIGSYS from the filter: the denied call returns -EPERM, counted. */
static void sysf_on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	if (si->si_code != 1 /* SYS_SECCOMP */)
		return;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#endif
	atomic_store(&sysf_last, si->si_syscall);
	atomic_fetch_add(&sysf_count, 1);
	sysf_trace(si->si_syscall);
}

/* One rule: action on the call named (with *cmp when cmp != NULL); a name
 * this architecture lacks is skipped.  0 or -errno (msg says which). */
static int sysf_add(scmp_filter_ctx ctx, uint32_t action, const char *name,
		    const struct scmp_arg_cmp *cmp, char *msg, size_t msg_size)
{
	int nr = seccomp_syscall_resolve_name(name), e;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	e = seccomp_rule_add_array(ctx, action, nr, cmp ? 1 : 0, cmp);
	if (e < 0)
		snprintf(msg, msg_size, "seccomp rule for %s: %s", name,
			 strerror(-e));
	return e < 0 ? e : 0;
}

/* Fill ctx; 0 or -errno (msg says which call). */
static int sysf_rules(scmp_filter_ctx ctx, char *msg, size_t msg_size)
{
	const struct sysallow *t;
	const struct sysallow_arg *ta;
	struct scmp_arg_cmp cmp = { .op = SCMP_CMP_EQ };
	size_t n, i;
	int pass, e = 0;

	for (i = 0; !e && i < sizeof sysf_kill / sizeof sysf_kill[0]; i++)
		if (!SYSF_SANITIZER || strcmp(sysf_kill[i], "ptrace") != 0)
			e = sysf_add(ctx, SCMP_ACT_KILL_PROCESS, sysf_kill[i],
				     NULL, msg, msg_size);
	ta = sysallow_args(&n);
	for (i = 0; !e && i < n; i++) {
		cmp.arg = ta[i].arg;
		cmp.datum_a = ta[i].val;
		e = sysf_add(ctx, SCMP_ACT_ALLOW, ta[i].name, &cmp, msg,
			     msg_size);
	}
	for (pass = 0; !e && pass < 1 + SYSF_SANITIZER; pass++) {
		t = sysallow_table(pass, &n);
		for (i = 0; !e && i < n; i++)
			e = sysf_add(ctx, SCMP_ACT_ALLOW, t[i].name, NULL, msg,
				     msg_size);
	}
	return e;
}
#endif

int sysfilter_apply(char *msg, size_t msg_size)
{
#ifdef SYSF_BUILT
	struct sigaction sa = { .sa_sigaction = sysf_on_sigsys,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	scmp_filter_ctx ctx;
	size_t n0, n1 = 0;
	int e;

	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(msg, msg_size, "seccomp filter: out of memory");
		return -ENOMEM;
	}
	/* libseccomp checks the kernel for TSYNC here: none (no seccomp(2):
	 * an old kernel, valgrind) is a kernel without the filter */
	e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (e < 0) {
		snprintf(msg, msg_size, "seccomp filter unavailable (TSYNC: %s): "
			 "running without it", strerror(-e));
		seccomp_release(ctx);
		return 0;
	}
	e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (e == 0) /* the kernel's errno from seccomp_load, not -ECANCELED */
		e = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (e < 0) {
		snprintf(msg, msg_size, "seccomp filter attributes: %s",
			 strerror(-e));
		seccomp_release(ctx);
		return e;
	}
	e = sysf_rules(ctx, msg, msg_size);
	if (e < 0) {
		seccomp_release(ctx);
		return e;
	}
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		e = -errno;
		snprintf(msg, msg_size, "seccomp: SIGSYS handler: %s", strerror(-e));
		seccomp_release(ctx);
		return e;
	}
	e = seccomp_load(ctx);
	seccomp_release(ctx);
	if (e == 0) {
		sysallow_table(0, &n0);
		if (SYSF_SANITIZER)
			sysallow_table(1, &n1);
		snprintf(msg, msg_size, "seccomp: %zu system calls allowed%s, "
			 "others fail with EPERM (counted: seccomp_denied); "
			 "exec, ptrace and kin, other architectures' calls kill "
			 "the process", n0 + n1,
			 n1 ? " (sanitizer build: with its extras)" : "");
		return 1;
	}
	signal(SIGSYS, SIG_DFL);
	snprintf(msg, msg_size, "seccomp filter %s (%s)%s",
		 e == -EINVAL || e == -ENOSYS ? "unavailable" : "refused",
		 strerror(-e), e == -EPERM || e == -EACCES || e == -EINVAL ||
		 e == -ENOSYS ? ": running without it" : "");
	return e == -EPERM || e == -EACCES || e == -EINVAL || e == -ENOSYS ? 0 : e;
#else
	snprintf(msg, msg_size, "seccomp filter: not built for this "
		 "architecture: running without it");
	return 0;
#endif
}

unsigned long sysfilter_denied(int *last)
{
	*last = atomic_load(&sysf_last);
	return atomic_load(&sysf_count);
}

int sysfilter_name(int nr, char *buf, size_t size)
{
	char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	snprintf(buf, size, "%s", s ? s : "?");
	free(s);
	return s ? 0 : -ENOENT;
}
