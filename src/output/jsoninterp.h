/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsoninterp.h - a record's values in readable form for the JSON events
 * (jsonout.c): ,"interpreted":{"arch":"x86_64","syscall":"openat",
 * "exit":"EACCES(Permission denied)","uid":"root",...}.
 *
 * Where each key comes from (docs/design.md, "JSON events"):
 *  - libauparse (auparse_interpret_field) for the fields it types as arch,
 *    syscall, exit, mode, perm, capability or capability set, and sockaddr:
 *    a pure function of the record's own text (before 0x1D), so the
 *    library, not a table of ours.  Never for uid/gid fields (the library
 *    asks NSS for those), nor a0..a3 (for some syscalls an a0 is a uid),
 *    nor in user-space records (their fields are the sender's).  A value
 *    is handed over only when it has its kind's shape (hex, decimal,
 *    octal: the library reads "abc" as 0 and would answer "read"), and an
 *    answer the library marks as failed ("unknown-...", "conversion
 *    error", "malformed-...", "(null)", "too short") or that is the value
 *    itself gives no key.  saddr is an object: {"family":..,"addr":..,
 *    "port":..,"text":..} (addr, port when the library gives them; text is
 *    its whole reading, e.g. a unix socket's path).
 *  - auditd's ENRICHED tail (after 0x1D) for every other key it holds:
 *    uid and gid names as the node's auditd read them at the time of the
 *    record (never NSS here: a container's passwd is not the node's).  The
 *    tail's ARCH, SYSCALL and SADDR are the library's kinds: not taken
 *    (they stay in "interp").  Keys lower-cased; quotes taken off.
 *  - library keys first in field order, then the tail's; a key seen
 *    before keeps its first value.  Values are strings.
 */
#ifndef P2P_JSONINTERP_H
#define P2P_JSONINTERP_H

#include "input/record.h"
#include "output/jw.h"

/* Keys in one "interpreted" object; more are left to text and interp. */
#define JSONINTERP_KEYS_MAX 64
/* Bytes of a key kept for the first-value rule; a longer key is skipped. */
#define JSONINTERP_KEY_MAX 32
/* Bytes of one interpretation; a longer one gives no key. */
#define JSONINTERP_VALUE_MAX 1024
/* Bytes of the library's keys in one record (a capability set reads as
 * up to ~550 bytes, BPRM_FCAPS has nine); keys past it are left out.
 * JSONOUT_BOUND counts it for each record. */
#define JSONINTERP_LIB_ROOM 4096
/* The library's answers remembered, by (record type, name, value, arch,
 * syscall): slots, bytes of a key, bytes of an answer; a longer one is
 * asked each time.  ~0.6 MB a pipeline. */
#define JSONINTERP_MEMO_SLOTS 512
#define JSONINTERP_MEMO_KEY 128
#define JSONINTERP_MEMO_VALUE 1024
/* Hex digits of a saddr handed to the library (128-byte sockaddr). */
#define JSONINTERP_SADDR_MAX 256

struct jsoninterp;

/*
 * jsoninterp_new - a libauparse state for one pipeline.  libauparse reads
 * auditd.conf when it starts: call before the sandbox.  NULL on error
 * (then the events have no "interpreted" objects).
 */
struct jsoninterp *jsoninterp_new(void);
void jsoninterp_free(struct jsoninterp *ji);

/*
 * jsoninterp_write - append ,"interpreted":{...} for the scanned record r
 * to w; nothing when no key applies or ji is NULL.  Needs at most
 * JSONINTERP_LIB_ROOM + 32 bytes and 6 bytes a byte of the 0x1D tail
 * (JSONOUT_BOUND allows for it).
 */
void jsoninterp_write(struct jsoninterp *ji, struct jw *w,
		      const struct record *r);

#endif
