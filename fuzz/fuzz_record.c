/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_record.c - the record scanner and the field inserter on any bytes:
 * scan, then build the output line with every kind of field, and check the
 * contract's invariants (never longer than allowed, the record's bytes kept);
 * and the record's JSON fields (jsonfields.c) and interpretations
 * (jsoninterp.c, through libauparse): within the room their headers
 * promise, and JSON that json-c reads as an object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "input/record.h"
#include "output/enrich.h"
#include "output/jsonfields.h"
#include "output/jsoninterp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* buf holds "{\"x\":1" and then what w wrote: it fit (w not bad) and,
 * closed, parses as one object; else abort. */
static void members_parse(char *buf, const struct jw *w)
{
	struct json_object *o;

	if (w->bad)
		abort();
	memcpy(buf + 6 + w->len, "}", 2);
	o = json_tokener_parse(buf);
	if (!o || !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
}

/* The fields of r fit 6 bytes a byte + 64 and parse as members of an object. */
static void check_fields(const struct record *r, size_t size)
{
	static char buf[3 * RECORD_MAX * 6 + 128];
	struct jw w = { buf + 6, 6 * size + 64, 0, 0 };

	memcpy(buf, "{\"x\":1", 6);
	jsonfields_write(&w, r);
	members_parse(buf, &w);
}

/* The interpretations of r fit the library's room + 6 bytes a byte of the
 * tail and parse as members of an object. */
static void check_interp(const struct record *r, size_t size)
{
	static struct jsoninterp *ji;
	static char buf[JSONINTERP_LIB_ROOM + 3 * RECORD_MAX * 6 + 128];
	struct jw w = { buf + 6, JSONINTERP_LIB_ROOM + 32 +
			6 * (size - r->raw_len), 0, 0 };

	if (!ji && !(ji = jsoninterp_new()))
		abort();
	memcpy(buf, "{\"x\":1", 6);
	jsoninterp_write(ji, &w, r);
	members_parse(buf, &w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[ENRICH_LINE_BUF];
	struct ident id = { .state = IDENT_CONTAINER,
			    .container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			    .pod_uid = "11112222-3333-4444-5555-666677778888" };
	struct k8s_names nm = { .namespace_ = "ns", .pod = "p o d", .container = "c\"",
				.image = "img", .label_keys = { "a.b/C" },
				.label_vals = { "v\x1d" }, .nlabels = 1 };
	struct enrich_subject s = { .id = &id, .names = &nm, .nspid = 7 };
	struct enrich_stats st = { 0 };
	const char *line = (const char *)data;
	struct record r;
	size_t n;

	if (size > 3 * RECORD_MAX)
		return 0;
	record_scan(line, size, &r);
	if (r.insert_at > r.raw_len || r.raw_len > size)
		abort();
	if (!(r.flags & REC_BAD_HEADER)) {
		check_fields(&r, size);
		check_interp(&r, size);
	}
	if ((r.flags & (REC_BAD_HEADER | REC_HAS_NUL)) || size + 1 > RECORD_MAX) {
		n = enrich_malformed(out, sizeof out, line,
				     size < RECORD_MAX ? size : RECORD_MAX - 1, size,
				     r.flags & REC_HAS_NUL);
		if (n > OUTPUT_LINE_MAX || memchr(out, '\0', n))
			abort();
		return 0;
	}
	n = enrich_line(out, sizeof out, &r, &s, &s, &st);
	if (n == 0 || out[n - 1] != '\n')
		abort();
	if (size + 1 <= OUTPUT_LINE_MAX && n > OUTPUT_LINE_MAX)
		abort();
	/* the record's own bytes are all there, in order, around the fields */
	if (memcmp(out, line, r.insert_at) != 0 ||
	    memcmp(out + n - 1 - (size - r.insert_at), line + r.insert_at,
		   size - r.insert_at) != 0)
		abort();
	return 0;
}
