/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubelet.c - one fetch of the kubelet's pod list (GET /pods): where and how
 * come in a struct kubelet_conf (filled from the config by kubeconf.c).
 *
 * libcurl does the HTTPS; the body goes straight from curl's write callback
 * into the streaming PodList parser, so memory follows the pods kept, not
 * the bytes received.  The token file is read with the same care as the
 * config (fsafe_trusted, size cap) and never logged;
 * it is never sent over plain http, and redirects are not followed.  No
 * proxy is ever used, whatever the environment says.  Builds on libcurl
 * 7.76 and later (tests/lint/curl_7_76.h checks it).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsafe.h"
#include "common/util.h"
#include "common/version.h"
#include "podmeta/kubelet.h"

struct kfetch {
	CURL *h;
	struct kubelet_conf kc;
	struct curl_slist *hdrs, *resolve;
	char token[KUBELET_TOKEN_MAX];
	int64_t token_read_ms;     /* 0: not read yet */
	uint64_t token_reads;
	char curl_err[CURL_ERROR_SIZE];
	/* the fetch in progress */
	struct podlist *pl;
	int feed_err;
	long status;
	uint64_t bytes;
	char errbody[KUBELET_ERRBODY_MAX + 1];
	size_t errlen;
};

/* Read the token file: printable ASCII, trailing white space removed. */
static int read_token(const char *path, char *buf, size_t size, char *why,
		      size_t why_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
					    O_NOCTTY);
	char fwhy[FSAFE_WHY_MAX];
	struct stat st;
	ssize_t n;
	int e;

	if (fd < 0) {
		e = errno;
		snprintf(why, why_size, "token file %.160s: %s", path, strerror(e));
		return -e;
	}
	e = fsafe_trusted(fd, path, fwhy, sizeof fwhy);
	if (e < 0 || fstat(fd, &st) < 0 || st.st_size >= (off_t)size) {
		snprintf(why, why_size, "token file %.60s refused: %.160s",
			 path, e < 0 ? fwhy : "too large");
		return -EPERM;
	}
	n = read_full(fd, buf, size - 1);
	if (n < 0) {
		snprintf(why, why_size, "token file %.160s: %s", path,
			 strerror((int)-n));
		return (int)n;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] >= 0x7f) {
			snprintf(why, why_size, "token file %.160s: not a token "
				 "(byte %zd)", path, i);
			buf[0] = '\0';
			return -EINVAL;
		}
	if (n == 0) {
		snprintf(why, why_size, "token file %.160s is empty", path);
		return -EINVAL;
	}
	return 0;
}

/* Re-read the token; 1 when it changed, 0 when not, -errno. */
static int token_reload(struct kfetch *f, int64_t now, char *why,
			size_t why_size)
{
	char tok[KUBELET_TOKEN_MAX], hdr[KUBELET_TOKEN_MAX + 32];
	struct curl_slist *l;
	int e;

	f->token_reads++;
	e = read_token(f->kc.token_file, tok, sizeof tok, why, why_size);
	if (e < 0)
		return e; /* read again at the next fetch: it may appear */
	f->token_read_ms = now;
	if (f->hdrs && strcmp(tok, f->token) == 0)
		return 0;
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
	l = curl_slist_append(NULL, "Accept: application/json");
	if (l && !curl_slist_append(l, hdr)) {
		curl_slist_free_all(l);
		l = NULL;
	}
	explicit_bzero(hdr, sizeof hdr);
	if (!l)
		return -ENOMEM;
	curl_slist_free_all(f->hdrs);
	f->hdrs = l;
	memcpy(f->token, tok, sizeof tok);
	explicit_bzero(tok, sizeof tok);
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, f->hdrs);
	return 1;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct kfetch *f = ud;
	size_t len = size * nmemb;

	if (!f->status)
		curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
	f->bytes += len;
	if (f->status != 200) {
		/* a little of it for the log; the rest is not wanted */
		size_t k = len < KUBELET_ERRBODY_MAX - f->errlen ?
			   len : KUBELET_ERRBODY_MAX - f->errlen;

		memcpy(f->errbody + f->errlen, ptr, k);
		f->errlen += k;
		return f->bytes > 65536 ? 0 : len;
	}
	f->feed_err = podlist_feed(f->pl, ptr, len);
	return f->feed_err < 0 ? 0 : len;
}

int kfetch_new(struct kfetch **ret, const struct kubelet_conf *kc)
{
	struct kfetch *f = calloc(1, sizeof *f);
	CURL *h;

	if (!f)
		return -ENOMEM;
	f->kc = *kc;
	h = f->h = curl_easy_init();
	if (!h) {
		free(f);
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_URL, kc->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the bitmask form is deprecated */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, kc->plain_http ? "http" : "https");
#else /* RHEL 9's 7.76 */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
			 kc->plain_http ? (long)CURLPROTO_HTTP : (long)CURLPROTO_HTTPS);
#endif
	/* never through a proxy: https_proxy or ALL_PROXY in the environment
	 * would take the token past the 127.0.0.1 pin to whoever proxies */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)KUBELET_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)KUBELET_TIMEOUT_MS);
	/* no CURLOPT_MAXFILESIZE: it refuses a long answer before its first
	 * byte; the parser cuts it at max_bytes and keeps the pods before */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pid2pod/" P2P_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->curl_err);
	if (kc->resolve[0]) {
		f->resolve = curl_slist_append(NULL, kc->resolve);
		if (!f->resolve) {
			kfetch_free(f);
			return -ENOMEM;
		}
		curl_easy_setopt(h, CURLOPT_RESOLVE, f->resolve);
	}
	if (kc->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, kc->ca_file);
	if (kc->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (kc->client_cert[0]) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, kc->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, kc->client_key);
	}
	*ret = f;
	return 0;
}

