/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_record.c - the field-aware scanner: which pid= counts, where fields
 * go, and that nothing malformed confuses it.
 */
#include <string.h>

#include "check.h"
#include "input/record.h"

struct row {
	const char *name;
	const char *line;
	int pid, opid;
	unsigned flags;          /* flags that must be set */
	const char *insert_before; /* text right after insert_at ("" = end) */
	const char *node;
	unsigned long long serial;
};

#define SYS "type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 "
static const struct row rows[] = {
	{ "syscall pid after ppid", SYS "ppid=1 pid=4711 auid=0 comm=\"sh\"",
	  4711, -1, 0, "", NULL, 42 },
	{ "enriched tail: insert before 0x1D",
	  SYS "pid=7 comm=\"sh\"\x1d" "ARCH=x86_64 SYSCALL=execve",
	  7, -1, 0, "\x1d" "ARCH", NULL, 42 },
	{ "comm holding pid= is not a field",
	  SYS "ppid=1 comm=\"x pid=99\" pid=5", 5, -1, 0, "", NULL, 42 },
	{ "pid= only inside comm: none",
	  SYS "ppid=1 comm=\"pid=99\"", -1, -1, 0, "", NULL, 42 },
	{ "proctitle value with pid=",
	  "type=PROCTITLE msg=audit(1.002:3): proctitle=\"a pid=3\"",
	  -1, -1, 0, "", NULL, 3 },
	{ "user record: pid outside msg, insert before msg",
	  "type=USER_START msg=audit(1.000:9): pid=12 uid=0 msg='op=x pid=99 "
	  "res=success'\x1dUID=\"root\"",
	  12, -1, REC_USER_MSG | REC_SEALED, " msg='op=x", NULL, 9 },
	{ "user record: fields after msg", "type=USER msg=audit(1.000:9): "
	  "pid=12 msg='text=a b' extra=1",
	  12, -1, REC_USER_MSG | REC_SEALED, " msg='text", NULL, 9 },
	{ "user record: pid= only inside msg",
	  "type=USER msg=audit(1.000:9): uid=0 msg='pid=99 res=1'",
	  -1, -1, REC_USER_MSG | REC_SEALED, " msg='pid", NULL, 9 },
	{ "unterminated msg quote: before msg all the same",
	  "type=USER msg=audit(1.000:9): pid=3 msg='pid=99 res=1",
	  3, -1, REC_USER_MSG | REC_SEALED, " msg='pid", NULL, 9 },
	{ "user record: a ' inside a double-quoted value (real PAM record)",
	  "type=USER_AUTH msg=audit(1.000:9): pid=5 uid=0 auid=4294967295 "
	  "ses=4294967295 msg='op=PAM:authentication grantors=? "
	  "acct=\"system-property('xsl:vendor')/>\" exe=\"/usr/sbin/sshd\" "
	  "hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=failed'",
	  5, -1, REC_USER_MSG | REC_SEALED, " msg='op=PAM", NULL, 9 },
	{ "user record: forged fields and opid in msg",
	  "type=USER msg=audit(1.000:9): pid=6 uid=0 auid=0 ses=1 "
	  "subj=unconfined msg='opid=77 pid=88 container_id=\"x\" "
	  "k8s_namespace=\"kube-system\"'",
	  6, -1, REC_USER_MSG | REC_SEALED, " msg='opid", NULL, 9 },
	{ "user record: msg=' first, no header pid",
	  "type=USER_CMD msg=audit(1.000:9): msg='pid=9 x'",
	  -1, -1, REC_USER_MSG | REC_SEALED, " msg='pid", NULL, 9 },
	{ "user message: a ' inside a quoted value does not end it for us",
	  "type=USER_AUTH msg=audit(1.000:9): pid=5 uid=0 msg='op=PAM "
	  "acct=\"system-property('xsl:vendor')/>\" pid=9 res=failed'",
	  5, -1, REC_USER_MSG | REC_SEALED, " msg='op=PAM", NULL, 9 },
	{ "user message, no pid of its own: none from inside it past a '",
	  "type=USER_AUTH msg=audit(1.000:9): uid=0 msg='op=PAM "
	  "acct=\"a'b\" pid=9 res=failed'",
	  -1, -1, REC_USER_MSG | REC_SEALED, " msg='op=PAM", NULL, 9 },
	{ "user range by number: UNKNOWN[2150]",
	  "type=UNKNOWN[2150] msg=audit(1.000:9): pid=3 uid=0 msg='pid=9'",
	  3, -1, REC_USER_MSG | REC_SEALED, " msg='pid", NULL, 9 },
	{ "USER_TTY: data= is escaped, first pid",
	  "type=USER_TTY msg=audit(1.000:9): pid=4 uid=0 auid=0 ses=1 "
	  "data=6C73", 4, -1, 0, "", NULL, 9 },
	{ "netfilter_cfg as this kernel writes it",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=x:2 family=2 "
	  "entries=1 op=nft_register_table pid=1130 comm=\"nft\"",
	  1130, -1, REC_SEALED, " table=x:2", NULL, 5 },
	{ "netfilter_cfg: table named with pid= and quotes (real kernel)",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=x pid=5000 y\" "
	  "q=\"z:2 family=2 entries=1 op=nft_register_table pid=1621 "
	  "comm=\"nft\"\x1d" "AUID=\"unset\"",
	  1621, -1, REC_SEALED, " table=x pid=5000", NULL, 5 },
	{ "netfilter_cfg: table forging the whole tail",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=x pid=5000 "
	  "comm=\"nft\":2 family=2 entries=1 op=nft_register_table pid=77 "
	  "subj=unconfined comm=\"nft\"", 77, -1, REC_SEALED, " table=x pid", NULL, 5 },
	{ "netfilter_cfg: something after the last comm: not the kernel's",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=t pid=5000 "
	  "comm=6E 6674", -1, -1, REC_PID_FORGED | REC_SEALED, " table=t", NULL, 5 },
	{ "netfilter_cfg: subj and hex comm",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=t:2 family=2 "
	  "entries=1 op=nft_register_table pid=77 subj=unconfined "
	  "comm=6E20667400", 77, -1, REC_SEALED, " table=t:2", NULL, 5 },
	{ "netfilter_cfg: old kernel, no pid, table names one",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=x pid=5000 "
	  "family=2 entries=1", -1, -1, REC_PID_FORGED | REC_SEALED, " table=x", NULL, 5 },
	{ "netfilter_cfg: 0x1D in the table name hides the kernel's pid",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=a pid=5000 "
	  "\x1d" "AUID=x b c:2 family=2 entries=1 op=nft_register_table "
	  "pid=99 comm=\"nft\"\x1d" "AUID=\"root\"",
	  -1, -1, REC_PID_FORGED | REC_SEALED, " table=a pid", NULL, 5 },
	{ "netfilter_cfg: 0x1D then only the kernel's tail",
	  "type=NETFILTER_CFG msg=audit(1.000:5): table=a\x1d:2 family=2 "
	  "entries=1 op=nft_register_table pid=99 comm=\"nft\"",
	  -1, -1, REC_PID_FORGED | REC_SEALED, " table=a\x1d", NULL, 5 },
	{ "netfilter_cfg: no space after the header: not sealed",
	  "type=NETFILTER_CFG msg=audit(1.000:5):table=x pid=7 comm=\"nft\"",
	  7, -1, 0, "", NULL, 5 },
	{ "opid only in OBJ_PID",
	  "type=AVC msg=audit(1.000:5): avc:  denied  { signal } for  pid=3 "
	  "comm=\"a\" opid=4", 3, -1, 0, "", NULL, 5 },
	{ "opid not first in OBJ_PID",
	  "type=OBJ_PID msg=audit(1.000:16): oauid=-1 opid=5", -1, -1, 0, "",
	  NULL, 16 },
	{ "obj_pid opid", "type=OBJ_PID msg=audit(1.000:16): opid=2935 "
	  "oauid=-1 ocomm=\"bash\"\x1dOAUID=\"unset\"",
	  -1, 2935, 0, "\x1dOAUID", NULL, 16 },
	{ "ppid and tpid are other fields",
	  SYS "ppid=1 tpid=2 spid=3", -1, -1, 0, "", NULL, 42 },
	{ "node prefix", "node=worker-1 " SYS "pid=8", 8, -1, 0, "",
	  "worker-1", 42 },
	{ "eoe", "type=EOE msg=audit(1.000:42): ", -1, -1, REC_EOE, "",
	  NULL, 42 },
	{ "eoe without trailing space", "type=EOE msg=audit(1.000:42):",
	  -1, -1, REC_EOE, "", NULL, 42 },
	{ "old daemon format: no ':' after audit(...)",
	  "type=DAEMON_START msg=audit(1168373035.402:4296) auditd start, "
	  "ver=1.2.8 format=raw auid=4294967295 pid=2183 res=success",
	  2183, -1, 0, "", NULL, 4296 },
	{ "old format, nothing after the header",
	  "type=DAEMON_END msg=audit(1168373035.402:4297)", -1, -1, 0, "",
	  NULL, 4297 },
	{ "a byte glued to the header is no header",
	  "type=SYSCALL msg=audit(1.000:5)x pid=3", -1, -1, REC_BAD_HEADER,
	  "", NULL, 0 },
	{ "garbage", "hello world pid=3", -1, -1, REC_BAD_HEADER, "", NULL, 0 },
	{ "empty line", "", -1, -1, REC_BAD_HEADER, "", NULL, 0 },
	{ "truncated header", "type=SYSCALL msg=audit(1700000000.12", -1, -1,
	  REC_BAD_HEADER, "", NULL, 0 },
	{ "no space after type", "type=SYSCALLmsg=audit(1.000:1): pid=3", -1,
	  -1, REC_BAD_HEADER, "", NULL, 0 },
	{ "serial not a number", "type=SYSCALL msg=audit(1.000:x): pid=3", -1,
	  -1, REC_BAD_HEADER, "", NULL, 0 },
	{ "pid not a number", SYS "pid=abc", -1, -1, REC_BAD_PID, "", NULL, 42 },
	{ "pid zero", SYS "pid=0", -1, -1, REC_BAD_PID, "", NULL, 42 },
	{ "pid too large", SYS "pid=99999999999", -1, -1, REC_BAD_PID, "",
	  NULL, 42 },
	{ "negative pid", SYS "pid=-1", -1, -1, REC_BAD_PID, "", NULL, 42 },
	{ "first pid wins", SYS "pid=4 pid=5", 4, -1, 0, "", NULL, 42 },
	{ "pid at the very end, no value", SYS "pid=", -1, -1, REC_BAD_PID,
	  "", NULL, 42 },
	{ "bare word before pid", SYS "junk pid=6", 6, -1, 0, "", NULL, 42 },
	{ "0x1D inside header region", "type=SYS\x1d" "CALL msg=audit(1.0:1): "
	  "pid=3", -1, -1, REC_BAD_HEADER, "\x1d" "CALL", NULL, 0 },
	{ "pid= in interpretations is ignored",
	  SYS "ppid=1\x1dPID=4 pid=5", -1, -1, 0, "\x1dPID", NULL, 42 },
	{ "unterminated double quote", SYS "comm=\"abc pid=3", -1, -1, 0, "",
	  NULL, 42 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *t = &rows[i];
		struct record r;

		CASE(t->name) {
			record_scan(t->line, strlen(t->line), &r);
			CHECK_INT(r.pid, t->pid);
			if (t->flags & REC_BAD_HEADER)
				CHECK(r.type == NULL);
			CHECK_INT(r.opid, t->opid);
			CHECK((r.flags & t->flags) == t->flags);
			CHECK_INT(r.flags & REC_SEALED, t->flags & REC_SEALED);
			/* insert_before is a prefix of what follows the point */
			CHECK(strncmp(r.line + r.insert_at, t->insert_before,
				      strlen(t->insert_before)) == 0);
			if (!*t->insert_before)
				CHECK_INT(r.insert_at, strlen(t->line));
			if (!(t->flags & REC_BAD_HEADER))
				CHECK_INT(r.serial, t->serial);
			if (t->node) {
				CHECK(r.node && r.node_len == strlen(t->node) &&
				      memcmp(r.node, t->node, r.node_len) == 0);
			} else {
				CHECK(r.node == NULL);
			}
		}
	}

	CASE("netfilter_cfg without any pid= is not forged") {
		const char *l = "type=NETFILTER_CFG msg=audit(1.000:5): "
				"table=filter family=2 entries=4";
		struct record r;

		record_scan(l, strlen(l), &r);
		CHECK_INT(r.pid, RECORD_NO_PID);
		CHECK(!(r.flags & (REC_PID_FORGED | REC_BAD_PID)));
	}

	CASE("header fields") {
		const char *l = SYS "pid=1\x1dX=1";
		struct record r;

		record_scan(l, strlen(l), &r);
		CHECK_INT(r.sec, 1700000000);
		CHECK_INT(r.msec, 123);
		CHECK(record_type_is(&r, "SYSCALL"));
		CHECK(!record_type_is(&r, "SYSCAL"));
		CHECK_INT(r.raw_len, strchr(l, '\x1d') - l);
	}

	CASE("NUL bytes are flagged and never read past len") {
		char l[] = SYS "pid=1 comm=\"a\0b\"";
		struct record r;

		record_scan(l, sizeof l - 1, &r);
		CHECK(r.flags & REC_HAS_NUL);
		/* a prefix cut inside a field must not read beyond len */
		record_scan(l, 30, &r);
		CHECK_INT(r.pid, RECORD_NO_PID);
	}

	CASE("every prefix of a real record scans safely") {
		const char *l = "node=n1 type=USER_LOGIN msg=audit(1.5:77): pid=9 "
				"uid=0 msg='op=login id=0 exe=\"/x\" res=success'"
				"\x1dUID=\"root\"";
		size_t n = strlen(l);

		for (size_t k = 0; k <= n; k++) {
			struct record r;

			record_scan(l, k, &r);
			CHECK(r.insert_at <= r.raw_len && r.raw_len <= k);
		}
	}
	return check_done();
}
