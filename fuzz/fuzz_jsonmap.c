/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jsonmap.c - the ECS and OTel events (src/output/jsonmap.c) on
 * attacker-chosen records: every event, in both schemas, is one JSON
 * object (json-c parses it) ending in '\n' within JSONOUT_BOUND; its
 * process.pid, when written, is the pid= the kernel wrote in the event's
 * first record that has one (record_scan's, never a forged one), and absent
 * when no record has one; an unresolved process names no pod.
 *
 * Input: byte 0: the identity of a kernel-written pid (low 2 bits: host,
 * container, unresolved, pod only; a forged one is unresolved); the rest:
 * record lines, '\n'-separated, each given the one stamp audit(1.000:1)
 * (its type kept; a line without "): " becomes a SYSCALL's fields).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "input/record.h"
#include "output/event.h"
#include "output/jsonmap.h"
#include "output/jsonnames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LINES_MAX 64

static const struct k8s_names names = {
	.namespace_ = "ns\"q", .pod = "pod \xff", .container = "c\x01",
	.image = "img", .owner = "ReplicaSet/w-1", .workload = "w",
	.workload_kind = "Deployment", .sa = "s",
	.label_keys = { "a.b/C" }, .label_vals = { "v\x1d" }, .nlabels = 1,
};

static char *out;
static int schema;

/* the pid= the kernel wrote in ev's first record that has one, or -1 */
static int kernel_pid(const struct event *ev)
{
	const char *p = ev->buf, *end = ev->buf + ev->len;
	struct record r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		record_scan(p, n, &r);
		if (r.pid != RECORD_NO_PID && !(r.flags & REC_PID_FORGED))
			return r.pid;
		p += n + 1;
	}
	return -1;
}

static int emit(void *ctx, const struct event *ev)
{
	size_t cap = JSONOUT_BOUND(ev->len, ev->nrec, ev->nobjs), n;
	struct json_object *o, *v;
	int want_pid = kernel_pid(ev);
	int bad_id = ev->has_id && ev->id.state == IDENT_UNRESOLVED;

	(void)ctx;
	out = realloc(out, cap + 1);
	if (!out)
		abort();
	n = jsonmap_event(out, cap, schema, ev, "node", &names, NULL, NULL, NULL);
	if (n == 0 || out[n - 1] != '\n')
		abort();
	out[n] = '\0';
	o = json_tokener_parse(out);
	if (!o || !json_object_is_type(o, json_type_object))
		abort();
	if (json_object_object_get_ex(o, "process.pid", &v)) {
		if (want_pid < 0 || json_object_get_int64(v) != want_pid)
			abort();
	} else if (want_pid >= 0) {
		abort();
	}
	if (bad_id) {
		/* no pod names, whatever the records say */
		static const int pod[] = { JN_POD, JN_NAMESPACE, JN_CONTAINER,
					   JN_POD_UID, JN_IMAGE };

		for (size_t i = 0; i < sizeof pod / sizeof pod[0]; i++) {
			const struct jn_name *nm = jsonnames_find(schema, pod[i], NULL);

			if (nm && json_object_object_get_ex(o, nm->name, NULL))
				abort();
		}
	}
	json_object_put(o);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t states[4] = { IDENT_HOST, IDENT_CONTAINER,
					   IDENT_UNRESOLVED, IDENT_POD_ONLY };
	struct ident id = { .container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			    .pod_uid = "11112222-3333-4444-5555-666677778888",
			    .nspid = 3 };
	char *buf, *lines[FUZZ_LINES_MAX];
	size_t nl = 0;

	if (size < 1 || size > 4 * RECORD_MAX)
		return 0;
	id.state = states[data[0] & 3];
	buf = malloc(size);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (char *s = buf, *e; s && *s && nl < FUZZ_LINES_MAX; s = e ? e + 1 : NULL) {
		e = strchr(s, '\n');
		if (e)
			*e = '\0';
		lines[nl++] = s;
	}
	for (schema = 0; schema < JN_NSCHEMA; schema++) {
		struct eventtab *t = eventtab_new(emit, NULL);

		if (!t)
			abort();
		for (size_t i = 0; i < nl; i++) {
			char line[RECORD_MAX + 64];
			struct record r;
			const char *p = strstr(lines[i], "): ");
			int k;

			/* one serial: every line gets the same stamp */
			k = snprintf(line, sizeof line, "%.*s msg=audit(1.000:1): %s",
				     p ? (int)(strcspn(lines[i], " ")) : 12,
				     p ? lines[i] : "type=SYSCALL", p ? p + 3 : lines[i]);
			if (k < 0 || (size_t)k >= sizeof line)
				continue;
			record_scan(line, (size_t)k, &r);
			if (r.flags & REC_BAD_HEADER)
				continue;
			if (r.pid != RECORD_NO_PID || (r.flags & REC_PID_FORGED)) {
				static const struct ident u = { .state = IDENT_UNRESOLVED };

				eventtab_add(t, &r, (r.flags & REC_PID_FORGED) ? &u : &id,
					     NULL, 0);
			} else {
				eventtab_add(t, &r, NULL, NULL, 0);
			}
		}
		eventtab_flush(t);
		eventtab_drain(t);
		eventtab_free(t);
	}
	free(buf);
	return 0;
}
