/* SPDX-License-Identifier: MIT */
/*
 * md_reach.h - what a driver reached: the ops it ran (per target and op)
 * and the race points its threads passed.  Off unless the MDT_REACH
 * environment variable names a file; then every driver in the process
 * counts (the fiber executor, the real-thread executor, the scheduler and
 * the chaos hook), and the counts are written to that file as JSON when the
 * process exits normally.  `./mdt bench reach` runs each driver this way.
 */
#ifndef MD_REACH_H
#define MD_REACH_H

#include <stdbool.h>

#include <ck_pr.h>

#include "md_target.h"

extern int md_reach_state; /* 0 not read yet, 1 off, 2 on: ck_pr (bookkeeping, no race point) */

/** md_reach_init() - read MDT_REACH (once).  Return: counting is on. */
bool md_reach_init(void);

/** md_reach_on() - counting is on (MDT_REACH is set); one branch once it is known. */
static inline bool md_reach_on(void)
{
	int s = ck_pr_load_int(&md_reach_state);

	return s == 2 || (s == 0 && md_reach_init());
}

void md_reach_count_op(const struct md_target *tg, unsigned code);
void md_reach_count_rp(unsigned rp);

/** md_reach_op() - an op of @tg with @code is about to run. */
static inline void md_reach_op(const struct md_target *tg, unsigned code)
{
	if (md_reach_on())
		md_reach_count_op(tg, code);
}

/** md_reach_rp() - a thread passed race point @rp. */
static inline void md_reach_rp(unsigned rp)
{
	if (md_reach_on())
		md_reach_count_rp(rp);
}

#endif
