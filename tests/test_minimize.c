// SPDX-License-Identifier: MIT
/*
 * Unit tests: md_minimize() (harness/md_minimize.h) with synthetic
 * predicates, no engine: it keeps exactly what the failure needs, drops a
 * failing thread's tail first, shrinks the schedule to what matters and
 * never returns a larger program, even when every smaller one fails only
 * under a longer schedule.
 */
#include "md_minimize.h"
#include "tap.h"

/* @n random ops over @threads threads, op codes 0..9, and a random schedule. */
static void random_prog(struct md_prog *p, unsigned threads, unsigned n, uint64_t *rng)
{
	memset(p, 0, sizeof(*p));
	p->nthreads = threads;
	for (unsigned i = 0; i < n; i++) {
		p->op[i] =
		    (struct md_op){(uint8_t)(md_rand(rng) % threads), (uint8_t)(md_rand(rng) % 10),
				   (uint32_t)(md_rand(rng) % 8), (uint32_t)(md_rand(rng) % 8)};
	}
	p->nops = n;
	p->nsched = 40;
	for (unsigned i = 0; i < p->nsched; i++)
		p->sched[i] = (uint8_t)(md_rand(rng) % 3);
}

/* Does some thread run op 3 (arg a = 5) and another thread op 7? */
static int has_pair(const struct md_prog *p)
{
	for (unsigned i = 0; i < p->nops; i++)
		for (unsigned j = 0; j < p->nops; j++)
			if (p->op[i].code == 3 && p->op[i].a == 5 && p->op[j].code == 7 &&
			    p->op[i].thread != p->op[j].thread)
				return 1;
	return 0;
}

struct calls {
	unsigned n;
	struct md_prog first; /* the first candidate asked about */
	int longer;	      /* 1: a smaller candidate fails only with a longer schedule */
};

static int pred_pair(struct md_prog *cand, unsigned effort, void *arg)
{
	struct calls *c = arg;

	(void)effort;
	if (c->n++ == 0)
		c->first = *cand;
	if (!has_pair(cand))
		return 0;
	if (c->longer && cand->nsched < MD_PROG_MAX_SCHED - 200)
		cand->nsched += 200; /* "the schedule that failed" grew */
	return 1;
}

/* Op 3 keeps its a = 5 (the failure needs it); every other argument is 0. */
static int args_minimal(const struct md_prog *p)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (p->op[i].b != 0 || p->op[i].a != (p->op[i].code == 3 ? 5u : 0u))
			return 0;
	return 1;
}

static void test_keeps_what_matters(uint64_t seed)
{
	static struct md_prog p;
	static struct calls c;
	uint64_t rng = seed;
	unsigned runs = 0, exact = 0;

	for (int k = 0; k < 50; k++) {
		random_prog(&p, 3, 18, &rng);
		p.op[2] = (struct md_op){0, 3, 5, 0};
		p.op[9] = (struct md_op){1, 7, 0, 0};
		memset(&c, 0, sizeof(c));
		md_minimize(&p, ~0u, pred_pair, &c);
		runs++;
		exact += has_pair(&p) && p.nops == 2 && p.nthreads == 2 && args_minimal(&p);
	}
	ok(exact == runs,
	   "two ops of 18 on 3 threads: minimized to those two, 2 threads, 0 args "
	   "but the one the failure needs (%u/%u)",
	   exact, runs);
}

static void test_never_larger(uint64_t seed)
{
	static struct md_prog p, orig;
	static struct calls c;
	uint64_t rng = seed ^ 0x5eed;
	unsigned larger = 0, runs = 0;

	for (int k = 0; k < 50; k++) {
		random_prog(&p, 3, 12, &rng);
		p.op[0] = (struct md_op){0, 3, 5, 0};
		p.op[1] = (struct md_op){1, 7, 0, 0};
		orig = p;
		memset(&c, 0, sizeof(c));
		c.longer = 1;
		md_minimize(&p, ~0u, pred_pair, &c);
		runs++;
		larger += md_min_size(&p) > md_min_size(&orig) || !has_pair(&p);
	}
	ok(larger == 0,
	   "every smaller program fails only with a 200-decision longer schedule: "
	   "the result is never larger than the input (%u/%u larger)",
	   larger, runs);
}

static void test_tail_first(uint64_t seed)
{
	static struct md_prog p;
	static struct calls c;
	uint64_t rng = seed ^ 0x7a11;
	unsigned tail_ops = 0, asked_first = 0;

	random_prog(&p, 2, 10, &rng);
	for (unsigned i = 0; i < 10; i++)
		p.op[i].thread = (uint8_t)(i < 6 ? 0 : 1);
	p.op[1] = (struct md_op){0, 3, 5, 0}; /* t0's failing op, four more after it */
	p.op[7] = (struct md_op){1, 7, 0, 0};
	memset(&c, 0, sizeof(c));
	md_minimize(&p, 1, pred_pair, &c);
	for (unsigned i = 0; i < c.first.nops; i++)
		tail_ops += c.first.op[i].thread == 0 && i > 1;
	asked_first = c.first.nops == 6 && tail_ops == 0;
	ok(asked_first,
	   "the first candidate drops the 4 ops t0 has after its failing op (%u ops, "
	   "%u of t0's after it)",
	   c.first.nops, tail_ops);
}

/* fails iff decision 4 is 2: the schedule needs 5 decisions, one of them non-zero */
static int pred_sched(struct md_prog *cand, unsigned effort, void *arg)
{
	(void)effort;
	(void)arg;
	return cand->nsched >= 5 && cand->sched[4] == 2;
}

static void test_schedule(uint64_t seed)
{
	static struct md_prog p;
	uint64_t rng = seed ^ 0x5c4ed;
	unsigned nonzero = 0;

	random_prog(&p, 2, 4, &rng);
	p.sched[4] = 2;
	md_minimize(&p, ~0u, pred_sched, NULL);
	for (unsigned i = 0; i < p.nsched; i++)
		nonzero += p.sched[i] != 0;
	ok(p.nsched == 5 && nonzero == 1 && p.sched[4] == 2,
	   "the schedule: 40 decisions of which decision 4 matters -> %zu decisions, %u non-zero",
	   p.nsched, nonzero);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_keeps_what_matters(seed);
	test_never_larger(seed);
	test_tail_first(seed);
	test_schedule(seed);
	return tap_done();
}
