/* SPDX-License-Identifier: MIT */
/*
 * md_ck_pr.h - mdtorture's ck_pr: Concurrency Kit's primitives as race points.
 *
 * Code that uses Concurrency Kit's structure headers as Debian ships them
 * (<ck_ring.h>, <ck_stack.h>, <ck_sequence.h>, <ck_spinlock.h> ...) includes
 * this file first.  It defines ck_pr's API and ck_pr.h's include guard, so
 * those headers' own `#include <ck_pr.h>` adds nothing and their code runs
 * on these functions.  ck_pr is ck's porting layer (one per architecture);
 * this is one more port, whose "machine" is the engine: every load, store
 * and read-modify-write passes a race point first (ck.load, ck.store,
 * ck.rmw; ck_pr_stall() is the spin point ck.stall), so the scheduler can
 * switch threads before each, chaos can delay there and the reach counters
 * see them.  The structures' code is not copied or changed.
 *
 * Ordering: every access is sequentially consistent and every fence a full
 * fence.  That is at least what each ck_pr function promises, so correct
 * code stays correct; it also makes every edge the code relies on visible to
 * TSan, which does not model standalone fences (a fence-ordered plain write
 * would be a false report).  The cost: a missing ck_pr_fence_* in hosted
 * code is not detectable here; a missing atomic, a lost update, a protocol
 * misuse is.
 *
 * Not provided: double, pointer arithmetic (faa/add/inc... on _ptr), RTM
 * (transactional memory) and the *_2 variants but cas_ptr_2; a structure
 * header that needs one fails to compile, it is never silently wrong.
 */
#ifndef CK_PR_H
#define CK_PR_H /* ck_pr.h's guard: <ck_pr.h> is this file from here on */

#include <ck_cc.h>
#include <ck_limits.h>
#include <ck_md.h>
#include <ck_stdbool.h>
#include <ck_stdint.h>

#include "md_ck.h"

#define CK_PR_DISABLE_DOUBLE
#define MD_CK_SC __ATOMIC_SEQ_CST

/* What ck's structure headers test for (the rest of the API is all there). */
#define CK_F_PR
#define CK_F_PR_AND_UINT
#define CK_F_PR_CAS_32
#define CK_F_PR_CAS_64
#define CK_F_PR_CAS_PTR_2
#define CK_F_PR_CAS_PTR_2_VALUE
#define CK_F_PR_FAA_32
#define CK_F_PR_FAA_64
#define CK_F_PR_FAA_8
#define CK_F_PR_INC_16
#define CK_F_PR_INC_32
#define CK_F_PR_LOAD_32
#define CK_F_PR_LOAD_64
#define CK_F_PR_LOAD_UINT
#define CK_F_PR_OR_UINT
#define CK_F_PR_STORE_64
#define CK_F_PR_STORE_UINT

/* ---- barriers and fences: no memory access, so no race point ---- */

CK_CC_INLINE static void ck_pr_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* a spin loop's wait: the scheduler must run another thread */
CK_CC_INLINE static void ck_pr_stall(void)
{
	md_ck_spin();
}

CK_CC_INLINE static void ck_pr_rfo(const void *m)
{
	(void)m;
}

