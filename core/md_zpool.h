/* SPDX-License-Identifier: MIT */
/*
 * md_zpool.h - a zsmalloc-like pool: one-word objects named by handles,
 * packed MD_ZS_SLOTS to a movable zpdesc frame.  Pages migrate through
 * zpdesc's movable operations while handles stay valid: migration rewrites
 * the handle table under the pool lock.
 *
 * The pool comes and goes at run time (md_zpool_create/destroy) while other
 * threads run: the core publishes the current pool in c->zpool; an
 * operation on objects loads it inside an epoch section.  Each zpdesc holds
 * a reference on its pool until the descriptor is freed, so an isolation,
 * migration or putback still in flight when the pool is destroyed finds the
 * pool alive (zs_destroy_pool must not free a pool whose pages are still
 * isolated: the kernel waited for them to drain).
 */
#ifndef MD_ZPOOL_H
#define MD_ZPOOL_H

#include "md_core.h"

struct md_movable_ops;

struct md_zpool {
	struct md_spinlock lock; /* everything below but refs, and the zpdesc frames' payload */
	uint32_t refs;		 /* 1 while current + 1 per zpdesc descriptor (atomic) */
	uint32_t dead;		 /* destroyed: no object operation, no isolation */
	uint32_t nr_handles;
	uint32_t hint; /* where the next free-handle search starts */
	uint64_t nr_objs, nr_pages;
	uint64_t *loc;	 /* handle -> pfn * MD_ZS_SLOTS + slot + 1; 0 = free handle */
	uint64_t *stamp; /* handle -> what its owner last wrote */
	struct md_zpdesc *partial;
	struct md_core *core;
	ck_epoch_entry_t rcu; /* deferred free */
};

extern const struct md_movable_ops md_zpdesc_mops;

/** md_zpool_init()/fini() - @c's first pool, and every pool at teardown (md_core_create/destroy).
 */
int md_zpool_init(struct md_core *c);
void md_zpool_fini(struct md_core *c);

/**
 * md_zpool_create() - a new current pool, when there is none.
 * Publishes it with release (pairs with the acquire in the object operations).
 * Return: 0; -EEXIST a pool exists; -ENOMEM.
 */
int md_zpool_create(struct md_thread *t);

/**
 * md_zpool_destroy() - retire the current pool: refused while it holds
 * objects; unpublished at once (object operations then fail with -ENOENT);
 * freed after a grace period once its last page's descriptor is freed.
 * Return: 0; -ENOENT no pool; -EBUSY objects are allocated.
 */
int md_zpool_destroy(struct md_thread *t);

/**
 * md_zpdesc_retire() - a zpdesc's descriptor lost its last reference (it is
 * retired or discarded; @t NULL at teardown): drop its pool reference now.
 * Not from the epoch destructor: a pool freed there, without a grace period
 * of its own, could still be in use by a section that began after the page
 * was retired and loaded the pool before it was unpublished.  Nobody reads
 * z->pool once the count is zero (it is read only under a reference).
 */
void md_zpdesc_retire(struct md_thread *t, struct md_zpdesc *z);

/** md_zs_alloc() - allocate an object; its contents are stamped.  Return: 0, -ENOMEM, -ENOSPC,
 * -ENOENT no pool. */
int md_zs_alloc(struct md_thread *t, uint32_t *handle);

/** md_zs_free() - free object @handle.  Return: 0; -EINVAL not allocated; -ENOENT no pool. */
int md_zs_free(struct md_thread *t, uint32_t handle);

/** md_zs_write() - store new contents for @stamp.  Return: 0; -EINVAL; -ENOENT. */
int md_zs_write(struct md_thread *t, uint32_t handle, uint64_t stamp);

/** md_zs_verify() - read @handle's object wherever it lives now.  Return: 0, -EIO, -EINVAL,
 * -ENOENT. */
int md_zs_verify(struct md_thread *t, uint32_t handle);

/** md_zpdesc_verify() - check every object on @z (caller holds a reference).  Return: 0 or -EIO. */
int md_zpdesc_verify(struct md_thread *t, struct md_zpdesc *z);

/** md_zs_value() - what the object @handle holds after its owner wrote @stamp. */
static inline uint64_t md_zs_value(uint64_t stamp, uint32_t handle)
{
	return md_payload_value(stamp, handle, 7);
}

#endif
