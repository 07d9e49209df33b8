/* SPDX-License-Identifier: MIT */
/*
 * md_rp.h - passing a race point: the scheduler's, chaos's and the reach
 * counters' one way in.  Free of ck_pr, so that code hosted on the ck_pr
 * shim (harness/ckshim/ck_pr.h) passes race points the way the core does.
 */
#ifndef MD_RP_H
#define MD_RP_H

#include <stddef.h>

#include "md_config.h"
#include "md_thread.h"

/* A spinning CPU's pause: lets the sibling hyperthread run. */
static inline void md_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/**
 * md_race_point() - a place where another thread may run.
 * Compiled out with -Drace_points=false.
 */
static inline void md_race_point(struct md_thread *t, unsigned rp)
{
#if MD_RACE_POINTS_ON
	t->last_rp = rp;
	t->rp_addr = 0;
	if (__builtin_expect(t->rp_hook != NULL, 0))
		t->rp_hook(t, rp, 0);
#else
	(void)t;
	(void)rp;
#endif
}

/**
 * md_race_access() - md_race_point() before an access to @p that writes
 * (@write) or only reads: the scheduler can tell accesses that conflict.
 */
static inline void md_race_access(struct md_thread *t, unsigned rp, const volatile void *p,
				  unsigned write)
{
#if MD_RACE_POINTS_ON
	t->last_rp = rp;
	t->rp_addr = (uintptr_t)p;
	t->rp_write = write;
	if (__builtin_expect(t->rp_hook != NULL, 0))
		t->rp_hook(t, rp, 0);
#else
	(void)t;
	(void)rp;
	(void)p;
	(void)write;
#endif
}

/* What an access did, for md_race_value(). */
enum md_rv {
	MD_RV_LOAD,  /* a: the value read */
	MD_RV_STORE, /* a: the value written */
	MD_RV_CAS,   /* a: expected, b: new, c: found (succeeded when a == c) */
	MD_RV_RMW,   /* a: the operand, b: the value before */
};

/**
 * md_race_value() - after the access a race point announced: what it read,
 * wrote or compared, for explain's timeline.  One branch when not explaining.
 */
static inline void md_race_value(struct md_thread *t, unsigned kind, uint64_t a, uint64_t b,
				 uint64_t c)
{
#if MD_RACE_POINTS_ON
	if (__builtin_expect(t->rv_hook != NULL, 0))
		t->rv_hook(t, kind, a, b, c);
#else
	(void)t;
	(void)kind;
	(void)a;
	(void)b;
	(void)c;
#endif
}

/**
 * md_race_spin() - race point inside a spin loop: this thread makes no
 * progress until another one runs, so the scheduler must switch.
 */
static inline void md_race_spin(struct md_thread *t, unsigned rp)
{
#if MD_RACE_POINTS_ON
	t->last_rp = rp;
	t->rp_addr = 0;
	if (__builtin_expect(t->rp_hook != NULL, 0)) {
		t->rp_hook(t, rp, MD_RPF_SPIN);
		return;
	}
#else
	(void)t;
	(void)rp;
#endif
	md_cpu_relax();
}

#endif
