// SPDX-License-Identifier: MIT
/*
 * md_zpool.c - the zsmalloc-like pool, its lifetime, and zpdesc's movable
 * operations.
 *
 * Invariants (under pool->lock): loc[h] != 0 <=> handle h is allocated, and
 * then the zpdesc published at frame loc/SLOTS has bit loc%SLOTS in used,
 * handle[slot] == h and payload == md_zs_value(stamp[h], h).  A zpdesc with
 * a free slot and not dead is on the partial list.  An emptied zpdesc is
 * released by whoever owns it: the freeing path if it is not isolated (it
 * marks it dead first), otherwise the migration or putback that isolated it.
 * Each zpdesc holds one reference for the pool (the descriptor's) and, as
 * z->pool, one on the pool (p->refs), dropped when the descriptor is retired.
 *
 * Lifetime: c->zpool names the current pool (published with release,
 * loaded with acquire inside an epoch section); destroy marks it dead under
 * its lock, unpublishes it and drops the current reference; the last
 * reference frees it after a grace period, so a section that loaded the
 * pointer, or a migration of one of its pages, never sees it freed.
 *
 * Locks (ordering: md_core.h): pool->lock, under the zpdesc's descriptor
 * lock when isolating or migrating; frames are allocated and released
 * outside it.
 */
#include <errno.h>
#include <stdlib.h>

#include "md_buddy.h"
#include "md_epoch.h"
#include "md_migrate.h"
#include "md_zpool.h"

#define ZS_FULL	  ((uint8_t)((1u << MD_ZS_SLOTS) - 1))
#define ZS_POISON 0x6b6b6b6b6b6b6b6bull

/* ---- the pool's lifetime ---- */

static struct md_zpool *pool_new(struct md_core *c)
{
	size_t n = c->cfg.zs_handles;
	/* the handle tables follow the pool in its allocation */
	struct md_zpool *p = calloc(1, sizeof(*p) + 2 * n * sizeof(uint64_t));

	if (p == NULL)
		return NULL;
	p->core = c;
	p->refs = 1; /* the current pool's */
	p->nr_handles = (unsigned)n;
	p->loc = (uint64_t *)(p + 1);
	p->stamp = p->loc + n;
	return p;
}

static void pool_free(struct md_zpool *p)
{
	free(p);
}

static void pool_free_deferred(ck_epoch_entry_t *e)
{
	struct md_zpool *p = (struct md_zpool *)((char *)e - offsetof(struct md_zpool, rcu));

	md_epoch_tsan_grace(p->core);
	pool_free(p);
}

/*
 * Drop a reference; the last frees the pool after a grace period that starts
 * now (sections that loaded the pointer before it was unpublished may still
 * use it), or at once at teardown (@t NULL: no sections are left).
 * Release/acquire on refs: every user's accesses happen before the free.
 */
static void pool_put(struct md_thread *t, struct md_zpool *p)
{
	md_tsan_release(&p->refs);
	/* teardown has no thread context to pass a race point: ck_pr directly */
	if (ck_pr_faa_32(&p->refs, (uint32_t)-1) != 1)
		return;
	md_acquire_after(&p->refs);
	if (t)
		md_epoch_defer(t, &p->rcu, pool_free_deferred);
	else
		pool_free(p);
}

void md_zpdesc_retire(struct md_thread *t, struct md_zpdesc *z)
{
	if (z->pool)
		pool_put(t, z->pool);
}

int md_zpool_init(struct md_core *c)
{
	c->zpool = pool_new(c);
	return c->zpool ? 0 : -ENOMEM;
}

/* Teardown: the live descriptors were freed (dropping their references): the current one is left.
 */
void md_zpool_fini(struct md_core *c)
{
	if (c->zpool)
		pool_put(NULL, c->zpool);
	c->zpool = NULL;
}

int md_zpool_create(struct md_thread *t)
{
	struct md_core *c = t->core;
	struct md_zpool *p;

	if (md_load_acquire_ptr(t, MD_RP_ZS_POOL, (void *const *)&c->zpool))
		return -EEXIST;
	p = pool_new(c);
	if (p == NULL)
		return -ENOMEM;
	if (md_cas_acqrel_ptr(t, MD_RP_ZS_POOL, (void **)&c->zpool, NULL, p))
		return 0;
	pool_free(p); /* somebody else created one meanwhile; nobody saw ours */
	return -EEXIST;
}

