// SPDX-License-Identifier: MIT
/*
 * md_slab.c - the slab cache.
 *
 * Invariants (under slab_lock): s->used has a bit per allocated object and
 * payload[s->pfn][slot] == md_slab_obj_value(s, slot) for each; slab_objs
 * counts the bits of every live slab; a slab with a free slot is on the
 * partial list exactly when on_partial is set; the cache's reference
 * (refcount 1) is dropped only after the slab was unlinked; a destroyed
 * cache (slab_dead) has no slab and no object.
 *
 * Locks (ordering: md_core.h): slab_lock, with nothing under it: a slab is
 * allocated before it and released (zone_lock) after it is dropped.
 */
#include <errno.h>

#include "md_epoch.h"
#include "md_slab.h"

#define SLAB_FULL   ((1u << MD_SLAB_OBJS) - 1)
#define SLAB_POISON 0x6b6b6b6b6b6b6b6bull

static void partial_push(struct md_core *c, struct md_slab *s)
{
	s->next = c->slab_partial;
	c->slab_partial = s;
	s->on_partial = 1;
}

static void partial_unlink(struct md_core *c, struct md_slab *s)
{
	struct md_slab **pp = &c->slab_partial;

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	s->next = NULL;
	s->on_partial = 0;
}

static int slab_new(struct md_thread *t)
{
	struct md_core *c = t->core;
	struct md_desc *d;
	int ret;

	ret = md_desc_alloc(t, MD_T_SLAB, 0, MD_MT_UNMOVABLE, &d);
	if (ret)
		return ret;
	md_desc_publish(t, d);
	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (c->slab_dead) { /* destroyed meanwhile */
		md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		md_desc_put(t, d);
		return -ENOENT;
	}
	partial_push(c, md_desc_slab(d));
	c->slab_nr++;
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	return 0;
}

int md_slab_obj_alloc(struct md_thread *t, uint64_t *handle)
{
	struct md_core *c = t->core;
	struct md_slab *s;
	unsigned slot;
	int ret;

	for (;;) {
		md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		s = c->slab_partial;
		if (s != NULL || c->slab_dead)
			break;
		md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		ret = slab_new(t);
		if (ret)
			return ret;
	}
	if (c->slab_dead) {
		md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		return -ENOENT;
	}
	slot = (unsigned)__builtin_ctz(~s->used);
	s->used |= 1u << slot;
	c->slab_objs++;
	if (s->used == SLAB_FULL)
		partial_unlink(c, s);
	c->payload[s->d.pfn][slot] = md_slab_obj_value(s, slot);
	*handle = s->d.pfn * MD_SLAB_OBJS + slot;
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	return 0;
}

/*
 * The slab behind @handle, or NULL.  Called in an epoch section: the word
 * may name a slab that is being released, which the caller detects under
 * slab_lock from the object's bit.
 */
static struct md_slab *handle_slab(struct md_thread *t, uint64_t handle)
{
	struct md_core *c = t->core;
	uint64_t pfn = handle / MD_SLAB_OBJS, w;

	if (pfn >= c->nr_frames)
		return NULL;
	w = md_frame_load(t, MD_RP_LOOKUP_LOAD, &c->fr, pfn); /* pairs: publish */
	return md_desc_slab(md_word_is_desc(w) ? md_word_desc(w) : NULL);
}

/*
 * Under slab_lock: is @s still the slab of @handle, with its object @slot
 * allocated?  The frame is the handle's, and is checked before any field of
 * @s is read: under desc_free=typesafe @s may have been freed and reused for
 * another frame since handle_slab() loaded it.  Acquire: pairs with
 * md_desc_publish(), so the fields read next are this incarnation's.
 */
static bool slab_still_owns(struct md_thread *t, struct md_slab *s, uint64_t handle, unsigned slot)
{
	return md_frame_load(t, MD_RP_SLAB_RECHECK, &t->core->fr, handle / MD_SLAB_OBJS) ==
		   md_word_make(s, MD_T_SLAB) &&
	       (s->used & (1u << slot));
}

