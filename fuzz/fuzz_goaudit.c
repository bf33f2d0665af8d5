/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_goaudit.c - go-audit's JSON lines on any bytes: scan, insert k8s
 * objects (the plugin's own jsonout_k8s, with names that need escaping)
 * and check the invariants: every insertion point is a message's closing
 * brace, in order; the output is the input with exactly the inserted text
 * added at those points; valid JSON in gives valid JSON out (the scanner's
 * own verdict on the output, which must also see every message enriched);
 * anything else gives a report that is valid JSON, without NUL bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input/goaudit.h"
#include "output/jsonout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ins {
	unsigned n;
	size_t len[GOAUDIT_PIDS_MAX];
	char text[GOAUDIT_PIDS_MAX][1024];
};

static size_t k8s(void *ctx, unsigned i, int32_t pid, char *dst, size_t cap)
{
	struct ins *in = ctx;
	struct ident id = { .state = pid % 3 ? IDENT_CONTAINER : IDENT_UNRESOLVED,
			    .container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			    .pod_uid = "11112222-3333-4444-5555-666677778888" };
	struct k8s_names nm = { .namespace_ = "ns", .pod = "p\"o\\d", .container = "c\x01",
				.image = "\xff img", .label_keys = { "a.b/C" },
				.label_vals = { "v\x1d" }, .nlabels = 1 };
	size_t n = jsonout_k8s(dst, cap, &id, pid % 2 ? &nm : NULL, pid % 5);

	if (i != in->n || n > sizeof in->text[0])
		abort();
	memcpy(in->text[i], dst, n);
	in->len[in->n++] = n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[GOAUDIT_OUT_BOUND(GOAUDIT_LINE_MAX, GOAUDIT_PIDS_MAX)];
	const char *line = (const char *)data;
	struct goaudit_obj o, o2;
	struct ins in = { 0 };
	size_t n, at = 0, k = 0;
	const char *why;

	if (size >= GOAUDIT_LINE_MAX)
		return 0;
	goaudit_scan(line, size, &o);
	why = goaudit_why(o.status, 0);
	if (o.status != GOAUDIT_OK) {
		if (o.npids || o.capped)
			abort();
		if (why) {
			n = goaudit_malformed(out, GOAUDIT_REPORT_BOUND, line, size,
					      size, why);
			if (!n || out[n - 1] != '\n' || memchr(out, '\0', n))
				abort();
			goaudit_scan(out, n - 1, &o2);
			if (o2.status != GOAUDIT_SHAPE)
				abort();
		}
		return 0;
	}
	for (unsigned i = 0; i < o.npids; i++)
		/* 0: a pid= that is not the kernel's (unresolved) */
		if (o.pids[i].pid < 0 || o.pids[i].insert_at >= size ||
		    line[o.pids[i].insert_at] != '}' ||
		    (i && o.pids[i].insert_at <= o.pids[i - 1].insert_at))
			abort();
	n = goaudit_format(out, sizeof out, line, size, &o, k8s, &in);
	if (!n || out[n - 1] != '\n' || in.n != o.npids)
		abort();
	/* the input, with exactly the inserted text at the points */
	for (unsigned i = 0; i < o.npids; i++) {
		size_t seg = o.pids[i].insert_at - at;

		if (memcmp(out + k, line + at, seg) != 0)
			abort();
		k += seg;
		at += seg;
		if (in.len[i]) {
			if (memcmp(out + k, ",\"k8s\":", 7) != 0 ||
			    memcmp(out + k + 7, in.text[i], in.len[i]) != 0)
				abort();
			k += 7 + in.len[i];
		}
	}
	if (k + size - at + 1 != n || memcmp(out + k, line + at, size - at) != 0)
		abort();
	/* valid JSON out, every enriched message now carrying its k8s */
	goaudit_scan(out, n - 1, &o2);
	{
		unsigned added = 0, left;

		for (unsigned i = 0; i < o.npids; i++)
			added += in.len[i] != 0;
		/* what is left without k8s: the capped and the unfitting */
		left = o.capped + o.npids - added;
		if (o2.status != GOAUDIT_OK || o2.nmsgs != o.nmsgs ||
		    o2.has_k8s != o.has_k8s + added ||
		    o2.npids != (left < GOAUDIT_PIDS_MAX ? left : GOAUDIT_PIDS_MAX))
			abort();
	}
	return 0;
}
