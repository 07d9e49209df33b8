// SPDX-License-Identifier: MIT
/*
 * ck_spinlock_mcs.c - Concurrency Kit's MCS queue spinlock, unmodified, as a
 * target.
 *
 * <ck_spinlock.h> is included as libck-dev ships it, after the engine's
 * ck_pr (md_ck_pr.h), so every ck_pr access of the lock's code is a race
 * point (its spin loops are spin points: a waiter yields to the others).
 * Nothing of ck is copied or changed.
 *
 * The contract tested is ck_spinlock_mcs(3)'s: each thread queues with its
 * own context, which it must not reuse until its unlock returned.  The
 * critical section counts who is inside (ck_pr_faa) and bumps a counter
 * with a separate load and store, which only mutual exclusion keeps exact.
 *
 * Oracles: nobody else is inside when a thread enters (postcondition); at
 * quiescence the counter equals the critical sections run, the queue is
 * empty and nobody is inside (invariant); a thread that waits for ever is
 * the engine's deadlock verdict.
 *
 * Seeded misuse ck_mcs_shared_context: threads 0 and 1 queue with the same
 * context.  The second one's lock rewrites the context (locked = true,
 * next = NULL) while the first is queued or waiting on it, and swaps it
 * into the tail behind itself.  Explore finds three outcomes in a few runs:
 * both threads inside at once (corpus/regressions/ck_mcs_shared_context.mdt
 * has the schedule), a waiter nobody will wake (deadlock), and an unlock
 * that waits for ever for a successor to link itself (livelock).
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_ck_pr.h" /* first: ck's headers run on it */

#include <ck_spinlock.h>

#include "md_target.h"

static const struct md_mutant_info mcs_bugs[] = {
    {"ck_mcs_shared_context", "ck_spinlock_mcs", MD_DET_ORACLE,
     "(ck_spinlock_mcs target) two threads queue on an MCS lock with one context",
     "ck_spinlock_mcs(3): each thread locks with its own context"},
};

struct mcs {
	ck_spinlock_mcs_t queue;
	ck_spinlock_mcs_context_t *ctx; /* [n]: each thread's own */
	unsigned inside;		/* threads in the critical section */
	unsigned counter;		/* critical sections completed */
	unsigned n;			/* threads */
	unsigned *entered;		/* [n]: a thread's critical sections; its own */
	struct md_thread *t;		/* [n] */
	unsigned bug;			/* its seeded bug: 1 the misuse, 0 none */
};

/* X(ID, "name", "what it does and checks") */
#define MCS_OPS(X)                                                                                 \
	X(CS, "cs", "lock with this thread's context; check nobody else is inside; count; unlock") \
	X(TRY, "try", "trylock; when it succeeds, the same critical section")

enum {
#define MOP_ENUM(id, name, doc) MOP_##id,
	MCS_OPS(MOP_ENUM)
#undef MOP_ENUM
	    MOP__COUNT
};

static const struct md_op_desc mcs_op_desc[] = {
#define MOP_DESC(id, name, doc) {name, {NULL, NULL}, {0, 0}, {0, 0}, 1, doc},
    MCS_OPS(MOP_DESC)
#undef MOP_DESC
};

static const struct md_op_table mcs_table = {MOP__COUNT, mcs_op_desc};

static void mcs_destroy(void *inst, int clean);

static void *mcs_create(const struct md_target_cfg *cfg)
{
	struct mcs *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->n = cfg->nthreads;
	s->ctx = calloc(s->n, sizeof(*s->ctx));
	s->entered = calloc(s->n, sizeof(*s->entered));
	s->t = calloc(s->n, sizeof(*s->t));
	if (s->ctx == NULL || s->entered == NULL || s->t == NULL) {
		mcs_destroy(s, 1);
		return NULL;
	}
	ck_spinlock_mcs_init(&s->queue);
	s->bug = cfg->mutant;
	for (unsigned i = 0; i < s->n; i++)
		s->t[i].id = i;
	return s;
}

static struct md_thread *mcs_thread(void *inst, unsigned i)
{
	return &((struct mcs *)inst)->t[i];
}

/* MUTANT ck_mcs_shared_context: threads 0 and 1 queue with one context. */
static ck_spinlock_mcs_context_t *context(struct mcs *s, unsigned i)
{
	return &s->ctx[i == 1 && s->bug ? 0 : i];
}

/* Inside the lock: alone, and the counter's load and store are not torn apart. */
static int critical(struct mcs *s, unsigned i, char *msg, size_t len)
{
	unsigned others = ck_pr_faa_uint(&s->inside, 1);

	if (others) {
		snprintf(msg, len, "t%u entered the critical section with %u thread%s inside", i,
			 others, others > 1 ? "s" : "");
		return 1; /* leaves the lock held: the run ends here */
	}
	ck_pr_store_uint(&s->counter, ck_pr_load_uint(&s->counter) + 1);
	s->entered[i]++;
	ck_pr_dec_uint(&s->inside);
	return 0;
}

static int mcs_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct mcs *s = inst;
	ck_spinlock_mcs_context_t *c = context(s, i);

	if (op->code == MOP_TRY) {
		if (!ck_spinlock_mcs_trylock(&s->queue, c))
			return 0;
	} else {
		ck_spinlock_mcs_lock(&s->queue, c);
	}
	if (critical(s, i, msg, len))
		return 1;
	ck_spinlock_mcs_unlock(&s->queue, c);
	return 0;
}

/* Every thread is between ops: plain reads are safe. */
static int mcs_quiesce(void *inst, char *msg, size_t len)
{
	struct mcs *s = inst;
	unsigned total = 0;

	for (unsigned i = 0; i < s->n; i++)
		total += s->entered[i];
	if (s->counter != total)
		return snprintf(msg, len, "invariant: %u critical sections counted, %u run",
				s->counter, total),
		       1;
	if (s->queue != NULL || s->inside)
		return snprintf(msg, len, "invariant: the lock is %s with every thread outside",
				s->queue ? "still queued" : "marked occupied"),
		       1;
	return 0;
}

static void mcs_destroy(void *inst, int clean)
{
	struct mcs *s = inst;

	(void)clean; /* nothing shared outside the instance: always safe to free */
	free(s->ctx);
	free(s->entered);
	free(s->t);
	free(s);
}

const struct md_target md_target_ck_spinlock_mcs = {
    .name = "ck_spinlock_mcs",
    .ops = &mcs_table,
    .bugs = mcs_bugs,
    .nbugs = 1,
    .create = mcs_create,
    .thread = mcs_thread,
    .run_op = mcs_run_op,
    .quiesce = mcs_quiesce,
    .destroy = mcs_destroy,
};
