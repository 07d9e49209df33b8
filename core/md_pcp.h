/* SPDX-License-Identifier: MIT */
/*
 * md_pcp.h - per-thread frame caches: the kernel's per-CPU page lists.
 *
 * Each registered thread owns a small cache of free order-0 frames, one
 * list per migratetype (the type of the frame's pageblock when it was
 * freed).  Order-0 allocations and frees go through it and reach the zone
 * lock only a batch at a time: a refill takes cfg.pcp_batch frames from the
 * buddy under one zone lock, a free past cfg.pcp_high gives a batch back.
 *
 * A frame in a cache is free but not in the buddy: its word is tag PCP, and
 * neither the buddy nor contiguous allocation can take it.  So whoever needs
 * the buddy to hold every free frame of a range drains the caches first
 * (md_pcp_drain_all(): contiguous allocation, after isolating the range,
 * like alloc_contig_range()'s drain_all_pages()).  A drain reaches another
 * thread's cache, so each cache has a lock; its owner takes it too, and
 * takes the zone lock under it (md_core.h's table).  The cache lives as long
 * as the thread's epoch record, i.e. as the core: a drain never finds a
 * freed one.
 *
 * cfg.pcp_high = 0 turns the caches off: every frame goes to the buddy.
 */
#ifndef MD_PCP_H
#define MD_PCP_H

#include <stdint.h>

#include "md_atomic.h"

#define MD_PCP_MAX   64u /* frames a list can hold: cfg.pcp_high's maximum */
#define MD_PCP_LISTS 2u	 /* MD_MT_UNMOVABLE, MD_MT_MOVABLE */

struct md_pcp {
	struct md_spinlock lock;
	/* under lock (plain: TSan sees the lock, and an unlocked access is the bug) */
	uint32_t count[MD_PCP_LISTS];
	uint32_t pfn[MD_PCP_LISTS][MD_PCP_MAX + 1]; /* + 1: a free's push before its spill */
};

/**
 * md_pcp_alloc() - an order-0 frame for an allocation of migratetype @mt
 * from @t's cache, refilled with a batch from the buddy when empty.  The
 * frame's word is NONE on return; the caller owns it.  When the buddy has
 * no frame, every cache is drained (md_pcp_drain_all()) and the refill
 * tried once more.  Takes @t's cache lock, and the zone lock under it for a
 * refill.  Return: 0 with *@pfn set; -ENOMEM when no frame is free anywhere.
 */
int md_pcp_alloc(struct md_thread *t, unsigned mt, uint64_t *pfn);

/**
 * md_pcp_free() - give back the order-0 frame @pfn (word NONE) to @t's
 * cache, or to the buddy when its pageblock is isolated; past cfg.pcp_high
 * a batch of the list's oldest frames goes back to the buddy.
 * Takes @t's cache lock, and the zone lock under it for a batch.
 */
void md_pcp_free(struct md_thread *t, uint64_t pfn);

/**
 * md_pcp_drain() - give every frame of @t's own cache back to the buddy
 * (drain_local_pages): a thread going away, tests that count free frames.
 * Takes @t's cache lock and the zone lock.
 */
void md_pcp_drain(struct md_thread *t);

/**
 * md_pcp_drain_all() - give every thread's cached frames back to the buddy
 * (drain_all_pages).  Frames freed into a cache afterwards stay there: a
 * caller that must not lose them isolates their pageblocks first (frees
 * into an isolated pageblock bypass the caches).  Takes each cache's lock in
 * turn, the zone lock under it.
 */
void md_pcp_drain_all(struct md_thread *t);

/** md_pcp_frames() - frames in every thread's cache: quiescence only (checker, tests). */
uint64_t md_pcp_frames(struct md_core *c);

#endif
