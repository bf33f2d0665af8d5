/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the pid2pod command: options, dispatch, exit statuses.
 *
 * Options may come before or after the subcommand (GNU getopt permutes);
 * the first operand names the subcommand.  Exit status 0 when everything
 * asked for was found, 1 when something was not (no such pid, pod or
 * container), 2 for usage and configuration errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/log.h"
#include "common/version.h"

static const char usage_text[] =
	"usage: pid2pod [OPTIONS] lookup PID...\n"
	"       pid2pod [OPTIONS] ps [-n NAMESPACE] [--pod NAME]\n"
	"       pid2pod [OPTIONS] pids NAMESPACE/POD [--container NAME]\n"
	"       pid2pod [OPTIONS] hostpid NAMESPACE/POD[/CONTAINER] PID\n"
	"       pid2pod [OPTIONS] sessions [NAMESPACE/POD]\n"
	"options:\n"
	"  -c, --config FILE    config file (default " CONF_DEFAULT_PATH ")\n"
	"  --proc-root DIR      where the host's /proc is\n"
	"  --no-kubelet         cgroups and runtime state only\n"
	"  --kubelet-url URL    the kubelet (over the config's kubelet_url)\n"
	"  --json               one JSON object per line\n"
	"  -h, --help           this text;  -V, --version\n";

static int usage(const char *why)
{
	if (why)
		cli_err("%s", why);
	fputs(usage_text, stderr);
	return CLI_USAGE;
}

enum { OPT_PROC_ROOT = 256, OPT_NO_KUBELET, OPT_KUBELET_URL, OPT_JSON,
       OPT_POD, OPT_CONTAINER };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ "no-kubelet", no_argument, NULL, OPT_NO_KUBELET },
	{ "kubelet-url", required_argument, NULL, OPT_KUBELET_URL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "namespace", required_argument, NULL, 'n' },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct subcmd {
	const char *name;
	int (*run)(struct cli *, const struct cli_opts *, int, char **);
	int min_args, max_args;  /* operands after the name; -1: any */
	int filters;             /* -n/--pod allowed (ps) */
	int container;           /* --container allowed (pids) */
};

static const struct subcmd subcmds[] = {
	{ "lookup", cmd_lookup, 1, -1, 0, 0 },
	{ "ps", cmd_ps, 0, 0, 1, 0 },
	{ "pids", cmd_pids, 1, 1, 0, 1 },
	{ "hostpid", cmd_hostpid, 2, 2, 0, 0 },
	{ "sessions", cmd_sessions, 0, 1, 0, 0 },
};

int main(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	const struct subcmd *sc = NULL;
	struct cli c;
	char msg[128];
	int opt, nargs, rc;

	log_init("pid2pod", 1, 0);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:n:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': o.conf_path = optarg; break;
		case OPT_PROC_ROOT: o.proc_root = optarg; break;
		case OPT_NO_KUBELET: o.no_kubelet = 1; break;
		case OPT_KUBELET_URL: o.kubelet_url = optarg; break;
		case OPT_JSON: o.json = 1; break;
		case 'n': o.ns = optarg; break;
		case OPT_POD: o.pod = optarg; break;
		case OPT_CONTAINER: o.container = optarg; break;
		case 'h': fputs(usage_text, stdout); return CLI_OK;
		case 'V': printf("pid2pod %s\n", P2P_VERSION); return CLI_OK;
		case ':':
			snprintf(msg, sizeof msg, "option %s needs a value",
				 argv[optind - 1]);
			return usage(msg);
		default:
			snprintf(msg, sizeof msg, "unknown option %s",
				 argv[optind - 1]);
			return usage(msg);
		}
	}
	if (optind >= argc)
		return usage("no subcommand");
	for (size_t i = 0; i < sizeof subcmds / sizeof subcmds[0]; i++)
		if (strcmp(argv[optind], subcmds[i].name) == 0)
			sc = &subcmds[i];
	if (!sc) {
		snprintf(msg, sizeof msg, "unknown subcommand '%.60s'",
			 argv[optind]);
		return usage(msg);
	}
	nargs = argc - optind - 1;
	if (nargs < sc->min_args || (sc->max_args >= 0 && nargs > sc->max_args)) {
		snprintf(msg, sizeof msg, "%s: %s operands", sc->name,
			 nargs < sc->min_args ? "missing" : "too many");
		return usage(msg);
	}
	if ((!sc->filters && (o.ns || o.pod)) || (!sc->container && o.container)) {
		snprintf(msg, sizeof msg, "%s: %s is not one of its options",
			 sc->name, o.container && !sc->container ? "--container"
			 : o.ns ? "-n" : "--pod");
		return usage(msg);
	}
	if (o.kubelet_url && o.no_kubelet)
		return usage("--kubelet-url and --no-kubelet contradict each other");
	rc = cli_open(&c, &o);
	if (rc != 0)
		return rc;
	rc = sc->run(&c, &o, nargs, argv + optind + 1);
	cli_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("writing the output: %s", strerror(errno));
		return CLI_USAGE;
	}
	return rc;
}
