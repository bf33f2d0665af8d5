/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.c - Landlock after start-up: the plugin keeps uid 0 once its
 * capabilities are gone (privs.c), so without this a parser bug could read
 * /etc/shadow or write /etc/cron.d.  From the configuration it allows:
 *   reads   proc_root; runtime_state_dirs (a missing one: its parent, when
 *           that exists, since the runtime makes its task directory late);
 *           the directories of the config, the kubelet token, CA, client
 *           certificate and key (files replaced by rename: editors,
 *           projected tokens, rotated certificates); the system CA store
 *           when no CA file is set and OpenSSL's config (https); the
 *           resolver's files when the kubelet URL names a host to look
 *           up; /etc/localtime (glibc, for syslog timestamps);
 *   writes  the directories of output_file and log_file (created again
 *           after a rotation) and of metrics_file (a temporary file made
 *           by mkostemp, O_RDWR, then renamed over it: READ_FILE and
 *           REMOVE_FILE too);
 *   TCP     connect to the kubelet URL's port only (and 53, DNS over TCP,
 *           when its host must be looked up), bind nowhere;
 *   scopes  no signals to, no abstract unix sockets of, other processes.
 * Only the rights the running kernel's ABI knows are handled (and the rest
 * stays open); older headers lack the newer constants, defined here.
 * Found by tracing the tests that use the kubelet (strace -f): what is
 * left denied is glibc malloc's look at /proc/sys/vm/overcommit_memory
 * when proc_root is not /proc (it then keeps its default).
 * Sanitizer builds also read /proc (LeakSanitizer's /proc/self/maps), the
 * libraries and the binary (symbolizing), and write their report files.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#endif
#endif

#include "common/util.h"
#include "plugin/sandbox.h"
#include "podmeta/kubeconf.h"
#include "resolve/cgprocs.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
/* ABI 1 */
#ifndef LANDLOCK_ACCESS_FS_EXECUTE
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER        /* ABI 2 */
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE     /* ABI 3 */
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP    /* ABI 4 */
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV    /* ABI 5 */
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET /* ABI 6 */
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* The kernel's structs at their newest (older headers have fewer fields;
 * the kernel takes a longer struct when the extra fields are zero). */
struct sbx_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;  /* ABI 4 */
	uint64_t scoped;              /* ABI 6 */
};
struct sbx_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct sbx_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};
#define SBX_RULE_PATH_BENEATH 1
#define SBX_RULE_NET_PORT 2

#define SBX_FS_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
/* what a rule on a file (not a directory) may carry */
#define SBX_FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
		     LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define R_FILE LANDLOCK_ACCESS_FS_READ_FILE
#define R_TREE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define W_APPEND (LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_WRITE_FILE)
/* mkostemp opens O_RDWR: READ_FILE too; rename over the old file and
 * unlink of a failed one: REMOVE_FILE */
#define W_RENAME (W_APPEND | LANDLOCK_ACCESS_FS_READ_FILE | \
		  LANDLOCK_ACCESS_FS_REMOVE_FILE)

#define SANDBOX_RULES_MAX 80   /* paths in one plan: a config gives at most
				  32 (8 runtime dirs, 5 resolver files, ...),
				  the cgroup mounts CGROUP_MOUNTS_MAX more */
#define CGROUP_MOUNTS_MAX 32   /* cgroup hierarchies allowed (v1: ~14) */
#define SANDBOX_THREADS_MAX 64 /* tasks looked at in /proc/self/task */

#if defined(__SANITIZE_ADDRESS__)
#define SBX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SBX_SANITIZER 1
#endif
#endif

struct sbx_rule {
	char want[PATH_MAX];  /* the path the config asks for */
	uint64_t access;
	const char *what;     /* why it is allowed, for messages */
	int parent_ok;        /* may fall back to the parent when missing */
	int quiet;            /* missing: skipped without a word */
	int machine;          /* from the machine, not the config (cgroup
				 mounts): a SIGHUP does not check it */
};

