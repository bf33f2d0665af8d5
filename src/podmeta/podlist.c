/* SPDX-License-Identifier: Apache-2.0 */
/*
 * podlist.c - the streaming PodList parser of podlist.h.
 *
 * jsonscan.c checks the body as strict JSON as it streams in and reports
 * where each value starts and ends and each key; this file follows those
 * events to find the top-level "items" key (the values of other keys are
 * scanned, never stored), and to collect each element of the items array
 * into one buffer, in spans of the chunk rather than byte by byte, handing
 * it to poditem.c when it ends.  The buffer is reused, so it stays at the
 * largest item.  Only the parts poditem.c reads are collected
 * (poditem_fields): any other value inside an item is checked like the
 * rest and collected as 0, so an item costs json-c and memory in
 * proportion to what is kept, not to its annotations or managedFields.  An
 * element whose bytes (all of them) pass PODLIST_ITEM_MAX is skipped and
 * counted.
 *
 * Past max_bytes the body is cut: what came before is parsed, the item cut
 * short is dropped, and podlist_finish hands over the pods complete by
 * then (one node with many large pods keeps most names, not none).
 * max_bytes == 0 means no cap on the whole body (memory is bounded by the
 * item cap all the same).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonscan.h"
#include "podmeta/poditem.h"
#include "podmeta/podlist.h"

#define ITEMS_DEPTH 2 /* the items array's elements: in the top object, in it */
#define ITEM_BUF_MIN (64 * 1024)

#if ITEMS_DEPTH + PODLIST_DEPTH > JSONSCAN_DEPTH_MAX || \
	PODLIST_OUTER_DEPTH > JSONSCAN_DEPTH_MAX
#error "jsonscan cannot nest as deep as podlist allows"
#endif

struct podlist {
	struct jsonscan js;
	uint8_t items_seen, key_items, items_open;
	/* the item being collected */
	uint8_t item_on, item_big;
	uint8_t elide_next, eliding;        /* the next value / this one: 0 */
	unsigned elide_depth;
	const struct poditem_keep *keep[JSONSCAN_DEPTH_MAX]; /* per bracket */
	const struct poditem_keep *next;    /* ... and for the next value */
	uint64_t item_off;                  /* where the item began */
	const unsigned char *span;          /* collect from here, this chunk */
	char *item;
	size_t item_len, item_cap;
	size_t max_bytes;
	int over;                           /* cut at max_bytes */
	char *labels[PODSNAP_LABELS_MAX];
	struct poditem_ctx ctx;
	struct podsnap *snap;
	struct podlist_stats st;
	int finished;
};

static jsonscan_fn on_event;

struct podlist *podlist_new(const struct podlist_opts *o)
{
	struct podlist *pl;

	if (o && (o->nlabels > PODSNAP_LABELS_MAX ||
		  (o->nlabels && !o->labels))) {
		errno = EINVAL;
		return NULL;
	}
	pl = calloc(1, sizeof *pl);
	if (!pl)
		return NULL;
	jsonscan_init(&pl->js, on_event, pl);
	pl->ctx.labels = (const char *const *)pl->labels;
	pl->ctx.snap = pl->snap = podsnap_new();
	pl->ctx.st = &pl->st;
	if (!pl->snap || poditem_ctx_init(&pl->ctx) < 0)
		goto fail;
	for (unsigned i = 0; o && i < o->nlabels; i++)
		if (!(pl->labels[pl->ctx.nlabels++] =
		      strdup(o->labels[i] ? o->labels[i] : "")))
			goto fail;
	pl->max_bytes = o ? o->max_bytes : 0;
	return pl;
fail:
	podlist_free(pl);
	errno = ENOMEM;
	return NULL;
}

void podlist_free(struct podlist *pl)
{
	if (!pl)
		return;
	for (unsigned i = 0; i < pl->ctx.nlabels; i++)
		free(pl->labels[i]);
	poditem_ctx_done(&pl->ctx);
	podsnap_unref(pl->snap);
	free(pl->item);
	free(pl);
}

