/* SPDX-License-Identifier: MIT */
/*
 * md_target.h - what the engine needs from a system under test, so that
 * other lock-free code can be hosted by adding one file: an op table (the
 * only registry of its operations: names, arguments, default weights), a
 * fresh instance per run, a way to run one op on one logical thread (with
 * its postcondition), the quiescent invariants, teardown.
 *
 * Every driver reaches the same ops: explore and the fuzzers build programs
 * from the table and run them on fibers (md_exec.h); stress runs them by
 * weight on real threads, --rounds runs programs on real threads
 * (md_rexec.h).  A program's instance is the target's small one (size 0);
 * stress asks for a large one, and its arguments span 32 bits: the target
 * reduces each argument modulo its domain in the instance.
 */
#ifndef MD_TARGET_H
#define MD_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "md_prog.h"
#include "md_thread.h"

struct md_target_cfg {
	unsigned nthreads; /* logical threads, each with its md_thread */
	unsigned mutant;   /* enum md_mutant_id */
	uint64_t size;	   /* the target's size knob (core: frames); 0: the small instance */
};

/* A size figure of an instance (the core: metadata bytes per frame). */
struct md_metric {
	const char *name;
	double value;
	int prec; /* decimals to print */
};

struct md_target {
	const char *name;
	const struct md_op_table *ops;
	/* a fresh instance; NULL on ENOMEM or a size it cannot take */
	void *(*create)(const struct md_target_cfg *cfg);
	struct md_thread *(*thread)(void *inst, unsigned i);
	/* run @op on logical thread @i; nonzero with @msg when its postcondition fails */
	int (*run_op)(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len);
	/*
	 * Housekeeping of thread @i between its ops (deferred frees): after
	 * every op under the scheduler, every few on real threads.  May be NULL.
	 */
	void (*between)(void *inst, unsigned i);
	/* all threads between ops: check the invariants; nonzero with @msg on a violation */
	int (*quiesce)(void *inst, char *msg, size_t len);
	/*
	 * All threads done: release everything the program holds, so that a
	 * following quiesce() checks the empty state.  May be NULL.
	 */
	void (*release)(void *inst);
	/* at quiescence: up to @max size figures into @m; how many.  May be NULL. */
	unsigned (*metrics)(void *inst, struct md_metric *m, unsigned max);
	/*
	 * @clean: the run ended normally and its checks passed (else threads
	 * were abandoned mid-op or the state is corrupt: leak, do not touch)
	 */
	void (*destroy)(void *inst, int clean);
};

/* X(symbol): every target; adding one is a row here and its file */
#define MD_TARGETS(X)                                                                              \
	X(md_target_core)                                                                          \
	X(md_target_stack)                                                                         \
	X(md_target_ckring)                                                                        \
	X(md_target_ckseq)                                                                         \
	X(md_target_ckmcs)

#define MD_TARGET_DECL(sym) extern const struct md_target sym;
MD_TARGETS(MD_TARGET_DECL)
#undef MD_TARGET_DECL

/** md_target_find() - the target called @name (NULL: the core), or NULL if none is. */
const struct md_target *md_target_find(const char *name);

/** md_target_names() - "core, stack", for usage messages. */
const char *md_target_names(void);

/** md_target_op() - the code of @tg's op called @name, or -1. */
int md_target_op(const struct md_target *tg, const char *name);

#endif
