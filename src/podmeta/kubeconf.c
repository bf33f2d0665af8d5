/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubeconf.c - struct kubelet_conf from struct conf: the URL (or the
 * node's name pinned to 127.0.0.1), credentials that exist, labels, caps.
 * The CA, client certificate and key must pass fsafe_trusted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "podmeta/kubeconf.h"

static int file_exists(const char *path)
{
	return *path && access(path, F_OK) == 0;
}

int kubelet_conf_from(const struct conf *c, const char *node,
		      struct kubelet_conf *ret, char *why, size_t why_size)
{
	struct kubelet_conf kc;
	char lbuf[sizeof c->labels];
	const char *keys[CONF_LABELS_MAX];
	const char *base = c->kubelet_url;
	size_t blen;
	int n;

	memset(&kc, 0, sizeof kc);
	why[0] = '\0';
	if (!*base) {
		/* kubeadm's serving certificate names the host, not 127.0.0.1 */
		const char *host = *node ? node : "localhost";

		n = snprintf(kc.url, sizeof kc.url, "https://%s:%d/pods", host,
			     KUBELET_DEFAULT_PORT);
		if (n < 0 || (size_t)n >= sizeof kc.url ||
		    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789.-") != strlen(host)) {
			snprintf(why, why_size, "node name '%s' cannot be a host "
				 "name; set kubelet_url", host);
			return -EINVAL;
		}
		snprintf(kc.resolve, sizeof kc.resolve, "%s:%d:127.0.0.1", host,
			 KUBELET_DEFAULT_PORT);
	} else {
		blen = strlen(base);
		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		n = snprintf(kc.url, sizeof kc.url, "%.*s/pods", (int)blen, base);
		if (n < 0 || (size_t)n >= sizeof kc.url) {
			snprintf(why, why_size, "kubelet_url is too long");
			return -EINVAL;
		}
		kc.plain_http = strncmp(base, "http://", 7) == 0;
	}
	/* the default token file is used only where it exists (a pod) */
	if (c->kubelet_token_file[0] &&
	    (strcmp(c->kubelet_token_file, CONF_DEFAULT_TOKEN_FILE) != 0 ||
	     file_exists(c->kubelet_token_file)))
		snprintf(kc.token_file, sizeof kc.token_file, "%s",
			 c->kubelet_token_file);
	if (c->kubelet_ca_file[0] &&
	    (strcmp(c->kubelet_ca_file, CONF_DEFAULT_KUBELET_CA) != 0 ||
	     file_exists(c->kubelet_ca_file)))
		snprintf(kc.ca_file, sizeof kc.ca_file, "%s", c->kubelet_ca_file);
	snprintf(kc.client_cert, sizeof kc.client_cert, "%s",
		 c->kubelet_client_cert);
	snprintf(kc.client_key, sizeof kc.client_key, "%s", c->kubelet_client_key);
	kc.insecure = c->kubelet_insecure_skip_verify;
	kc.max_bytes = (size_t)c->kubelet_max_bytes;
	kc.pod_grace_ms = (int64_t)c->pod_grace * 1000;
	kc.nlabels = conf_labels(c, lbuf, sizeof lbuf, keys);
	for (unsigned i = 0; i < kc.nlabels; i++)
		snprintf(kc.labels[i], sizeof kc.labels[i], "%s", keys[i]);
	if (kc.plain_http)
		kc.token_file[0] = '\0'; /* never in clear */
	/* libcurl reads these by name: they are checked here, by the rule the
	 * config and the token follow (the token at each read) */
	{
		const char *byname[] = { kc.ca_file, kc.client_cert, kc.client_key };
		char fwhy[FSAFE_WHY_MAX];

		for (size_t i = 0; i < sizeof byname / sizeof byname[0]; i++)
			if (byname[i][0] &&
			    fsafe_trusted_path(byname[i], fwhy, sizeof fwhy) < 0) {
				snprintf(why, why_size, "%.60s refused: %.160s",
					 byname[i], fwhy);
				return -EPERM;
			}
	}
	if (!kc.plain_http && !kc.token_file[0] && !kc.client_cert[0]) {
		snprintf(why, why_size, "no token file (%s) and no client "
			 "certificate configured", c->kubelet_token_file[0] ?
			 c->kubelet_token_file : "none");
		return 0;
	}
	*ret = kc;
	return 1;
}
