// SPDX-License-Identifier: MIT
/*
 * rounds.c - `mdt stress --rounds N`: short generated programs on real
 * threads, each round on a fresh small instance of the target (the engine's
 * executor, md_rexec_run_prog), so that a failure is a small program.  A
 * failing round's program is kept as a reproducer and handed to the
 * engine's schedule search, so a flaky real-thread failure becomes an exact
 * replay when it can.  A round that kills the process (a sanitizer report,
 * a signal) leaves its program behind too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md_config.h"
#include "md_crash.h"
#include "md_explore.h"
#include "../cli/md_cmd.h"
#include "md_intr.h"
#include "md_mutant.h"
#include "../cli/md_opt.h"
#include "stress.h"

#define ROUND_OPS 6

/* The round in flight, for the crash handler. */
static struct {
	const struct stress *s;
	const struct md_prog *p;
	uint64_t round;
} live;

/* @p as a reproducer (program only: replayed in bytes mode) in @dir.  Signal-safe. */
static int keep_program(const struct stress *s, const struct md_prog *p, uint64_t r, char *path,
			size_t plen)
{
	static struct md_repro rep;
	static uint8_t buf[MD_REPRO_MAX];
	char stem[64];
	size_t off = 0, n;

	rep = (struct md_repro){.tg = s->tg, .mutant = s->mutant, .exact = 0, .p = *p};
	strcpy(rep.san, md_repro_sanitizer());
	n = md_repro_encode(&rep, buf, sizeof(buf));
	md_crash_cat(stem, sizeof(stem), &off, "rounds-");
	md_crash_cat_u(stem, sizeof(stem), &off, s->o.seed);
	md_crash_cat(stem, sizeof(stem), &off, "-");
	md_crash_cat_u(stem, sizeof(stem), &off, r);
	if (n == 0)
		return -1;
	return md_repro_create(s->o.artifacts, stem, buf, n, path, plen);
}

/* A round killed the process: keep its program, say how to search it, leave. */
static void round_crash(const char *why, void *arg)
{
	static char path[512], line[1024];
	size_t off = 0;

	(void)arg;
	if (live.p == NULL || keep_program(live.s, live.p, live.round, path, sizeof(path)))
		return;
	md_crash_cat(line, sizeof(line), &off, "\nFAIL round ");
	md_crash_cat_u(line, sizeof(line), &off, live.round);
	md_crash_cat(line, sizeof(line), &off, ": ");
	md_crash_cat(line, sizeof(line), &off, why);
	md_crash_cat(line, sizeof(line), &off, "\nprogram: ");
	md_crash_cat(line, sizeof(line), &off, path);
	md_crash_cat(line, sizeof(line), &off, "\nsearch: ./mdt --build ");
	md_crash_cat(line, sizeof(line), &off, md_build_variant());
	md_crash_cat(line, sizeof(line), &off, " repro ");
	md_crash_cat(line, sizeof(line), &off, path);
	md_crash_cat(line, sizeof(line), &off, " --search 60s\n");
	md_crash_say(line);
	md_crash_say(live.s->rerun);
	md_exit_now(MD_EXIT_FAIL);
}

/* Keep the failing program; then search its schedules for an exact reproducer. */
static int round_failed(struct stress *s, const struct md_prog *p, uint64_t r)
{
	static struct md_repro rep;
	char path[512];

	if (keep_program(s, p, r, path, sizeof(path))) {
		fprintf(stderr, "mdt stress: cannot write the round's program in '%s': %s\n",
			s->o.artifacts, strerror(errno));
		return MD_EXIT_ENV;
	}
	printf("program: %s\nsearching its schedules for %.0fs...\n", path,
	       (double)s->o.search_ms / 1000);
	fflush(stdout);
	rep = (struct md_repro){.tg = s->tg, .mutant = s->mutant, .exact = 0, .p = *p};
	switch (md_repro_search(path, &rep, s->mutant, s->o.search_ms, s->o.artifacts, 256)) {
	case MD_EXIT_OK:
		printf("no exact reproducer: the failure needs real-thread timing; rerun the "
		       "round with the command below\n");
		return MD_EXIT_FAIL;
	case MD_EXIT_ENV:
		return MD_EXIT_ENV;
	}
	return MD_EXIT_FAIL;
}

