/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtstate.c - read a container's pod identity from its runtime's state file
 * (see rtstate.h for the three layouts).
 *
 * The file is attacker-influenced (annotations come from pod specs), so it is
 * read with a size cap, parsed with a depth limit, and only string values
 * without control bytes that fit their buffers are taken.  The id goes into
 * paths: only 64 lowercase hex digits are accepted, and the final path
 * component is opened with O_NOFOLLOW.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "podmeta/rtstate.h"

#define RTSTATE_JSON_DEPTH 32
#define RTSTATE_PATH_MAX 4096

/* Where each kind keeps its strings. */
struct keys {
	const char *type, *ns, *pod, *uid, *container, *image, *image2;
	const char *sandbox_value; /* the type value that means "sandbox" */
};

static const struct keys containerd_keys = {
	"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-namespace",
	"io.kubernetes.cri.sandbox-name", "io.kubernetes.cri.sandbox-uid",
	"io.kubernetes.cri.container-name", "io.kubernetes.cri.image-name",
	NULL, "sandbox",
};
static const struct keys crio_keys = {
	"io.kubernetes.cri-o.ContainerType", "io.kubernetes.pod.namespace",
	"io.kubernetes.pod.name", "io.kubernetes.pod.uid",
	"io.kubernetes.container.name", "io.kubernetes.cri-o.ImageName",
	"io.kubernetes.cri-o.Image", "sandbox",
};
static const struct keys docker_keys = {
	"io.kubernetes.docker.type", "io.kubernetes.pod.namespace",
	"io.kubernetes.pod.name", "io.kubernetes.pod.uid",
	"io.kubernetes.container.name", NULL, NULL, "podsandbox",
};

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* A string member of obj, or NULL (absent, not a string, control bytes). */
static const char *str_of(json_object *obj, const char *key, size_t *ret_len)
{
	json_object *v;
	const char *s;
	size_t n;

	if (!obj || !key || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	*ret_len = n;
	return s;
}

/* Copy a string member into dst (size bytes) when it fits; else leave "". */
static void take(json_object *obj, const char *key, char *dst, size_t size)
{
	size_t n;
	const char *s = str_of(obj, key, &n);

	if (s && n < size) {
		memcpy(dst, s, n);
		dst[n] = '\0';
	}
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* A dashed UUID or 32 hex digits, lowercased into dst; else "". */
static void take_uid(json_object *obj, const char *key, char *dst)
{
	size_t n;
	const char *s = str_of(obj, key, &n);

	dst[0] = '\0';
	if (!s || (n != 36 && n != 32))
		return;
	for (size_t i = 0; i < n; i++) {
		int dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	dst[n] = '\0';
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

int rtstate_parse(int kind, const char *buf, size_t len,
		  struct rtstate_meta *ret)
{
	__attribute__((cleanup(json_putp))) json_object *root = NULL;
	const struct keys *k;
	json_tokener *tok;
	json_object *ann, *top;
	char type[32] = "";
	size_t used;

	memset(ret, 0, sizeof *ret);
	if (len > RTSTATE_FILE_MAX)
		return -EFBIG;
	switch (kind) {
	case RTSTATE_CONTAINERD: k = &containerd_keys; break;
	case RTSTATE_CRIO: k = &crio_keys; break;
	case RTSTATE_DOCKER: k = &docker_keys; break;
	default: return -EINVAL;
	}
	tok = json_tokener_new_ex(RTSTATE_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	used = (size_t)json_tokener_get_parse_end(tok);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	/* nothing but white space may follow the object */
	for (; used < len; used++)
		if (buf[used] != ' ' && buf[used] != '\n' && buf[used] != '\t' &&
		    buf[used] != '\r')
			return -EINVAL;
	if (!json_object_is_type(root, json_type_object))
		return -EINVAL;

	top = kind == RTSTATE_DOCKER ? member(root, "Config") : root;
	ann = kind == RTSTATE_DOCKER ? member(top, "Labels")
				     : member(root, "annotations");
	ret->kind = kind;
	take(ann, k->ns, ret->namespace_, sizeof ret->namespace_);
	take(ann, k->pod, ret->pod, sizeof ret->pod);
	take_uid(ann, k->uid, ret->pod_uid);
	take(ann, k->type, type, sizeof type);
	ret->sandbox = strcmp(type, k->sandbox_value) == 0;
	if (!ret->sandbox)
		take(ann, k->container, ret->container, sizeof ret->container);
	if (kind == RTSTATE_DOCKER)
		take(top, "Image", ret->image, sizeof ret->image);
	else
		take(ann, k->image, ret->image, sizeof ret->image);
	if (!ret->image[0] && k->image2)
		take(ann, k->image2, ret->image, sizeof ret->image);
	if (!ret->namespace_[0] || !ret->pod[0]) {
		memset(ret, 0, sizeof *ret);
		return 0;
	}
	return 1;
}

static int valid_id(const char *id)
{
	if (strlen(id) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

static int safe_component(const char *s)
{
	return *s && strcmp(s, ".") && strcmp(s, "..") &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == strlen(s);
}

/* Read and parse one candidate: 1, 0 (not k8s), -ENOENT, or -errno. */
static int try_file(const char *path, int kind, struct rtstate_meta *ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	/* O_NONBLOCK: a FIFO planted here must not stall the stream */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
		  O_NONBLOCK);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > RTSTATE_FILE_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, (size_t)st.st_size + 1);
	if (n < 0)
		return (int)n;
	if ((size_t)n > (size_t)st.st_size)
		return -EFBIG; /* grew while we read */
	return rtstate_parse(kind, buf, (size_t)n, ret);
}

int rtstate_find(const char *const *dirs, unsigned ndirs, const char *ns,
		 const char *id, struct rtstate_meta *ret)
{
	char path[RTSTATE_PATH_MAX];
	int err = 0, r;

	if (!valid_id(id))
		return 0;
	for (unsigned d = 0; d < ndirs && d < RTSTATE_DIRS_MAX; d++) {
		for (int kind = RTSTATE_CONTAINERD; kind <= RTSTATE_DOCKER;
		     kind++) {
			int n;

			if (kind == RTSTATE_CONTAINERD) {
				if (!ns || !safe_component(ns))
					continue;
				n = snprintf(path, sizeof path,
					     "%s/%s/%s/config.json", dirs[d], ns, id);
			} else if (kind == RTSTATE_CRIO) {
				n = snprintf(path, sizeof path,
					     "%s/%s/userdata/config.json", dirs[d], id);
			} else {
				n = snprintf(path, sizeof path,
					     "%s/%s/config.v2.json", dirs[d], id);
			}
			if (n < 0 || (size_t)n >= sizeof path)
				continue;
			r = try_file(path, kind, ret);
			if (r == 1)
				return 1;
			if (r == 0)
				return 0; /* the container's file: not k8s */
			if (r != -ENOENT)
				err = r; /* unusable; keep looking */
		}
	}
	memset(ret, 0, sizeof *ret);
	return err;
}
