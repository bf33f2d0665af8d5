/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.c - turn the bytes of /proc/<pid>/cgroup into a container id and a
 * Kubernetes pod UID.
 *
 * The file holds one "hierarchy-id:controllers:path" line per hierarchy:
 * many on cgroup v1, a single "0::/path" on v2, both on hybrid hosts.  Each
 * path is read segment by segment.  A segment names a container when, once a
 * ".scope" suffix and a runtime prefix ("cri-containerd-", "crio-", ...) are
 * gone, or in the systemd "slice:prefix:name" colon form, what is left is
 * exactly 64 hex digits.  A pod UID is only ever taken from a "pod<uid>"
 * token; nothing is anchored on "kubepods" or a QoS class, so custom cgroup
 * roots, cgroup namespaces ("/.."), Docker Desktop and nodes that are
 * themselves containers (kind, minikube) all read the same way.
 *
 * Two rules decide what a path means:
 *  - When a path has a pod segment, the container is the id segment nearest
 *    inside it.  Ids further out belong to whatever runs the node (the kind
 *    node's own docker id); ids further in were made from inside the pod's
 *    container (docker-in-docker, or a forged sub-cgroup) and the kubelet
 *    knows nothing of them.  Two different pod UIDs on one path (a cluster
 *    nested in a pod) are ambiguous.  Without a pod segment the innermost id
 *    wins (podman's "container" child, nested docker).
 *  - A runtime monitor ("crio-conmon-<id>", "libpod-conmon-<id>", "conmon")
 *    is never the container: conmon lives on the host, outside the
 *    container's namespaces, and the id in its name is the container it
 *    watches.  Where the monitor is the nearest classified segment, the line
 *    names no container at all, not even one further out: a guess there
 *    could be exactly the monitored container.  CRI-O puts conmon in the
 *    pod's cgroup, so such a process still gets the pod UID (POD_ONLY): it
 *    is charged to, created for and dies with that pod, and the missing
 *    container id says it is not one of the pod's workloads.
 *
 * Across lines, those naming nothing (and malformed ones) are ignored;
 * lines carrying a pod UID are preferred over the rest (on a kind node the
 * unified line shows only the node's container); whatever remains must
 * agree, or the answer is CGROUP_AMBIGUOUS rather than a guess.
 *
 * Pure: no I/O, no allocation, no logging; safe on any bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "resolve/cgroup.h"

#define HIER_ID_MAX_DIGITS 10   /* hierarchy ids are small numbers */
#define POD_TOKEN "pod"
#define POD_TOKEN_LEN (sizeof(POD_TOKEN) - 1)
#define UUID_LEN 36             /* 8-4-4-4-12 */
#define STATIC_POD_UID_LEN 32   /* kubelet hash of a static pod manifest */
#define SCOPE_SUFFIX ".scope"
#define DELETED_SUFFIX " (deleted)" /* v2: the cgroup was removed */
#define MONITOR_SEGMENT "conmon"

/* A run of bytes inside the caller's buffer; never NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

/* Runtime prefixes: "<name>-<id>[.scope]" and "<slice>:<name>:<id>". */
struct runtime_prefix {
	const char *name;
	enum ident_runtime runtime;
	bool monitor; /* the runtime's monitor process, not the container */
};

static const struct runtime_prefix runtime_prefixes[] = {
	{ "cri-containerd", RUNTIME_CONTAINERD, false },
	{ "nerdctl", RUNTIME_CONTAINERD, false },
	{ "crio", RUNTIME_CRIO, false },
	{ "crio-conmon", RUNTIME_CRIO, true },
	{ "docker", RUNTIME_DOCKER, false },
	{ "libpod", RUNTIME_PODMAN, false },
	{ "libpod-payload", RUNTIME_PODMAN, false }, /* --cgroups=split */
	{ "libpod-conmon", RUNTIME_PODMAN, true },
};

/* Parent directories that tell the runtime of a bare "<id>" segment. */
static const struct runtime_prefix runtime_parents[] = {
	{ "docker", RUNTIME_DOCKER, false },  /* docker, cgroupfs driver */
	{ "libpod", RUNTIME_PODMAN, false },  /* podman, cgroupfs manager */
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum seg_kind {
	SEG_NONE = 0,
	SEG_CONTAINER,
	SEG_MONITOR,
};

/* What one path segment says. */
struct segment {
	enum seg_kind kind;
	enum ident_runtime runtime;
	const char *id; /* CONTAINER_ID_LEN hex digits in buf, or NULL */
	bool has_pod;
	char pod[POD_UID_MAX + 1];
};

/* What one line says, and later what a group of agreeing lines says. */
struct claim {
	unsigned lines;
	bool has_id, has_pod, monitor, conflict;
	enum ident_runtime runtime;
	char id[CONTAINER_ID_LEN + 1];
	char pod[POD_UID_MAX + 1];
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_hex(p[i]))
			return false;
	return true;
}

static struct span span_trim(struct span s)
{
	while (s.n > 0 && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool span_eq(struct span s, const char *str)
{
	size_t n = strlen(str);

	return s.n == n && memcmp(s.p, str, n) == 0;
}

/* If s ends with suffix, drop it and return true. */
static bool span_chop_suffix(struct span *s, const char *suffix)
{
	size_t n = strlen(suffix);

	if (s->n < n || memcmp(s->p + s->n - n, suffix, n) != 0)
		return false;
	s->n -= n;
	return true;
}

/* Position of the last c in s, or s.n if there is none. */
static size_t span_rfind(struct span s, char c)
{
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == c)
			return i - 1;
	return s.n;
}

static bool is_container_id(struct span s)
{
	return s.n == CONTAINER_ID_LEN && all_hex(s.p, s.n);
}

/* Where a UUID (8-4-4-4-12) has its separators. */
static bool is_uuid_sep_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

/*
 * Parse a pod UID at the start of s (just after "pod"): a UUID with '-' or
 * '_' separators, or 32 hex digits; it must end at a boundary of the slice
 * name ('.', ':' or the end).  Writes it dashed and lowercase.
 */
static bool parse_pod_uid(struct span s, char out[POD_UID_MAX + 1])
{
	bool uuid = s.n >= UUID_LEN && (s.p[8] == '-' || s.p[8] == '_');
	size_t len = uuid ? UUID_LEN : STATIC_POD_UID_LEN;

	if (s.n < len || (s.n > len && s.p[len] != '.' && s.p[len] != ':'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (uuid && is_uuid_sep_pos(i)) {
			if (s.p[i] != '-' && s.p[i] != '_')
				return false;
			out[i] = '-';
		} else if (is_hex(s.p[i])) {
			out[i] = to_lower(s.p[i]);
		} else {
			return false;
		}
	}
	out[len] = '\0';
	return true;
}

/* Find a "pod<uid>" token starting the segment or following a '-'. */
static bool find_pod_token(struct span seg, char out[POD_UID_MAX + 1])
{
	for (size_t i = 0; i + POD_TOKEN_LEN <= seg.n; i++) {
		struct span rest;

		if (memcmp(seg.p + i, POD_TOKEN, POD_TOKEN_LEN) != 0)
			continue;
		if (i > 0 && seg.p[i - 1] != '-')
			continue;
		rest.p = seg.p + i + POD_TOKEN_LEN;
		rest.n = seg.n - i - POD_TOKEN_LEN;
		if (parse_pod_uid(rest, out))
			return true;
	}
	return false;
}

static void set_kind(struct segment *out, const struct runtime_prefix *rp,
		     const char *id)
{
	out->kind = rp->monitor ? SEG_MONITOR : SEG_CONTAINER;
	out->runtime = rp->runtime;
	out->id = id;
}

/*
 * Colon form "<slice>:<prefix>:<id>": what follows the last colon.  The
 * form itself says the last field is the container's name, so an unknown
 * prefix still gives a container, of unknown runtime.
 */
static void classify_colon_form(struct span seg, struct segment *out)
{
	size_t c2 = span_rfind(seg, ':');
	struct span head = { seg.p, c2 };
	size_t c1 = span_rfind(head, ':');
	struct span prefix, name;
	static const struct runtime_prefix unknown = { "", RUNTIME_UNKNOWN,
						       false };
	const struct runtime_prefix *rp = &unknown;

	if (c1 == head.n)
		return;
	prefix.p = seg.p + c1 + 1;
	prefix.n = c2 - c1 - 1;
	name.p = seg.p + c2 + 1;
	name.n = seg.n - c2 - 1;
	if (!is_container_id(name))
		return;
	for (size_t i = 0; i < ARRAY_LEN(runtime_prefixes); i++)
		if (span_eq(prefix, runtime_prefixes[i].name))
			rp = &runtime_prefixes[i];
	set_kind(out, rp, name.p);
}

/* "<prefix>-<id>", or a bare "<id>" whose parent may name the runtime. */
static void classify_dash_form(struct span seg, struct span parent,
			       struct segment *out)
{
	if (span_eq(seg, MONITOR_SEGMENT)) {
		out->kind = SEG_MONITOR;
		return;
	}
	if (is_container_id(seg)) {
		out->kind = SEG_CONTAINER;
		out->id = seg.p;
		for (size_t i = 0; i < ARRAY_LEN(runtime_parents); i++)
			if (span_eq(parent, runtime_parents[i].name))
				out->runtime = runtime_parents[i].runtime;
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(runtime_prefixes); i++) {
		const struct runtime_prefix *rp = &runtime_prefixes[i];
		size_t n = strlen(rp->name);
		struct span rest;

		if (seg.n <= n + 1 || memcmp(seg.p, rp->name, n) != 0 ||
		    seg.p[n] != '-')
			continue;
		rest.p = seg.p + n + 1;
		rest.n = seg.n - n - 1;
		if (is_container_id(rest)) {
			set_kind(out, rp, rest.p);
			return;
		}
	}
}

/* Say what one (trimmed, non-empty) path segment names. */
static void classify_segment(struct span seg, struct span parent,
			     struct segment *out)
{
	memset(out, 0, sizeof(*out));
	out->has_pod = find_pod_token(seg, out->pod);
	span_chop_suffix(&seg, SCOPE_SUFFIX);
	if (memchr(seg.p, ':', seg.n))
		classify_colon_form(seg, out);
	else
		classify_dash_form(seg, parent, out);
}

/*
 * Walk a path from the root inwards.  Before any pod segment, keep the
 * innermost classified segment so far; at the first pod segment forget it
 * (it is outside the pod) and take the first classified segment from there
 * in.  See the rules at the top of the file.
 */
static void read_path(struct span path, struct claim *line)
{
	struct segment pick = { 0 }, seg_info;
	struct span parent = { path.p, 0 };
	bool decided = false;
	size_t i = 0;

	while (i < path.n) {
		struct span seg = { path.p + i, 0 };

		while (i < path.n && path.p[i] != '/')
			i++;
		seg.n = (size_t)(path.p + i - seg.p);
		i++;
		seg = span_trim(seg);
		if (seg.n == 0)
			continue;
		classify_segment(seg, parent, &seg_info);
		parent = seg;
		if (seg_info.has_pod && !line->has_pod) {
			line->has_pod = true;
			memcpy(line->pod, seg_info.pod, sizeof(line->pod));
			memset(&pick, 0, sizeof(pick));
		} else if (seg_info.has_pod &&
			   strcmp(line->pod, seg_info.pod) != 0) {
			line->conflict = true;
		}
		if (seg_info.kind == SEG_NONE || decided)
			continue;
		pick = seg_info;
		decided = line->has_pod;
	}
	line->runtime = pick.runtime;
	if (pick.kind == SEG_MONITOR) {
		line->monitor = true;
	} else if (pick.kind == SEG_CONTAINER) {
		line->has_id = true;
		for (size_t k = 0; k < CONTAINER_ID_LEN; k++)
			line->id[k] = to_lower(pick.id[k]);
		line->id[CONTAINER_ID_LEN] = '\0';
	}
}

/*
 * Split "hierarchy-id:controllers:path" and read the path.  Returns false
 * for a malformed line: no numeric hierarchy id, fewer than three fields,
 * or a path not starting with '/'.  The path may itself hold colons.
 */
static bool read_line(struct span l, struct claim *line)
{
	const char *c1 = memchr(l.p, ':', l.n), *c2;
	struct span hier, path;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(l.p + l.n - c1 - 1));
	if (!c2)
		return false;
	hier.p = l.p;
	hier.n = (size_t)(c1 - l.p);
	hier = span_trim(hier);
	if (hier.n == 0 || hier.n > HIER_ID_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < hier.n; i++)
		if (hier.p[i] < '0' || hier.p[i] > '9')
			return false;
	path.p = c2 + 1;
	path.n = (size_t)(l.p + l.n - c2 - 1);
	path = span_trim(path);
	if (path.n == 0 || path.p[0] != '/')
		return false;
	span_chop_suffix(&path, DELETED_SUFFIX);
	read_path(path, line);
	return true;
}

/* Fold one line's claim into a group; disagreement marks it a conflict. */
static void claim_add(struct claim *acc, const struct claim *line)
{
	acc->lines++;
	acc->conflict |= line->conflict;
	if (line->has_pod) {
		if (acc->has_pod && strcmp(acc->pod, line->pod) != 0)
			acc->conflict = true;
		memcpy(acc->pod, line->pod, sizeof(acc->pod));
		acc->has_pod = true;
	}
	if (line->has_id) {
		if (acc->has_id && strcmp(acc->id, line->id) != 0)
			acc->conflict = true;
		memcpy(acc->id, line->id, sizeof(acc->id));
		acc->has_id = true;
	}
	acc->monitor |= line->monitor;
	if (acc->runtime == RUNTIME_UNKNOWN)
		acc->runtime = line->runtime;
	if (acc->monitor && acc->has_id)
		acc->conflict = true;
}

static bool all_space(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(buf[i]))
			return false;
	return true;
}

/*
 * cgroup_parse - classify the content of a cgroup file (see cgroup.h).
 * Empty or blank: CGROUP_EMPTY.  No well-formed line at all: AMBIGUOUS,
 * since nothing can be told.  Otherwise the verdict of the preferred group
 * of lines (see the top of the file).
 */
enum cgroup_verdict cgroup_parse(const char *buf, size_t len,
				 struct cgroup_result *ret)
{
	struct claim with_pod = { 0 }, without_pod = { 0 }, *win;
	bool any_line = false;
	size_t i = 0;

	memset(ret, 0, sizeof(*ret));
	if (!buf || all_space(buf, len))
		return CGROUP_EMPTY;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct span l = { buf + i, end - i };
		struct claim line = { 0 };

		i = end + 1;
		l = span_trim(l);
		if (l.n == 0 || !read_line(l, &line))
			continue;
		any_line = true;
		if (line.has_pod)
			claim_add(&with_pod, &line);
		else if (line.has_id || line.monitor)
			claim_add(&without_pod, &line);
	}
	if (!any_line)
		return CGROUP_AMBIGUOUS;
	win = with_pod.lines ? &with_pod : &without_pod;
	if (win->conflict)
		return CGROUP_AMBIGUOUS;
	if (!win->has_id && !win->has_pod)
		return CGROUP_HOST;
	ret->runtime = win->runtime;
	memcpy(ret->pod_uid, win->pod, sizeof(ret->pod_uid));
	if (!win->has_id)
		return CGROUP_POD_ONLY;
	memcpy(ret->container_id, win->id, sizeof(ret->container_id));
	return CGROUP_CONTAINER;
}

const char *cgroup_verdict_name(enum cgroup_verdict v)
{
	switch (v) {
	case CGROUP_HOST:
		return "host";
	case CGROUP_CONTAINER:
		return "container";
	case CGROUP_POD_ONLY:
		return "pod-only";
	case CGROUP_AMBIGUOUS:
		return "ambiguous";
	case CGROUP_EMPTY:
		return "empty";
	}
	return "?";
}
