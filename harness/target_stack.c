// SPDX-License-Identifier: MIT
/*
 * target_stack.c - a Treiber stack on ck_pr, the second engine target.
 *
 * It proves the target interface hosts other lock-free code with one file,
 * and carries the classic seeded bug, stack_aba.  Four nodes live in an
 * array and are reused at once (no reclamation), so the ABA interleaving is
 * reachable in a few ops:
 *   1. t0 pop: reads head = A and A.next = B, is switched out before its CAS;
 *   2. t1 pops A, pops B, pushes A back: head = A again;
 *   3. t0's CAS(head, A, B) succeeds: B, held by t1, is on the stack again.
 * The head word is (generation << 32 | top + 1); every successful CAS bumps
 * the generation, so step 3 fails on the correct code.  The mutant keeps the
 * generation unchanged, which makes the CAS one on the bare pointer.
 *
 * Oracles: a pop must take a node nobody owns (postcondition); at the end
 * every node is either held by exactly the thread that owns it or on the
 * stack exactly once, unowned (quiescent invariant).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_atomic.h"
#include "md_mutant.h"
#include "md_target.h"

#define NODES	   4u
#define TSLOTS	   2u		   /* per logical thread */
#define NO_OWNER   0u		   /* owner is thread id + 1 */
#define TOP(h)	   ((uint32_t)(h)) /* node index + 1; 0: empty */
#define GEN(h)	   ((h) >> 32)
#define HEAD(g, i) ((uint64_t)(g) << 32 | (i))

struct node {
	uint32_t next;	/* index + 1 of the node below; written before the push CAS */
	uint32_t owner; /* plain: only its holder touches it */
};

struct stack {
	uint64_t head;
	unsigned n;
	struct node node[NODES];
	uint32_t held[MD_PROG_MAX_THREADS][TSLOTS]; /* index + 1; private to each thread */
	struct md_thread t[MD_PROG_MAX_THREADS];
};

/* X(ID, "name", "arg0", max0) */
#define STACK_OPS(X)                                                                               \
	X(PUSH, "push", "slot", TSLOTS - 1)                                                        \
	X(POP, "pop", "slot", TSLOTS - 1)

enum {
#define SOP_ENUM(id, name, a0, m0) SOP_##id,
	STACK_OPS(SOP_ENUM)
#undef SOP_ENUM
	    SOP__COUNT
};

static const struct md_op_desc stack_op_desc[] = {
#define SOP_DESC(id, name, a0, m0) {name, {a0, NULL}, {m0, 0}, {0, 0}},
    STACK_OPS(SOP_DESC)
#undef SOP_DESC
};

static const struct md_op_table stack_table = {SOP__COUNT, stack_op_desc};

static void *stack_create(unsigned nthreads, unsigned mutant)
{
	struct stack *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->n = nthreads;
	for (uint32_t i = 0; i < NODES; i++) /* 1 -> 2 -> 3 -> 4 */
		s->node[i].next = i + 1 < NODES ? i + 2 : 0;
	s->head = HEAD(0, 1);
	for (unsigned i = 0; i < nthreads; i++) {
		s->t[i].id = i;
		s->t[i].mutant = mutant;
	}
	return s;
}

static struct md_thread *stack_thread(void *inst, unsigned i)
{
	return &((struct stack *)inst)->t[i];
}

/* MUTANT stack_aba: the generation never changes, so the CAS compares the bare index. */
static uint64_t next_gen(struct md_thread *t, uint64_t h)
{
	return md_mutant(t, STACK_ABA) ? GEN(h) : GEN(h) + 1;
}

static void push(struct stack *s, struct md_thread *t, uint32_t top)
{
	uint64_t h = md_load_acquire64(t, MD_RP_STACK_HEAD, &s->head), seen;

	s->node[top - 1].owner = NO_OWNER;
	for (;;) {
		md_store_relaxed32(t, MD_RP_STACK_NEXT, &s->node[top - 1].next, TOP(h));
		if (md_cas_acqrel64(t, MD_RP_STACK_CAS, &s->head, h, HEAD(next_gen(t, h), top),
				    &seen))
			return;
		h = seen;
	}
}

/* The node popped (index + 1), 0 when empty. */
static uint32_t pop(struct stack *s, struct md_thread *t)
{
	uint64_t h = md_load_acquire64(t, MD_RP_STACK_HEAD, &s->head), seen;
	uint32_t next;

	while (TOP(h) != 0) {
		next = md_load_relaxed32(t, MD_RP_STACK_NEXT, &s->node[TOP(h) - 1].next);
		if (md_cas_acqrel64(t, MD_RP_STACK_CAS, &s->head, h, HEAD(next_gen(t, h), next),
				    &seen))
			return TOP(h);
		h = seen;
	}
	return 0;
}

static int stack_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct stack *s = inst;
	uint32_t *slot = &s->held[i][op->a], top;

	if (op->code == SOP_PUSH) {
		if (*slot)
			push(s, &s->t[i], *slot);
		*slot = 0;
		return 0;
	}
	if (*slot || (top = pop(s, &s->t[i])) == 0)
		return 0;
	if (s->node[top - 1].owner != NO_OWNER) {
		snprintf(msg, len, "pop: node %u is still held by t%u", top - 1,
			 s->node[top - 1].owner - 1);
		return 1;
	}
	s->node[top - 1].owner = i + 1;
	*slot = top;
	return 0;
}

static int stack_quiesce(void *inst, char *msg, size_t len)
{
	struct stack *s = inst;
	unsigned seen[NODES] = {0}, depth = 0;

	for (uint32_t top = TOP(s->head); top; top = s->node[top - 1].next) {
		if (++depth > NODES || seen[top - 1]++)
			return snprintf(msg, len, "invariant: the stack has a cycle at node %u",
					top - 1),
			       1;
		if (s->node[top - 1].owner != NO_OWNER)
			return snprintf(msg, len,
					"invariant: node %u is on the stack and held by t%u",
					top - 1, s->node[top - 1].owner - 1),
			       1;
	}
	for (unsigned i = 0; i < s->n; i++)
		for (unsigned k = 0; k < TSLOTS; k++)
			if (s->held[i][k] && seen[s->held[i][k] - 1]++)
				return snprintf(msg, len, "invariant: node %u is held twice",
						s->held[i][k] - 1),
				       1;
	for (unsigned k = 0; k < NODES; k++)
		if (seen[k] == 0)
			return snprintf(msg, len, "invariant: node %u is lost", k), 1;
	return 0;
}

static void stack_destroy(void *inst, int clean)
{
	(void)clean; /* no locks, nothing shared outside: always safe to free */
	free(inst);
}

const struct md_target md_target_stack = {
    .name = "stack",
    .ops = &stack_table,
    .create = stack_create,
    .thread = stack_thread,
    .run_op = stack_run_op,
    .quiesce = stack_quiesce,
    .destroy = stack_destroy,
};
