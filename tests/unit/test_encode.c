/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_encode.c - unit tests for the value encoder (src/common/encode.c).
 *
 * Named table rows for audit fields and JSON strings, each also run at an
 * exact-fit capacity and one byte short (with a canary after the buffer),
 * then two property tests: encode_field against libaudit's own
 * audit_encode_nv_string over random values, and encode_json_string output
 * checked by json-c plus glibc's iconv as an independent UTF-8 validator
 * (json-c alone accepts raw surrogates, overlongs and raw control bytes).
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libaudit.h>

#include "check.h"
#include "common/encode.h"

#define CANARY_LEN	16
#define CANARY_BYTE	0xa5
#define FIELD_NAME	"k8s_pod"
#define LONG_LEN	4096
#define PROP_ITERS	20000
#define PROP_MAX_LEN	300
#define PROP_SEED	0x9e3779b97f4a7c15ULL
#define VIS_LEN		2048
#define OUT_LEN		(PROP_MAX_LEN * 6 + 64)
#define CP_MAX		0x10ffff

#define S(lit)		lit, sizeof(lit) - 1

/* ---- helpers ---- */

/*
 * A case name built at run time.  check.h keeps the pointer and prints it
 * when the next CASE opens, so the name must outlive its loop iteration:
 * two alternating static slots do (the previous name is intact while the
 * next one is written).
 */
static const char *case_name(const char *prefix, const char *name)
{
	static char slots[2][160];
	static int next;
	char *p = slots[next];

	next ^= 1;
	snprintf(p, sizeof slots[0], "%s: %s", prefix, name);
	return p;
}

/* Printable form of n bytes (C escapes) for failure messages. */
static const char *vis(char *buf, size_t cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	buf[o] = '\0';
	return buf;
}

#define CHECK_MEM(got, glen, want, wlen)                                \
	do {                                                            \
		char vg_[VIS_LEN], vw_[VIS_LEN];                        \
		CHECK_STR(vis(vg_, sizeof vg_, (got), (glen)),          \
			  vis(vw_, sizeof vw_, (want), (wlen)));        \
	} while (0)

enum call_kind { CALL_FIELD, CALL_RAW, CALL_JSON };

struct call {
	enum call_kind kind;
	const char *name;
	const char *val;
	size_t len;
};

static size_t do_call(const struct call *c, char *dst, size_t cap)
{
	switch (c->kind) {
	case CALL_FIELD:
		return encode_field(dst, cap, c->name, c->val, c->len);
	case CALL_RAW:
		return encode_field_raw(dst, cap, c->name, c->val);
	case CALL_JSON:
		return encode_json_string(dst, cap, c->val, c->len);
	}
	return 0;
}

static int canary_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] != CANARY_BYTE)
			return 0;
	return 1;
}

/*
 * Run c with room for exactly want (must write it, canary intact), one byte
 * less and zero bytes (must return 0 and leave every byte alone).
 */
static void check_capacities(const struct call *c, const char *want,
			     size_t wlen)
{
	char *buf = malloc(wlen + CANARY_LEN);
	size_t r;

	if (!buf) {
		CHECK(!"malloc");
		return;
	}
	memset(buf, CANARY_BYTE, wlen + CANARY_LEN);
	r = do_call(c, buf, wlen);
	CHECK_INT(r, wlen);
	if (r == wlen)
		CHECK_MEM(buf, r, want, wlen);
	CHECK(canary_ok(buf + wlen, CANARY_LEN));

	if (wlen > 0) {
		memset(buf, CANARY_BYTE, wlen + CANARY_LEN);
		CHECK_INT(do_call(c, buf, wlen - 1), 0);
		CHECK(canary_ok(buf, wlen + CANARY_LEN));
	}
	memset(buf, CANARY_BYTE, wlen + CANARY_LEN);
	CHECK_INT(do_call(c, buf, 0), 0);
	CHECK(canary_ok(buf, wlen + CANARY_LEN));
	free(buf);
}

/* xorshift64*: fixed seed, same sequence everywhere. */
static uint64_t rng_state = PROP_SEED;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* glibc iconv as a UTF-8 validator independent of encode.c. */
static iconv_t utf8_cd;

