/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysallow.h - the reviewed list of system calls the running plugin may
 * make (sysallow.c), which sysfilter.c turns into its seccomp filter.
 */
#ifndef P2P_SYSALLOW_H
#define P2P_SYSALLOW_H

#include <stddef.h>

/* One allowed system call, by its name (libseccomp resolves it for the
 * running architecture; a name the architecture lacks is skipped). */
struct sysallow {
	const char *name;
	const char *who; /* who makes it, for the reviewer */
};

/* A call allowed only when its argument arg (0-based) equals val. */
struct sysallow_arg {
	const char *name;
	const char *who;
	unsigned arg;
	unsigned long val;
};

/* sysallow_args - the calls allowed with one argument fixed: *n rows. */
const struct sysallow_arg *sysallow_args(size_t *n);

/*
 * sysallow_table - the allowed calls: *n rows.  With sanitizer != 0, the
 * extra calls of a sanitizer build (empty in other builds: its rows are
 * compiled in only under -fsanitize=address).
 */
const struct sysallow *sysallow_table(int sanitizer, size_t *n);

#endif
