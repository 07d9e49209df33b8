/* SPDX-License-Identifier: MIT */
/*
 * md_atomic.h - every shared-memory atomic of the core goes through here.
 *
 * Each wrapper (1) passes a race point first, so the scheduler can switch
 * and chaos can delay before the access; (2) performs the access with
 * ck_pr, carrying the ordering named in the function (acquire, release or
 * relaxed); (3) in TSan builds declares that ordering to the sanitizer
 * (sanitizers/md_tsan.h), because ck_pr's inline asm is invisible to it --
 * but for the CASes whose edges depend on their outcome, which TSan's own
 * CAS performs there (md_tsan_cas64_acqrel: no annotation can be exact).
 *
 * Ordering contract (portable reading, not only x86-TSO):
 *  - *_acquire: later loads and stores of this thread are not reordered
 *    before the access; pairs with a *_release on the same object.
 *  - *_release: earlier loads and stores are not reordered after it; pairs
 *    with an *_acquire on the same object.
 *  - *_relaxed: atomicity only; no edge declared.
 *  - CAS, exchange and fetch-and-add are full barriers in ck_pr on every
 *    target we build for; the name still says which edge the caller relies
 *    on, and only that edge is declared to TSan.
 *
 * Two families pass no race point of their own, each for a stated reason:
 *  - md_load_spin*(): the access inside a spin loop passes the loop's spin
 *    race point instead (a thread that waits makes no progress: the
 *    scheduler must run someone else);
 *  - md_data_load64()/md_data_store64(): words of a multi-word datum (a
 *    frame's payload) read or written without the owner's lock, which the
 *    loop covers with one race point per chunk (a frame: 8 words), so a torn
 *    read or copy is schedulable without a step per word.
 * Fences (ck_pr_fence_*) are used directly: they access no memory; each
 * says what it orders and the access it pairs with.
 */
#ifndef MD_ATOMIC_H
#define MD_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ck_pr.h>

#include "md_config.h"
#include "md_rp.h"
#include "md_thread.h"
#include "../sanitizers/md_asan.h"
#include "../sanitizers/md_tsan.h"

/* What a load read, for explain (md_race_value()): returns it. */
#define MD_RACE_LOADED(W)                                                                          \
	static inline uint##W##_t md_race_loaded##W(struct md_thread *t, uint##W##_t v)            \
	{                                                                                          \
		md_race_value(t, MD_RV_LOAD, v, 0, 0);                                             \
		return v;                                                                          \
	}
MD_RACE_LOADED(8)
MD_RACE_LOADED(32)
MD_RACE_LOADED(64)
#undef MD_RACE_LOADED

/* A fetch-and-op's operand and the value before it, for explain: returns the latter. */
static inline uint32_t md_race_rmw32(struct md_thread *t, uint32_t operand, uint32_t old)
{
	md_race_value(t, MD_RV_RMW, operand, old, 0);
	return old;
}

/* ---- 8-bit words: pageblock migratetypes, a split's order ---- */

static inline uint8_t md_load_relaxed8(struct md_thread *t, unsigned rp, const uint8_t *p)
{
	md_race_access(t, rp, p, 0);
	md_asan_load8(p);
	md_tsan_read8(p);
	return md_race_loaded8(t, ck_pr_load_8(p));
}

static inline void md_store_relaxed8(struct md_thread *t, unsigned rp, uint8_t *p, uint8_t v)
{
	md_race_access(t, rp, p, 1);
	md_asan_store8(p);
	md_tsan_rmw8(p);
	ck_pr_store_8(p, v);
	md_race_value(t, MD_RV_STORE, v, 0, 0);
}

/* ---- 64-bit words: frame words and index slots ---- */

static inline uint64_t md_load_acquire64(struct md_thread *t, unsigned rp, const uint64_t *p)
{
	uint64_t v;

	md_race_access(t, rp, p, 0);
	md_asan_load64(p);
	md_tsan_read64(p);
	v = ck_pr_load_64(p);
	ck_pr_fence_acquire(); /* later accesses stay after the load */
	md_tsan_acquire(p);
	md_race_value(t, MD_RV_LOAD, v, 0, 0);
	return v;
}

static inline uint64_t md_load_relaxed64(struct md_thread *t, unsigned rp, const uint64_t *p)
{
	md_race_access(t, rp, p, 0);
	md_asan_load64(p);
	md_tsan_read64(p);
	return md_race_loaded64(t, ck_pr_load_64(p));
}

static inline void md_store_release64(struct md_thread *t, unsigned rp, uint64_t *p, uint64_t v)
{
	md_race_access(t, rp, p, 1);
	md_asan_store64(p);
	md_tsan_rmw64(p);
	md_tsan_release(p);
	ck_pr_fence_release(); /* earlier accesses (initialisation) stay before the store */
	ck_pr_store_64(p, v);
	md_race_value(t, MD_RV_STORE, v, 0, 0);
}

