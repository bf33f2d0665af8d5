/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgprocs.h - does a process's cgroup hold another live process?  Asked
 * once per process a runtime starts into a container (rtwatch.h), at its
 * exec: a container's first process (its init) comes into an empty
 * cgroup, a process started by `kubectl exec`/`crictl exec`/`ctr task
 * exec` into one where the init still lives (README: Exec sessions).
 *
 * The cgroup is the process's own, read from <proc_root>/<pid>/cgroup
 * (paths as this process's cgroup namespace shows them), and found below
 * the mount points a mountinfo file lists (the plugin's own:
 * CGPROCS_MOUNTINFO): on cgroup v2 alone the unified line; when any v1
 * hierarchy is there (v1, hybrid) a v1 line only (on a hybrid node the
 * unified line of a v1 runtime's container is its shim's), "pids" first,
 * then "memory", "cpu", then any.
 */
#ifndef P2P_CGPROCS_H
#define P2P_CGPROCS_H

#include <stdint.h>

#define CGPROCS_MOUNTINFO "/proc/self/mountinfo"
#define CGPROCS_LINE_MAX 4096    /* a longer mountinfo line is skipped */
#define CGPROCS_PATH_MAX 4096
#define CGPROCS_SCAN_MAX 100000  /* cgroup.procs lines read, at most */

/*
 * cgprocs_others - 1: pid's cgroup lists another process than pid; 0: pid
 * alone in a cgroup without child cgroups; -EAGAIN: alone, but child
 * cgroups may hold others; other -errno: not told (no such mount, pid
 * gone, unreadable).
 */
int cgprocs_others(const char *proc_root, const char *mountinfo,
		   int32_t pid);

/*
 * cgprocs_exec_root - the session of pid, a runtime's child seen entering
 * a container at its exec, with nspid its innermost pid and others
 * cgprocs_others' answer: IDENT_EXEC_NONE for the container's init (pid 1
 * of a pid namespace of its own, or alone in its cgroup), pid for the
 * root of a session (another process there), else IDENT_EXEC_UNKNOWN.
 */
int32_t cgprocs_exec_root(int32_t pid, int32_t nspid, int others);

#endif
