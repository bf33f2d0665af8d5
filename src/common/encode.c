/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.c - the value encoder: writes field values into a caller's buffer
 * the way audit's own tools and JSON readers expect them.
 *
 * Audit text records are "name=value" pairs separated by single spaces.  A
 * value that could break that framing (a quote, a space or other control
 * byte, DEL, or any non-ASCII byte) is written as unquoted uppercase hex,
 * everything else as name="value"; ausearch/auparse undo exactly this.  The
 * JSON side writes string literals that are always valid UTF-8, escaping
 * the bytes of invalid sequences one by one so nothing is lost silently.
 * encode_utf8_len is the project's one UTF-8 validity check: the JSON
 * writer here and jsonscan's strings (JSONSCAN_UTF8) both use it.
 *
 * Everything here is on the per-record path: no allocation, no locale, no
 * stdio; lengths are computed first so a value that does not fit leaves the
 * destination untouched.
 */
#include <stdint.h>
#include <string.h>

#include "common/encode.h"

/* Audit: bytes from AUDIT_SAFE_MIN to AUDIT_SAFE_MAX, except '"', go quoted. */
#define AUDIT_SAFE_MIN		0x21
#define AUDIT_SAFE_MAX		0x7e
#define AUDIT_QUOTE		'"'

/* " name=" costs the name plus these two bytes; a quoted value two more. */
#define FIELD_OVERHEAD		2
#define QUOTES_LEN		2
#define HEX_PER_BYTE		2

/* JSON: a byte below this or JSON_DEL needs an escape. */
#define JSON_CTRL_END		0x20
#define JSON_DEL		0x7f
#define JSON_QUOTES_LEN		2
#define JSON_SHORT_ESC_LEN	2	/* \n */
#define JSON_U_ESC_LEN		6	/* \u00XX: the worst case per byte */

/* UTF-8 lead and continuation byte ranges (Unicode 15, table 3-7). */
#define UTF8_ASCII_END		0x80
#define UTF8_CONT_MIN		0x80
#define UTF8_CONT_MAX		0xbf
#define UTF8_LEAD2_MIN		0xc2	/* 0xc0, 0xc1 only start overlongs */
#define UTF8_LEAD2_MAX		0xdf
#define UTF8_LEAD3_MIN		0xe0
#define UTF8_LEAD3_MAX		0xef
#define UTF8_LEAD_SURR		0xed	/* its 3-byte range holds the surrogates */
#define UTF8_LEAD4_MIN		0xf0
#define UTF8_LEAD4_MAX		0xf4	/* above starts > U+10FFFF */
#define UTF8_E0_SECOND_MIN	0xa0	/* below: overlong 3-byte form */
#define UTF8_ED_SECOND_MAX	0x9f	/* above: surrogates U+D800..DFFF */
#define UTF8_F0_SECOND_MIN	0x90	/* below: overlong 4-byte form */
#define UTF8_F4_SECOND_MAX	0x8f	/* above: > U+10FFFF */

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

static inline int audit_byte_needs_hex(unsigned char c)
{
	/* One unsigned compare covers both c < 0x21 and c > 0x7e. */
	return (unsigned char)(c - AUDIT_SAFE_MIN) >
		       AUDIT_SAFE_MAX - AUDIT_SAFE_MIN ||
	       c == AUDIT_QUOTE;
}

/*
 * encode_needs_hex - see encode.h.  Matches libaudit 3.0.9's
 * audit_value_needs_encoding(val, len) for every byte value and length,
 * tested by experiment: NUL counts as a byte < 0x21, '\'' and '\\' do not
 * need hex, and an empty value (len 0) is never hex.
 */
int encode_needs_hex(const char *val, size_t len)
{
	const unsigned char *s = (const unsigned char *)val;
	size_t i;

	for (i = 0; i < len; i++)
		if (audit_byte_needs_hex(s[i]))
			return 1;
	return 0;
}

