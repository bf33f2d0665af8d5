/*
 * privs.c - give up privileges once start-up is done.
 */
#include <cap-ng.h>
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "plugin/privs.h"

/*
 * Drop every capability for good: what the plugin still does needs none.
 * It keeps uid 0, so it can still read the root-owned config and output
 * files on SIGHUP, /proc/<pid>/{cgroup,stat,status,comm} (world-readable)
 * and the runtimes' root-owned state files; the process connector socket
 * stays subscribed.  What it can no longer do: subscribe again (turning
 * proc_connector on by SIGHUP needs a restart), read files of other owners
 * that deny it, or gain privileges through exec (no_new_privs).
 */
int privs_drop(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (geteuid() != 0)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		return -EPERM;
	return 0;
}
