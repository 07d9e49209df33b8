// SPDX-License-Identifier: MIT
/*
 * md_buddy.c - buddy allocator.
 *
 * Invariants (under zone_lock):
 *  - bit i of free_map[k] set <=> frames [i << k, (i + 1) << k) form one free
 *    block; free blocks never overlap; nr_free[k] counts the set bits.
 *  - a free block's head word is md_word_buddy(k); its other words are NONE.
 *  - two free buddies of the same order never coexist (they are merged).
 *
 * Locks (ordering: md_core.h): zone_lock, a leaf.
 * Word stores here are releases so that a lock-free reader that sees a BUDDY
 * head also sees the block's NONE words (pairs with the acquire loads in the
 * free scanner and the checker).
 */
#include <errno.h>

#include "md_buddy.h"
#include "md_pcp.h"

static inline void bm_set(struct md_core *c, unsigned k, uint64_t i)
{
	c->free_map[k][i / 64] |= (uint64_t)1 << (i % 64);
	c->nr_free[k]++;
}

static inline void bm_clear(struct md_core *c, unsigned k, uint64_t i)
{
	c->free_map[k][i / 64] &= ~((uint64_t)1 << (i % 64));
	c->nr_free[k]--;
}

static void set_head(struct md_thread *t, uint64_t pfn, uint64_t w)
{
	md_frame_set_free(t, MD_RP_BUDDY_WORD, &t->core->fr, pfn, w);
}

unsigned md_pageblock_mt(struct md_thread *t, uint64_t pfn)
{
	struct md_core *c = t->core;

	return md_load_relaxed8(t, MD_RP_PAGEBLOCK_READ, &c->pb_mt[pfn >> c->cfg.pageblock_order]);
}

void md_pageblock_set_mt(struct md_thread *t, uint64_t pfn, unsigned mt)
{
	struct md_core *c = t->core;

	md_store_relaxed8(t, MD_RP_PAGEBLOCK_WRITE, &c->pb_mt[pfn >> c->cfg.pageblock_order],
			  (uint8_t)mt);
}

/* Mark every pageblock of the block [pfn, pfn + 2^order) as @mt. */
static void claim_pageblocks(struct md_thread *t, uint64_t pfn, unsigned order, unsigned mt)
{
	unsigned pbo = t->core->cfg.pageblock_order;
	uint64_t first = pfn >> pbo, last = (pfn + ((uint64_t)1 << order) - 1) >> pbo;

	for (uint64_t pb = first; pb <= last; pb++)
		md_pageblock_set_mt(t, pb << pbo, mt);
}

/* Does the block [pfn, pfn + 2^k) touch a pageblock a contiguous allocation isolated? */
static bool block_isolated(struct md_thread *t, uint64_t pfn, unsigned k)
{
	unsigned pbo = t->core->cfg.pageblock_order;
	uint64_t n = k > pbo ? (uint64_t)1 << (k - pbo) : 1;

	for (uint64_t pb = 0; pb < n; pb++)
		if (md_pageblock_mt(t, pfn + (pb << pbo)) == MD_MT_ISOLATE)
			return true;
	return false;
}

/* May free block @i of order @k serve an allocation from @mt pageblocks (-1: any)? */
static bool block_fits(struct md_thread *t, unsigned k, uint64_t i, int mt)
{
	if (mt >= 0 && md_pageblock_mt(t, i << k) != (unsigned)mt)
		return false;
	return !block_isolated(t, i << k, k);
}

/* The highest (movable) or lowest set bit of @bits. */
static unsigned pick_bit(uint64_t bits, int mt)
{
	return mt == MD_MT_MOVABLE ? 63 - (unsigned)__builtin_clzll(bits)
				   : (unsigned)__builtin_ctzll(bits);
}

/*
 * Find a free block of order >= @order; with @mt >= 0 only in pageblocks of
 * that type.  Scans low frames first for unmovable, high frames first for
 * movable, which keeps the two apart like the kernel's fallback lists do.
 */
static int find_block(struct md_thread *t, unsigned order, int mt, unsigned *ko, uint64_t *io)
{
	struct md_core *c = t->core;

	for (unsigned k = order; k <= c->cfg.max_order; k++) {
		uint64_t nw = ((c->nr_frames >> k) + 63) / 64;

		for (uint64_t n = 0; n < nw && c->nr_free[k]; n++) {
			uint64_t w = mt == MD_MT_MOVABLE ? nw - 1 - n : n;

			for (uint64_t bits = c->free_map[k][w]; bits;) {
				unsigned b = pick_bit(bits, mt);

				bits &= ~((uint64_t)1 << b);
				if (!block_fits(t, k, w * 64 + b, mt))
					continue;
				*ko = k;
				*io = w * 64 + b;
				return 0;
			}
		}
	}
	return -ENOMEM;
}

/* Split block @i of order @k down to @order, freeing the upper halves. */
static void split_block(struct md_thread *t, unsigned k, uint64_t i, unsigned order)
{
	struct md_core *c = t->core;
	uint64_t pfn = i << k;

	while (k > order) {
		k--;
		uint64_t upper = pfn + ((uint64_t)1 << k);

		bm_set(c, k, upper >> k);
		set_head(t, upper, md_word_buddy(k));
	}
}

