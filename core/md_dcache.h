/* SPDX-License-Identifier: MIT */
/*
 * md_dcache.h - type-safe descriptor caches (desc_free=typesafe): the
 * kernel's SLAB_TYPESAFE_BY_RCU for descriptors.
 *
 * A cache hands out objects of one descriptor type from its pages.  A freed
 * object goes back on its page's free list at once and may be handed out
 * again at once, for another frame; only a page's memory waits for a grace
 * period before it goes back to the system.  So a pointer loaded from a frame
 * word inside an epoch section always points to a descriptor of that type
 * (never to freed memory), but perhaps to another incarnation: walkers
 * revalidate by reloading the word, which they do anyway.
 *
 * Rules the descriptor code keeps (md_desc.c): a reused object's refcount is
 * never written by a plain store (stale walkers' try-gets read it), it stays
 * 0 until the descriptor is published, and nothing but the refcount is read
 * before a try-get succeeds.
 *
 * Locks (ordering: md_core.h): each cache's lock is a leaf.  It is the
 * allocator's lock, as malloc's is under desc_free=epoch: not code under test,
 * so it passes no race point; TSan sees it (a pthread mutex).  No fiber
 * switches while holding it: there is no race point inside.
 */
#ifndef MD_DCACHE_H
#define MD_DCACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define MD_DCACHE_PAGE 4096u /* a cache page's alignment, and its size in large caches */
/* a free object's link: after the flags and refcount words, which the cache never writes */
#define MD_DCACHE_LINK 8u

struct md_core;
struct md_thread;
struct md_dcache_page;

/*
 * A thread's own free objects of one cache (SLUB's per-CPU freelist), linked
 * like a page's; up to 2 * batch of them, moved a batch at a time.  In the
 * thread's epoch record (struct md_record).
 */
struct md_dcache_cpu {
	void *free;
	unsigned n;
};

struct md_dcache {
	pthread_mutex_t lock;
	struct md_core *core;
	size_t obj_size;		/* a multiple of MD_DESC_ALIGN */
	size_t link_off;		/* where a free object holds its link: MD_DCACHE_LINK */
	unsigned per_page;		/* objects per page */
	unsigned batch;			/* objects a thread's list moves at a time; 0: none kept */
	struct md_dcache_page *partial; /* pages with a free object; under lock */
	struct md_dcache_page *spare;	/* one empty page kept; under lock */
	struct md_dcache_page *all;	/* every page; under lock */
	uint64_t pages;			/* pages held, the spare included; under lock */
};

/**
 * md_dcache_init() - an empty cache of @obj_size-byte objects for @c;
 * @per_page objects per page, 0 for as many as fit in MD_DCACHE_PAGE;
 * threads keep up to 2 * @batch free objects each (0: none).
 * Return: 0; -EINVAL (@obj_size too large for a page).
 */
int md_dcache_init(struct md_dcache *dc, struct md_core *c, size_t obj_size, unsigned per_page,
		   unsigned batch);

/**
 * md_dcache_alloc() - an object from the thread's list @cpu, perhaps one
 * freed a moment ago; an empty list takes a batch from the pages first.
 * Its refcount and flags words are 0 or what the last incarnation left (0
 * once its last reference went); the rest is stale.  Takes the cache lock
 * for a batch only.  Return: the object, or NULL when memory runs out.
 */
void *md_dcache_alloc(struct md_dcache *dc, struct md_dcache_cpu *cpu);

/**
 * md_dcache_free() - give @obj back to the thread's list @cpu, for
 * immediate reuse.  Nothing may point to it any more (frame words, slots);
 * stale walkers may still load it.  Past 2 * batch objects a batch goes back
 * to the pages under the cache lock; a page that becomes empty is returned
 * after a grace period (md_epoch_defer) when the cache already keeps a spare.
 */
void md_dcache_free(struct md_thread *t, struct md_dcache *dc, struct md_dcache_cpu *cpu,
		    void *obj);

/** md_dcache_flush() - every object of @cpu's list back to the pages: a thread going away. */
void md_dcache_flush(struct md_thread *t, struct md_dcache *dc, struct md_dcache_cpu *cpu);

/** md_dcache_core() - the core whose cache @obj comes from. */
struct md_core *md_dcache_core(const void *obj);

/** md_dcache_bytes() - bytes of the pages @dc holds; quiescence only. */
uint64_t md_dcache_bytes(const struct md_dcache *dc);

/** md_dcache_fini() - free every page; quiescence only (core destroy). */
void md_dcache_fini(struct md_dcache *dc);

#endif
