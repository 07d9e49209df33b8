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

#include "md_mutant.h"
#include "md_prog.h"
#include "md_thread.h"

struct md_target_cfg {
	unsigned nthreads; /* logical threads, each with its md_thread */
	unsigned mutant;   /* the target's own seeded bug: 1..nbugs, 0 the correct code */
	unsigned rp_base;  /* id of the target's race point 0 (see race_points) */
	uint64_t size;	   /* the target's size knob (core: frames); 0: the small instance */
	int replay;	   /* the deterministic executor runs it: one OS thread, a short run */
	unsigned design;  /* index into the target's designs[]; 0 the default */
};

/* A size figure of an instance (the core: metadata bytes per frame). */
struct md_metric {
	const char *name;
	double value;
	int prec; /* decimals to print */
};

struct md_target {
	const char *name; /* its file's name: targets/NAME.c */
	const struct md_op_table *ops;
	/*
	 * Its own race points ("stack.head", ...): the one passed as
	 * cfg->rp_base + i is race_points[i].  May be 0 and NULL (the core's
	 * are the core library's, hosted ck code passes the engine's ck.*).
	 */
	const char *const *race_points;
	unsigned nrace_points;
	/*
	 * Its seeded bugs: cfg->mutant k (1..nbugs) is bugs[k - 1]; .target may
	 * be NULL (it is this target).  A bug's site tests the instance's
	 * cfg->mutant, so seeded bugs work in every build.  May be 0 and NULL.
	 */
	const struct md_mutant_info *bugs;
	unsigned nbugs;
	/*
	 * Its designs: named ways to build the same code (the core's
	 * "one-typesafe"), reached as target "NAME:DESIGN" and recorded so in
	 * reproducers; designs[0] is the default, plain "NAME".  May be 0 and
	 * NULL.  The registry fills .design and .base of each view; a target
	 * file leaves them 0 and NULL.
	 */
	const char *const *designs;
	unsigned ndesigns;
	unsigned design;
	const struct md_target *base;
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

/* MD_TARGETS(X): every file of targets/, made by targets/meson.build */
#include "md_targets.h"

#define MD_TARGET_DECL(sym) extern const struct md_target sym;
MD_TARGETS(MD_TARGET_DECL)
#undef MD_TARGET_DECL

/**
 * md_target_find() - the target called @name (NULL: the core), or NULL if
 * none is.  "NAME:DESIGN" is the view of NAME that creates its instances as
 * DESIGN ("NAME:" + its default design is NAME itself).
 */
const struct md_target *md_target_find(const char *name);

/** md_target_base() - the target file behind @tg (itself, or the target a view is of). */
static inline const struct md_target *md_target_base(const struct md_target *tg)
{
	return tg->base ? tg->base : tg;
}

/** md_target_names() - "core, ck_ring, ..., core:one-typesafe", for usage messages. */
const char *md_target_names(void);

/** md_target_op() - the code of @tg's op called @name, or -1. */
int md_target_op(const struct md_target *tg, const char *name);

/**
 * md_target_create() - a fresh instance of @tg: @nthreads threads, seeded
 * bug @bug (an id of md_bug_lookup(), 0: none, else one of @tg's), @size.
 * Gives the target its own bug index and its race points' base; @replay:
 * the deterministic executor runs it (a use after free must read the same
 * bytes in every replay: the core keeps freed descriptors until teardown).
 * Return: the instance, or NULL.
 */
void *md_target_create(const struct md_target *tg, unsigned nthreads, unsigned bug, uint64_t size,
		       int replay);

/**
 * md_target_run_op() - @tg->run_op(@inst, @i, ...) as the executors call it:
 * hosted ck code (md_ck_pr.h) passes its race points as thread @i during the
 * op and none outside it.  Return: run_op's.
 */
int md_target_run_op(const struct md_target *tg, void *inst, unsigned i, const struct md_op *op,
		     char *msg, size_t len);

/*
 * Seeded bugs of every target, one id space: the core's keep their enum
 * md_mutant_id values, the other targets' follow in MD_TARGETS order.
 */

/** md_bug_lookup() - id of the bug called @name; "none", "" and NULL give 0; -1: unknown. */
int md_bug_lookup(const char *name);

/** md_bug_info() - the row of bug @id (1..md_bug_count()-1), or NULL. */
const struct md_mutant_info *md_bug_info(unsigned id);

/** md_bug_name() - bug @id's name; "none" for 0. */
const char *md_bug_name(unsigned id);

/**
 * md_bug_target() - the target bug @id is seeded in (NULL for 0 or out of
 * range): the view of the design its row names when it needs one.
 */
const struct md_target *md_bug_target(unsigned id);

/** md_bug_count() - bug ids are 1..md_bug_count()-1. */
unsigned md_bug_count(void);

/** md_bug_fits() - may bug @id run on @tg?  0 (none) everywhere; a bug in its own target. */
int md_bug_fits(unsigned id, const struct md_target *tg);

/**
 * md_bug_available() - is bug @id compiled into this build?  A core bug
 * needs -Dmutants=true; a target's own bugs are always there.
 */
int md_bug_available(unsigned id);

/* Race points of every target, one id space (md_race.h's first). */

/** md_rp_name() - the name of race point @rp ("?" out of range). */
const char *md_rp_name(unsigned rp);

/** md_rp_count() - race point ids are 0..md_rp_count()-1 (<= MD_RP_MAX). */
unsigned md_rp_count(void);

/** md_rp_find() - the id of the race point called @name, or -1. */
int md_rp_find(const char *name);

#endif
