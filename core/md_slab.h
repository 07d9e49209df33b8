/* SPDX-License-Identifier: MIT */
/*
 * md_slab.h - small objects in unmovable slab frames.
 *
 * An object is named by a handle: pfn * MD_SLAB_OBJS + slot.  Each slab is
 * one frame described by a struct md_slab; the cache keeps partially used
 * slabs on a list under slab_lock and frees a slab when its last object goes
 * (keeping one empty slab to damp churn).  The cache can be destroyed when
 * it holds no objects (kmem_cache_destroy) and created again, while other
 * threads allocate and free.
 */
#ifndef MD_SLAB_H
#define MD_SLAB_H

#include "md_core.h"

/**
 * md_slab_obj_alloc() - allocate an object; its contents are stamped.
 * Return: 0, -ENOMEM, -ENOENT the cache is destroyed.
 */
int md_slab_obj_alloc(struct md_thread *t, uint64_t *handle);

/**
 * md_slab_obj_free() - free the object @handle; poisons its contents.
 * Return: 0; -EINVAL when @handle does not name an allocated object.
 */
int md_slab_obj_free(struct md_thread *t, uint64_t handle);

/** md_slab_obj_verify() - does object @handle hold its stamp? Return: 0, -EIO, -EINVAL. */
int md_slab_obj_verify(struct md_thread *t, uint64_t handle);

/**
 * md_slab_verify() - check every allocated object of @s; caller holds a
 * reference to @s.  Takes slab_lock.  Return: 0 or -EIO.
 */
int md_slab_verify(struct md_thread *t, struct md_slab *s);

/**
 * md_slab_destroy() - destroy the cache: refused while it holds objects;
 * otherwise every slab is released and allocation fails until
 * md_slab_create().  Takes slab_lock; the slabs are released after it.
 * Return: 0; -EBUSY objects are allocated; -ENOENT already destroyed.
 */
int md_slab_destroy(struct md_thread *t);

/** md_slab_create() - the cache again after a destroy.  Return: 0; -EEXIST it exists. */
int md_slab_create(struct md_thread *t);

/** md_slab_obj_value() - what an allocated object of @s at @slot holds. */
static inline uint64_t md_slab_obj_value(const struct md_slab *s, unsigned slot)
{
	return md_payload_value(s->d.serial, 0, slot);
}

#endif