/* A program for round @r: swarm over all ops, or drawn by --mix's weights. */
static void round_program(struct stress *s, struct md_prog *p, uint64_t r)
{
	uint64_t rng = s->o.seed * 0x9e3779b97f4a7c15ull + r;
	unsigned n =
	    s->o.threads < MD_PROG_MAX_THREADS ? (unsigned)s->o.threads : MD_PROG_MAX_THREADS;

	md_explore_gen(p, s->tg->ops, s->o.mix ? s->weights : NULL, n, ROUND_OPS, &rng);
	for (unsigned i = 0; i < p->nops; i++)
		s->ops[p->op[i].code]++;
}

static int round_verdict(struct stress *s, enum md_rexec_verdict v, const char *msg, uint64_t r)
{
	snprintf(s->failure, sizeof(s->failure), "round %" PRIu64 ": %s", r, msg);
	switch (v) {
	case MD_REXEC_FAILED:
		s->nfailures = 1;
		printf("\nFAIL round %" PRIu64 ": %s\n", r, msg);
		return MD_EXIT_FAIL;
	case MD_REXEC_STALLED:
		s->stalls = 1;
		printf("\nSTALL round %" PRIu64 ": %s\n", r, msg);
		return MD_EXIT_STALL;
	default:
		fprintf(stderr, "mdt stress: cannot run a round (out of memory or threads)\n");
		return MD_EXIT_ENV;
	}
}

static int run_rounds(struct stress *s, struct md_prog *p, uint64_t *done)
{
	uint64_t t0 = md_now_ms(), last = t0;
	char msg[256];

	for (uint64_t r = 0; r < s->o.rounds && md_now_ms() - t0 < s->o.duration_ms; r++) {
		enum md_rexec_verdict v;

		if (md_intr_pending()) {
			s->interrupted = 1;
			break;
		}
		round_program(s, p, r);
		live.p = p;
		live.round = r;
		v = md_rexec_run_prog(s->tg, p, s->mutant, &s->chaos, s->o.seed + r, s->o.stall_ms,
				      msg, sizeof(msg));
		live.p = NULL;
		*done = r + 1;
		s->secs = (double)(md_now_ms() - t0) / 1000;
		if (v != MD_REXEC_CLEAN)
			return round_verdict(s, v, msg, r);
		if (md_now_ms() - last >= 5000) {
			last = md_now_ms();
			printf("[%5.1fs] %" PRIu64 " rounds, %.0f rounds/s\n", s->secs, *done,
			       (double)*done / s->secs);
			fflush(stdout);
		}
	}
	return MD_EXIT_OK;
}

int stress_rounds(struct stress *s)
{
	static struct md_prog p;
	uint64_t done = 0;
	int ret;

	printf("mdt stress: seed %" PRIu64 ", target %s, rounds: up to %" PRIu64
	       " in %.1fs, %" PRIu64 " threads%s%s\n",
	       s->o.seed, s->tg->name, s->o.rounds, (double)s->o.duration_ms / 1000, s->o.threads,
	       s->mutant ? ", mutant " : "", s->mutant ? md_bug_name(s->mutant) : "");
	fflush(stdout);
	s->ops = calloc(s->tg->ops->nops, sizeof(*s->ops));
	if (s->ops == NULL || md_repro_mkdir(s->o.artifacts) || access(s->o.artifacts, W_OK)) {
		fprintf(stderr, "mdt stress: artifacts directory '%s' is not writable: %s\n",
			s->o.artifacts, strerror(errno));
		return MD_EXIT_ENV;
	}
	live.s = s;
	md_crash_arm(round_crash, NULL);
	ret = run_rounds(s, &p, &done);
	md_crash_disarm();
	s->o.rounds = done;
	if (ret == MD_EXIT_FAIL)
		ret = round_failed(s, &p, done - 1);
	if (ret == MD_EXIT_OK)
		printf("mdt stress: %" PRIu64 " rounds of %u threads x %u ops, no failure (%.0f "
		       "rounds/s)%s\n",
		       done, p.nthreads, ROUND_OPS, s->secs > 0 ? (double)done / s->secs : 0.0,
		       s->interrupted ? ", interrupted" : "");
	if (ret == MD_EXIT_OK && s->interrupted)
		ret = MD_EXIT_INTR;
	if (ret == MD_EXIT_FAIL || ret == MD_EXIT_STALL || ret == MD_EXIT_INTR)
		stress_print_rerun(s);
	printf("mdt stress: %s\n", ret == MD_EXIT_OK	  ? "PASS"
				   : ret == MD_EXIT_STALL ? "STALL"
				   : ret == MD_EXIT_FAIL  ? "FAIL"
				   : ret == MD_EXIT_INTR  ? "INTERRUPTED"
							  : "ERROR");
	return ret;
}
