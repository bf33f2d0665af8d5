/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hold.c - records of containers the pod list does not know yet wait
 * for the fetch their arrival started, never past hold_ms, never out of
 * order, never while the kubelet is down; text and JSON, on an injected
 * clock with the fetch results handed in by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pipefix.h"
#include "plugin/pipeline.h"
#include "podmeta/podcache.h"
#include "podmeta/podsnap.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PUID "11112222-3333-4444-5555-666677778888"
#define CID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define CID3 "3333333333333333333333333333333333333333333333333333333333333333"
#define PUID3 "33332222-3333-4444-5555-666677778888"

static char root[] = "/tmp/p2p-hold-XXXXXX";
static uint64_t ticket;

static void mkpid(int pid, const char *cgroup)
{
	pipefix_mkpid(root, pid, cgroup);
}

static void on_request(void *ctx, uint64_t t)
{
	(void)ctx;
	ticket = t;
}



/* A list naming the pod of CID (and CID's container when with_ctr). */
static struct podsnap *list(int with_ctr)
{
	struct podsnap *s = podsnap_new();
	struct podsnap_pod_in in = { .uid = PUID, .namespace_ = "shop",
				     .name = "web-0", .owner = "ReplicaSet/web-7d9f8",
				     .nlabels = 1, .label_keys = { "app" },
				     .label_vals = { "web" } };
	int i = podsnap_add_pod(s, &in);

	if (with_ctr)
		podsnap_add_container(s, (uint32_t)i, CID, "app", "nginx:1.25");
	podsnap_seal(s);
	return s;
}

/* list(1) and a second pod, api-0, with the container CID3. */
static struct podsnap *list_two_pods(void)
{
	struct podsnap *s = podsnap_new();
	struct podsnap_pod_in a = { .uid = PUID, .namespace_ = "shop", .name = "web-0" };
	struct podsnap_pod_in b = { .uid = PUID3, .namespace_ = "shop", .name = "api-0" };
	int i = podsnap_add_pod(s, &a), j = podsnap_add_pod(s, &b);

	podsnap_add_container(s, (uint32_t)i, CID, "app", "nginx:1.25");
	podsnap_add_container(s, (uint32_t)j, CID3, "api", "api:2");
	podsnap_seal(s);
	return s;
}

/* A pipeline whose pod cache has had one good list (without CID) at t=0. */
static struct pipeline *setup(struct conf *c, struct outq *q, int json,
			      unsigned hold_ms)
{
	struct pipeline *p;

	conf_defaults(c);
	snprintf(c->proc_root, sizeof c->proc_root, "%s", root);
	snprintf(c->kubelet_url, sizeof c->kubelet_url, "http://127.0.0.1:9");
	snprintf(c->labels, sizeof c->labels, "app");
	c->output_format = json ? FORMAT_JSON : FORMAT_TEXT;
	c->hold_ms = hold_ms;
	c->proc_connector = 0;
	outq_init(q, c->queue_max_bytes + (1 << 21));
	p = pipeline_new(c, "worker-1", q);
	podcache_set_request(pipeline_podcache(p), on_request, NULL);
	pipeline_tick(p, 0);
	pipeline_pods(p, ticket, list(0), 1);
	return p;
}

/* A pipeline with a kubelet configured and no list yet (just started). */
static struct pipeline *setup_start(struct conf *c, struct outq *q)
{
	struct pipeline *p;

	conf_defaults(c);
	snprintf(c->proc_root, sizeof c->proc_root, "%s", root);
	snprintf(c->kubelet_url, sizeof c->kubelet_url, "http://127.0.0.1:9");
	c->output_format = FORMAT_TEXT;
	snprintf(c->labels, sizeof c->labels, "app");
	c->hold_ms = 300;
	c->proc_connector = 0;
	outq_init(q, c->queue_max_bytes + (1 << 21));
	p = pipeline_new(c, "worker-1", q);
	podcache_set_request(pipeline_podcache(p), on_request, NULL);
	ticket = 0;
	return p;
}