static void pool_lock(struct md_thread *t, struct md_zpool *p)
{
	md_spin_lock(t, MD_RP_ZS_LOCK, &p->lock);
}

static void pool_unlock(struct md_thread *t, struct md_zpool *p)
{
	md_spin_unlock(t, MD_RP_ZS_LOCK, &p->lock);
}

/*
 * Under @p's lock: may it be destroyed?  If so mark it dead, and take its
 * pages (empty: no objects are left) off the partial list into *@release,
 * but the isolated ones, which their putback or migration releases.
 */
static int pool_kill(struct md_zpool *p, struct md_zpdesc **release)
{
	struct md_zpdesc *z = p->partial, *next, *keep = NULL;

	if (p->dead || p->nr_objs)
		return p->dead ? -ENOENT : -EBUSY;
	p->dead = 1;
	for (; z; z = next) {
		next = z->next;
		if (z->isolated) {
			z->next = keep;
			keep = z;
			continue;
		}
		z->dead = 1;
		z->on_partial = 0;
		p->nr_pages--;
		z->next = *release;
		*release = z;
	}
	p->partial = keep;
	return 0;
}

int md_zpool_destroy(struct md_thread *t)
{
	struct md_core *c = t->core;
	struct md_zpdesc *release = NULL, *next;
	struct md_zpool *p;
	int ret = -ENOENT;

	md_epoch_begin(t);
	p = md_load_acquire_ptr(t, MD_RP_ZS_POOL, (void *const *)&c->zpool);
	if (p) {
		pool_lock(t, p);
		ret = pool_kill(p, &release);
		pool_unlock(t, p);
	}
	for (; release; release = next) {
		next = release->next;
		md_desc_put(t, md_zpdesc_desc(release)); /* the pool's reference: released */
	}
	md_epoch_end(t);
	if (ret)
		return ret;
	md_cas_acqrel_ptr(t, MD_RP_ZS_POOL, (void **)&c->zpool, p, NULL); /* only we killed it */
	if (md_mutant(t, ZS_DESTROY_NO_DRAIN)) {
		/*
		 * MUTANT zs_destroy_no_drain: correct code frees the pool only
		 * when its last page is gone (the kernel waited for isolated
		 * pages to drain); freeing it now leaves a migration or putback
		 * of one of its pages with a freed pool.
		 */
		md_epoch_defer(t, &p->rcu, pool_free_deferred);
		return 0;
	}
	pool_put(t, p);
	return 0;
}

/*
 * The current pool, or NULL; call inside an epoch section, which keeps it
 * from being freed, and check p->dead under its lock.
 */