struct sbx_plan {
	unsigned n;
	struct sbx_rule r[SANDBOX_RULES_MAX];
	int port;             /* the kubelet's TCP port, 0: none */
	int dns_tcp;          /* 1: TCP port 53 too (a host name to look up) */
};

/* The running sandbox: what it was made from (SIGHUP compares against it). */
static struct sbx_plan running;
static int running_abi;

int sandbox_abi(void)
{
	return running_abi;
}

/* The rule added, or NULL (an empty path; a full plan cannot happen: see
 * SANDBOX_RULES_MAX). */
static struct sbx_rule *plan_add(struct sbx_plan *p, const char *path,
				 uint64_t access, const char *what)
{
	struct sbx_rule *r = &p->r[p->n];

	if (!path[0] || p->n >= SANDBOX_RULES_MAX)
		return NULL;
	snprintf(r->want, sizeof r->want, "%s", path);
	r->access = access;
	r->what = what;
	r->parent_ok = 0;
	r->quiet = 0;
	r->machine = 0;
	p->n++;
	return r;
}

/* A path only some systems have: skipped without a word when missing. */
static void plan_add_quiet(struct sbx_plan *p, const char *path,
			   uint64_t access, const char *what)
{
	struct sbx_rule *r = plan_add(p, path, access, what);

	if (r)
		r->quiet = 1;
}

/* The directory of file path (absolute or relative). */
static void plan_add_dir(struct sbx_plan *p, const char *file, uint64_t access,
			 const char *what)
{
	char buf[PATH_MAX];

	if (!file[0])
		return;
	snprintf(buf, sizeof buf, "%s", file);
	plan_add(p, dirname(buf), access, what);
}

/*
 * The port of a URL "scheme://[user@]host[:port]/...", its host in host
 * (size bytes).  0 when it cannot be read.
 */
static int url_port(const char *url, char *host, size_t size)
{
	const char *a = strstr(url, "://"), *end, *colon = NULL, *at;
	int https = strncmp(url, "https://", 8) == 0;
	long port;

	host[0] = '\0';
	if (!a)
		return 0;
	a += 3;
	end = a + strcspn(a, "/?#");
	at = memchr(a, '@', (size_t)(end - a));
	if (at)
		a = at + 1;
	if (*a == '[') {
		const char *rb = memchr(a, ']', (size_t)(end - a));

		if (!rb)
			return 0;
		snprintf(host, size, "%.*s", (int)(rb - a - 1), a + 1);
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(a, ':', (size_t)(end - a));
		snprintf(host, size, "%.*s", (int)((colon ? colon : end) - a), a);
	}
	if (!colon || colon + 1 == end)
		return https ? 443 : 80;
	port = strtol(colon + 1, NULL, 10);
	return port > 0 && port < 65536 ? (int)port : 0;
}

static int is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* What the kubelet client reads and where it connects. */
static void plan_kubelet(struct sbx_plan *p, const struct conf *c)
{
	struct kubelet_conf kc;
	char node[CONF_NAME_MAX], why[256], host[CONF_NAME_MAX + 64];

	conf_node_name(c, node, sizeof node);
	if (kubelet_conf_from(c, node, &kc, why, sizeof why) <= 0)
		return; /* no client runs */
	plan_add_dir(p, kc.token_file, R_FILE, "kubelet token (re-read)");
	plan_add_dir(p, kc.ca_file, R_FILE, "kubelet CA");
	plan_add_dir(p, kc.client_cert, R_FILE, "kubelet client certificate");
	plan_add_dir(p, kc.client_key, R_FILE, "kubelet client key");
	/* Debian's paths, then RPM systems' (/etc/pki: their CA bundle is a
	 * symlink into ca-trust, their OpenSSL config is in tls/) */
	if (!kc.plain_http && !kc.insecure && !kc.ca_file[0]) {
		plan_add_quiet(p, "/etc/ssl/certs", R_TREE, "system CA store");
		plan_add_quiet(p, "/etc/pki/ca-trust/extracted", R_TREE,
			       "system CA store");
	}
	if (!kc.plain_http) {
		plan_add_quiet(p, "/usr/lib/ssl/openssl.cnf", R_FILE,
			       "OpenSSL's config");
		plan_add_quiet(p, "/etc/pki/tls", R_TREE,
			       "OpenSSL's config, system CA store");
	}
	p->port = url_port(kc.url, host, sizeof host);
	if (!kc.resolve[0] && host[0] && !is_ip_literal(host)) {
		static const char *const files[] = {
			"/etc/nsswitch.conf", "/etc/host.conf", "/etc/hosts",
			"/etc/resolv.conf", "/etc/gai.conf",
		};

		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			plan_add_quiet(p, files[i], R_FILE, "kubelet host name lookup");
		/* a DNS answer too large for UDP comes again over TCP */
		p->dns_tcp = 1;
	}
}

