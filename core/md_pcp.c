// SPDX-License-Identifier: MIT
/*
 * md_pcp.c - per-thread frame caches (md_pcp.h).
 *
 * Invariants (under the cache's lock):
 *  - every frame in a list has word PCP and is in no buddy block and no
 *    other list; a list holds at most cfg.pcp_high frames between calls.
 *  - a frame leaves a list with its word NONE, still under the lock: the
 *    owner's pop and a drain never both get it.
 *
 * Locks (ordering: md_core.h): a cache's lock, then the zone lock under it.
 * The owner takes its own lock on every call, so a remote drain
 * (md_pcp_drain_all) is an ordinary second locker, as with the kernel's
 * pcp->lock since it stopped relying on disabled interrupts.
 */
#include <errno.h>
#include <string.h>

#include "md_buddy.h"
#include "md_core.h"
#include "md_pcp.h"

static void pcp_lock(struct md_thread *t, struct md_pcp *p)
{
	md_spin_lock(t, MD_RP_PCP_LOCK, &p->lock);
}

static void pcp_unlock(struct md_thread *t, struct md_pcp *p)
{
	md_spin_unlock(t, MD_RP_PCP_UNLOCK, &p->lock);
}

/* Frame @pfn enters a cache (PCP) or leaves it (NONE); release, like the buddy's words. */
static void set_word(struct md_thread *t, uint64_t pfn, uint64_t w)
{
	md_frame_set_free(t, MD_RP_PCP_WORD, &t->core->fr, pfn, w);
}

/* Give the first @n frames of list @m back to the buddy. */
static void give_back(struct md_thread *t, struct md_pcp *p, unsigned m, unsigned n)
{
	if (n == 0)
		return; /* an empty list: not worth the zone lock */
	for (unsigned i = 0; i < n; i++)
		set_word(t, p->pfn[m][i], MD_T_NONE);
	md_buddy_free_bulk(t, p->pfn[m], n);
}

/* Past the high mark: the @n oldest frames of list @m go back.  Under @p's lock. */
static void spill(struct md_thread *t, struct md_pcp *p, unsigned m, unsigned n)
{
	unsigned left = p->count[m] - n;

	give_back(t, p, m, n);
	memmove(p->pfn[m], p->pfn[m] + n, left * sizeof(p->pfn[m][0]));
	p->count[m] = left;
}

/* Empty every list of @p into the buddy.  Under @p's lock (but see the mutant). */
static void drain_lists(struct md_thread *t, struct md_pcp *p)
{
	for (unsigned m = 0; m < MD_PCP_LISTS; m++) {
		give_back(t, p, m, p->count[m]);
		p->count[m] = 0;
	}
}

/* A batch from the buddy into the empty list @m.  Under @p's lock. */
static unsigned refill(struct md_thread *t, struct md_pcp *p, unsigned m)
{
	unsigned n = md_buddy_alloc_bulk(t, m, t->core->cfg.pcp_batch, p->pfn[m]);

	for (unsigned i = 0; i < n; i++)
		set_word(t, p->pfn[m][i], MD_T_PCP);
	p->count[m] = n;
	return n;
}

/* Pop a frame of list @m, refilling it when empty.  Return: 0, or -ENOMEM. */
static int pop(struct md_thread *t, unsigned m, uint64_t *pfn)
{
	struct md_pcp *p = md_thread_pcp(t);
	int ret = 0;

	pcp_lock(t, p);
	if (p->count[m] == 0 && refill(t, p, m) == 0) {
		ret = -ENOMEM;
		goto out;
	}
	*pfn = p->pfn[m][--p->count[m]]; /* the most recently freed: cache-hot */
	set_word(t, *pfn, MD_T_NONE);
out:
	pcp_unlock(t, p);
	return ret;
}

int md_pcp_alloc(struct md_thread *t, unsigned mt, uint64_t *pfn)
{
	unsigned m = mt == MD_MT_MOVABLE ? MD_MT_MOVABLE : MD_MT_UNMOVABLE;

	if (pop(t, m, pfn) == 0)
		return 0;
	/*
	 * The buddy is empty, but caches may not be (this thread's other list,
	 * other threads'): drain them all and try once more, as the kernel's
	 * allocator does before it gives up (drain_all_pages() on the slow path).
	 */
	md_pcp_drain_all(t);
	return pop(t, m, pfn);
}

void md_pcp_free(struct md_thread *t, uint64_t pfn)
{
	struct md_pcp *p = md_thread_pcp(t);
	unsigned m = md_pageblock_mt(t, pfn);
	uint32_t one = (uint32_t)pfn;

	if (m == MD_MT_ISOLATE) { /* being emptied for a contiguous allocation */
		md_buddy_free_bulk(t, &one, 1);
		return;
	}
	pcp_lock(t, p);
	/*
	 * MUTANT pcp_tag_after_unlock: correct code marks the frame while it
	 * holds the lock that puts it on the list; marked after the unlock, a
	 * drain in between has already given it to the buddy, whose word the
	 * late store then overwrites.
	 */
	if (!md_mutant(t, PCP_TAG_AFTER_UNLOCK))
		set_word(t, pfn, MD_T_PCP);
	p->pfn[m][p->count[m]++] = one;
	if (p->count[m] > t->core->cfg.pcp_high)
		spill(t, p, m, t->core->cfg.pcp_batch);
	pcp_unlock(t, p);
	if (md_mutant(t, PCP_TAG_AFTER_UNLOCK))
		set_word(t, pfn, MD_T_PCP);
}

void md_pcp_drain(struct md_thread *t)
{
	struct md_pcp *p = md_thread_pcp(t);

	if (p == NULL)
		return;
	pcp_lock(t, p);
	drain_lists(t, p);
	pcp_unlock(t, p);
}

void md_pcp_drain_all(struct md_thread *t)
{
	struct md_core *c = t->core;
	struct md_pcp *own = md_thread_pcp(t);
	uint32_t n;

	if (own == NULL)
		return;
	/* acquire: pairs with md_thread_init()'s publication of records[n] */
	n = md_load_acquire32(t, MD_RP_EPOCH_REGISTER, &c->nr_records);
	for (uint32_t i = 0; i < n; i++) {
		struct md_pcp *p = md_record_pcp(c->records[i]);
		/*
		 * MUTANT pcp_drain_unlocked: correct code takes the other
		 * thread's cache lock (drain_pages_zone() under pcp->lock); the
		 * mutant empties the lists while their owner pops and pushes.
		 */
		bool locked = p == own || !md_mutant(t, PCP_DRAIN_UNLOCKED);

		if (locked)
			pcp_lock(t, p);
		drain_lists(t, p);
		if (locked)
			pcp_unlock(t, p);
	}
}

uint64_t md_pcp_frames(struct md_core *c)
{
	uint64_t n = 0;

	for (uint32_t i = 0; c->cfg.pcp_high && i < c->nr_records; i++)
		for (unsigned m = 0; m < MD_PCP_LISTS; m++)
			n += md_record_pcp(c->records[i])->count[m];
	return n;
}
