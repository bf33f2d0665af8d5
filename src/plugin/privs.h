/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privs.h - dropping privileges after start-up (see privs.c for what the
 * plugin can and cannot do afterwards).
 */
#ifndef P2P_PRIVS_H
#define P2P_PRIVS_H

/* privs_drop - set no_new_privs; as root, drop every capability (effective,
 * permitted, inheritable, bounding) but keep uid 0, and read them back.
 * 0, or -errno (-EPERM: a capability is left, e.g. the bounding set for
 * want of CAP_SETPCAP).  The plugin does not run on after a failure. */
int privs_drop(void);

#endif
