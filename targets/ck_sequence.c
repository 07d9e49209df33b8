// SPDX-License-Identifier: MIT
/*
 * ck_sequence.c - Concurrency Kit's sequence lock and FAS spinlock,
 * unmodified, as a target.
 *
 * <ck_sequence.h> and <ck_spinlock.h> are included as libck-dev ships them,
 * after the engine's ck_pr (md_ck_pr.h), so every ck_pr access of their
 * code is a race point.  Nothing of ck is copied or changed.
 *
 * A two-word record {a, b} is published under a ck_sequence.  The contract
 * tested is ck_sequence(3)'s: writers are serialized by the caller (here a
 * ck_spinlock_fas); readers retry while ck_sequence_read_retry() says the
 * record changed.  The record's words are accessed with ck_pr, as data a
 * sequence lock protects must be (a plain read racing a write is undefined
 * behaviour in C11, and a torn read must be schedulable).
 *
 * Oracles: a reader that got through read_retry saw a == b (postcondition);
 * at quiescence a == b, the sequence is even and the lock free (invariant).
 *
 * Seeded misuse ck_seq_unlocked_writers: writers skip the spinlock.  Two
 * writers' read-increment-store of the sequence interleave: one writes
 * while the sequence is even (a reader takes a half-written record as
 * stable), and an increment is lost, so the sequence stays odd with no
 * writer (every later reader spins for ever).  Explore finds both in a few
 * runs; corpus/regressions/ck_seq_unlocked_writers.mdt has a schedule.
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_ck_pr.h" /* first: ck's headers run on it */

#include <ck_sequence.h>
#include <ck_spinlock.h>

#include "md_target.h"

static const struct md_mutant_info seq_bugs[] = {
    {"ck_seq_unlocked_writers", "ck_sequence", MD_DET_ORACLE,
     "(ck_sequence target) writers of a ck_sequence skip the lock that serializes them",
     "ck_sequence(3): writers must be serialized by the caller"},
};

struct seq {
	struct ck_sequence sq;
	ck_spinlock_fas_t lock;
	unsigned a, b;	     /* the record: a == b when consistent */
	unsigned n;	     /* threads */
	unsigned *writes;    /* [n]: a writer's writes so far; its own */
	struct md_thread *t; /* [n] */
	unsigned bug;	     /* its seeded bug: 1 the misuse, 0 none */
};

/* X(ID, "name", "what it does and checks") */
#define SEQ_OPS(X)                                                                                 \
	X(WRITE, "write", "lock; write_begin; a = b = a new value; write_end; unlock")             \
	X(READ, "read", "read a and b until read_retry passes; check a == b")

enum {
#define QOP_ENUM(id, name, doc) QOP_##id,
	SEQ_OPS(QOP_ENUM)
#undef QOP_ENUM
	    QOP__COUNT
};

static const struct md_op_desc seq_op_desc[] = {
#define QOP_DESC(id, name, doc) {name, {NULL, NULL}, {0, 0}, {0, 0}, 1, doc},
    SEQ_OPS(QOP_DESC)
#undef QOP_DESC
};

static const struct md_op_table seq_table = {QOP__COUNT, seq_op_desc};

static void seq_destroy(void *inst, int clean);

static void *seq_create(const struct md_target_cfg *cfg)
{
	struct seq *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->n = cfg->nthreads;
	s->writes = calloc(s->n, sizeof(*s->writes));
	s->t = calloc(s->n, sizeof(*s->t));
	if (s->writes == NULL || s->t == NULL) {
		seq_destroy(s, 1);
		return NULL;
	}
	ck_sequence_init(&s->sq);
	ck_spinlock_fas_init(&s->lock);
	s->bug = cfg->mutant;
	for (unsigned i = 0; i < s->n; i++)
		s->t[i].id = i;
	return s;
}

static struct md_thread *seq_thread(void *inst, unsigned i)
{
	return &((struct seq *)inst)->t[i];
}

/* MUTANT ck_seq_unlocked_writers: writers are not serialized. */
static void seq_write(struct seq *s, unsigned i)
{
	int locked = !s->bug;
	unsigned v = (i + 1) << 16 | ++s->writes[i]; /* never 0, unique per write */

	if (locked)
		ck_spinlock_fas_lock(&s->lock);
	ck_sequence_write_begin(&s->sq);
	ck_pr_store_uint(&s->a, v);
	ck_pr_store_uint(&s->b, v);
	ck_sequence_write_end(&s->sq);
	if (locked)
		ck_spinlock_fas_unlock(&s->lock);
}

static int seq_read(struct seq *s, char *msg, size_t len)
{
	unsigned version, a, b;

	do {
		version = ck_sequence_read_begin(&s->sq);
		a = ck_pr_load_uint(&s->a);
		b = ck_pr_load_uint(&s->b);
	} while (ck_sequence_read_retry(&s->sq, version));
	if (a == b)
		return 0;
	snprintf(msg, len, "read: a torn record: a = %#x, b = %#x at version %u", a, b, version);
	return 1;
}

static int seq_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct seq *s = inst;

	if (op->code == QOP_WRITE) {
		seq_write(s, i);
		return 0;
	}
	return seq_read(s, msg, len);
}

/* Every thread is between ops: plain reads are safe. */
static int seq_quiesce(void *inst, char *msg, size_t len)
{
	struct seq *s = inst;

	if (s->a != s->b)
		return snprintf(msg, len, "invariant: torn record a = %#x, b = %#x", s->a, s->b), 1;
	if (s->sq.sequence & 1)
		return snprintf(msg, len, "invariant: sequence %u is odd with no writer",
				s->sq.sequence),
		       1;
	if (s->lock.value)
		return snprintf(msg, len, "invariant: the writers' lock is held by no one"), 1;
	return 0;
}

static void seq_destroy(void *inst, int clean)
{
	struct seq *s = inst;

	(void)clean; /* nothing shared outside the instance: always safe to free */
	free(s->writes);
	free(s->t);
	free(s);
}

const struct md_target md_target_ck_sequence = {
    .name = "ck_sequence",
    .ops = &seq_table,
    .bugs = seq_bugs,
    .nbugs = 1,
    .create = seq_create,
    .thread = seq_thread,
    .run_op = seq_run_op,
    .quiesce = seq_quiesce,
    .destroy = seq_destroy,
};
