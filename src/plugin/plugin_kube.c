/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin_kube.c - the plugin's side of the kubelet client: start its thread
 * (after privileges are dropped: capabilities are per thread), pass the pod
 * cache's requests to it, hand its results to the pipeline, and say in the
 * log when the kubelet comes and goes.
 */
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "plugin/pipeline.h"
#include "plugin/plugin.h"
#include "podmeta/kubeconf.h"
#include "podmeta/kubelet.h"
#include "podmeta/podcache.h"

static void on_request(void *ctx, uint64_t ticket)
{
	struct plugin *pl = ctx;

	kubelet_request(pl->kube, ticket);
}

void plugin_kubelet(struct plugin *pl)
{
	struct podcache *pc = pipeline_podcache(pl->pipe);
	struct kubelet_conf kc;
	char why[256];
	int e;

	if (pl->kube)
		return;
	e = kubelet_conf_from(&pl->conf, pl->node, &kc, why, sizeof why);
	if (e <= 0 || !pc) {
		log_info("kubelet: not used (%s); names come from the runtime's "
			 "state files only", e < 0 ? why : why[0] ? why : "off");
		return;
	}
	if (kc.insecure)
		log_warnx("kubelet: kubelet_insecure_skip_verify = yes: the "
			  "certificate of %s is NOT checked; whoever answers "
			  "there gets the token", kc.url);
	if (kc.plain_http)
		log_warnx("kubelet: %s is plain http (the read-only port): "
			  "no authentication, nothing encrypted", kc.url);
	e = kubelet_start(&pl->kube, &kc);
	if (e < 0) {
		pl->kube = NULL;
		log_warnx("kubelet: cannot start the client: %s", strerror(-e));
		return;
	}
	pl->kube_state = PODCACHE_UNKNOWN;
	podcache_set_request(pc, on_request, pl);
	log_info("kubelet: asking %s (%s%s%s)", kc.url,
		 kc.token_file[0] ? "token " : "",
		 kc.token_file[0] ? kc.token_file : "",
		 kc.client_cert[0] ? " client certificate" : "");
}

static void log_result(struct plugin *pl, const struct kubelet_result *r)
{
	struct podcache *pc = pipeline_podcache(pl->pipe);
	int state = podcache_state(pc), changed = state != pl->kube_state;
	unsigned long sup = 0;

	pl->kube_state = state;
	if (r->snap && r->list.truncated && !pl->kube_cut_logged) {
		pl->kube_cut_logged = 1; /* once: it will be so at every fetch */
		log_warnx("kubelet: the pod list is longer than kubelet_max_bytes "
			  "(%llu bytes read): only the %llu pods before the cut "
			  "are named; raise kubelet_max_bytes (counted in "
			  "kubelet_too_big)", (unsigned long long)r->bytes,
			  (unsigned long long)r->list.pods);
	}
	if (state == PODCACHE_UP && changed)
		log_info("kubelet: pod list of %llu pods, %llu containers "
			 "(%llu bytes in %lld ms)",
			 (unsigned long long)r->list.pods,
			 (unsigned long long)r->list.containers,
			 (unsigned long long)r->bytes,
			 (long long)(r->ended_ms - r->started_ms));
	else if (state == PODCACHE_DOWN &&
		 (changed || log_ratelimited(&pl->kube_rate, r->ended_ms, &sup)))
		log_warnx("kubelet: %s; records keep flowing with the names "
			  "known (%lu warnings suppressed)", r->why, sup);
}

void plugin_kubelet_results(struct plugin *pl)
{
	struct kubelet_result r;

	if (!pl->kube)
		return;
	while (kubelet_take(pl->kube, &r)) {
		pipeline_pods(pl->pipe, r.ticket, r.snap, now_ms());
		log_result(pl, &r);
	}
}
