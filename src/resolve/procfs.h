/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.h - the few /proc/<pid> files pid2pod reads, below a configurable
 * root (a DaemonSet sees the host's /proc elsewhere).  Every read is one
 * open/read/close of a small file with a size cap; nothing is cached here.
 */
#ifndef P2P_PROCFS_H
#define P2P_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ident.h"

#define PROCFS_CGROUP_MAX 16384
#define PROCFS_STAT_MAX 1024
#define PROCFS_STATUS_MAX 4096
#define PROCFS_COMM_MAX 64

/*
 * procfs_read - <root>/<pid>/<name>, at most size-1 bytes, NUL-terminated.
 * Returns bytes read or -errno.
 */
ssize_t procfs_read(const char *root, int32_t pid, const char *name,
		    char *buf, size_t size);

/* procfs_start_time - field 22 of stat (clock ticks since boot). */
int procfs_start_time(const char *root, int32_t pid, uint64_t *ret);
/* procfs_stat - the start time and the state letter (field 3: R, S, Z, X...;
 * X too for a process with PF_EXITING in its flags, field 9: on its way
 * out, its cgroup v1 lines may already read "/"; ret_state may be NULL).
 * 0 or -errno. */
int procfs_stat(const char *root, int32_t pid, uint64_t *ret_start,
		char *ret_state);

/*
 * procfs_ident - classify pid from its cgroup file into *ret (always
 * filled; IDENT_UNRESOLVED with a reason on failure), with ret->nspid from
 * status.  With want_start, *ret_start is the start time read before and
 * confirmed after, so the answer belongs to one process; 0 when stat is
 * missing (a fake tree).  Without it stat is read only for an answer
 * that is not a container's (the caller knows the pid was not reused: the
 * process connector reports every fork).  A process that is dead or dying
 * (stat state Z or X, or PF_EXITING: on cgroup v1 its cgroup file reads
 * "/" from cgroup_exit() on, before it is a zombie) or whose
 * cgroup file is empty (it exited) counts as gone: -ESRCH, so that such a
 * read never replaces a known answer.
 * Returns 1 (start time known), 0 (no stat), 2 (not asked), or -errno.
 */
int procfs_ident(const char *root, int32_t pid, struct ident *ret,
		 uint64_t *ret_start, int want_start);

/* procfs_ppid - PPid of pid's status (its parent now); 0 or -errno. */
int procfs_ppid(const char *root, int32_t pid, int32_t *ret);

/* procfs_nspid - the innermost NSpid of pid (0 when in the root ns). */
int procfs_nspid(const char *root, int32_t pid, int32_t *ret);

/*
 * procfs_runtime_kind - PROCFS_RUNTIME when pid's comm names a container
 * runtime process (runc, crun, conmon, containerd-shim, runsc, youki): its
 * children are not its container's, whatever its cgroup says;
 * PROCFS_MANAGER when it names a manager that starts them (containerd,
 * crio, dockerd); 0 otherwise or unknown.
 */
enum { PROCFS_RUNTIME = 1, PROCFS_MANAGER };
int procfs_runtime_kind(const char *root, int32_t pid);

/*
 * procfs_each_runtime - fn(ctx, pid) for every pid under root whose
 * procfs_runtime_kind is not 0 (a scan of root: one read per process).
 * Returns how many, or -errno when root cannot be listed.
 */
int procfs_each_runtime(const char *root, void (*fn)(void *ctx, int32_t pid),
			void *ctx);

#endif
