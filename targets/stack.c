// SPDX-License-Identifier: MIT
/*
 * stack.c - a Treiber stack on ck_pr, the second engine target.
 *
 * It proves the target interface hosts other lock-free code with one file,
 * and carries the classic seeded bug, stack_aba.  Four nodes (the small
 * instance; stress's size gives more) live in an array and are reused at
 * once (no reclamation), so the ABA interleaving is reachable in a few ops:
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
#include "md_target.h"

#define NODES	   4u		   /* in the small instance */
#define TSLOTS	   2u		   /* per logical thread */
#define NO_OWNER   0u		   /* owner is thread id + 1 */
#define TOP(h)	   ((uint32_t)(h)) /* node index + 1; 0: empty */
#define GEN(h)	   ((h) >> 32)
#define HEAD(g, i) ((uint64_t)(g) << 32 | (i))

struct node {
	uint32_t next;	/* index + 1 of the node below; written before the push CAS */
	uint32_t owner; /* plain: only its holder touches it */
};

/* its race points: X(ID, "name") */
#define STACK_RPS(X) X(HEAD, "stack.head") X(NEXT, "stack.next") X(CAS, "stack.cas")

enum {
#define SRP_ENUM(id, name) SRP_##id,
	STACK_RPS(SRP_ENUM)
#undef SRP_ENUM
	    SRP__COUNT
};

static const char *const stack_rp_names[] = {
#define SRP_NAME(id, name) name,
    STACK_RPS(SRP_NAME)
#undef SRP_NAME
};

/* its seeded bugs: the instance's bug is one of these (1-based), 0 none */
enum { BUG_NONE, BUG_ABA };

static const struct md_mutant_info stack_bugs[] = {
    {"stack_aba", "stack", MD_DET_ORACLE,
     "(stack target) the Treiber stack CASes the bare top index: no generation tag",
     "the ABA problem: IBM System/370 Principles of Operation, CAS appendix"},
};

struct stack {
	uint64_t head;
	unsigned rp;		  /* race point ids: rp + SRP_* */
	unsigned bug;		  /* BUG_*: its seeded bug */
	unsigned n;		  /* threads */
	uint32_t nodes;		  /* nodes */
	struct node *node;	  /* [nodes] */
	uint32_t (*held)[TSLOTS]; /* [n]: index + 1; private to each thread */
	struct md_thread *t;	  /* [n] */
};

/* X(ID, "name", "arg0", max0, "what it does and checks") */
#define STACK_OPS(X)                                                                               \
	X(PUSH, "push", "slot", TSLOTS - 1, "push the node this thread holds in a slot")           \
	X(POP, "pop", "slot", TSLOTS - 1, "pop a node into an empty slot; check nobody holds it")

enum {
#define SOP_ENUM(id, name, a0, m0, doc) SOP_##id,
	STACK_OPS(SOP_ENUM)
#undef SOP_ENUM
	    SOP__COUNT
};

static const struct md_op_desc stack_op_desc[] = {
#define SOP_DESC(id, name, a0, m0, doc) {name, {a0, NULL}, {m0, 0}, {0, 0}, 1, doc},
    STACK_OPS(SOP_DESC)
#undef SOP_DESC
};

static const struct md_op_table stack_table = {SOP__COUNT, stack_op_desc};

static void stack_destroy(void *inst, int clean);

