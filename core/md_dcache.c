// SPDX-License-Identifier: MIT
/*
 * md_dcache.c - type-safe descriptor caches.
 *
 * Invariants:
 *  - an object is on its page's free list, or on one thread's list
 *    (struct md_dcache_cpu), exactly when it is not handed out;
 *    a page is on the partial list exactly when it has a free object and is
 *    not the spare;
 *  - a page leaves the cache only when all its objects are free, and its
 *    memory is freed after a grace period (so a walker that loaded a pointer
 *    into it inside a section can still read the refcount);
 *  - the cache never writes an object's first MD_DCACHE_LINK bytes.
 *
 * Locks (ordering: md_core.h): dc->lock, a leaf.  A thread's own lists are
 * its alone (the kernel's per-CPU freelists): no lock, batches move under
 * dc->lock.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ck_epoch.h>

#include "md_core.h"
#include "md_dcache.h"
#include "md_epoch.h"

struct md_dcache_link {
	struct md_dcache_page *next, *prev;
};

struct md_dcache_page {
	ck_epoch_entry_t rcu; /* the deferred free of the page */
	struct md_dcache *cache;
	struct md_dcache_link partial; /* on the partial list */
	struct md_dcache_link all;     /* on the list of every page of the cache */
	void *free;		       /* free objects, linked at MD_DCACHE_LINK */
	uint32_t nfree;
} __attribute__((aligned(64)));

#define OBJS_OFFSET sizeof(struct md_dcache_page)

static struct md_dcache_page *page_of(const void *obj)
{
	return (struct md_dcache_page *)((uintptr_t)obj & ~(uintptr_t)(MD_DCACHE_PAGE - 1));
}

static void **link_of(const struct md_dcache *dc, void *obj)
{
	return (void **)((char *)obj + dc->link_off);
}

int md_dcache_init(struct md_dcache *dc, struct md_core *c, size_t obj_size, unsigned per_page,
		   unsigned batch)
{
	unsigned fit = (unsigned)((MD_DCACHE_PAGE - OBJS_OFFSET) / obj_size);

	memset(dc, 0, sizeof(*dc));
	if (fit == 0 || per_page > fit)
		return -EINVAL;
	dc->core = c;
	dc->obj_size = obj_size;
	/*
	 * MUTANT dcache_link_over_count: correct code keeps the free-list link
	 * off the refcount, which a stale walker's try-get still reads after
	 * the free (the kernel's freeptr_offset); over it, the try-get reads
	 * a pointer as a count, and succeeds on a free object.
	 */
	dc->link_off = md_mutant(&c->cfg, DCACHE_LINK_OVER_COUNT) ? 0 : MD_DCACHE_LINK;
	dc->per_page = per_page ? per_page : fit;
	dc->batch = batch;
	pthread_mutex_init(&dc->lock, NULL);
	return 0;
}

/* A new page, every object free and zeroed.  Outside the lock: malloc is slow. */
static struct md_dcache_page *page_new(struct md_dcache *dc)
{
	struct md_dcache_page *pg = aligned_alloc(MD_DCACHE_PAGE, MD_DCACHE_PAGE);
	char *obj;

	if (pg == NULL)
		return NULL;
	memset(pg, 0, OBJS_OFFSET + dc->per_page * dc->obj_size);
	pg->cache = dc;
	for (unsigned i = dc->per_page; i-- > 0;) {
		obj = (char *)pg + OBJS_OFFSET + i * dc->obj_size;
		*link_of(dc, obj) = pg->free;
		pg->free = obj;
	}
	pg->nfree = dc->per_page;
	return pg;
}

/* A page's place on one of the cache's lists: off names which (PARTIAL, ALL). */
#define PARTIAL offsetof(struct md_dcache_page, partial)
#define ALL	offsetof(struct md_dcache_page, all)

static struct md_dcache_link *link_at(struct md_dcache_page *pg, size_t off)
{
	return (struct md_dcache_link *)((char *)pg + off);
}

static void list_add(struct md_dcache_page **head, struct md_dcache_page *pg, size_t off)
{
	link_at(pg, off)->prev = NULL;
	link_at(pg, off)->next = *head;
	if (*head)
		link_at(*head, off)->prev = pg;
	*head = pg;
}

static void list_del(struct md_dcache_page **head, struct md_dcache_page *pg, size_t off)
{
	struct md_dcache_link *l = link_at(pg, off);

	if (l->prev)
		link_at(l->prev, off)->next = l->next;
	else
		*head = l->next;
	if (l->next)
		link_at(l->next, off)->prev = l->prev;
}

/* Under the lock: a page to allocate from (partial first, then the spare), or NULL. */
static struct md_dcache_page *page_take(struct md_dcache *dc)
{
	struct md_dcache_page *pg = dc->partial;

	if (pg == NULL && dc->spare) {
		pg = dc->spare;
		dc->spare = NULL;
		list_add(&dc->partial, pg, PARTIAL);
	}
	return pg;
}

/* Under the lock, from a page with a free object. */
static void *obj_take(struct md_dcache *dc, struct md_dcache_page *pg)
{
	void *obj = pg->free;

	pg->free = *link_of(dc, obj);
	if (--pg->nfree == 0)
		list_del(&dc->partial, pg, PARTIAL);
	return obj;
}

/* @cpu's list: @obj on top (its link written), or the top taken off (its link read). */
static void push(struct md_dcache *dc, struct md_dcache_cpu *cpu, void *obj)
{
	*link_of(dc, obj) = cpu->free;
	cpu->free = obj;
	cpu->n++;
}

