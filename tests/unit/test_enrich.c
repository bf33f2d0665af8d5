/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_enrich.c - the output contract of a text line: fields, their order,
 * their place, their encoding, the length cap and the malformed markers.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/enrich.h"

#define CID "9bca8d63d5fa610783847915bcff0ecac1273e5b4bed3f6fa1b07350e0135961"
#define UID "2c48913c-b29f-11e7-9350-020968147796"

static struct ident mk(int state, const char *cid, const char *uid)
{
	struct ident id;

	memset(&id, 0, sizeof id);
	id.state = (uint8_t)state;
	strcpy(id.container_id, cid);
	strcpy(id.pod_uid, uid);
	return id;
}

static const char *run(const char *line, const struct enrich_subject *s,
		       const struct enrich_subject *o, struct enrich_stats *st)
{
	static char out[ENRICH_LINE_BUF];
	struct record r;
	size_t n;

	record_scan(line, strlen(line), &r);
	n = enrich_line(out, sizeof out, &r, s, o, st);
	out[n] = '\0';
	return out;
}

int main(void)
{
	struct ident host = mk(IDENT_HOST, "", ""),
		     cont = mk(IDENT_CONTAINER, CID, UID),
		     nopod = mk(IDENT_CONTAINER, CID, ""),
		     unres = mk(IDENT_UNRESOLVED, "", ""),
		     podonly = mk(IDENT_POD_ONLY, "", UID),
		     sess = mk(IDENT_CONTAINER, CID, UID),
		     maybe = mk(IDENT_CONTAINER, CID, UID),
		     own = mk(IDENT_CONTAINER, CID, UID),
		     unres_sess = mk(IDENT_UNRESOLVED, "", "");
	struct k8s_names names = {
		.namespace_ = "default", .pod = "web-0", .container = "app",
		.image = "nginx:1.25", .owner = "StatefulSet/web",
		.workload = "web", .workload_kind = "StatefulSet",
		.label_keys = { "app.kubernetes.io/Name", "tier" },
		.label_vals = { "web", "front end" }, .nlabels = 2,
	};
	struct enrich_stats st = { 0 };
	const char *sys = "type=SYSCALL msg=audit(1.000:2): pid=5 comm=\"sh\"";
	const char *esys = "type=SYSCALL msg=audit(1.000:2): pid=5 comm=\"sh\"\x1dUID=\"root\"";

	struct { const char *name; const char *line; const struct ident *id;
		 const struct k8s_names *nm; int nspid; const char *want; } rows[] = {
		{ "host: unchanged", sys, &host, NULL, 0, "%s\n" },
		{ "container + pod uid at end", sys, &cont, NULL, 0,
		  "%s container_id=\"" CID "\" k8s_pod_id=\"" UID "\"\n" },
		{ "container without pod", sys, &nopod, NULL, 0,
		  "%s container_id=\"" CID "\"\n" },
		{ "unresolved: bare ?", sys, &unres, NULL, 0,
		  "%s container_id=?\n" },
		{ "pod only: ? and the uid", sys, &podonly, NULL, 0,
		  "%s container_id=? k8s_pod_id=\"" UID "\"\n" },
		{ "names in contract order, labels hex when needed", sys, &cont,
		  &names, 3,
		  "%s container_id=\"" CID "\" k8s_namespace=\"default\" "
		  "k8s_pod=\"web-0\" k8s_container=\"app\" k8s_pod_id=\"" UID
		  "\" k8s_pid_inside=\"3\" k8s_image=\"nginx:1.25\" "
		  "k8s_owner=\"StatefulSet/web\" k8s_workload=\"web\" "
		  "k8s_workload_kind=\"StatefulSet\" "
		  "k8s_label_app_kubernetes_io_name_=\"web\" "
		  "k8s_label_tier=66726F6E7420656E64\n" },
		{ "exec session: its root after sa", sys, &sess, &names, 0,
		  "%s container_id=\"" CID "\" k8s_namespace=\"default\" "
		  "k8s_pod=\"web-0\" k8s_container=\"app\" k8s_pod_id=\"" UID
		  "\" k8s_image=\"nginx:1.25\" "
		  "k8s_owner=\"StatefulSet/web\" k8s_workload=\"web\" "
		  "k8s_workload_kind=\"StatefulSet\" k8s_exec=\"4711\" "
		  "k8s_label_app_kubernetes_io_name_=\"web\" "
		  "k8s_label_tier=66726F6E7420656E64\n" },
		{ "exec session unknown: ?", sys, &maybe, NULL, 0,
		  "%s container_id=\"" CID "\" k8s_pod_id=\"" UID
		  "\" k8s_exec=?\n" },
		{ "the container's own tree: no k8s_exec", sys, &own, NULL, 0,
		  "%s container_id=\"" CID "\" k8s_pod_id=\"" UID "\"\n" },
		{ "unresolved: no session named", sys, &unres_sess, NULL, 0,
		  "%s container_id=?\n" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sess.exec_root = 4711;
		maybe.exec_root = IDENT_EXEC_UNKNOWN;
		own.exec_root = IDENT_EXEC_NONE;
		unres_sess.exec_root = 4711; /* not proven this process */
		CASE(rows[i].name) {
			struct enrich_subject s = { .id = rows[i].id,
						    .names = rows[i].nm,
						    .nspid = rows[i].nspid };
			char want[4096];

			/* want is "%s" + the inserted fields */
			snprintf(want, sizeof want, "%s%s", rows[i].line,
				 rows[i].want + 2);
			CHECK_STR(run(rows[i].line, &s, NULL, &st), want);
		}
	}

	CASE("fields go before the 0x1D tail") {
		struct enrich_subject s = { .id = &nopod, .names = NULL, .nspid = 0 };

		CHECK_STR(run(esys, &s, NULL, &st),
			  "type=SYSCALL msg=audit(1.000:2): pid=5 comm=\"sh\" "
			  "container_id=\"" CID "\"\x1dUID=\"root\"\n");
	}
	CASE("user record, unresolved: every name sealed with ?, before msg='...'") {
		static const char *const cfg[] = { "tier", "app.kubernetes.io/pid" };
		struct enrich_subject s = { .id = &unres, .labels = cfg,
					    .nlabels = 2 };

		CHECK_STR(run("type=USER msg=audit(1.0:3): pid=5 msg='a b' x=1", &s,
			      NULL, &st),
			  "type=USER msg=audit(1.0:3): pid=5 container_id=? "
			  "k8s_namespace=? k8s_pod=? k8s_container=? k8s_pod_id=? "
			  "k8s_pid_inside=? k8s_image=? k8s_owner=? k8s_workload=? "
			  "k8s_workload_kind=? k8s_sa=? k8s_exec=? "
			  "k8s_label_tier=? k8s_label_app_kubernetes_io_pid_=? "
			  "msg='a b' x=1\n");
	}
	CASE("user record, a pod without names: the names sealed with ?") {
		struct enrich_subject s = { .id = &nopod, .nspid = 4 };

		CHECK_STR(run("type=USER_CMD msg=audit(1.0:3): pid=5 msg='k8s_pod=x'",
			      &s, NULL, &st),
			  "type=USER_CMD msg=audit(1.0:3): pid=5 container_id=\"" CID
			  "\" k8s_namespace=? k8s_pod=? k8s_container=? k8s_pod_id=? "
			  "k8s_pid_inside=\"4\" k8s_image=? k8s_owner=? k8s_workload=? "
			  "k8s_workload_kind=? k8s_sa=? k8s_exec=? "
			  "msg='k8s_pod=x'\n");
	}
	CASE("user record of the container's own tree: k8s_exec=\"none\"") {
		struct enrich_subject s = { .id = &own };

		CHECK(strstr(run("type=USER msg=audit(1.0:3): pid=5 msg='k8s_exec=1'",
				 &s, NULL, &st),
			     " k8s_sa=? k8s_exec=\"none\" msg='k8s_exec=1'\n") != NULL);
	}
	CASE("user record of a session: its root, sealed") {
		struct enrich_subject s = { .id = &sess };

		CHECK(strstr(run("type=USER msg=audit(1.0:3): pid=5 msg='a'",
				 &s, NULL, &st),
			     " k8s_sa=? k8s_exec=\"4711\" msg='a'\n") != NULL);
	}
	CASE("OBJ_PID target in a session: ok8s_exec") {
		struct enrich_subject s = { .id = &host }, o = { .id = &sess };

		CHECK(strstr(run("type=OBJ_PID msg=audit(1.0:3): opid=9 oauid=0",
				 &s, &o, &st), " ok8s_exec=\"4711\"") != NULL);
	}
	CASE("user record, a host sender: no fields (its text is the host's)") {
		struct enrich_subject s = { .id = &host };

		CHECK_STR(run("type=USER msg=audit(1.0:3): pid=5 msg='a'", &s,
			      NULL, &st),
			  "type=USER msg=audit(1.0:3): pid=5 msg='a'\n");
	}
	CASE("sealed labels: configured order, the pod's value or ?") {
		static const char *const cfg[] = { "tier", "team",
						   "app.kubernetes.io/Name" };
		struct enrich_subject s = { .id = &cont, .names = &names,
					    .labels = cfg, .nlabels = 3 };
		const char *out = run("type=USER msg=audit(1.0:3): pid=5 msg='a'",
				      &s, NULL, &st);

		CHECK(strstr(out, " k8s_sa=? k8s_exec=? "
				  "k8s_label_tier=66726F6E7420656E64 "
				  "k8s_label_team=? "
				  "k8s_label_app_kubernetes_io_name_=\"web\" msg='a'\n")
		      != NULL);
	}
	CASE("NETFILTER_CFG: before the raw table name, sealed") {
		struct enrich_subject s = { .id = &unres };

		CHECK_STR(run("type=NETFILTER_CFG msg=audit(1.0:3): table=x "
			      "k8s_pod=\"y\" family=2 entries=1 op=nft_register_table "
			      "pid=7 comm=\"nft\"", &s, NULL, &st),
			  "type=NETFILTER_CFG msg=audit(1.0:3): container_id=? "
			  "k8s_namespace=? k8s_pod=? k8s_container=? k8s_pod_id=? "
			  "k8s_pid_inside=? k8s_image=? k8s_owner=? k8s_workload=? "
			  "k8s_workload_kind=? k8s_sa=? k8s_exec=? "
			  "table=x k8s_pod=\"y\" family=2 entries=1 "
			  "op=nft_register_table pid=7 comm=\"nft\"\n");
	}
	CASE("other records are not sealed: no ? for unknown names") {
		struct enrich_subject s = { .id = &nopod };

		CHECK_STR(run(sys, &s, NULL, &st),
			  "type=SYSCALL msg=audit(1.000:2): pid=5 comm=\"sh\" "
			  "container_id=\"" CID "\"\n");
	}
	CASE("user record: ours before forged fields and a ' in a value") {
		struct enrich_subject s = { .id = &cont, .names = &names, .nspid = 0 };
		const char *out = run(
			"type=USER_AUTH msg=audit(1.0:3): pid=5 uid=0 auid=0 "
			"ses=1 msg='container_id=\"f\" k8s_namespace=\"kube-system\" "
			"acct=\"system-property('xsl:vendor')/>\" terminal=?)'",
			&s, NULL, &st);
		const char *ours = strstr(out, "container_id=\"" CID);
		const char *msg = strstr(out, " msg='");

		CHECK(ours && msg && ours < msg);
		CHECK(strstr(out, "k8s_namespace=\"default\"") < msg);
		/* the sender's text is intact, ending the record */
		CHECK(strstr(out, "acct=\"system-property('xsl:vendor')/>\" "
				  "terminal=?)'\n") != NULL);
	}
	CASE("obj_pid: o-prefixed") {
		struct enrich_subject o = { .id = &nopod, .names = NULL, .nspid = 0 };

		CHECK_STR(run("type=OBJ_PID msg=audit(1.0:3): opid=9 ocomm=\"x\"",
			      NULL, &o, &st),
			  "type=OBJ_PID msg=audit(1.0:3): opid=9 ocomm=\"x\" "
			  "ocontainer_id=\"" CID "\"\n");
	}
	CASE("long record: optional fields dropped first, counted") {
		static char line[OUTPUT_LINE_MAX + 100];
		struct enrich_subject s = { .id = &cont, .names = &names, .nspid = 3 };
		size_t base = strlen(sys);
		const char *out;
		uint64_t before = st.fields_dropped;

		/* leave room for container_id (78 bytes) and a little more */
		memcpy(line, sys, base);
		memset(line + base, 'x', OUTPUT_LINE_MAX - 1 - 100 - base);
		line[OUTPUT_LINE_MAX - 1 - 100] = '\0';
		out = run(line, &s, NULL, &st);
		CHECK(strlen(out) <= OUTPUT_LINE_MAX);
		CHECK(strstr(out, "container_id=\"" CID "\"") != NULL);
		CHECK(strstr(out, "k8s_label") == NULL);
		CHECK_INT(st.fields_dropped - before, 11);
		CHECK(strncmp(out, line, strlen(line)) == 0);
	}
	CASE("record at the limit: passed unchanged, every field counted") {
		static char line[RECORD_MAX];
		struct enrich_subject s = { .id = &cont, .names = NULL, .nspid = 0 };
		uint64_t before = st.fields_dropped;
		const char *out;

		memcpy(line, sys, strlen(sys));
		memset(line + strlen(sys), 'y', RECORD_MAX - 1 - strlen(sys));
		line[RECORD_MAX - 1] = '\0';
		out = run(line, &s, NULL, &st);
		CHECK_INT(strlen(out), RECORD_MAX);
		CHECK_INT(st.fields_dropped - before, 2);
	}
	CASE("malformed: NUL escaped and marked") {
		char out[ENRICH_LINE_BUF];
		size_t n = enrich_malformed(out, sizeof out, "a\0b", 3, 3, 1);

		out[n] = '\0';
		CHECK_STR(out, "a^@b pid2pod_malformed=nul\n");
	}
	CASE("malformed: overlong cut to fit, length kept") {
		static char in[20000], out[ENRICH_LINE_BUF];
		size_t n;

		memset(in, 'z', sizeof in);
		n = enrich_malformed(out, sizeof out, in, 8969, 20000, 0);
		CHECK(n <= OUTPUT_LINE_MAX);
		CHECK(out[n - 1] == '\n');
		out[n] = '\0';
		CHECK(strstr(out, " pid2pod_malformed=long pid2pod_orig_len=20000\n") != NULL);
	}
	CASE("malformed: many NULs still fit") {
		static char in[8969], out[ENRICH_LINE_BUF];
		size_t n;

		memset(in, 0, sizeof in);
		n = enrich_malformed(out, sizeof out, in, sizeof in, sizeof in, 1);
		CHECK(n <= OUTPUT_LINE_MAX);
		out[n] = '\0';
		CHECK(strstr(out, "pid2pod_malformed=nul,long") != NULL);
	}
	CASE("no field name ends in an audit key") {
		/* the brief's keys, spelled out here: the table in enrich.c
		 * may grow, never lose these */
		static const char *const must[] = { "uid", "pid", "auid", "ses",
			"exe", "res", "addr", "terminal", "hostname", "acct",
			"key", "comm", "subj", "euid", "gid", "tty", "uuid", NULL };
		static const char *const keys[] = { "uid", "app.kubernetes.io/pid",
			"x-EXE", "owner_res", "tenant_auid", "node_hostname",
			"name", "tier", "Ses", NULL };
		struct k8s_names ln = { .pod = "p", .owner = "Job/j-29430720",
					.workload = "j", .workload_kind = "CronJob",
					.sa = "s" };
		struct enrich_subject s = { .id = &cont, .names = &ln, .nspid = 7 },
				      o = { .id = &cont, .names = &ln, .nspid = 7 };
		char name[128];
		const char *out, *p;

		for (const char *const *m = must; *m; m++) {
			snprintf(name, sizeof name, "x_%s", *m);
			CHECK(enrich_name_ends_in_key(name));
		}
		for (const char *const *f = enrich_field_names; *f; f++) {
			CHECK(!enrich_name_ends_in_key(*f));
			snprintf(name, sizeof name, "o%s", *f);
			CHECK(!enrich_name_ends_in_key(name));
		}
		CHECK(!enrich_name_ends_in_key("pid2pod_malformed"));
		CHECK(!enrich_name_ends_in_key("pid2pod_orig_len"));
		for (ln.nlabels = 0; keys[ln.nlabels]; ln.nlabels++) {
			ln.label_keys[ln.nlabels] = keys[ln.nlabels];
			ln.label_vals[ln.nlabels] = "v";
		}
		/* every name written, subject and object, checked as written */
		out = run("type=OBJ_PID msg=audit(1.0:3): opid=9 ocomm=\"x\"", &s,
			  &o, &st);
		CHECK(strstr(out, " k8s_label_uid_=\"v\"") != NULL);
		CHECK(strstr(out, " k8s_label_tier=\"v\"") != NULL);
		CHECK(strstr(out, " ok8s_workload_kind=\"CronJob\"") != NULL);
		CHECK(strstr(out, " ok8s_label_app_kubernetes_io_pid_=") != NULL);
		p = strstr(out, "ocomm=\"x\"") + 9;
		while ((p = strchr(p, ' '))) {
			const char *eq = strchr(++p, '=');
			size_t n = (size_t)(eq - p);

			CHECK(eq && n < sizeof name);
			memcpy(name, p, n);
			name[n] = '\0';
			if (enrich_name_ends_in_key(name))
				CHECK_STR(name, "(no audit key at the end)");
			for (const char *const *m = must; *m; m++) {
				size_t ml = strlen(*m);

				CHECK(n < ml || memcmp(name + n - ml, *m, ml) != 0);
			}
		}
	}
	CASE("label keys sanitized") {
		char k[64];

		enrich_label_key(k, sizeof k, "App.Kubernetes.io/Name-X");
		CHECK_STR(k, "app_kubernetes_io_name_x");
		enrich_label_key(k, 4, "abcdef");
		CHECK_STR(k, "abc");
	}
	return check_done();
}
