/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.h - write values the way audit and JSON want them, into a caller's
 * buffer, without allocating; and the one UTF-8 check (encode_utf8_len).
 */
#ifndef P2P_ENCODE_H
#define P2P_ENCODE_H

#include <stddef.h>

/*
 * encode_needs_hex - 1 when audit writes this value as unquoted hex: it holds
 * a '"', a byte < 0x21 (space included), 0x7f or a byte >= 0x80 (the rule of
 * libaudit's audit_value_needs_encoding).  An empty value does not.
 */
int encode_needs_hex(const char *val, size_t len);

/*
 * encode_field - append " name=value" to dst (cap bytes available):
 * name="value" when safe, name=HEX (uppercase) otherwise, exactly as
 * libaudit's audit_encode_nv_string would.  No NUL is written.
 * Returns the number of bytes written, or 0 when it does not fit (dst is
 * then untouched past what it was).
 */
size_t encode_field(char *dst, size_t cap, const char *name,
		    const char *val, size_t vlen);

/*
 * encode_field_raw - append " name=value" with value unquoted as given
 * (for audit's unknown value "?").  Same return convention.
 */
size_t encode_field_raw(char *dst, size_t cap, const char *name,
			const char *val);

/*
 * encode_json_string - append val as a JSON string literal with its quotes:
 * '"', '\\' and control bytes escaped; bytes that are not valid UTF-8 written
 * as \u00XX of the byte (so output is always valid UTF-8 JSON).
 * Returns bytes written, or 0 when it does not fit.
 */
size_t encode_json_string(char *dst, size_t cap, const char *val, size_t len);

/*
 * encode_utf8_len - the one UTF-8 check: the length (1 to 4) of the valid
 * UTF-8 sequence that starts at s[0], with avail >= 1 bytes readable; 0
 * when it is not one (a bad lead or continuation byte, an overlong form, a
 * surrogate, above U+10FFFF); -1 when the avail bytes are a valid start
 * of a longer sequence (more are needed to tell: for a reader of chunks;
 * with the whole input, -1 means cut short, so invalid).
 */
int encode_utf8_len(const unsigned char *s, size_t avail);

#endif
