/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.h - after start-up the plugin confines itself with Landlock: it
 * reads, writes and connects only where its configuration says it must
 * (see sandbox.c for the list and README.md, "Sandbox").
 */
#ifndef P2P_SANDBOX_H
#define P2P_SANDBOX_H

#include <stddef.h>

#include "common/conf.h"

#define SANDBOX_MSG_MAX 1024 /* a message of sandbox_apply or sandbox_covers */

/*
 * sandbox_apply - confine this process, by c (loaded from conf_path), for
 * good: call it once, after privileges are dropped (it needs
 * no_new_privs) and before any thread is created, since Landlock binds the
 * calling thread and the threads it creates later.  Rights the running
 * kernel's Landlock ABI does not know stay unrestricted.
 * Returns 1 (confined; msg says by which ABI), 0 (not confined: c->sandbox
 * is no, or the kernel has no Landlock, or the set-up calls were refused
 * with EPERM, ENOSYS or EOPNOTSUPP before anything was set up; msg says
 * which, for one warning), or -errno when it failed part-way (another
 * thread exists, a rule or the restriction itself was refused): the caller
 * must not run on.
 */
int sandbox_apply(const struct conf *c, const char *conf_path, char *msg,
		  size_t msg_size);

/*
 * sandbox_covers - does the running sandbox allow what configuration c
 * (a SIGHUP's) needs?  0 when it does (or no sandbox runs), else -EPERM
 * with every path or port that would need a restart in msg.  A change of
 * the sandbox key itself is not checked here: it takes effect at start.
 */
int sandbox_covers(const struct conf *c, const char *conf_path, char *msg,
		   size_t msg_size);

/* sandbox_abi - the Landlock ABI the running sandbox uses (0: none). */
int sandbox_abi(void);

#endif