/*
 * Exec sessions (cgprocs.c) read the plugin's own mountinfo and, in the
 * cgroup hierarchies it lists, a container's cgroup.procs: every cgroup
 * mount point at start, read only.  /proc as a whole when proc_root is
 * elsewhere: a rule on /proc/self/mountinfo would hang on an inode procfs
 * makes anew.
 */
static void plan_cgroups(struct sbx_plan *p, const struct conf *c)
{
	FILE *f;
	char line[4096], mnt[PATH_MAX];
	unsigned n = 0;

	if (!c->proc_connector)
		return; /* no sessions without the connector */
	if (strcmp(c->proc_root, "/proc") != 0)
		plan_add_quiet(p, "/proc", R_TREE,
			       "exec sessions: the plugin's own mountinfo");
	f = fopen(CGPROCS_MOUNTINFO, "re");
	while (f && fgets(line, sizeof line, f) && n < CGROUP_MOUNTS_MAX) {
		const char *sep = strstr(line, " - ");
		struct sbx_rule *r;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE ... */
		if (!sep || (strncmp(sep + 3, "cgroup ", 7) != 0 &&
			     strncmp(sep + 3, "cgroup2 ", 8) != 0))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    strchr(mnt, '\\'))
			continue; /* an escaped mount point: not taken */
		r = plan_add(p, mnt, R_TREE,
			     "exec sessions: a cgroup hierarchy's cgroup.procs");
		if (r) {
			r->quiet = 1;
			r->machine = 1;
			n++;
		}
	}
	if (f)
		fclose(f);
}

/* Everything configuration c (loaded from conf_path) needs. */
static void plan_build(struct sbx_plan *p, const struct conf *c,
		       const char *conf_path)
{
	char dirs[sizeof c->runtime_state_dirs], *d, *save = NULL;

	memset(p, 0, sizeof *p);
	plan_add(p, c->proc_root, R_TREE, "proc_root");
	memcpy(dirs, c->runtime_state_dirs, sizeof dirs);
	for (d = strtok_r(dirs, " \t,", &save); d; d = strtok_r(NULL, " \t,", &save)) {
		struct sbx_rule *r = plan_add(p, d, R_TREE, "runtime_state_dirs");

		if (r)
			r->parent_ok = 1;
	}
	plan_add_dir(p, conf_path, R_FILE, "config (re-read on SIGHUP)");
	if (c->output == OUTPUT_FILE)
		plan_add_dir(p, c->output_file, W_APPEND, "output_file");
	plan_add_dir(p, c->log_file, W_APPEND, "log_file");
	plan_add_dir(p, c->metrics_file, W_RENAME, "metrics_file (temporary file renamed)");
	plan_kubelet(p, c);
	plan_cgroups(p, c);
	/* glibc reads it at the first local time (syslog timestamps) */
	plan_add_quiet(p, "/etc/localtime", R_FILE, "local time zone");
#ifdef SBX_SANITIZER
	plan_add(p, "/proc", R_TREE, "sanitizer: LeakSanitizer reads /proc/self");
	plan_add(p, "/usr/lib", R_TREE, "sanitizer: symbolizing");
	{
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

		if (n > 0) {
			exe[n] = '\0';
			plan_add_dir(p, exe, R_FILE, "sanitizer: symbolizing");
		}
	}
#ifdef P2P_SANITIZER_LOG
	/* its directory: keep it one of its own (.ci/run), not /tmp */
	plan_add_dir(p, P2P_SANITIZER_LOG, W_APPEND, "sanitizer: its report files");
#endif
#endif
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < SANDBOX_THREADS_MAX)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The rights ABI abi handles: filesystem, network, scopes. */
static void abi_rights(int abi, struct sbx_ruleset_attr *a, size_t *size)
{
	memset(a, 0, sizeof *a);
	a->handled_access_fs = SBX_FS_ABI1;
	if (abi >= 2)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 4)
		a->handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
					LANDLOCK_ACCESS_NET_CONNECT_TCP;
	if (abi >= 5)
		a->handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 6)
		a->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
	*size = abi >= 6 ? sizeof *a : abi >= 4 ? 2 * sizeof(uint64_t) :
		sizeof(uint64_t);
}

