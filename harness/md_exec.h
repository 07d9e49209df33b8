/* SPDX-License-Identifier: MIT */
/*
 * md_exec.h - the executor: one program, one schedule source, a fresh target
 * instance; each op's postcondition, then the quiescent invariants; a failure
 * record with where it happened and the schedule actually taken.
 */
#ifndef MD_EXEC_H
#define MD_EXEC_H

#include "md_prog.h"
#include "md_sched.h"
#include "md_target.h"

/* X(ID, "name") */
#define MD_FAIL_KINDS(X)                                                                           \
	X(NONE, "none")                                                                            \
	X(POSTCOND, "postcondition")                                                               \
	X(INVARIANT, "invariant")                                                                  \
	X(DEADLOCK, "deadlock")                                                                    \
	X(LIVELOCK, "livelock")                                                                    \
	X(DIVERGED, "diverged")                                                                    \
	X(CRASH, "crash")                                                                          \
	X(SETUP, "setup")

enum md_fail_kind {
#define MD_FK_ENUM(id, name) MD_FAIL_##id,
	MD_FAIL_KINDS(MD_FK_ENUM)
#undef MD_FK_ENUM
};

struct md_failure {
	unsigned kind; /* enum md_fail_kind */
	char msg[256];
	unsigned thread, op_index, rp;
	uint64_t step;
};

/* Race points one run may pass before it is a livelock (explore, repro, minimize) */
#define MD_EXEC_BUDGET 200000u

struct md_exec_result {
	struct md_failure fail;
	uint8_t trace[MD_PROG_MAX_SCHED]; /* the schedule taken (choice indices) */
	size_t ntrace;			  /* > MD_PROG_MAX_SCHED: truncated */
	uint64_t steps;
};

/**
 * md_exec_run() - run @p on a fresh instance of @tg with @mutant.
 * Return: the failure kind (MD_FAIL_NONE when clean); details in @res.
 */
unsigned md_exec_run(const struct md_target *tg, const struct md_prog *p,
		     const struct md_sched_source *src, unsigned mutant, uint64_t budget,
		     struct md_exec_result *res);

/**
 * md_exec_isolated() - md_exec_run() in a child process, for replays whose
 * failure may kill the process (a sanitizer report, a signal): the child's
 * crash handler records where it died and the parent reports it as
 * MD_FAIL_CRASH ("SIGSEGV in t1 at lookup.tryget").  Output the child wrote
 * (the sanitizer's report) goes to the same stderr.
 * Return: as md_exec_run().
 */
unsigned md_exec_isolated(const struct md_target *tg, const struct md_prog *p,
			  const struct md_sched_source *src, unsigned mutant, uint64_t budget,
			  struct md_exec_result *res);

/**
 * md_exec_live() - from a crash handler: the run in progress (its program,
 * the schedule taken so far, the step, who was running where).
 * Return: the program, or NULL when no run is in progress.  Signal-safe.
 */
const struct md_prog *md_exec_live(struct md_exec_result *res, const char *why);

const char *md_fail_kind_name(unsigned kind);
unsigned md_fail_kind_lookup(const char *name); /* MD_FAIL_NONE when unknown */

#endif
