// SPDX-License-Identifier: MIT
/*
 * md_zpool.c - the zsmalloc-like pool and zpdesc's movable operations.
 *
 * Invariants (under pool->lock): loc[h] != 0 <=> handle h is allocated, and
 * then the zpdesc published at frame loc/SLOTS has bit loc%SLOTS in used,
 * handle[slot] == h and payload == md_zs_value(stamp[h], h).  A zpdesc with
 * a free slot and not dead is on the partial list.  An emptied zpdesc is
 * released by whoever owns it: the freeing path if it is not isolated (it
 * marks it dead first), otherwise the migration or putback that isolated it.
 * Each zpdesc holds one reference for the pool.
 *
 * Locks (ordering: md_core.h): pool->lock, under the zpdesc's descriptor
 * lock when isolating or migrating; frames are allocated and released
 * outside it.
 */
#include <errno.h>
#include <stdlib.h>

#include "md_buddy.h"
#include "md_migrate.h"
#include "md_zpool.h"

#define ZS_FULL	  ((uint8_t)((1u << MD_ZS_SLOTS) - 1))
#define ZS_POISON 0x6b6b6b6b6b6b6b6bull

int md_zpool_create(struct md_core *c, uint32_t nr_handles)
{
	struct md_zpool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	p->nr_handles = nr_handles;
	p->loc = calloc(nr_handles, sizeof(*p->loc));
	p->stamp = calloc(nr_handles, sizeof(*p->stamp));
	c->zpool = p;
	return p->loc && p->stamp ? 0 : -ENOMEM;
}

void md_zpool_destroy(struct md_core *c)
{
	if (c->zpool == NULL)
		return;
	free(c->zpool->loc);
	free(c->zpool->stamp);
	free(c->zpool);
	c->zpool = NULL;
}

static void partial_push(struct md_zpool *p, struct md_zpdesc *z)
{
	z->next = p->partial;
	p->partial = z;
	z->on_partial = 1;
}

static void partial_unlink(struct md_zpool *p, struct md_zpdesc *z)
{
	struct md_zpdesc **pp = &p->partial;

	while (*pp != z)
		pp = &(*pp)->next;
	*pp = z->next;
	z->next = NULL;
	z->on_partial = 0;
}

static void pool_lock(struct md_thread *t, struct md_zpool *p)
{
	md_spin_lock(t, MD_RP_ZS_LOCK, &p->lock);
}

static void pool_unlock(struct md_thread *t, struct md_zpool *p)
{
	md_spin_unlock(t, MD_RP_ZS_LOCK, &p->lock);
}

static int page_new(struct md_thread *t, struct md_zpool *p)
{
	struct md_desc *d;
	int ret;

	ret = md_desc_alloc(t, MD_T_ZPDESC, 0, MD_MT_MOVABLE, sizeof(struct md_zpdesc), &d);
	if (ret)
		return ret;
	/*
	 * On the partial list before the frame word names it: a walker that
	 * finds the page (and isolates, fails to migrate and puts back an
	 * empty page) must find it already owned by the pool, or the putback
	 * would release a page the pool is about to use.
	 */
	pool_lock(t, p);
	partial_push(p, md_desc_zpdesc(d));
	p->nr_pages++;
	md_desc_publish(t, d);
	pool_unlock(t, p);
	return 0;
}

