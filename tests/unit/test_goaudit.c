/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_goaudit.c - go-audit's JSON lines: which lines are objects of its
 * shape, which pids their messages carry (the field-aware scanner over the
 * unescaped data: quoted pid= never counts, \" \u0022 \\ handled), where
 * "k8s" goes and that cutting it out gives the line back byte for byte;
 * reports of malformed and overlong lines are valid JSON; the pipeline in
 * go-audit mode (host, container, unresolved, counters, the kubelet hold
 * and order); the input's larger line cap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "input/goaudit.h"
#include "input/input.h"
#include "pipefix.h"
#include "plugin/pipeline.h"
#include "podmeta/podcache.h"
#include "podmeta/podsnap.h"
#include "resolve/resolve.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PUID "11112222-3333-4444-5555-666677778888"
#define CID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* A real SYSCALL record's fields (tests/data/captured-enriched.log), escaped. */
#define SYSCALL_DATA(pid) \
	"arch=c000003e syscall=59 success=yes exit=0 a0=56407f9b2020 " \
	"a1=56407f9960a0 a2=56407f993260 a3=f18d69411efcc872 items=2 " \
	"ppid=2904 pid=" pid " auid=4294967295 uid=0 gid=0 euid=0 suid=0 " \
	"fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 " \
	"comm=\\\"auditctl\\\" exe=\\\"/usr/sbin/auditctl\\\" key=\\\"exec\\\""
#define OBJ(msgs) "{\"sequence\":5,\"timestamp\":\"1795517706.346\"," \
	"\"messages\":[" msgs "],\"uid_map\":{\"0\":\"root\"}}"
#define MSG(type, data) "{\"type\":" #type ",\"data\":\"" data "\"}"

struct scan_case {
	const char *name;
	const char *line;
	int status;
	unsigned npids;
	int32_t pids[4];
};

static const struct scan_case scans[] = {
	{ "syscall, execve, cwd: one pid", OBJ(MSG(1300, SYSCALL_DATA("2925")) ","
	  MSG(1309, "argc=2 a0=\\\"sh\\\" a1=\\\"pid=5\\\"") "," MSG(1307, "cwd=\\\"/root\\\""))
	  , GOAUDIT_OK, 1, { 2925 } },
	{ "user message: pid= inside msg='...' does not count",
	  OBJ(MSG(1005, "pid=2936 uid=0 auid=4294967295 ses=4294967295 msg='text=pid=7 "
		  "exe=\\\"/usr/sbin/auditctl\\\" res=success'")), GOAUDIT_OK, 1, { 2936 } },
	{ "user message without a pid of its own",
	  OBJ(MSG(1005, "uid=0 msg='op=x pid=7 res=success'")), GOAUDIT_OK, 0, { 0 } },
	{ "pid= inside a quoted comm does not count",
	  OBJ(MSG(1300, "comm=\\\"x pid=9\\\" pid=4")), GOAUDIT_OK, 1, { 4 } },
	{ "\\u0022 is a quote: pid= inside it does not count",
	  OBJ(MSG(1300, "comm=\\u0022x pid=9\\u0022 pid=4")), GOAUDIT_OK, 1, { 4 } },
	{ "\\\\ in data is a backslash, not an escape of the quote",
	  OBJ(MSG(1302, "name=\\\"C:\\\\\\\" pid=3")), GOAUDIT_OK, 1, { 3 } },
	{ "\\u0070id= spells pid=", OBJ(MSG(1300, "\\u0070id=12")), GOAUDIT_OK, 1, { 12 } },
	{ "key data\\u0000 is not data", OBJ("{\"type\":1300,\"data\\u0000\":\"pid=8\"}"),
	  GOAUDIT_OK, 0, { 0 } },
	{ "escaped key d\\u0061ta is data", OBJ("{\"type\":1300,\"d\\u0061ta\":\"pid=8\"}"),
	  GOAUDIT_OK, 1, { 8 } },
	{ "data with an audit() prefix", OBJ(MSG(1300, "audit(1.2:3): pid=5")), GOAUDIT_OK, 1, { 5 } },
	{ "pid=abc is no pid", OBJ(MSG(1300, "pid=abc ppid=1")), GOAUDIT_OK, 0, { 0 } },
	{ "opid= is not pid=", OBJ(MSG(1318, "opid=2935 oauid=-1 ocomm=\\\"bash\\\"")),
	  GOAUDIT_OK, 0, { 0 } },
	{ "several pid messages", OBJ(MSG(1300, "pid=1") "," MSG(1400, "x=1 pid=2") ","
	  MSG(1326, "pid=3")), GOAUDIT_OK, 3, { 1, 2, 3 } },
	{ "netfilter_cfg: a table named pid=: the kernel's tail pid",
	  OBJ(MSG(1325, "table=x pid=5000 y:2 family=2 entries=1 "
		  "op=nft_register_table pid=1621 comm=\\\"nft\\\"")), GOAUDIT_OK, 1, { 1621 } },
	{ "netfilter_cfg: type after data counts too",
	  OBJ("{\"data\":\"table=x pid=5000 y:2 family=2 entries=1 op=nft_register_table "
	      "pid=1621 comm=\\\"nft\\\"\",\"type\":1325}"), GOAUDIT_OK, 1, { 1621 } },
	{ "netfilter_cfg: only the table's pid=: ? (pid 0), never 5000",
	  OBJ(MSG(1325, "table=x pid=5000 family=2 entries=1")), GOAUDIT_OK, 1, { 0 } },
	{ "a type that is not audit's small integer: the first pid=",
	  OBJ("{\"type\":1325.5,\"data\":\"table=x pid=5000 y\"}"), GOAUDIT_OK, 1, { 5000 } },
	{ "a message with k8s already gets none",
	  OBJ("{\"type\":1300,\"data\":\"pid=5\",\"k8s\":{\"container_id\":\"?\"}}"),
	  GOAUDIT_OK, 0, { 0 } },
	{ "empty messages, empty message", OBJ("{}"), GOAUDIT_OK, 0, { 0 } },
	{ "white space everywhere", " { \"messages\" : [ { \"data\" : \"pid=6\" } ] } \t\r",
	  GOAUDIT_OK, 1, { 6 } },
	{ "utf-8 in strings", OBJ(MSG(1302, "name=\\\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\\" pid=2")),
	  GOAUDIT_OK, 1, { 2 } },
	{ "numbers and literals", "{\"a\":[0,-1,2.5,1e5,-0.1E-3,true,false,null],\"messages\":[]}",
	  GOAUDIT_OK, 0, { 0 } },
	{ "empty line", "", GOAUDIT_EMPTY, 0, { 0 } },
	{ "white space only", "  \t ", GOAUDIT_EMPTY, 0, { 0 } },
	{ "not an object: array", "[1,2,{\"messages\":[]}]", GOAUDIT_SHAPE, 0, { 0 } },
	{ "not an object: string", "\"pid=5\"", GOAUDIT_SHAPE, 0, { 0 } },
	{ "not an object: number", "42", GOAUDIT_SHAPE, 0, { 0 } },
	{ "no messages", "{\"sequence\":1}", GOAUDIT_SHAPE, 0, { 0 } },
	{ "messages not an array", "{\"messages\":{\"data\":\"pid=5\"}}", GOAUDIT_SHAPE, 0, { 0 } },
	{ "messages twice", "{\"messages\":[],\"messages\":[]}", GOAUDIT_SHAPE, 0, { 0 } },
	{ "a message not an object", OBJ(MSG(1300, "pid=5") ",\"pid=6\""), GOAUDIT_SHAPE, 0, { 0 } },
	{ "data not a string", OBJ("{\"type\":1300,\"data\":5}"), GOAUDIT_SHAPE, 0, { 0 } },
	{ "data null", OBJ("{\"type\":1300,\"data\":null}"), GOAUDIT_SHAPE, 0, { 0 } },
	{ "data twice", OBJ("{\"data\":\"pid=5\",\"data\":\"pid=6\"}"), GOAUDIT_SHAPE, 0, { 0 } },
	{ "truncated", "{\"sequence\":5,\"messages\":[{\"type\":1300,\"data\":\"pid=5",
	  GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "truncated after a message", "{\"messages\":[{\"data\":\"pid=5\"}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "bad escape", OBJ(MSG(1300, "pid=5 \\x")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "short \\u escape", OBJ(MSG(1300, "pid=5 \\u00")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "raw control byte in a string", OBJ(MSG(1300, "pid=5\tx")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "invalid utf-8", OBJ(MSG(1300, "pid=5 \xc3(")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "overlong utf-8", OBJ(MSG(1300, "pid=5 \xc0\xaf")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "utf-16 surrogate in utf-8", OBJ(MSG(1300, "pid=5 \xed\xa0\x80")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "garbage after the object", OBJ(MSG(1300, "pid=5")) "x", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "two objects on a line", OBJ(MSG(1300, "pid=5")) OBJ(MSG(1300, "pid=6")), GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "trailing comma", "{\"messages\":[],}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "missing colon", "{\"messages\" []}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "unquoted key", "{messages:[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "bad number 01", "{\"a\":01,\"messages\":[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "bad number 1.", "{\"a\":1.,\"messages\":[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "bad number -", "{\"a\":-,\"messages\":[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "bad literal", "{\"a\":tru,\"messages\":[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "single quotes", "{'messages':[]}", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "a lone brace", "{", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "a lone quote", "\"", GOAUDIT_BAD_JSON, 0, { 0 } },
	{ "utf-8 cut by the end of the line", "{\"messages\":[],\"a\":\"\xe2\x82", GOAUDIT_BAD_JSON, 0, { 0 } },
};

static char *repeat(const char *head, const char *unit, unsigned n,
		    const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1), *p = s;

	memcpy(p, head, hl);
	p += hl;
	for (unsigned i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

/* The k8s object the tests insert: the pid, so each insertion is told apart. */
static size_t fake_k8s(void *ctx, unsigned i, int32_t pid, char *dst, size_t cap)
{
	int n = snprintf(dst, cap, "{\"container_id\":\"%d\"}", pid);

	(void)ctx;
	(void)i;
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* out with every `,"k8s":{...}` (no nested braces in fake_k8s) cut. */
static size_t cut_k8s(char *out, size_t n)
{
	char *p;

	while ((p = memmem(out, n, ",\"k8s\":{", 8))) {
		char *e = memchr(p, '}', n - (size_t)(p - out));
		size_t k = (size_t)(e + 1 - p);

		memmove(p, e + 1, n - (size_t)(e + 1 - out));
		n -= k;
	}
	return n;
}

/* The report of a malformed line must itself be valid JSON. */
static int valid_json(const char *s, size_t n)
{
	struct goaudit_obj o;

	goaudit_scan(s, n, &o);
	return o.status == GOAUDIT_OK || o.status == GOAUDIT_SHAPE;
}

static void scan_tests(void)
{
	static char out[1 << 20];
	struct goaudit_obj o;
	size_t n;

	for (size_t i = 0; i < sizeof scans / sizeof scans[0]; i++) {
		const struct scan_case *t = &scans[i];
		size_t len = strlen(t->line);

		CASE(t->name) {
			goaudit_scan(t->line, len, &o);
			CHECK_INT(o.status, t->status);
			CHECK_INT(o.npids, t->npids);
			for (unsigned k = 0; k < o.npids && k < t->npids; k++) {
				CHECK_INT(o.pids[k].pid, t->pids[k]);
				CHECK(t->line[o.pids[k].insert_at] == '}');
			}
			if (o.status == GOAUDIT_OK) {
				unsigned had = o.has_k8s;

				n = goaudit_format(out, sizeof out, t->line, len, &o,
						   fake_k8s, NULL);
				CHECK(n > 0 && out[n - 1] == '\n');
				CHECK(valid_json(out, n - 1));
				/* cut the insertions: the line, byte for byte */
				if (!had) {
					n = cut_k8s(out, n);
					CHECK(n == len + 1 && memcmp(out, t->line, len) == 0);
				}
				/* and it now carries them: a second run adds none */
				n = goaudit_format(out, sizeof out, t->line, len, &o,
						   fake_k8s, NULL);
				goaudit_scan(out, n - 1, &o);
				CHECK_INT(o.npids, 0);
				CHECK_INT(o.has_k8s, t->npids + had);
			}
		}
	}

	CASE("timestamp: the event's time in ms, for the pid's owner then") {
		static const struct { const char *line; int64_t ms; } ts[] = {
			{ OBJ(MSG(1300, "pid=5")), 1795517706346LL },
			{ "{\"timestamp\":\"12.5\",\"messages\":[]}", 12500 },
			{ "{\"timestamp\":\"12.05\",\"messages\":[]}", 12050 },
			{ "{\"messages\":[]}", 0 },
			{ "{\"timestamp\":12.5,\"messages\":[]}", 0 },
			{ "{\"timestamp\":\"12\",\"messages\":[]}", 0 },
			{ "{\"timestamp\":\"12.5x\",\"messages\":[]}", 0 },
			{ "{\"timestamp\":\"12.5\",\"timestamp\":\"99.1\",\"messages\":[]}", 12500 },
			{ "{\"x\":{\"timestamp\":\"99.1\"},\"messages\":[]}", 0 },
		};
		struct goaudit_obj to;

		for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
			goaudit_scan(ts[i].line, strlen(ts[i].line), &to);
			CHECK_INT(to.wall_ms, ts[i].ms);
		}
	}
	CASE("format: k8s goes just before each pid message's closing brace") {
		const char *line = OBJ(MSG(1300, "pid=7") "," MSG(1307, "cwd=x") "," MSG(1300, "pid=8"));

		goaudit_scan(line, strlen(line), &o);
		n = goaudit_format(out, sizeof out, line, strlen(line), &o, fake_k8s, NULL);
		out[n] = '\0';
		CHECK_STR(out, OBJ("{\"type\":1300,\"data\":\"pid=7\",\"k8s\":{\"container_id\":\"7\"}},"
				   MSG(1307, "cwd=x") ","
				   "{\"type\":1300,\"data\":\"pid=8\",\"k8s\":{\"container_id\":\"8\"}}") "\n");
	}
	CASE("format: cap too small gives 0, never a partial line") {
		const char *line = OBJ(MSG(1300, "pid=7"));

		goaudit_scan(line, strlen(line), &o);
		for (size_t cap = 0; cap < strlen(line) + 1; cap++)
			CHECK_INT(goaudit_format(out, cap, line, strlen(line), &o, fake_k8s, NULL), 0);
		/* room for the line but not the k8s object: the line, no k8s */
		n = goaudit_format(out, strlen(line) + 1 + 7 + 5, line, strlen(line), &o, fake_k8s, NULL);
		CHECK(n == strlen(line) + 1 && memcmp(out, line, strlen(line)) == 0);
	}
	CASE("nesting: 30 levels inside uid_map are fine, 40 are reported") {
		char *ok = repeat("{\"messages\":[{\"data\":\"pid=5\"}],\"uid_map\":", "[", 29, "");
		char *deep = repeat("{\"messages\":[{\"data\":\"pid=5\"}],\"uid_map\":", "[", 40, "");
		char *ok2 = malloc(strlen(ok) + 64), *deep2 = malloc(strlen(deep) + 64);

		sprintf(ok2, "%s", ok);
		for (int k = 0; k < 29; k++)
			strcat(ok2, "]");
		strcat(ok2, "}");
		sprintf(deep2, "%s", deep);
		for (int k = 0; k < 40; k++)
			strcat(deep2, "]");
		strcat(deep2, "}");
		goaudit_scan(ok2, strlen(ok2), &o);
		CHECK_INT(o.status, GOAUDIT_OK);
		CHECK_INT(o.npids, 1);
		goaudit_scan(deep2, strlen(deep2), &o);
		CHECK_INT(o.status, GOAUDIT_DEEP);
		CHECK_INT(o.npids, 0);
		CHECK_STR(goaudit_why(o.status, 0), "deep");
		free(ok);
		free(deep);
		free(ok2);
		free(deep2);
	}
	CASE("nesting: exactly GOAUDIT_DEPTH_MAX levels are fine, one more is reported") {
		for (int k = GOAUDIT_DEPTH_MAX - 1; k <= GOAUDIT_DEPTH_MAX; k++) {
			/* the object is level 1, uid_map's k arrays levels 2..k+1 */
			char *pre = repeat("{\"messages\":[{\"data\":\"pid=5\"}],\"uid_map\":", "[", k, "");
			char *line = malloc(strlen(pre) + (size_t)k + 2);

			sprintf(line, "%s", pre);
			for (int j = 0; j < k; j++)
				strcat(line, "]");
			strcat(line, "}");
			goaudit_scan(line, strlen(line), &o);
			CHECK_INT(o.status, k + 1 <= GOAUDIT_DEPTH_MAX ? GOAUDIT_OK : GOAUDIT_DEEP);
			free(pre);
			free(line);
		}
	}
	CASE("cap: 40 pid messages, the first 32 get k8s, 8 counted") {
		char *line = repeat("{\"messages\":[", "{\"data\":\"pid=9\"},", 39,
				    "{\"data\":\"pid=9\"}]}");

		goaudit_scan(line, strlen(line), &o);
		CHECK_INT(o.status, GOAUDIT_OK);
		CHECK_INT(o.nmsgs, 40);
		CHECK_INT(o.npids, GOAUDIT_PIDS_MAX);
		CHECK_INT(o.capped, 40 - GOAUDIT_PIDS_MAX);
		free(line);
	}
	CASE("NUL bytes: reported, valid JSON, \\u0000 shown") {
		static const char line[] = "{\"messages\":[{\"data\":\"pid=5\0x\"}]}";
		size_t len = sizeof line - 1;

		goaudit_scan(line, len, &o);
		CHECK_INT(o.status, GOAUDIT_NUL);
		n = goaudit_malformed(out, sizeof out, line, len, len, goaudit_why(o.status, 0));
		CHECK(n > 0 && out[n - 1] == '\n' && !memchr(out, '\0', n));
		CHECK(valid_json(out, n - 1));
		CHECK(memmem(out, n, "\"malformed\":\"nul\"", 17) != NULL);
		CHECK(memmem(out, n, "pid=5\\u0000x", 12) != NULL);
	}
	CASE("\\u0000 inside data is valid JSON: scanned, pid found") {
		const char *line = OBJ(MSG(1300, "pid=5 x=\\u0000"));

		goaudit_scan(line, strlen(line), &o);
		CHECK_INT(o.status, GOAUDIT_OK);
		CHECK_INT(o.npids, 1);
	}
	CASE("malformed report: valid JSON holding the line, kept capped") {
		const char *bad = "{\"messages\":[{\"data\":\"pid=5 \\\"x\\\\\"";
		char *big = repeat("{\"data\":\"", "\x01\"\\", GOAUDIT_REPORT_KEEP, "");
		size_t bl = strlen(big);

		n = goaudit_malformed(out, sizeof out, bad, strlen(bad), strlen(bad), "json");
		out[n] = '\0';
		CHECK_STR(out, "{\"malformed\":\"json\",\"orig_len\":34,\"kept\":34,\"line\":"
			       "\"{\\\"messages\\\":[{\\\"data\\\":\\\"pid=5 \\\\\\\"x\\\\\\\\\\\"\"}\n");
		n = goaudit_malformed(out, GOAUDIT_REPORT_BOUND, big, bl, 900000, "long");
		CHECK(n > 0 && n <= GOAUDIT_REPORT_BOUND);
		CHECK(valid_json(out, n - 1));
		CHECK(memmem(out, 80, "\"orig_len\":900000,\"kept\":65536", 30) != NULL);
		CHECK_INT(goaudit_malformed(out, 20, bad, strlen(bad), strlen(bad), "json"), 0);
		free(big);
	}
}

/* ---- the pipeline in go-audit mode ---- */

static char root[] = "/tmp/p2p-goaudit-XXXXXX";
static int root_made;
static uint64_t ticket;

static void on_request(void *ctx, uint64_t t)
{
	(void)ctx;
	ticket = t;
}

static struct podsnap *list(int with_ctr)
{
	struct podsnap *s = podsnap_new();
	struct podsnap_pod_in in = { .uid = PUID, .namespace_ = "shop",
				     .name = "web-0", .owner = "ReplicaSet/web-7d9f8" };
	int i = podsnap_add_pod(s, &in);

	if (with_ctr)
		podsnap_add_container(s, (uint32_t)i, CID, "app", "nginx:1.25");
	podsnap_seal(s);
	return s;
}

static struct pipeline *setup(struct conf *c, struct outq *q, int kubelet,
			      unsigned hold_ms)
{
	struct pipeline *p;

	conf_defaults(c);
	c->input = INPUT_GOAUDIT;
	c->output_format = FORMAT_JSON; /* does not apply to go-audit */
	snprintf(c->proc_root, sizeof c->proc_root, "%s", root);
	snprintf(c->node_name, sizeof c->node_name, "worker-1");
	c->runtime_state_dirs[0] = '\0';
	c->kubelet_token_file[0] = '\0';
	if (kubelet)
		snprintf(c->kubelet_url, sizeof c->kubelet_url, "http://127.0.0.1:9");
	c->hold_ms = hold_ms;
	c->proc_connector = 0;
	outq_init(q, c->queue_max_bytes + (1 << 21));
	p = pipeline_new(c, "worker-1", q);
	if (kubelet) {
		podcache_set_request(pipeline_podcache(p), on_request, NULL);
		pipeline_tick(p, 0);
		pipeline_pods(p, ticket, list(0), 1);
	}
	return p;
}

#define K8S_CID "\"k8s\":{\"container_id\":\"" CID "\",\"pod_uid\":\"" PUID "\"}"

static void pipeline_tests(void)
{
	struct conf c;
	struct outq q;
	struct pipeline *p;
	const char *out;
	const struct pipe_stats *st;

	if (!mkdtemp(root)) {
		check_skip("pipeline", "mkdtemp failed");
		return;
	}
	root_made = 1;
	pipefix_mkpid(root, 100, "0::/kubepods/pod" PUID "/" CID "\n");
	pipefix_mkpid(root, 200, "0::/system.slice/sshd.service\n");
	pipefix_mkpid(root, 300, "");   /* exited: unresolved */

	CASE("pipeline: container, host, unresolved, no pid; order kept") {
		p = setup(&c, &q, 0, 0);
		CHECK_INT(pipeline_line_max(p), GOAUDIT_LINE_MAX);
		pipefix_feed(p, OBJ(MSG(1300, SYSCALL_DATA("100")) "," MSG(1307, "cwd=\\\"/\\\"")), 10);
		pipefix_feed(p, OBJ(MSG(1300, "pid=200")), 11);
		pipefix_feed(p, OBJ(MSG(1300, "pid=300") "," MSG(1300, "pid=99999")), 12);
		pipefix_feed(p, OBJ(MSG(1309, "argc=1 a0=\\\"pid=100\\\"")), 13);
		out = pipefix_take(&q);
		CHECK_STR(out,
			  OBJ("{\"type\":1300,\"data\":\"" SYSCALL_DATA("100") "\"," K8S_CID "},"
			      MSG(1307, "cwd=\\\"/\\\"")) "\n"
			  OBJ(MSG(1300, "pid=200")) "\n"
			  OBJ("{\"type\":1300,\"data\":\"pid=300\",\"k8s\":{\"container_id\":\"?\"}},"
			      "{\"type\":1300,\"data\":\"pid=99999\",\"k8s\":{\"container_id\":\"?\"}}") "\n"
			  OBJ(MSG(1309, "argc=1 a0=\\\"pid=100\\\"")) "\n");
		st = pipeline_stats(p);
		CHECK_INT(st->goaudit_objects, 4);
		CHECK_INT(st->records_in, 4);
		CHECK_INT(st->enriched, 1);
		CHECK_INT(st->host, 1);
		CHECK_INT(st->unresolved, 2);
		CHECK_INT(st->goaudit_malformed, 0);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("pipeline: an object from before its pid's fork is not the new owner's") {
		struct resolver *r;

		p = setup(&c, &q, 0, 0);
		r = pipeline_resolver(p);
		/* pid 100 forked 5 s after the event's timestamp, its
		 * predecessor unknown: that event is not the pod's */
		resolver_connector(r, 1);
		resolver_event_wall(r, 1795517706346LL + 5000);
		resolver_on_fork(r, 200, 100, 10, 0);
		pipefix_feed(p, OBJ(MSG(1300, "pid=100")), 11);
		pipefix_feed(p, "{\"timestamp\":\"1795517712.000\",\"messages\":["
			     MSG(1300, "pid=100") "]}", 12);
		out = pipefix_take(&q);
		CHECK_STR(out,
			  OBJ("{\"type\":1300,\"data\":\"pid=100\",\"k8s\":{\"container_id\":\"?\"}}") "\n"
			  "{\"timestamp\":\"1795517712.000\",\"messages\":["
			  "{\"type\":1300,\"data\":\"pid=100\"," K8S_CID "}]}\n");
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("pipeline: malformed neighbours change nothing around them") {
		static const char nul[] = "{\"messages\":[{\"data\":\"pid=100\0\"}]}";

		p = setup(&c, &q, 0, 0);
		pipefix_feed(p, OBJ(MSG(1300, "pid=100")), 10);
		pipefix_feed(p, "{\"messages\":[{\"data\":\"pid=100", 10);
		pipefix_feed(p, "", 10);
		pipeline_line(p, nul, sizeof nul - 1, sizeof nul - 1, 10);
		pipefix_feed(p, "{\"messages\":{\"data\":\"pid=100\"}}", 10);
		pipefix_feed(p, "[\"pid=100\"]", 10);
		pipefix_feed(p, OBJ(MSG(1300, "pid=100")), 10);
		out = pipefix_take(&q);
		CHECK_STR(out,
			  OBJ("{\"type\":1300,\"data\":\"pid=100\"," K8S_CID "}") "\n"
			  "{\"malformed\":\"json\",\"orig_len\":29,\"kept\":29,\"line\":"
			  "\"{\\\"messages\\\":[{\\\"data\\\":\\\"pid=100\"}\n"
			  "\n"
			  "{\"malformed\":\"nul\",\"orig_len\":34,\"kept\":34,\"line\":"
			  "\"{\\\"messages\\\":[{\\\"data\\\":\\\"pid=100\\u0000\\\"}]}\"}\n"
			  "{\"messages\":{\"data\":\"pid=100\"}}\n"
			  "[\"pid=100\"]\n"
			  OBJ("{\"type\":1300,\"data\":\"pid=100\"," K8S_CID "}") "\n");
		st = pipeline_stats(p);
		CHECK_INT(st->goaudit_objects, 6); /* the empty line is none */
		CHECK_INT(st->goaudit_malformed, 4);
		CHECK_INT(st->enriched, 2);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("pipeline: an overlong line is reported with its kept head, counted") {
		char *big = repeat("{\"messages\":[{\"data\":\"pid=100 a=", "x", GOAUDIT_LINE_MAX, "\"}]}");
		size_t keep = GOAUDIT_LINE_MAX - 1;
		char head[128];

		p = setup(&c, &q, 0, 0);
		pipeline_line(p, big, keep, strlen(big), 10);
		pipefix_feed(p, OBJ(MSG(1300, "pid=200")), 11);
		CHECK(outq_used(&q) < 65536 * 6);
		out = strndup(outq_data(&q), outq_used(&q));
		outq_consume(&q, outq_used(&q));
		snprintf(head, sizeof head, "{\"malformed\":\"long\",\"orig_len\":%zu,\"kept\":65536,"
			 "\"line\":\"{\\\"messages\\\":[{\\\"data\\\":\\\"pid=100 a=xxx", strlen(big));
		CHECK(strncmp(out, head, strlen(head)) == 0);
		CHECK(strstr(out, "\"}\n" OBJ(MSG(1300, "pid=200")) "\n") != NULL);
		st = pipeline_stats(p);
		CHECK_INT(st->goaudit_overlong, 1);
		CHECK_INT(st->goaudit_malformed, 1);
		CHECK_INT(st->truncated, 1);
		CHECK_INT(st->enriched, 0); /* an overlong object is not enriched */
		pipeline_free(p);
		outq_done(&q);
		free((char *)out);
		free(big);
	}
	CASE("pipeline: an unknown container waits for the fetch, later objects behind it") {
		uint64_t before;

		p = setup(&c, &q, 1, 300);
		before = ticket;
		pipefix_feed(p, OBJ(MSG(1300, "pid=100")), 2000);
		CHECK(ticket != before);
		pipefix_feed(p, OBJ(MSG(1300, "pid=200")), 2001);
		pipefix_feed(p, "{bad", 2002);
		CHECK_INT(outq_used(&q), 0);
		CHECK(!pipeline_idle(p));
		CHECK_INT(pipeline_deadline(p), 2300);
		pipeline_pods(p, ticket, list(1), 2050);
		out = pipefix_take(&q);
		CHECK_STR(out,
			  OBJ("{\"type\":1300,\"data\":\"pid=100\",\"k8s\":{\"container_id\":\"" CID
			      "\",\"namespace\":\"shop\",\"pod\":\"web-0\",\"container\":\"app\","
			      "\"pod_uid\":\"" PUID "\",\"image\":\"nginx:1.25\","
			      "\"owner\":\"ReplicaSet/web-7d9f8\"}}") "\n"
			  OBJ(MSG(1300, "pid=200")) "\n"
			  "{\"malformed\":\"json\",\"orig_len\":4,\"kept\":4,\"line\":\"{bad\"}\n");
		CHECK(pipeline_idle(p));
		st = pipeline_stats(p);
		CHECK_INT(st->held, 1);
		CHECK_INT(st->hold_max_ms, 50);
		CHECK_INT(st->named, 1);
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("pipeline: no answer by hold_ms: out with what is known, in order") {
		p = setup(&c, &q, 1, 300);
		pipefix_feed(p, OBJ(MSG(1300, "pid=100")), 2000);
		pipefix_feed(p, OBJ(MSG(1300, "pid=200")), 2100);
		pipeline_tick(p, 2299);
		CHECK_INT(outq_used(&q), 0);
		pipeline_tick(p, 2300);
		CHECK_STR(pipefix_take(&q),
			  OBJ("{\"type\":1300,\"data\":\"pid=100\",\"k8s\":{\"container_id\":\"" CID
			      "\",\"namespace\":\"shop\",\"pod\":\"web-0\",\"pod_uid\":\"" PUID
			      "\",\"owner\":\"ReplicaSet/web-7d9f8\"}}") "\n"
			  OBJ(MSG(1300, "pid=200")) "\n");
		pipeline_free(p);
		outq_done(&q);
	}
	CASE("pipeline: the identity at arrival is kept while held (process gone)") {
		pipefix_mkpid(root, 101, "0::/kubepods/pod" PUID "/" CID2 "\n");
		p = setup(&c, &q, 1, 300);
		pipefix_feed(p, OBJ(MSG(1300, "pid=101")), 2000);
		pipefix_mkpid(root, 101, "");
		pipeline_flush(p);
		out = pipefix_take(&q);
		CHECK(strstr(out, "\"container_id\":\"" CID2 "\"") != NULL);
		pipeline_free(p);
		outq_done(&q);
	}
}

/* ---- input framing at the go-audit cap ---- */

static void input_tests(void)
{
	int sv[2];
	struct input in;
	const char *line;
	size_t len, orig, sizes[3] = { 100 * 1024, GOAUDIT_LINE_MAX + 5000, 10 };
	size_t got_len[4] = { 0 }, got_orig[4] = { 0 }, n = 0;
	char *data, *p;
	size_t total = 0, off = 0;

	CASE("input: go-audit cap: 100 KiB whole, 261 KiB cut to 256 KiB - 1, next line intact") {
		for (int i = 0; i < 3; i++)
			total += sizes[i] + 1;
		data = malloc(total);
		p = data;
		for (int i = 0; i < 3; i++) {
			memset(p, 'a' + i, sizes[i]);
			p[sizes[i]] = '\n';
			p += sizes[i] + 1;
		}
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		CHECK_INT(input_init(&in, sv[0]), 0);
		CHECK_INT(input_set_line_max(&in, GOAUDIT_LINE_MAX), 0);
		while (off < total || !in.eof) {
			if (off < total) {
				ssize_t w = write(sv[1], data + off, total - off > 65536 ? 65536 : total - off);

				if (w > 0)
					off += (size_t)w;
				if (off == total)
					close(sv[1]);
			}
			input_read(&in);
			while (input_next(&in, &line, &len, &orig) && n < 4) {
				got_len[n] = len;
				got_orig[n] = orig;
				CHECK(len == 0 || (line[0] == 'a' + (int)n && line[len - 1] == 'a' + (int)n));
				n++;
			}
		}
		CHECK_INT(n, 3);
		CHECK_INT(got_len[0], sizes[0]);
		CHECK_INT(got_orig[0], sizes[0]);
		CHECK_INT(got_len[1], GOAUDIT_LINE_MAX - 1);
		CHECK_INT(got_orig[1], sizes[1]);
		CHECK_INT(got_len[2], sizes[2]);
		input_done(&in);
		close(sv[0]);
		free(data);
	}
}

int main(void)
{
	char cmd[64];

	scan_tests();
	pipeline_tests();
	input_tests();
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", root);
	if (root_made && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return check_done();
}
