/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holdq.h - text records held back while a fetch of the pod list that may
 * name them is in flight, in arrival order.
 *
 * Each entry keeps the line as it came and the identities resolved when it
 * arrived (the process may be gone by the time it is released); the names
 * are looked up again at release, from the newer list.  One allocation
 * (HOLDQ_BYTES_MAX), entries appended at the tail and taken from the front.
 */
#ifndef P2P_HOLDQ_H
#define P2P_HOLDQ_H

#include <stddef.h>
#include <stdint.h>

#include "common/ident.h"
#include "output/outq.h"

#define HOLDQ_BYTES_MAX (4 * 1024 * 1024)

struct held {
	uint32_t len;        /* bytes of the line, which follow this header */
	uint32_t orig_len;   /* its length on input */
	uint64_t ticket;     /* the refresh it waits for; 0: only for order */
	int64_t arrived_ms;
	int64_t deadline_ms; /* released by then at the latest */
	struct ident id, oid;
};

struct holdq {
	struct outq q;
	size_t count;
};

/* holdq_room - bytes an entry for a line of len bytes takes. */
static inline size_t holdq_room(size_t len)
{
	return (sizeof(struct held) + len + 7) & ~(size_t)7;
}

int holdq_init(struct holdq *h, size_t cap);
void holdq_done(struct holdq *h);
/* holdq_push - append; 0, or -ENOSPC when it does not fit. */
int holdq_push(struct holdq *h, const struct held *hdr, const char *line);
/* holdq_front - the oldest entry, NULL when empty; its line follows it. */
const struct held *holdq_front(const struct holdq *h);
static inline const char *held_line(const struct held *e)
{
	return (const char *)(e + 1);
}
void holdq_pop(struct holdq *h);
static inline size_t holdq_bytes(const struct holdq *h) { return outq_used(&h->q); }
static inline size_t holdq_free(const struct holdq *h) { return outq_free(&h->q); }

#endif
