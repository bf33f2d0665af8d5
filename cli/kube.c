/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube.c - one fetch of the kubelet's pod list for the command, with a
 * deadline of its own: kfetch allows a whole fetch 30 s, too long for a
 * person waiting at a shell.  A timer thread sets the fetch's stop flag at
 * the deadline and wakes the curl multi handle, so the fetch ends within
 * moments of it.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "podmeta/kubelet.h"

struct deadline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;           /* the fetch ended: the timer may go */
	atomic_int stop;    /* set at the deadline */
	CURLM *multi;
	struct timespec at; /* CLOCK_MONOTONIC */
};

static void *timer(void *arg)
{
	struct deadline *d = arg;
	int e = 0;

	pthread_mutex_lock(&d->mu);
	while (!d->done && e != ETIMEDOUT)
		e = pthread_cond_timedwait(&d->cv, &d->mu, &d->at);
	if (!d->done) {
		atomic_store(&d->stop, 1);
		curl_multi_wakeup(d->multi);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static int deadline_start(struct deadline *d, pthread_t *th, int timeout_ms)
{
	pthread_condattr_t ca;

	clock_gettime(CLOCK_MONOTONIC, &d->at);
	d->at.tv_sec += timeout_ms / 1000;
	d->at.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->at.tv_nsec >= 1000000000L) {
		d->at.tv_sec++;
		d->at.tv_nsec -= 1000000000L;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	return -pthread_create(th, NULL, timer, d);
}

static void deadline_end(struct deadline *d, pthread_t th)
{
	pthread_mutex_lock(&d->mu);
	d->done = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(th, NULL);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
}

struct podsnap *kube_fetch(const struct kubelet_conf *kc, int timeout_ms,
			   char *why, size_t why_size)
{
	struct deadline d = { .done = 0 };
	struct kubelet_result res;
	struct kfetch *f = NULL;
	pthread_t th;
	int e;

	why[0] = '\0';
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, why_size, "cannot initialise libcurl");
		return NULL;
	}
	d.multi = curl_multi_init();
	if (!d.multi || (e = kfetch_new(&f, kc)) < 0) {
		snprintf(why, why_size, "%s", strerror(ENOMEM));
		goto fail;
	}
	atomic_init(&d.stop, 0);
	if ((e = deadline_start(&d, &th, timeout_ms)) < 0) {
		snprintf(why, why_size, "timer thread: %s", strerror(-e));
		goto fail;
	}
	kfetch_run(f, d.multi, &d.stop, NULL, &res);
	deadline_end(&d, th);
	kfetch_free(f);
	curl_multi_cleanup(d.multi);
	if (!res.snap) {
		if (res.err == -ECANCELED)
			snprintf(why, why_size, "no answer within %d s",
				 timeout_ms / 1000);
		else
			snprintf(why, why_size, "%s", res.why[0] ? res.why :
				 strerror(res.err ? -res.err : EIO));
	}
	return res.snap;
fail:
	kfetch_free(f);
	if (d.multi)
		curl_multi_cleanup(d.multi);
	return NULL;
}
