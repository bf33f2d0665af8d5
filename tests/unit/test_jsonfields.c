/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsonfields.c - a record's fields as JSON (src/output/jsonfields.c):
 * each named record gives exactly the expected text, and json-c reads it
 * back.  The rows are the trust rules: what a process chose (a user
 * message, a table name) never lands among the kernel's keys.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "input/record.h"
#include "output/jsonfields.h"

struct row {
	const char *name;
	const char *line;
	const char *want; /* what jsonfields_write appends; "" for nothing */
};

#define H "type=SYSCALL msg=audit(1.002:3): "
#define U "type=USER_ACCT msg=audit(1.002:3): "
#define N "type=NETFILTER_CFG msg=audit(1.002:3): "
#define E "type=EXECVE msg=audit(1.002:3): "

static const struct row rows[] = {
	{ "kernel record: keys in order, quotes taken off",
	  H "arch=c000003e syscall=59 pid=10 comm=\"true\" key=(null)",
	  ",\"fields\":{\"arch\":\"c000003e\",\"syscall\":\"59\",\"pid\":\"10\","
	  "\"comm\":\"true\",\"key\":\"(null)\"}" },
	{ "hex-encoded comm and name decoded, syscall args not",
	  H "a0=4142 comm=612062 exe=2F62696E2F7368",
	  ",\"fields\":{\"a0\":\"4142\",\"comm\":\"a b\",\"exe\":\"/bin/sh\"}" },
	{ "a hex value of an odd length or lower case stays as written",
	  H "comm=ABC name=6a62",
	  ",\"fields\":{\"comm\":\"ABC\",\"name\":\"6a62\"}" },
	{ "a repeated key keeps its first value",
	  H "pid=10 uid=0 pid=20",
	  ",\"fields\":{\"pid\":\"10\",\"uid\":\"0\"}" },
	{ "bare words (AVC's) are skipped",
	  "type=AVC msg=audit(1.002:3): avc:  denied  { read } for  pid=7 comm=\"x\"",
	  ",\"fields\":{\"pid\":\"7\",\"comm\":\"x\"}" },
	{ "the 0x1D tail is not fields",
	  H "pid=10\x1d" "ARCH=x86_64",
	  ",\"fields\":{\"pid\":\"10\"}" },
	{ "user record: the kernel's keys on top, the sender's in msg",
	  U "pid=5 uid=0 auid=1 ses=2 msg='op=PAM:accounting acct=\"root\" pid=99 container_id=abc res=success'",
	  ",\"fields\":{\"pid\":\"5\",\"uid\":\"0\",\"auid\":\"1\",\"ses\":\"2\","
	  "\"msg\":{\"op\":\"PAM:accounting\",\"acct\":\"root\",\"pid\":\"99\","
	  "\"container_id\":\"abc\",\"res\":\"success\"}}" },
	{ "user record: a quote inside a value does not end the message",
	  U "pid=5 msg='acct=\"system-property('xsl:vendor')/>\" res=failed'",
	  ",\"fields\":{\"pid\":\"5\",\"msg\":{\"acct\":\"system-property('xsl:vendor')/>\","
	  "\"res\":\"failed\"}}" },
	{ "user record: an unterminated message runs to the end",
	  U "pid=5 msg='op=x res=success",
	  ",\"fields\":{\"pid\":\"5\",\"msg\":{\"op\":\"x\",\"res\":\"success\"}}" },
	{ "user record: a message without fields is an empty msg",
	  U "pid=5 msg='just words'",
	  ",\"fields\":{\"pid\":\"5\",\"msg\":{}}" },
	{ "NETFILTER_CFG: the kernel's family, entries and op are the last ones",
	  N "table=x family=1 entries=2 op=y pid=5000 y family=2 entries=3 op=nft_register_table pid=42 comm=\"nft\"",
	  ",\"fields\":{\"table\":\"x family=1 entries=2 op=y pid=5000 y\","
	  "\"family\":\"2\",\"entries\":\"3\",\"op\":\"nft_register_table\","
	  "\"pid\":\"42\",\"comm\":\"nft\"}" },
	{ "NETFILTER_CFG with subj=",
	  N "table=filter family=2 entries=0 op=nft_register_chain pid=42 subj=unconfined comm=\"nft\"",
	  ",\"fields\":{\"table\":\"filter\",\"family\":\"2\",\"entries\":\"0\","
	  "\"op\":\"nft_register_chain\",\"pid\":\"42\",\"subj\":\"unconfined\",\"comm\":\"nft\"}" },
	{ "NETFILTER_CFG without the kernel's tail: no fields",
	  N "table=x family=1 entries=2 op=y pid=5000 comm=\"a\" z",
	  "" },
	{ "EXECVE: arguments in argv, hex decoded",
	  E "argc=3 a0=\"ls\" a1=2D6C20 a2=\"/tmp\"",
	  ",\"fields\":{\"argc\":\"3\"},\"argv\":[\"ls\",\"-l \",\"/tmp\"]" },
	{ "EXECVE: an argument in pieces is joined",
	  E "argc=3 a0=\"sh\" a1_len=6 a1[0]=414243 a1[1]=444546 a2=\"x\"",
	  ",\"fields\":{\"argc\":\"3\"},\"argv\":[\"sh\",\"ABCDEF\",\"x\"]" },
	{ "EXECVE: a record that starts inside an argument",
	  E "a1[2]=4748 a2=\"y\"",
	  ",\"fields\":{},\"argv\":[\"GH\",\"y\"]" },
	{ "bytes that are not UTF-8 are escaped, control bytes too",
	  H "comm=FF01",
	  ",\"fields\":{\"comm\":\"\\u00ff\\u0001\"}" },
	{ "not a record: nothing",
	  "hello world", "" },
	{ "old daemon record without ':' after audit(...)",
	  "type=DAEMON_START msg=audit(1.002:3) auditd start, ver=1.7 res=success",
	  ",\"fields\":{\"ver\":\"1.7\",\"res\":\"success\"}" },
};

