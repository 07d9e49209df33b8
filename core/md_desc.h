/* SPDX-License-Identifier: MIT */
/*
 * md_desc.h - memory descriptors: the common header, the typed descriptors
 * (folio, slab, zpdesc), refcounting and the descriptor lock.
 *
 * Lifetime: a descriptor is built before any frame word points to it,
 * published by release stores of the frame words, and freed (md_desc_free())
 * only after every frame word stopped pointing to it: under desc_free=epoch
 * through md_epoch_retire(), under desc_free=typesafe back to its type's
 * cache for immediate reuse (md_dcache.h).  A pointer loaded from a frame
 * word inside an epoch section therefore stays dereferenceable, and a
 * descriptor of that type, until the section ends, but may no longer
 * describe that frame: hence try-get (add-unless-zero) and revalidation.
 *
 * Refcount: 0 means frozen (split/migration own it) or dying; try-get fails
 * on 0 and the walker retries.  The lock bit lives in the flags word beside
 * the isolated bit; every update of that word is atomic.
 */
#ifndef MD_DESC_H
#define MD_DESC_H

#include <stddef.h>
#include <stdint.h>

#include <ck_epoch.h>

#include "md_atomic.h"
#include "md_frame.h"
#include "md_mutant.h"

enum {
	MD_DF_LOCKED = 1u << 0,	  /* descriptor lock (folio_lock) */
	MD_DF_ISOLATED = 1u << 1, /* isolated for migration */
};

/* Pageblock migratetypes; ISOLATE: a contiguous allocation owns it, the allocator skips it. */
enum md_migratetype { MD_MT_UNMOVABLE = 0, MD_MT_MOVABLE = 1, MD_MT_ISOLATE = 2 };

/*
 * Immutable while published: pfn, serial, type, mt; order too, except that a
 * split shrinks its folio's order while the count is frozen (no holder can be
 * looking).  Mutable only through the atomics below: flags, refcount.  Under
 * desc_free=typesafe an object is reused for a new descriptor as soon as the
 * last reference goes: then only flags and refcount are never written plainly,
 * and a walker reads nothing else before its try-get succeeds.
 */
struct md_desc {
	uint32_t flags;
	uint32_t refcount;
	uint64_t pfn;	  /* first frame covered */
	uint32_t serial;  /* unique per core instance, for payload stamps */
	uint8_t type;	  /* enum md_type, equal to the frame words' tag */
	uint8_t order;	  /* covers 1 << order frames */
	uint8_t mt;	  /* enum md_migratetype */
	uint8_t born_ref; /* typesafe: the count md_desc_publish() sets; constructor's */
}; /* 24 bytes; the typed descriptors carry the alignment the frame word's tag needs */

#define MD_BORN_FREE 0xffu /* born_ref of a typesafe object in its cache */

/* How descriptors are freed (md_core_config.desc_free). */
enum md_desc_free {
	MD_DESC_FREE_EPOCH,    /* each descriptor after a grace period (call_rcu) */
	MD_DESC_FREE_TYPESAFE, /* reused at once, type-safe caches (SLAB_TYPESAFE_BY_RCU) */
};

/*
 * desc_free=epoch: what precedes each descriptor in its allocation, for the
 * deferred free (its destructor finds the core here, and the record whose
 * accounting counts the free).  32 bytes: the descriptor after it stays
 * 16-byte aligned.
 */
struct md_record;
struct md_desc_hdr {
	ck_epoch_entry_t rcu;
	struct md_core *core;
	struct md_record *rec; /* set by md_epoch_retire() */
} __attribute__((aligned(MD_DESC_ALIGN)));

static inline struct md_desc_hdr *md_desc_hdr(struct md_desc *d)
{
	return (struct md_desc_hdr *)d - 1;
}

/*
 * A folio: anonymous or file memory of order 0..MAX, the kernel's workhorse.
 * 48 bytes: under desc_free=typesafe it is the whole cost of an order-0 frame
 * beside its word (the kernel's struct page is 64).
 */
