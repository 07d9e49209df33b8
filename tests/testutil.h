/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - helpers shared by the unit tests: a core with one registered
 * thread, a checker call that prints what it found, and a small pthread pool.
 */
#ifndef MD_TESTUTIL_H
#define MD_TESTUTIL_H

#include <pthread.h>

#include "md_check.h"
#include "md_core.h"
#include "md_epoch.h"
#include "tap.h"

struct tcore {
	struct md_core *c;
	struct md_thread t;
};

/*
 * A core with @frames frames in design @design (md_core_designs), typesafe
 * cache pages of @objs objects (0: as many as fit).  With @mutant 0 the
 * MDT_MUTANT environment variable may switch a seeded bug on, to show a
 * test's oracle fails on it.
 */
static inline void tcore_init_design(struct tcore *tc, uint64_t frames, unsigned mutant,
				     unsigned design, unsigned objs)
{
	struct md_core_config cfg;
	int env = md_mutant_lookup(getenv("MDT_MUTANT"));

	if (mutant == 0 && env > 0)
		mutant = (unsigned)env;
	md_core_config_default(&cfg);
	md_core_config_design(&cfg, design);
	cfg.nr_frames = frames;
	cfg.mutant = mutant;
	cfg.dcache_objs = objs;
	if (md_core_create(&cfg, &tc->c) || md_thread_init(&tc->t, tc->c, 0)) {
		fprintf(stderr, "cannot create core\n");
		exit(99);
	}
}

/*
 * A core with @frames frames in the default design, or the one the
 * MDT_CORE_DESIGN environment variable names (the unit suite runs in each).
 */
static inline void tcore_init(struct tcore *tc, uint64_t frames, unsigned mutant)
{
	const char *name = getenv("MDT_CORE_DESIGN");
	int design = name && *name ? md_core_design_lookup(name) : 0;

	if (design < 0) {
		fprintf(stderr, "MDT_CORE_DESIGN=%s: no such design\n", name);
		exit(99);
	}
	tcore_init_design(tc, frames, mutant, (unsigned)design, 0);
}

static inline void tcore_fini(struct tcore *tc)
{
	md_thread_fini(&tc->t);
	md_core_destroy(tc->c);
}

/* Has every descriptor @c allocated been freed?  Quiescence only. */
static inline int tall_freed(const struct md_core *c)
{
	uint64_t allocated, retired, freed;

	md_core_desc_counts(c, &allocated, &retired, &freed);
	return allocated == freed;
}

/* Run the checker after a barrier; print every violation as a TAP comment. */
static inline unsigned tcheck(struct tcore *tc, md_expect_refs_fn *refs, void *arg,
			      struct md_report *r)
{
	char line[200];
	unsigned n;

	md_epoch_barrier(&tc->t);
	n = md_check_quiescent(tc->c, refs, arg, r);
	for (unsigned i = 0; i < n && i < MD_REPORT_MAX; i++) {
		md_violation_format(&r->v[i], line, sizeof(line));
		printf("# violation: %s\n", line);
	}
	return n;
}

/*
 * Deterministic interleavings without the scheduler: when the thread a hook
 * is installed on passes race point @rp for the (@skip + 1)th time, @fn runs
 * right there, on the same OS thread but with another md_thread (another
 * logical thread), as if that thread had been scheduled at that point.
 */
struct interleave {
	unsigned rp, skip;
	void (*fn)(void *arg);
	void *arg;
	int fired;
};

static inline void interleave_hook(struct md_thread *t, unsigned rp, unsigned flags)
{
	struct interleave *il = t->rp_arg;

	if (il->fired || rp != il->rp)
		return;
	if (il->skip) {
		il->skip--;
		return;
	}
	il->fired = 1;
	il->fn(il->arg);
}

static inline void interleave_at(struct md_thread *t, struct interleave *il)
{
	t->rp_hook = interleave_hook;
	t->rp_arg = il;
}

static inline void interleave_off(struct md_thread *t)
{
	t->rp_hook = NULL;
	t->rp_arg = NULL;
}

/* Race points are compiled out of release builds: interleaving tests skip there. */
static inline int need_race_points(const char *what)
{
	if (MD_RACE_POINTS_ON)
		return 1;
	tap_ok(1, __FILE__, __LINE__, "# SKIP %s: no race points in this build", what);
	return 0;
}

struct tpool {
	unsigned n;
	pthread_t th[16];
	pthread_barrier_t start;
	struct tpool_slot {
		struct tpool *p;
		void *(*fn)(void *);
		void *arg;
	} slot[16];
};

/* Every thread waits for all the others before it starts: the races overlap. */
static inline void *tpool_trampoline(void *p)
{
	struct tpool_slot *s = p;

	pthread_barrier_wait(&s->p->start);
	return s->fn(s->arg);
}

static inline void tpool_run(struct tpool *p, unsigned n, void *(*fn)(void *), void *args,
			     size_t argsize)
{
	p->n = n;
	pthread_barrier_init(&p->start, NULL, n);
	for (unsigned i = 0; i < n; i++) {
		p->slot[i] = (struct tpool_slot){p, fn, (char *)args + i * argsize};
		if (pthread_create(&p->th[i], NULL, tpool_trampoline, &p->slot[i])) {
			fprintf(stderr, "pthread_create failed\n");
			exit(99);
		}
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(p->th[i], NULL);
	pthread_barrier_destroy(&p->start);
}

#endif
