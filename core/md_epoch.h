/* SPDX-License-Identifier: MIT */
/*
 * md_epoch.h - epoch reclamation over ck_epoch; descriptors are only ever
 * freed through md_epoch_retire().
 *
 * Readers bracket every dereference of a pointer loaded from a frame word or
 * index slot with md_epoch_begin()/md_epoch_end().  Nothing here blocks
 * except md_epoch_barrier(), which is for quiescence only: a blocked fiber
 * would hang the deterministic scheduler.
 */
#ifndef MD_EPOCH_H
#define MD_EPOCH_H

#include <ck_epoch.h>

#include "md_atomic.h"
#include "md_desc.h"

/** md_epoch_begin() - enter a read section; nests. */
static inline void md_epoch_begin(struct md_thread *t)
{
	md_race_point(t, MD_RP_EPOCH_BEGIN);
	ck_epoch_begin(t->rec, NULL);
}

/**
 * md_epoch_end() - leave a read section.
 * Declares to TSan the edge libck.so's grace period provides: this thread's
 * reads in the section happen before the destructor of anything retired
 * while it was open (paired in md_epoch.c's destructor).
 */
static inline void md_epoch_end(struct md_thread *t)
{
	md_race_point(t, MD_RP_EPOCH_END);
	md_tsan_release(t->rec);
	ck_epoch_end(t->rec, NULL);
}

/**
 * md_epoch_retire() - free @d after a grace period.
 * Every frame word and index slot must already have stopped pointing to @d.
 * Non-blocking; the free runs from a later md_epoch_poll()/barrier.
 */
void md_epoch_retire(struct md_thread *t, struct md_desc *d);

/**
 * md_epoch_defer() - call @fn(@e) after a grace period: for objects other
 * than descriptors (a destroyed zpool).  Non-blocking, like retire.
 */
void md_epoch_defer(struct md_thread *t, ck_epoch_entry_t *e, ck_epoch_cb_t *fn);

/**
 * md_epoch_tsan_grace() - from a deferred callback: declare to TSan that
 * every read section of @c ended before it (the grace period libck.so
 * computed out of TSan's sight).  A no-op in other builds.
 */
void md_epoch_tsan_grace(struct md_core *c);

/**
 * md_epoch_free_mem() - from a deferred callback: free @mem (@size bytes),
 * or keep it poisoned until the core goes (cfg.quarantine, the
 * deterministic engine: a use after free reads the same bytes each replay).
 */
void md_epoch_free_mem(struct md_core *c, void *mem, size_t size);

/** md_epoch_poll() - run the frees whose grace period has passed; never blocks. */
void md_epoch_poll(struct md_thread *t);

/**
 * md_epoch_barrier() - wait for a grace period and run all of @t's pending
 * frees.  Blocks until every other thread leaves its read section: call at
 * quiescence or from a thread that no fiber depends on.
 */
void md_epoch_barrier(struct md_thread *t);

/** md_epoch_backlog() - frees pending on @t's record. */
unsigned md_epoch_backlog(struct md_thread *t);

#endif
