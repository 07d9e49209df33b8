/* SPDX-License-Identifier: MIT */
/*
 * md_chaos.h - delays at race points for real threads (stress, rounds): at
 * each race point, with probability p, yield the CPU, spin a little or sleep,
 * so that rare interleavings get a window.  Chaos is fair: it only delays,
 * never skips or reorders anything itself, and no oracle is weakened.  In a
 * spin loop the thread always yields, so a waiter lets a preempted lock
 * holder run.
 */
#ifndef MD_CHAOS_H
#define MD_CHAOS_H

#include <stdint.h>

#include "md_thread.h"

enum { MD_CHAOS_YIELD = 1, MD_CHAOS_SPIN = 2, MD_CHAOS_SLEEP = 4, MD_CHAOS_ALL = 7 };

struct md_chaos_cfg {
	double p;	       /* probability of a delay at a race point, 0..1 */
	unsigned kinds;	       /* MD_CHAOS_*: the delays to draw from (not 0) */
	uint32_t sleep_us;     /* a sleep's length */
	uint8_t at[MD_RP_MAX]; /* where chaos applies (all 1: everywhere) */
};

/* One thread's chaos: its configuration and its own random stream. */
struct md_chaos {
	const struct md_chaos_cfg *cfg;
	uint64_t rng, cut; /* a race point delays when the next number < cut */
};

/** md_chaos_default() - no delays (p 0), every kind, 20 us sleeps, everywhere. */
void md_chaos_default(struct md_chaos_cfg *cfg);

/**
 * md_chaos_attach() - from now on @t's race points run @c's delays
 * (@cfg->p > 0) or at least yield in spin loops.  @c must outlive @t's use.
 */
void md_chaos_attach(struct md_chaos *c, const struct md_chaos_cfg *cfg, struct md_thread *t,
		     uint64_t seed);

/**
 * md_chaos_parse_kinds() - "yield,spin,sleep" (some of them) into @cfg->kinds.
 * Return: 0, or -1 on a bad list.
 */
int md_chaos_parse_kinds(struct md_chaos_cfg *cfg, const char *s);

/**
 * md_chaos_parse_at() - "lookup.tryget,split.build" into @cfg->at (only those).
 * Return: 0, or -1 with the unknown name (or "too long") in @bad.
 */
int md_chaos_parse_at(struct md_chaos_cfg *cfg, const char *s, char *bad, size_t blen);

#endif
