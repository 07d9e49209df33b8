// SPDX-License-Identifier: MIT
/*
 * ck_ring.c - Concurrency Kit's SPSC ring, unmodified, as a target.
 *
 * <ck_ring.h> is included as libck-dev ships it, after the engine's ck_pr
 * (md_ck_pr.h), so every ck_pr access of the ring's own code is a race
 * point.  Nothing of ck is copied or changed.
 *
 * The contract tested is ck_ring_enqueue_spsc(3)'s: one producer and one
 * consumer.  Thread 0 produces and thread 1 consumes; an op of the other
 * role on a thread does nothing.  Values are (producer + 1) << 40 | n, n
 * counting that producer's successful enqueues.
 *
 * Oracles: a dequeue returns the next value of its producer, neither an
 * older one, nor a newer one (a lost value), nor garbage (postcondition);
 * at quiescence the ring holds exactly each producer's values not yet
 * dequeued, in order (invariant).
 *
 * Seeded misuse ck_ring_two_producers: every thread but the consumer
 * enqueues with the SPSC call.  Two producers read the same tail, write the
 * same slot and both commit tail + 1: two successful enqueues, one value
 * (corpus/regressions/ck_ring_two_producers.mdt has the schedule).
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_ck_pr.h" /* first: ck_ring.h runs on it */

#include <ck_ring.h>

#include "md_target.h"

#define RING_SIZE   4u /* the small instance: 3 entries (ck_ring keeps one free) */
#define PRODUCER    0u
#define CONSUMER    1u
#define NBITS	    40 /* a producer's count: values are (producer + 1) << 40 | count */
#define VALUE(p, n) ((uintptr_t)((p) + 1) << NBITS | (n))

static const struct md_mutant_info ring_bugs[] = {
    {"ck_ring_two_producers", "ck_ring", MD_DET_ORACLE,
     "(ck_ring target) two threads enqueue with ck_ring_enqueue_spsc: one producer only",
     "ck_ring_enqueue_spsc(3): a ring's SPSC calls allow one producer and one consumer"},
};

struct ring {
	struct ck_ring r;
	struct ck_ring_buffer *buf;
	unsigned size;
	unsigned n;	     /* threads */
	uint64_t *next;	     /* [n]: a producer's successful enqueues; its own */
	uint64_t *taken;     /* [n]: values of each producer dequeued; the consumer's */
	struct md_thread *t; /* [n] */
	unsigned bug;	     /* its seeded bug: 1 the misuse, 0 none */
};

/* X(ID, "name", "what it does and checks") */
#define RING_OPS(X)                                                                                \
	X(ENQ, "enq", "producer: ck_ring_enqueue_spsc its next value (full: nothing)")             \
	X(DEQ, "deq", "consumer: ck_ring_dequeue_spsc; check the value is its producer's next")

enum {
#define ROP_ENUM(id, name, doc) ROP_##id,
	RING_OPS(ROP_ENUM)
#undef ROP_ENUM
	    ROP__COUNT
};

static const struct md_op_desc ring_op_desc[] = {
#define ROP_DESC(id, name, doc) {name, {NULL, NULL}, {0, 0}, {0, 0}, 1, doc},
    RING_OPS(ROP_DESC)
#undef ROP_DESC
};

static const struct md_op_table ring_table = {ROP__COUNT, ring_op_desc};

static void ring_destroy(void *inst, int clean);

/* @cfg->size entries rounded up to a power of two, or the small instance's. */
static void *ring_create(const struct md_target_cfg *cfg)
{
	struct ring *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->size = RING_SIZE;
	while (cfg->size && s->size < cfg->size && s->size < (1u << 20))
		s->size <<= 1;
	s->n = cfg->nthreads;
	s->buf = calloc(s->size, sizeof(*s->buf));
	s->next = calloc(s->n, sizeof(*s->next));
	s->taken = calloc(s->n, sizeof(*s->taken));
	s->t = calloc(s->n, sizeof(*s->t));
	if (s->buf == NULL || s->next == NULL || s->taken == NULL || s->t == NULL) {
		ring_destroy(s, 1);
		return NULL;
	}
	ck_ring_init(&s->r, s->size);
	s->bug = cfg->mutant;
	for (unsigned i = 0; i < s->n; i++)
		s->t[i].id = i;
	return s;
}

