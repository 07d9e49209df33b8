/* SPDX-License-Identifier: MIT */
/*
 * md_mutate.h - structure-aware mutation of programs (the fuzzers' custom
 * mutator): named, weighted operators that keep a program valid, and a
 * crossover.  Deterministic in the caller's random state.
 */
#ifndef MD_MUTATE_H
#define MD_MUTATE_H

#include <stdint.h>

#include "md_prog.h"

/* X(ID, "name", weight) */
#define MD_MUTATORS(X)                                                                             \
	X(INSERT_OP, "insert_op", 20)                                                              \
	X(DELETE_OP, "delete_op", 12)                                                              \
	X(SWAP_OPS, "swap_ops", 10)                                                                \
	X(REPLACE_OP, "replace_op", 10)                                                            \
	X(CHANGE_ARG, "change_arg", 24)                                                            \
	X(MOVE_OP, "move_op", 8)                                                                   \
	X(ADD_THREAD, "add_thread", 4)                                                             \
	X(MUTATE_SCHED, "mutate_sched", 24)

enum md_mutator {
#define MD_MUTATOR_ENUM(id, name, w) MD_MUT_OP_##id,
	MD_MUTATORS(MD_MUTATOR_ENUM)
#undef MD_MUTATOR_ENUM
	    MD_MUT_OP__COUNT
};

/**
 * md_mutate() - apply one weighted operator to @p (valid for @t before and
 * after).  An operator that does not apply (delete from an empty program)
 * falls through to the schedule mutation, so @p always changes or grows.
 * Return: the operator applied (enum md_mutator).
 */
unsigned md_mutate(struct md_prog *p, const struct md_op_table *t, uint64_t *rng);

/**
 * md_crossover() - @out gets @a's threads below a random cut and @b's from
 * it on (renumbered, at most MD_PROG_MAX_OPS ops), and @a's schedule with a
 * tail of @b's.  Valid when @a and @b are.
 */
void md_crossover(struct md_prog *out, const struct md_prog *a, const struct md_prog *b,
		  uint64_t *rng);

const char *md_mutator_name(unsigned op);

#endif
