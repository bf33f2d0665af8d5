/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pipeline.c - the record path without I/O: node matching, which
 * records get fields, JSON events closed by an injected clock, the queue
 * bound.  The proc tree is made in a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pipefix.h"
#include "plugin/pipeline.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PUID "11112222-3333-4444-5555-666677778888"

static char root[] = "/tmp/p2p-pipe-XXXXXX";

static void mkpid(int pid, const char *cgroup)
{
	pipefix_mkpid(root, pid, cgroup);
}



int main(void)
{
	struct conf c;
	struct outq q;
	struct pipeline *p;

	if (!mkdtemp(root))
		return 1;
	mkpid(100, "0::/kubepods/pod" PUID "/" CID "\n");
	mkpid(200, "0::/system.slice/sshd.service\n");

	struct { const char *mine, *node; int want; } nodes[] = {
		{ "worker-1", "worker-1", 1 },
		{ "worker-1", "worker-1.example.com", 1 },
		{ "worker-1.example.com", "worker-1", 1 },
		{ "worker-1.example.com", "worker-1.example.com", 1 },
		{ "worker-1.a.com", "worker-1.b.com", 0 },
		{ "worker-1", "worker-10", 0 },
		{ "worker-1", "worker", 0 },
		{ "worker-1", "", 0 },
	};
	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
		char name[128];

		snprintf(name, sizeof name, "node '%s' vs mine '%s'",
			 nodes[i].node, nodes[i].mine);
		CASE(name) {
			CHECK_INT(pipeline_node_matches(nodes[i].mine, nodes[i].node,
							strlen(nodes[i].node)),
				  nodes[i].want);
		}
	}

	conf_defaults(&c);
	snprintf(c.proc_root, sizeof c.proc_root, "%s", root);
	outq_init(&q, c.queue_max_bytes + (1 << 21));
	p = pipeline_new(&c, "worker-1", &q);

	CASE("text: container, host, gone, foreign node, EOE") {
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100 comm=\"a\"", 0);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=200 comm=\"b\"", 0);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:3): pid=300 comm=\"c\"", 0);
		pipefix_feed(p, "node=other type=SYSCALL msg=audit(1.0:4): pid=100", 0);
		pipefix_feed(p, "node=worker-1.x type=SYSCALL msg=audit(1.0:5): pid=100", 0);
		pipefix_feed(p, "type=EOE msg=audit(1.0:1): ", 0);
		CHECK_STR(pipefix_take(&q),
			  "type=SYSCALL msg=audit(1.0:1): pid=100 comm=\"a\" "
			  "container_id=\"" CID "\" k8s_pod_id=\"" PUID "\"\n"
			  "type=SYSCALL msg=audit(1.0:2): pid=200 comm=\"b\"\n"
			  "type=SYSCALL msg=audit(1.0:3): pid=300 comm=\"c\" container_id=?\n"
			  "node=other type=SYSCALL msg=audit(1.0:4): pid=100\n"
			  "node=worker-1.x type=SYSCALL msg=audit(1.0:5): pid=100 "
			  "container_id=\"" CID "\" k8s_pod_id=\"" PUID "\"\n");
		CHECK_INT(pipeline_stats(p)->enriched, 2);
		CHECK_INT(pipeline_stats(p)->host, 1);
		CHECK_INT(pipeline_stats(p)->unresolved, 1);
		CHECK_INT(pipeline_stats(p)->foreign_node, 1);
		CHECK_INT(pipeline_stats(p)->eoe, 1);
	}
	CASE("a pid is read once: later records are cache hits") {
		/* remove the file: a cached answer must still come back */
		char path[256];

		snprintf(path, sizeof path, "%s/100/cgroup", root);
		unlink(path);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:6): pid=100", 10);
		CHECK(strstr(pipefix_take(&q), "container_id=\"" CID "\"") != NULL);
		mkpid(100, "0::/kubepods/pod" PUID "/" CID "\n");
	}
	pipeline_free(p);
	outq_done(&q);

	c.output_format = FORMAT_JSON;
	outq_init(&q, c.queue_max_bytes + (1 << 21));
	p = pipeline_new(&c, "worker-1", &q);
	CASE("json: an event without EOE closes at the timeout, not before") {
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:7): pid=100", 1000);
		pipeline_tick(p, 1000 + 1999);
		CHECK_INT(outq_used(&q), 0);
		CHECK_INT(pipeline_deadline(p), 3000);
		pipeline_tick(p, 3000);
		CHECK(strstr(pipefix_take(&q), "\"serial\":7,") != NULL);
		CHECK_INT(pipeline_deadline(p), -1);
	}
	CASE("json: k8s object from the first pid= record") {
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:8): pid=100", 0);
		pipefix_feed(p, "type=EOE msg=audit(1.0:8): ", 0);
		CHECK_STR(pipefix_take(&q),
			  "{\"node\":\"worker-1\",\"time\":\"1.000\",\"serial\":8,"
			  "\"records\":[{\"type\":\"SYSCALL\",\"text\":\"type=SYSCALL "
			  "msg=audit(1.0:8): pid=100\",\"fields\":{\"pid\":\"100\"}}],"
			  "\"k8s\":{\"container_id\":\""
			  CID "\",\"pod_uid\":\"" PUID "\"}}\n");
	}
	CASE("json: flush closes what is open") {
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:9): pid=200", 0);
		pipeline_flush(p);
		CHECK_STR(pipefix_take(&q),
			  "{\"node\":\"worker-1\",\"time\":\"1.000\",\"serial\":9,"
			  "\"records\":[{\"type\":\"SYSCALL\",\"text\":\"type=SYSCALL "
			  "msg=audit(1.0:9): pid=200\",\"fields\":{\"pid\":\"200\"}}]}\n");
	}
	pipeline_free(p);
	outq_done(&q);

	CASE("runtime state: names inserted in order; a disagreeing pod is ?") {
		char dir[300], cmd[700];
		const char *out;

		snprintf(dir, sizeof dir, "%s/state/k8s.io/%s", root, CID);
		snprintf(cmd, sizeof cmd, "mkdir -p %s && cp tests/data/rtstate/"
			 "containerd-container.json %s/config.json", dir, dir);
		CHECK(system(cmd) == 0);
		conf_defaults(&c);
		snprintf(c.proc_root, sizeof c.proc_root, "%s", root);
		snprintf(c.runtime_state_dirs, sizeof c.runtime_state_dirs,
			 "/nonexistent %s/state", root);
		outq_init(&q, c.queue_max_bytes + (1 << 21));
		p = pipeline_new(&c, "w", &q);
		/* the cgroup names pod PUID, the state file another pod */
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:1): pid=100", 0);
		CHECK_STR(pipefix_take(&q), "type=SYSCALL msg=audit(1.0:1): pid=100 container_id=?\n");
		CHECK_INT(pipeline_stats(p)->disagree, 1);
		pipeline_free(p);
		outq_done(&q);
		/* a cgroup without pod UID: the state's names and UID are used */
		mkpid(101, "0::/system.slice/containerd.service/" CID "\n");
		outq_init(&q, c.queue_max_bytes + (1 << 21));
		p = pipeline_new(&c, "w", &q);
		pipefix_feed(p, "type=SYSCALL msg=audit(1.0:2): pid=101\x1dX=1", 0);
		out = pipefix_take(&q);
		CHECK_STR(out, "type=SYSCALL msg=audit(1.0:2): pid=101 container_id=\"" CID
			  "\" k8s_namespace=\"shop\" k8s_pod=\"web-7d9f8c6b5-x2x4q\" "
			  "k8s_container=\"app\" k8s_pod_id=\"3f2504e0-4f89-41d3-9a0c-"
			  "0305e82c3301\" k8s_image=\"registry.example/team/web:1.4.2\"\x1dX=1\n");
		CHECK_INT(pipeline_stats(p)->named, 1);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("the queue bound: has_room turns false before max bytes") {
		char line[8000];
		int n = 0;

		conf_defaults(&c);
		c.queue_max_bytes = 64 * 1024;
		outq_init(&q, c.queue_max_bytes + (1 << 21));
		p = pipeline_new(&c, "w", &q);
		memset(line, 'x', sizeof line - 1);
		line[sizeof line - 1] = '\0';
		memcpy(line, "type=PATH msg=audit(1.0:1): a=", 30);
		while (pipeline_has_room(p) && n < 100) {
			pipefix_feed(p, line, 0);
			n++;
		}
		CHECK(n > 3 && n < 10);
		CHECK(outq_used(&q) <= c.queue_max_bytes);
		pipeline_free(p);
		outq_done(&q);
	}
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			return 1;
	}
	return check_done();
}
