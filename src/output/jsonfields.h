/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonfields.h - a record's fields as JSON keys, for the JSON events
 * (jsonout.c): ,"fields":{"arch":"c000003e","syscall":"59",...} in input
 * order, beside the record's text, which stays whole.
 *
 * The rules (docs/design.md, "JSON events"):
 *  - values are strings: a quoted value without its quotes; an unquoted
 *    hex value of a field the kernel (or audit's user-space library)
 *    hex-encodes (comm, exe, name, proctitle, ...) decoded; the rest as
 *    written ("(null)", "?", numbers);
 *  - a key seen before in the same object keeps its first value (the later
 *    ones are in the text);
 *  - user-space records: the fields before msg=' (the kernel's) at the top,
 *    the sender's own key=value text in a "msg" object;
 *  - NETFILTER_CFG: the table name is raw text a process chose, so it is
 *    told from the kernel's family=, entries= and op= by their places at
 *    the end; without the kernel's pid tail (REC_PID_FORGED) there are no
 *    fields;
 *  - EXECVE: a0, a1, aN_len and aN[i] assembled into "argv":[...] (per
 *    record: an argument split over two EXECVE records is in both);
 *  - a record whose header is not audit's gets no fields.
 */
#ifndef P2P_JSONFIELDS_H
#define P2P_JSONFIELDS_H

#include "input/record.h"
#include "output/jw.h"

/* Distinct keys written in one object; more are left to the text and the
 * record gets "fields_cut":true beside "fields". */
#define JSONFIELDS_KEYS_MAX 512
/* Arguments assembled into one "argv" (kernel: a record holds fewer). */
#define JSONFIELDS_ARGV_MAX 4096

/*
 * jsonfields_write - append ,"fields":{...} (and ,"argv":[...] for
 * EXECVE) for the scanned record r to w; nothing for a record without
 * fields.  Needs at most 6 bytes a byte of the record, plus 64.
 */
void jsonfields_write(struct jw *w, const struct record *r);

/*
 * jsonfields_write_as - the same with other keys for the object, its cut
 * flag and the arguments (argv_key NULL: none written); for the mapped
 * names (jsonmap.c).
 */
void jsonfields_write_as(struct jw *w, const struct record *r,
			 const char *key, const char *cut_key,
			 const char *argv_key);

/*
 * jsonfields_get - the value of the first field key in the kernel's part of
 * r (a user-space record: before msg='; NETFILTER_CFG: its tail, after the
 * table name a process chose; nothing without that tail), decoded like
 * "fields", into dst (cap bytes, not terminated).  Returns its length, or
 * -1 when r has no such field or it does not fit.
 */
long jsonfields_get(const struct record *r, const char *key, char *dst,
		    size_t cap);

#endif