static struct md_zpool *pool_current(struct md_thread *t)
{
	return md_load_acquire_ptr(t, MD_RP_ZS_POOL, (void *const *)&t->core->zpool);
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

/* Under @p's lock: @z belongs to @p from now on, and holds a reference on it. */
static void page_attach(struct md_thread *t, struct md_zpool *p, struct md_zpdesc *z)
{
	z->pool = p;
	md_faa_relaxed32(t, MD_RP_ZS_POOL, &p->refs, 1); /* the pool is alive: we hold its lock */
}

static int page_new(struct md_thread *t, struct md_zpool *p)
{
	struct md_desc *d;
	bool dead;
	int ret;

	ret = md_desc_alloc(t, MD_T_ZPDESC, 0, MD_MT_MOVABLE, &d);
	if (ret)
		return ret;
	/*
	 * On the partial list before the frame word names it: a walker that
	 * finds the page (and isolates, fails to migrate and puts back an
	 * empty page) must find it already owned by the pool, or the putback
	 * would release a page the pool is about to use.
	 */
	pool_lock(t, p);
	/*
	 * Destroyed meanwhile, or another allocation made a page with room
	 * meanwhile: nobody saw ours, which would stay empty on the partial
	 * list (only a page losing its last object is released) and outlive
	 * every object of the pool.
	 */
	dead = p->dead;
	if (dead || p->partial) {
		pool_unlock(t, p);
		md_buddy_free(t, d->pfn, 0);
		md_desc_discard(t, d);
		return dead ? -ENOENT : 0;
	}
	page_attach(t, p, md_desc_zpdesc(d));
	p->nr_pages++;
	partial_push(p, md_desc_zpdesc(d));
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

/* Lock @p (in an epoch section) unless it is gone.  Return: 0 locked, or -ENOENT. */
static int pool_lock_live(struct md_thread *t, struct md_zpool *p)
{
	if (p == NULL)
		return -ENOENT;
	pool_lock(t, p);
	if (!p->dead)
		return 0;
	pool_unlock(t, p);
	return -ENOENT;
}

static int zs_alloc(struct md_thread *t, struct md_zpool *p, uint32_t *handle)
{
	int ret;

	for (;;) {
		if ((ret = pool_lock_live(t, p)) != 0)
			return ret;
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

int md_zs_alloc(struct md_thread *t, uint32_t *handle)
{
	int ret;

	md_epoch_begin(t);
	ret = zs_alloc(t, pool_current(t), handle);
	md_epoch_end(t);
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
	return md_desc_zpdesc(md_word_desc(md_frame_peek(&t->core->fr, (loc - 1) / MD_ZS_SLOTS)));
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

static int zs_free(struct md_thread *t, struct md_zpool *p, uint32_t handle)
{
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

	if (p == NULL)
		return -ENOENT;
	if (locked && pool_lock_live(t, p))
		return -ENOENT;
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

int md_zs_free(struct md_thread *t, uint32_t handle)
{
	int ret;

	md_epoch_begin(t);
	ret = zs_free(t, pool_current(t), handle);
	md_epoch_end(t);
	return ret;
}

static int zs_write(struct md_thread *t, struct md_zpool *p, uint32_t handle, uint64_t stamp)
{
	struct md_zpdesc *z;
	unsigned slot;

	if (pool_lock_live(t, p))
		return -ENOENT;
	z = obj_page(t, p, handle, &slot);
	if (z != NULL) {
		p->stamp[handle] = stamp;
		t->core->payload[z->d.pfn][slot] = md_zs_value(stamp, handle);
	}
	pool_unlock(t, p);
	return z ? 0 : -EINVAL;
}

int md_zs_write(struct md_thread *t, uint32_t handle, uint64_t stamp)
{
	int ret;

	md_epoch_begin(t);
	ret = zs_write(t, pool_current(t), handle, stamp);
	md_epoch_end(t);
	return ret;
}

static int zs_verify(struct md_thread *t, struct md_zpool *p, uint32_t handle)
{
	struct md_zpdesc *z;
	unsigned slot;
	int ret = -EINVAL;

	if (pool_lock_live(t, p))
		return -ENOENT;
	z = obj_page(t, p, handle, &slot);
	if (z != NULL)
		ret = t->core->payload[z->d.pfn][slot] == md_zs_value(p->stamp[handle], handle)
			  ? 0
			  : -EIO;
	pool_unlock(t, p);
	return ret;
}

int md_zs_verify(struct md_thread *t, uint32_t handle)
{
	int ret;

	md_epoch_begin(t);
	ret = zs_verify(t, pool_current(t), handle);
	md_epoch_end(t);
	return ret;
}

/* The caller's reference on @z keeps its pool alive (z->pool's reference). */
int md_zpdesc_verify(struct md_thread *t, struct md_zpdesc *z)
{
	struct md_zpool *p = z->pool;
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

/* The movable operations run with a reference on @d: its pool is alive. */
static int zs_isolate(struct md_thread *t, struct md_desc *d)
{
	struct md_zpdesc *z = md_desc_zpdesc(d);
	struct md_zpool *p = z->pool;
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
	struct md_zpdesc *z = md_desc_zpdesc(d);
	struct md_zpool *p = z->pool;
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

	page_attach(t, p, n);
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
	struct md_zpdesc *z = md_desc_zpdesc(src);
	struct md_zpool *p = z->pool;
	const uint32_t expected = 2; /* the pool's + the isolation reference */
	struct md_desc *d;

	d = md_desc_new(t, MD_T_ZPDESC, dst_pfn, 0, MD_MT_MOVABLE, 0, MD_DF_LOCKED);
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