#define MD_CK_FENCE(K)                                                                             \
	CK_CC_INLINE static void ck_pr_fence_##K(void)                                             \
	{                                                                                          \
		__atomic_thread_fence(MD_CK_SC);                                                   \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_fence_strict_##K(void)                                      \
	{                                                                                          \
		__atomic_thread_fence(MD_CK_SC);                                                   \
	}
MD_CK_FENCE(atomic)
MD_CK_FENCE(atomic_store)
MD_CK_FENCE(atomic_load)
MD_CK_FENCE(store_atomic)
MD_CK_FENCE(load_atomic)
MD_CK_FENCE(load)
MD_CK_FENCE(load_store)
MD_CK_FENCE(store)
MD_CK_FENCE(store_load)
MD_CK_FENCE(memory)
MD_CK_FENCE(release)
MD_CK_FENCE(acquire)
MD_CK_FENCE(acqrel)
MD_CK_FENCE(lock)
MD_CK_FENCE(unlock)
MD_CK_FENCE(load_depends)
#undef MD_CK_FENCE

/* ---- pointers: the target is the address of a pointer, as a void * ---- */

CK_CC_INLINE static void *ck_pr_load_ptr(const void *p)
{
	void *v;

	md_ck_point(MD_RP_CK_LOAD, p);
	v = __atomic_load_n((void *const *)p, MD_CK_SC);
	md_ck_value(MD_RV_LOAD, (uintptr_t)v, 0, 0);
	return v;
}

CK_CC_INLINE static void ck_pr_store_ptr(void *p, const void *v)
{
	md_ck_point(MD_RP_CK_STORE, p);
	__atomic_store_n((void **)p, (void *)(uintptr_t)v, MD_CK_SC);
	md_ck_value(MD_RV_STORE, (uintptr_t)v, 0, 0);
}
#define ck_pr_store_ptr_unsafe(p, v) ck_pr_store_ptr((p), (v))

CK_CC_INLINE static void *ck_pr_fas_ptr(void *p, void *v)
{
	void *old;

	md_ck_point(MD_RP_CK_RMW, p);
	old = __atomic_exchange_n((void **)p, v, MD_CK_SC);
	md_ck_value(MD_RV_RMW, (uintptr_t)v, (uintptr_t)old, 0);
	return old;
}

CK_CC_INLINE static bool ck_pr_cas_ptr_value(void *p, void *c, void *s, void *v)
{
	bool ok;

	void *want = c;

	md_ck_point(MD_RP_CK_RMW, p);
	ok = __atomic_compare_exchange_n((void **)p, &c, s, false, MD_CK_SC, MD_CK_SC);
	md_ck_value(MD_RV_CAS, (uintptr_t)want, (uintptr_t)s, (uintptr_t)c);
	*(void **)v = c; /* the value found */
	return ok;
}

CK_CC_INLINE static bool ck_pr_cas_ptr(void *p, void *c, void *s)
{
	void *v;

	return ck_pr_cas_ptr_value(p, c, s, &v);
}

/* two adjacent pointers, 16-byte aligned: cmpxchg16b (built with -mcx16) */
CK_CC_INLINE static bool ck_pr_cas_ptr_2_value(void *p, void *c, void *s, void *v)
{
	unsigned __int128 cv, sv, old;

	__builtin_memcpy(&cv, c, sizeof(cv));
	__builtin_memcpy(&sv, s, sizeof(sv));
	md_ck_point(MD_RP_CK_RMW, p);
	old = __sync_val_compare_and_swap((unsigned __int128 *)p, cv, sv);
	md_ck_value(MD_RV_CAS, (uint64_t)cv, (uint64_t)sv, (uint64_t)old); /* the low words */
	__builtin_memcpy(v, &old, sizeof(old));
	return old == cv;
}

CK_CC_INLINE static bool ck_pr_cas_ptr_2(void *p, void *c, void *s)
{
	void *v[2];

	return ck_pr_cas_ptr_2_value(p, c, s, v);
}

/* ---- integers: X(suffix, type) ---- */

#define MD_CK_INTS(X)                                                                              \
	X(char, char)                                                                              \
	X(int, int)                                                                                \
	X(uint, unsigned int)                                                                      \
	X(64, uint64_t)                                                                            \
	X(32, uint32_t)                                                                            \
	X(16, uint16_t)                                                                            \
	X(8, uint8_t)

/* @x of type T as the unsigned value explain shows */
#define MD_CK_U(T, x) ((uint64_t)(x) & (sizeof(T) >= 8 ? ~0ull : (1ull << (8 * sizeof(T))) - 1))

#define MD_CK_ACCESS(S, T)                                                                         \
	CK_CC_INLINE static T ck_pr_load_##S(const T *p)                                           \
	{                                                                                          \
		T v;                                                                               \
		md_ck_point(MD_RP_CK_LOAD, p);                                                     \
		v = __atomic_load_n(p, MD_CK_SC);                                                  \
		md_ck_value(MD_RV_LOAD, MD_CK_U(T, v), 0, 0);                                      \
		return v;                                                                          \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_store_##S(T *p, T v)                                        \
	{                                                                                          \
		md_ck_point(MD_RP_CK_STORE, p);                                                    \
		__atomic_store_n(p, v, MD_CK_SC);                                                  \
		md_ck_value(MD_RV_STORE, MD_CK_U(T, v), 0, 0);                                     \
	}                                                                                          \
	CK_CC_INLINE static T ck_pr_fas_##S(T *p, T v)                                             \
	{                                                                                          \
		T old;                                                                             \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		old = __atomic_exchange_n(p, v, MD_CK_SC);                                         \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, v), MD_CK_U(T, old), 0);                         \
		return old;                                                                        \
	}                                                                                          \
	CK_CC_INLINE static T ck_pr_faa_##S(T *p, T d)                                             \
	{                                                                                          \
		T old;                                                                             \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		old = __atomic_fetch_add(p, d, MD_CK_SC);                                          \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, d), MD_CK_U(T, old), 0);                         \
		return old;                                                                        \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_cas_##S##_value(T *p, T c, T s, T *v)                       \
	{                                                                                          \
		T want = c;                                                                        \
		bool ok;                                                                           \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		ok = __atomic_compare_exchange_n(p, &c, s, false, MD_CK_SC, MD_CK_SC);             \
		md_ck_value(MD_RV_CAS, MD_CK_U(T, want), MD_CK_U(T, s), MD_CK_U(T, c));            \
		*v = c;                                                                            \
		return ok;                                                                         \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_cas_##S(T *p, T c, T s)                                     \
	{                                                                                          \
		T v;                                                                               \
		return ck_pr_cas_##S##_value(p, c, s, &v);                                         \
	}
MD_CK_INTS(MD_CK_ACCESS)
#undef MD_CK_ACCESS

/* X(op, builtin): ck_pr_OP_S(target, delta), no result */
#define MD_CK_BINOPS(X)                                                                            \
	X(add, __atomic_fetch_add)                                                                 \
	X(sub, __atomic_fetch_sub)                                                                 \
	X(and, __atomic_fetch_and)                                                                 \
	X(or, __atomic_fetch_or)                                                                   \
	X(xor, __atomic_fetch_xor)

#define MD_CK_BINOP_OF(S, T, K, F)                                                                 \
	CK_CC_INLINE static void ck_pr_##K##_##S(T *p, T d)                                        \
	{                                                                                          \
		T old;                                                                             \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		old = F(p, d, MD_CK_SC);                                                           \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, d), MD_CK_U(T, old), 0);                         \
	}
