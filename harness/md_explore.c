// SPDX-License-Identifier: MIT
/*
 * md_explore.c - program generation for explore and stress --rounds: swarm
 * testing over a target's op table, arguments meeting on focus objects.
 * Deterministic in the caller's random state; no I/O.
 */
#include <stddef.h>
#include <string.h>

#include "md_explore.h"
#include "md_rand.h"

/* A random valid program: @nthreads threads of @nops ops each. */
/*
 * An argument: uniform one time in four; else, for an argument with a hot
 * range, one of the program's two focus values in it (so that ops of
 * different threads meet on the same object) or anywhere in the range.
 */
static uint8_t gen_arg(const struct md_op_desc *d, unsigned i, const uint8_t *focus, uint64_t *rng)
{
	uint64_t r = md_rand(rng);
	unsigned span;

	if (d->arg[i] == NULL)
		return 0;
	if ((r & 3) == 0)
		return (uint8_t)((r >> 4) % (d->max[i] + 1u));
	span = d->max[i] - d->hot[i] + 1u;
	if ((r & 3) == 3)
		return (uint8_t)(d->hot[i] + (r >> 4) % span);
	return (uint8_t)(d->hot[i] + focus[(r >> 2) & 1] % span);
}

/*
 * Swarm testing (Groce et al., ISSTA 2012): each program draws on a random
 * half of the ops, so the ops a race needs appear several times together
 * instead of diluted among all the others.
 */
static unsigned swarm(const struct md_op_table *t, unsigned *codes, uint64_t *rng)
{
	uint64_t mask = md_rand(rng);
	unsigned n = 0;

	for (unsigned c = 0; c < t->nops; c++)
		if (mask >> c & 1)
			codes[n++] = c;
	if (n == 0)
		codes[n++] = (unsigned)(mask >> 32) % t->nops;
	return n;
}

/* An op code drawn by @weights. */
static unsigned weighted(const struct md_op_table *t, const unsigned *weights, uint64_t *rng)
{
	uint64_t total = 0, r;
	unsigned c = 0;

	for (unsigned k = 0; k < t->nops; k++)
		total += weights[k];
	r = md_rand(rng) % total;
	while (r >= weights[c])
		r -= weights[c++];
	return c;
}

void md_explore_gen(struct md_prog *p, const struct md_op_table *t, const unsigned *weights,
		    unsigned nthreads, unsigned nops, uint64_t *rng)
{
	uint8_t focus[2] = {(uint8_t)md_rand(rng), (uint8_t)md_rand(rng)};
	unsigned codes[MD_PROG_MAX_CODES], ncodes = weights ? 0 : swarm(t, codes, rng);

	/* all but the schedule bytes, which nsched = 0 makes unused: 4 KiB a run saved */
	memset(p, 0, offsetof(struct md_prog, sched));
	p->nthreads = nthreads;
	for (unsigned th = 0; th < nthreads; th++)
		for (unsigned i = 0; i < nops && p->nops < MD_PROG_MAX_OPS; i++) {
			struct md_op *o = &p->op[p->nops++];
			const struct md_op_desc *d;

			o->thread = (uint8_t)th;
			o->code = (uint8_t)(weights ? weighted(t, weights, rng)
						    : codes[md_rand(rng) % ncodes]);
			d = &t->op[o->code];
			o->a = gen_arg(d, 0, focus, rng);
			o->b = gen_arg(d, 1, focus, rng);
		}
}