#define MD_MAPPING_MAX 0xfffeu /* mapping ids + 1 fit in 16 bits */
struct md_folio {
	struct md_desc d;
	uint64_t stamp;	   /* what the owner last wrote into the payload; under the lock */
	uint16_t mapping;  /* mapping id + 1 while in the index, 0 otherwise; under the lock */
	uint8_t truncated; /* was in the index: never again; under the lock */
	uint8_t pad;
	uint32_t index;	   /* first index in the mapping; under the lock */
	uint32_t seq;	   /* seqcount: odd while a writer changes stamp + payload */
	uint32_t pincount; /* long-term pins (GUP FOLL_PIN); each also holds a reference */
} __attribute__((aligned(MD_DESC_ALIGN)));

/* A slab: one unmovable frame carved into MD_SLAB_OBJS small objects. */
#define MD_SLAB_OBJS 8u
struct md_slab {
	struct md_desc d;
	uint32_t used;	      /* bitmap of allocated objects; under the cache lock */
	uint32_t on_partial;  /* on the cache's partial list; under the cache lock */
	struct md_slab *next; /* partial list link; under the cache lock */
} __attribute__((aligned(MD_DESC_ALIGN)));

/*
 * A zpdesc: one movable frame of the zsmalloc-like pool holding up to
 * MD_ZS_SLOTS one-word objects.  All fields under the pool lock, but @pool,
 * set before publication and holding a reference on the pool until the
 * descriptor is freed.
 */
#define MD_ZS_SLOTS 8u
struct md_zpool;
struct md_zpdesc {
	struct md_desc d;
	struct md_zpool *pool;
	uint8_t used;	  /* bitmap of slots holding an object */
	uint8_t isolated; /* the pool's view: a migration owns this page */
	uint8_t dead;	  /* emptied and being released: never isolate */
	uint8_t on_partial;
	uint32_t handle[MD_ZS_SLOTS]; /* back-pointers: slot -> handle */
	struct md_zpdesc *next;	      /* partial list */
} __attribute__((aligned(MD_DESC_ALIGN)));

/* ---- checked conversions: the compiler rejects a slab where a folio is wanted ---- */

static inline struct md_desc *md_folio_desc(struct md_folio *f)
{
	return &f->d;
}

static inline struct md_desc *md_slab_desc(struct md_slab *s)
{
	return &s->d;
}

static inline struct md_desc *md_zpdesc_desc(struct md_zpdesc *z)
{
	return &z->d;
}

/** md_desc_folio() - the folio behind @d, or NULL if @d is not a folio. */
static inline struct md_folio *md_desc_folio(struct md_desc *d)
{
	if (d == NULL || d->type != MD_T_FOLIO)
		return NULL;
	return (struct md_folio *)((char *)d - offsetof(struct md_folio, d));
}

/** md_desc_slab() - the slab behind @d, or NULL if @d is not a slab. */
static inline struct md_slab *md_desc_slab(struct md_desc *d)
{
	if (d == NULL || d->type != MD_T_SLAB)
		return NULL;
	return (struct md_slab *)((char *)d - offsetof(struct md_slab, d));
}

/** md_desc_zpdesc() - the zpdesc behind @d, or NULL if @d is not a zpdesc. */
static inline struct md_zpdesc *md_desc_zpdesc(struct md_desc *d)
{
	if (d == NULL || d->type != MD_T_ZPDESC)
		return NULL;
	return (struct md_zpdesc *)((char *)d - offsetof(struct md_zpdesc, d));
}

static inline uint64_t md_desc_nr(const struct md_desc *d)
{
	return (uint64_t)1 << d->order;
}

/** md_desc_covers() - does @d describe frame @pfn? (immutable fields only) */
static inline bool md_desc_covers(const struct md_desc *d, uint64_t pfn)
{
	return pfn >= d->pfn && pfn - d->pfn < md_desc_nr(d);
}

