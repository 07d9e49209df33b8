/* SPDX-License-Identifier: MIT */
/*
 * md_walk.h - walkers that start from a frame number, like the kernel's pfn
 * walkers and GUP: they hold nothing but the number, so they race with
 * free, split and migration and must revalidate what they find.
 */
#ifndef MD_WALK_H
#define MD_WALK_H

#include "md_core.h"

/**
 * md_lookup_frame() - reference the descriptor that owns frame @pfn.
 *
 * Lock-free: in an epoch section, load the word (acquire: pairs with
 * publication), try-get (fails on a frozen or dying descriptor: retry),
 * reload the word; if it changed, a split, migration or free replaced the
 * owner after we loaded it: put and retry.  Returns with a reference to a
 * descriptor that owned @pfn at the moment of the reload.
 * Return: 0 with *@out set; -ENOENT when the frame has no descriptor (free
 * or in transit); -EINVAL when @pfn is out of range.
 */
int md_lookup_frame(struct md_thread *t, uint64_t pfn, struct md_desc **out);

/**
 * md_lock_frame() - reference and lock the descriptor that owns @pfn.
 *
 * The lock_page() pattern: load the word, try-get (no reload), take the
 * descriptor lock, then recheck that the word still names it (a split may
 * have taken the frame between the load and the try-get): if not, unlock,
 * put and retry.  While the lock is held the frame stays with the descriptor.
 * Return: as md_lookup_frame(); on 0 the caller holds a reference and the lock.
 */
int md_lock_frame(struct md_thread *t, uint64_t pfn, struct md_desc **out);

/**
 * md_desc_verify() - check the contents of any descriptor's frames: a
 * folio's payload (caller holds its lock), a slab's or zpdesc's objects
 * (takes the slab or pool lock).  Caller holds a reference.
 * Return: 0 or -EIO.
 */
int md_desc_verify(struct md_thread *t, struct md_desc *d);

#endif
