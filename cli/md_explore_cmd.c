// SPDX-License-Identifier: MIT
/*
 * md_explore_cmd.c - `mdt explore`: generated and mutated programs under
 * random and PCT schedules; every failure is kept by the finder
 * (md_finder.c) as a reproducer before it is reported.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "md_rand.h"
#include "md_opt.h"
#include "md_config.h"
#include "md_crash.h"
#include "md_cmd.h"
#include "md_explore.h"
#include "md_intr.h"
#include "md_mutant.h"
#include "md_mutate.h"
#include "md_json.h"

#define MAX_KEPT    64	 /* reproducers listed in the summary and the JSON */
#define MAX_SEEDS   64	 /* seed programs explore mutates */
#define PROGRESS_MS 5000 /* a progress line on stderr this often */

struct explore {
	const char *strategy, *mutant_name, *target_name, *artifacts, *json, *seeds, *resume;
	const char *json_tmp; /* the --json being written: removed if the process dies */
	uint64_t threads, nops, runs, time_ms, depth, seed;
	int keep_going, depth_set, mix, interrupted;
	int argc; /* the command line, for the rerun line */
	char **argv;
	unsigned strat; /* the --strategy, resolved once (enum md_sched_strategy) */
	const struct md_target *tg;
	int mutant;
	unsigned nseeds;
	struct md_prog seedp[MAX_SEEDS]; /* the target's seed programs */
	uint64_t first_run, avg_steps;	 /* where the runs start (--resume) */
	double t0;			 /* when they started (earlier, after --resume) */
	char **resume_argv;		 /* this command again, to go on after a crash (--resume) */
	char resume_state[128];		 /* its --resume value, filled in then */
	/* results */
	uint64_t done, failures;
	double elapsed;
	unsigned nkept;
	char kept[MAX_KEPT][160];
	struct md_failure kept_fail[MAX_KEPT];
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Names and the artifacts directory, checked before any run: fail early, lose nothing. */
static int explore_check(struct explore *e)
{
	e->mutant = md_bug_lookup(e->mutant_name ? e->mutant_name : getenv("MDT_MUTANT"));
	e->tg = md_target_find(e->target_name);
	if (e->tg == NULL) {
		fprintf(stderr, "mdt explore: unknown target '%s' (targets: %s)\n", e->target_name,
			md_target_names());
		return MD_EXIT_USAGE;
	}
	if (e->mutant < 0 || (strcmp(e->strategy, "random") && strcmp(e->strategy, "pct") &&
			      strcmp(e->strategy, "urw") && strcmp(e->strategy, "pos") &&
			      strcmp(e->strategy, "mix"))) {
		fprintf(stderr, "mdt explore: unknown %s '%s'\n",
			e->mutant < 0 ? "mutant" : "strategy",
			e->mutant < 0 ? e->mutant_name : e->strategy);
		return MD_EXIT_USAGE;
	}
	if (!MD_RACE_POINTS_ON) {
		fprintf(stderr, "mdt explore: this build has no race points, so no schedule to "
				"explore (use ./mdt --build debug, tsan or asan)\n");
		return MD_EXIT_USAGE;
	}
	e->mix = strcmp(e->strategy, "mix") == 0;
	e->strat = strcmp(e->strategy, "pct") == 0   ? MD_SCHED_PCT
		   : strcmp(e->strategy, "urw") == 0 ? MD_SCHED_URW
		   : strcmp(e->strategy, "pos") == 0 ? MD_SCHED_POS
						     : MD_SCHED_RANDOM;
	if (e->mutant > 0 && !md_bug_available((unsigned)e->mutant)) {
		fprintf(stderr, "mdt explore: this build has no mutants compiled in\n");
		return MD_EXIT_USAGE;
	}
	if (!md_bug_fits((unsigned)e->mutant, e->tg)) {
		fprintf(stderr,
			"mdt explore: mutant '%s' is seeded in target %s (use --target %s)\n",
			md_bug_name((unsigned)e->mutant), md_bug_target((unsigned)e->mutant)->name,
			md_bug_target((unsigned)e->mutant)->name);
		return MD_EXIT_USAGE;
	}
	if (md_repro_mkdir(e->artifacts) || access(e->artifacts, W_OK)) {
		fprintf(stderr, "mdt explore: artifacts directory '%s' is not writable: %s\n",
			e->artifacts, strerror(errno));
		return MD_EXIT_ENV;
	}
	return 0;
}

static int explore_failed(struct explore *e, struct md_finder *fd, const struct md_prog *p,
			  const struct md_exec_result *res)
{
	char path[160];

	e->failures++;
	printf("FAIL %s at step %" PRIu64 " (run %" PRIu64 "): %s\n",
	       md_fail_kind_name(res->fail.kind), res->fail.step, fd->run, res->fail.msg);
	if (md_finder_keep(fd, p, res, path, sizeof(path)))
		return MD_EXIT_ENV;
	if (e->nkept < MAX_KEPT) {
		snprintf(e->kept[e->nkept], sizeof(e->kept[0]), "%s", path);
		e->kept_fail[e->nkept++] = res->fail;
	}
	fflush(stdout);
	return 0;
}

static void explore_json(const struct explore *e, struct md_outfile *o)
{
	struct md_json j;

	md_json_begin(&j, o->f);
	md_json_u64(&j, "seed", e->seed);
	md_json_str(&j, "target", e->tg->name);
	md_json_str(&j, "strategy", e->strategy);
	md_json_arr(&j, "depth"); /* PCT depths used, in turn */
	for (uint64_t d = e->depth_set ? e->depth : 2; d <= (e->depth_set ? e->depth : 4); d++)
		md_json_u64(&j, NULL, d);
	md_json_close(&j);
	md_json_u64(&j, "threads", e->threads);
	md_json_u64(&j, "ops", e->nops);
	md_json_u64(&j, "seed_programs", e->nseeds);
	md_json_str(&j, "mutant", e->mutant ? md_bug_name((unsigned)e->mutant) : "none");
	md_json_str(&j, "variant", md_build_variant());
	md_json_u64(&j, "runs", e->done);
	md_json_u64(&j, "failures", e->failures);
	md_json_u64(&j, "interrupted", (uint64_t)e->interrupted);
	md_json_f64(&j, "elapsed_s", e->elapsed, 3);
	md_json_f64(&j, "runs_per_s", e->elapsed > 0 ? (double)e->done / e->elapsed : 0.0, 0);
	md_json_arr(&j, "reproducers");
	for (unsigned i = 0; i < e->nkept; i++) {
		md_json_obj(&j, NULL);
		md_json_str(&j, "path", e->kept[i]);
		md_json_str(&j, "kind", md_fail_kind_name(e->kept_fail[i].kind));
		md_json_u64(&j, "step", e->kept_fail[i].step);
		md_json_str(&j, "message", e->kept_fail[i].msg);
		md_json_close(&j);
	}
	md_json_close(&j);
	md_json_end(&j);
}

static void explore_progress(const struct explore *e, double t0, double *last)
{
	double t = now_s();

	if ((t - *last) * 1000 < PROGRESS_MS)
		return;
	*last = t;
	fprintf(stderr, "mdt explore: %" PRIu64 " runs, %" PRIu64 " failures, %.0f runs/s\n",
		e->done, e->failures, (double)e->done / (t - t0));
}

/* *.mdt and *.bin: what a seed folder's file names end in. */
static int seed_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	       (strcmp(d->d_name + n - 4, ".mdt") == 0 || strcmp(d->d_name + n - 4, ".bin") == 0);
}