/* ---- refcount ---- */

/**
 * md_ref_get() - take another reference; the caller already holds one.
 * Relaxed: a holder's reference already orders everything it needs.
 */
static inline void md_ref_get(struct md_thread *t, struct md_desc *d)
{
	md_faa_relaxed32(t, MD_RP_REF_GET, &d->refcount, 1);
}

/**
 * md_ref_tryget() - take a reference unless the count is zero.
 *
 * Zero means frozen or dying: the caller must not use @d and retries from
 * the frame word or slot it loaded @d from.  @rp names the walker's race
 * point (lookup.tryget, index.tryget).  Acquire on success: pairs with md_ref_unfreeze()'s
 * release, so a walker that gets in after a migration or split sees the
 * finished state.
 * Return: true with a reference held, false on zero.
 */
static inline bool md_ref_tryget(struct md_thread *t, struct md_desc *d, unsigned rp)
{
	uint32_t v = md_load_relaxed32(t, rp, &d->refcount);

	if (md_mutant(t, TRYGET_PLAIN_INC)) {
		/*
		 * MUTANT tryget_plain_inc: a plain increment revives a zero
		 * count; the walker now "holds" a frozen or dying descriptor.
		 */
		md_faa_relaxed32(t, rp, &d->refcount, 1);
		md_acquire_after(&d->refcount);
		return true;
	}
	while (v != 0) {
		if (md_cas_acquire32(t, rp, &d->refcount, v, v + 1, &v))
			return true;
	}
	t->stats[MD_ST_TRYGET_ZERO]++;
	return false;
}

/**
 * md_ref_put_test() - drop a reference.
 *
 * Release: this holder's accesses happen before whoever frees or freezes.
 * When the count reaches zero, acquire: the freeing thread sees every other
 * holder's accesses (pairs with their release here).
 * Return: true if this was the last reference; the caller must free @d.
 */
static inline bool md_ref_put_test(struct md_thread *t, struct md_desc *d)
{
	uint32_t old = md_faa_release32(t, MD_RP_REF_PUT, &d->refcount, (uint32_t)-1);

	if (old != 1)
		return false;
	md_acquire_after(&d->refcount);
	return true;
}

/**
 * md_ref_freeze() - replace @expected references by zero, atomically.
 *
 * Fails when anyone else holds a reference; try-get fails while frozen.
 * Acquire: pairs with the release of every earlier put.
 * Return: true frozen, false (caller returns -EAGAIN).
 */
static inline bool md_ref_freeze(struct md_thread *t, struct md_desc *d, uint32_t expected)
{
	uint32_t seen;

	if (md_cas_acquire32(t, MD_RP_REF_FREEZE, &d->refcount, expected, 0, &seen))
		return true;
	t->stats[MD_ST_EAGAIN]++;
	return false;
}

/**
 * md_ref_unfreeze() - set a frozen count to @count.
 * Release: pairs with md_ref_tryget()'s acquire.
 */
static inline void md_ref_unfreeze(struct md_thread *t, struct md_desc *d, uint32_t count)
{
	md_store_release32(t, MD_RP_REF_UNFREEZE, &d->refcount, count);
}

static inline uint32_t md_ref_count(struct md_thread *t, struct md_desc *d)
{
	return md_load_relaxed32(t, MD_RP_REF_READ, &d->refcount);
}

/* ---- descriptor lock: bit 0 of flags ---- */

/**
 * md_desc_trylock() - try to take @d's lock; caller holds a reference.
 * Acquire on success: pairs with md_desc_unlock().
 * Return: true if taken.
 */
static inline bool md_desc_trylock(struct md_thread *t, struct md_desc *d)
{
	uint32_t f = md_load_relaxed32(t, MD_RP_LOCK_TRY, &d->flags);

	while (!(f & MD_DF_LOCKED)) {
		if (md_cas_acquire32(t, MD_RP_LOCK_TRY, &d->flags, f, f | MD_DF_LOCKED, &f))
			return true;
	}
	return false;
}

