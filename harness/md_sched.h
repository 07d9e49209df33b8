/* SPDX-License-Identifier: MIT */
/*
 * md_sched.h - the deterministic scheduler: logical threads are fibers in
 * one OS thread; one runs at a time and switches happen only at race points,
 * where the schedule source picks who runs next.  Every decision is recorded,
 * so the interleaving a run took can be replayed exactly.
 *
 * A fiber at a spin race point makes no progress until another runs: it is
 * not eligible until some other fiber passes a non-spin race point.  When no
 * fiber is eligible the run is a deadlock; more steps than the budget is a
 * livelock.
 */
#ifndef MD_SCHED_H
#define MD_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "md_thread.h"

#define MD_SCHED_MAX_FIBERS 8u

enum md_sched_strategy {
	MD_SCHED_BYTES,	 /* decision i picks eligible fiber bytes[i] % n; then time slices of 64 */
	MD_SCHED_RANDOM, /* at each race point, switch with probability 1/2^k (k = 1..6, drawn per
			    run) to a random fiber */
	MD_SCHED_PCT,	 /* Burckhardt et al.: random priorities, depth-1 change points */
	MD_SCHED_REPLAY, /* a recorded trace, strictly: a choice out of range or an early end
			    diverges */
	MD_SCHED_URW,	 /* uniform random walk: at each race point, fiber i with probability
			    proportional to the race points it has left (events[i] - passed):
			    every interleaving of the fibers' events equally likely */
	MD_SCHED_POS,	 /* partial order sampling (Yuan et al., CAV'18): each pending access a
			    random priority, the highest runs, and the pending accesses that
			    conflict with it (same 8 bytes, a write) draw new ones */
};

enum md_sched_result {
	MD_SCHED_DONE,	   /* every fiber returned */
	MD_SCHED_STOPPED,  /* a fiber called md_sched_stop() (a failure was found) */
	MD_SCHED_DEADLOCK, /* no fiber could run */
	MD_SCHED_LIVELOCK, /* the step budget ran out */
	MD_SCHED_DIVERGED, /* replay: the recorded decision does not fit this run */
};

/* One race point passed, for `mdt explain`'s timeline. */
struct md_sched_event {
	uint8_t fiber, spin; /* who passed it; inside a spin loop */
	uint16_t rp;	     /* enum md_race_point */
	uint16_t tag;	     /* the fiber's tag then (the executor's op index) */
	uint8_t nv;	     /* 0, or 1 + enum md_rv: the access's values are in v */
	uint8_t late;	     /* 1: not a race point but the values of the fiber's last one,
			      * whose access ran after other fibers' events */
	uint64_t v[3];	     /* md_race_value()'s a, b, c */
};

/* Optional per-step log; grows with realloc (NULL ev on out of memory: stops logging). */
struct md_sched_log {
	struct md_sched_event *ev;
	size_t n, cap;
};

struct md_sched_source {
	unsigned strategy;    /* enum md_sched_strategy */
	uint64_t seed;	      /* RANDOM, PCT */
	unsigned depth;	      /* PCT: d (d - 1 change points) */
	const uint8_t *bytes; /* BYTES, REPLAY: decisions */
	size_t len;
	int lenient_end; /* REPLAY: past the trace, run on as BYTES does (else: diverged) */
	struct md_sched_log *log; /* when set, every race point passed is appended */
	unsigned horizon;	  /* PCT: change points fall in steps 1..horizon (0: 4000) */
	const uint64_t *events;	  /* URW: race points each fiber will pass, estimated (NULL: 1) */
};

struct md_sched;

typedef void md_fiber_fn(struct md_thread *t, void *arg);

/**
 * md_sched_create() - a scheduler for @n fibers, each running @fn(t, args[i])
 * on md_thread @threads[i] (already registered with the core).  The hooks of
 * the md_threads are set to the scheduler's.
 * Return: the scheduler, or NULL on out of memory.
 */
struct md_sched *md_sched_create(unsigned n, struct md_thread **threads, md_fiber_fn *fn,
				 void **args, const struct md_sched_source *src, uint64_t budget);

/** md_sched_run() - run until done, stopped, deadlock, livelock or divergence. */
enum md_sched_result md_sched_run(struct md_sched *s);

/** md_sched_stop() - from a fiber: stop the run after this point (a failure). Never returns. */
void md_sched_stop(struct md_thread *t);

/**
 * md_sched_trace() - the decisions taken: per step, the index of the chosen
 * fiber among those eligible (ascending ids).  Replayed with MD_SCHED_REPLAY
 * or MD_SCHED_BYTES it takes the same interleaving.
 */
const uint8_t *md_sched_trace(const struct md_sched *s, size_t *len);

/** md_sched_tag() - from a fiber: label what @t does next (logged with each event). */
void md_sched_tag(struct md_thread *t, unsigned tag);

/**
 * md_sched_op_done() - from a fiber: the op tagged last has returned.  Logged
 * (as race point MD_RP_NONE, which no code passes) when a log is kept: a
 * fiber resumed after its last race point finishes its op between two
 * other threads' steps, and the timeline shows where.  No decision is taken.
 */
void md_sched_op_done(struct md_thread *t);

/** md_sched_current() - the fiber running now (the fiber count when it is main). */
unsigned md_sched_current(const struct md_sched *s);

/** md_sched_steps() - race points passed. */
uint64_t md_sched_steps(const struct md_sched *s);

/** md_sched_thread_steps() - from a fiber: the race points @t has passed so far, spins included. */
uint64_t md_sched_thread_steps(const struct md_thread *t);

/** md_sched_where() - what fiber @i was doing: its last race point, and whether it finished. */
unsigned md_sched_where(const struct md_sched *s, unsigned i, int *done);

/**
 * md_sched_coverage() - mark interleavings for a fuzzer: at every switch
 * from one fiber to another, set @cov[(race point left * MD_RP_MAX +
 * race point resumed) % @len] to 1 (a pair made, not how often: the
 * fuzzer clears @cov before each run).  Process-wide; NULL turns it off.
 */
void md_sched_coverage(uint8_t *cov, size_t len);

/** md_sched_destroy() - free the fibers' stacks (fibers need not have finished). */
void md_sched_destroy(struct md_sched *s);

const char *md_sched_result_name(unsigned r);

#endif
