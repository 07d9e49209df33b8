/* SPDX-License-Identifier: MIT */
/*
 * md_target.h - what the engine needs from a system under test, so that
 * other lock-free code can be hosted by adding one file: an op table, a
 * fresh instance per run, a way to run one op on one logical thread (with
 * its postcondition), the quiescent invariants, teardown.
 */
#ifndef MD_TARGET_H
#define MD_TARGET_H

#include <stddef.h>

#include "md_prog.h"
#include "md_thread.h"

struct md_target {
	const char *name;
	const struct md_op_table *ops;
	/* a fresh instance for @nthreads logical threads with seeded bug @mutant; NULL on ENOMEM */
	void *(*create)(unsigned nthreads, unsigned mutant);
	struct md_thread *(*thread)(void *inst, unsigned i);
	/* run @op on logical thread @i; nonzero with @msg when its postcondition fails */
	int (*run_op)(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len);
	/* all threads done: check the invariants; nonzero with @msg on a violation */
	int (*quiesce)(void *inst, char *msg, size_t len);
	/* @clean: the run ended normally (else threads were abandoned mid-op: leak, do not touch)
	 */
	void (*destroy)(void *inst, int clean);
};

/* X(symbol): every target; adding one is a row here and its file */
#define MD_TARGETS(X)                                                                              \
	X(md_target_core)                                                                          \
	X(md_target_stack)

#define MD_TARGET_DECL(sym) extern const struct md_target sym;
MD_TARGETS(MD_TARGET_DECL)
#undef MD_TARGET_DECL

/** md_target_find() - the target called @name (NULL: the core), or NULL if none is. */
const struct md_target *md_target_find(const char *name);

/** md_target_names() - "core, stack", for usage messages. */
const char *md_target_names(void);

#endif
