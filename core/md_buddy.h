/* SPDX-License-Identifier: MIT */
/*
 * md_buddy.h - the buddy frame allocator: orders 0..max_order, one zone
 * lock, pageblocks marked movable or unmovable.
 *
 * Free blocks are bits in per-order bitmaps (the zone's metadata); the head
 * frame's word carries the buddy state (tag BUDDY + order), the other frames
 * of a free block carry tag NONE.  Lock-free readers of words (compaction's
 * free scanner) may look, but only the zone-lock holder may take a frame.
 */
#ifndef MD_BUDDY_H
#define MD_BUDDY_H

#include <stdint.h>

#include "md_core.h"

/**
 * md_buddy_alloc() - take a free block of 1 << @order frames.
 * Prefers pageblocks of migratetype @mt and falls back to the other type
 * (converting whole pageblocks when the block spans them, like the kernel's
 * steal).  The block's words are all NONE on return; the caller owns them.
 * Order 0 comes from the thread's frame cache when the core has them
 * (md_pcp.h).  Takes and releases the zone lock.
 * Return: 0 with *@pfn set; -ENOMEM; -EINVAL for a bad order.
 */
int md_buddy_alloc(struct md_thread *t, unsigned order, unsigned mt, uint64_t *pfn);

/**
 * md_buddy_free() - give back the block at @pfn of @order, merging buddies.
 * Every frame word of the block must already be NONE (the descriptor was
 * unpublished).  Order 0 goes to the thread's frame cache when the core
 * has them (md_pcp.h).  Takes and releases the zone lock.
 */
void md_buddy_free(struct md_thread *t, uint64_t pfn, unsigned order);

/**
 * md_buddy_alloc_bulk() - up to @n order-0 frames of migratetype @mt (or
 * the other type when it has none) into @pfns, under one zone lock: a
 * frame cache's refill (rmqueue_bulk).  Their words are NONE.
 * Return: how many were taken.
 */
unsigned md_buddy_alloc_bulk(struct md_thread *t, unsigned mt, unsigned n, uint32_t *pfns);

/**
 * md_buddy_free_bulk() - give back the @n order-0 frames at @pfns (words
 * NONE), merging, under one zone lock: a frame cache's drain.
 */
void md_buddy_free_bulk(struct md_thread *t, const uint32_t *pfns, unsigned n);

/**
 * md_buddy_take() - take the specific free frame range [@pfn, @pfn + 2^@order)
 * out of whatever free block holds it (contiguous allocation, compaction's
 * free scanner).  Return: 0; -EBUSY if any frame of the range is not free.
 */
int md_buddy_take(struct md_thread *t, uint64_t pfn, unsigned order);

/** md_buddy_take_unlocked() - md_buddy_take() without the zone lock: the buddy_check_unlocked
 * mutant only. */
int md_buddy_take_unlocked(struct md_thread *t, uint64_t pfn, unsigned order);

/** md_buddy_nr_free_frames() - free frames now (takes the zone lock). */
uint64_t md_buddy_nr_free_frames(struct md_thread *t);

/** md_pageblock_set_mt() - mark the pageblock holding @pfn as @mt (ISOLATE for contig). */
void md_pageblock_set_mt(struct md_thread *t, uint64_t pfn, unsigned mt);

/** md_pageblock_mt() - migratetype of the pageblock holding @pfn (racy read). */
unsigned md_pageblock_mt(struct md_thread *t, uint64_t pfn);

/* Internal helpers shared with the checker: bitmap test, no locking. */
static inline int md_buddy_test(const struct md_core *c, unsigned order, uint64_t idx)
{
	return (int)((c->free_map[order][idx / 64] >> (idx % 64)) & 1);
}

#endif
