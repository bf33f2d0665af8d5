/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgprocs.c - cgprocs_others (cgprocs.h): the process's cgroup line, the
 * mount that holds its hierarchy (mountinfo), then that directory's
 * cgroup.procs, read until a pid other than the process's shows.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ident.h"
#include "resolve/cgprocs.h"
#include "resolve/procfs.h"

/* the preference among v1 hierarchies (runc puts a container in each) */
static const char *const v1_order[] = { "pids", "memory", "cpu", NULL };

/* is every name of the comma list want in the comma list have? */
static int all_in(const char *want, const char *have)
{
	const char *w = want;

	while (*w) {
		size_t n = strcspn(w, ",");
		const char *h = have;
		int found = 0;

		while (*h && !found) {
			size_t m = strcspn(h, ",");

			found = m == n && memcmp(h, w, n) == 0;
			h += m + (h[m] == ',');
		}
		if (!found)
			return 0;
		w += n + (w[n] == ',');
	}
	return 1;
}

/*
 * The mount point of the hierarchy ctrls names (NULL: the unified one)
 * into mnt; 0 or -ENOENT.  Only mounts of a hierarchy's root count (a
 * bind of a subtree would shift every path), and none with an escaped
 * byte in its path.
 */
static int find_mount(const char *mountinfo, const char *ctrls, char *mnt,
		      size_t cap)
{
	char line[CGPROCS_LINE_MAX];
	FILE *f = fopen(mountinfo, "re");
	int e = -ENOENT;

	if (!f)
		return -errno;
	while (e < 0 && fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - "), *fld[5], *save = NULL, *p;
		char *type, *super;
		int i = 0;

		if (!sep || !strchr(line, '\n'))
			continue; /* cut: a longer line is read as the next */
		*sep = '\0';
		for (p = strtok_r(line, " ", &save); p && i < 5;
		     p = strtok_r(NULL, " ", &save))
			fld[i++] = p;
		type = strtok_r(sep + 3, " ", &save);
		(void)strtok_r(NULL, " ", &save); /* source */
		super = strtok_r(NULL, " \n", &save);
		if (i < 5 || !type || !super || strcmp(fld[3], "/") != 0 ||
		    strchr(fld[4], '\\') || strlen(fld[4]) >= cap)
			continue;
		if (ctrls ? strcmp(type, "cgroup") == 0 && all_in(ctrls, super) :
			    strcmp(type, "cgroup2") == 0) {
			strcpy(mnt, fld[4]);
			e = 0;
		}
	}
	fclose(f);
	return e;
}

/* 1: dir holds a directory (a child cgroup), 0: none, -errno */
static int has_subdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return -errno;
	while (!found && (de = readdir(d)))
		found = de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
			strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

static int others_in(const char *mnt, const char *path, int32_t pid)
{
	char dir[CGPROCS_PATH_MAX], file[CGPROCS_PATH_MAX + 16], line[32];
	FILE *f;
	int n = 0, other = 0;

	if ((size_t)snprintf(dir, sizeof dir, "%s%s", mnt,
			     strcmp(path, "/") == 0 ? "" : path) >= sizeof dir)
		return -ENAMETOOLONG;
	snprintf(file, sizeof file, "%s/cgroup.procs", dir);
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (!other && n++ < CGPROCS_SCAN_MAX && fgets(line, sizeof line, f))
		other = atoi(line) > 0 && atoi(line) != pid;
	fclose(f);
	if (other)
		return 1;
	n = has_subdir(dir);
	return n < 0 ? n : n ? -EAGAIN : 0;
}

int cgprocs_others(const char *proc_root, const char *mountinfo, int32_t pid)
{
	char buf[PROCFS_CGROUP_MAX], mnt[CGPROCS_PATH_MAX];
	const char *v2 = NULL, *v1[4] = { NULL }; /* v1_order's, then any */
	ssize_t n = procfs_read(proc_root, pid, "cgroup", buf, sizeof buf);
	int any_v1 = 0, e = -ENOENT;

	if (n < 0)
		return (int)n;
	/* hier:ctrls:path lines, split in place */
	for (char *l = buf, *nl; l && *l; l = nl) {
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		if (strcmp(l, "0") == 0 && !c1[1]) {
			v2 = c2 + 1;
			continue;
		}
		any_v1 = 1;
		for (int i = 0; i < 4; i++) {
			if (i == 3 ? !v1[3] : (v1_order[i] &&
			    all_in(v1_order[i], c1 + 1) && !v1[i])) {
				/* the ctrls, then the path, after it */
				*c2 = ':';
				v1[i] = c1 + 1;
				break;
			}
		}
	}
	for (int i = 0; any_v1 && i < 4 && e == -ENOENT; i++) {
		char *path;

		if (!v1[i])
			continue;
		path = strchr(v1[i], ':');
		*path++ = '\0';
		e = find_mount(mountinfo, v1[i], mnt, sizeof mnt);
		if (e == 0)
			return others_in(mnt, path, pid);
		path[-1] = ':';
	}
	if (!any_v1 && v2 && find_mount(mountinfo, NULL, mnt, sizeof mnt) == 0)
		return others_in(mnt, v2, pid);
	return e;
}

int32_t cgprocs_exec_root(int32_t pid, int32_t nspid, int others)
{
	/* pid 1 is the init whatever else its cgroup holds (a runtime's
	 * helper a moment longer) */
	if (nspid == 1 || others == 0)
		return IDENT_EXEC_NONE;
	return others > 0 ? pid : IDENT_EXEC_UNKNOWN;
}
