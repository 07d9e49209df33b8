/* SPDX-License-Identifier: MIT */
/*
 * md_zpool.h - a zsmalloc-like pool: one-word objects named by handles,
 * packed MD_ZS_SLOTS to a movable zpdesc frame.  Pages migrate through
 * zpdesc's movable operations while handles stay valid: migration rewrites
 * the handle table under the pool lock.
 */
#ifndef MD_ZPOOL_H
#define MD_ZPOOL_H

#include "md_core.h"

struct md_movable_ops;

struct md_zpool {
	struct md_spinlock lock; /* everything below, and the zpdesc frames' payload */
	uint32_t nr_handles;
	uint32_t hint; /* where the next free-handle search starts */
	uint64_t nr_objs, nr_pages;
	uint64_t *loc;	 /* handle -> pfn * MD_ZS_SLOTS + slot + 1; 0 = free handle */
	uint64_t *stamp; /* handle -> what its owner last wrote */
	struct md_zpdesc *partial;
};

extern const struct md_movable_ops md_zpdesc_mops;

/** md_zpool_create()/destroy() - the pool of @c (called by md_core_create/destroy). */
int md_zpool_create(struct md_core *c, uint32_t nr_handles);
void md_zpool_destroy(struct md_core *c);

/** md_zs_alloc() - allocate an object; its contents are stamped.  Return: 0, -ENOMEM, -ENOSPC. */
int md_zs_alloc(struct md_thread *t, uint32_t *handle);

/** md_zs_free() - free object @handle.  Return: 0; -EINVAL not allocated. */
int md_zs_free(struct md_thread *t, uint32_t handle);

/** md_zs_write() - store new contents for @stamp.  Return: 0; -EINVAL. */
int md_zs_write(struct md_thread *t, uint32_t handle, uint64_t stamp);

/** md_zs_verify() - read @handle's object wherever it lives now.  Return: 0, -EIO, -EINVAL. */
int md_zs_verify(struct md_thread *t, uint32_t handle);

/** md_zpdesc_verify() - check every object on @z (caller holds a reference).  Return: 0 or -EIO. */
int md_zpdesc_verify(struct md_thread *t, struct md_zpdesc *z);

/** md_zs_value() - what the object @handle holds after its owner wrote @stamp. */
static inline uint64_t md_zs_value(uint64_t stamp, uint32_t handle)
{
	return md_payload_value(stamp, handle, 7);
}

#endif
