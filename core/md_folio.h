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

#endif
