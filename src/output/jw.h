/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jw.h - a bounded JSON writer into a caller's buffer, shared by the JSON
 * formatters of this stage (jsonout.c, jsonfields.c): nothing is allocated,
 * and once something does not fit the writer is marked bad and writes no
 * more, so the caller checks once at the end.
 */
#ifndef P2P_JW_H
#define P2P_JW_H

#include <stddef.h>
#include <string.h>

#include "common/encode.h"

struct jw {
	char *p;
	size_t cap, len;
	int bad; /* ran out of room */
};

static inline void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->bad || w->len + n > w->cap) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static inline void jw_lit(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* s (n bytes, any bytes) as a JSON string literal: always valid UTF-8 */
static inline void jw_str(struct jw *w, const char *s, size_t n)
{
	size_t k;

	if (w->bad)
		return;
	k = encode_json_string(w->p + w->len, w->cap - w->len, s, n);
	if (k == 0) {
		w->bad = 1;
		return;
	}
	w->len += k;
}

#endif