/*
 * Keep @path's program if it is one of this target's (any design: the ops
 * are the same); a file that does not load is an error.
 */
static int seed_add(struct explore *e, const char *path)
{
	static struct md_repro r;

	if (md_cmd_load("mdt explore: seed", path, &r, 0))
		return MD_EXIT_USAGE;
	if (md_target_base(r.tg) == md_target_base(e->tg) && e->nseeds < MAX_SEEDS)
		e->seedp[e->nseeds++] = r.p;
	return 0;
}

/*
 * The seed programs: --seeds DIR, else the target's folder targets/NAME/
 * (none there: generation only); "none": generation only.  Sorted by name,
 * so a seed and a folder give the same runs.
 */
static int explore_seeds(struct explore *e)
{
	struct dirent **ent;
	char dir[512], path[1024];
	int n, ret = 0;

	if (e->seeds && strcmp(e->seeds, "none") == 0)
		return 0;
	if (e->seeds)
		snprintf(dir, sizeof(dir), "%s", e->seeds);
	else
		snprintf(dir, sizeof(dir), "%s/%s", MD_TARGETS_DIR, md_target_base(e->tg)->name);
	n = scandir(dir, &ent, seed_name, alphasort);
	if (n < 0) {
		if (e->seeds == NULL && errno == ENOENT)
			return 0;
		fprintf(stderr, "mdt explore: cannot read the seed folder '%s': %s\n", dir,
			strerror(errno));
		return MD_EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ent[i]->d_name);
		if (ret == 0)
			ret = seed_add(e, path);
		free(ent[i]);
	}
	free(ent);
	return ret;
}

