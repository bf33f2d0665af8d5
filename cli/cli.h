/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - the pid2pod command: what its files share.
 *
 * The command answers one question per run, in either direction (pid to
 * pod, pod to pids), from the same sources the plugin uses: the cgroup
 * file of each process (procfs.c), the runtime's state files (ctrmeta.c)
 * and one fetch of the kubelet's pod list (kubelet.c), merged by names.c.
 *
 *   main.c     options, dispatch, exit statuses
 *   lookup.c   `lookup PID...`
 *   ps.c       `ps`
 *   pods.c     `pids NS/POD` and `hostpid NS/POD[/CONTAINER] PID`
 *   sources.c  the config file and the sources it names
 *   kube.c     the one fetch of the pod list, with a deadline
 *   proc.c     one process as the CLI shows it; the walk over <proc_root>
 *   out.c      aligned tables, JSON objects, the names shown for a process
 *   util.c     messages on stderr, pid operands
 *
 * A file calls only files below it in that list (main.c the subcommands,
 * they sources.c ... util.c; none of the three subcommands another), so
 * the calls between them have no cycle: tests/lint/cli_calls.sh checks.
 */
#ifndef P2P_CLI_H
#define P2P_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/conf.h"
#include "common/ident.h"
#include "output/enrich.h"
#include "podmeta/ctrmeta.h"
#include "podmeta/podcache.h"

#define CLI_KUBELET_TIMEOUT_MS 5000 /* the whole fetch; the plugin allows 30 s */
#define CLI_CMDLINE_MAX 4096        /* bytes of a command line shown */
#define CLI_PROCS_MAX (4u << 20)    /* processes a walk keeps */
#define CLI_JSON_MAX 16384          /* one JSON object */
#define CLI_SHORT_ID 13             /* container ids in tables (as crictl) */

enum cli_exit { CLI_OK = 0, CLI_NOT_FOUND = 1, CLI_USAGE = 2 };

struct cli_opts {
	const char *conf_path;  /* NULL: CONF_DEFAULT_PATH, missing is fine */
	const char *proc_root;  /* NULL: the config's */
	const char *kubelet_url;
	int no_kubelet;
	int json;
	const char *ns;         /* ps -n */
	const char *pod;        /* ps --pod */
	const char *container;  /* pids --container */
};

/* The sources, set up once per run. */
struct cli {
	struct conf conf;
	struct ctrmeta *cm;
	struct podcache *pc;   /* NULL: no pod list (not asked, or failed) */
	int64_t now;
};

/* One process. */
struct cproc {
	int32_t pid;
	int32_t ppid;          /* -1: unknown (no stat) */
	int32_t nspid;         /* innermost NSpid (pid itself in the root
				  namespace); -1: unknown (no status) */
	uint64_t start;        /* start time in ticks; 0: unknown */
	struct ident id;
	int named;             /* nm is filled (strings owned) */
	struct k8s_names nm;
	char *cmd;             /* command line, or [comm]; NULL: unknown */
	uint64_t pidns;        /* its pid namespace (ns/pid inode); 0: unknown */
};

struct cproc_list {
	struct cproc *v;
	size_t n, cap;
};

/* sources.c */
/*
 * cli_open - load the config (opts->conf_path or the default), apply the
 * command line over it, open the runtime-state source and fetch the pod
 * list unless told not to.  Warnings (config unreadable, kubelet failed)
 * go to stderr as one line each.  Returns 0, or CLI_USAGE after printing
 * why (a malformed config, a bad option value).
 */
int cli_open(struct cli *c, const struct cli_opts *opts);
void cli_close(struct cli *c);

/* kube.c */
/*
 * kube_fetch - one GET of the pod list per kc, given up after timeout_ms.
 * Returns the sealed snapshot (one reference), or NULL with why filled.
 */
struct kubelet_conf;
struct podsnap *kube_fetch(const struct kubelet_conf *kc, int timeout_ms,
			   char *why, size_t why_size);

/* proc.c */
/*
 * cproc_read - what is known of pid: its cgroup's verdict and the names of
 * its pod, its parent, NSpid and command where those files exist.
 * 0, or -ESRCH when there is no such process (*p then zeroed).
 */
int cproc_read(struct cli *c, int32_t pid, struct cproc *p);
void cproc_done(struct cproc *p);
/*
 * cproc_scan - every process under proc_root that belongs to a pod
 * (container or pod-only), sorted by pid; with like, only those in like's
 * container (cproc_same_container: what cproc_sessions needs to tell
 * like's session).  0 or -errno.
 */
