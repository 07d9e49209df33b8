// SPDX-License-Identifier: MIT
/*
 * md_split.c - splitting a large folio into order-0 folios.
 *
 * As in the kernel's __split_huge_page(), the large folio's own descriptor
 * survives as the first small folio: it shrinks to order 0 while frozen, and
 * new descriptors take over frames 1..n-1.  That is what makes the walkers'
 * revalidation necessary: a walker that loaded the word of frame 3 and gets
 * its reference after the split holds a live folio that no longer covers
 * frame 3 (the GUP-vs-split race of c24d37322548).
 *
 * Invariants:
 *  - A walker never sees a half-built child: each new child's fields are all
 *    written before the first word or slot naming it is stored (release).
 *  - The head is frozen (refcount 0) from before the first child is published
 *    until its order is 0; try-get fails meanwhile, and the unfreeze
 *    (release) pairs with try-get's acquire, so a walker that gets in sees
 *    order 0.
 *  - Payload stays in place: child i carries stamp = parent stamp + i, which
 *    md_payload_value() makes equal to the parent's data for that frame.
 *
 * Locks (ordering: md_core.h): the head's lock (held by the caller), then
 * index_lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "md_epoch.h"
#include "md_folio.h"
#include "md_index.h"

/* Children 1..n-1, fully built, unpublished; the caller's reference and the index's. */
static int build_children(struct md_thread *t, struct md_folio *f, uint32_t ref,
			  struct md_folio **out)
{
	struct md_desc *pd = md_folio_desc(f);

	for (uint64_t i = 1; i < md_desc_nr(pd); i++) {
		struct md_desc *d = md_desc_new(t, MD_T_FOLIO, pd->pfn + i, 0, pd->mt, ref, 0);

		if (d == NULL) {
			while (--i > 0)
				md_desc_discard(t, md_folio_desc(out[i]));
			return -ENOMEM;
		}
		out[i] = md_desc_folio(d);
		/*
		 * MUTANT split_publish_early: correct code publishes a child only
		 * after it is built and the parent frozen; here walkers can find
		 * it with no stamp and no index place, while the parent still
		 * claims the frame.
		 */
		if (md_mutant(t, SPLIT_PUBLISH_EARLY))
			md_desc_publish(t, d);
		md_race_point(t, MD_RP_SPLIT_BUILD);
		out[i]->stamp = f->stamp + i;
		out[i]->mapping = f->mapping;
		out[i]->index = f->index + (uint32_t)i;
		out[i]->truncated = f->truncated;
	}
	return 0;
}

/* Point frame words, then index slots, of frames 1..n-1 at their children. */
static void publish_children(struct md_thread *t, struct md_folio *f, uint64_t nr,
			     struct md_folio **out)
{
	struct md_core *c = t->core;
	uint64_t *slot = f->mapping ? md_index_slot(c, f->mapping - 1, f->index) : NULL;

	for (uint64_t i = 1; i < nr; i++)
		md_desc_publish(t, md_folio_desc(out[i]));
	if (slot == NULL)
		return;
	md_spin_lock(t, MD_RP_INDEX_STORE, &c->index_lock);
	/* release: each child built before its slot; pairs with index lookups' acquire */
	for (uint64_t i = 1; i < nr; i++)
		md_store_release64(t, MD_RP_INDEX_STORE, &slot[i],
				   md_word_make(out[i], MD_T_FOLIO));
	md_spin_unlock(t, MD_RP_INDEX_STORE, &c->index_lock);
}

static void discard_children(struct md_thread *t, struct md_folio *f, uint64_t nr,
			     struct md_folio **out)
{
	if (md_mutant(t, SPLIT_PUBLISH_EARLY)) {
		/* published early: give the frames back to the parent, retire them */
		md_desc_publish(t, md_folio_desc(f));
		for (uint64_t i = 1; i < nr; i++)
			md_desc_free(t, md_folio_desc(out[i]));
		return;
	}
	for (uint64_t i = 1; i < nr; i++)
		md_desc_discard(t, md_folio_desc(out[i]));
}

int md_folio_split(struct md_thread *t, struct md_folio *f, struct md_folio **out)
{
	struct md_desc *pd = md_folio_desc(f);
	uint32_t expected = 1 + (f->mapping ? 1 : 0); /* the caller's + the index's */
	uint64_t nr = md_desc_nr(pd);
	int ret;

	if (pd->order == 0)
		return -EINVAL;
	if (md_folio_pinned(t, f))
		return -EBUSY;
	ret = build_children(t, f, expected, out);
	if (ret)
		return ret;
	if (!md_ref_freeze(t, pd, expected)) {
		discard_children(t, f, nr, out);
		return -EAGAIN;
	}
	publish_children(t, f, nr, out);
	/* frozen: nobody holds it; try-get's acquire after the unfreeze sees order 0 */
	md_store_relaxed8(t, MD_RP_SPLIT_ORDER, &pd->order, 0);
	md_ref_unfreeze(t, pd, expected);
	out[0] = f;
	t->stats[MD_ST_SPLIT]++;
	return 0;
}