static inline void md_store_relaxed64(struct md_thread *t, unsigned rp, uint64_t *p, uint64_t v)
{
	md_race_access(t, rp, p, 1);
	md_asan_store64(p);
	md_tsan_rmw64(p);
	ck_pr_store_64(p, v);
	md_race_value(t, MD_RV_STORE, v, 0, 0);
}

/* ---- 32-bit words: refcounts, flags, spinlocks ---- */

static inline uint32_t md_load_acquire32(struct md_thread *t, unsigned rp, const uint32_t *p)
{
	uint32_t v;

	md_race_access(t, rp, p, 0);
	md_asan_load32(p);
	md_tsan_read32(p);
	v = ck_pr_load_32(p);
	ck_pr_fence_acquire();
	md_tsan_acquire(p);
	md_race_value(t, MD_RV_LOAD, v, 0, 0);
	return v;
}

static inline uint32_t md_load_relaxed32(struct md_thread *t, unsigned rp, const uint32_t *p)
{
	md_race_access(t, rp, p, 0);
	md_asan_load32(p);
	md_tsan_read32(p);
	return md_race_loaded32(t, ck_pr_load_32(p));
}

static inline void md_store_release32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t v)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	md_tsan_release(p);
	ck_pr_fence_release();
	ck_pr_store_32(p, v);
	md_race_value(t, MD_RV_STORE, v, 0, 0);
}

static inline void md_store_relaxed32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t v)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	ck_pr_store_32(p, v);
	md_race_value(t, MD_RV_STORE, v, 0, 0);
}

/**
 * md_cas_acquire32() - compare-and-swap; on success, acquire.
 * Return: true if *@p was @old and is now @new; *@seen gets the old value.
 */
static inline bool md_cas_acquire32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t old,
				    uint32_t new, uint32_t *seen)
{
	bool ok;

	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	ok = ck_pr_cas_32_value(p, old, new, seen);
	if (ok)
		md_tsan_acquire(p);
	md_race_value(t, MD_RV_CAS, old, new, *seen);
	return ok;
}

/**
 * md_cas_acqrel64() - compare-and-swap of a 64-bit word; on success it
 * releases this thread's earlier accesses and acquires those released by
 * the writer of @old (it pairs with md_load_acquire64 and itself).
 * Return: true if *@p was @old and is now @new; *@seen gets the old value.
 */
static inline bool md_cas_acqrel64(struct md_thread *t, unsigned rp, uint64_t *p, uint64_t old,
				   uint64_t new, uint64_t *seen)
{
	md_race_access(t, rp, p, 1);
	md_asan_store64(p);
#if MD_TSAN_EXACT_CAS
	*seen = md_tsan_cas64_acqrel(p, old, new); /* the edges on success only: md_tsan.h */
#else
	md_tsan_rmw64(p);
	ck_pr_cas_64_value(p, old, new, seen);
#endif
	md_race_value(t, MD_RV_CAS, old, new, *seen);
	return *seen == old;
}

/**
 * md_xchg_acqrel64() - atomic exchange: store @v, return the old value.  It
 * releases this thread's earlier accesses to whoever acquires @p later and
 * acquires what the writer of the old value released (pairs with
 * md_load_acquire64, md_store_release64 and itself).
 */
static inline uint64_t md_xchg_acqrel64(struct md_thread *t, unsigned rp, uint64_t *p, uint64_t v)
{
	uint64_t old;

	md_race_access(t, rp, p, 1);
	md_asan_store64(p);
	md_tsan_rmw64(p);
	md_tsan_release(p);
	old = ck_pr_fas_64(p, v);
	md_tsan_acquire(p);
	md_race_value(t, MD_RV_RMW, v, old, 0);
	return old;
}

/* ---- pointers: objects published to lockless readers (the current zpool) ---- */

/** md_load_acquire_ptr() - load a published pointer; pairs with md_cas_acqrel_ptr(). */
static inline void *md_load_acquire_ptr(struct md_thread *t, unsigned rp, void *const *p)
{
	void *v;

	md_race_access(t, rp, p, 0);
	md_asan_load64(p);
	md_tsan_read64(p);
	v = ck_pr_load_ptr(p);
	ck_pr_fence_acquire(); /* later accesses stay after the load */
	md_tsan_acquire(p);
	md_race_value(t, MD_RV_LOAD, (uintptr_t)v, 0, 0);
	return v;
}

/**
 * md_cas_acqrel_ptr() - publish or unpublish a pointer: *@p from @old to @new.
 * On success it releases this thread's earlier accesses (the object's
 * setup) to md_load_acquire_ptr() and acquires what the previous publisher
 * released.  Return: true if swapped.
 */
