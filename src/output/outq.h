/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outq.h - the bounded queue of output bytes between the formatter and the
 * sink.  One allocation at start; lines are appended whole and consumed
 * from the front; the used part is moved to the front only when the tail
 * runs out, so the common case (queue drained at once) copies nothing.
 */
#ifndef P2P_OUTQ_H
#define P2P_OUTQ_H

#include <stddef.h>

struct outq {
	char *buf;
	size_t cap;
	size_t head, tail; /* used bytes are buf[head..tail) */
	size_t high;       /* high-water mark of used bytes */
};

int outq_init(struct outq *q, size_t cap);
void outq_done(struct outq *q);
static inline size_t outq_used(const struct outq *q) { return q->tail - q->head; }
static inline size_t outq_free(const struct outq *q) { return q->cap - outq_used(q); }
/* outq_reserve - room for n contiguous bytes at the tail, or NULL. */
char *outq_reserve(struct outq *q, size_t n);
/* outq_commit - n bytes written at the reserved tail belong to the queue. */
void outq_commit(struct outq *q, size_t n);
/* outq_consume - n bytes at the front have been written out. */
void outq_consume(struct outq *q, size_t n);
static inline const char *outq_data(const struct outq *q) { return q->buf + q->head; }

#endif
