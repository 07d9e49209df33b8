// SPDX-License-Identifier: MIT
/*
 * md_desc.c - descriptor allocation, publication and release.
 *
 * Invariants:
 *  - publication: every field of a descriptor is written before the first
 *    frame word points to it (release stores; pairs with the walkers'
 *    acquire loads), so a walker never sees a half-built descriptor.
 *  - release: on the last put, the frame words are cleared before the frames
 *    go back to the buddy allocator, and the descriptor is retired through
 *    the epoch after that, never freed directly.
 *
 * Locks (ordering: md_core.h): the descriptor lock lives here; publication
 * takes big_lock in the global baseline only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "md_buddy.h"
#include "md_core.h"
#include "md_desc.h"
#include "md_epoch.h"
#include "md_slab.h"
#include "md_zpool.h"

size_t md_desc_size(unsigned type)
{
	switch (type) {
	case MD_T_FOLIO:
		return sizeof(struct md_folio);
	case MD_T_SLAB:
		return sizeof(struct md_slab);
	case MD_T_ZPDESC:
		return sizeof(struct md_zpdesc);
	}
	return 0;
}

/* Memory for a descriptor: from its type's cache, or after an epoch header. */
#define MD_SERIAL_BATCH 64u

static struct md_desc *mem_alloc(struct md_thread *t, unsigned type)
{
	struct md_core *c = t->core;
	struct md_desc_hdr *h;

	if (md_core_typesafe(c))
		return md_dcache_alloc(&c->dcache[type], md_thread_dcc(t, type));
	h = aligned_alloc(MD_DESC_ALIGN, sizeof(*h) + md_desc_size(type));
	if (h == NULL)
		return NULL;
	h->core = c;
	return (struct md_desc *)(h + 1);
}

/*
 * A reused object (typesafe): stale walkers may still try-get it and read
 * its type (a slab handle's lookup), so its refcount, 0 since its last put,
 * is never written plainly and stays 0 until md_desc_publish(), and its type
 * is written once, when its page is new; nothing else is read before a
 * try-get succeeds or the frame word is rechecked.
 */
static void init_reused(struct md_desc *d, unsigned type, uint32_t ref, uint32_t flags)
{
	memset(d + 1, 0, md_desc_size(type) - sizeof(*d));
	if (d->type != type)
		d->type = (uint8_t)type; /* a new page's object: nobody can have loaded it */
	d->flags = flags;		 /* read only by holders of a reference: none can exist */
	d->born_ref = (uint8_t)ref;
}

/*
 * A serial for a new descriptor: unique in the core, taken from its counter
 * MD_SERIAL_BATCH at a time so that threads do not share its line for each
 * descriptor.  A name, not a protocol: no race point.
 */
static uint32_t next_serial(struct md_thread *t)
{
	if (t->serial_next == t->serial_end) {
		t->serial_next = ck_pr_faa_32(&t->core->next_serial, MD_SERIAL_BATCH) + 1;
		t->serial_end = t->serial_next + MD_SERIAL_BATCH;
	}
	return t->serial_next++;
}

struct md_desc *md_desc_new(struct md_thread *t, unsigned type, uint64_t pfn, unsigned order,
			    unsigned mt, uint32_t ref, uint32_t flags)
{
	struct md_core *c = t->core;
	struct md_desc *d = mem_alloc(t, type);

	if (d == NULL)
		return NULL;
	if (md_core_typesafe(c)) {
		init_reused(d, type, ref, flags);
	} else {
		memset(d, 0, md_desc_size(type));
		d->type = (uint8_t)type;
		d->flags = flags;
		d->refcount = ref;
	}
	d->pfn = pfn;
	d->serial = next_serial(t);
	d->order = (uint8_t)order;
	d->mt = (uint8_t)mt;
	md_record(t->rec)->desc_allocated++; /* the owner's accounting (md_core.h) */
	t->stats[MD_ST_DESC_ALLOC]++;
	return d;
}

int md_desc_alloc(struct md_thread *t, unsigned type, unsigned order, unsigned mt,
		  struct md_desc **out)
{
	struct md_desc *d;
	uint64_t pfn;
	int ret;

