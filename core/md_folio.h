/* SPDX-License-Identifier: MIT */
/*
 * md_folio.h - folios: allocation, reference and lock wrappers, payload.
 *
 * A folio's payload is the contents of its frames.  Writers and verifiers
 * hold the folio lock; the stamp in the descriptor says what the frames must
 * hold, so a read that sees another owner's data is caught.
 */
#ifndef MD_FOLIO_H
#define MD_FOLIO_H

#include "md_core.h"

/**
 * md_folio_alloc() - allocate a folio of 1 << @order frames from @mt pageblocks.
 * The descriptor is fully built (refcount 1 held by the caller, unlocked,
 * payload stamped) before any frame word points to it.
 * Return: 0 with *@out set; -ENOMEM; -EINVAL for a bad order.
 */
int md_folio_alloc(struct md_thread *t, unsigned order, unsigned mt, struct md_folio **out);

/** md_folio_get() - another reference; the caller holds one. */
static inline void md_folio_get(struct md_thread *t, struct md_folio *f)
{
	md_ref_get(t, md_folio_desc(f));
}

/** md_folio_put() - drop a reference; the last one frees the folio. */
static inline void md_folio_put(struct md_thread *t, struct md_folio *f)
{
	md_desc_put(t, md_folio_desc(f));
}

static inline void md_folio_lock(struct md_thread *t, struct md_folio *f)
{
	md_desc_lock(t, md_folio_desc(f));
}

static inline bool md_folio_trylock(struct md_thread *t, struct md_folio *f)
{
	return md_desc_trylock(t, md_folio_desc(f));
}

static inline void md_folio_unlock(struct md_thread *t, struct md_folio *f)
{
	md_desc_unlock(t, md_folio_desc(f));
}

/**
 * md_folio_fill() - write the payload for f->stamp into f's frames; only
 * for a folio nobody else can see yet (before publication).
 */
void md_folio_fill(struct md_thread *t, struct md_folio *f);

/**
 * md_folio_write() - fill the folio's frames with data for @stamp.
 * Caller holds a reference and the folio lock.
 */
void md_folio_write(struct md_thread *t, struct md_folio *f, uint64_t stamp);

/**
 * md_folio_verify() - check the frames hold the data of the folio's stamp.
 * Caller holds a reference and the folio lock.
 * Return: 0, or -EIO with *@bad_pfn (if not NULL) set to the first bad frame.
 */
int md_folio_verify(struct md_thread *t, struct md_folio *f, uint64_t *bad_pfn);

/**
 * md_folio_read_lockless() - GUP-fast-like read: check the payload with only
 * a reference, no lock, validated by the folio's seqcount (retries while a
 * writer is inside).  Caller holds a reference.
 * Return: 0 intact; -EIO when a consistent snapshot holds foreign data.
 */
int md_folio_read_lockless(struct md_thread *t, struct md_folio *f);

/**
 * md_folio_pin() - long-term pin (GUP FOLL_PIN|FOLL_LONGTERM) of the folio
 * owning frame @pfn: a reference plus pincount.  Migration, split and
 * contiguous allocation refuse a pinned folio.
 * Return: 0; -ENOENT no folio there; -EINVAL not a folio.
 */
int md_folio_pin(struct md_thread *t, uint64_t pfn, struct md_folio **out);

/** md_folio_unpin() - drop a pin and its reference. */
void md_folio_unpin(struct md_thread *t, struct md_folio *f);

/** md_folio_pinned() - is @f pinned now? (racy unless @f is frozen or locked by a migrator) */
static inline bool md_folio_pinned(struct md_thread *t, struct md_folio *f)
{
	return md_load_relaxed32(t, MD_RP_REF_READ, &f->pincount) != 0;
}

/**
 * md_folio_split() - split @f (order > 0) into order-0 folios.
 *
 * Caller holds one reference and @f's lock.  The count is frozen at the
 * caller's reference plus the index's (-EAGAIN when anyone else holds one;
 * -EBUSY when pinned); every new child is fully built before the first
 * frame word or index slot points to it; @f itself shrinks to order 0 while
 * frozen and stays the first child.
 * On success out[0] == @f (still referenced and locked) and out[i] is the
 * child at frame f->pfn + i, on which the caller holds one reference.
 * Return: 0; -EINVAL order 0; -EAGAIN; -EBUSY; -ENOMEM.
 */
int md_folio_split(struct md_thread *t, struct md_folio *f, struct md_folio **out);

#endif
