/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_conf.c - the config parser: every bad input gets a file:line error
 * and leaves the result untouched; good input sets exactly what it says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "check.h"
#include "common/conf.h"

struct row {
	const char *name;
	const char *text;
	int ok;
	const char *err; /* substring of the error text */
};

static const struct row rows[] = {
	{ "empty file: all defaults", "", 1, NULL },
	{ "comments and blanks", "# c\n\n   \n\t# x = y\n", 1, NULL },
	{ "stdout json", "output = stdout\noutput_format = json\n", 1, NULL },
	{ "no spaces around =", "output=stdout\n", 1, NULL },
	{ "json_schema ecs", "output_format = json\njson_schema = ecs\n", 1, NULL },
	{ "json_schema otel", "output_format = json\njson_schema = otel\n", 1, NULL },
	{ "json_schema ecs on text output", "json_schema = ecs\n", 0,
	  "json_schema = ecs needs output_format = json" },
	{ "json_schema native on text output", "json_schema = native\n", 1, NULL },
	{ "json_schema misspelt", "json_schema = elastic\n", 0,
	  "t:1: json_schema: 'elastic' is not one of the allowed values: native, ecs, otel" },
	{ "json_schema two values", "json_schema = ecs otel\n", 0, "json_schema: 'ecs otel'" },
	{ "json_schema a number", "json_schema = 1\n", 0, "json_schema: '1' is not one of" },
	{ "json_schema empty", "json_schema =\n", 0, "json_schema" },
	{ "json_schema twice", "json_schema = ecs\njson_schema = otel\n", 0,
	  "t:2: 'json_schema' set twice" },
	{ "CRLF line ends", "output = stdout\r\n", 1, NULL },
	{ "facility with LOG_ prefix", "syslog_facility = LOG_LOCAL6\n", 1, NULL },
	{ "size with suffix", "queue_max_bytes = 16M\n", 1, NULL },
	{ "unknown key", "outptu = stdout\n", 0, "t:1: unknown key 'outptu'" },
	{ "bad enum lists the choices", "\noutput = kafka\n", 0,
	  "t:2: output: 'kafka' is not one of the allowed values: syslog, stdout, file" },
	{ "bad size", "queue_max_bytes = 12X\n", 0, "t:1: queue_max_bytes: '12X' is not a size" },
	{ "size too small", "queue_max_bytes = 1K\n", 0, "is out of range" },
	{ "size overflow", "queue_max_bytes = 99999999999999999999999\n", 0, "queue_max_bytes" },
	{ "relative path", "proc_root = proc\n", 0, "t:1: proc_root: 'proc' must be an absolute path" },
	{ "no equals sign", "output stdout\n", 0, "t:1: expected 'key = value'" },
	{ "set twice", "output = stdout\noutput = file\n", 0, "t:2: 'output' set twice" },
	{ "file output without a file", "output = file\noutput_file =\n", 0,
	  "output = file needs output_file" },
	{ "empty proc_root", "proc_root =\n", 0, "proc_root must not be empty" },
	{ "every error reported", "a = 1\nb = 2\noutput = x\n", 0, "t:3:" },
	{ "empty key", " = 3\n", 0, "unknown key ''" },
	{ "runtime dirs: a relative one", "runtime_state_dirs = /run/x run/y\n", 0,
	  "runtime_state_dirs: 'run/y' must be an absolute path" },
	{ "runtime dirs: too many", "runtime_state_dirs = /a /b /c /d /e /f /g /h /i\n", 0,
	  "more than 8" },
	{ "runtime dirs: empty disables", "runtime_state_dirs =\n", 1, NULL },
	{ "containerd namespace with a slash", "containerd_namespace = ../x\n", 0,
	  "containerd_namespace: '../x' is not a namespace name" },
	{ "containerd namespace ..", "containerd_namespace = ..\n", 0, "not a namespace name" },
	{ "batch_ms 0: read at once", "batch_ms = 0\n", 1, NULL },
	{ "batch_ms past 100 ms", "batch_ms = 101\n", 0, "t:1: batch_ms: '101' is out of range" },
	{ "batch_ms negative", "batch_ms = -1\n", 0, "batch_ms" },
	{ "proc_connector must be yes or no", "proc_connector = maybe\n", 0,
	  "proc_connector: 'maybe' is not one of the allowed values: yes, no" },
};

static void check_buf_null(void)
{
	CASE("NUL byte in a line") {
		struct conf c;
		char err[512];
		const char t[] = "output = std\0out\n";

		CHECK(conf_parse_buf("t", t, sizeof t - 1, &c, err, sizeof err) < 0);
		CHECK(strstr(err, "t:1: NUL byte") != NULL);
	}
	CASE("overlong line") {
		static char t[CONF_LINE_MAX + 100];
		struct conf c;
		char err[512];

		memset(t, 'a', sizeof t - 2);
		t[sizeof t - 2] = '\n';
		CHECK(conf_parse_buf("t", t, sizeof t - 1, &c, err, sizeof err) < 0);
		CHECK(strstr(err, "line longer than") != NULL);
	}
	CASE("tiny error buffer stays terminated") {
		struct conf c;
		char err[8];

		CHECK(conf_parse_buf("t", "x\ny\nz\n", 6, &c, err, sizeof err) < 0);
		CHECK(memchr(err, '\0', sizeof err) != NULL);
	}
}

