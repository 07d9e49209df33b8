// SPDX-License-Identifier: MIT
/*
 * rounds.c - `mdt stress --rounds N`: short generated programs on real
 * threads, each round on a fresh core instance (the engine's core target),
 * so that a failure is a small program.  A failing round's program is kept
 * as a reproducer and handed to the engine's schedule search, so a flaky
 * real-thread failure becomes an exact replay when it can.
 *
 * Invariants: a round's threads start together (a barrier) and share
 * nothing but the instance; the main thread only watches them, and judges
 * the instance after joining them all.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "md_rand.h"
#include "../cli/md_opt.h"
#include "md_crash.h"
#include "md_explore.h"
#include "md_mutant.h"
#include "rounds.h"

#define ROUND_OPS 6

struct rthread {
	const struct md_target *tg;
	const struct md_prog *p;
	void *inst;
	unsigned id;
	pthread_barrier_t *start;
	uint64_t rng;
	double chaos;
	int failed, done;  /* done: ck_pr, for the watchdog */
	unsigned op_index; /* op in flight (ck_pr) */
	char msg[256];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Chaos at the target's race points: yield, spin or a short sleep. */
static void round_chaos(struct md_thread *t, unsigned rp, unsigned flags)
{
	struct rthread *rt = t->rp_arg;
	uint64_t r;

	(void)rp;
	if (flags & MD_RPF_SPIN) {
		sched_yield();
		return;
	}
	r = md_rand(&rt->rng);
	if ((double)(r >> 11) / 9007199254740992.0 >= rt->chaos)
		return;
	if (r % 3 == 0)
		sched_yield();
	else if (r % 3 == 1)
		for (unsigned i = 0; i < 200; i++)
			ck_pr_stall();
	else
		usleep(20);
}

static void *round_thread(void *arg)
{
	struct rthread *rt = arg;

	pthread_barrier_wait(rt->start);
	for (unsigned i = 0; i < rt->p->nops && !rt->failed; i++) {
		if (rt->p->op[i].thread != rt->id)
			continue;
		ck_pr_store_uint(&rt->op_index, i);
		rt->failed =
		    rt->tg->run_op(rt->inst, rt->id, &rt->p->op[i], rt->msg, sizeof(rt->msg)) != 0;
	}
	ck_pr_store_int(&rt->done, 1);
	return NULL;
}

/* Wait for the round's threads; 1 if one is stuck past the stall limit (reported). */
static int round_wait(struct rthread *rt, unsigned n, uint64_t stall_ms)
{
	uint64_t t0 = now_ms();
	unsigned done;

	do {
		done = 0;
		for (unsigned i = 0; i < n; i++)
			done += (unsigned)ck_pr_load_int(&rt[i].done);
		if (done == n)
			return 0;
		usleep(200);
	} while (now_ms() - t0 < stall_ms);
	printf("\nSTALL: a round made no progress for %.1fs\n", (double)stall_ms / 1000);
	for (unsigned i = 0; i < n; i++)
		printf("  t%u: %s, op %u, last race point %s\n", i,
		       ck_pr_load_int(&rt[i].done) ? "done" : "running",
		       ck_pr_load_uint(&rt[i].op_index),
		       md_race_point_name(rt->tg->thread(rt->inst, i)->last_rp));
	return 1;
}

static void round_setup(const struct md_rounds_cfg *cfg, struct rthread *rt, unsigned i, void *inst,
			const struct md_prog *p, pthread_barrier_t *start)
{
	struct md_thread *t = md_target_core.thread(inst, i);

	rt[i] = (struct rthread){.tg = &md_target_core,
				 .p = p,
				 .inst = inst,
				 .id = i,
				 .start = start,
				 .rng = cfg->seed ^ (0x51ed27ull * (i + 1)),
				 .chaos = cfg->chaos};
	if (cfg->chaos > 0) {
		t->rp_hook = round_chaos;
		t->rp_arg = &rt[i];
	}
}

