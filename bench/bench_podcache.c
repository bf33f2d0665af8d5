/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_podcache.c - the kubelet side of the cost: a refresh of a 5,000-pod
 * PodList (about 5 MB plain, and padded to 55 MB with annotations, as
 * kubelet lists get with last-applied-configuration), parsed as it would
 * stream in (16 KiB pieces) into a sealed snapshot, with its time and the
 * peak RSS it adds; then lookups per second in the pod cache (hits by
 * container id, hits by pod UID, remembered misses).  `make bench` runs it;
 * it prints figures and asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "podmeta/podcache.h"
#include "podmeta/podlist.h"

#define PODS 5000
#define CHUNK 16384
#define LOOKUPS 2000000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void cid(char *out, int pod, int c)
{
	snprintf(out, 65, "%08x%056x", (unsigned)pod * 4 + (unsigned)c, 0xabcU);
}

static void uid(char *out, int pod)
{
	snprintf(out, 37, "%08x-aaaa-4bbb-8ccc-%012d", (unsigned)pod, pod);
}

/* A kubelet-shaped list: 2 containers a pod, labels, owner; pad bytes of
 * annotation per pod. */
static char *make_list(size_t pad, size_t *ret_len)
{
	size_t cap = (size_t)PODS * (3000 + pad) + 256, n = 0;
	char *b = malloc(cap), *padding = malloc(pad + 1), id0[65], id1[65], u[37];

	memset(padding, 'x', pad);
	padding[pad] = '\0';
	n += (size_t)snprintf(b + n, cap - n, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\","
			      "\"metadata\":{},\"items\":[");
	for (int i = 0; i < PODS; i++) {
		cid(id0, i, 0);
		cid(id1, i, 1);
		uid(u, i);
		n += (size_t)snprintf(b + n, cap - n,
			"%s{\"metadata\":{\"name\":\"web-%d-abcde\",\"namespace\":\"ns-%d\","
			"\"uid\":\"%s\",\"labels\":{\"app\":\"web-%d\",\"tier\":\"front\"},"
			"\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"%s\"},"
			"\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
			"\"name\":\"web-%d\",\"uid\":\"%s\",\"controller\":true}]},"
			"\"spec\":{\"serviceAccountName\":\"web\",\"containers\":[{\"name\":\"app\","
			"\"image\":\"nginx:1.25\"},{\"name\":\"sidecar\",\"image\":\"envoy:1.29\"}]},"
			"\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
			"{\"name\":\"app\",\"image\":\"docker.io/library/nginx:1.25\",\"imageID\":\"x\","
			"\"containerID\":\"containerd://%s\",\"ready\":true,\"restartCount\":0,"
			"\"state\":{\"running\":{\"startedAt\":\"2024-05-01T10:00:00Z\"}}},"
			"{\"name\":\"sidecar\",\"image\":\"docker.io/envoyproxy/envoy:1.29\",\"imageID\":\"y\","
			"\"containerID\":\"containerd://%s\",\"ready\":true,\"restartCount\":0,"
			"\"state\":{\"running\":{\"startedAt\":\"2024-05-01T10:00:00Z\"}}}]}}",
			i ? "," : "", i, i % 50, u, i, padding, i, u, id0, id1);
	}
	n += (size_t)snprintf(b + n, cap - n, "]}\n");
	free(padding);
	*ret_len = n;
	return b;
}

static struct podsnap *refresh(const char *list, size_t len, const char *what)
{
	const char *labels[] = { "app" };
	struct podlist_opts o = { labels, 1, (size_t)1 << 30 };
	struct podlist *pl;
	struct podsnap *s = NULL;
	long before = rss_kb();
	double t0 = now_s(), t;

	pl = podlist_new(&o);
	for (size_t off = 0; off < len; off += CHUNK)
		podlist_feed(pl, list + off, len - off < CHUNK ? len - off : CHUNK);
	if (podlist_finish(pl, &s) < 0 || podsnap_seal(s) < 0) {
		printf("%s: failed: %s\n", what, podlist_error(pl));
		podlist_free(pl);
		return NULL;
	}
	t = now_s() - t0;
	printf("refresh of %d pods, %s (%.1f MB): %.1f ms, %.0f MB/s; snapshot %zu pods, "
	       "%zu containers, %zu kB; peak RSS +%ld kB\n",
	       PODS, what, len / 1e6, t * 1e3, len / 1e6 / t, podsnap_npods(s),
	       podsnap_ncontainers(s), podsnap_bytes(s) / 1024, rss_kb() - before);
	podlist_free(pl);
	return s;
}

static void nothing(void *ctx, uint64_t t)
{
	(void)ctx;
	(void)t;
}

static void lookups(struct podsnap *s)
{
	struct podcache *pc = podcache_new(10000, nothing, NULL);
	struct podcache_answer a;
	char (*ids)[65] = malloc(PODS * 2 * sizeof *ids), (*uids)[37] = malloc(PODS * sizeof *uids);
	unsigned long found = 0;
	double t0, t;

	for (int i = 0; i < PODS; i++) {
		cid(ids[2 * i], i, 0);
		cid(ids[2 * i + 1], i, 1);
		uid(uids[i], i);
	}
	podcache_tick(pc, 0);
	podcache_result(pc, 1, s, 1);
	t0 = now_s();
	for (int i = 0; i < LOOKUPS; i++)
		found += podcache_lookup(pc, ids[(unsigned)(((unsigned long)i * 7919) % (PODS * 2))],
					 uids[((unsigned)(((unsigned long)i * 7919) % (PODS * 2))) / 2], 10, &a) == 1;
	t = now_s() - t0;
	printf("pod cache lookups by container id: %.1f M/s (%lu of %d found)\n",
	       LOOKUPS / t / 1e6, found, LOOKUPS);
	found = 0;
	t0 = now_s();
	for (int i = 0; i < LOOKUPS; i++)
		found += podcache_lookup(pc, NULL, uids[((unsigned long)i * 7919) % PODS], 10, &a) == 1;
	t = now_s() - t0;
	printf("pod cache lookups by pod UID (pause, static pods): %.1f M/s (%lu found)\n",
	       LOOKUPS / t / 1e6, found);
	t0 = now_s();
	for (int i = 0; i < LOOKUPS; i++)
		podcache_lookup(pc, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
				NULL, 20, &a);
	t = now_s() - t0;
	printf("pod cache lookups of an unknown container (remembered miss): %.1f M/s, "
	       "%llu fetches asked\n", LOOKUPS / t / 1e6,
	       (unsigned long long)podcache_stats(pc)->requests);
	podcache_free(pc);
	free(ids);
	free(uids);
}

int main(void)
{
	size_t len;
	char *small = make_list(0, &len);
	struct podsnap *s = refresh(small, len, "plain");
	size_t blen;
	char *big;

	free(small);
	big = make_list(50 * 1000 * 1000 / PODS, &blen);
	podsnap_unref(refresh(big, blen, "padded"));
	free(big);
	if (s)
		lookups(s);
	printf("peak RSS of the whole bench: %ld kB\n", rss_kb());
	return 0;
}
