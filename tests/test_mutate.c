// SPDX-License-Identifier: MIT
/*
 * test_mutate.c - the structure-aware mutator keeps every program valid,
 * uses every operator, is deterministic in its seed, and crossover keeps
 * validity too.  Programs are those of the core target.
 */
#include <string.h>

#include "md_mutate.h"
#include "md_target.h"
#include "tap.h"

#define N 100000

static void test_validity(uint64_t seed)
{
	static struct md_prog p;
	const struct md_op_table *t = md_target_core.ops;
	unsigned used[MD_MUT_OP__COUNT] = {0}, bad = 0, all = 1;
	uint64_t rng = seed;

	memset(&p, 0, sizeof(p));
	p.nthreads = 1;
	for (unsigned i = 0; i < N; i++) {
		used[md_mutate(&p, t, &rng)]++;
		bad += md_prog_validate(&p, t) != 0;
		if (i % 5000 == 4999) /* start over now and then: small programs matter too */
			memset(&p, 0, sizeof(p)), p.nthreads = 1;
	}
	ok(bad == 0, "%u mutations, %u invalid programs", N, bad);
	for (unsigned k = 0; k < MD_MUT_OP__COUNT; k++)
		all &= used[k] > 0;
	ok(all, "every operator applied (insert_op %u, mutate_sched %u times)",
	   used[MD_MUT_OP_INSERT_OP], used[MD_MUT_OP_MUTATE_SCHED]);
}

static void test_deterministic(uint64_t seed)
{
	static struct md_prog a, b;
	uint64_t r1 = seed, r2 = seed;

	memset(&a, 0, sizeof(a));
	a.nthreads = 1;
	b = a;
	for (unsigned i = 0; i < 1000; i++) {
		md_mutate(&a, md_target_core.ops, &r1);
		md_mutate(&b, md_target_core.ops, &r2);
	}
	ok(memcmp(&a, &b, sizeof(a)) == 0, "the same seed mutates the same way");
}

static void test_crossover(uint64_t seed)
{
	static struct md_prog a, b, c;
	const struct md_op_table *t = md_target_core.ops;
	uint64_t rng = seed ^ 0x1234;
	unsigned bad = 0;

	for (unsigned i = 0; i < 20000; i++) {
		memset(&a, 0, sizeof(a));
		a.nthreads = 1;
		b = a;
		for (unsigned k = 0; k < 1 + i % 40; k++) {
			md_mutate(&a, t, &rng);
			md_mutate(&b, t, &rng);
		}
		md_crossover(&c, &a, &b, &rng);
		bad += md_prog_validate(&c, t) != 0;
	}
	ok(bad == 0, "20000 crossovers, %u invalid", bad);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	test_validity(seed);
	test_deterministic(seed);
	test_crossover(seed);
	return tap_done();
}