static int bad(struct podlist *pl, uint64_t off, const char *what)
{
	return jsonscan_fail(&pl->js, -EINVAL, off, "%s", what);
}

static int item_append(struct podlist *pl, const unsigned char *from,
		       const unsigned char *to, uint64_t off)
{
	size_t n = (size_t)(to - from), cap = pl->item_cap;
	char *p;

	if (pl->item_big || !n)
		return 0;
	if (n > PODLIST_ITEM_MAX - pl->item_len) {
		pl->item_big = 1; /* skipped and counted when it ends */
		return 0;
	}
	while (cap < pl->item_len + n)
		cap = cap ? cap * 2 : ITEM_BUF_MIN;
	if (cap > PODLIST_ITEM_MAX)
		cap = PODLIST_ITEM_MAX;
	if (cap != pl->item_cap) {
		if (!(p = realloc(pl->item, cap)))
			return jsonscan_fail(&pl->js, -ENOMEM, off,
					     "out of memory for an item");
		pl->item = p;
		pl->item_cap = cap;
	}
	memcpy(pl->item + pl->item_len, from, n);
	pl->item_len += n;
	return 0;
}

/* The item that began at item_off ends before p (off). */
static int item_end(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	const char *why = "";
	int r;

	if (off - pl->item_off > PODLIST_ITEM_MAX)
		pl->item_big = 1;
	r = item_append(pl, pl->span, p, off);
	pl->item_on = 0;
	if (r < 0)
		return r;
	if (pl->item_big) {
		pl->st.skipped++;
		return 0;
	}
	r = poditem_add(&pl->ctx, pl->item, pl->item_len, &why);
	if (r == -EINVAL)
		return jsonscan_fail(&pl->js, r, off - 1, "item %llu: %s",
				     (unsigned long long)pl->st.items - 1, why);
	if (r < 0)
		return jsonscan_fail(&pl->js, r, off - 1, "out of memory");
	return 0;
}

/* A value starts at p inside an item: collect it, or 0 instead. */
static int item_value(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	static const unsigned char zero[] = "0";
	unsigned d = pl->js.depth;
	int r;

	if (pl->js.stack[d - 1] == '[') {
		pl->next = pl->keep[d - 1];
		pl->elide_next = 0;
	}
	if (!pl->elide_next)
		return 0;
	if ((r = item_append(pl, pl->span, p, off)) < 0 ||
	    (r = item_append(pl, zero, zero + 1, off)) < 0)
		return r;
	pl->eliding = 1;
	pl->elide_depth = d;
	return 0;
}

static int on_value(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	unsigned d = pl->js.depth, c = *p, max;

	if (!d && c != '{')
		return bad(pl, off, "the top level is not an object");
	if (pl->key_items) {
		pl->key_items = 0;
		if (c != '[' && c != 'n')
			return bad(pl, off,
				   "\"items\" is neither an array nor null");
		pl->items_open = c == '[';
	} else if (pl->items_open && d == ITEMS_DEPTH) {
		pl->st.items++;
		if (c == '{') {
			pl->item_on = 1;
			pl->item_big = 0;
			pl->item_len = 0;
			pl->item_off = off;
			pl->span = p;
			pl->next = poditem_fields;
		} else {
			pl->st.skipped++; /* null, or not an object */
		}
	} else if (pl->item_on && !pl->eliding) {
		int r = item_value(pl, p, off);

		if (r < 0)
			return r;
	}
	if (c != '{' && c != '[')
		return 0;
	max = pl->items_open ? PODLIST_DEPTH : PODLIST_OUTER_DEPTH;
	if (d >= max + (pl->items_open ? ITEMS_DEPTH : 0))
		return jsonscan_fail(&pl->js, -EINVAL, off,
				     "nested deeper than %u", max);
	pl->keep[d] = pl->item_on && !pl->eliding ? pl->next : NULL;
	return 0;
}

