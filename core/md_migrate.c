// SPDX-License-Identifier: MIT
/*
 * md_migrate.c - isolation, folio migration, compaction, contiguous allocation.
 *
 * Invariants:
 *  - MD_DF_ISOLATED is set and cleared only under the descriptor lock, by
 *    atomic RMW of the flags word (the lock bit lives there too).
 *  - A migration's destination is invisible until complete: it is built
 *    frozen (refcount 0) and locked, its payload copied, and only then are
 *    frame words and index slots switched to it (release; pairs with the
 *    walkers' acquire loads) and its count unfrozen (release; pairs with
 *    try-get's acquire).
 *  - The source is frozen at exactly the references migration accounts for
 *    (the isolation reference + the index's); any other holder makes the
 *    freeze fail, so nobody holding the source can lose a write.
 *
 * Locks (ordering: md_core.h): contig_lock outermost; the source's
 * descriptor lock, then index_lock or zone_lock under it.
 */
#include <errno.h>
#include <string.h>

#include "md_buddy.h"
#include "md_epoch.h"
#include "md_index.h"
#include "md_migrate.h"
#include "md_walk.h"
#include "md_zpool.h"

/* ---- folios ---- */

static int folio_isolate(struct md_thread *t, struct md_desc *d)
{
	return 0;
}

static void folio_putback(struct md_thread *t, struct md_desc *d)
{
}

/*
 * Copy the contents, a race point per frame so that a copy torn by a writer
 * the freeze should have kept out is schedulable.  Plain accesses: @f is
 * locked (its writers hold the lock) and @g is not yet visible to anyone (in
 * correct code); TSan reports whoever breaks either.
 */
static void folio_copy(struct md_thread *t, struct md_folio *f, struct md_folio *g)
{
	struct md_core *c = t->core;

	for (uint64_t i = 0; i < md_desc_nr(&f->d); i++) {
		md_race_point(t, MD_RP_MIGRATE_COPY);
		memcpy(c->payload[g->d.pfn + i], c->payload[f->d.pfn + i], sizeof(c->payload[0]));
	}
}

/* Switch the frame words (new frames) and the index slots to @g. */
static void folio_switch(struct md_thread *t, struct md_folio *f, struct md_folio *g)
{
	struct md_core *c = t->core;
	uint64_t *slot;

	md_desc_publish(t, md_folio_desc(g));
	if (f->mapping == 0)
		return;
	slot = md_index_slot(c, f->mapping - 1, f->index);
	md_spin_lock(t, MD_RP_INDEX_STORE, &c->index_lock);
	/* release: @g built and copied before the slot; pairs with index lookups' acquire */
	for (uint64_t i = 0; i < md_desc_nr(&f->d); i++)
		md_store_release64(t, MD_RP_INDEX_STORE, &slot[i], md_word_make(g, MD_T_FOLIO));
	md_spin_unlock(t, MD_RP_INDEX_STORE, &c->index_lock);
}

/* Publish @g complete: frame words and index slots, then the count. */
static void folio_publish(struct md_thread *t, struct md_folio *f, struct md_folio *g,
			  uint32_t expected)
{
	folio_switch(t, f, g);
	md_ref_unfreeze(t, md_folio_desc(g), expected);
}

static int folio_migrate(struct md_thread *t, struct md_desc *src, uint64_t dst_pfn,
			 struct md_desc **dstp)
{
	struct md_folio *f = md_desc_folio(src), *g;
	uint32_t expected = 1 + (f->mapping ? 1 : 0); /* isolation + index */
	bool early = md_mutant(t, MIGRATE_SWITCH_BEFORE_COPY);
	struct md_desc *d;

	if (md_folio_pinned(t, f) && !md_mutant(t, CONTIG_IGNORE_PIN))
		return -EBUSY;
	if (md_mutant(t, CONTIG_IGNORE_PIN))
		expected +=
		    md_load_relaxed32(t, MD_RP_REF_READ, &f->pincount); /* pins "move" too */
	d = md_desc_new(t, MD_T_FOLIO, dst_pfn, src->order, src->mt, 0, MD_DF_LOCKED);
	if (d == NULL)
		return -ENOMEM;
	g = md_desc_folio(d);
	/*
	 * MUTANT migrate_no_freeze: correct code freezes the source at the
	 * references migration accounts for; without it a walker's reference
	 * survives the source's release and its writes go to freed frames.
	 */
	if (!md_mutant(t, MIGRATE_NO_FREEZE) && !md_ref_freeze(t, src, expected)) {
		md_desc_discard(t, d);
		return -EAGAIN;
	}
	/* identity before anything can publish @g */
	g->stamp = f->stamp;
	g->seq = f->seq;
	g->mapping = f->mapping;
	g->index = f->index;
	g->truncated = f->truncated;
	/*
	 * MUTANT migrate_switch_before_copy: correct code copies, then
	 * switches; switching first publishes a destination whose frames
	 * still hold whatever they held before.
	 */
	if (early)
		folio_publish(t, f, g, expected);
	folio_copy(t, f, g);
	if (!early)
		folio_publish(t, f, g, expected);
	f->mapping = 0;
	md_desc_unlock(t, d);
	md_desc_unlock(t, src);
	md_desc_release(t, src); /* words cleared, frames freed, retired; count stays 0 */
	*dstp = d;
	return 0;
}