#define MD_CK_BINOP(S, T)                                                                          \
	MD_CK_BINOP_OF(S, T, add, __atomic_fetch_add)                                              \
	MD_CK_BINOP_OF(S, T, sub, __atomic_fetch_sub)                                              \
	MD_CK_BINOP_OF(S, T, and, __atomic_fetch_and)                                              \
	MD_CK_BINOP_OF(S, T, or, __atomic_fetch_or)                                                \
	MD_CK_BINOP_OF(S, T, xor, __atomic_fetch_xor)
MD_CK_INTS(MD_CK_BINOP)
#undef MD_CK_BINOP
#undef MD_CK_BINOP_OF
#undef MD_CK_BINOPS

/* inc, dec, neg, not; the _zero forms say whether the result is 0 */
#define MD_CK_UNOP(S, T)                                                                           \
	CK_CC_INLINE static T md_ck_unop_##S(T *p, int k)                                          \
	{                                                                                          \
		T o, n;                                                                            \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		o = __atomic_load_n(p, MD_CK_SC);                                                  \
		do                                                                                 \
			n = k == 0 ? (T)(o + 1) : k == 1 ? (T)(o - 1) : k == 2 ? (T)-o : (T)~o;    \
		while (!__atomic_compare_exchange_n(p, &o, n, false, MD_CK_SC, MD_CK_SC));         \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, n), MD_CK_U(T, o), 0); /* new, old */            \
		return n;                                                                          \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_inc_##S(T *p)                                               \
	{                                                                                          \
		(void)md_ck_unop_##S(p, 0);                                                        \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_dec_##S(T *p)                                               \
	{                                                                                          \
		(void)md_ck_unop_##S(p, 1);                                                        \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_neg_##S(T *p)                                               \
	{                                                                                          \
		(void)md_ck_unop_##S(p, 2);                                                        \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_not_##S(T *p)                                               \
	{                                                                                          \
		(void)md_ck_unop_##S(p, 3);                                                        \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_inc_##S##_zero(T *p, bool *z)                               \
	{                                                                                          \
		*z = md_ck_unop_##S(p, 0) == 0;                                                    \
	}                                                                                          \
	CK_CC_INLINE static void ck_pr_dec_##S##_zero(T *p, bool *z)                               \
	{                                                                                          \
		*z = md_ck_unop_##S(p, 1) == 0;                                                    \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_inc_##S##_is_zero(T *p)                                     \
	{                                                                                          \
		return md_ck_unop_##S(p, 0) == 0;                                                  \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_dec_##S##_is_zero(T *p)                                     \
	{                                                                                          \
		return md_ck_unop_##S(p, 1) == 0;                                                  \
	}
MD_CK_INTS(MD_CK_UNOP)
#undef MD_CK_UNOP

/* bit test-and-complement/set/reset: the bit's previous value */
#define MD_CK_BT(S, T)                                                                             \
	CK_CC_INLINE static bool ck_pr_btc_##S(T *p, unsigned int b)                               \
	{                                                                                          \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		T old = __atomic_fetch_xor(p, (T)1 << b, MD_CK_SC);                                \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, (T)1 << b), MD_CK_U(T, old), 0);                 \
		return (old >> b) & 1;                                                             \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_bts_##S(T *p, unsigned int b)                               \
	{                                                                                          \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		T old = __atomic_fetch_or(p, (T)1 << b, MD_CK_SC);                                 \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, (T)1 << b), MD_CK_U(T, old), 0);                 \
		return (old >> b) & 1;                                                             \
	}                                                                                          \
	CK_CC_INLINE static bool ck_pr_btr_##S(T *p, unsigned int b)                               \
	{                                                                                          \
		md_ck_point(MD_RP_CK_RMW, p);                                                      \
		T old = __atomic_fetch_and(p, (T) ~((T)1 << b), MD_CK_SC);                         \
		md_ck_value(MD_RV_RMW, MD_CK_U(T, (T) ~((T)1 << b)), MD_CK_U(T, old), 0);          \
		return (old >> b) & 1;                                                             \
	}
MD_CK_BT(int, int)
MD_CK_BT(uint, unsigned int)
MD_CK_BT(64, uint64_t)
MD_CK_BT(32, uint32_t)
MD_CK_BT(16, uint16_t)
#undef MD_CK_BT

#endif
