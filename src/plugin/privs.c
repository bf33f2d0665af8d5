/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privs.c - give up privileges once start-up is done, and check they are
 * gone: libcap-ng leaves the bounding set alone, and says nothing, when the
 * process lacks CAP_SETPCAP (setpriv --bounding-set=-setpcap), so what the
 * kernel reports afterwards is what counts.
 */
#include <cap-ng.h>
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "plugin/privs.h"

#define PRIVS_CAP_SCAN_MAX 128 /* capability numbers looked at (kernel: ~41) */

/* 0 when no capability is left in any set of this thread, else -EPERM. */
static int privs_check_none(void)
{
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		return -EPERM;
	for (int c = 0; c < PRIVS_CAP_SCAN_MAX; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);

		if (r < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (r > 0)
			return -EPERM;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return -EPERM;
	return 0;
}

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
	return privs_check_none();
}
