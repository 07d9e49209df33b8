/* SPDX-License-Identifier: MIT */
/*
 * md_minimize.h - shrink a failing program while a predicate says it still
 * fails (the shape of syzkaller's Minimize(prog, pred)).  A library
 * function: no I/O, no exec of its own; `mdt minimize` (cli/md_tools.c) and the
 * unit tests (tests/test_minimize.c) bring the predicate.
 */
#ifndef MD_MINIMIZE_H
#define MD_MINIMIZE_H

#include <stddef.h>

#include "md_prog.h"

/*
 * Does @cand still fail the same way?  @effort > 0 allows the predicate to
 * search that many other schedules after @cand's own (0: only its own).  On
 * 1 it must leave in cand->sched the schedule that failed (the realized
 * trace); it may stop early (return 0) when out of time.
 */
typedef int md_min_pred(struct md_prog *cand, unsigned effort, void *arg);

/**
 * md_minimize() - make @p, which fails, as small as @pred allows, in order:
 * 1. drop every op of a thread after @fail_op there (the op that failed; a
 *    value >= p->nops: none known);
 * 2. ops one by one (the last first), then whole threads, until neither
 *    shrinks;
 * 3. arguments to 0;
 * 4. the schedule: its shortest failing prefix, then zeroed chunks.
 * A candidate is kept when it fails (arguments and schedule: only if its
 * encoding is no larger); the result is the smallest encoding of all the
 * failing programs seen, @p's included, so it never grows.
 * Return: how many candidates @pred was asked about.
 */
unsigned md_minimize(struct md_prog *p, unsigned fail_op, md_min_pred *pred, void *arg);

/** md_min_size() - @p's encoded size in bytes (what "no larger" compares). */
size_t md_min_size(const struct md_prog *p);

#endif
