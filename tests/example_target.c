// SPDX-License-Identifier: MIT
/*
 * example.c - a target as a user writes one: a shared counter bumped with a
 * ck_pr CAS loop.  tests/target_drop.sh copies this file into a copy of
 * the tree as targets/example.c and builds and drives it with no other
 * edit: that is the whole of hosting code.  (Not in targets/ itself: it is
 * not one of mdtorture's targets.)
 *
 * Oracle: at quiescence the counter equals the increments made.
 * Seeded bug example_lost_update: the increment is a load, then a store.
 *   1. t0 inc: loads 0, is switched out before storing 1;
 *   2. t1 inc: loads 0, stores 1;
 *   3. t0 stores 1: two increments, counter 1 (invariant).
 */
#include <stdio.h>
#include <stdlib.h>

#include "md_ck_pr.h" /* first: ck_pr's API as race points */
#include "md_target.h"

struct counter {
	unsigned value;
	unsigned n;	     /* threads */
	unsigned *incs;	     /* [n]: increments made by each; its own */
	unsigned bug;	     /* 1: example_lost_update */
	struct md_thread *t; /* [n] */
};

static const struct md_op_desc example_ops[] = {
    {"inc", {NULL, NULL}, {0, 0}, {0, 0}, 1, "add one to the counter"},
};

static const struct md_op_table example_table = {1, example_ops};

static const struct md_mutant_info example_bugs[] = {
    {"example_lost_update", "example", MD_DET_ORACLE, "(example target) a load then a store",
     "a lost update"},
};

static void example_destroy(void *inst, int clean)
{
	struct counter *c = inst;

	(void)clean;
	free(c->incs);
	free(c->t);
	free(c);
}

static void *example_create(const struct md_target_cfg *cfg)
{
	struct counter *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->n = cfg->nthreads;
	c->bug = cfg->mutant;
	c->incs = calloc(c->n, sizeof(*c->incs));
	c->t = calloc(c->n, sizeof(*c->t));
	if (c->incs == NULL || c->t == NULL) {
		example_destroy(c, 1);
		return NULL;
	}
	for (unsigned i = 0; i < c->n; i++)
		c->t[i].id = i;
	return c;
}

static struct md_thread *example_thread(void *inst, unsigned i)
{
	return &((struct counter *)inst)->t[i];
}

static int example_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct counter *c = inst;
	unsigned v;

	(void)op;
	(void)msg;
	(void)len;
	if (c->bug) {
		v = ck_pr_load_uint(&c->value);
		ck_pr_store_uint(&c->value, v + 1);
	} else {
		do
			v = ck_pr_load_uint(&c->value);
		while (!ck_pr_cas_uint(&c->value, v, v + 1));
	}
	c->incs[i]++;
	return 0;
}

static int example_quiesce(void *inst, char *msg, size_t len)
{
	struct counter *c = inst;
	unsigned total = 0;

	for (unsigned i = 0; i < c->n; i++)
		total += c->incs[i];
	if (c->value == total)
		return 0;
	snprintf(msg, len, "invariant: counter %u after %u increments", c->value, total);
	return 1;
}

const struct md_target md_target_example = {
    .name = "example",
    .ops = &example_table,
    .bugs = example_bugs,
    .nbugs = 1,
    .create = example_create,
    .thread = example_thread,
    .run_op = example_run_op,
    .quiesce = example_quiesce,
    .destroy = example_destroy,
};