static inline bool md_cas_acqrel_ptr(struct md_thread *t, unsigned rp, void **p, void *old,
				     void *new)
{
	md_race_access(t, rp, p, 1);
	md_asan_store64(p);
	void *seen;

#if MD_TSAN_EXACT_CAS
	seen = (void *)(uintptr_t)md_tsan_cas64_acqrel(p, (uintptr_t)old, (uintptr_t) new);
#else
	md_tsan_rmw64(p);
	ck_pr_fence_release(); /* the new object's setup before it is visible */
	ck_pr_cas_ptr_value(p, old, new, &seen);
#endif
	md_race_value(t, MD_RV_CAS, (uintptr_t)old, (uintptr_t) new, (uintptr_t)seen);
	return seen == old;
}

/** md_cas_relaxed32() - compare-and-swap, no edge declared. */
static inline bool md_cas_relaxed32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t old,
				    uint32_t new, uint32_t *seen)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	ck_pr_cas_32_value(p, old, new, seen);
	md_race_value(t, MD_RV_CAS, old, new, *seen);
	return *seen == old;
}

/** md_faa_release32() - fetch-and-add with release; returns the old value. */
static inline uint32_t md_faa_release32(struct md_thread *t, unsigned rp, uint32_t *p,
					uint32_t delta)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	md_tsan_release(p);
	return md_race_rmw32(t, delta, ck_pr_faa_32(p, delta));
}

/** md_faa_relaxed32() - fetch-and-add, no edge declared; returns the old value. */
static inline uint32_t md_faa_relaxed32(struct md_thread *t, unsigned rp, uint32_t *p,
					uint32_t delta)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	return md_race_rmw32(t, delta, ck_pr_faa_32(p, delta));
}

/** md_acquire_after() - declare acquire on @p after a RMW whose result decided it (put to 0). */
static inline void md_acquire_after(const void *p)
{
	ck_pr_fence_acquire();
	md_tsan_acquire(p);
}

/** md_and_release32() - atomic *p &= mask with release (unlock-style clears). */
static inline void md_and_release32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t mask)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	md_tsan_release(p);
	ck_pr_and_32(p, mask);
}

/** md_and_relaxed32() - atomic *p &= mask, no edge declared. */
static inline void md_and_relaxed32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t mask)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	ck_pr_and_32(p, mask);
}

/** md_or_relaxed32() - atomic *p |= mask, no edge declared. */
static inline void md_or_relaxed32(struct md_thread *t, unsigned rp, uint32_t *p, uint32_t mask)
{
	md_race_access(t, rp, p, 1);
	md_asan_store32(p);
	md_tsan_rmw32(p);
	ck_pr_or_32(p, mask);
}

/* ---- inside spin loops: the loop's spin race point, then the load ---- */

/**
 * md_load_spin32() - one turn of a spin loop waiting for *@p to change:
 * pass @rp as a spin race point (another thread must run first), then load
 * it, relaxed.  The waiter's acquire is the CAS or load that ends the wait.
 */
static inline uint32_t md_load_spin32(struct md_thread *t, unsigned rp, const uint32_t *p)
{
	md_race_spin(t, rp);
	md_asan_load32(p);
	md_tsan_read32(p);
	return ck_pr_load_32(p);
}

/* ---- data words of a multi-word datum: the loop passes a race point per chunk ---- */

/**
 * md_data_load64() - a data word read with no lock that excludes its
 * writer (a seqcount reader): relaxed, atomic to TSan, checked by ASan.
 * The caller's loop passes a race point per chunk and validates the whole.
 */
static inline uint64_t md_data_load64(const uint64_t *p)
{
	md_asan_load64(p);
	md_tsan_read64(p);
	return ck_pr_load_64(p);
}

/**
 * md_data_store64() - a data word written while lockless readers may read
 * it (a seqcount writer, under the owner's lock): relaxed, atomic to TSan.
 */
static inline void md_data_store64(uint64_t *p, uint64_t v)
{
	md_asan_store64(p);
	md_tsan_rmw64(p);
	ck_pr_store_64(p, v);
}

/* ---- spinlocks (zone, index, slab cache, global) ---- */

struct md_spinlock {
	uint32_t v;
};

/**
 * md_spin_lock() - take @l, spinning at race point @rp.
 * Acquire: pairs with the release in md_spin_unlock().
 */
static inline void md_spin_lock(struct md_thread *t, unsigned rp, struct md_spinlock *l)
{
	uint32_t seen;

	while (!md_cas_acquire32(t, rp, &l->v, 0, 1, &seen)) {
		while (md_load_spin32(t, rp, &l->v) != 0)
			;
	}
}

/** md_spin_unlock() - release @l; pairs with the acquire in md_spin_lock(). */
static inline void md_spin_unlock(struct md_thread *t, unsigned rp, struct md_spinlock *l)
{
	md_store_release32(t, rp, &l->v, 0);
}

#endif