int cproc_scan(struct cli *c, const struct cproc *like, struct cproc_list *ret);
void cproc_list_free(struct cproc_list *l);
/* cproc_find - the process pid in a list sorted by pid, or NULL. */
const struct cproc *cproc_find(const struct cproc_list *l, int32_t pid);
/* cproc_same_container - 1 when a and b are in one container (or both
 * pod-only processes of one pod). */
int cproc_same_container(const struct cproc *a, const struct cproc *b);
/*
 * cproc_cmp_in_pod - the order of two processes of one pod: pod-only
 * processes (the sandbox) first, then by container name and id, then pid.
 */
int cproc_cmp_in_pod(const struct cproc *x, const struct cproc *y);
/* cproc_pod_is - 1 when p's pod is named ns/pod. */
int cproc_pod_is(const struct cproc *p, const char *ns, const char *pod);
/*
 * cproc_main - mark in main[] (n entries, one per process of l->v) the
 * main process of each container: the oldest of the processes whose
 * parent is not in that container.
 */
void cproc_main(const struct cproc_list *l, const size_t *idx, size_t n,
		int *is_main);

/*
 * cproc_sessions - the exec session of each of the n processes idx of l,
 * as /proc alone tells it (docs/design.md: The pid2pod command), written into
 * its id.exec_root; idx must hold every process of their containers, and
 * l stay sorted by pid.  A process's chain of parents inside its
 * container leads to a top process (whose parent is outside).  The
 * container's main process and, when main is not the init of a pid
 * namespace (which adopts orphans), its descendants: IDENT_EXEC_NONE.
 * Another top whose parent is in another pid namespace (runc exec's
 * setns), and its descendants: that top's pid, a session's root.
 * Anything else (descendants of a namespace's init: maybe a session's
 * orphans; tops in the host's namespace: maybe orphans taken by the shim;
 * no parent known): IDENT_EXEC_UNKNOWN.  The one rule of ps, pids,
 * hostpid, lookup and sessions.
 */
void cproc_sessions(const char *proc_root, struct cproc_list *l,
		    const size_t *idx, size_t n);

/* out.c */
struct table;
struct table *table_new(unsigned ncols, const char *const *headers);
/* table_add - one row of ncols cells (NULL or "" shown as "-"). */
void table_add(struct table *t, const char *const *cells);
/* table_print - aligned on two spaces, the last column not padded;
 * nothing at all when no row was added. */
void table_print(struct table *t, FILE *f);
void table_free(struct table *t);
/* out_short_id - the first CLI_SHORT_ID digits of an id into buf. */
const char *out_short_id(const char *id, char *buf, size_t size);
/* out_pod - "NAMESPACE/POD", or the pod UID when the names are unknown. */
const char *out_pod(const struct cproc *p, char *buf, size_t size);
/* out_container - the container's name, else its short id, else "-". */
const char *out_container(const struct cproc *p, char *buf, size_t size);
/* out_runtime - "containerd", "cri-o", "docker", "podman" or NULL. */
const char *out_runtime(const struct cproc *p);
/* out_exec - p's session for a table: its root's pid, "?" (may be in
 * one), or NULL (shown "-": the container's own tree, a host process). */
const char *out_exec(const struct cproc *p, char *buf, size_t size);
/* out_int - n as text, or "-" when negative (unknown). */
const char *out_int(int64_t n, char *buf, size_t size);

/* JSON: one object per line.  Flags choose the members besides k8s. */
enum { OUT_PPID = 1, OUT_CMD = 2 };
/* out_json_proc - {"pid":..,"nspid":..,"runtime":..,["ppid":..,]
 * ["command":..,]["main":true,]"k8s":{..}} or {"pid":N,"host":true};
 * k8s's "exec" as the plugin writes it (jsonout_k8s). */
void out_json_proc(FILE *f, const struct cproc *p, int flags, int is_main);

/* the subcommands; each returns an exit status */
int cmd_lookup(struct cli *c, const struct cli_opts *o, int argc, char **argv);
int cmd_ps(struct cli *c, const struct cli_opts *o, int argc, char **argv);
int cmd_pids(struct cli *c, const struct cli_opts *o, int argc, char **argv);
int cmd_sessions(struct cli *c, const struct cli_opts *o, int argc, char **argv);
int cmd_hostpid(struct cli *c, const struct cli_opts *o, int argc, char **argv);

/* util.c: "pid2pod: " + message on stderr */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cli_parse_pid - a pid > 0 from s, strictly; 0 or -EINVAL. */
int cli_parse_pid(const char *s, int32_t *ret);

#endif