/* Set-up refused as a whole (no Landlock, a seccomp profile): go on. */
static int refused(int e)
{
	return e == EPERM || e == ENOSYS || e == EOPNOTSUPP;
}

/* Add rule r to ruleset rfd; 1 added, 0 skipped (missing: *note), -errno. */
static int add_path(int rfd, const struct sbx_rule *r, uint64_t handled,
		    char *note, size_t note_size)
{
	_cleanup_close_ int fd = open(r->want, O_PATH | O_CLOEXEC);
	struct sbx_path_beneath_attr pb;
	struct stat st;
	const char *used = r->want;
	char parent[PATH_MAX];

	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && r->parent_ok) {
		snprintf(parent, sizeof parent, "%s", r->want);
		used = dirname(parent);
		fd = open(used, O_PATH | O_CLOEXEC);
	}
	if (fd < 0 && errno == EACCES) {
		/* unreachable without the capabilities dropped before: the
		 * plugin could not read it anyway; no rule, nothing wider */
		snprintf(note, note_size, "; %s %s is not reachable (%s): not "
			 "allowed", r->what, r->want, strerror(errno));
		return 0;
	}
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
		if (r->quiet)
			return 0;
		snprintf(note, note_size, "; %s %s is not there: not allowed "
			 "until a restart", r->what, r->want);
		return 0;
	}
	if (used != r->want)
		snprintf(note, note_size, "; %s %s is not there yet: its parent "
			 "%s is allowed", r->what, r->want, used);
	if (fstat(fd, &st) < 0)
		return -errno;
	pb.allowed_access = r->access & handled;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= SBX_FS_FILE;
	pb.parent_fd = fd;
	if (!pb.allowed_access)
		return 0;
	if (syscall(__NR_landlock_add_rule, rfd, SBX_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	return 1;
}

static void msg_cat(char *msg, size_t size, const char *s)
{
	size_t used = strlen(msg);

	if (used + 1 < size)
		snprintf(msg + used, size - used, "%s", s);
}

int sandbox_apply(const struct conf *c, const char *conf_path, char *msg,
		  size_t msg_size)
{
	static struct sbx_plan plan;
	struct sbx_ruleset_attr attr;
	struct sbx_net_port_attr np;
	_cleanup_close_ int rfd = -1;
	char note[PATH_MAX + 128];
	size_t size;
	unsigned added = 0;
	int abi, n, e;

	msg[0] = '\0';
	if (!c->sandbox) {
		snprintf(msg, msg_size, "off (sandbox = no)");
		return 0;
	}
	n = count_threads();
	if (n != 1) {
		snprintf(msg, msg_size, "%d threads run (/proc/self/task): the "
			 "sandbox must be set before any thread starts", n);
		return n < 0 ? n : -EBUSY;
	}
	abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0 && refused(errno)) {
		snprintf(msg, msg_size, "Landlock unavailable (%s): running "
			 "without a sandbox", strerror(errno));
		return 0;
	}
	if (abi < 0) {
		e = errno;
		snprintf(msg, msg_size, "Landlock's version: %s", strerror(e));
		return -e;
	}
	plan_build(&plan, c, conf_path);
	abi_rights(abi, &attr, &size);
	rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (rfd < 0 && refused(errno)) {
		snprintf(msg, msg_size, "Landlock ruleset refused (%s): running "
			 "without a sandbox", strerror(errno));
		return 0;
	}
	if (rfd < 0) {
		e = errno;
		snprintf(msg, msg_size, "Landlock ruleset: %s", strerror(e));
		return -e;
	}
	snprintf(msg, msg_size, "Landlock ABI %d", abi);
	for (unsigned i = 0; i < plan.n; i++) {
		note[0] = '\0';
		e = add_path(rfd, &plan.r[i], attr.handled_access_fs, note,
			     sizeof note);
		if (e < 0) {
			snprintf(msg, msg_size, "Landlock rule for %s %s: %s",
				 plan.r[i].what, plan.r[i].want, strerror(-e));
			return e;
		}
		added += (unsigned)e;
		msg_cat(msg, msg_size, note);
	}
	for (int k = 0; attr.handled_access_net && k < 2; k++) {
		int port = k == 0 ? plan.port : plan.dns_tcp ? 53 : 0;

		if (!port)
			continue;
		np.allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP;
		np.port = (uint64_t)port;
		if (syscall(__NR_landlock_add_rule, rfd, SBX_RULE_NET_PORT, &np, 0) < 0) {
			e = errno;
			snprintf(msg, msg_size, "Landlock rule for TCP port %d: %s",
				 port, strerror(e));
			return -e;
		}
	}
	if (syscall(__NR_landlock_restrict_self, rfd, 0) < 0) {
		e = errno;
		snprintf(msg, msg_size, "Landlock restrict_self: %s", strerror(e));
		return -e;
	}
	running = plan;
	running_abi = abi;
	snprintf(note, sizeof note, "; %u paths allowed, TCP connect: %s%d%s",
		 added, attr.handled_access_net ? "port " : "not restricted by ABI ",
		 attr.handled_access_net ? plan.port : abi,
		 attr.handled_access_net && plan.dns_tcp ? " and 53 (DNS)" : "");
	msg_cat(msg, msg_size, note);
	return 1;
}