int md_rounds_run_one(const struct md_rounds_cfg *cfg, const struct md_prog *p, char *msg,
		      size_t len)
{
	struct rthread rt[MD_PROG_MAX_THREADS];
	pthread_t th[MD_PROG_MAX_THREADS];
	pthread_barrier_t start;
	void *inst = md_target_core.create(p->nthreads, cfg->mutant);
	int failed = 0;

	if (inst == NULL)
		return MD_EXIT_ENV;
	pthread_barrier_init(&start, NULL, p->nthreads);
	for (unsigned i = 0; i < p->nthreads; i++) {
		round_setup(cfg, rt, i, inst, p, &start);
		if (pthread_create(&th[i], NULL, round_thread, &rt[i]))
			return MD_EXIT_ENV; /* a partial round cannot be undone: give up */
	}
	if (round_wait(rt, p->nthreads, cfg->stall_ms))
		return MD_EXIT_STALL;
	for (unsigned i = 0; i < p->nthreads; i++) {
		pthread_join(th[i], NULL);
		if (rt[i].failed && !failed) {
			snprintf(msg, len, "postcondition in t%u, op %u: %s", i, rt[i].op_index,
				 rt[i].msg);
			failed = 1;
		}
	}
	pthread_barrier_destroy(&start);
	if (!failed && md_target_core.quiesce(inst, msg, len))
		failed = 1;
	md_target_core.destroy(inst, !failed); /* failed: corrupted, leave it */
	return failed;
}

/* Keep the failing program; then search its schedules for an exact reproducer. */
static int round_failed(const struct md_rounds_cfg *cfg, const struct md_prog *p, uint64_t r)
{
	static struct md_repro rep;
	static uint8_t buf[MD_REPRO_MAX];
	char stem[64], path[512];
	size_t n;

	rep = (struct md_repro){.tg = &md_target_core, .mutant = cfg->mutant, .exact = 0, .p = *p};
	n = md_repro_encode(&rep, buf, sizeof(buf));
	snprintf(stem, sizeof(stem), "rounds-%" PRIu64 "-%" PRIu64, cfg->seed, r);
	if (n == 0 || md_repro_create(cfg->artifacts, stem, buf, n, path, sizeof(path))) {
		fprintf(stderr, "mdt stress: cannot write the round's program in '%s': %s\n",
			cfg->artifacts, strerror(errno));
		return MD_EXIT_ENV;
	}
	printf("program: %s\nsearching its schedules for %.0fs...\n", path,
	       (double)cfg->search_ms / 1000);
	fflush(stdout);
	if (md_repro_search(path, &rep, cfg->mutant, cfg->search_ms, cfg->artifacts, 256) ==
	    MD_EXIT_OK)
		printf("no exact reproducer: the failure needs real-thread timing; rerun the "
		       "round with the command below\n");
	return MD_EXIT_FAIL;
}

int md_stress_rounds(const struct md_rounds_cfg *cfg)
{
	static struct md_prog p;
	uint64_t t0 = now_ms(), last = t0, r;
	unsigned n =
	    cfg->threads < MD_PROG_MAX_THREADS ? (unsigned)cfg->threads : MD_PROG_MAX_THREADS;
	char msg[256];
	int ret = 0;

	for (r = 0; r < cfg->rounds && now_ms() - t0 < cfg->duration_ms && ret == 0; r++) {
		uint64_t rng = cfg->seed * 0x9e3779b97f4a7c15ull + r;

		md_explore_gen(&p, md_target_core.ops, n, ROUND_OPS, &rng);
		ret = md_rounds_run_one(cfg, &p, msg, sizeof(msg));
		if (now_ms() - last >= 5000) {
			last = now_ms();
			printf("[%5.1fs] %" PRIu64 " rounds, %.0f rounds/s\n",
			       (double)(last - t0) / 1000, r + 1,
			       (double)(r + 1) * 1000 / (double)(last - t0));
			fflush(stdout);
		}
	}
	if (ret == 1) {
		printf("\nFAIL round %" PRIu64 ": %s\n", r - 1, msg);
		return round_failed(cfg, &p, r - 1);
	}
	if (ret == 0)
		printf("mdt stress: %" PRIu64 " rounds of %u threads x %u ops, no failure (%.0f "
		       "rounds/s)\n",
		       r, n, ROUND_OPS, (double)r * 1000 / (double)(now_ms() - t0 + 1));
	return ret;
}
