/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsonscan.c - the JSON scanner's verdict does not depend on how the
 * input is cut into chunks (one piece, every split in two, byte by byte),
 * with and without JSONSCAN_UTF8 (a UTF-8 sequence cut by a chunk's end
 * is judged whole); keys are decoded across chunks; a top-level number
 * ends at jsonscan_finish; the escaped and key_cut marks; and
 * jsonscan_unescape's decoding.  The PodList parser (test_podlist) and
 * the go-audit reader (test_goaudit) test the scanner through their use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common/jsonscan.h"

struct rec {
	char keys[256];       /* every key, '|' after each */
	unsigned ends;
	uint64_t last_end;
	int last_end_null;
	int escaped;          /* of the last string END */
	int cut;              /* some key had key_cut */
};

static int on_ev(void *ctx, struct jsonscan *js, enum jsonscan_event ev,
		 const unsigned char *p, uint64_t off)
{
	struct rec *r = ctx;
	size_t n = strlen(r->keys);

	if (ev == JSONSCAN_KEY) {
		snprintf(r->keys + n, sizeof r->keys - n, "%s|", js->key);
		r->cut |= js->key_cut;
	} else if (ev == JSONSCAN_END) {
		r->ends++;
		r->last_end = off;
		r->last_end_null = p == NULL;
		r->escaped = js->escaped;
	}
	return 0;
}

/* Scan s in chunks that end at the offsets in cuts[] (then the rest). */
static int scan_cut(const char *s, size_t len, unsigned flags,
		    const size_t *cuts, size_t ncuts, struct rec *r)
{
	struct jsonscan js;
	size_t at = 0;
	int e;

	memset(r, 0, sizeof *r);
	jsonscan_init(&js, on_ev, r);
	js.flags = flags;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		if ((e = jsonscan_feed(&js, s + at, to - at)) < 0)
			return e;
		at = to;
	}
	return jsonscan_finish(&js);
}

struct row {
	const char *name;
	const char *json;
	int ok_plain, ok_utf8;  /* 1: valid without / with JSONSCAN_UTF8 */
	const char *keys;       /* NULL: not checked */
};

static const struct row rows[] = {
	{ "ascii object", "{\"a\":[1,\"x\"]}", 1, 1, "a|" },
	{ "utf-8 in a value", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", 1, 1, "" },
	{ "utf-8 in a key", "{\"\xc3\xa9t\xc3\xa9\":1,\"\xf0\x9f\x98\x80\":2}", 1, 1,
	  "\xc3\xa9t\xc3\xa9|\xf0\x9f\x98\x80|" },
	{ "utf-8 beside escapes", "[\"\\n\xc3\xa9\\u00e9\xe2\x82\xac\\\"\"]", 1, 1, "" },
	{ "long string with utf-8 past 16 bytes",
	  "[\"abcdefghijklmnopqrstuvwxyz\xc3\xa9" "abcdefghijklmnop\xf4\x8f\xbf\xbf\"]", 1, 1, "" },
	{ "bad continuation", "[\"\xc3(\"]", 1, 0, NULL },
	{ "overlong", "[\"\xc0\xaf\"]", 1, 0, NULL },
	{ "surrogate", "[\"\xed\xa0\x80\"]", 1, 0, NULL },
	{ "above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 1, 0, NULL },
	{ "lone continuation in a key", "{\"\x80\":1}", 1, 0, NULL },
	{ "sequence cut by the closing quote", "[\"\xe2\x82\"]", 1, 0, NULL },
	{ "sequence cut by the end", "[\"\xf0\x9f", 0, 0, NULL },
	{ "utf-8 outside a string", "[1,\xc3\xa9]", 0, 0, NULL },
	{ "top-level number", "42", 1, 1, "" },
	{ "top-level negative fraction", "-0.5e+3", 1, 1, "" },
	{ "top-level number cut", "-", 0, 0, NULL },
	{ "top-level number cut after e", "1e", 0, 0, NULL },
	{ "top-level number, then space", "7 ", 1, 1, "" },
	{ "empty", "", 0, 0, NULL },
};

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *w = &rows[i];
		size_t len = strlen(w->json);
		char name[160];

		for (unsigned u = 0; u < 2; u++) {
			unsigned flags = u ? JSONSCAN_UTF8 : 0;
			int want = u ? w->ok_utf8 : w->ok_plain;
			size_t cuts[4096];
			struct rec r;
			int e;

			snprintf(name, sizeof name, "%s%s: %s", w->name,
				 u ? " (utf8)" : "", want ? "valid" : "invalid");
			CASE(name) {
				e = scan_cut(w->json, len, flags, NULL, 0, &r);
				CHECK_INT(e == 0, want);
				if (e < 0)
					CHECK_INT(e, -EINVAL);
				if (!e && w->keys)
					CHECK_STR(r.keys, w->keys);
				/* every split in two */
				for (size_t c = 0; c <= len; c++) {
					cuts[0] = c;
					e = scan_cut(w->json, len, flags, cuts, 1, &r);
					CHECK_INT(e == 0, want);
					if (!e && w->keys)
						CHECK_STR(r.keys, w->keys);
				}
				/* byte by byte */
				for (size_t c = 0; c < len && c < 4096; c++)
					cuts[c] = c + 1;
				e = scan_cut(w->json, len, flags, cuts,
					     len < 4096 ? len : 4096, &r);
				CHECK_INT(e == 0, want);
				if (!e && w->keys)
					CHECK_STR(r.keys, w->keys);
			}
		}
	}
}