static struct md_thread *ring_thread(void *inst, unsigned i)
{
	return &((struct ring *)inst)->t[i];
}

/* MUTANT ck_ring_two_producers: any thread but the consumer produces. */
static int produces(struct ring *s, unsigned i)
{
	return i == PRODUCER || (i != CONSUMER && s->bug);
}

/*
 * The count goes up before the value is in the ring, so the consumer never
 * sees a value its producer has not counted yet.  next[] and taken[] are
 * the oracle's bookkeeping, not code under test: atomics with no race point.
 */
static int enq(struct ring *s, unsigned i)
{
	uint64_t n = s->next[i]; /* only thread @i writes it */

	if (!produces(s, i))
		return 0;
	__atomic_store_n(&s->next[i], n + 1, __ATOMIC_RELAXED);
	if (!ck_ring_enqueue_spsc(&s->r, s->buf, (void *)VALUE(i, n)))
		__atomic_store_n(&s->next[i], n, __ATOMIC_RELAXED); /* full */
	return 0;
}

/* Is @v the next value of its producer?  0, or 1 with why in @msg. */
static int check_next(struct ring *s, uintptr_t v, const char *who, char *msg, size_t len)
{
	uintptr_t p = (v >> NBITS) - 1, n = v & (((uintptr_t)1 << NBITS) - 1);

	if (v >> NBITS == 0 || p >= s->n || n >= __atomic_load_n(&s->next[p], __ATOMIC_RELAXED))
		return snprintf(msg, len, "%s: value %#lx was never enqueued", who,
				(unsigned long)v),
		       1;
	if (n != s->taken[p])
		return snprintf(msg, len, "%s: t%lu's value %lu, expected %llu (%s)", who,
				(unsigned long)p, (unsigned long)n, (unsigned long long)s->taken[p],
				n > s->taken[p] ? "a value was lost" : "out of order or twice"),
		       1;
	s->taken[p]++;
	return 0;
}

static int deq(struct ring *s, unsigned i, char *msg, size_t len)
{
	void *v;

	if (i != CONSUMER || !ck_ring_dequeue_spsc(&s->r, s->buf, &v))
		return 0;
	return check_next(s, (uintptr_t)v, "deq", msg, len);
}

static int ring_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct ring *s = inst;

	return op->code == ROP_ENQ ? enq(s, i) : deq(s, i, msg, len);
}

/*
 * The entries between c_head and p_tail, read from ck_ring's public struct
 * (every thread is between ops), are each producer's undequeued values in
 * order; afterwards every producer's values are all accounted for.
 */
static int ring_quiesce(void *inst, char *msg, size_t len)
{
	struct ring *s = inst;
	uint64_t *taken = malloc(s->n * sizeof(*taken));
	int ret = 0;

	if (taken == NULL)
		return snprintf(msg, len, "invariant check: out of memory"), 1;
	for (unsigned p = 0; p < s->n; p++)
		taken[p] = s->taken[p];
	for (unsigned k = s->r.c_head; k != s->r.p_tail && !ret; k++)
		ret = check_next(s, (uintptr_t)s->buf[k & s->r.mask].value, "invariant: ring", msg,
				 len);
	for (unsigned p = 0; p < s->n && !ret; p++)
		if (s->taken[p] != s->next[p])
			ret = (snprintf(
				   msg, len,
				   "invariant: t%u enqueued %llu values, the ring and the consumer "
				   "account for %llu",
				   p, (unsigned long long)s->next[p],
				   (unsigned long long)s->taken[p]),
			       1);
	for (unsigned p = 0; p < s->n; p++)
		s->taken[p] = taken[p]; /* checking consumed nothing */
	free(taken);
	return ret;
}

static void ring_destroy(void *inst, int clean)
{
	struct ring *s = inst;

	(void)clean; /* nothing shared outside the instance: always safe to free */
	free(s->buf);
	free(s->next);
	free(s->taken);
	free(s->t);
	free(s);
}

const struct md_target md_target_ck_ring = {
    .name = "ck_ring",
    .ops = &ring_table,
    .bugs = ring_bugs,
    .nbugs = 1,
    .create = ring_create,
    .thread = ring_thread,
    .run_op = ring_run_op,
    .quiesce = ring_quiesce,
    .destroy = ring_destroy,
};