/* Take a block of 2^@order frames for @mt; the caller holds the zone lock. */
static int alloc_locked(struct md_thread *t, unsigned order, unsigned mt, uint64_t *pfn)
{
	struct md_core *c = t->core;
	unsigned k;
	uint64_t i;

	if (find_block(t, order, (int)mt, &k, &i) && find_block(t, order, -1, &k, &i))
		return -ENOMEM;
	bm_clear(c, k, i);
	set_head(t, i << k, MD_T_NONE);
	split_block(t, k, i, order);
	/* A block of a pageblock or more changes hands whole: steal it. */
	if (k >= c->cfg.pageblock_order)
		claim_pageblocks(
		    t, i << k, order > c->cfg.pageblock_order ? order : c->cfg.pageblock_order, mt);
	*pfn = i << k;
	return 0;
}

int md_buddy_alloc(struct md_thread *t, unsigned order, unsigned mt, uint64_t *pfn)
{
	struct md_core *c = t->core;
	int ret;

	if (order > c->cfg.max_order)
		return -EINVAL;
	if (order == 0 && c->cfg.pcp_high)
		return md_pcp_alloc(t, mt, pfn);
	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	ret = alloc_locked(t, order, mt, pfn);
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
	return ret;
}

unsigned md_buddy_alloc_bulk(struct md_thread *t, unsigned mt, unsigned n, uint32_t *pfns)
{
	struct md_core *c = t->core;
	unsigned got = 0;
	uint64_t pfn;

	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	while (got < n && alloc_locked(t, 0, mt, &pfn) == 0)
		pfns[got++] = (uint32_t)pfn;
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
	return got;
}

/* Give back the block at @pfn of @order, merging; the caller holds the zone lock. */
static void free_locked(struct md_thread *t, uint64_t pfn, unsigned order)
{
	struct md_core *c = t->core;
	unsigned k = order;
	uint64_t i = pfn >> order;

	while (k < c->cfg.max_order && md_buddy_test(c, k, i ^ 1)) {
		bm_clear(c, k, i ^ 1);
		set_head(t, (i ^ 1) << k, MD_T_NONE);
		i >>= 1;
		k++;
	}
	bm_set(c, k, i);
	set_head(t, i << k, md_word_buddy(k));
}

void md_buddy_free(struct md_thread *t, uint64_t pfn, unsigned order)
{
	struct md_core *c = t->core;

	if (order == 0 && c->cfg.pcp_high) {
		md_pcp_free(t, pfn);
		return;
	}
	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	free_locked(t, pfn, order);
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
}

void md_buddy_free_bulk(struct md_thread *t, const uint32_t *pfns, unsigned n)
{
	struct md_core *c = t->core;

	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	for (unsigned i = 0; i < n; i++)
		free_locked(t, pfns[i], 0);
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
}

/* The free block containing @pfn: order and index, or -1. Zone lock held. */
static int block_of(struct md_core *c, uint64_t pfn, unsigned *ko, uint64_t *io)
{
	for (unsigned k = 0; k <= c->cfg.max_order; k++) {
		if (md_buddy_test(c, k, pfn >> k)) {
			*ko = k;
			*io = pfn >> k;
			return 0;
		}
	}
	return -1;
}

/* Take [pfn, pfn + 2^order) out of its free block; the caller holds the zone lock. */
static int take_range(struct md_thread *t, uint64_t pfn, unsigned order)
{
	struct md_core *c = t->core;
	unsigned k;
	uint64_t i;

	if (block_of(c, pfn, &k, &i) || k < order)
		return -EBUSY;
	bm_clear(c, k, i);
	set_head(t, i << k, MD_T_NONE);
	/* Free everything of the block except our range, halving toward it. */
	while (k > order) {
		k--;
		uint64_t half = (pfn >> k) ^ 1;

		bm_set(c, k, half);
		set_head(t, half << k, md_word_buddy(k));
	}
	return 0;
}

static bool take_args_ok(struct md_core *c, uint64_t pfn, unsigned order)
{
	return order <= c->cfg.max_order && !(pfn & (((uint64_t)1 << order) - 1)) &&
	       pfn < c->nr_frames;
}

int md_buddy_take(struct md_thread *t, uint64_t pfn, unsigned order)
{
	struct md_core *c = t->core;
	int ret;

	if (!take_args_ok(c, pfn, order))
		return -EINVAL;
	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	ret = take_range(t, pfn, order);
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
	return ret;
}

int md_buddy_take_unlocked(struct md_thread *t, uint64_t pfn, unsigned order)
{
	if (!take_args_ok(t->core, pfn, order))
		return -EINVAL;
	md_race_point(t, MD_RP_BUDDY_WORD);
	return take_range(t, pfn, order);
}

uint64_t md_buddy_nr_free_frames(struct md_thread *t)
{
	struct md_core *c = t->core;
	uint64_t n = 0;

	md_spin_lock(t, MD_RP_ZONE_LOCK, &c->zone_lock);
	for (unsigned k = 0; k <= c->cfg.max_order; k++)
		n += c->nr_free[k] << k;
	md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &c->zone_lock);
	return n;
}
