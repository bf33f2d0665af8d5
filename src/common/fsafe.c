/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsafe.c - the file rules of fsafe.h.
 *
 * The directory walk looks at each directory above the file and at the
 * entry in it that leads on (lstat: a symlink is judged by its own owner).
 * It walks the path as written, so a symlink planted on the way is seen,
 * and the resolved path, so the directories the file really lives in are
 * seen; the resolved path must name the file that was opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "common/util.h"

int fsafe_open_append(const char *path, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int fsafe_mkstemp(const char *path, char *tmp, size_t size)
{
	int fd;

	if ((size_t)snprintf(tmp, size, "%s.XXXXXX", path) >= size)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Every directory above the absolute path p (PATH_MAX bytes, changed). */
static int walk(char *p, char *why, size_t why_size)
{
	struct stat d, e;
	size_t n = strlen(p);

	for (size_t i = 1; i <= n; i++) {
		char c;

		if (i < n && p[i] != '/')
			continue;
		/* p[0..cut) is the directory, p[0..i) the entry in it */
		size_t cut = i;

		while (cut > 0 && p[cut - 1] != '/')
			cut--;
		if (cut == i)
			continue; /* "//" */
		c = p[cut > 1 ? cut - 1 : cut];
		p[cut > 1 ? cut - 1 : cut] = '\0';
		if (stat(p, &d) < 0) {
			int err = errno;

			snprintf(why, why_size, "%.200s: %s", p, strerror(err));
			return -err;
		}
		if (!S_ISDIR(d.st_mode) || !owner_ok(d.st_uid)) {
			snprintf(why, why_size, "writable by others: directory "
				 "%.200s is owned by uid %u, not root or us", p,
				 (unsigned)d.st_uid);
			return -EPERM;
		}
		p[cut > 1 ? cut - 1 : cut] = c;
		if (!(d.st_mode & (S_IWGRP | S_IWOTH)))
			continue;
		c = p[i];
		p[i] = '\0';
		if (!(d.st_mode & S_ISVTX)) {
			snprintf(why, why_size, "writable by others: %.200s is "
				 "in a directory group or others can write "
				 "(mode %04o)", p, (unsigned)(d.st_mode & 07777));
			p[i] = c;
			return -EPERM;
		}
		if (lstat(p, &e) < 0 || !owner_ok(e.st_uid)) {
			snprintf(why, why_size, "writable by others: %.200s is "
				 "in a sticky directory but owned by uid %u, not "
				 "root or us", p, (unsigned)e.st_uid);
			p[i] = c;
			return -EPERM;
		}
		p[i] = c;
	}
	return 0;
}

int fsafe_trusted(int fd, const char *path, char *why, size_t why_size)
{
	char given[PATH_MAX], real[PATH_MAX];
	struct stat st, rs;
	int e;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "not a regular file");
		return -EINVAL;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, why_size, "writable by others (group or world: "
			 "mode %04o)", (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(why, why_size, "owned by uid %u, not root or us",
			 (unsigned)st.st_uid);
		return -EPERM;
	}
	if (path[0] == '/') {
		if ((size_t)snprintf(given, sizeof given, "%s", path) >= sizeof given)
			return -ENAMETOOLONG;
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof cwd) ||
		    (size_t)snprintf(given, sizeof given, "%s/%s", cwd, path) >=
			    sizeof given)
			return -ENAMETOOLONG;
	}
	if ((e = walk(given, why, why_size)) < 0)
		return e;
	if (!realpath(path, real) || stat(real, &rs) < 0 ||
	    rs.st_dev != st.st_dev || rs.st_ino != st.st_ino) {
		snprintf(why, why_size, "changed while it was checked");
		return -EPERM;
	}
	return walk(real, why, why_size);
}

int fsafe_trusted_path(const char *path, char *why, size_t why_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
					    O_NOCTTY);

	if (fd < 0) {
		int e = errno;

		snprintf(why, why_size, "%s", strerror(e));
		return -e;
	}
	return fsafe_trusted(fd, path, why, why_size);
}
