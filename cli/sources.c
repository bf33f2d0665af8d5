/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sources.c - the config file and the sources it names, set up once:
 * the runtime's state files (ctrmeta) and, unless told not to, one fetch
 * of the kubelet's pod list, installed into a pod cache so names_lookup
 * merges the two exactly as the plugin does.
 *
 * What goes wrong here costs names, never the answer /proc gives: an
 * unreadable config (a non-root user) or a kubelet that does not answer is
 * said in one line and the run goes on with what is local.  Only a config
 * that is there, readable and wrong stops the run (status 2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"
#include "podmeta/kubeconf.h"
#include "podmeta/kubelet.h"

#define CLI_CONF_ERR_MAX 4096


/* Returns 0 (loaded or defaults), 1 (unreadable: /proc only), CLI_USAGE. */
static int load_conf(struct cli *c, const struct cli_opts *o)
{
	const char *path = o->conf_path ? o->conf_path : CONF_DEFAULT_PATH;
	char err[CLI_CONF_ERR_MAX];
	int e;

	conf_defaults(&c->conf);
	e = conf_load(path, &c->conf, err, sizeof err);
	if (e == 0)
		return 0;
	if (e == -ENOENT && !o->conf_path)
		return 0; /* no config on this node: the defaults */
	if (e == -EACCES) {
		cli_err("cannot read %s: %s; using /proc only", path,
			strerror(EACCES));
		conf_defaults(&c->conf);
		return 1;
	}
	fputs(err, stderr);
	if (!err[0])
		cli_err("%s: %s", path, strerror(-e));
	return CLI_USAGE;
}

static int set_path(char *dst, size_t size, const char *val, const char *what)
{
	if (strlen(val) >= size) {
		cli_err("%s is too long", what);
		return CLI_USAGE;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

/* The reason without the URL curl's messages start with. */
static const char *reason(const char *why, const char *url)
{
	size_t n = strlen(url);

	if (strncmp(why, url, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		return why + n + 2;
	return why;
}

static void fetch(struct cli *c, const struct cli_opts *o)
{
	struct kubelet_conf kc;
	struct podsnap *snap;
	char node[CONF_NAME_MAX], why[256];
	int e;

	conf_node_name(&c->conf, node, sizeof node);
	e = kubelet_conf_from(&c->conf, node, &kc, why, sizeof why);
	if (e == 0 && !o->kubelet_url)
		return; /* not configured here: runtime state only, silently */
	if (e <= 0) {
		cli_err("kubelet %s: %s; showing what /proc and the runtime "
			"state say", o->kubelet_url ? o->kubelet_url : "", why);
		return;
	}
	snap = kube_fetch(&kc, CLI_KUBELET_TIMEOUT_MS, why, sizeof why);
	if (!snap) {
		cli_err("kubelet %s: %s; showing what /proc and the runtime "
			"state say", kc.url, reason(why, kc.url));
		return;
	}
	c->pc = podcache_new((int64_t)c->conf.kubelet_refresh_interval * 1000,
			     NULL, NULL);
	if (!c->pc) {
		podsnap_unref(snap);
		cli_err("kubelet: %s", strerror(ENOMEM));
		return;
	}
	podcache_install(c->pc, snap, c->now);
}

int cli_open(struct cli *c, const struct cli_opts *o)
{
	int local_only;

	memset(c, 0, sizeof *c);
	c->now = now_ms();
	local_only = load_conf(c, o);
	if (local_only == CLI_USAGE)
		return CLI_USAGE;
	if (o->proc_root &&
	    set_path(c->conf.proc_root, sizeof c->conf.proc_root, o->proc_root,
		     "--proc-root") != 0)
		return CLI_USAGE;
	if (o->kubelet_url &&
	    set_path(c->conf.kubelet_url, sizeof c->conf.kubelet_url,
		     o->kubelet_url, "--kubelet-url") != 0)
		return CLI_USAGE;
	c->cm = ctrmeta_new(c->conf.runtime_state_dirs,
			    c->conf.containerd_namespace);
	if (!c->cm) {
		cli_err("runtime_state_dirs: %s", strerror(ENOMEM));
		return CLI_USAGE;
	}
	if (!o->no_kubelet && !local_only)
		fetch(c, o);
	return 0;
}

void cli_close(struct cli *c)
{
	podcache_free(c->pc);
	ctrmeta_free(c->cm);
	c->pc = NULL;
	c->cm = NULL;
}
