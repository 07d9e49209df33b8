/* SPDX-License-Identifier: MIT */
/*
 * md_thread.h - the explicit per-thread context every core entry point takes.
 *
 * The core has no hidden thread-locals: a logical thread may be an OS thread
 * (stress) or a fiber (the deterministic scheduler), so everything a thread
 * owns travels in struct md_thread: its ck_epoch record, its counters and the
 * race-point hook through which a driver takes control at race points.
 */
#ifndef MD_THREAD_H
#define MD_THREAD_H

#include <stdint.h>

#include "md_race.h"
#include "md_stats.h"

struct md_core;
struct md_thread;
struct ck_epoch_record;

/*
 * Called at every race point when installed.  @flags has MD_RPF_SPIN inside
 * spin loops.  The hook may switch fibers, sleep, or record a trace; it must
 * not call back into the core with the same thread.
 */
typedef void md_rp_hook_fn(struct md_thread *t, unsigned rp, unsigned flags);

/*
 * Called after the access that follows a race point, with what it read,
 * wrote or compared (enum md_rv): installed only when a run is explained.
 */
typedef void md_rv_hook_fn(struct md_thread *t, unsigned kind, uint64_t a, uint64_t b, uint64_t c);

struct md_thread {
	struct md_core *core;
	struct ck_epoch_record *rec; /* owned by the core; never freed before it */
	md_rp_hook_fn *rp_hook;	     /* NULL: race points cost one branch */
	md_rv_hook_fn *rv_hook;	     /* NULL: values are not reported */
	void *rp_arg;		     /* the driver's per-thread state */
	unsigned id;		     /* logical thread id, for traces and serials */
	unsigned last_rp;	     /* last race point passed (watchdogs, reports) */
	uintptr_t rp_addr;	     /* what the access after it touches (0: not said) */
	unsigned rp_write;	     /* ... and whether it writes there */
	unsigned mutant;	     /* enum md_mutant_id, copied from the core */
	uint32_t serial_next;	     /* descriptor serials this thread took from ... */
	uint32_t serial_end;	     /* ... the core's counter, not yet used */
	uint64_t stats[MD_ST__COUNT];
};

/**
 * md_thread_init() - register @t with @core's epoch domain.
 * @t:    caller-owned context, zeroed here
 * @core: the core instance this thread will operate on
 * @id:   logical thread id (0..MD_MAX_THREADS-1), used in traces
 *
 * Allocates and registers an epoch record; the record is owned by the core
 * and freed by md_core_destroy().  Takes the core's registry lock; not to be
 * called concurrently with md_core_destroy().
 * Return: 0, -ENOMEM, or -ENOSPC when MD_MAX_THREADS records exist.
 */
int md_thread_init(struct md_thread *t, struct md_core *core, unsigned id);

/**
 * md_thread_reregister() - a thread going offline and coming back (a
 * worker exiting and another taking its place): @t takes an epoch record
 * again and gives up the one it had.  Call between ops, outside any read
 * section.  Never blocks: a record with frees still pending stays
 * registered but idle until quiescence drains it (md_epoch_drain_idle());
 * one with none is unregistered for reuse at once.  Takes reg_lock.
 * Return: 0; -ENOSPC or -ENOMEM (the thread keeps its record).
 */
int md_thread_reregister(struct md_thread *t);

/**
 * md_epoch_drain_idle() - at quiescence only (it waits for grace periods):
 * run the pending frees of every record given up idle, and unregister it.
 */
void md_epoch_drain_idle(struct md_core *core);

/**
 * md_thread_fini() - drain @t's deferred frees and unregister it.
 *
 * Waits for a full grace period (ck_epoch_barrier): every other thread must
 * be outside epoch sections or able to leave them without this one, so call
 * it only from a real OS thread or at quiescence under the scheduler.
 */
void md_thread_fini(struct md_thread *t);

#endif