static const struct md_movable_ops folio_mops = {
    .name = "folio",
    .isolate = folio_isolate,
    .migrate = folio_migrate,
    .putback = folio_putback,
};

const struct md_movable_ops *md_desc_mops(struct md_desc *d)
{
	if (d->type == MD_T_FOLIO && d->mt == MD_MT_MOVABLE)
		return &folio_mops;
	if (d->type == MD_T_ZPDESC)
		return &md_zpdesc_mops;
	return NULL;
}

/* ---- isolation ---- */

int md_isolate(struct md_thread *t, struct md_desc *d)
{
	const struct md_movable_ops *ops = md_desc_mops(d);
	int ret;

	if (ops == NULL)
		return -EINVAL;
	if (!md_desc_trylock(t, d)) {
		t->stats[MD_ST_ISOLATE_FAIL]++;
		return -EAGAIN;
	}
	/*
	 * MUTANT isolate_twice: correct code refuses a descriptor somebody
	 * already isolated; without the check two migration paths own it.
	 */
	if (!md_mutant(t, ISOLATE_TWICE) &&
	    (md_load_relaxed32(t, MD_RP_FLAGS_READ, &d->flags) & MD_DF_ISOLATED)) {
		ret = -EBUSY;
		goto out;
	}
	md_or_relaxed32(t, MD_RP_FLAGS_SET, &d->flags, MD_DF_ISOLATED);
	ret = ops->isolate(t, d);
	if (ret)
		md_and_relaxed32(t, MD_RP_FLAGS_CLEAR, &d->flags, ~(uint32_t)MD_DF_ISOLATED);
out:
	if (ret)
		t->stats[MD_ST_ISOLATE_FAIL]++;
	md_desc_unlock(t, d);
	return ret;
}

/*
 * Clear the isolated flag after the lock is dropped, as putback_movable_pages()
 * does: another thread may take the lock meanwhile, so the RMW of the word
 * that holds the lock bit must be atomic.
 */
static void clear_isolated(struct md_thread *t, struct md_desc *d)
{
	uint32_t f;

	if (md_mutant(t, ISOLATED_FLAG_NONATOMIC)) {
		/*
		 * MUTANT isolated_flag_nonatomic: a plain read-modify-write, as
		 * __ClearPageIsolated() would be on page->flags: a concurrent lock
		 * or unlock is lost, and the plain accesses race with the others'
		 * atomics (a data race TSan reports; the lost lock bit is what the
		 * oracles and the watchdog see).
		 */
		md_race_point(t, MD_RP_FLAGS_READ);
		f = *(volatile uint32_t *)&d->flags;
		md_race_point(t, MD_RP_FLAGS_CLEAR);
		*(volatile uint32_t *)&d->flags = f & ~(uint32_t)MD_DF_ISOLATED;
		return;
	}
	md_and_relaxed32(t, MD_RP_FLAGS_CLEAR, &d->flags, ~(uint32_t)MD_DF_ISOLATED);
}

void md_putback(struct md_thread *t, struct md_desc *d)
{
	md_desc_lock(t, d);
	if (!(md_load_relaxed32(t, MD_RP_FLAGS_READ, &d->flags) & MD_DF_ISOLATED))
		md_core_bug(t, d, "putback of a descriptor that is not isolated");
	md_desc_mops(d)->putback(t, d);
	md_desc_unlock(t, d);
	clear_isolated(t, d);
	md_desc_put(t, d);
}

