// SPDX-License-Identifier: MIT
/*
 * md_mutate.c - the operators.
 *
 * Invariant: every operator maps a valid program to a valid one (thread
 * ids < nthreads, codes and arguments in range, sizes within the limits);
 * tests/test_mutate.c checks it on 100,000 mutations.
 */
#include <string.h>

#include "md_rand.h"
#include "md_mutate.h"

static uint32_t rand_arg(const struct md_op_desc *d, unsigned i, uint64_t *rng)
{
	return d->arg[i] ? (uint32_t)(md_rand(rng) % (d->max[i] + 1u)) : 0;
}

static void rand_op(struct md_op *o, const struct md_op_table *t, unsigned nthreads, uint64_t *rng)
{
	const struct md_op_desc *d;

	o->thread = (uint8_t)(md_rand(rng) % nthreads);
	o->code = (uint8_t)(md_rand(rng) % t->nops);
	d = &t->op[o->code];
	o->a = rand_arg(d, 0, rng);
	o->b = rand_arg(d, 1, rng);
}

static int insert_op(struct md_prog *p, const struct md_op_table *t, uint64_t *rng)
{
	unsigned at;

	if (p->nops == MD_PROG_MAX_OPS)
		return -1;
	at = (unsigned)(md_rand(rng) % (p->nops + 1));
	memmove(&p->op[at + 1], &p->op[at], (p->nops - at) * sizeof(p->op[0]));
	rand_op(&p->op[at], t, p->nthreads, rng);
	p->nops++;
	return 0;
}

static int delete_op(struct md_prog *p, uint64_t *rng)
{
	unsigned at;

	if (p->nops == 0)
		return -1;
	at = (unsigned)(md_rand(rng) % p->nops);
	memmove(&p->op[at], &p->op[at + 1], (p->nops - at - 1) * sizeof(p->op[0]));
	p->nops--;
	return 0;
}

static int swap_ops(struct md_prog *p, uint64_t *rng)
{
	unsigned i, j;
	struct md_op tmp;

	if (p->nops < 2)
		return -1;
	i = (unsigned)(md_rand(rng) % p->nops);
	j = (unsigned)(md_rand(rng) % p->nops);
	tmp = p->op[i];
	p->op[i] = p->op[j];
	p->op[j] = tmp;
	return 0;
}

static int replace_op(struct md_prog *p, const struct md_op_table *t, uint64_t *rng)
{
	struct md_op *o;
	uint8_t th;

	if (p->nops == 0)
		return -1;
	o = &p->op[md_rand(rng) % p->nops];
	th = o->thread;
	rand_op(o, t, p->nthreads, rng);
	o->thread = th; /* same thread, another op */
	return 0;
}

/* An argument nudged by +-1 (wrapping in range) or redrawn. */
static int change_arg(struct md_prog *p, const struct md_op_table *t, uint64_t *rng)
{
	const struct md_op_desc *d;
	struct md_op *o;
	uint64_t r = md_rand(rng);
	unsigned i = (unsigned)(r & 1), span;
	uint32_t *v;

	if (p->nops == 0)
		return -1;
	o = &p->op[(r >> 1) % p->nops];
	d = &t->op[o->code];
	if (d->arg[i] == NULL)
		i ^= 1;
	if (d->arg[i] == NULL)
		return -1;
	v = i ? &o->b : &o->a;
	span = d->max[i] + 1u;
	switch ((r >> 8) % 3) {
	case 0:
		*v = (*v + 1u) % span;
		break;
	case 1:
		*v = (*v + span - 1u) % span;
		break;
	default:
		*v = rand_arg(d, i, rng);
	}
	return 0;
}

static int move_op(struct md_prog *p, uint64_t *rng)
{
	if (p->nops == 0 || p->nthreads < 2)
		return -1;
	p->op[md_rand(rng) % p->nops].thread = (uint8_t)(md_rand(rng) % p->nthreads);
	return 0;
}

static int add_thread(struct md_prog *p, uint64_t *rng)
{
	if (p->nthreads == MD_PROG_MAX_THREADS || p->nops == 0)
		return -1;
	p->op[md_rand(rng) % p->nops].thread = (uint8_t)p->nthreads++;
	return 0;
}

