/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfilter.h - a seccomp filter after start-up: system calls that would
 * turn a compromised plugin into something else (exec, ptrace and its
 * kin, another architecture's calls) kill it (see sysfilter.c).
 */
#ifndef P2P_SYSFILTER_H
#define P2P_SYSFILTER_H

#include <stddef.h>

/*
 * sysfilter_apply - install the filter on every thread of the process, for
 * good (it needs no_new_privs: call it after privs_drop).  Returns 1
 * (installed), 0 (not: the kernel has no seccomp filters, or the call was
 * refused with EPERM, EACCES, EINVAL or ENOSYS, as a container's own
 * seccomp profile may; msg says which, for one warning), or -errno on any
 * other failure (the caller must not run on).
 */
int sysfilter_apply(char *msg, size_t msg_size);

#endif