static int utf8_valid(const char *s, size_t n)
{
	char out[4 * 64];
	char *ip = (char *)s;
	size_t il = n;

	iconv(utf8_cd, NULL, NULL, NULL, NULL);
	while (il > 0) {
		char *op = out;
		size_t ol = sizeof out;

		if (iconv(utf8_cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != E2BIG)
			return 0;
	}
	return 1;
}

/* ---- audit fields ---- */

struct field_row {
	const char *name;
	const char *val;
	size_t vlen;
	int hex;
	const char *want;	/* with the leading space */
	int vs_libaudit;	/* also compare with audit_encode_nv_string */
};

static const struct field_row field_rows[] = {
	{ "plain", S("abc"), 0, " k8s_pod=\"abc\"", 1 },
	{ "empty", S(""), 0, " k8s_pod=\"\"", 1 },
	{ "space", S("a b"), 1, " k8s_pod=612062", 1 },
	{ "quote", S("a\"b"), 1, " k8s_pod=612262", 1 },
	{ "single quote stays quoted", S("a'b"), 0, " k8s_pod=\"a'b\"", 1 },
	{ "backslash stays quoted", S("a\\b"), 0, " k8s_pod=\"a\\b\"", 1 },
	{ "0x7f", S("\x7f"), 1, " k8s_pod=7F", 1 },
	{ "0x80", S("\x80"), 1, " k8s_pod=80", 1 },
	{ "0xff", S("x\xff"), 1, " k8s_pod=78FF", 1 },
	{ "0x1d", S("a\x1d" "b"), 1, " k8s_pod=611D62", 1 },
	{ "newline", S("a\nb"), 1, " k8s_pod=610A62", 1 },
	{ "tab", S("\t"), 1, " k8s_pod=09", 1 },
	{ "utf-8", S("caf\xc3\xa9"), 1, " k8s_pod=636166C3A9", 1 },
	{ "boundaries 0x21 and 0x7e", S("!~"), 0, " k8s_pod=\"!~\"", 1 },
	{ "unknown marker", S("?"), 0, " k8s_pod=\"?\"", 1 },
	{ "pod name", S("coredns-5d78c9869d-x2v9k"), 0,
	  " k8s_pod=\"coredns-5d78c9869d-x2v9k\"", 1 },
	{ "embedded nul", S("a\0b"), 1, " k8s_pod=610062", 0 },
	{ "vlen 0 of a longer buffer is empty", "abc", 0, 0,
	  " k8s_pod=\"\"", 0 },
	{ "vlen cuts before a space", "a b", 1, 0, " k8s_pod=\"a\"", 0 },
};

static void test_field_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof field_rows / sizeof field_rows[0]; i++) {
		const struct field_row *t = &field_rows[i];
		/* An exact-size heap copy, so ASan sees any read past vlen. */
		char *val = malloc(t->vlen ? t->vlen : 1);
		struct call c = { CALL_FIELD, FIELD_NAME, val, t->vlen };

		if (val)
			memcpy(val, t->val, t->vlen);
		CASE(case_name("encode_field", t->name)) {
			CHECK(val != NULL);
			if (!val)
				continue;
			CHECK_INT(encode_needs_hex(val, t->vlen), t->hex);
			CHECK_INT(encode_needs_hex(t->val, t->vlen),
				  audit_value_needs_encoding(t->val,
							     t->vlen));
			check_capacities(&c, t->want, strlen(t->want));
			if (t->vs_libaudit) {
				char *lib = audit_encode_nv_string(
					FIELD_NAME, t->val, t->vlen);

				CHECK(lib != NULL);
				if (lib)
					CHECK_STR(t->want + 1, lib);
				free(lib);
			}
		}
		free(val);
	}
}