static void test_marks(void)
{
	struct jsonscan js;
	struct rec r = { 0 };

	CASE("a top-level number ends at finish, p NULL") {
		CHECK_INT(jsonscan_scan(&js, "123", 3, 0, on_ev, &r), 0);
		CHECK_INT(r.ends, 1);
		CHECK_INT(r.last_end, 3);
		CHECK(r.last_end_null);
	}
	CASE("escaped: set by a backslash, not otherwise") {
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "[\"a\\tb\"]", 8, 0, on_ev, &r), 0);
		CHECK_INT(r.ends, 2); /* the string, then the array */
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "{\"k\\n\":\"ab\"}", 12, 0, on_ev, &r), 0);
		CHECK_INT(r.escaped, 0); /* the object's END: the last string had none */
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "\"a\\/b\"", 6, 0, on_ev, &r), 0);
		CHECK_INT(r.escaped, 1);
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "\"a/b\"", 5, 0, on_ev, &r), 0);
		CHECK_INT(r.escaped, 0);
	}
	CASE("key_cut: a \\u0000 in a key") {
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "{\"data\\u0000x\":1}", 17, 0, on_ev, &r), 0);
		CHECK_STR(r.keys, "data|");
		CHECK_INT(r.cut, 1);
		memset(&r, 0, sizeof r);
		CHECK_INT(jsonscan_scan(&js, "{\"d\\u0061ta\":1}", 15, 0, on_ev, &r), 0);
		CHECK_STR(r.keys, "data|");
		CHECK_INT(r.cut, 0);
	}
	CASE("jsonscan_scan: garbage after the value") {
		CHECK_INT(jsonscan_scan(&js, "{} x", 4, 0, NULL, NULL), -EINVAL);
		CHECK(strstr(jsonscan_error(&js), "garbage") != NULL);
	}
}

struct unesc_row {
	const char *name, *in, *want;
	size_t cap;
};

static const struct unesc_row unesc[] = {
	{ "short escapes", "a\\\"\\\\\\/\\b\\f\\n\\r\\t", "a\"\\/\b\f\n\r\t", 64 },
	{ "\\u ascii", "\\u0070id", "pid", 64 },
	{ "\\u two bytes", "\\u00e9", "\xc3\xa9", 64 },
	{ "\\u three bytes", "\\u20AC", "\xe2\x82\xac", 64 },
	{ "surrogate pair", "\\ud83d\\ude00", "\xf0\x9f\x98\x80", 64 },
	{ "lone high surrogate", "\\ud83dx", "\xef\xbf\xbdx", 64 },
	{ "lone low surrogate", "\\ude00", "\xef\xbf\xbd", 64 },
	{ "raw utf-8 kept", "\xc3\xa9", "\xc3\xa9", 64 },
	{ "cut at cap", "abcdef", "abc", 3 },
	{ "a sequence that does not fit is left out", "ab\\u20AC", "ab", 4 },
};

static void test_unescape(void)
{
	for (size_t i = 0; i < sizeof unesc / sizeof unesc[0]; i++) {
		const struct unesc_row *u = &unesc[i];
		char out[64], name[128];
		size_t n;

		snprintf(name, sizeof name, "jsonscan_unescape: %s", u->name);
		CASE(name) {
			n = jsonscan_unescape(out, u->cap, u->in, strlen(u->in));
			CHECK_INT(n, strlen(u->want));
			CHECK(n <= u->cap && memcmp(out, u->want, n) == 0);
		}
	}
	CASE("jsonscan_unescape: \\u0000 is a NUL byte") {
		char out[8];

		CHECK_INT(jsonscan_unescape(out, sizeof out, "a\\u0000b", 8), 3);
		CHECK(memcmp(out, "a\0b", 3) == 0);
	}
}

int main(void)
{
	test_rows();
	test_marks();
	test_unescape();
	return check_done();
}