static int handle_get(struct md_zpool *p, uint32_t *h)
{
	for (uint32_t n = 0; n < p->nr_handles; n++) {
		uint32_t i = (p->hint + n) % p->nr_handles;

		if (p->loc[i] == 0) {
			*h = i;
			p->hint = i + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Place handle @h in a free slot of @z and write its first contents. */
static void obj_place(struct md_thread *t, struct md_zpool *p, struct md_zpdesc *z, uint32_t h)
{
	unsigned slot = (unsigned)__builtin_ctz((unsigned)(uint8_t)~z->used);

	z->used |= (uint8_t)(1u << slot);
	z->handle[slot] = h;
	if (z->used == ZS_FULL)
		partial_unlink(p, z);
	p->loc[h] = z->d.pfn * MD_ZS_SLOTS + slot + 1;
	p->stamp[h] = ((uint64_t)z->d.serial << 32) | h;
	t->core->payload[z->d.pfn][slot] = md_zs_value(p->stamp[h], h);
	p->nr_objs++;
}

int md_zs_alloc(struct md_thread *t, uint32_t *handle)
{
	struct md_zpool *p = t->core->zpool;
	int ret;

	for (;;) {
		pool_lock(t, p);
		if (p->partial != NULL)
			break;
		pool_unlock(t, p);
		ret = page_new(t, p);
		if (ret)
			return ret;
	}
	ret = handle_get(p, handle);
	if (ret == 0)
		obj_place(t, p, p->partial, *handle);
	pool_unlock(t, p);
	return ret;
}

/* The zpdesc holding @h, or NULL if @h is not allocated.  Pool lock held. */
static struct md_zpdesc *obj_page(struct md_thread *t, struct md_zpool *p, uint32_t h,
				  unsigned *slot)
{
	uint64_t loc;

	if (h >= p->nr_handles || (loc = p->loc[h]) == 0)
		return NULL;
	*slot = (unsigned)((loc - 1) % MD_ZS_SLOTS);
	/* a zpdesc frame's word changes only under the pool lock */
	return md_desc_zpdesc(md_word_desc(*md_frame_word(t->core, (loc - 1) / MD_ZS_SLOTS)));
}

/* @z lost its last object: may the freeing path release it now? */
static bool page_emptied(struct md_zpool *p, struct md_zpdesc *z)
{
	if (z->used != 0 || z->isolated || z->dead)
		return false; /* an isolated page is released by its migration or putback */
	z->dead = 1;
	if (z->on_partial)
		partial_unlink(p, z);
	p->nr_pages--;
	return true;
}

int md_zs_free(struct md_thread *t, uint32_t handle)
{
	struct md_zpool *p = t->core->zpool;
	/*
	 * MUTANT zs_free_vs_migrate: correct code frees under the lock that
	 * page migration holds while it moves objects and rewrites handles;
	 * without it a free lands on the old page after the copy, or a
	 * migration copies a half-freed page.
	 */
	bool locked = !md_mutant(t, ZS_FREE_VS_MIGRATE);
	struct md_zpdesc *z;
	unsigned slot;
	bool release;

	if (locked)
		pool_lock(t, p);
	z = obj_page(t, p, handle, &slot);
	if (z == NULL) {
		if (locked)
			pool_unlock(t, p);
		return -EINVAL;
	}
	z->used &= (uint8_t) ~(1u << slot);
	p->loc[handle] = 0;
	p->nr_objs--;
	t->core->payload[z->d.pfn][slot] = ZS_POISON;
	if (!z->on_partial && !z->dead)
		partial_push(p, z);
	release = page_emptied(p, z);
	if (locked)
		pool_unlock(t, p);
	if (release)
		md_desc_put(t, md_zpdesc_desc(z)); /* the pool's reference */
	return 0;
}

int md_zs_write(struct md_thread *t, uint32_t handle, uint64_t stamp)
{
	struct md_zpool *p = t->core->zpool;
	struct md_zpdesc *z;
	unsigned slot;

	pool_lock(t, p);
	z = obj_page(t, p, handle, &slot);
	if (z != NULL) {
		p->stamp[handle] = stamp;
		t->core->payload[z->d.pfn][slot] = md_zs_value(stamp, handle);
	}
	pool_unlock(t, p);
	return z ? 0 : -EINVAL;
}

int md_zs_verify(struct md_thread *t, uint32_t handle)
{
	struct md_zpool *p = t->core->zpool;
	struct md_zpdesc *z;
	unsigned slot;
	int ret = -EINVAL;

	pool_lock(t, p);
	z = obj_page(t, p, handle, &slot);
	if (z != NULL)
		ret = t->core->payload[z->d.pfn][slot] == md_zs_value(p->stamp[handle], handle)
			  ? 0
			  : -EIO;
	pool_unlock(t, p);
	return ret;
}

int md_zpdesc_verify(struct md_thread *t, struct md_zpdesc *z)
{
	struct md_zpool *p = t->core->zpool;
	int ret = 0;

	pool_lock(t, p);
	for (unsigned s = 0; s < MD_ZS_SLOTS && !ret; s++) {
		uint32_t h = z->handle[s];

		if (!(z->used & (1u << s)))
			continue;
		if (p->loc[h] != z->d.pfn * MD_ZS_SLOTS + s + 1 ||
		    t->core->payload[z->d.pfn][s] != md_zs_value(p->stamp[h], h))
			ret = -EIO;
	}
	pool_unlock(t, p);
	return ret;
}

/* ---- movable operations ---- */

static int zs_isolate(struct md_thread *t, struct md_desc *d)
{
	struct md_zpool *p = t->core->zpool;
	struct md_zpdesc *z = md_desc_zpdesc(d);
	int ret = 0;

	pool_lock(t, p);
	if (z->dead)
		ret = -EBUSY;
	else
		z->isolated = 1;
	pool_unlock(t, p);
	return ret;
}

static void zs_putback(struct md_thread *t, struct md_desc *d)
{
	struct md_zpool *p = t->core->zpool;
	struct md_zpdesc *z = md_desc_zpdesc(d);
	bool release;

	pool_lock(t, p);
	z->isolated = 0;
	release = page_emptied(p, z);
	pool_unlock(t, p);
	/* the caller's isolation reference keeps @z alive until md_putback() drops it */
	if (release)
		md_desc_put(t, d);
}

/* Move the objects of @z to @n and point their handles there.  Pool lock held. */
static void zs_move(struct md_thread *t, struct md_zpool *p, struct md_zpdesc *z,
		    struct md_zpdesc *n)
{
	struct md_core *c = t->core;

	n->used = z->used;
	for (unsigned s = 0; s < MD_ZS_SLOTS; s++) {
		/* an object at a time: a torn move is schedulable */
		md_race_point(t, MD_RP_MIGRATE_COPY);
		n->handle[s] = z->handle[s];
		c->payload[n->d.pfn][s] = c->payload[z->d.pfn][s];
		if (z->used & (1u << s))
			p->loc[z->handle[s]] = n->d.pfn * MD_ZS_SLOTS + s + 1;
	}
	if (z->on_partial) {
		partial_unlink(p, z);
		partial_push(p, n);
	}
	z->used = 0;
	z->dead = 1;
}

static int zs_migrate(struct md_thread *t, struct md_desc *src, uint64_t dst_pfn,
		      struct md_desc **dstp)
{
	struct md_zpool *p = t->core->zpool;
	struct md_zpdesc *z = md_desc_zpdesc(src);
	const uint32_t expected = 2; /* the pool's + the isolation reference */
	struct md_desc *d;

	d = md_desc_new(t, MD_T_ZPDESC, dst_pfn, 0, MD_MT_MOVABLE, sizeof(struct md_zpdesc), 0,
			MD_DF_LOCKED);
	if (d == NULL)
		return -ENOMEM;
	pool_lock(t, p);
	if (z->used == 0 || !md_ref_freeze(t, src, expected)) {
		pool_unlock(t,
			    p); /* emptied meanwhile (putback releases it) or a walker holds it */
		md_desc_discard(t, d);
		return -EAGAIN;
	}
	zs_move(t, p, z, md_desc_zpdesc(d));
	md_desc_publish(t, d);
	/*
	 * Unfreeze before the pool lock drops: from then on a zs_free() may
	 * empty the new page and drop the pool's reference, which must find
	 * the real count, not a frozen zero that the unfreeze would overwrite.
	 */
	md_ref_unfreeze(t, d, expected);
	pool_unlock(t, p);
	md_desc_unlock(t, d);
	md_desc_unlock(t, src);
	md_desc_release(t, src);
	*dstp = d;
	return 0;
}

const struct md_movable_ops md_zpdesc_mops = {
    .name = "zpdesc",
    .isolate = zs_isolate,
    .migrate = zs_migrate,
    .putback = zs_putback,
};