int md_migrate(struct md_thread *t, struct md_desc *d, uint64_t dst_pfn, struct md_desc **dst)
{
	uint64_t pfn = dst_pfn;
	int ret;

	md_race_point(t, MD_RP_MIGRATE_START); /* isolated, not locked: others may look */
	if (!md_desc_trylock(t, d))
		return -EAGAIN;
	if (!(md_load_relaxed32(t, MD_RP_FLAGS_READ, &d->flags) & MD_DF_ISOLATED))
		md_core_bug(t, d, "migration of a descriptor that is not isolated");
	if (dst_pfn == MD_PFN_ANY) {
		ret = md_buddy_alloc(t, d->order, MD_MT_MOVABLE, &pfn);
		if (ret)
			goto out_unlock;
	}
	ret = md_desc_mops(d)->migrate(t, d, pfn, dst);
	if (ret == 0) {
		t->stats[MD_ST_MIGRATED]++;
		return 0; /* @d was consumed, lock and all */
	}
	t->stats[MD_ST_MIGRATE_FAIL]++;
	if (dst_pfn == MD_PFN_ANY)
		md_buddy_free(t, pfn, d->order);
out_unlock:
	md_desc_unlock(t, d);
	return ret;
}

int md_migrate_frame(struct md_thread *t, uint64_t pfn)
{
	struct md_desc *d, *nd;
	int ret;

	ret = md_lookup_frame(t, pfn, &d);
	if (ret)
		return ret;
	ret = md_isolate(t, d);
	if (ret) {
		md_desc_put(t, d);
		return ret;
	}
	ret = md_migrate(t, d, MD_PFN_ANY, &nd);
	if (ret) {
		md_putback(t, d);
		return ret;
	}
	md_desc_put(t, nd);
	return 0;
}

/* ---- compaction ---- */

static bool pb_movable(struct md_thread *t, uint64_t pfn)
{
	return md_pageblock_mt(t, pfn) == MD_MT_MOVABLE;
}

/*
 * The free scanner: walk down from *@free_pfn to @low for a free, aligned
 * block of 2^@order frames in a movable pageblock; the racy word read only
 * picks candidates, md_buddy_take() decides under the zone lock.
 */
static int find_free(struct md_thread *t, unsigned order, uint64_t low, uint64_t *free_pfn,
		     uint64_t *dst)
{
	struct md_core *c = t->core;
	uint64_t nr = (uint64_t)1 << order;
	uint64_t pfn = *free_pfn & ~(nr - 1);

	while (pfn >= low + nr) {
		uint64_t w;

		pfn -= nr;
		if (!pb_movable(t, pfn))
			continue;
		/* acquire: pairs with md_buddy.c's release of a BUDDY head */
		w = md_frame_load(t, MD_RP_BUDDY_WORD, &c->fr, pfn);
		if (md_word_is_desc(w))
			continue;
		/*
		 * MUTANT buddy_check_unlocked: correct code lets md_buddy_take()
		 * recheck under the zone lock; taking the block on the strength
		 * of the racy read hands one block to two owners.
		 */
		if ((md_mutant(t, BUDDY_CHECK_UNLOCKED) ? md_buddy_take_unlocked(t, pfn, order)
							: md_buddy_take(t, pfn, order)) == 0) {
			*free_pfn = pfn;
			*dst = pfn;
			return 0;
		}
	}
	return -ENOMEM;
}

/* Isolate and move the descriptor at @d (referenced) toward the free scanner. */
static int compact_one(struct md_thread *t, struct md_desc *d, uint64_t *free_pfn,
		       struct md_compact_stats *st)
{
	uint64_t dst, end = d->pfn + md_desc_nr(d);
	unsigned order = d->order;
	struct md_desc *nd;

	if (md_isolate(t, d)) {
		st->failed++;
		md_desc_put(t, d);
		return 0;
	}
	st->isolated++;
	if (find_free(t, order, end, free_pfn, &dst)) {
		md_putback(t, d);
		return -ENOMEM; /* the scanners met */
	}
	if (md_migrate(t, d, dst, &nd)) {
		md_buddy_free(t, dst, order);
		md_putback(t, d);
		st->failed++;
		return 0;
	}
	md_desc_put(t, nd);
	st->migrated++;
	return 0;
}

/*
 * MUTANT trylock_before_ref: correct code takes a reference (md_lookup_frame)
 * before touching a descriptor's lock; probing the lock first writes to a
 * descriptor that may be freed meanwhile (no reference, no epoch section).
 * Return: nonzero to skip the frame.
 */
static int trylock_first(struct md_thread *t, uint64_t pfn)
{
	uint64_t w;
	struct md_desc *d;

	if (!md_mutant(t, TRYLOCK_BEFORE_REF))
		return 0;
	w = md_frame_load(t, MD_RP_LOOKUP_LOAD, &t->core->fr, pfn);
	if (!md_word_is_desc(w))
		return 1;
	d = md_word_desc(w);
	if (!md_desc_trylock(t, d))
		return 1;
	md_desc_unlock(t, d);
	return 0;
}

void md_compact(struct md_thread *t, uint64_t from, unsigned max_migrate,
		struct md_compact_stats *st)
{
	struct md_core *c = t->core;
	uint64_t free_pfn = c->nr_frames, pfn = from, done = st->migrated + max_migrate;

