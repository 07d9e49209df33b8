/* SPDX-License-Identifier: MIT */
/*
 * md_explore.h - program generation: what explore runs and what stress
 * --rounds runs on real threads.  No I/O.
 */
#ifndef MD_EXPLORE_H
#define MD_EXPLORE_H

#include <stdint.h>

#include "md_prog.h"

/**
 * md_explore_gen() - a random valid program of @nthreads x @nops ops for
 * the op table @t: with @weights (one per op code, not all 0) each op drawn
 * by weight, else swarm (a random half of the ops); arguments meet on two
 * focus values in their hot ranges.  Deterministic in *@rng.
 */
void md_explore_gen(struct md_prog *p, const struct md_op_table *t, const unsigned *weights,
		    unsigned nthreads, unsigned nops, uint64_t *rng);

#endif
