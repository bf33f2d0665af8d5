/*
 * encode.h - write values the way audit and JSON want them, into a caller's
 * buffer, without allocating.
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

#endif
