/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enrich.h - which fields a record gets and where they go.
 *
 * The fields, in their fixed order: container_id, k8s_namespace, k8s_pod,
 * k8s_container, k8s_pod_id, k8s_pid_inside, k8s_image, k8s_owner,
 * k8s_workload, k8s_workload_kind, k8s_sa, k8s_exec, k8s_label_<key>...  (OBJ_PID targets: the same names prefixed with "o").
 * No name ends in an audit key (ausearch finds "uid=" inside "x_uid="): a
 * label key that would is written k8s_label_<key>_.
 * Placement: before the 0x1D tail, or at the end; in user-space records
 * just before " msg='" (record.h), so before anything the sender wrote.
 * Sealed records (REC_SEALED: a user-space msg='...', NETFILTER_CFG's raw
 * table name follows the fields): for a subject that is not the host's,
 * every name is written, "?" when unknown, the configured labels too, so
 * any such name the process's text forges comes after ours (the
 * "o"-prefixed names are ours only in OBJ_PID records).
 * When a line would grow past OUTPUT_LINE_MAX the optional fields are left
 * out first, last ones first (labels, then exec, sa, workload_kind, workload,
 * owner, image, nspid, ...), container_id last of all; each field left out is counted.
 */
#ifndef P2P_ENRICH_H
#define P2P_ENRICH_H

#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"
#include "input/record.h"

#define ENRICH_LABELS_MAX K8S_LABELS_MAX

/* The fixed field names, in order, NULL-terminated (labels follow them). */
extern const char *const enrich_field_names[];
/* Audit field names no name of ours may end in, NULL-terminated. */
extern const char *const enrich_audit_keys[];

/* enrich_name_ends_in_key - 1 when name ends in one of enrich_audit_keys. */
int enrich_name_ends_in_key(const char *name);

/* One side of a record: the subject (pid=) or the object (opid=). */
struct enrich_subject {
	const struct ident *id;        /* NULL: nothing to add */
	const struct k8s_names *names; /* NULL: none known */
	int32_t nspid;                 /* <= 0: unknown */
	/* the configured label keys, for sealed records (below) */
	const char *const *labels;
	unsigned nlabels;
};

struct enrich_stats {
	uint64_t fields_dropped;  /* optional fields left out for length */
	uint64_t lines_truncated; /* malformed lines cut to fit */
};

/*
 * enrich_line - write the output line for record r into dst (cap bytes):
 * the record with the fields of subj (and of obj, "o"-prefixed) inserted at
 * r->insert_at, then '\n'.  Never longer than OUTPUT_LINE_MAX when the
 * record itself fits.  Lines with NUL bytes or longer than RECORD_MAX are
 * escaped/truncated with a visible marker instead (see enrich_malformed).
 * Returns bytes written (cap must be >= ENRICH_LINE_BUF).
 */
#define ENRICH_LINE_BUF (RECORD_MAX * 4 + 64)
size_t enrich_line(char *dst, size_t cap, const struct record *r,
		   const struct enrich_subject *subj,
		   const struct enrich_subject *obj, struct enrich_stats *st);

/*
 * enrich_malformed - the visible form of a line that is not well-formed:
 * NUL bytes become the two characters "^@", the line is cut to fit
 * OUTPUT_LINE_MAX, and " pid2pod_malformed=nul|long|nul,long" (plus
 * " pid2pod_orig_len=N" for cut lines) is appended.  orig_len is the length
 * the line had on input (it may have been cut while reading).
 */
size_t enrich_malformed(char *dst, size_t cap, const char *line, size_t len,
			size_t orig_len, int has_nul);

/*
 * enrich_label_key - turn a label key into the field-name suffix: lowercase,
 * every byte outside [a-z0-9_] becomes '_'.  Writes at most cap-1 bytes
 * and a NUL; returns the length.  (The field is k8s_label_<this>, with a
 * '_' appended when it ends in an audit key.)
 */
size_t enrich_label_key(char *dst, size_t cap, const char *key);

#endif