/*
 * encode_field - see encode.h.  Output equals libaudit's
 * audit_encode_nv_string(name, val, vlen) with a leading space whenever val
 * holds no NUL and vlen == strlen(val) > 0.  Two deliberate differences,
 * found by experiment with libaudit 3.0.9: libaudit reads vlen == 0 as
 * "use strlen(val)" (here it means the empty value, name=""), and its
 * quoted form prints val up to its NUL, ignoring vlen (so "a b" with vlen 1
 * comes out as n="a b", a bare space); here exactly vlen bytes are used.
 */
size_t encode_field(char *dst, size_t cap, const char *name,
		    const char *val, size_t vlen)
{
	const unsigned char *s = (const unsigned char *)val;
	size_t nlen = strlen(name);
	size_t room, need, i;
	int hex;
	char *p;

	if (nlen > cap || cap - nlen < FIELD_OVERHEAD)
		return 0;
	room = cap - nlen - FIELD_OVERHEAD;
	/*
	 * Either form of a value takes at least vlen + 1 bytes (hex of one
	 * byte: 2, quoted empty: 2); when even that does not fit, fail before
	 * reading the value at all.
	 */
	if (vlen >= room)
		return 0;
	hex = encode_needs_hex(val, vlen);
	if (hex) {
		if (vlen > room / HEX_PER_BYTE)
			return 0;
		need = vlen * HEX_PER_BYTE;
	} else {
		if (room - vlen < QUOTES_LEN)
			return 0;
		need = vlen + QUOTES_LEN;
	}
	need += nlen + FIELD_OVERHEAD;

	p = dst;
	*p++ = ' ';
	memcpy(p, name, nlen);
	p += nlen;
	*p++ = '=';
	if (hex) {
		for (i = 0; i < vlen; i++) {
			*p++ = hex_upper[s[i] >> 4];
			*p++ = hex_upper[s[i] & 0xf];
		}
	} else {
		*p++ = '"';
		if (vlen)
			memcpy(p, val, vlen);
		p += vlen;
		*p++ = '"';
	}
	return need;
}

/*
 * encode_field_raw - see encode.h.  val is written as given; the caller
 * guarantees it is safe unquoted (audit's "?").
 */
size_t encode_field_raw(char *dst, size_t cap, const char *name,
			const char *val)
{
	size_t nlen = strlen(name), vlen = strlen(val);
	char *p = dst;

	if (nlen > cap || cap - nlen < FIELD_OVERHEAD ||
	    vlen > cap - nlen - FIELD_OVERHEAD)
		return 0;
	*p++ = ' ';
	memcpy(p, name, nlen);
	p += nlen;
	*p++ = '=';
	memcpy(p, val, vlen);
	return nlen + FIELD_OVERHEAD + vlen;
}

/*
 * encode_utf8_len - see encode.h.  The lead byte fixes the length and the
 * range of the second byte (which is where overlongs, surrogates and code
 * points above U+10FFFF show); the others are plain continuation bytes.
 */
int encode_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = UTF8_CONT_MIN, hi = UTF8_CONT_MAX;
	size_t n, i;

	if (c < UTF8_ASCII_END) {
		return 1;
	} else if (c >= UTF8_LEAD2_MIN && c <= UTF8_LEAD2_MAX) {
		n = 2;
	} else if (c >= UTF8_LEAD3_MIN && c <= UTF8_LEAD3_MAX) {
		n = 3;
		if (c == UTF8_LEAD3_MIN)
			lo = UTF8_E0_SECOND_MIN;
		else if (c == UTF8_LEAD_SURR)
			hi = UTF8_ED_SECOND_MAX;
	} else if (c >= UTF8_LEAD4_MIN && c <= UTF8_LEAD4_MAX) {
		n = 4;
		if (c == UTF8_LEAD4_MIN)
			lo = UTF8_F0_SECOND_MIN;
		else if (c == UTF8_LEAD4_MAX)
			hi = UTF8_F4_SECOND_MAX;
	} else {
		return 0;
	}
	if (avail >= 2 && (s[1] < lo || s[1] > hi))
		return 0;
	for (i = 2; i < n && i < avail; i++)
		if (s[i] < UTF8_CONT_MIN || s[i] > UTF8_CONT_MAX)
			return 0;
	return avail < n ? -1 : (int)n;
}

