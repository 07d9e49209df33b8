/* SPDX-License-Identifier: MIT */
/*
 * md_migrate.h - moving memory: movable operations, isolation, migration,
 * compaction and contiguous allocation.
 *
 * The protocol, as in mm/migrate.c: a caller with a reference isolates a
 * descriptor (trylock, not already isolated, mark isolated, the type's
 * isolate hook); that reference becomes the isolation reference.  Migration
 * then locks it, freezes its count at the expected value (-EAGAIN when a
 * walker holds another), copies, switches every frame word and index slot
 * to the destination, unfreezes the destination with the same count and
 * retires the source through the epoch.  A failed migration is put back.
 */
#ifndef MD_MIGRATE_H
#define MD_MIGRATE_H

#include "md_folio.h"

#define MD_PFN_ANY UINT64_MAX

struct md_movable_ops {
	const char *name;
	/* @d is locked and just marked isolated; refuse with -EBUSY. */
	int (*isolate)(struct md_thread *t, struct md_desc *d);
	/*
	 * @src is isolated and locked, the caller holds the isolation reference;
	 * the frames at @dst_pfn are the caller's.  On 0 @src is consumed
	 * (unlocked, released, retired) and *@dst holds the isolation
	 * reference, unlocked.  On error nothing changed.
	 */
	int (*migrate)(struct md_thread *t, struct md_desc *src, uint64_t dst_pfn,
		       struct md_desc **dst);
	/* @d is locked and isolated; undo the type's isolate. */
	void (*putback)(struct md_thread *t, struct md_desc *d);
};

/**
 * md_desc_mops() - the movable operations of @d, reached from the descriptor
 * (its type and migratetype), or NULL when @d cannot move.
 */
const struct md_movable_ops *md_desc_mops(struct md_desc *d);

/**
 * md_isolate() - isolate @d for migration.  Caller holds a reference, which
 * on success becomes the isolation reference.
 * Return: 0; -EAGAIN lock busy; -EBUSY already isolated or refused; -EINVAL not movable.
 */
int md_isolate(struct md_thread *t, struct md_desc *d);

/** md_putback() - undo md_isolate() and drop the isolation reference. */
void md_putback(struct md_thread *t, struct md_desc *d);

/**
 * md_migrate() - move isolated @d to @dst_pfn (frames the caller took) or,
 * with MD_PFN_ANY, to frames allocated here.
 * Return: 0 with *@dst referenced by the caller (the isolation reference moved
 * there; put it when done); -EAGAIN (lock busy or extra references), -EBUSY
 * (pinned), -ENOMEM: @d is still isolated, put it back.
 */
int md_migrate(struct md_thread *t, struct md_desc *d, uint64_t dst_pfn, struct md_desc **dst);

/**
 * md_migrate_frame() - look up the descriptor owning @pfn and move it
 * elsewhere (the kernel's move_pages() of one page).
 * Return: 0; -ENOENT; -EINVAL not movable; -EAGAIN; -EBUSY; -ENOMEM.
 */
int md_migrate_frame(struct md_thread *t, uint64_t pfn);

struct md_compact_stats {
	uint64_t scanned, isolated, migrated, failed;
};

/**
 * md_compact() - one kcompactd-like pass: the migrate scanner walks movable
 * pageblocks up from @from, the free scanner walks down from the top, and
 * movable descriptors move to the free frames found there, until the
 * scanners meet or @max_migrate migrations were done.  Callable from any
 * thread.  Adds to @st.
 */
void md_compact(struct md_thread *t, uint64_t from, unsigned max_migrate,
		struct md_compact_stats *st);

/**
 * md_contig_alloc() - allocate 2^@order contiguous frames from movable
 * pageblocks, migrating occupants out (alloc_contig_range).  Candidate
 * ranges are isolated from the allocator while they are emptied; a range
 * holding a pinned or unmovable descriptor is given up cleanly (every move
 * done is complete, nothing is lost) and the next is tried.
 * Return: 0 with a folio (refcount 1, unmovable) in *@out; -EBUSY; -EINVAL.
 */
int md_contig_alloc(struct md_thread *t, unsigned order, struct md_folio **out);

#endif
