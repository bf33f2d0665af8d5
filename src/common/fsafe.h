/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsafe.h - files that cannot be turned against the node.
 *
 * Files pid2pod writes as root (output_file, log_file, metrics_file) are
 * opened never through a symlink, never blocking on a FIFO, and only when
 * they are regular files; temporary files are made by mkstemp in the
 * target's directory.  Files whose contents decide where pid2pod connects
 * and what it sends (the config, the kubelet token, CA, client certificate
 * and key) are read only when nobody but root and pid2pod's own user can
 * have written them: see fsafe_trusted for the rule.
 */
#ifndef P2P_FSAFE_H
#define P2P_FSAFE_H

#include <stddef.h>
#include <sys/types.h>

#define FSAFE_WHY_MAX 256 /* a message of fsafe_trusted, with its path */

/*
 * fsafe_open_append - open path to append to, creating it with mode when
 * missing: O_NOFOLLOW (a symlink is refused, -ELOOP), O_NONBLOCK (a FIFO
 * nobody reads does not stall the open), O_CLOEXEC, O_NOCTTY; then anything
 * but a regular file is refused (-EINVAL).  The fd, or -errno.
 */
int fsafe_open_append(const char *path, mode_t mode);

/*
 * fsafe_mkstemp - a new file "<path>.XXXXXX" in path's directory, made by
 * mkostemp (O_EXCL: never an existing file or symlink; 0600, O_CLOEXEC),
 * its name in tmp (size bytes).  The fd, or -errno.
 */
int fsafe_mkstemp(const char *path, char *tmp, size_t size);

/*
 * fsafe_trusted - may the file open at fd, opened as path, be trusted?
 * Yes (0) when it is a regular file, not writable by group or others,
 * owned by root or by the effective user, and every directory above it -
 * along path as written and along its resolved path - is owned by root or
 * the effective user and is not writable by group or others, except that a
 * sticky directory (like /tmp) may be, when the entry in it that leads to
 * the file (a file, directory or symlink) is itself owned by root or the
 * effective user.  Else -EINVAL (not a regular file) or -EPERM, with the
 * reason in why (why_size bytes): "not a regular file", "owned by uid N,
 * not root or us" or "writable by others..." naming the directory or
 * entry at fault; the caller names the file.
 */
int fsafe_trusted(int fd, const char *path, char *why, size_t why_size);

/*
 * fsafe_trusted_path - the same for a file named by path, opened and
 * closed here (for files another library reads by name, like the CA).
 * 0, -errno of the open, -EINVAL or -EPERM.
 */
int fsafe_trusted_path(const char *path, char *why, size_t why_size);

#endif
