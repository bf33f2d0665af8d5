/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.c - reads of /proc/<pid>/{cgroup,stat,status,comm} (see procfs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "resolve/cgroup.h"
#include "resolve/procfs.h"

#define PROCFS_PATH_MAX 4200
#define STARTTIME_FIELD 22
#define FLAGS_FIELD 9
#define PF_EXITING 0x4  /* include/linux/sched.h: set first in do_exit() */

/*
 * One open, one read, one close: the files read here are produced whole by
 * one read (procfs's single-record files: cgroup, stat, status, comm; or
 * small regular files in a fake tree), so a short read is their end and the
 * read that would return 0 is not made: on the exec path that is a third
 * of the syscalls.  A read that fills the buffer gives size - 1 bytes,
 * NUL-terminated.
 */
static ssize_t read_whole(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, e;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return n;
}

ssize_t procfs_read(const char *root, int32_t pid, const char *name,
		    char *buf, size_t size)
{
	char path[PROCFS_PATH_MAX];

	if ((size_t)snprintf(path, sizeof path, "%s/%d/%s", root, (int)pid,
			     name) >= sizeof path)
		return -ENAMETOOLONG;
	return read_whole(path, buf, size);
}

int procfs_stat(const char *root, int32_t pid, uint64_t *ret_start,
		char *ret_state)
{
	char buf[PROCFS_STAT_MAX];
	const char *p;
	ssize_t n = procfs_read(root, pid, "stat", buf, sizeof buf);
	int field = 2;

	if (n < 0)
		return (int)n;
	/* comm (field 2) may hold spaces and parens: start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	if (ret_state)
		*ret_state = p[1] == ' ' ? p[2] : '?';
	for (p++; *p && field < STARTTIME_FIELD; p++) {
		if (*p != ' ')
			continue;
		field++;
		/* exiting: cgroup v1 may already read "/" (cgroup_exit()
		 * comes before the zombie state): report it as dead */
		if (field == FLAGS_FIELD && ret_state &&
		    (strtoul(p + 1, NULL, 10) & PF_EXITING))
			*ret_state = 'X';
	}
	if (field != STARTTIME_FIELD || *p < '0' || *p > '9')
		return -EINVAL;
	*ret_start = strtoull(p, NULL, 10);
	return 0;
}

int procfs_start_time(const char *root, int32_t pid, uint64_t *ret)
{
	return procfs_stat(root, pid, ret, NULL);
}

/* state Z (zombie) or X (dead): the cgroup file no longer says where the
 * process lived (on cgroup v1 a zombie reads "/" on every line) */
static int is_dead(char state)
{
	return state == 'Z' || state == 'X';
}

int procfs_ppid(const char *root, int32_t pid, int32_t *ret)
{
	char buf[PROCFS_STATUS_MAX];
	const char *p;
	ssize_t n = procfs_read(root, pid, "status", buf, sizeof buf);

	*ret = 0;
	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nPPid:");
	if (!p)
		return -ENOENT;
	*ret = (int32_t)strtol(p + 6, NULL, 10);
	return 0;
}

int procfs_nspid(const char *root, int32_t pid, int32_t *ret)
{
	char buf[PROCFS_STATUS_MAX];
	const char *p, *last = NULL, *end;
	ssize_t n = procfs_read(root, pid, "status", buf, sizeof buf);
	int levels = 0;

	*ret = 0;
	if (n < 0)
		return (int)n;
	p = strstr(buf, "\nNSpid:");
	if (!p)
		return -ENOENT;
	p += 7;
	end = strchr(p, '\n');
	if (!end)
		end = buf + n;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			break;
		last = p;
		levels++;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (levels > 1 && last)
		*ret = (int32_t)strtol(last, NULL, 10);
	return 0;
}