/* Records that come before the first pod list wait for it (hold_ms). */
static void start_cases(void)
{
	struct conf c;
	struct outq q;
	struct pipeline *p;

	CASE("start: records before the first list wait for it, in order") {
		p = setup_start(&c, &q);
		pipeline_tick(p, 0);               /* the first fetch starts */
		CHECK(ticket != 0);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 40);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200", 41);
		CHECK_INT(outq_used(&q), 0);
		pipeline_pods(p, ticket, list(1), 90);
		CHECK_STR(pipefix_take(&q),
			  "type=SYSCALL msg=audit(1.0:1): pid=100 container_id=\"" CID "\" "
			  "k8s_namespace=\"shop\" k8s_pod=\"web-0\" k8s_container=\"app\" "
			  "k8s_pod_id=\"" PUID "\" k8s_image=\"nginx:1.25\" "
			  "k8s_owner=\"ReplicaSet/web-7d9f8\" k8s_label_app=\"web\"\n"
			  "type=SYSCALL msg=audit(1.0:2): pid=200\n");
		CHECK_INT(pipeline_stats(p)->held, 1);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("start: a record before any fetch starts the first, and waits") {
		p = setup_start(&c, &q);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 5);
		CHECK(ticket != 0);
		CHECK_INT(outq_used(&q), 0);
		CHECK_INT(pipeline_deadline(p), 305);
		pipeline_tick(p, 305);             /* no answer by hold_ms */
		CHECK(outq_used(&q) > 0);
		pipefix_take(&q);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("start: one deadline for all that wait, however late they came") {
		const char *out;

		p = setup_start(&c, &q);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 5);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=101", 200);
		CHECK_INT(pipeline_stats(p)->held, 2);
		CHECK_INT(pipeline_deadline(p), 305);
		pipeline_tick(p, 305);             /* the first one's deadline */
		out = pipefix_take(&q);
		CHECK(strstr(out, "pid=100") != NULL);
		CHECK(strstr(out, "pid=101") != NULL);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("names: the runtime state's come before the pod list's") {
		char cmd[700];
		const char *out;
		struct podsnap *s2 = podsnap_new();
		struct podsnap_pod_in in = {
			.uid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
			.namespace_ = "shop", .name = "renamed-in-the-list" };
		int i = podsnap_add_pod(s2, &in);

		podsnap_add_container(s2, (uint32_t)i, CID, "other", "other:1");
		podsnap_seal(s2);
		mkpid(103, "0::/kubepods/pod3f2504e0-4f89-41d3-9a0c-0305e82c3301/" CID "\n");
		snprintf(cmd, sizeof cmd, "mkdir -p %s/state/k8s.io/%s && cp "
			 "tests/data/rtstate/containerd-container.json "
			 "%s/state/k8s.io/%s/config.json", root, CID, root, CID);
		CHECK(system(cmd) == 0);
		p = setup_start(&c, &q);
		snprintf(c.runtime_state_dirs, sizeof c.runtime_state_dirs,
			 "%s/state", root);
		pipeline_free(p);
		outq_done(&q);
		outq_init(&q, c.queue_max_bytes + (1 << 21));
		p = pipeline_new(&c, "worker-1", &q);
		podcache_set_request(pipeline_podcache(p), on_request, NULL);
		pipeline_tick(p, 0);
		pipeline_pods(p, ticket, s2, 1);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=103", 10);
		out = pipefix_take(&q);
		CHECK(strstr(out, " k8s_pod=\"web-7d9f8c6b5-x2x4q\"") != NULL);
		CHECK(strstr(out, " k8s_container=\"app\"") != NULL);
		CHECK(strstr(out, "renamed-in-the-list") == NULL);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("start: the first fetch failing releases at once") {
		p = setup_start(&c, &q);
		pipeline_tick(p, 0);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 10);
		CHECK_INT(outq_used(&q), 0);
		pipeline_pods(p, ticket, NULL, 20);
		CHECK(outq_used(&q) > 0);
		pipefix_take(&q);
		pipeline_free(p);
		outq_done(&q);
	}
}