/* Flip, insert, delete or zero a run of schedule decisions. */
static void mutate_sched(struct md_prog *p, uint64_t *rng)
{
	uint64_t r = md_rand(rng);
	size_t at = p->nsched ? (size_t)(r >> 8) % p->nsched : 0, n;

	switch (r % 4) {
	case 0:
		if (p->nsched) {
			p->sched[at] = (uint8_t)md_rand(rng);
			break;
		}
		/* fall through: nothing to flip, grow instead */
	case 1:
		if (p->nsched == MD_PROG_MAX_SCHED)
			break;
		memmove(&p->sched[at + 1], &p->sched[at], p->nsched - at);
		p->sched[at] = (uint8_t)md_rand(rng);
		p->nsched++;
		break;
	case 2:
		if (p->nsched == 0)
			break;
		memmove(&p->sched[at], &p->sched[at + 1], p->nsched - at - 1);
		p->nsched--;
		break;
	default:
		n = 1 + (size_t)(md_rand(rng) % 16);
		if (at + n > p->nsched)
			n = p->nsched - at;
		memset(&p->sched[at], (int)(md_rand(rng) & 1), n);
	}
}

static unsigned pick(uint64_t *rng)
{
	static const unsigned w[] = {
#define MD_MUTATOR_W(id, name, wt) wt,
	    MD_MUTATORS(MD_MUTATOR_W)
#undef MD_MUTATOR_W
	};
	unsigned total = 0, k = 0;
	uint64_t r;

	for (unsigned i = 0; i < MD_MUT_OP__COUNT; i++)
		total += w[i];
	r = md_rand(rng) % total;
	while (r >= w[k])
		r -= w[k++];
	return k;
}

unsigned md_mutate(struct md_prog *p, const struct md_op_table *t, uint64_t *rng)
{
	unsigned op = pick(rng);
	int r = -1;

	switch (op) {
	case MD_MUT_OP_INSERT_OP:
		r = insert_op(p, t, rng);
		break;
	case MD_MUT_OP_DELETE_OP:
		r = delete_op(p, rng);
		break;
	case MD_MUT_OP_SWAP_OPS:
		r = swap_ops(p, rng);
		break;
	case MD_MUT_OP_REPLACE_OP:
		r = replace_op(p, t, rng);
		break;
	case MD_MUT_OP_CHANGE_ARG:
		r = change_arg(p, t, rng);
		break;
	case MD_MUT_OP_MOVE_OP:
		r = move_op(p, rng);
		break;
	case MD_MUT_OP_ADD_THREAD:
		r = add_thread(p, rng);
		break;
	}
	if (r == 0)
		return op;
	mutate_sched(p, rng);
	return MD_MUT_OP_MUTATE_SCHED;
}

void md_crossover(struct md_prog *out, const struct md_prog *a, const struct md_prog *b,
		  uint64_t *rng)
{
	unsigned cut = (unsigned)(md_rand(rng) % (a->nthreads + 1u)), nb = 0;
	size_t keep;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < a->nops; i++)
		if (a->op[i].thread < cut)
			out->op[out->nops++] = a->op[i];
	for (unsigned i = 0; i < b->nops && out->nops < MD_PROG_MAX_OPS; i++) {
		struct md_op o = b->op[i];
		unsigned th = cut + o.thread;

		if (th >= MD_PROG_MAX_THREADS)
			continue;
		o.thread = (uint8_t)th;
		out->op[out->nops++] = o;
		nb = th + 1 > nb ? th + 1 : nb;
	}
	out->nthreads = nb > cut ? nb : cut ? cut : 1;
	keep = a->nsched ? (size_t)(md_rand(rng) % (a->nsched + 1)) : 0;
	memcpy(out->sched, a->sched, keep);
	out->nsched = keep;
	if (b->nsched > keep) {
		memcpy(out->sched + keep, b->sched + keep, b->nsched - keep);
		out->nsched = b->nsched;
	}
}

const char *md_mutator_name(unsigned op)
{
	static const char *const names[] = {
#define MD_MUTATOR_NAME(id, name, w) name,
	    MD_MUTATORS(MD_MUTATOR_NAME)
#undef MD_MUTATOR_NAME
	};

	return op < MD_MUT_OP__COUNT ? names[op] : "?";
}