static void test_field_long(void)
{
	static char val[LONG_LEN], want[2 * LONG_LEN + 32];
	struct call c = { CALL_FIELD, FIELD_NAME, val, LONG_LEN };
	size_t i, n;

	memset(val, 'x', LONG_LEN);
	CASE("encode_field: long quoted value") {
		n = (size_t)snprintf(want, sizeof want, " %s=\"%.*s\"",
				     FIELD_NAME, LONG_LEN, val);
		check_capacities(&c, want, n);
	}
	val[LONG_LEN - 1] = ' ';
	CASE("encode_field: long value, space in its last byte") {
		n = (size_t)snprintf(want, sizeof want, " %s=", FIELD_NAME);
		for (i = 0; i < LONG_LEN - 1; i++)
			n += (size_t)snprintf(want + n, sizeof want - n, "78");
		n += (size_t)snprintf(want + n, sizeof want - n, "20");
		check_capacities(&c, want, n);
	}
	CASE("encode_field: huge vlen does not overflow the size") {
		char buf[64];

		/*
		 * Lengths near SIZE_MAX must not wrap the size sums; encode.c
		 * checks sizes before it reads the value, so "" is safe here.
		 */
		CHECK_INT(encode_field(buf, sizeof buf, "n", "", SIZE_MAX), 0);
		CHECK_INT(encode_field(buf, sizeof buf, "n", "", SIZE_MAX / 2),
			  0);
	}
}

struct raw_row {
	const char *name;
	const char *field;
	const char *val;
	const char *want;
};

static const struct raw_row raw_rows[] = {
	{ "unknown", "k8s_pod", "?", " k8s_pod=?" },
	{ "empty value", "k8s_ns", "", " k8s_ns=" },
	{ "number", "pid", "4242", " pid=4242" },
};

static void test_raw_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof raw_rows / sizeof raw_rows[0]; i++) {
		const struct raw_row *t = &raw_rows[i];
		struct call c = { CALL_RAW, t->field, t->val, 0 };

		CASE(case_name("encode_field_raw", t->name))
			check_capacities(&c, t->want, strlen(t->want));
	}
}

/* ---- JSON strings ---- */

