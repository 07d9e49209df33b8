/* SPDX-License-Identifier: MIT */
/*
 * md_rexec.h - the real-thread executor: a target's ops on OS threads, for
 * `mdt stress` (the ops by weight, for as long as the caller lets them run)
 * and `mdt stress --rounds` (a program: each thread runs its ops once).  The
 * deterministic executor (md_exec.h) runs the same ops on fibers.
 *
 * Threads 0..nworkers-1 run the mix (or the program); background threads
 * after them run one op each, at a pace (stress's compactors and migrator).
 * A thread checks between its ops whether to stop or to park: pausing all
 * of them (md_rexec_pause) leaves every thread between two ops, so the
 * target's quiescent check can run (a checkpoint) while they wait.  The first
 * failing postcondition stops the run.  Nothing here prints: the caller asks
 * for status and reports.
 */
#ifndef MD_REXEC_H
#define MD_REXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md_chaos.h"
#include "md_target.h"

/* A background thread: op @code (random arguments) every @pace_us. */
struct md_rexec_bg {
	unsigned code;
	uint32_t pace_us;
};

struct md_rexec_cfg {
	const struct md_target *tg;
	void *inst; /* created for nworkers + nbg threads */
	unsigned nworkers;
	const unsigned *weights;    /* mix: a weight per op code; NULL: run @prog */
	const struct md_prog *prog; /* program: thread i runs its ops in order, once */
	const struct md_rexec_bg *bg;
	unsigned nbg;
	uint64_t seed;
	const struct md_chaos_cfg *chaos; /* delays at race points; NULL: none */
	int hang; /* the watchdog's self-test: thread 0 hangs instead of running ops */
};

/* The first failure: who, doing what, where, and the postcondition's message. */
struct md_rexec_failure {
	unsigned thread, rp;
	struct md_op op;
	char msg[256];
};

/* The op code the watchdog's self-test hang shows as in flight. */
#define MD_REXEC_HANG_OP (~0u)

/* A thread as the watchdog and the live line see it (read while it runs). */
struct md_rexec_status {
	uint64_t progress; /* ops done */
	unsigned op;	   /* op code in flight (or last) */
	unsigned rp;	   /* last race point passed */
	bool parked, done;
};

struct md_rexec;

/**
 * md_rexec_start() - start every thread of @cfg.
 * Return: 0 with *@out; -ENOMEM; or the error of pthread_create (threads
 * already started are stopped and joined first).
 */
int md_rexec_start(struct md_rexec **out, const struct md_rexec_cfg *cfg);

/** md_rexec_stop() - ask every thread to stop after its op (and unpark). */
void md_rexec_stop(struct md_rexec *x);

/** md_rexec_stopping() - a stop was asked for, or a postcondition failed. */
bool md_rexec_stopping(struct md_rexec *x);

/** md_rexec_all_done() - every thread has returned (program done, or stopped). */
bool md_rexec_all_done(struct md_rexec *x);

/**
 * md_rexec_failure() - the first failure, if any.
 * Return: the number of failed postconditions (0: none; @f untouched).
 */
unsigned md_rexec_failure(struct md_rexec *x, struct md_rexec_failure *f);

/** md_rexec_threads() - how many threads (workers and background). */
unsigned md_rexec_threads(const struct md_rexec *x);

/** md_rexec_status() - thread @i now (a racy snapshot, as a watchdog needs). */
void md_rexec_status(struct md_rexec *x, unsigned i, struct md_rexec_status *st);

/** md_rexec_op_count() - ops of @code done so far by all threads. */
uint64_t md_rexec_op_count(struct md_rexec *x, unsigned code);

/**
 * md_rexec_pause() - park every thread between two ops and wait until they
 * are.  Every 20 ms while waiting it asks @waiting(@arg) whether to give up
 * (a watchdog that saw a stall returns nonzero).
 * Return: 0 all parked (their state is the caller's until md_rexec_resume);
 * 1 the run stopped meanwhile; else what @waiting returned.
 */
int md_rexec_pause(struct md_rexec *x, int (*waiting)(void *arg), void *arg);

/** md_rexec_resume() - let parked threads go on. */
void md_rexec_resume(struct md_rexec *x);

/**
 * md_rexec_join() - after md_rexec_all_done(): join every thread and free
 * @x (the target instance stays the caller's).  Never call it with a thread
 * stuck: a stalled run is abandoned, not joined.
 */
void md_rexec_join(struct md_rexec *x);

enum md_rexec_verdict {
	MD_REXEC_CLEAN,
	MD_REXEC_FAILED,  /* a postcondition or the invariants: @msg */
	MD_REXEC_STALLED, /* a thread stuck (left running): @msg says where they stand */
	MD_REXEC_ERROR,	  /* out of memory or threads */
};

/**
 * md_rexec_run_prog() - @p on a fresh small instance of @tg with @mutant, a
 * real thread per logical thread, with @chaos delays (NULL: none); judged as
 * md_exec_run() judges a run on fibers: postconditions, then the quiescent
 * invariants.  A thread without progress for @stall_ms is a stall.
 */
enum md_rexec_verdict md_rexec_run_prog(const struct md_target *tg, const struct md_prog *p,
					unsigned mutant, const struct md_chaos_cfg *chaos,
					uint64_t seed, uint64_t stall_ms, char *msg, size_t len);

#endif