/*
 * Run @run's program: freshly generated, or (one run in two, when there are
 * seeds) a seed with one to four of the fuzzers' mutations, so ops that
 * must meet in a certain order (a folio inserted, truncated, inserted
 * again) come together far more often than by generation alone.
 */
static void explore_prog(const struct explore *e, struct md_prog *p, uint64_t run, uint64_t *rng)
{
	if (e->nseeds == 0 || (run & 2) == 0) {
		md_explore_gen(p, e->tg->ops, NULL, (unsigned)e->threads, (unsigned)e->nops, rng);
		return;
	}
	*p = e->seedp[md_rand(rng) % e->nseeds];
	for (uint64_t k = 1 + md_rand(rng) % 4; k > 0; k--)
		md_mutate(p, e->tg->ops, rng);
	p->nsched = 0; /* the schedule is the strategy's */
}

/* "mix" alternates: random switching finds short windows, PCT deep orderings. */
static unsigned run_strategy(const struct explore *e, uint64_t run)
{
	return e->mix ? (run & 1 ? MD_SCHED_PCT : MD_SCHED_RANDOM) : e->strat;
}

/*
 * The finder's resume: this command again, from the run after @fd's, with
 * the seed, the time spent, the PCT horizon and the failures so far, in a
 * fresh process.  Signal-safe; returns only if the exec failed.
 */
static void explore_resume(const struct md_finder *fd, void *arg)
{
	struct explore *e = arg;
	char *s = e->resume_state;
	size_t off = 0, cap = sizeof(e->resume_state);

	md_crash_cat_u(s, cap, &off, fd->run + 1);
	md_crash_cat(s, cap, &off, ":");
	md_crash_cat_u(s, cap, &off, (uint64_t)((now_s() - e->t0) * 1000));
	md_crash_cat(s, cap, &off, ":");
	md_crash_cat_u(s, cap, &off, e->avg_steps);
	md_crash_cat(s, cap, &off, ":");
	md_crash_cat_u(s, cap, &off, e->failures);
	md_crash_exec(e->resume_argv);
}

/* Is @a option @name ("--name" or "--name=...")?  Return: 1 "--name", 2 "--name=V", else 0. */
static int opt_is(const char *a, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return 0;
	return a[2 + n] == '\0' ? 1 : a[2 + n] == '=' ? 2 : 0;
}

/*
 * "mdt explore ARGS --seed S --resume STATE", STATE filled in by
 * explore_resume(); an earlier --seed or --resume is left out, so the
 * command does not grow from one resume to the next.  Return: 0, or -1.
 */
static int explore_resume_argv(struct explore *e)
{
	static char seed[24];
	size_t off = 0;
	int n = 0;

	e->resume_argv = calloc((size_t)e->argc + 6, sizeof(char *));
	if (e->resume_argv == NULL)
		return -1;
	md_crash_cat_u(seed, sizeof(seed), &off, e->seed);
	e->resume_argv[n++] = "mdt";
	for (int i = 0; i < e->argc; i++) {
		int k = opt_is(e->argv[i], "seed") | opt_is(e->argv[i], "resume");

		if (k == 1)
			i++; /* and its value */
		else if (k == 0)
			e->resume_argv[n++] = e->argv[i];
	}
	e->resume_argv[n++] = "--seed";
	e->resume_argv[n++] = seed;
	e->resume_argv[n++] = "--resume";
	e->resume_argv[n++] = e->resume_state;
	return 0;
}