static void run_row(const struct row *r)
{
	char buf[16384];
	struct jw w = { buf, sizeof buf, 0, 0 };
	struct record rec;
	char doc[16500];
	struct json_object *o;

	record_scan(r->line, strlen(r->line), &rec);
	jsonfields_write(&w, &rec);
	CHECK(!w.bad);
	buf[w.len] = '\0';
	CHECK_STR(buf, r->want);
	/* json-c reads it back as an object's members */
	snprintf(doc, sizeof doc, "{\"x\":1%s}", buf);
	o = json_tokener_parse(doc);
	CHECK(o != NULL);
	json_object_put(o);
}

/* More distinct keys than an object takes: the rest stay in the text. */
static void many_keys(void)
{
	static char line[RECORD_MAX], buf[RECORD_MAX * 8];
	struct jw w = { buf, sizeof buf, 0, 0 };
	struct record rec;
	size_t n = (size_t)snprintf(line, sizeof line, U "pid=5 msg='");
	struct json_object *o, *f, *m;

	for (int i = 0; n + 16 < sizeof line && i < 1500; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, "k%d=v ", i);
	line[n++] = '\'';
	record_scan(line, n, &rec);
	jsonfields_write(&w, &rec);
	CHECK(!w.bad);
	buf[w.len] = '\0';
	memmove(buf + 6, buf, w.len + 1);
	memcpy(buf, "{\"x\":1", 6);
	strcat(buf, "}");
	o = json_tokener_parse(buf);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK(json_object_object_get_ex(o, "fields", &f));
	CHECK(json_object_object_get_ex(f, "msg", &m));
	CHECK(json_object_object_length(m) == JSONFIELDS_KEYS_MAX);
	CHECK(json_object_object_get_ex(o, "fields_cut", NULL));
	json_object_put(o);
}

/* Not enough room: the writer says so, never a cut string. */
static void no_room(void)
{
	char buf[40];
	struct jw w = { buf, sizeof buf, 0, 0 };
	struct record rec;
	const char *l = H "arch=c000003e syscall=59 pid=10 comm=\"true\"";

	record_scan(l, strlen(l), &rec);
	jsonfields_write(&w, &rec);
	CHECK(w.bad);
}

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CASE(rows[i].name) run_row(&rows[i]);
	CASE("more keys than an object takes: fields_cut") many_keys();
	CASE("no room: the writer is marked bad") no_room();
	return check_done();
}
