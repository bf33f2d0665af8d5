/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsoninterp.c - the "interpreted" object (src/output/jsoninterp.c):
 * each named record gives exactly the expected text, and json-c reads it
 * back.  The rows are the rule of jsoninterp.h: the library's reading of
 * the pure kinds, the ENRICHED tail's uid/gid names, never a uid asked of
 * the library, and no key rather than a wrong one for a malformed value.
 * Each row runs twice: the second answer comes from the remembered ones.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "input/record.h"
#include "output/jsoninterp.h"

struct row {
	const char *name;
	const char *line;
	const char *want; /* what jsoninterp_write appends; "" for nothing */
};

#define H "type=SYSCALL msg=audit(1.002:3): "
#define P "type=PATH msg=audit(1.002:3): "
#define S "type=SOCKADDR msg=audit(1.002:3): "
#define I ",\"interpreted\":{"
#define TAIL "\x1d"

static const struct row rows[] = {
	{ "x86_64: arch, syscall name, exit=-13 is EACCES",
	  H "arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c items=1",
	  I "\"arch\":\"x86_64\",\"syscall\":\"openat\","
	  "\"exit\":\"EACCES(Permission denied)\"}" },
	{ "x86_64 syscall 56",
	  H "arch=c000003e syscall=56",
	  I "\"arch\":\"x86_64\",\"syscall\":\"clone\"}" },
	{ "aarch64: the same number is another syscall (remembered by arch)",
	  H "arch=c00000b7 syscall=56",
	  I "\"arch\":\"aarch64\",\"syscall\":\"openat\"}" },
	{ "x86_64 execve, a positive exit is itself: no key",
	  H "arch=c000003e syscall=59 success=yes exit=3",
	  I "\"arch\":\"x86_64\",\"syscall\":\"execve\"}" },
	{ "a0..a3 never (a uid for setuid), nor uid fields",
	  H "arch=c000003e syscall=105 a0=0 a1=2 uid=0 auid=1000 ouid=0",
	  I "\"arch\":\"x86_64\",\"syscall\":\"setuid\"}" },
	{ "mode: file type and permissions; cap sets",
	  P "item=0 name=\"/etc\" mode=0100644 ouid=0 ogid=0 cap_fp=0000000000000400 cap_fi=0 cap_fe=0 cap_fver=0",
	  I "\"mode\":\"file,644\",\"cap_fp\":\"net_bind_service\","
	  "\"cap_fi\":\"none\"}" },
	{ "mode of a directory with setgid",
	  P "item=0 mode=042755",
	  I "\"mode\":\"dir,sgid,755\"}" },
	{ "CAPSET's sets",
	  "type=CAPSET msg=audit(1.002:3): pid=1 cap_pi=0 cap_pp=0000000000003000 cap_pe=0 cap_pa=0",
	  I "\"cap_pi\":\"none\",\"cap_pp\":\"net_admin,net_raw\","
	  "\"cap_pe\":\"none\",\"cap_pa\":\"none\"}" },
	{ "BPRM_FCAPS's sets",
	  "type=BPRM_FCAPS msg=audit(1.002:3): fver=2 fp=0000000000000400 fi=0 fe=1 old_pp=0 pp=0000000000000400",
	  I "\"fp\":\"net_bind_service\",\"fi\":\"none\",\"old_pp\":\"none\","
	  "\"pp\":\"net_bind_service\"}" },
	{ "CONFIG_CHANGE perm",
	  "type=CONFIG_CHANGE msg=audit(1.002:3): auid=0 ses=1 op=add_rule key=\"x\" list=4 res=1 perm=6",
	  I "\"perm\":\"read,write\"}" },
	{ "saddr inet: family, address, port",
	  S "saddr=020000507F0000010000000000000000",
	  I "\"saddr\":{\"family\":\"inet\",\"addr\":\"127.0.0.1\",\"port\":\"80\","
	  "\"text\":\"{ saddr_fam=inet laddr=127.0.0.1 lport=80 }\"}}" },
	{ "saddr inet6",
	  S "saddr=0A0001BB000000000000000000000000000000000000000100000000",
	  I "\"saddr\":{\"family\":\"inet6\",\"addr\":\"::1\",\"port\":\"443\","
	  "\"text\":\"{ saddr_fam=inet6 laddr=::1 lport=443 }\"}}" },
	{ "saddr unix: the path is in text",
	  S "saddr=01002F72756E2F73797374656D642F6A6F75726E616C2F736F636B657400",
	  I "\"saddr\":{\"family\":\"local\","
	  "\"text\":\"{ saddr_fam=local path=/run/systemd/journal/socket }\"}}" },
	{ "saddr netlink",
	  S "saddr=100000000000000000000000",
	  I "\"saddr\":{\"family\":\"netlink\","
	  "\"text\":\"{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }\"}}" },
	{ "malformed: odd-length saddr, no key",
	  S "saddr=020000507F00000100000000000000001", "" },
	{ "malformed: lower-case or non-hex saddr, no key",
	  S "saddr=020000507f000001 saddr=ZZ", "" },
	{ "malformed: a short inet saddr, no key",
	  S "saddr=02000050", "" },
	{ "malformed: unknown family, no key",
	  S "saddr=FFFF0000", "" },
	{ "malformed: unknown syscall number, the arch still read",
	  H "arch=c000003e syscall=99999 exit=-99999",
	  I "\"arch\":\"x86_64\"}" },
	{ "malformed: huge numbers and words, no key",
	  H "arch=zzz syscall=99999999999999999999999 exit=-99999999999999999999999",
	  "" },
	{ "malformed: syscall not a number (the library would say read)",
	  H "arch=c000003e syscall=abc exit=EPERM",
	  I "\"arch\":\"x86_64\"}" },
	{ "malformed: mode not octal, caps too long or not hex",
	  P "mode=abc cap_fp=FFFFFFFFFFFFFFFFFFFFFFFFF cap_fi=zz mode=0100644", "" },
	{ "a repeated key keeps its first value",
	  H "arch=c000003e syscall=59 exit=-13 exit=-2",
	  I "\"arch\":\"x86_64\",\"syscall\":\"execve\","
	  "\"exit\":\"EACCES(Permission denied)\"}" },
	{ "ENRICHED tail: uid/gid names from it, lower-cased; ARCH/SYSCALL not",
	  H "arch=c000003e syscall=59 uid=0 auid=1000" TAIL
	  "ARCH=x86_64 SYSCALL=bogus AUID=\"alice\" UID=\"root\"",
	  I "\"arch\":\"x86_64\",\"syscall\":\"execve\",\"auid\":\"alice\","
	  "\"uid\":\"root\"}" },
	{ "ENRICHED tail: SADDR not taken, quotes and braces read",
	  S "saddr=FFFF0000" TAIL "SADDR={ unknown-family(65535) } OUID=\"a b\"",
	  I "\"ouid\":\"a b\"}" },
	{ "user record: no library keys (the sender's text), the tail's names",
	  "type=USER_ACCT msg=audit(1.002:3): pid=1 uid=0 auid=4294967295 msg='op=x arch=c000003e exit=-13 res=success'"
	  TAIL "UID=\"root\" AUID=\"unset\"",
	  I "\"uid\":\"root\",\"auid\":\"unset\"}" },
	{ "NETFILTER_CFG: the table name is a process's text",
	  "type=NETFILTER_CFG msg=audit(1.002:3): table=arch=c000003e family=2 entries=0 op=x pid=42 comm=\"nft\"",
	  "" },
	{ "a key with a quote is escaped",
	  H "arch=c000003e" TAIL "A\"B=x",
	  I "\"arch\":\"x86_64\",\"a\\\"b\":\"x\"}" },
	{ "not a record: nothing",
	  "hello arch=c000003e", "" },
};