int main(void)
{
	struct conf c;
	struct outq q;
	struct pipeline *p;
	const char *out;

	if (!mkdtemp(root))
		return 1;
	mkpid(100, "0::/kubepods/pod" PUID "/" CID "\n");
	mkpid(101, "0::/kubepods/pod" PUID "/" CID2 "\n");
	mkpid(200, "0::/system.slice/sshd.service\n");

	start_cases();
	CASE("text: an unknown container waits for its fetch, later records behind it") {
		uint64_t before;

		p = setup(&c, &q, 0, 300);
		before = ticket;
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100 comm=\"a\"", 2000);
		CHECK(ticket != before); /* the miss asked for a fetch */
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200 comm=\"b\"", 2001);
		pipefix_feed(p, "garbage line", 2002);
		CHECK_INT(outq_used(&q), 0);
		CHECK(!pipeline_idle(p));
		CHECK_INT(pipeline_deadline(p), 2300);
		CHECK(pipeline_queued_bytes(p) > 0);
		pipeline_pods(p, ticket, list(1), 2050);
		out = pipefix_take(&q);
		CHECK_STR(out,
			  "type=SYSCALL msg=audit(1.0:1): pid=100 comm=\"a\" "
			  "container_id=\"" CID "\" k8s_namespace=\"shop\" "
			  "k8s_pod=\"web-0\" k8s_container=\"app\" "
			  "k8s_pod_id=\"" PUID "\" k8s_image=\"nginx:1.25\" "
			  "k8s_owner=\"ReplicaSet/web-7d9f8\" k8s_label_app=\"web\"\n"
			  "type=SYSCALL msg=audit(1.0:2): pid=200 comm=\"b\"\n"
			  "garbage line\n");
		CHECK(pipeline_idle(p));
		CHECK_INT(pipeline_stats(p)->held, 1);
		CHECK_INT(pipeline_stats(p)->hold_max_ms, 50);
		CHECK_INT(pipeline_stats(p)->named, 1);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: a second hold after the first drained waits for its own fetch") {
		uint64_t first;

		p = setup(&c, &q, 0, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 2000);
		first = ticket;
		pipeline_pods(p, ticket, list(1), 2050);
		CHECK(strstr(pipefix_take(&q), "pid=100 container_id=\"" CID "\" k8s_namespace=") != NULL);
		CHECK(pipeline_idle(p));
		/* later, a container the drained list did not know either */
		mkpid(104, "0::/kubepods/pod" PUID3 "/" CID3 "\n");
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=104", 4000);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:3): pid=200", 4001);
		CHECK(ticket != first); /* a fetch of its own */
		CHECK_INT(outq_used(&q), 0);
		CHECK(!pipeline_idle(p));
		CHECK_INT(pipeline_deadline(p), 4300);
		pipeline_pods(p, ticket, list_two_pods(), 4080);
		CHECK_STR(pipefix_take(&q),
			  "type=SYSCALL msg=audit(1.0:2): pid=104 container_id=\"" CID3 "\" "
			  "k8s_namespace=\"shop\" k8s_pod=\"api-0\" k8s_container=\"api\" "
			  "k8s_pod_id=\"" PUID3 "\" k8s_image=\"api:2\"\n"
			  "type=SYSCALL msg=audit(1.0:3): pid=200\n");
		CHECK(pipeline_idle(p));
		CHECK_INT(pipeline_stats(p)->held, 2);
		CHECK_INT(pipeline_stats(p)->hold_max_ms, 80);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: no answer by hold_ms: out with what is known, in order") {
		p = setup(&c, &q, 0, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200", 2100);
		pipeline_tick(p, 2299);
		CHECK_INT(outq_used(&q), 0);
		pipeline_tick(p, 2300);
		CHECK_STR(pipefix_take(&q),
			  "type=SYSCALL msg=audit(1.0:1): pid=101 container_id=\"" CID2 "\" "
			  "k8s_namespace=\"shop\" k8s_pod=\"web-0\" k8s_pod_id=\"" PUID "\" "
			  "k8s_owner=\"ReplicaSet/web-7d9f8\" k8s_label_app=\"web\"\n"
			  "type=SYSCALL msg=audit(1.0:2): pid=200\n");
		/* the late answer changes nothing and loses nothing */
		pipeline_pods(p, ticket, list(1), 2400);
		CHECK_INT(outq_used(&q), 0);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: one shared deadline for everything held") {
		p = setup(&c, &q, 0, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		/* another miss, spaced too close for a fetch of its own */
		mkpid(102, "0::/kubepods/podaaaabbbb-3333-4444-5555-666677778888/"
			   "aa23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=102", 2200);
		pipeline_tick(p, 2300);
		out = pipefix_take(&q);
		CHECK(strstr(out, "pid=101") && strstr(out, "pid=102"));
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: a failed fetch releases at once; while down nothing waits") {
		p = setup(&c, &q, 0, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		CHECK_INT(outq_used(&q), 0);
		pipeline_pods(p, ticket, NULL, 2010);
		CHECK(strstr(pipefix_take(&q), "pid=101 container_id=") != NULL);
		CHECK_INT(podcache_state(pipeline_podcache(p)), PODCACHE_DOWN);
		mkpid(103, "0::/kubepods/podcccc2222-3333-4444-5555-666677778888/"
			   "cc23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=103", 2020);
		CHECK(strstr(pipefix_take(&q), "pid=103 container_id=") != NULL);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: hold_ms = 0 never holds") {
		p = setup(&c, &q, 0, 0);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		CHECK(strstr(pipefix_take(&q), "pid=101 container_id=") != NULL);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: known containers and host processes never wait") {
		p = setup(&c, &q, 0, 300);
		pipeline_tick(p, 20000);         /* periodic fetch */
		pipeline_pods(p, ticket, list(1), 20010);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 20020);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200", 20020);
		out = pipefix_take(&q);
		CHECK(strstr(out, "pid=100 container_id=") && strstr(out, "pid=200\n"));
		CHECK_INT(pipeline_stats(p)->held, 0);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("text: flush at exit lets everything out") {
		p = setup(&c, &q, 0, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200", 2000);
		pipeline_flush(p);
		out = pipefix_take(&q);
		CHECK(strstr(out, "pid=101") && strstr(out, "pid=200"));
		CHECK(pipeline_idle(p));
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("json: an event of an unknown container waits, then carries the names") {
		p = setup(&c, &q, 1, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 2000);
		pipefix_feed(p, "type=EOE msg=audit(1.0:1): ", 2000);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200", 2001);
		pipefix_feed(p, "type=EOE msg=audit(1.0:2): ", 2001);
		CHECK_INT(outq_used(&q), 0);
		CHECK_INT(pipeline_deadline(p), 2300);
		pipeline_pods(p, ticket, list(1), 2040);
		out = pipefix_take(&q);
		CHECK(strstr(out, "\"serial\":1") && strstr(out, "\"serial\":2") &&
		      strstr(out, "\"serial\":1") < strstr(out, "\"serial\":2"));
		CHECK(strstr(out, "\"pod\":\"web-0\"") &&
		      strstr(out, "\"container\":\"app\"") &&
		      strstr(out, "\"owner\":\"ReplicaSet/web-7d9f8\"") &&
		      strstr(out, "\"labels\":{\"app\":\"web\"}"));
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("json: the deadline releases a held event") {
		p = setup(&c, &q, 1, 300);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=101", 2000);
		pipefix_feed(p, "type=EOE msg=audit(1.0:1): ", 2000);
		pipeline_tick(p, 2299);
		CHECK_INT(outq_used(&q), 0);
		pipeline_tick(p, 2300);
		CHECK(strstr(pipefix_take(&q), "\"serial\":1") != NULL);
		CHECK(pipeline_idle(p));
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("sources that disagree: the runtime state's pod and the list's are two: ?") {
		char cmd[700];

		/* the cgroup names no pod; the state file says pod 3f2504e0-...
		 * (tests/data/rtstate), the list puts CID in pod PUID */
		mkpid(102, "0::/system.slice/containerd.service/" CID "\n");
		snprintf(cmd, sizeof cmd, "mkdir -p %s/state/k8s.io/%s && cp "
			 "tests/data/rtstate/containerd-container.json "
			 "%s/state/k8s.io/%s/config.json", root, CID, root, CID);
		CHECK(system(cmd) == 0);
		conf_defaults(&c);
		snprintf(c.proc_root, sizeof c.proc_root, "%s", root);
		snprintf(c.runtime_state_dirs, sizeof c.runtime_state_dirs,
			 "%s/state", root);
		snprintf(c.kubelet_url, sizeof c.kubelet_url, "http://127.0.0.1:9");
		c.hold_ms = 300;
		c.proc_connector = 0;
		outq_init(&q, c.queue_max_bytes + (1 << 21));
		p = pipeline_new(&c, "worker-1", &q);
		podcache_set_request(pipeline_podcache(p), on_request, NULL);
		pipeline_tick(p, 0);
		pipeline_pods(p, ticket, list(1), 1);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=102", 10);
		pipeline_flush(p);
		out = pipefix_take(&q);
		CHECK_STR(out, "type=SYSCALL msg=audit(1.0:1): pid=102 container_id=?\n");
		CHECK_INT(pipeline_stats(p)->disagree, 1);
		pipeline_free(p);
		outq_done(&q);
	}
	check_case_end();
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			perror("rm");
	}
	return check_done();
}