/* write a config "output = stdout" at path, mode 0640 */
static void put_conf(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	if (fd < 0 || write(fd, "output = stdout\n", 16) != 16)
		CHECK(0);
	if (fd >= 0)
		close(fd);
	chmod(path, 0640);
}

/* 0 when the config at path loads; else -errno, and err has substring want */
static int load_says(const char *path, const char *want)
{
	char err[512];
	struct conf c;
	int e = conf_load(path, &c, err, sizeof err);

	if (e < 0 && want && !strstr(err, want)) {
		printf("# %s: %s", path, err);
		return 1;
	}
	return e;
}

/*
 * The trust rule (common/fsafe.h) on real files: who owns the file and
 * every directory above it, who can write them, sticky directories.  The
 * ownership cases chown to nobody (65534) and need root.
 */
static void check_trust(const char *dir, const char *good)
{
	const uid_t nobody = 65534;
	char p[512], q[512], r[512];
	int root = geteuid() == 0;

	CASE("trust: a file in a 0777 directory is refused") {
		snprintf(p, sizeof p, "%s/open", dir);
		mkdir(p, 0777);
		chmod(p, 0777);
		snprintf(q, sizeof q, "%s/open/p.conf", dir);
		put_conf(q);
		CHECK_INT(load_says(q, "in a directory group or others can write (mode 0777)"), -EPERM);
	}
	CASE("trust: ... and one below it, in a safe directory, too") {
		snprintf(p, sizeof p, "%s/open/sub", dir);
		mkdir(p, 0755);
		snprintf(q, sizeof q, "%s/open/sub/p.conf", dir);
		put_conf(q);
		CHECK_INT(load_says(q, "/open/sub is in a directory group or others can write"), -EPERM);
	}
	CASE("trust: a group-writable directory is refused") {
		snprintf(p, sizeof p, "%s/grp", dir);
		mkdir(p, 0770);
		chmod(p, 0770);
		snprintf(q, sizeof q, "%s/grp/p.conf", dir);
		put_conf(q);
		CHECK_INT(load_says(q, "(mode 0770)"), -EPERM);
	}
	CASE("trust: a sticky 1777 directory (like /tmp) is fine for our own file") {
		snprintf(p, sizeof p, "%s/sticky", dir);
		mkdir(p, 0777);
		chmod(p, 01777);
		snprintf(q, sizeof q, "%s/sticky/p.conf", dir);
		put_conf(q);
		CHECK_INT(load_says(q, NULL), 0);
	}
	CASE("trust: a symlink to a good config in a safe directory is fine") {
		snprintf(r, sizeof r, "%s/link.conf", dir);
		unlink(r);
		CHECK(symlink(good, r) == 0);
		CHECK_INT(load_says(r, NULL), 0);
		unlink(r);
	}
	CASE("trust: a root-owned symlink to a config in a 0777 directory is refused") {
		snprintf(q, sizeof q, "%s/open/p.conf", dir);
		snprintf(r, sizeof r, "%s/link.conf", dir);
		unlink(r);
		CHECK(symlink(q, r) == 0);
		CHECK_INT(load_says(r, "in a directory group or others can write"), -EPERM);
		unlink(r);
	}
	if (!root) {
		check_skip("trust: owners other than root or us", "needs root to chown");
	} else {
		CASE("trust: a config owned by another user is refused") {
			snprintf(q, sizeof q, "%s/nobody.conf", dir);
			put_conf(q);
			CHECK(chown(q, nobody, (gid_t)-1) == 0);
			CHECK_INT(load_says(q, "owned by uid 65534, not root or us"), -EPERM);
		}
		CASE("trust: a directory owned by another user is refused") {
			snprintf(p, sizeof p, "%s/theirs", dir);
			mkdir(p, 0755);
			snprintf(q, sizeof q, "%s/theirs/p.conf", dir);
			put_conf(q);
			CHECK(chown(p, nobody, (gid_t)-1) == 0);
			CHECK_INT(load_says(q, "directory"), -EPERM);
			CHECK_INT(load_says(q, "is owned by uid 65534"), -EPERM);
		}
		CASE("trust: in a sticky directory, a symlink another user planted is refused") {
			snprintf(r, sizeof r, "%s/sticky/planted.conf", dir);
			unlink(r);
			CHECK(symlink(good, r) == 0);
			CHECK(lchown(r, nobody, (gid_t)-1) == 0);
			CHECK_INT(load_says(r, "planted.conf is in a sticky directory but owned by uid 65534"), -EPERM);
		}
		CASE("trust: in a sticky directory, another user's subdirectory is refused") {
			snprintf(p, sizeof p, "%s/sticky/their-dir", dir);
			mkdir(p, 0755);
			snprintf(q, sizeof q, "%s/sticky/their-dir/p.conf", dir);
			put_conf(q);
			CHECK(chown(p, nobody, (gid_t)-1) == 0);
			CHECK_INT(load_says(q, "owned by uid 65534"), -EPERM);
		}
	}
}