static int explore_loop(struct explore *e)
{
	static struct md_prog p;
	static struct md_exec_result res;
	struct md_finder fd = {e->artifacts,
			       "explore",
			       e->seed,
			       0,
			       e->tg,
			       (unsigned)e->mutant,
			       e->json_tmp,
			       e->resume_argv ? explore_resume : NULL,
			       e};
	double last = e->t0;
	int ret = 0;

	md_finder_arm(&fd);
	for (uint64_t run = e->first_run; e->time_ms ? 1 : run < e->runs; run++) {
		uint64_t rng = e->seed * 0x9e3779b97f4a7c15ull + run;
		struct md_sched_source src = {
		    .strategy = run_strategy(e, run),
		    .seed = md_rand(&rng),
		    .depth = (unsigned)(e->depth_set ? e->depth : 2 + run / 2 % 3),
		    .horizon = (unsigned)(e->avg_steps < 16 ? 16 : e->avg_steps)};

		explore_prog(e, &p, run, &rng);
		fd.run = run;
		e->done++;
		if (md_exec_run(e->tg, &p, &src, (unsigned)e->mutant, MD_EXEC_BUDGET, &res) !=
			MD_FAIL_NONE &&
		    ((ret = explore_failed(e, &fd, &p, &res)) != 0 || !e->keep_going))
			break;
		if (res.steps < MD_EXEC_BUDGET) /* PCT spreads change points over a typical run */
			e->avg_steps = (e->avg_steps * 15 + res.steps) / 16;
		if (md_intr_pending()) {
			e->interrupted = 1;
			break;
		}
		if ((run & 63) == 0) {
			explore_progress(e, e->t0, &last);
			if (e->time_ms && (now_s() - e->t0) * 1000 >= (double)e->time_ms)
				break;
		}
	}
	md_crash_disarm();
	e->elapsed = now_s() - e->t0;
	return ret;
}

/* "RUN:MS:STEPS:FAILURES", four decimal numbers.  Return: 0, or -1. */
static int resume_parse(const char *s, uint64_t v[4])
{
	for (int i = 0; i < 4; i++) {
		char *end;

		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (errno || *end != (i == 3 ? '\0' : ':'))
			return -1;
		s = end + 1;
	}
	return 0;
}

/*
 * --resume RUN:MS:STEPS:FAILURES: the runs start at RUN, as if MS had
 * passed, with PCT's horizon at STEPS.  Then arm our own resume.
 * Return: 0 or an exit code.
 */
static int explore_resumed(struct explore *e)
{
	uint64_t v[4] = {0, 0, e->avg_steps, 0};

	if (e->resume && resume_parse(e->resume, v)) {
		fprintf(stderr, "mdt explore: --resume '%s' is not RUN:MS:STEPS:FAILURES\n",
			e->resume);
		return MD_EXIT_USAGE;
	}
	e->first_run = e->done = v[0];
	e->t0 = now_s() - (double)v[1] / 1000;
	e->avg_steps = v[2];
	e->failures = v[3];
	if (explore_resume_argv(e)) {
		fprintf(stderr, "mdt explore: out of memory\n");
		return MD_EXIT_ENV;
	}
	return 0;
}

static void explore_summary(const struct explore *e)
{
	printf("mdt explore: %" PRIu64 " runs, %" PRIu64 " failures in %.1fs (%.0f runs/s), seed "
	       "%" PRIu64 "\n",
	       e->done, e->failures, e->elapsed,
	       e->elapsed > 0 ? (double)e->done / e->elapsed : 0.0, e->seed);
	for (unsigned i = 0; i < e->nkept; i++)
		printf("  %s: %s\n", e->kept[i], md_fail_kind_name(e->kept_fail[i].kind));
	if (e->interrupted) {
		char cmd[2048];

		printf("mdt explore: interrupted; rerun: %s\n",
		       md_opt_rerun(cmd, sizeof(cmd), e->argc, e->argv, e->seed, ""));
	}
}

