/* SPDX-License-Identifier: MIT */
/*
 * md_tatomic.h - atomics for targets: every width and signedness, each
 * access a race point.
 *
 *	v = md_ta_load_u32(t, rp, &x, __ATOMIC_ACQUIRE);
 *	md_ta_store_u64(t, rp, &y, v, __ATOMIC_RELEASE);
 *	ok = md_ta_cas_i32(t, rp, &z, &expected, desired, __ATOMIC_ACQ_REL);
 *	old = md_ta_fetch_add_u16(t, rp, &n, 1, __ATOMIC_RELAXED);
 *
 * For each type (u8 u16 u32 u64 i8 i16 i32 i64, and ptr for load, store,
 * xchg and cas): load, store, xchg, cas (strong; on failure *expected gets
 * the value found; failure ordering: the success one without release),
 * fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor (return the value
 * before).  @order is a C11 memory order (__ATOMIC_RELAXED ... SEQ_CST).
 *
 * Each passes race point @rp of thread @t first (the scheduler may switch,
 * chaos may delay, reach counts it), then does the access with the
 * compiler's __atomic builtin -- which ASan checks and TSan models with the
 * ordering given, so no annotation is needed -- then reports what it read,
 * wrote or compared to explain (md_race_value()).  Race point ids are the
 * target's own: cfg->rp_base + i (md_target.h).
 */
#ifndef MD_TATOMIC_H
#define MD_TATOMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "md_rp.h"

/* the failure ordering of a CAS: @order without its release half */
#define MD_TA_FAIL(order)                                                                          \
	((order) == __ATOMIC_RELEASE   ? __ATOMIC_RELAXED                                          \
	 : (order) == __ATOMIC_ACQ_REL ? __ATOMIC_ACQUIRE                                          \
				       : (order))

/* @x of type T as the unsigned 64-bit value explain shows */
#define MD_TA_U(T, x) ((uint64_t)(x) & (sizeof(T) >= 8 ? ~0ull : (1ull << (8 * sizeof(T))) - 1))

#define MD_TA_ACCESS(S, T)                                                                         \
	static inline T md_ta_load_##S(struct md_thread *t, unsigned rp, const T *p, int order)    \
	{                                                                                          \
		T v;                                                                               \
		md_race_access(t, rp, p, 0);                                                       \
		v = __atomic_load_n(p, order);                                                     \
		md_race_value(t, MD_RV_LOAD, MD_TA_U(T, v), 0, 0);                                 \
		return v;                                                                          \
	}                                                                                          \
	static inline void md_ta_store_##S(struct md_thread *t, unsigned rp, T *p, T v, int order) \
	{                                                                                          \
		md_race_access(t, rp, p, 1);                                                       \
		__atomic_store_n(p, v, order);                                                     \
		md_race_value(t, MD_RV_STORE, MD_TA_U(T, v), 0, 0);                                \
	}                                                                                          \
	static inline T md_ta_xchg_##S(struct md_thread *t, unsigned rp, T *p, T v, int order)     \
	{                                                                                          \
		T old;                                                                             \
		md_race_access(t, rp, p, 1);                                                       \
		old = __atomic_exchange_n(p, v, order);                                            \
		md_race_value(t, MD_RV_RMW, MD_TA_U(T, v), MD_TA_U(T, old), 0);                    \
		return old;                                                                        \
	}                                                                                          \
	static inline bool md_ta_cas_##S(struct md_thread *t, unsigned rp, T *p, T *expected,      \
					 T desired, int order)                                     \
	{                                                                                          \
		T want = *expected;                                                                \
		bool ok;                                                                           \
		md_race_access(t, rp, p, 1);                                                       \
		ok = __atomic_compare_exchange_n(p, expected, desired, false, order,               \
						 MD_TA_FAIL(order));                               \
		md_race_value(t, MD_RV_CAS, MD_TA_U(T, want), MD_TA_U(T, desired),                 \
			      MD_TA_U(T, *expected));                                              \
		return ok;                                                                         \
	}

/* X(suffix, type): the integer types also get the fetch-ops */
#define MD_TA_INTS(X)                                                                              \
	X(u8, uint8_t)                                                                             \
	X(u16, uint16_t)                                                                           \
	X(u32, uint32_t)                                                                           \
	X(u64, uint64_t)                                                                           \
	X(i8, int8_t)                                                                              \
	X(i16, int16_t)                                                                            \
	X(i32, int32_t)                                                                            \
	X(i64, int64_t)

#define MD_TA_FETCH_OF(S, T, K)                                                                    \
	static inline T md_ta_fetch_##K##_##S(struct md_thread *t, unsigned rp, T *p, T v,         \
					      int order)                                           \
	{                                                                                          \
		T old;                                                                             \
		md_race_access(t, rp, p, 1);                                                       \
		old = __atomic_fetch_##K(p, v, order);                                             \
		md_race_value(t, MD_RV_RMW, MD_TA_U(T, v), MD_TA_U(T, old), 0);                    \
		return old;                                                                        \
	}
#define MD_TA_FETCH(S, T)                                                                          \
	MD_TA_FETCH_OF(S, T, add)                                                                  \
	MD_TA_FETCH_OF(S, T, sub)                                                                  \
	MD_TA_FETCH_OF(S, T, and)                                                                  \
	MD_TA_FETCH_OF(S, T, or)                                                                   \
	MD_TA_FETCH_OF(S, T, xor)

MD_TA_INTS(MD_TA_ACCESS)
MD_TA_INTS(MD_TA_FETCH)
typedef void *md_ta_ptr; /* so "const T *" is a pointer to a const pointer */
MD_TA_ACCESS(ptr, md_ta_ptr)

#undef MD_TA_FETCH
#undef MD_TA_FETCH_OF
#undef MD_TA_ACCESS

#endif
