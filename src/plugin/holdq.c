/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holdq.c - see holdq.h.  The byte queue is outq's; entries are rounded
 * to 8 bytes so every header stays aligned.
 */
#include <errno.h>
#include <string.h>

#include "plugin/holdq.h"

int holdq_init(struct holdq *h, size_t cap)
{
	h->count = 0;
	return outq_init(&h->q, cap);
}

void holdq_done(struct holdq *h)
{
	outq_done(&h->q);
	h->count = 0;
}

int holdq_push(struct holdq *h, const struct held *hdr, const char *line)
{
	size_t n = holdq_room(hdr->len);
	char *dst = outq_reserve(&h->q, n);

	if (!dst)
		return -ENOSPC;
	memcpy(dst, hdr, sizeof *hdr);
	memcpy(dst + sizeof *hdr, line, hdr->len);
	outq_commit(&h->q, n);
	h->count++;
	return 0;
}

const struct held *holdq_front(const struct holdq *h)
{
	if (!h->count)
		return NULL;
	return (const struct held *)(const void *)outq_data(&h->q);
}

void holdq_pop(struct holdq *h)
{
	const struct held *e = holdq_front(h);

	if (!e)
		return;
	outq_consume(&h->q, holdq_room(e->len));
	h->count--;
}
