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
#include "md_desc.h"
#include "md_epoch.h"
#include "md_slab.h"
#include "md_zpool.h"

struct md_desc *md_desc_new(struct md_thread *t, unsigned type, uint64_t pfn, unsigned order,
			    unsigned mt, size_t size, uint32_t ref, uint32_t flags)
{
	struct md_core *c = t->core;
	struct md_desc *d;

	d = aligned_alloc(MD_DESC_ALIGN, (size + MD_DESC_ALIGN - 1) & ~(size_t)(MD_DESC_ALIGN - 1));
	if (d == NULL)
		return NULL;
	memset(d, 0, size);
	d->flags = flags;
	d->refcount = ref;
	d->pfn = pfn;
	d->core = c;
	/* a name, not a protocol: no race point */
	d->serial = ck_pr_faa_32(&c->next_serial, 1) + 1;
	d->type = (uint8_t)type;
	d->order = (uint8_t)order;
	d->mt = (uint8_t)mt;
	ck_pr_inc_64(&c->desc_allocated); /* the checker's accounting: no race point */
	t->stats[MD_ST_DESC_ALLOC]++;
	return d;
}

int md_desc_alloc(struct md_thread *t, unsigned type, unsigned order, unsigned mt, size_t size,
		  struct md_desc **out)
{
	struct md_desc *d;
	uint64_t pfn;
	int ret;

	ret = md_buddy_alloc(t, order, mt, &pfn);
	if (ret)
		return ret;
	d = md_desc_new(t, type, pfn, order, mt, size, 1, 0);
	if (d == NULL) {
		md_buddy_free(t, pfn, order);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

/*
 * Free a descriptor that was never published: nobody can have loaded it, so
 * no grace period is needed.  Its frames stay with the caller.
 */
void md_desc_discard(struct md_thread *t, struct md_desc *d)
{
	ck_pr_inc_64(&t->core->desc_retired); /* the checker's accounting: no race point */
	ck_pr_inc_64(&t->core->desc_freed);
	if (d->type == MD_T_ZPDESC)
		md_zpdesc_retire(t, md_desc_zpdesc(d));
	free(d);
}

void md_desc_publish(struct md_thread *t, struct md_desc *d)
{
	struct md_core *c = t->core;
	uint64_t w = md_word_make(d, d->type);

	if (MD_CORE_LOCK_GLOBAL)
		md_spin_lock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
	/* Release: the descriptor's fields and payload before the word. */
	for (uint64_t i = 0; i < md_desc_nr(d); i++)
		md_store_release64(t, MD_RP_FRAME_PUBLISH, md_frame_word(c, d->pfn + i), w);
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
		md_store_relaxed64(t, MD_RP_FRAME_CLEAR, md_frame_word(c, d->pfn + i), MD_T_NONE);
	if (MD_CORE_LOCK_GLOBAL)
		md_spin_unlock(t, MD_RP_GLOBAL_LOCK, &c->big_lock);
}

void md_desc_release(struct md_thread *t, struct md_desc *d)
{
	unpublish(t, d);
	md_buddy_free(t, d->pfn, d->order);
	md_epoch_retire(t, d);
}

void md_desc_put(struct md_thread *t, struct md_desc *d)
{
	if (!md_ref_put_test(t, d))
		return;
	md_desc_release(t, d);
}