/* Should @s, now empty, be freed?  Keep it when it is the only partial slab. */
static bool slab_drop_empty(struct md_core *c, struct md_slab *s)
{
	if (s->used != 0 || (c->slab_partial == s && s->next == NULL))
		return false;
	if (s->on_partial)
		partial_unlink(c, s);
	c->slab_nr--;
	return true;
}

int md_slab_obj_free(struct md_thread *t, uint64_t handle)
{
	struct md_core *c = t->core;
	unsigned slot = handle % MD_SLAB_OBJS;
	struct md_slab *s;
	bool drop = false;
	int ret = -EINVAL;

	md_epoch_begin(t);
	s = handle_slab(t, handle);
	if (s == NULL)
		goto out;
	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (!slab_still_owns(t, s, handle, slot))
		goto out_unlock;
	s->used &= ~(1u << slot);
	c->slab_objs--;
	c->payload[s->d.pfn][slot] = SLAB_POISON;
	if (!s->on_partial)
		partial_push(c, s);
	drop = slab_drop_empty(c, s);
	ret = 0;
out_unlock:
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (drop)
		md_desc_put(t, md_slab_desc(s));
out:
	md_epoch_end(t);
	return ret;
}

static int obj_check(struct md_core *c, struct md_slab *s, unsigned slot)
{
	return c->payload[s->d.pfn][slot] == md_slab_obj_value(s, slot) ? 0 : -EIO;
}

int md_slab_obj_verify(struct md_thread *t, uint64_t handle)
{
	struct md_core *c = t->core;
	unsigned slot = handle % MD_SLAB_OBJS;
	struct md_slab *s;
	int ret = -EINVAL;

	md_epoch_begin(t);
	s = handle_slab(t, handle);
	if (s == NULL)
		goto out;
	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (s->used & (1u << slot))
		ret = obj_check(c, s, slot);
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
out:
	md_epoch_end(t);
	return ret;
}

int md_slab_verify(struct md_thread *t, struct md_slab *s)
{
	struct md_core *c = t->core;
	int ret = 0;

	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	for (unsigned slot = 0; slot < MD_SLAB_OBJS && !ret; slot++)
		if (s->used & (1u << slot))
			ret = obj_check(c, s, slot);
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	return ret;
}

/* Under slab_lock: every slab off the partial list (no object is left: all are empty). */
static struct md_slab *detach_all(struct md_core *c)
{
	struct md_slab *list = c->slab_partial;

	for (struct md_slab *s = list; s; s = s->next)
		s->on_partial = 0;
	c->slab_partial = NULL;
	c->slab_nr = 0;
	c->slab_dead = 1;
	return list;
}

int md_slab_destroy(struct md_thread *t)
{
	struct md_core *c = t->core;
	struct md_slab *list, *next;

	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (c->slab_dead || c->slab_objs) {
		int ret = c->slab_dead ? -ENOENT : -EBUSY;

		md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		return ret;
	}
	if (md_mutant(t, SLAB_DESTROY_UNLOCKED)) {
		/*
		 * MUTANT slab_destroy_unlocked: correct code checks that no
		 * object is left and takes the slabs in one critical section;
		 * dropping the lock in between lets an allocation put an object
		 * on a slab that is then released under it.
		 */
		md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
		md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	}
	list = detach_all(c);
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	for (; list; list = next) { /* the cache's references: released after the lock */
		next = list->next;
		md_desc_put(t, md_slab_desc(list));
	}
	return 0;
}

int md_slab_create(struct md_thread *t)
{
	struct md_core *c = t->core;
	int ret = -EEXIST;

	md_spin_lock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	if (c->slab_dead) {
		c->slab_dead = 0;
		ret = 0;
	}
	md_spin_unlock(t, MD_RP_SLAB_LOCK, &c->slab_lock);
	return ret;
}