/* The short escape letter for c, or 0 when c takes the \u00XX form. */
static inline char json_short_escape(unsigned char c)
{
	switch (c) {
	case '"':  return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default:   return 0;
	}
}

/* 1: byte c goes into a JSON string as it is (printable ASCII, not '"' or '\\'). */
static inline int json_plain(unsigned char c)
{
	return c >= JSON_CTRL_END && c < JSON_DEL && c != '"' && c != '\\';
}

/* Eight bytes at once: 1 when any of them is not json_plain() (a control
 * byte, '"', '\\', DEL or a byte >= 0x80).  The classic zero-byte and
 * less-than tests on a word; exact for "is there any". */
#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL
static inline int json_word_special(uint64_t v)
{
	uint64_t q = v ^ (SWAR_ONES * '"'), b = v ^ (SWAR_ONES * '\\');
	uint64_t d = v ^ (SWAR_ONES * JSON_DEL);

	return (((v - SWAR_ONES * JSON_CTRL_END) & ~v) |
		((q - SWAR_ONES) & ~q) | ((b - SWAR_ONES) & ~b) |
		((d - SWAR_ONES) & ~d) | v) & SWAR_HIGH ? 1 : 0;
}

/*
 * Write (dst != NULL) or only measure (dst == NULL) the JSON string literal
 * for s[0..len); returns its length.  One walker for both keeps the measure
 * and the write from ever disagreeing.
 */
static size_t json_walk(char *dst, const unsigned char *s, size_t len)
{
	size_t out = 0, i = 0, n;
	unsigned char c;
	char e;

	if (dst)
		dst[out] = '"';
	out++;
	while (i < len) {
		/* a run of bytes that go as they are: one copy for all of it */
		size_t j = i;

		while (j + sizeof(uint64_t) <= len) {
			uint64_t v;

			memcpy(&v, s + j, sizeof v);
			if (json_word_special(v))
				break;
			j += sizeof v;
		}
		while (j < len && json_plain(s[j]))
			j++;
		if (j > i) {
			if (dst)
				memcpy(dst + out, s + i, j - i);
			out += j - i;
			i = j;
			continue;
		}
		c = s[i];
		if (c >= UTF8_ASCII_END) {
			int u = encode_utf8_len(s + i, len - i);

			if (u > 0) {
				n = (size_t)u;
				if (dst)
					memcpy(dst + out, s + i, n);
				out += n;
				i += n;
				continue;
			}
		}
		/* Control byte, '"', '\\', DEL or a byte of a bad sequence. */
		e = c < UTF8_ASCII_END ? json_short_escape(c) : 0;
		if (e) {
			if (dst) {
				dst[out] = '\\';
				dst[out + 1] = e;
			}
			out += JSON_SHORT_ESC_LEN;
		} else {
			if (dst) {
				memcpy(dst + out, "\\u00", 4);
				dst[out + 4] = hex_lower[c >> 4];
				dst[out + 5] = hex_lower[c & 0xf];
			}
			out += JSON_U_ESC_LEN;
		}
		i++;
	}
	if (dst)
		dst[out] = '"';
	return out + 1;
}

/*
 * encode_json_string - see encode.h.  Valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) passes through; every byte of an
 * invalid or truncated sequence becomes \u00XX of that byte, DEL \u007f.
 * When the worst case (6 bytes per input byte) fits, one pass writes;
 * otherwise a measuring pass runs first so a miss writes nothing.
 */
size_t encode_json_string(char *dst, size_t cap, const char *val, size_t len)
{
	const unsigned char *s = (const unsigned char *)val;
	size_t need;

	if (cap < JSON_QUOTES_LEN)
		return 0;
	if (len > (cap - JSON_QUOTES_LEN) / JSON_U_ESC_LEN) {
		need = json_walk(NULL, s, len);
		if (need > cap)
			return 0;
	}
	return json_walk(dst, s, len);
}
