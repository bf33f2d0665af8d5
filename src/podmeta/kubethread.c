/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubethread.c - the kubelet client's own thread.
 *
 * The plugin's loop asks for a fetch (kubelet_request: a ticket and a
 * curl_multi_wakeup), the thread runs it (kfetch_run) and leaves the
 * result in a one-slot mailbox, then makes an eventfd readable; the loop
 * polls that fd and takes the result (kubelet_take).  One fetch at a time,
 * so one slot is enough.  The thread keeps the last good snapshot to carry
 * recently deleted pods into the next one.  Stopping wakes the thread out
 * of any wait at once (curl_multi_wakeup) and aborts a fetch in flight.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "podmeta/kubelet.h"

#define IDLE_WAIT_MS 60000

struct kubelet {
	pthread_t th;
	CURLM *m;
	struct kfetch *f;
	int efd;
	atomic_int stop;
	struct podsnap *prev;       /* the thread's own */
	pthread_mutex_t mu;         /* guards what follows */
	uint64_t want;              /* ticket asked for; 0: none */
	int full;
	struct kubelet_result slot;
	struct kubelet_stats st;
};

static void count(struct kubelet_stats *st, const struct kubelet_result *r)
{
	st->fetches++;
	st->bytes += r->bytes;
	st->last_fetch_ms = r->ended_ms - r->started_ms;
	if (r->snap) {
		st->ok++;
		st->last_bytes = r->bytes;
		if (r->list.truncated)
			st->too_big++; /* cut at max_bytes, the pods before kept */
	} else if (r->err == -EACCES) {
		st->unauthorized++;
	} else if (r->err == -EPERM && r->status == 403) {
		st->forbidden++;
	} else if (r->err == -EFBIG) {
		st->too_big++;
	} else if (r->status && r->status != 200) {
		st->http_errors++;
	} else if (r->status == 200) {
		st->bad_lists++;
	} else {
		st->transport_errors++;
	}
}

static void *run(void *arg)
{
	struct kubelet *k = arg;
	uint64_t one = 1;

	while (!atomic_load(&k->stop)) {
		struct kubelet_result r;
		uint64_t t;

		pthread_mutex_lock(&k->mu);
		t = k->want;
		k->want = 0;
		pthread_mutex_unlock(&k->mu);
		if (!t) {
			curl_multi_poll(k->m, NULL, 0, IDLE_WAIT_MS, NULL);
			continue;
		}
		kfetch_run(k->f, k->m, &k->stop, k->prev, &r);
		r.ticket = t;
		if (r.snap) {
			podsnap_unref(k->prev);
			k->prev = podsnap_ref(r.snap);
		}
		pthread_mutex_lock(&k->mu);
		if (k->full)
			podsnap_unref(k->slot.snap); /* never taken: replaced */
		k->slot = r;
		k->full = 1;
		count(&k->st, &r);
		k->st.token_reads = kfetch_token_reads(k->f);
		pthread_mutex_unlock(&k->mu);
		if (write(k->efd, &one, sizeof one) < 0) {
			/* the counter is full: the loop has a wake-up already */
		}
	}
	return NULL;
}

int kubelet_start(struct kubelet **ret, const struct kubelet_conf *kc)
{
	struct kubelet *k;
	sigset_t all, old;
	int e;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	k = calloc(1, sizeof *k);
	if (!k)
		return -ENOMEM;
	k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	k->m = curl_multi_init();
	if (k->efd < 0 || !k->m || (e = kfetch_new(&k->f, kc)) < 0) {
		e = k->efd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&k->mu, NULL);
	/* signals stay with the loop's signalfd; but SIGSYS: the seccomp
	 * filter turns a call off its list into EPERM through it, and the
	 * kernel kills a thread that has it blocked (plugin/sysfilter.c) */
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = -pthread_create(&k->th, NULL, run, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e < 0) {
		pthread_mutex_destroy(&k->mu);
		goto fail;
	}
	*ret = k;
	return 0;
fail:
	kfetch_free(k->f);
	if (k->m)
		curl_multi_cleanup(k->m);
	if (k->efd >= 0)
		close(k->efd);
	free(k);
	return e;
}

void kubelet_stop(struct kubelet *k)
{
	if (!k)
		return;
	atomic_store(&k->stop, 1);
	curl_multi_wakeup(k->m);
	pthread_join(k->th, NULL);
	if (k->full)
		podsnap_unref(k->slot.snap);
	podsnap_unref(k->prev);
	kfetch_free(k->f);
	curl_multi_cleanup(k->m);
	close(k->efd);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

int kubelet_fd(const struct kubelet *k)
{
	return k->efd;
}

void kubelet_request(struct kubelet *k, uint64_t ticket)
{
	pthread_mutex_lock(&k->mu);
	k->want = ticket;
	pthread_mutex_unlock(&k->mu);
	curl_multi_wakeup(k->m);
}

int kubelet_take(struct kubelet *k, struct kubelet_result *ret)
{
	uint64_t n;
	int got;

	if (read(k->efd, &n, sizeof n) < 0) {
		/* EAGAIN: nothing signalled; the slot is checked anyway */
	}
	pthread_mutex_lock(&k->mu);
	got = k->full;
	if (got) {
		*ret = k->slot;
		k->full = 0;
	}
	pthread_mutex_unlock(&k->mu);
	return got;
}

void kubelet_stats(struct kubelet *k, struct kubelet_stats *ret)
{
	pthread_mutex_lock(&k->mu);
	*ret = k->st;
	pthread_mutex_unlock(&k->mu);
}