static void *pop(struct md_dcache *dc, struct md_dcache_cpu *cpu)
{
	void *obj = cpu->free;

	cpu->free = *link_of(dc, obj);
	cpu->n--;
	return obj;
}

/* Objects a refill or a flush moves under the lock: at least one. */
static unsigned batch_of(const struct md_dcache *dc)
{
	return dc->batch ? dc->batch : 1;
}

/*
 * Under the lock: a batch of free objects: the last one taken for the
 * caller, straight off its page (its page link left as it was), the others
 * onto @cpu's list.  Return: the caller's, or NULL when no page has room.
 */
static void *grab(struct md_dcache *dc, struct md_dcache_cpu *cpu)
{
	struct md_dcache_page *pg;
	void *obj = NULL;

	for (unsigned got = 0; got < batch_of(dc) && (pg = page_take(dc)) != NULL; got++) {
		if (obj)
			push(dc, cpu, obj);
		obj = obj_take(dc, pg);
	}
	return obj;
}

/* @cpu's list is empty: a batch from the pages, a new page when none has room. */
static void *refill(struct md_dcache *dc, struct md_dcache_cpu *cpu)
{
	struct md_dcache_page *fresh = NULL;
	void *obj;

	pthread_mutex_lock(&dc->lock);
	while ((obj = grab(dc, cpu)) == NULL) {
		pthread_mutex_unlock(&dc->lock);
		if (fresh || (fresh = page_new(dc)) == NULL)
			return NULL;
		pthread_mutex_lock(&dc->lock);
		list_add(&dc->all, fresh, ALL);
		dc->pages++;
		list_add(&dc->partial, fresh, PARTIAL);
	}
	pthread_mutex_unlock(&dc->lock);
	return obj;
}

void *md_dcache_alloc(struct md_dcache *dc, struct md_dcache_cpu *cpu)
{
	return cpu->n ? pop(dc, cpu) : refill(dc, cpu);
}

static void page_free_deferred(ck_epoch_entry_t *e)
{
	struct md_dcache_page *pg = (struct md_dcache_page *)e;
	struct md_core *c = pg->cache->core;

	md_epoch_tsan_grace(c);
	md_epoch_free_mem(c, pg, MD_DCACHE_PAGE);
}

/*
 * Under the lock: @pg just became empty.  Keep it as the spare, or unlink it
 * for a deferred free (true: the caller defers it after unlocking).
 */
static bool page_empty(struct md_dcache *dc, struct md_dcache_page *pg)
{
	list_del(&dc->partial, pg, PARTIAL);
	if (dc->spare == NULL) {
		dc->spare = pg;
		return false;
	}
	list_del(&dc->all, pg, ALL);
	dc->pages--;
	return true;
}

/* Under the lock: @obj back on its page.  Return: the page, when it is to be freed. */
static struct md_dcache_page *obj_put(struct md_dcache *dc, void *obj)
{
	struct md_dcache_page *pg = page_of(obj);

	*link_of(dc, obj) = pg->free;
	pg->free = obj;
	if (pg->nfree++ == 0)
		list_add(&dc->partial, pg, PARTIAL);
	return pg->nfree == dc->per_page && page_empty(dc, pg) ? pg : NULL;
}

static void page_release(struct md_thread *t, struct md_dcache_page *pg)
{
	/*
	 * MUTANT free_no_grace: correct code frees the page after a grace
	 * period, as walkers that loaded a pointer into it may still read it.
	 */
	if (md_mutant(t, FREE_NO_GRACE)) {
		page_free_deferred(&pg->rcu);
		return;
	}
	md_epoch_defer(t, &pg->rcu, page_free_deferred);
}

/* @n objects of @cpu's list back to their pages; the pages that empty are released. */
static void flush(struct md_thread *t, struct md_dcache *dc, struct md_dcache_cpu *cpu, unsigned n)
{
	struct md_dcache_page *gone = NULL, *pg;

	pthread_mutex_lock(&dc->lock);
	while (n-- && cpu->n) {
		pg = obj_put(dc, pop(dc, cpu));
		if (pg) { /* off every list now: its partial link chains the released */
			pg->partial.next = gone;
			gone = pg;
		}
	}
	pthread_mutex_unlock(&dc->lock);
	for (; gone; gone = pg) {
		pg = gone->partial.next;
		page_release(t, gone);
	}
}

void md_dcache_free(struct md_thread *t, struct md_dcache *dc, struct md_dcache_cpu *cpu,
		    void *obj)
{
	push(dc, cpu, obj);
	if (cpu->n > 2 * dc->batch)
		flush(t, dc, cpu, batch_of(dc));
}

void md_dcache_flush(struct md_thread *t, struct md_dcache *dc, struct md_dcache_cpu *cpu)
{
	if (cpu->n)
		flush(t, dc, cpu, cpu->n);
}

struct md_core *md_dcache_core(const void *obj)
{
	return page_of(obj)->cache->core;
}

uint64_t md_dcache_bytes(const struct md_dcache *dc)
{
	return dc->pages * MD_DCACHE_PAGE;
}

void md_dcache_fini(struct md_dcache *dc)
{
	struct md_dcache_page *pg = dc->all, *next;

	if (dc->core == NULL)
		return;
	for (; pg != NULL; pg = next) {
		next = pg->all.next;
		free(pg);
	}
	pthread_mutex_destroy(&dc->lock);
}