struct json_row {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

static const struct json_row json_rows[] = {
	{ "plain", S("abc"), "\"abc\"" },
	{ "empty", S(""), "\"\"" },
	{ "space and printable", S(" a~!"), "\" a~!\"" },
	{ "quote and backslash", S("a\"b\\c"), "\"a\\\"b\\\\c\"" },
	{ "slash not escaped", S("a/b"), "\"a/b\"" },
	{ "short escapes", S("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"" },
	{ "control 0x01", S("\x01"), "\"\\u0001\"" },
	{ "control 0x1d", S("\x1d"), "\"\\u001d\"" },
	{ "control 0x1f", S("\x1f"), "\"\\u001f\"" },
	{ "nul", S("a\0b"), "\"a\\u0000b\"" },
	{ "del", S("\x7f"), "\"\\u007f\"" },
	{ "utf-8 2-byte", S("caf\xc3\xa9"), "\"caf\xc3\xa9\"" },
	{ "utf-8 2-byte lowest U+0080", S("\xc2\x80"), "\"\xc2\x80\"" },
	{ "utf-8 3-byte", S("\xe2\x82\xac"), "\"\xe2\x82\xac\"" },
	{ "utf-8 3-byte lowest U+0800", S("\xe0\xa0\x80"),
	  "\"\xe0\xa0\x80\"" },
	{ "utf-8 U+D7FF below surrogates", S("\xed\x9f\xbf"),
	  "\"\xed\x9f\xbf\"" },
	{ "utf-8 U+E000 above surrogates", S("\xee\x80\x80"),
	  "\"\xee\x80\x80\"" },
	{ "utf-8 U+FFFF", S("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"" },
	{ "utf-8 4-byte", S("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"" },
	{ "utf-8 4-byte lowest U+10000", S("\xf0\x90\x80\x80"),
	  "\"\xf0\x90\x80\x80\"" },
	{ "utf-8 U+10FFFF", S("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"" },
	{ "overlong 2-byte C0 80", S("\xc0\x80"), "\"\\u00c0\\u0080\"" },
	{ "overlong 2-byte C1 BF", S("\xc1\xbf"), "\"\\u00c1\\u00bf\"" },
	{ "overlong 3-byte E0 9F BF", S("\xe0\x9f\xbf"),
	  "\"\\u00e0\\u009f\\u00bf\"" },
	{ "overlong 4-byte F0 8F BF BF", S("\xf0\x8f\xbf\xbf"),
	  "\"\\u00f0\\u008f\\u00bf\\u00bf\"" },
	{ "surrogate U+D800", S("\xed\xa0\x80"),
	  "\"\\u00ed\\u00a0\\u0080\"" },
	{ "surrogate U+DFFF", S("\xed\xbf\xbf"),
	  "\"\\u00ed\\u00bf\\u00bf\"" },
	{ "above U+10FFFF", S("\xf4\x90\x80\x80"),
	  "\"\\u00f4\\u0090\\u0080\\u0080\"" },
	{ "lead F5", S("\xf5\x80\x80\x80"),
	  "\"\\u00f5\\u0080\\u0080\\u0080\"" },
	{ "bytes FE FF", S("\xfe\xff"), "\"\\u00fe\\u00ff\"" },
	{ "truncated 3-byte at end", S("\xe2\x82"), "\"\\u00e2\\u0082\"" },
	{ "truncated 4-byte at end", S("a\xf0\x9f\x98"),
	  "\"a\\u00f0\\u009f\\u0098\"" },
	{ "truncated then ascii", S("\xe2\x82z"), "\"\\u00e2\\u0082z\"" },
	{ "len cuts a 3-byte sequence", "\xe2\x82\xac", 2,
	  "\"\\u00e2\\u0082\"" },
	{ "len cuts a 4-byte sequence", "\xf0\x9f\x98\x80", 3,
	  "\"\\u00f0\\u009f\\u0098\"" },
	{ "truncated then valid", S("\xc3\xc3\xa9"), "\"\\u00c3\xc3\xa9\"" },
	{ "lone continuation", S("\x80"), "\"\\u0080\"" },
	{ "lone continuation BF", S("x\xbfy"), "\"x\\u00bfy\"" },
	{ "mixed", S("a\xff\xc3\xa9\n"), "\"a\\u00ff\xc3\xa9\\n\"" },
};

static void test_json_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof json_rows / sizeof json_rows[0]; i++) {
		const struct json_row *t = &json_rows[i];
		/* An exact-size heap copy, so ASan sees any read past len. */
		char *in = malloc(t->len ? t->len : 1);
		struct call c = { CALL_JSON, NULL, in, t->len };
		char out[256];
		size_t n;

		if (in)
			memcpy(in, t->in, t->len);
		CASE(case_name("encode_json_string", t->name)) {
			CHECK(in != NULL);
			if (!in)
				continue;
			/* Roomy buffer: the single-pass path. */
			n = encode_json_string(out, sizeof out, in, t->len);
			CHECK_MEM(out, n, t->want, strlen(t->want));
			/* Tight buffers: the measuring path. */
			check_capacities(&c, t->want, strlen(t->want));
		}
		free(in);
	}
}

static void test_json_long(void)
{
	static char in[LONG_LEN], want[6 * LONG_LEN + 2];
	struct call c = { CALL_JSON, NULL, in, LONG_LEN };
	size_t i, n;

	CASE("encode_json_string: long value, all escaped") {
		memset(in, '\x01', LONG_LEN);
		n = 0;
		want[n++] = '"';
		for (i = 0; i < LONG_LEN; i++) {
			memcpy(want + n, "\\u0001", 6);
			n += 6;
		}
		want[n++] = '"';
		check_capacities(&c, want, n);
	}
	CASE("encode_json_string: long value, plain ascii") {
		memset(in, 'x', LONG_LEN);
		want[0] = '"';
		memset(want + 1, 'x', LONG_LEN);
		want[LONG_LEN + 1] = '"';
		check_capacities(&c, want, LONG_LEN + 2);
	}
}

/* ---- properties ---- */

enum alphabet {
	ALPHA_SAFE,	/* 0x21..0x7e: always quoted */
	ALPHA_ANY,	/* 1..255 */
	ALPHA_RARE_BAD,	/* safe, with an occasional hex-forcing byte */
	ALPHA_EDGES,	/* the interesting bytes only */
	ALPHA_UTF8,	/* ASCII plus UTF-8 pieces, valid or not */
	ALPHA_COUNT
};

static const unsigned char edge_bytes[] = {
	'"', ' ', '\\', '\'', '?', 'a', 0x01, 0x1d, 0x1f, 0x20, 0x21,
	0x7e, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff,
	'\n', '\t',
};

static const char *const utf8_pieces[] = {
	"a", "Z", "-", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	"\xed\x9f\xbf", "\xf4\x8f\xbf\xbf", "\xc0", "\x80", "\xed\xa0\x80",
	"\xe2\x82", "\xf4\x90\x80\x80", "\xe0\x9f\xbf", "\xff",
};

/* Fill buf with a random value of 0..PROP_MAX_LEN bytes, no NUL. */
static size_t random_value(char *buf, enum alphabet a)
{
	size_t len = rng_below(PROP_MAX_LEN + 1), n = 0;

	while (n < len) {
		unsigned char c = 0;

		switch (a) {
		case ALPHA_SAFE:
			c = (unsigned char)(0x21 + rng_below(0x7e - 0x21 + 1));
			break;
		case ALPHA_ANY:
			c = (unsigned char)(1 + rng_below(255));
			break;
		case ALPHA_RARE_BAD:
			c = rng_below(64) ? (unsigned char)(0x21 +
				 rng_below(0x7e - 0x21 + 1)) :
				 edge_bytes[rng_below(sizeof edge_bytes)];
			break;
		case ALPHA_EDGES:
			c = edge_bytes[rng_below(sizeof edge_bytes)];
			break;
		case ALPHA_UTF8: {
			const char *p = utf8_pieces[rng_below(
				sizeof utf8_pieces / sizeof utf8_pieces[0])];
			size_t pl = strlen(p);

			if (n + pl > len)
				pl = len - n;
			memcpy(buf + n, p, pl);
			n += pl;
			continue;
		}
		case ALPHA_COUNT:
			break;
		}
		if (c == '\0')
			c = 'x';
		buf[n++] = (char)c;
	}
	return len;
}

static void test_prop_vs_libaudit(void)
{
	static const char *const names[] = { "k8s_pod", "container_id", "n" };
	static char val[PROP_MAX_LEN + 1], out[OUT_LEN];
	char msg[VIS_LEN];
	int i, failures = 0;

	CASE("property: encode_field equals audit_encode_nv_string") {
		for (i = 0; i < PROP_ITERS && failures < 3; i++) {
			const char *name = names[i % 3];
			size_t vlen = random_value(val,
				(enum alphabet)rng_below(ALPHA_COUNT));
			size_t n;
			char *lib;

			val[vlen] = '\0';
			n = encode_field(out, sizeof out, name, val, vlen);
			lib = audit_encode_nv_string(name, val,
						     (unsigned)vlen);
			if (!lib) {
				CHECK(!"audit_encode_nv_string returned NULL");
				failures++;
				continue;
			}
			if (n < 1 || out[0] != ' ' || n - 1 != strlen(lib) ||
			    memcmp(out + 1, lib, n - 1) != 0) {
				vis(msg, sizeof msg, val, vlen);
				CHECK_MEM(out, n, lib, strlen(lib));
				printf("#   value: \"%s\"\n", msg);
				failures++;
			}
			if (encode_needs_hex(val, vlen) !=
			    audit_value_needs_encoding(val, (unsigned)vlen)) {
				CHECK(!"encode_needs_hex differs from libaudit");
				failures++;
			}
			free(lib);
		}
	}
	failures = 0;
	CASE("property: encode_needs_hex equals audit_value_needs_encoding, with NULs") {
		for (i = 0; i < PROP_ITERS && failures < 3; i++) {
			size_t vlen = random_value(val, ALPHA_RARE_BAD);
			size_t cut = vlen ? rng_below((unsigned)vlen + 1) : 0;

			if (vlen && rng_below(4) == 0)
				val[rng_below((unsigned)vlen)] = '\0';
			if (encode_needs_hex(val, cut) !=
			    audit_value_needs_encoding(val, (unsigned)cut)) {
				vis(msg, sizeof msg, val, cut);
				CHECK(!"needs_hex differs");
				printf("#   value: \"%s\"\n", msg);
				failures++;
			}
		}
	}
}

/* Append code point cp as UTF-8; returns bytes written. */
static size_t put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Random scalar value (no surrogates), weighted to every encoded length. */
static uint32_t random_scalar(void)
{
	uint32_t cp;

	switch (rng_below(5)) {
	case 0:
		return rng_below(0x80);
	case 1:
		return 0x80 + rng_below(0x800 - 0x80);
	case 2:
		do
			cp = 0x800 + rng_below(0x10000 - 0x800);
		while (cp >= 0xd800 && cp <= 0xdfff);
		return cp;
	case 3:
		return 0x10000 + rng_below(CP_MAX + 1 - 0x10000);
	default: {
		static const uint32_t edges[] = {
			0, 0x1f, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
			0xfffd, 0xffff, 0x10000, CP_MAX,
		};
		return edges[rng_below(sizeof edges / sizeof edges[0])];
	}
	}
}

/*
 * out[0..n) must be one JSON string, valid UTF-8 with no raw control byte;
 * on success *ret_obj holds the parsed string.
 */
static int json_output_ok(struct json_tokener *tok, const char *out, size_t n,
			  struct json_object **ret_obj)
{
	struct json_object *o;
	size_t i;

	*ret_obj = NULL;
	if (n < 2 || out[0] != '"' || out[n - 1] != '"')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 ||
		    (unsigned char)out[i] == 0x7f)
			return 0;
	if (!utf8_valid(out, n))
		return 0;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, out, (int)n);
	if (!o || json_tokener_get_parse_end(tok) != n ||
	    json_object_get_type(o) != json_type_string) {
		json_object_put(o);
		return 0;
	}
	*ret_obj = o;
	return 1;
}

static void test_prop_json(void)
{
	static char val[PROP_MAX_LEN * 4 + 4], out[PROP_MAX_LEN * 24 + 8];
	char msg[VIS_LEN];
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	int i, failures = 0, valid_inputs = 0;

	if (!tok) {
		check_skip("property: json", "json_tokener_new failed");
		return;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);

	CASE("property: encode_json_string output is valid JSON, UTF-8 input round-trips") {
		for (i = 0; i < PROP_ITERS && failures < 3; i++) {
			size_t vlen = random_value(val,
				(enum alphabet)rng_below(ALPHA_COUNT));
			size_t n;

			/* Now and then a NUL, which must come back too. */
			if (vlen && rng_below(8) == 0)
				val[rng_below((unsigned)vlen)] = '\0';
			n = encode_json_string(out, sizeof out, val, vlen);
			if (!json_output_ok(tok, out, n, &o)) {
				CHECK(!"output not valid JSON/UTF-8");
				printf("#   value: \"%s\"\n",
				       vis(msg, sizeof msg, val, vlen));
				failures++;
				continue;
			}
			if (utf8_valid(val, vlen)) {
				valid_inputs++;
				if ((size_t)json_object_get_string_len(o) !=
					    vlen ||
				    memcmp(json_object_get_string(o), val,
					   vlen) != 0) {
					CHECK(!"valid UTF-8 did not round-trip");
					printf("#   value: \"%s\"\n",
					       vis(msg, sizeof msg, val, vlen));
					failures++;
				}
			}
			json_object_put(o);
		}
		CHECK(valid_inputs > PROP_ITERS / 10);
	}
	failures = 0;
	CASE("property: random scalar values round-trip through JSON") {
		for (i = 0; i < PROP_ITERS && failures < 3; i++) {
			size_t cps = rng_below(PROP_MAX_LEN / 4 + 1), vlen = 0, n;
			size_t k;

			for (k = 0; k < cps; k++)
				vlen += put_utf8(val + vlen, random_scalar());
			n = encode_json_string(out, sizeof out, val, vlen);
			if (!json_output_ok(tok, out, n, &o) ||
			    (size_t)json_object_get_string_len(o) != vlen ||
			    memcmp(json_object_get_string(o), val, vlen) != 0) {
				CHECK(!"scalar string did not round-trip");
				printf("#   value: \"%s\"\n",
				       vis(msg, sizeof msg, val, vlen));
				failures++;
			}
			json_object_put(o);
		}
	}
	json_tokener_free(tok);
}

/* ---- the one UTF-8 check ---- */

struct utf8_row {
	const char *name;
	const char *s;
	size_t avail;
	int want;
};

static const struct utf8_row utf8_rows[] = {
	{ "ascii", "a", 1, 1 },
	{ "NUL is ASCII", "", 1, 1 },
	{ "2 bytes", "\xc3\xa9", 2, 2 },
	{ "3 bytes", "\xe2\x82\xac", 3, 3 },
	{ "4 bytes", "\xf0\x9f\x98\x80", 4, 4 },
	{ "more readable than needed", "\xc3\xa9zz", 4, 2 },
	{ "a lone continuation byte", "\x80", 1, 0 },
	{ "overlong lead c0", "\xc0\xaf", 2, 0 },
	{ "overlong lead c1", "\xc1\xbf", 2, 0 },
	{ "overlong 3 bytes", "\xe0\x9f\xbf", 3, 0 },
	{ "smallest 3 bytes", "\xe0\xa0\x80", 3, 3 },
	{ "surrogate U+D800", "\xed\xa0\x80", 3, 0 },
	{ "below the surrogates U+D7FF", "\xed\x9f\xbf", 3, 3 },
	{ "overlong 4 bytes", "\xf0\x8f\xbf\xbf", 4, 0 },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4 },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 4, 0 },
	{ "lead f5", "\xf5\x80\x80\x80", 4, 0 },
	{ "lead ff", "\xff", 1, 0 },
	{ "ASCII where a continuation must be", "\xc3(", 2, 0 },
	{ "bad third byte", "\xe2\x82(", 3, 0 },
	{ "bad fourth byte", "\xf0\x9f\x98(", 4, 0 },
	{ "a lead alone: more needed", "\xf0", 1, -1 },
	{ "2 of 3: more needed", "\xe2\x82", 2, -1 },
	{ "3 of 4: more needed", "\xf0\x9f\x98", 3, -1 },
	{ "cut, but already bad", "\xe0\x9f", 2, 0 },
	{ "cut, bad continuation", "\xf0\x9f(", 3, 0 },
};

static void test_utf8_rows(void)
{
	for (size_t i = 0; i < sizeof utf8_rows / sizeof utf8_rows[0]; i++) {
		const struct utf8_row *r = &utf8_rows[i];
		char name[128];

		snprintf(name, sizeof name, "encode_utf8_len: %s", r->name);
		CASE(name) {
			CHECK_INT(encode_utf8_len((const unsigned char *)r->s,
						  r->avail), r->want);
		}
	}
}

/*
 * Every lead and second byte, with third and fourth bytes from the edges
 * of the ranges: the length agrees with iconv's verdict on the whole
 * sequence, and every shorter prefix of a valid sequence asks for more.
 */
static void test_utf8_vs_iconv(void)
{
	static const unsigned char tails[] = { 0x41, 0x7f, 0x80, 0x8f, 0x90,
					       0x9f, 0xa0, 0xbf, 0xc0 };
	unsigned bad = 0;
	char first[128] = "";

	CASE("encode_utf8_len: agrees with iconv, prefixes ask for more") {
		for (unsigned c = 0; c < 256; c++)
		for (unsigned d = 0; d < 256; d++)
		for (size_t i = 0; i < sizeof tails; i++)
		for (size_t j = 0; j < sizeof tails; j++) {
			unsigned char s[4] = { (unsigned char)c, (unsigned char)d,
					       tails[i], tails[j] };
			int want = 0, got = encode_utf8_len(s, 4);

			if (c < 0x80)
				want = 1;
			else
				for (int m = 2; m <= 4 && !want; m++)
					if (utf8_valid((const char *)s, (size_t)m))
						want = m;
			for (int a = 1; a < want && got == want; a++)
				if (encode_utf8_len(s, (size_t)a) != -1)
					got = -100 - a;
			if (got != want && !bad++)
				snprintf(first, sizeof first,
					 "%02x %02x %02x %02x: got %d want %d",
					 s[0], s[1], s[2], s[3], got, want);
			if (c < 0x80 || d < 0x80)
				break; /* the tails do not matter */
		}
		if (bad)
			check_fail(__FILE__, __LINE__, first);
	}
}

int main(void)
{
	utf8_cd = iconv_open("UTF-32LE", "UTF-8");
	if (utf8_cd == (iconv_t)-1) {
		printf("not ok - iconv_open: UTF-8 converter missing\n");
		return 1;
	}
	test_field_rows();
	test_field_long();
	test_raw_rows();
	test_json_rows();
	test_json_long();
	test_prop_vs_libaudit();
	test_prop_json();
	test_utf8_rows();
	test_utf8_vs_iconv();
	iconv_close(utf8_cd);
	return check_done();
}