static struct jsoninterp *ji;

static void run_row(const struct row *r)
{
	char buf[16384];
	char doc[16500];
	struct record rec;
	struct json_object *o;

	for (int pass = 0; pass < 2; pass++) {
		struct jw w = { buf, sizeof buf, 0, 0 };

		record_scan(r->line, strlen(r->line), &rec);
		jsoninterp_write(ji, &w, &rec);
		CHECK(!w.bad);
		buf[w.len] = '\0';
		CHECK_STR(buf, r->want);
		snprintf(doc, sizeof doc, "{\"x\":1%s}", buf);
		o = json_tokener_parse(doc);
		CHECK(o != NULL);
		json_object_put(o);
	}
}

/* No room: the writer is marked bad, never a cut string */
static void no_room(void)
{
	char buf[30];
	struct jw w = { buf, sizeof buf, 0, 0 };
	struct record rec;
	const char *l = H "arch=c000003e syscall=59";

	record_scan(l, strlen(l), &rec);
	jsoninterp_write(ji, &w, &rec);
	CHECK(w.bad);
}

/* Ten full capability sets (~550 bytes each): the ones past the
 * library's room left out, the object still JSON */
static void room_kept(void)
{
	static char line[RECORD_MAX], buf[65536], doc[65600];
	struct jw w = { buf, sizeof buf, 0, 0 };
	struct record rec;
	static const char *const sets[] = {
		"fp", "fi", "pp", "pi", "pe", "pa", "old_pp", "old_pi",
		"old_pe", "old_pa",
	};
	size_t n = (size_t)snprintf(line, sizeof line,
				    "type=BPRM_FCAPS msg=audit(1.002:3): fver=2");
	struct json_object *o, *it = NULL;

	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		n += (size_t)snprintf(line + n, sizeof line - n,
				      " %s=000001ffffffffff", sets[i]);
	record_scan(line, n, &rec);
	jsoninterp_write(ji, &w, &rec);
	CHECK(!w.bad);
	buf[w.len] = '\0';
	CHECK(w.len <= JSONINTERP_LIB_ROOM + 32);
	snprintf(doc, sizeof doc, "{\"x\":1%s}", buf);
	o = json_tokener_parse(doc);
	CHECK(o && json_object_object_get_ex(o, "interpreted", &it) &&
	      json_object_object_length(it) >= 3 &&
	      json_object_object_length(it) < 10);
	json_object_put(o);
}

int main(void)
{
	ji = jsoninterp_new();
	CASE("a libauparse state") CHECK(ji != NULL);
	if (!ji)
		return check_done();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CASE(rows[i].name) run_row(&rows[i]);
	CASE("no room: the writer is marked bad") no_room();
	CASE("capability sets past the room: left out, still JSON") room_kept();
	CASE("no libauparse state: nothing") {
		char buf[64];
		struct jw w = { buf, sizeof buf, 0, 0 };
		struct record rec;

		record_scan(H "arch=c000003e", strlen(H "arch=c000003e"), &rec);
		jsoninterp_write(NULL, &w, &rec);
		CHECK(w.len == 0 && !w.bad);
	}
	jsoninterp_free(ji);
	return check_done();
}