	ret = md_buddy_alloc(t, order, mt, &pfn);
	if (ret)
		return ret;
	d = md_desc_new(t, type, pfn, order, mt, 1, 0);
	if (d == NULL) {
		md_buddy_free(t, pfn, order);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

/* Typesafe: back to the cache for reuse at once; stale walkers see a count of 0. */
static void free_typesafe(struct md_thread *t, struct md_desc *d)
{
	struct md_core *c = t->core;
	unsigned type = d->type;

	if (d->born_ref == MD_BORN_FREE) {
		md_core_bug(t, NULL, "a descriptor freed twice"); /* its pfn is the link now */
		return;
	}
	t->stats[MD_ST_DESC_RETIRE]++;
	md_record(t->rec)->desc_retired++; /* the owner's accounting (md_core.h) */
	md_record(t->rec)->desc_freed++;
	if (type == MD_T_ZPDESC)
		md_zpdesc_retire(t, md_desc_zpdesc(d));
	d->born_ref = MD_BORN_FREE; /* read before a try-get by nobody */
	md_dcache_free(t, &c->dcache[type], md_thread_dcc(t, type), d);
}

void md_desc_free(struct md_thread *t, struct md_desc *d)
{
	if (md_core_typesafe(t->core))
		free_typesafe(t, d);
	else
		md_epoch_retire(t, d);
}

/*
 * Free a descriptor that was never published: nobody can have loaded it
 * (typesafe: a stale walker may have, but its try-get fails on the count of
 * 0), so no grace period is needed.  Its frames stay with the caller.
 */
void md_desc_discard(struct md_thread *t, struct md_desc *d)
{
	if (md_core_typesafe(t->core)) {
		free_typesafe(t, d);
		return;
	}
	md_record(t->rec)->desc_retired++; /* the owner's accounting (md_core.h) */
	md_record(t->rec)->desc_freed++;
	if (d->type == MD_T_ZPDESC)
		md_zpdesc_retire(t, md_desc_zpdesc(d));
	free(md_desc_hdr(d));
}

/*
 * Typesafe: the count a descriptor was built with, given as it becomes
 * findable.  Release: its fields before the count (pairs with try-get's
 * acquire); the frame words' release stores follow.  Once only: a split's
 * early publication must not reset a count walkers already raised.
 */
static void give_born_ref(struct md_thread *t, struct md_desc *d)
{
	if (!md_core_typesafe(t->core) || d->born_ref == 0)
		return;
	md_store_release32(t, MD_RP_FRAME_PUBLISH, &d->refcount, d->born_ref);
	d->born_ref = 0;
}

void md_desc_publish(struct md_thread *t, struct md_desc *d)
{
	struct md_core *c = t->core;
	uint64_t w = md_word_make(d, d->type);

	give_born_ref(t, d);
	if (MD_CORE_LOCK_GLOBAL)
		md_spin_lock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
	/* Release: the descriptor's fields and payload before the word. */
	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		md_frame_publish(t, MD_RP_FRAME_PUBLISH, &c->fr, d->pfn + i, w);
	if (MD_CORE_LOCK_GLOBAL)
		md_spin_unlock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
}

/*
 * Clear the frame words of a dead descriptor.  Relaxed is enough: walkers
 * that still load the old word fail try-get (the count is zero), and the
 * zone lock's release in md_buddy_free() orders the clearing before any new
 * owner of the frames publishes.
 */
static void unpublish(struct md_thread *t, struct md_desc *d)
{
	struct md_core *c = t->core;

	if (MD_CORE_LOCK_GLOBAL)
		md_spin_lock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		md_frame_clear(t, MD_RP_FRAME_CLEAR, &c->fr, d->pfn + i);
	if (MD_CORE_LOCK_GLOBAL)
		md_spin_unlock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
}

void md_desc_release(struct md_thread *t, struct md_desc *d)
{
	unpublish(t, d);
	md_buddy_free(t, d->pfn, d->order);
	md_desc_free(t, d);
}

void md_desc_put(struct md_thread *t, struct md_desc *d)
{
	if (!md_ref_put_test(t, d))
		return;
	md_desc_release(t, d);
}