int procfs_ident(const char *root, int32_t pid, struct ident *ret,
		 uint64_t *ret_start, int want_start)
{
	char buf[PROCFS_CGROUP_MAX];
	struct cgroup_result cg;
	enum cgroup_verdict v;
	uint64_t st1 = 0, st2 = 0;
	char state = 'R';
	int has_st, e;
	ssize_t n;

	memset(ret, 0, sizeof *ret);
	*ret_start = 0;
	has_st = want_start && procfs_start_time(root, pid, &st1) == 0;
	n = procfs_read(root, pid, "cgroup", buf, sizeof buf);
	if (n < 0) {
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_NO_PROC;
		return (int)n;
	}
	v = cgroup_parse(buf, (size_t)n, &cg);
	switch (v) {
	case CGROUP_HOST:
		ret->state = IDENT_HOST;
		break;
	case CGROUP_CONTAINER:
	case CGROUP_POD_ONLY:
		ret->state = v == CGROUP_CONTAINER ? IDENT_CONTAINER
						   : IDENT_POD_ONLY;
		ret->runtime = (uint8_t)cg.runtime;
		memcpy(ret->container_id, cg.container_id,
		       sizeof ret->container_id);
		memcpy(ret->pod_uid, cg.pod_uid, sizeof ret->pod_uid);
		break;
	case CGROUP_AMBIGUOUS:
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_AMBIGUOUS;
		break;
	case CGROUP_EMPTY:
		/* the process exited between open and read: gone */
		ret->state = IDENT_UNRESOLVED;
		ret->reason = REASON_EMPTY_CGROUP;
		return -ESRCH;
	}
	if (ret->state == IDENT_CONTAINER || ret->state == IDENT_POD_ONLY)
		procfs_nspid(root, pid, &ret->nspid);
	/* stat after the cgroup read: a process not dead now was not dead at
	 * that read.  Only an answer that is not a pod's needs it (a dead
	 * process never reads as a pod). */
	if (want_start || (ret->state != IDENT_CONTAINER &&
			   ret->state != IDENT_POD_ONLY)) {
		e = procfs_stat(root, pid, &st2, &state);
		/* no stat: gone, unless its directory is still there (a fake
		 * tree holding cgroup files alone) */
		if (e == -ENOENT && !has_st &&
		    procfs_read(root, pid, "cgroup", buf, sizeof buf) > 0)
			e = 0;
		if (e == -ENOENT || e == -ESRCH || (e == 0 && is_dead(state)) ||
		    (has_st && (e < 0 || st2 != st1))) {
			/* dead, gone, or the pid reused between the reads */
			memset(ret, 0, sizeof *ret);
			ret->state = IDENT_UNRESOLVED;
			ret->reason = REASON_NO_PROC;
			return -ESRCH;
		}
	}
	if (!want_start)
		return 2;
	if (!has_st)
		return 0;
	*ret_start = st1;
	return 1;
}

/* comm of the runtimes' processes (prefixes: comm is cut at 15 bytes,
 * "containerd-shim-runc-v2" reads "containerd-shim"), and of the managers
 * that start them (whole names) */
static const char *const runtimes[] = {
	"runc", "crun", "conmon", "containerd-shim", "runsc", "youki",
};
static const char *const managers[] = { "containerd", "crio", "dockerd" };

static int kind_of_comm(const char *comm)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (strncmp(comm, runtimes[i], strlen(runtimes[i])) == 0)
			return PROCFS_RUNTIME;
	for (size_t i = 0; i < ARRAY_SIZE(managers); i++)
		if (strcmp(comm, managers[i]) == 0)
			return PROCFS_MANAGER;
	return 0;
}

int procfs_runtime_kind(const char *root, int32_t pid)
{
	char buf[PROCFS_COMM_MAX];
	char *nl;

	if (procfs_read(root, pid, "comm", buf, sizeof buf) <= 0)
		return 0;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return kind_of_comm(buf);
}

int procfs_each_runtime(const char *root, void (*fn)(void *ctx, int32_t pid),
			void *ctx)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid > INT32_MAX || de->d_name[0] == '0')
			continue;
		if (procfs_runtime_kind(root, (int32_t)pid)) {
			fn(ctx, (int32_t)pid);
			n++;
		}
	}
	closedir(d);
	return n;
}
