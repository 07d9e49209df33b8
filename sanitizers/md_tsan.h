/* SPDX-License-Identifier: MIT */
/*
 * md_tsan.h - the happens-before edges ThreadSanitizer cannot see.
 *
 * TSan instruments C loads, stores and __atomic builtins.  It cannot see:
 *   1. ck_pr_* (inline asm): a release store or RMW made with ck_pr and the
 *      acquire load that reads it form a real happens-before edge that TSan
 *      misses, so plain data published through them (descriptor fields,
 *      payloads under a descriptor lock) would be reported as races.
 *   2. ck_epoch's grace period, computed inside uninstrumented libck.so: a
 *      reader's epoch_end happens before the destructor that frees what it
 *      read.
 *
 * Each annotation below is placed by core/md_atomic.h or core/md_epoch.c at
 * exactly one such edge, keyed on the address of the atomic object (or the
 * epoch record), never on one global sync object: an over-broad edge would
 * hide real bugs.  The edge is tied to the ordering an access declares, so a
 * seeded bug that weakens an ordering (unlock_relaxed) also drops the
 * annotation, and TSan still reports it.
 */
#ifndef MD_TSAN_H
#define MD_TSAN_H

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MD_TSAN 1
#endif
#endif
#if !defined(MD_TSAN) && defined(__SANITIZE_THREAD__)
#define MD_TSAN 1
#endif

#if defined(MD_TSAN) && defined(MD_TSAN_ANNOTATIONS) && MD_TSAN_ANNOTATIONS
#include <sanitizer/tsan_interface.h>
#include <sanitizer/tsan_interface_atomic.h>
/* This thread's prior accesses happen before any later md_tsan_acquire(@p). */
#define md_tsan_release(p) __tsan_release((void *)(p))
/* Accesses released on @p happen before this thread's later accesses. */
#define md_tsan_acquire(p) __tsan_acquire((void *)(p))
/*
 * A CAS whose edge depends on its outcome (release and acquire on success
 * only) cannot be annotated around a ck_pr CAS: declared after it, another
 * thread can acquire in between and find no edge (a false report between
 * real threads); declared before, a failed CAS would release too (a hidden
 * one).  TSan's own CAS is exact: core/md_atomic.h performs those through it.
 */
#define MD_TSAN_EXACT_CAS 1
#define md_tsan_cas64_acqrel(p, old, new)                                                          \
	((uint64_t)__tsan_atomic64_compare_exchange_val(                                           \
	    (volatile __tsan_atomic64 *)(p), (__tsan_atomic64)(old), (__tsan_atomic64)(new),       \
	    __tsan_memory_order_acq_rel, __tsan_memory_order_relaxed))
#else
#define md_tsan_release(p) ((void)(p))
#define md_tsan_acquire(p) ((void)(p))
#define MD_TSAN_EXACT_CAS  0
#endif

/*
 * The accesses themselves.  A ck_pr access is invisible to TSan, so a plain
 * C access racing with it (a non-atomic read-modify-write of a word the
 * others update atomically, as isolated_flag_nonatomic seeds) would go
 * unreported.  md_tsan_read*() and md_tsan_rmw*() show TSan the word access
 * as a relaxed atomic: a second load whose value is discarded, or an
 * fetch-or of 0 that writes back what is there.  They declare atomicity,
 * never an edge (relaxed: TSan syncs nothing on them), so they cannot hide
 * a race; they only let TSan see one side of it.  On in every TSan build,
 * with or without the edge annotations above.
 */
#if defined(MD_TSAN)
#include <sanitizer/tsan_interface_atomic.h>
#define MD_TSAN_RLX __tsan_memory_order_relaxed
#define md_tsan_read8(p)                                                                           \
	((void)__tsan_atomic8_load((const volatile __tsan_atomic8 *)(p), MD_TSAN_RLX))
#define md_tsan_rmw8(p)                                                                            \
	((void)__tsan_atomic8_fetch_or((volatile __tsan_atomic8 *)(p), 0, MD_TSAN_RLX))
#define md_tsan_read32(p)                                                                          \
	((void)__tsan_atomic32_load((const volatile __tsan_atomic32 *)(p), MD_TSAN_RLX))
#define md_tsan_rmw32(p)                                                                           \
	((void)__tsan_atomic32_fetch_or((volatile __tsan_atomic32 *)(p), 0, MD_TSAN_RLX))
#define md_tsan_read64(p)                                                                          \
	((void)__tsan_atomic64_load((const volatile __tsan_atomic64 *)(p), MD_TSAN_RLX))
#define md_tsan_rmw64(p)                                                                           \
	((void)__tsan_atomic64_fetch_or((volatile __tsan_atomic64 *)(p), 0, MD_TSAN_RLX))
/*
 * Accesses TSan must not judge: the scheduler's own bookkeeping (it runs on
 * whichever fiber passed a race point, and fiber switches carry no edge by
 * design), and the death callback, which runs inside TSan's report with its
 * report lock held -- a second report there would wait for that lock for
 * ever.  Neither is code under test.
 */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define md_tsan_ignore_begin() __tsan_ignore_thread_begin()
#define md_tsan_ignore_end()   __tsan_ignore_thread_end()
/*
 * A free the code under test makes that the allocator does not see (the
 * engine's quarantine keeps the memory): the write to every byte TSan
 * takes free() to be, so a reader racing with it is still reported.
 */
void __tsan_write_range(void *addr, unsigned long size);
#define md_tsan_free(p, n) __tsan_write_range((void *)(p), (unsigned long)(n))
#else
#define md_tsan_free(p, n)     ((void)(p), (void)(n))
#define md_tsan_ignore_begin() ((void)0)
#define md_tsan_ignore_end()   ((void)0)
#define md_tsan_read8(p)       ((void)(p))
#define md_tsan_rmw8(p)	       ((void)(p))
#define md_tsan_read32(p)      ((void)(p))
#define md_tsan_rmw32(p)       ((void)(p))
#define md_tsan_read64(p)      ((void)(p))
#define md_tsan_rmw64(p)       ((void)(p))
#endif

#endif