void kfetch_free(struct kfetch *f)
{
	if (!f)
		return;
	curl_easy_cleanup(f->h);
	curl_slist_free_all(f->hdrs);
	curl_slist_free_all(f->resolve);
	podlist_free(f->pl);
	explicit_bzero(f->token, sizeof f->token);
	free(f);
}

uint64_t kfetch_token_reads(const struct kfetch *f)
{
	return f->token_reads;
}

/* Printable bytes of a short error body, for one log line. */
static void clean_body(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = ' ';
	s[n] = '\0';
}

/* One GET; 0 with the transfer's CURLcode in *rc, or -ECANCELED. */
static int transfer(struct kfetch *f, CURLM *m, const atomic_int *stop,
		    CURLcode *rc)
{
	CURLMsg *msg;
	int running = 1, left;

	*rc = CURLE_OK;
	f->curl_err[0] = '\0';
	if (curl_multi_add_handle(m, f->h) != CURLM_OK)
		return -ENOMEM;
	while (running) {
		if (atomic_load(stop)) {
			curl_multi_remove_handle(m, f->h);
			return -ECANCELED;
		}
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == f->h)
			*rc = msg->data.result;
	curl_multi_remove_handle(m, f->h);
	return 0;
}

static int curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
	case CURLE_FILESIZE_EXCEEDED: return -EFBIG;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE: return -EPROTO;
	default: return -EIO;
	}
}

void kfetch_run(struct kfetch *f, void *multi, const atomic_int *stop,
		const struct podsnap *prev, struct kubelet_result *res)
{
	struct podlist_opts o = { .max_bytes = f->kc.max_bytes,
				  .nlabels = f->kc.nlabels };
	const char *keys[K8S_LABELS_MAX];
	int64_t now = now_ms();
	int tries = 0, e;
	CURLcode rc;

	memset(res, 0, sizeof *res);
	res->started_ms = now;
	for (unsigned i = 0; i < f->kc.nlabels; i++)
		keys[i] = f->kc.labels[i];
	o.labels = keys;
	if (f->kc.token_file[0] &&
	    (!f->token_read_ms || now - f->token_read_ms >= KUBELET_TOKEN_REREAD_MS)) {
		e = token_reload(f, now, res->why, sizeof res->why);
		if (e < 0 && !f->hdrs && !f->kc.client_cert[0]) {
			res->err = e;
			goto out;
		}
	}
again:
	podlist_free(f->pl);
	f->pl = podlist_new(&o);
	if (!f->pl) {
		res->err = -ENOMEM;
		goto out;
	}
	f->feed_err = 0;
	f->status = 0;
	f->bytes = 0;
	f->errlen = 0;
	e = transfer(f, multi, stop, &rc);
	res->bytes += f->bytes;
	if (e < 0) {
		res->err = e;
		snprintf(res->why, sizeof res->why, "%s", e == -ECANCELED ?
			 "stopped" : "out of memory");
		goto out;
	}
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &res->status);
	if (f->feed_err < 0 && f->feed_err != -EFBIG) {
		res->err = f->feed_err;
		snprintf(res->why, sizeof res->why, "pod list: %s",
			 podlist_error(f->pl));
	} else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && res->status &&
				       (res->status != 200 ||
					f->feed_err == -EFBIG))) {
		res->err = curl_errno(rc);
		snprintf(res->why, sizeof res->why, "%.120s: %.120s", f->kc.url,
			 f->curl_err[0] ? f->curl_err : curl_easy_strerror(rc));
	} else if (res->status == 401 && f->kc.token_file[0] && tries++ == 0 &&
		   token_reload(f, now_ms(), res->why, sizeof res->why) == 1) {
		goto again; /* the token has rotated */
	} else if (res->status != 200) {
		res->err = res->status == 401 ? -EACCES :
			   res->status == 403 ? -EPERM : -EIO;
		clean_body(f->errbody, f->errlen);
		snprintf(res->why, sizeof res->why, "%.100s: HTTP %ld%s%s", f->kc.url,
			 res->status,
			 res->status == 401 ? " (the token or certificate was not accepted)" :
			 res->status == 403 ? " (needs get on nodes/pods, or nodes/proxy before Kubernetes 1.33)" : "",
			 f->errlen ? ": " : "");
		if (f->errlen) {
			size_t u = strlen(res->why);

			snprintf(res->why + u, sizeof res->why - u, "%.80s",
				 f->errbody);
		}
	} else if ((e = podlist_finish(f->pl, &res->snap)) < 0) {
		res->err = e;
		snprintf(res->why, sizeof res->why, "pod list: %s",
			 podlist_error(f->pl));
	} else if ((prev && (e = podsnap_carry(res->snap, prev, now_ms(),
					       f->kc.pod_grace_ms)) < 0) ||
		   (e = podsnap_seal(res->snap)) < 0) {
		res->err = e;
		podsnap_unref(res->snap);
		res->snap = NULL;
		snprintf(res->why, sizeof res->why, "pod list: %s", strerror(-e));
	}
	res->list = *podlist_stats(f->pl);
out:
	podlist_free(f->pl);
	f->pl = NULL;
	res->ended_ms = now_ms();
}