static void check_files(void)
{
	char dir[] = "/tmp/p2p-conf-XXXXXX", path[256], err[512];
	struct conf c;
	int fd;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/p.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	if (write(fd, "output = stdout\n", 16) != 16)
		CHECK(0);
	close(fd);
	CASE("file: a good one loads") {
		CHECK_INT(conf_load(path, &c, err, sizeof err), 0);
		CHECK_INT(c.output, OUTPUT_STDOUT);
	}
	CASE("file: world-writable is refused") {
		chmod(path, 0666);
		CHECK(conf_load(path, &c, err, sizeof err) < 0);
		CHECK(strstr(err, "writable by others") != NULL);
		chmod(path, 0640);
	}
	CASE("file: group-writable is refused") {
		chmod(path, 0660);
		CHECK(conf_load(path, &c, err, sizeof err) == -EPERM);
		CHECK(strstr(err, "writable by others (group or world: mode 0660)") != NULL);
		chmod(path, 0640);
	}
	check_trust(dir, path);
	CASE("file: missing says so") {
		CHECK(conf_load("/nonexistent/p.conf", &c, err, sizeof err) < 0);
		CHECK(strstr(err, "/nonexistent/p.conf:0: cannot open") != NULL);
	}
	CASE("file: a directory is not a config") {
		CHECK(conf_load(dir, &c, err, sizeof err) < 0);
	}
	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			CHECK(0);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CASE(rows[i].name) {
			struct conf c, before;
			char err[1024];
			int e;

			memset(&c, 0x5a, sizeof c);
			before = c;
			e = conf_parse_buf("t", rows[i].text, strlen(rows[i].text),
					   &c, err, sizeof err);
			CHECK_INT(e == 0, rows[i].ok);
			if (rows[i].ok)
				CHECK_STR(err, "");
			else
				CHECK(memcmp(&c, &before, sizeof c) == 0);
			if (rows[i].err && !strstr(err, rows[i].err))
				CHECK_STR(err, rows[i].err);
		}
	}
	CASE("values land in the struct") {
		struct conf c;
		char err[256];
		const char *t = "output = file\noutput_file = /var/log/x.log\n"
				"syslog_facility = local6\nsyslog_priority = LOG_NOTICE\n"
				"queue_max_bytes = 2M\noverflow_action = drop\n"
				"node_name = worker-1\nproc_root = /host/proc\n";

		CHECK_INT(conf_parse_buf("t", t, strlen(t), &c, err, sizeof err), 0);
		CHECK_INT(c.output, OUTPUT_FILE);
		CHECK_STR(c.output_file, "/var/log/x.log");
		CHECK_INT(c.syslog_facility, LOG_LOCAL6);
		CHECK_INT(c.syslog_priority, LOG_NOTICE);
		CHECK_INT(c.queue_max_bytes, 2 * 1024 * 1024);
		CHECK_INT(c.overflow_action, OVERFLOW_DROP);
		CHECK_STR(c.node_name, "worker-1");
		CHECK_STR(c.proc_root, "/host/proc");
	}
	CASE("defaults") {
		struct conf c;

		conf_defaults(&c);
		CHECK_INT(c.output, OUTPUT_SYSLOG);
		CHECK_INT(c.output_format, FORMAT_TEXT);
		CHECK_INT(c.json_schema, SCHEMA_NATIVE);
		CHECK_STR(c.proc_root, "/proc");
		CHECK_INT(c.overflow_action, OVERFLOW_BLOCK);
		CHECK_INT(c.batch_ms, 20);
		CHECK_INT(c.syslog_facility, LOG_USER);
		CHECK_INT(c.syslog_priority, LOG_INFO);
	}
	CASE("the generated default config parses to the defaults") {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct conf c, d;
		char err[256];

		conf_print_default(f);
		fclose(f);
		CHECK_INT(conf_parse_buf("gen", buf, len, &c, err, sizeof err), 0);
		conf_defaults(&d);
		CHECK(memcmp(&c, &d, sizeof c) == 0);
		for (size_t k = 0; k < conf_nkeys; k++)
			CHECK(strstr(buf, conf_keys[k].name) != NULL);
		free(buf);
	}
	check_buf_null();
	check_files();
	return check_done();
}
