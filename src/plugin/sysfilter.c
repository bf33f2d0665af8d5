/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfilter.c - the seccomp half of the sandbox (sandbox = yes), after
 * Landlock: a classic BPF filter, on every thread (TSYNC), that kills the
 * whole process (SECCOMP_RET_KILL_PROCESS) on
 *   execve, execveat                 a compromised plugin starting a shell;
 *   ptrace, process_vm_readv/writev, pidfd_getfd
 *                                    reading or steering other processes;
 *   any call of another architecture (i386 through int 0x80) or of x32
 *                                    (the numbers above would not match);
 * and lets everything else through.  A list of what is allowed, every
 * other call failing with EPERM, is the next step (issue 26).
 * Sanitizer builds let ptrace through: LeakSanitizer stops the threads with
 * it at exit.  No libseccomp: the filter is a dozen instructions.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plugin/sysfilter.h"

#if defined(__x86_64__)
#define SYSF_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SYSF_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SYSF_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSF_SANITIZER 1
#endif
#endif

#define SYSF_NR_OFF ((unsigned)offsetof(struct seccomp_data, nr))
#define SYSF_ARCH_OFF ((unsigned)offsetof(struct seccomp_data, arch))
#define KILL_IF(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

int sysfilter_apply(char *msg, size_t msg_size)
{
#ifdef SYSF_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SYSF_ARCH_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYSF_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SYSF_NR_OFF),
#ifdef __x86_64__
		/* x32 calls: the same numbers with bit 30 set */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		KILL_IF(__NR_execve),
		KILL_IF(__NR_execveat),
#ifndef SYSF_SANITIZER
		KILL_IF(__NR_ptrace),
#endif
		KILL_IF(__NR_process_vm_readv),
		KILL_IF(__NR_process_vm_writev),
		KILL_IF(__NR_pidfd_getfd),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
	int e;

	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0) {
		snprintf(msg, msg_size, "seccomp: exec, ptrace and kin, other "
			 "architectures' calls kill the process");
		return 1;
	}
	e = errno;
	snprintf(msg, msg_size, "seccomp filter %s (%s)%s",
		 e == EINVAL || e == ENOSYS ? "unavailable" : "refused",
		 strerror(e), e == EPERM || e == EACCES || e == EINVAL ||
		 e == ENOSYS ? ": running without it" : "");
	return e == EPERM || e == EACCES || e == EINVAL || e == ENOSYS ? 0 : -e;
#else
	snprintf(msg, msg_size, "seccomp filter: not built for this "
		 "architecture: running without it");
	return 0;
#endif
}