int md_explore_main(int argc, char **argv)
{
	static struct explore e = {.strategy = "mix",
				   .target_name = "core",
				   .artifacts = "artifacts",
				   .threads = 3,
				   .nops = 6,
				   .runs = 20000,
				   .avg_steps = 256};
	const struct md_opt opts[] = {
	    {"target", MD_OPT_STR, 0, 0, &e.target_name,
	     "system under test: " MD_TARGET_NAMES
	     ", or TARGET:DESIGN (mdt targets; default core)"},
	    {"strategy", MD_OPT_STR, 0, 0, &e.strategy,
	     "random, pct, urw (uniform random walk), pos (partial order sampling), or "
	     "mix: random and pct in turn (default mix)"},
	    {"depth", MD_OPT_U64, 1, 8, &e.depth,
	     "pct depth d: d-1 priority change points (default: 2, 3, 4 in turn)"},
	    {"threads", MD_OPT_U64, 1, MD_PROG_MAX_THREADS, &e.threads, "logical threads (3)"},
	    {"ops", MD_OPT_U64, 1, 32, &e.nops, "ops per thread (default 6)"},
	    {"runs", MD_OPT_U64, 1, UINT64_MAX, &e.runs, "programs to run (default 20000)"},
	    {"time", MD_OPT_DURATION, 1, 1000ull * 3600 * 24 * 7, &e.time_ms,
	     "run for this long instead of --runs"},
	    {"seed", MD_OPT_U64, 0, UINT64_MAX, &e.seed,
	     "random seed (default: the clock; printed)"},
	    {"mutant", MD_OPT_STR, 0, 0, &e.mutant_name, "seeded bug to switch on"},
	    {"artifacts", MD_OPT_STR, 0, 0, &e.artifacts, "where reproducers go (artifacts/)"},
	    {"seeds", MD_OPT_STR, 0, 0, &e.seeds,
	     "programs (.mdt, .bin) half the runs mutate (default targets/TARGET/; none)"},
	    {"keep-going", MD_OPT_FLAG, 0, 0, &e.keep_going, "do not stop at the first failure"},
	    {"json", MD_OPT_STR, 0, 0, &e.json, "write a JSON summary to this file"},
	    {"resume", MD_OPT_STR, 0, 0, &e.resume,
	     "RUN:MS:STEPS:FAILURES: go on from there (what explore execs after a crash a "
	     "fresh process does not repeat)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	struct md_outfile jf;
	int ret;

	e.seed = (uint64_t)time(NULL);
	e.argc = argc;
	e.argv = argv;
	ret = md_opt_parse("mdt explore", opts, argc, argv);

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	e.depth_set = e.depth != 0;
	if ((ret = explore_check(&e)) != 0 || (ret = explore_seeds(&e)) != 0 ||
	    (ret = explore_resumed(&e)) != 0)
		return ret;
	if (e.json && md_outfile_open(&jf, e.json)) { /* a bad path fails before any run */
		fprintf(stderr, "mdt explore: cannot write '%s': %s\n", e.json, strerror(errno));
		return MD_EXIT_ENV;
	}
	md_intr_arm();
	e.json_tmp = e.json && jf.tmp[0] ? jf.tmp : NULL; /* "": a device, written in place */
	setvbuf(stdout, NULL, _IOLBF, 0);		  /* a crash handler writes with write(2) */
	printf("mdt explore: seed %" PRIu64 ", target %s, %s, %" PRIu64 " threads x %" PRIu64
	       " ops, %u seed programs%s%s",
	       e.seed, e.tg->name, e.strategy, e.threads, e.nops, e.nseeds,
	       e.mutant ? ", mutant " : "", e.mutant ? md_bug_name((unsigned)e.mutant) : "");
	if (e.resume)
		printf(", from run %" PRIu64, e.first_run);
	printf("\n");
	ret = explore_loop(&e);
	explore_summary(&e);
	if (e.json) {
		explore_json(&e, &jf);
		if (md_outfile_commit(&jf)) {
			fprintf(stderr, "mdt explore: writing '%s' failed: %s\n", e.json,
				strerror(errno));
			return ret ? ret : e.failures ? MD_EXIT_FAIL : MD_EXIT_ENV;
		}
	}
	return ret ? ret : e.failures ? MD_EXIT_FAIL : e.interrupted ? MD_EXIT_INTR : MD_EXIT_OK;
}