/* @cfg->size nodes (at least two per thread), or the small instance's four. */
static void *stack_create(const struct md_target_cfg *cfg)
{
	struct stack *s = calloc(1, sizeof(*s));
	uint64_t want = cfg->size ? cfg->size : NODES;

	if (s == NULL)
		return NULL;
	s->n = cfg->nthreads;
	s->nodes = (uint32_t)(want < UINT32_MAX / 2 ? want : UINT32_MAX / 2);
	s->node = calloc(s->nodes, sizeof(*s->node));
	s->held = calloc(s->n, sizeof(*s->held));
	s->t = calloc(s->n, sizeof(*s->t));
	if (s->node == NULL || s->held == NULL || s->t == NULL) {
		stack_destroy(s, 1);
		return NULL;
	}
	for (uint32_t i = 0; i < s->nodes; i++) /* 1 -> 2 -> ... -> nodes */
		s->node[i].next = i + 1 < s->nodes ? i + 2 : 0;
	s->head = HEAD(0, 1);
	s->rp = cfg->rp_base;
	s->bug = cfg->mutant;
	for (unsigned i = 0; i < s->n; i++)
		s->t[i].id = i;
	return s;
}

static struct md_thread *stack_thread(void *inst, unsigned i)
{
	return &((struct stack *)inst)->t[i];
}

/* MUTANT stack_aba: the generation never changes, so the CAS compares the bare index. */
static uint64_t next_gen(const struct stack *s, uint64_t h)
{
	return s->bug == BUG_ABA ? GEN(h) : GEN(h) + 1;
}

static void push(struct stack *s, struct md_thread *t, uint32_t top)
{
	uint64_t h = md_load_acquire64(t, s->rp + SRP_HEAD, &s->head), seen;

	s->node[top - 1].owner = NO_OWNER;
	for (;;) {
		md_store_relaxed32(t, s->rp + SRP_NEXT, &s->node[top - 1].next, TOP(h));
		if (md_cas_acqrel64(t, s->rp + SRP_CAS, &s->head, h, HEAD(next_gen(s, h), top),
				    &seen))
			return;
		h = seen;
	}
}

/* The node popped (index + 1), 0 when empty. */
static uint32_t pop(struct stack *s, struct md_thread *t)
{
	uint64_t h = md_load_acquire64(t, s->rp + SRP_HEAD, &s->head), seen;
	uint32_t next;

	while (TOP(h) != 0) {
		next = md_load_relaxed32(t, s->rp + SRP_NEXT, &s->node[TOP(h) - 1].next);
		if (md_cas_acqrel64(t, s->rp + SRP_CAS, &s->head, h, HEAD(next_gen(s, h), next),
				    &seen))
			return TOP(h);
		h = seen;
	}
	return 0;
}

static int stack_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct stack *s = inst;
	uint32_t *slot = &s->held[i][op->a % TSLOTS], top;

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

/* Every node on the stack once, unowned, or held by exactly one thread. */
static int check_nodes(struct stack *s, unsigned char *seen, char *msg, size_t len)
{
	uint32_t depth = 0;

	if (seen == NULL)
		return snprintf(msg, len, "invariant check: out of memory"), 1;
	for (uint32_t top = TOP(s->head); top; top = s->node[top - 1].next) {
		if (++depth > s->nodes || seen[top - 1]++)
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
	for (uint32_t k = 0; k < s->nodes; k++)
		if (seen[k] == 0)
			return snprintf(msg, len, "invariant: node %u is lost", k), 1;
	return 0;
}

static int stack_quiesce(void *inst, char *msg, size_t len)
{
	struct stack *s = inst;
	unsigned char *seen = calloc(s->nodes, 1);
	int ret = check_nodes(s, seen, msg, len);

	free(seen);
	return ret;
}

static void stack_destroy(void *inst, int clean)
{
	struct stack *s = inst;

	(void)clean; /* no locks, nothing shared outside: always safe to free */
	free(s->node);
	free(s->held);
	free(s->t);
	free(s);
}

const struct md_target md_target_stack = {
    .name = "stack",
    .ops = &stack_table,
    .race_points = stack_rp_names,
    .nrace_points = SRP__COUNT,
    .bugs = stack_bugs,
    .nbugs = 1,
    .create = stack_create,
    .thread = stack_thread,
    .run_op = stack_run_op,
    .quiesce = stack_quiesce,
    .destroy = stack_destroy,
};
