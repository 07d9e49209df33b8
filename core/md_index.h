/* SPDX-License-Identifier: MIT */
/*
 * md_index.h - the mapping index: (mapping, index) -> folio, the page
 * cache's shape.  Writers serialise on index_lock; readers are lock-free.
 *
 * A folio of order k occupies the 2^k slots from its (naturally aligned)
 * first index; the index holds one reference per folio, not per slot.
 */
#ifndef MD_INDEX_H
#define MD_INDEX_H

#include "md_folio.h"

/**
 * md_index_insert() - add @f at (@mapping, @index).
 * Caller holds a reference and @f's lock.  Takes the index's reference.
 * Slots are stored with release (pairs with md_index_lookup()'s acquire) after
 * f->mapping/index are set.
 * Return: 0; -EEXIST if a slot in range is taken; -EBUSY if @f is in the
 * index or was truncated from it (a folio enters the index once, as in the
 * kernel); -ENOENT the mapping is destroyed; -EINVAL for an out-of-range or
 * misaligned index.
 */
int md_index_insert(struct md_thread *t, struct md_folio *f, unsigned mapping, uint64_t index);

/**
 * md_index_remove() - take @f out of the index and drop the index's reference.
 * Caller holds its own reference and @f's lock.
 * Return: 0; -ENOENT if @f is not in the index.
 */
int md_index_remove(struct md_thread *t, struct md_folio *f);

/**
 * md_index_lookup() - reference the folio at (@mapping, @index).
 * filemap_get_entry()'s protocol: epoch section, load slot (acquire),
 * try-get, reload the slot; on change put and retry.
 * Return: 0 with a reference; -ENOENT for an empty slot; -EINVAL out of range.
 */
int md_index_lookup(struct md_thread *t, unsigned mapping, uint64_t index, struct md_folio **out);

/**
 * md_index_lock() - md_index_lookup(), lock, and recheck that the folio is
 * still at that index (truncation may have removed it meanwhile).
 * Return: as md_index_lookup(); on 0 the caller holds a reference and the lock.
 */
int md_index_lock(struct md_thread *t, unsigned mapping, uint64_t index, struct md_folio **out);

/**
 * md_index_destroy() - evict @mapping (an inode going away): from now on no
 * insert succeeds (-ENOENT), and every folio in it is truncated.  Lookups
 * in flight may still return a folio they found: under its lock they see it
 * truncated (f->mapping 0), as after any truncation.
 * Return: 0; -ENOENT already destroyed; -EINVAL out of range.
 */
int md_index_destroy(struct md_thread *t, unsigned mapping);

/** md_index_create() - @mapping takes inserts again.  Return: 0; -EEXIST; -EINVAL. */
int md_index_create(struct md_thread *t, unsigned mapping);

/** md_index_slot() - address of a slot (checker, tests); NULL if out of range. */
uint64_t *md_index_slot(struct md_core *c, unsigned mapping, uint64_t index);

#endif
