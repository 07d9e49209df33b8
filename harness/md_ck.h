/* SPDX-License-Identifier: MIT */
/*
 * md_ck.h - which logical thread hosted ck code runs as.
 *
 * ck_pr's functions take no thread argument, so the shim's race points find
 * the running logical thread here: the executors set it around every op
 * (md_target_run_op()), and it is NULL outside ops (create, checks,
 * teardown run alone: no race points).  On real threads the variable is per OS thread.
 * Under the scheduler all fibers share one OS thread, so a race point that
 * switches away puts the thread back when this fiber is resumed; the
 * fibers' accesses to it are atomic (relaxed: the switch orders them), as
 * TSan sees each fiber as a thread of its own.
 */
#ifndef MD_CK_H
#define MD_CK_H

#include "md_rp.h"

/* The engine's race points for hosted ck code, right after the core's. */
enum {
	MD_RP_CK_LOAD = MD_RP__COUNT, /* "ck.load": before a ck_pr load */
	MD_RP_CK_STORE,		      /* "ck.store" */
	MD_RP_CK_RMW,		      /* "ck.rmw": CAS, fetch-and-op, exchange */
	MD_RP_CK_SPIN,		      /* "ck.stall": ck_pr_stall(), a spin loop's wait */
	MD_RP_ENGINE__COUNT
};

/* Their names, MD_RP_CK_LOAD's first. */
extern const char *const md_ck_rp_names[MD_RP_ENGINE__COUNT - MD_RP__COUNT];

extern _Thread_local struct md_thread *md_ck_self;

/** md_ck_enter() - the hosted code that follows runs as logical thread @t. */
static inline void md_ck_enter(struct md_thread *t)
{
	__atomic_store_n(&md_ck_self, t, __ATOMIC_RELAXED);
}

/* A race point of the shim (before a ck_pr access to @p); none outside an op. */
static inline void md_ck_point(unsigned rp, const volatile void *p)
{
	struct md_thread *t = __atomic_load_n(&md_ck_self, __ATOMIC_RELAXED);

	if (t == NULL)
		return;
	md_race_access(t, rp, p, rp != MD_RP_CK_LOAD);
	__atomic_store_n(&md_ck_self, t, __ATOMIC_RELAXED); /* another fiber ran meanwhile */
}

/* What the access after the shim's last race point read, wrote or compared. */
static inline void md_ck_value(unsigned kind, uint64_t a, uint64_t b, uint64_t c)
{
	struct md_thread *t = __atomic_load_n(&md_ck_self, __ATOMIC_RELAXED);

	if (t)
		md_race_value(t, kind, a, b, c);
}

/* ck_pr_stall(): the spin point, so the scheduler runs someone else. */
static inline void md_ck_spin(void)
{
	struct md_thread *t = __atomic_load_n(&md_ck_self, __ATOMIC_RELAXED);

	if (t == NULL) {
		md_cpu_relax();
		return;
	}
	md_race_spin(t, MD_RP_CK_SPIN);
	__atomic_store_n(&md_ck_self, t, __ATOMIC_RELAXED);
}

#endif