/* Is path under (or at) top? */
static int beneath(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (n == 1 && top[0] == '/')
		return path[0] == '/';
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int sandbox_covers(const struct conf *c, const char *conf_path, char *msg,
		   size_t msg_size)
{
	static struct sbx_plan want;
	char item[PATH_MAX + 128];
	int missing = 0;

	msg[0] = '\0';
	if (!running_abi)
		return 0;
	plan_build(&want, c, conf_path);
	for (unsigned i = 0; i < want.n; i++) {
		const struct sbx_rule *w = &want.r[i];
		uint64_t has = 0;

		if (w->machine)
			continue; /* the machine's, not the config's */
		/* Landlock grants the union of the rules above a path */
		for (unsigned j = 0; j < running.n; j++)
			if (beneath(w->want, running.r[j].want))
				has |= running.r[j].access;
		if (!(w->access & ~has))
			continue;
		snprintf(item, sizeof item, "%s%s %s %s", missing++ ? "; " : "",
			 w->access & W_APPEND ? "writes to" : "reads of",
			 w->what, w->want);
		msg_cat(msg, msg_size, item);
	}
	if (running_abi >= 4 && want.port && want.port != running.port) {
		char now[32] = "no TCP port";

		if (running.port)
			snprintf(now, sizeof now, "only port %d", running.port);
		snprintf(item, sizeof item, "%sTCP connections to port %d (the "
			 "sandbox allows %s)", missing++ ? "; " : "", want.port, now);
		msg_cat(msg, msg_size, item);
	}
	return missing ? -EPERM : 0;
}
