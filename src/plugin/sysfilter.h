/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfilter.h - a seccomp filter after start-up: only the reviewed list of
 * system calls (sysallow.c) runs; any other fails with EPERM and is
 * counted; exec, ptrace and its kin, another architecture's calls kill
 * the process (see sysfilter.c).
 */
#ifndef P2P_SYSFILTER_H
#define P2P_SYSFILTER_H

#include <stddef.h>

/*
 * sysfilter_apply - install the filter on every thread of the process, for
 * good (call it after privs_drop, with no_new_privs set), and the SIGSYS
 * handler that turns a denied call into EPERM.  Returns 1 (installed), 0
 * (not: the kernel has no seccomp filters, or the call was refused with
 * EPERM, EACCES, EINVAL or ENOSYS, as a container's own seccomp profile
 * may; msg says which, for one warning), or -errno on any other failure
 * (the caller must not run on).
 */
int sysfilter_apply(char *msg, size_t msg_size);

/* sysfilter_prepare - before Landlock: opens the file a tracing build
 * (-DP2P_SYSFILTER_TRACE) appends denied calls to; nothing otherwise. */
void sysfilter_prepare(void);

/*
 * sysfilter_denied - how many calls the filter has denied (returned EPERM
 * for) so far; *last: the number of the last one (-1: none).  Safe from
 * any thread.
 */
unsigned long sysfilter_denied(int *last);

/* sysfilter_name - the name of system call nr on this architecture into
 * buf ("?" and -ENOENT when unknown), 0. */
int sysfilter_name(int nr, char *buf, size_t size);

#endif