	t->stats[MD_ST_COMPACT_PASS]++;
	while (pfn < free_pfn && st->migrated < done) {
		struct md_desc *d;
		uint64_t next = pfn + 1;

		if (!pb_movable(t, pfn) || trylock_first(t, pfn) || md_lookup_frame(t, pfn, &d)) {
			pfn = next;
			continue;
		}
		st->scanned++;
		if (d->pfn == pfn && md_desc_mops(d) != NULL) {
			next = pfn + md_desc_nr(d);
			if (compact_one(t, d, &free_pfn, st))
				break;
		} else {
			if (d->pfn + md_desc_nr(d) > pfn)
				next = d->pfn + md_desc_nr(d);
			md_desc_put(t, d);
		}
		pfn = next;
		if (st->scanned % 64 == 0)
			md_epoch_poll(t);
	}
}

/* ---- contiguous allocation ---- */

static void isolate_range(struct md_thread *t, uint64_t base, unsigned order, unsigned mt)
{
	unsigned pbo = t->core->cfg.pageblock_order;
	uint64_t first = base >> pbo, last = (base + ((uint64_t)1 << order) - 1) >> pbo;

	for (uint64_t pb = first; pb <= last; pb++)
		md_pageblock_set_mt(t, pb << pbo, mt);
}

static bool range_movable(struct md_thread *t, uint64_t base, unsigned order)
{
	for (uint64_t p = base; p < base + ((uint64_t)1 << order);
	     p += (uint64_t)1 << t->core->cfg.pageblock_order)
		if (!pb_movable(t, p))
			return false;
	return true;
}

/* Move the occupant of @pfn out of the isolated range; returns its end frame via @next. */
static int evacuate(struct md_thread *t, uint64_t pfn, uint64_t *next)
{
	struct md_desc *d, *nd;
	struct md_folio *f;
	int ret;

	*next = pfn + 1;
	if (md_lookup_frame(t, pfn, &d))
		return 0;
	*next = d->pfn + md_desc_nr(d);
	f = md_desc_folio(d);
	/*
	 * MUTANT contig_ignore_pin: correct code gives the range up when a
	 * long-term pinned folio sits in it; the mutant migrates it away from
	 * under the pin holder.
	 */
	if (f != NULL && md_folio_pinned(t, f) && !md_mutant(t, CONTIG_IGNORE_PIN)) {
		md_desc_put(t, d);
		return -EBUSY; /* long-term pinned: cannot leave */
	}
	ret = md_isolate(t, d);
	if (ret) {
		md_desc_put(t, d);
		return -EBUSY;
	}
	ret = md_migrate(t, d, MD_PFN_ANY, &nd);
	if (ret) {
		md_putback(t, d);
		return -EBUSY;
	}
	md_desc_put(t, nd);
	return 0;
}

static int contig_try(struct md_thread *t, uint64_t base, unsigned order)
{
	uint64_t end = base + ((uint64_t)1 << order), pfn = base;
	int ret = 0;

	isolate_range(t, base, order, MD_MT_ISOLATE);
	/* frames freed from now on bypass the caches; those cached before come back */
	md_pcp_drain_all(t);
	while (pfn < end && ret == 0)
		ret = evacuate(t, pfn, &pfn);
	if (ret == 0)
		ret = md_buddy_take(t, base, order);
	isolate_range(t, base, order, MD_MT_MOVABLE);
	return ret;
}

int md_contig_alloc(struct md_thread *t, unsigned order, struct md_folio **out)
{
	struct md_core *c = t->core;
	uint64_t nr = (uint64_t)1 << order, tries = 0, base = c->nr_frames;
	struct md_desc *d;
	int ret = -EBUSY;

	if (order > c->cfg.max_order)
		return -EINVAL;
	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->contig_lock);
	while (base >= nr && tries < 8 && ret) {
		base -= nr;
		if (!range_movable(t, base, order))
			continue;
		tries++;
		ret = contig_try(t, base, order);
	}
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->contig_lock);
	t->stats[ret ? MD_ST_CONTIG_BUSY : MD_ST_CONTIG]++;
	if (ret)
		return ret;
	d = md_desc_new(t, MD_T_FOLIO, base, order, MD_MT_UNMOVABLE, 1, 0);
	if (d == NULL) {
		md_buddy_free(t, base, order);
		return -ENOMEM;
	}
	md_desc_folio(d)->stamp = d->serial;
	md_folio_fill(t, md_desc_folio(d)); /* the frames are ours alone until published */
	md_desc_publish(t, d);
	*out = md_desc_folio(d);
	return 0;
}
