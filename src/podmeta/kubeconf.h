/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubeconf.h - the kubelet client's options (struct kubelet_conf) from the
 * config file: the one place where the kubelet stage reads struct conf, so
 * that the client itself takes only its small options struct.  The plugin
 * and the pid2pod command both call it.
 */
#ifndef P2P_KUBECONF_H
#define P2P_KUBECONF_H

#include <stddef.h>

#include "common/conf.h"
#include "podmeta/kubelet.h"

/*
 * kubelet_conf_from - what the plugin's config says about the kubelet on
 * node (this node's name).  Returns 1 (use it: *ret filled), 0 (not
 * configured: no token file, no client certificate, no http:// URL; why
 * says so) or -EINVAL (why says what is wrong).
 */
int kubelet_conf_from(const struct conf *c, const char *node,
		      struct kubelet_conf *ret, char *why, size_t why_size);

#endif
