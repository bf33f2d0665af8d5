/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubelet.h - the kubelet client: GET /pods over HTTPS (libcurl), the body
 * parsed as it streams in (podlist.c) into a snapshot (podsnap.c).
 *
 * Two layers:
 *  - kfetch (kubelet.c): one fetch, done synchronously on a curl multi
 *    handle that another thread can wake (to stop it).  Authenticates with
 *    a bearer token file (re-read every KUBELET_TOKEN_REREAD_MS and after a
 *    401, then tried once more) and/or a client certificate; verifies the
 *    kubelet's certificate against a CA file unless told not to; no
 *    redirects; the token is never sent over plain http; timeouts; a cap on
 *    the body.  The CLI uses it directly.
 *  - kubelet (kubethread.c): a thread of its own that runs one fetch
 *    whenever the plugin's loop asks (podcache.c decides when) and hands the
 *    result back through a mailbox and an eventfd the loop polls, so the
 *    network never touches the record path.
 */
#ifndef P2P_KUBELET_H
#define P2P_KUBELET_H

#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"
#include "podmeta/podlist.h"
#include "podmeta/podsnap.h"

#define KUBELET_URL_MAX 512
#define KUBELET_TOKEN_MAX 16384          /* bytes of a token file */
#define KUBELET_TIMEOUT_MS 30000         /* a whole fetch */
#define KUBELET_CONNECT_TIMEOUT_MS 5000
#define KUBELET_TOKEN_REREAD_MS 60000    /* projected tokens rotate */
#define KUBELET_ERRBODY_MAX 200          /* of a non-200 answer, for the log */
#define KUBELET_LABEL_KEY_MAX 320
#define KUBELET_DEFAULT_PORT 10250

struct kubelet_conf {
	char url[KUBELET_URL_MAX];     /* the /pods URL */
	char resolve[KUBELET_URL_MAX]; /* curl "host:port:addr", or "" */
	char token_file[PATH_MAX];     /* "": none */
	char ca_file[PATH_MAX];        /* "": the system's CAs */
	char client_cert[PATH_MAX];    /* "": none */
	char client_key[PATH_MAX];
	int insecure;                  /* kubelet_insecure_skip_verify */
	int plain_http;                /* http:// (read-only port) */
	size_t max_bytes;
	int64_t pod_grace_ms;
	char labels[K8S_LABELS_MAX][KUBELET_LABEL_KEY_MAX];
	unsigned nlabels;
};

struct kubelet_result {
	uint64_t ticket;
	int err;                /* 0, or -errno (-EACCES 401, -EPERM 403, ...) */
	long status;            /* HTTP status; 0: no answer */
	struct podsnap *snap;   /* on success: sealed, one reference for the taker */
	int64_t started_ms, ended_ms;
	uint64_t bytes;         /* body bytes received */
	struct podlist_stats list;
	char why[256];          /* what went wrong; "" on success */
};

struct kfetch;

int kfetch_new(struct kfetch **ret, const struct kubelet_conf *kc);
void kfetch_free(struct kfetch *f);
/*
 * kfetch_run - one GET of the pod list, on curl multi handle multi (a
 * CURLM *), returning when it is done or *stop became non-zero (-ECANCELED).
 * Pods of prev missing from the new list are carried for pod_grace_ms.
 */
void kfetch_run(struct kfetch *f, void *multi, const atomic_int *stop,
		const struct podsnap *prev, struct kubelet_result *res);
/* kfetch_token_reads - how often the token file was read. */
uint64_t kfetch_token_reads(const struct kfetch *f);

struct kubelet_stats {
	uint64_t fetches, ok, unauthorized, forbidden, http_errors;
	uint64_t transport_errors, bad_lists, too_big, token_reads;
	uint64_t bytes;          /* all bodies */
	uint64_t last_bytes;     /* of the last good list */
	int64_t last_fetch_ms;   /* duration of the last fetch */
};

struct kubelet;

/*
 * kubelet_start - the client thread (started with every signal blocked).
 * 0 or -errno.  Start it after privileges are dropped: capabilities are
 * per thread.
 */
int kubelet_start(struct kubelet **ret, const struct kubelet_conf *kc);
/* kubelet_stop - abort what is in flight, join, free (NULL ok). */
void kubelet_stop(struct kubelet *k);
/* kubelet_fd - readable when a result waits for kubelet_take. */
int kubelet_fd(const struct kubelet *k);
/* kubelet_request - start a fetch for ticket (one at a time). */
void kubelet_request(struct kubelet *k, uint64_t ticket);
/* kubelet_take - 1 and *ret when a fetch has ended, else 0. */
int kubelet_take(struct kubelet *k, struct kubelet_result *ret);
void kubelet_stats(struct kubelet *k, struct kubelet_stats *ret);

#endif