/* A value ended before p. */
static int on_end(struct podlist *pl, const unsigned char *p, uint64_t off)
{
	unsigned d = pl->js.depth;

	if (pl->eliding && d == pl->elide_depth) {
		pl->eliding = 0;
		pl->span = p; /* collect again from here */
	}
	if (pl->item_on && d == ITEMS_DEPTH)
		return item_end(pl, p, off);
	if (pl->items_open && d == ITEMS_DEPTH - 1)
		pl->items_open = 0;
	return 0;
}

/* A key ended: is it the top level's "items", what does its value keep? */
static int on_key(struct podlist *pl, uint64_t off)
{
	const struct jsonscan *js = &pl->js;
	const struct poditem_keep *k;

	if (js->depth == 1) {
		if (js->keylen != 5 || memcmp(js->key, "items", 5) != 0)
			return 0;
		if (pl->items_seen)
			return bad(pl, off, "a second \"items\" key");
		pl->items_seen = pl->key_items = 1;
		return 0;
	}
	pl->next = NULL;
	pl->elide_next = 0;
	if (!pl->item_on || pl->eliding || !(k = pl->keep[js->depth - 1]))
		return 0;
	for (pl->elide_next = 1; js->keylen <= PODITEM_KEY_MAX && k->key; k++)
		if (strlen(k->key) == js->keylen &&
		    memcmp(k->key, js->key, js->keylen) == 0) {
			pl->next = k->sub;
			pl->elide_next = 0;
			break;
		}
	return 0;
}

static int on_event(void *ctx, struct jsonscan *js, enum jsonscan_event ev,
		    const unsigned char *p, uint64_t off)
{
	struct podlist *pl = ctx;

	(void)js;
	return ev == JSONSCAN_VALUE ? on_value(pl, p, off)
		: ev == JSONSCAN_END ? on_end(pl, p, off) : on_key(pl, off);
}

int podlist_feed(struct podlist *pl, const char *buf, size_t len)
{
	const unsigned char *end = (const unsigned char *)buf + len;
	int r;

	if (pl->js.err)
		return pl->js.err;
	if (pl->over)
		return -EFBIG;
	if (pl->finished)
		return bad(pl, pl->st.bytes, "fed after the end");
	if (pl->max_bytes && len > pl->max_bytes - pl->st.bytes) {
		/* parse up to the cap; what is complete by then is kept */
		size_t room = pl->max_bytes - (size_t)pl->st.bytes;

		if (room && (r = podlist_feed(pl, buf, room)) < 0)
			return r;
		pl->over = 1;
		pl->item_on = 0; /* the item cut short is not added */
		return -EFBIG;
	}
	if (!len)
		return 0;
	pl->span = (const unsigned char *)buf;
	r = jsonscan_feed(&pl->js, buf, len);
	pl->st.bytes = pl->js.bytes;
	if (r == 0 && pl->item_on &&
	    pl->js.bytes - pl->item_off > PODLIST_ITEM_MAX)
		pl->item_big = 1;
	if (r == 0 && pl->item_on && !pl->eliding)
		r = item_append(pl, pl->span, end, pl->js.bytes);
	return r;
}

int podlist_finish(struct podlist *pl, struct podsnap **ret)
{
	int r;

	if (pl->js.err)
		return pl->js.err;
	if (pl->finished)
		return bad(pl, pl->st.bytes, "finished twice");
	if (pl->over && !pl->items_seen)
		return jsonscan_fail(&pl->js, -EFBIG, pl->st.bytes,
				     "the body is over max_bytes (%zu) before "
				     "\"items\"", pl->max_bytes);
	if (pl->over)
		pl->st.truncated = 1;
	else if ((r = jsonscan_finish(&pl->js)) < 0)
		return r;
	if (!pl->items_seen)
		return bad(pl, pl->st.bytes, "no \"items\" key");
	pl->finished = 1;
	*ret = pl->snap;
	pl->snap = pl->ctx.snap = NULL;
	return 0;
}

const char *podlist_error(const struct podlist *pl)
{
	if (pl->over && !pl->js.err)
		return "the body is over max_bytes: cut there";
	return jsonscan_error(&pl->js);
}

const struct podlist_stats *podlist_stats(const struct podlist *pl)
{
	return &pl->st;
}
