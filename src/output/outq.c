/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outq.c - see outq.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/outq.h"

int outq_init(struct outq *q, size_t cap)
{
	memset(q, 0, sizeof *q);
	q->buf = malloc(cap);
	if (!q->buf)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void outq_done(struct outq *q)
{
	free(q->buf);
	q->buf = NULL;
}

char *outq_reserve(struct outq *q, size_t n)
{
	if (outq_free(q) < n)
		return NULL;
	if (q->cap - q->tail < n) {
		size_t used = outq_used(q);

		memmove(q->buf, q->buf + q->head, used);
		q->head = 0;
		q->tail = used;
	}
	return q->buf + q->tail;
}

void outq_commit(struct outq *q, size_t n)
{
	q->tail += n;
	if (outq_used(q) > q->high)
		q->high = outq_used(q);
}

void outq_consume(struct outq *q, size_t n)
{
	q->head += n;
	if (q->head == q->tail)
		q->head = q->tail = 0;
}