/** md_desc_lock() - take @d's lock, spinning; caller holds a reference. */
static inline void md_desc_lock(struct md_thread *t, struct md_desc *d)
{
	if (md_desc_trylock(t, d))
		return;
	t->stats[MD_ST_LOCK_CONTENDED]++;
	do {
		while (md_load_spin32(t, MD_RP_LOCK_SPIN, &d->flags) & MD_DF_LOCKED)
			;
	} while (!md_desc_trylock(t, d));
}

/**
 * md_desc_unlock() - release @d's lock.
 * Release: everything done under the lock happens before the next locker's
 * critical section (pairs with the acquire in md_desc_trylock()).
 */
static inline void md_desc_unlock(struct md_thread *t, struct md_desc *d)
{
	if (md_mutant(t, UNLOCK_RELAXED)) {
		/* MUTANT unlock_relaxed: no release; critical sections may leak. */
		md_and_relaxed32(t, MD_RP_UNLOCK, &d->flags, ~(uint32_t)MD_DF_LOCKED);
		return;
	}
	md_and_release32(t, MD_RP_UNLOCK, &d->flags, ~(uint32_t)MD_DF_LOCKED);
}

static inline bool md_desc_is_locked(struct md_thread *t, struct md_desc *d)
{
	return md_load_relaxed32(t, MD_RP_FLAGS_READ, &d->flags) & MD_DF_LOCKED;
}

/**
 * md_desc_alloc() - allocate a descriptor of @type (md_desc_size() bytes)
 * and a block of 1 << @order frames for it (core-internal: the typed
 * allocators use it).  The descriptor holds refcount 1 (typesafe: from its
 * publication) and is not yet published.
 * Return: 0; -ENOMEM; -EINVAL.
 */
int md_desc_alloc(struct md_thread *t, unsigned type, unsigned order, unsigned mt,
		  struct md_desc **out);

/**
 * md_desc_new() - allocate and fill a descriptor for frames the caller
 * already owns (split children, migration targets); refcount @ref (under
 * desc_free=typesafe given at md_desc_publish(), 0 until then), flags
 * @flags, not published.  Return: the descriptor or NULL.
 */
struct md_desc *md_desc_new(struct md_thread *t, unsigned type, uint64_t pfn, unsigned order,
			    unsigned mt, uint32_t ref, uint32_t flags);

/**
 * md_desc_publish() - point every frame word of @d to it (release stores).
 * @d must be fully built: walkers may find it as soon as the first store lands.
 * Under desc_free=typesafe it first gives @d the count it was built with (a
 * release store, pairing with try-get's acquire): until then a stale
 * walker's try-get fails.
 */
void md_desc_publish(struct md_thread *t, struct md_desc *d);

/** md_desc_size() - the struct size of a descriptor of @type (0: not a descriptor type). */
size_t md_desc_size(unsigned type);

/**
 * md_desc_free() - free a descriptor no frame word or slot points to any
 * more: after a grace period (desc_free=epoch, md_epoch_retire()), or back
 * to its type's cache for reuse at once (typesafe).  Its frames are the
 * caller's business.
 */
void md_desc_free(struct md_thread *t, struct md_desc *d);

/** md_desc_discard() - free a never-published descriptor at once (frames stay with the caller). */
void md_desc_discard(struct md_thread *t, struct md_desc *d);

/**
 * md_desc_release() - free a descriptor whose count reached zero: clear its
 * frame words, return its frames, md_desc_free() it.
 */
void md_desc_release(struct md_thread *t, struct md_desc *d);

/**
 * md_desc_put() - drop a reference to any descriptor; frees it on the last.
 * Dispatches on the type: folio and slab frames go back to the buddy
 * allocator and the descriptor through the epoch.
 */
void md_desc_put(struct md_thread *t, struct md_desc *d);

#endif
