// SPDX-License-Identifier: MIT
/*
 * md_explore.c - the explore and repro drivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cli/md_opt.h"
#include "md_exec.h"
#include "md_explore.h"
#include "md_mutant.h"

#define TRAILER "MDT1"
#define BUDGET	200000

static uint64_t xrnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A random valid program: @nthreads threads of @nops ops each. */
static void gen_prog(struct md_prog *p, const struct md_op_table *t, unsigned nthreads,
		     unsigned nops, uint64_t *rng)
{
	memset(p, 0, sizeof(*p));
	p->nthreads = nthreads;
	for (unsigned th = 0; th < nthreads; th++)
		for (unsigned i = 0; i < nops && p->nops < MD_PROG_MAX_OPS; i++) {
			struct md_op *o = &p->op[p->nops++];
			const struct md_op_desc *d;

			o->thread = (uint8_t)th;
			o->code = (uint8_t)(xrnd(rng) % t->nops);
			d = &t->op[o->code];
			o->a = d->arg[0] ? (uint8_t)(xrnd(rng) % (d->max[0] + 1u)) : 0;
			o->b = d->arg[1] ? (uint8_t)(xrnd(rng) % (d->max[1] + 1u)) : 0;
		}
}

/* Write @p with schedule @trace and the mutant trailer to a new file (never clobbers). */
static int write_repro(const char *dir, uint64_t seed, uint64_t run, const struct md_prog *p,
		       const struct md_exec_result *res, unsigned mutant, char *path, size_t plen)
{
	static struct md_prog q;
	static uint8_t buf[2 + 3 * MD_PROG_MAX_OPS + MD_PROG_MAX_SCHED + 64];
	const char *name = mutant ? md_mutant_info(mutant)->name : "none";
	size_t n, nl = strlen(name);
	int fd;

	q = *p;
	q.nsched = res->ntrace < MD_PROG_MAX_SCHED ? res->ntrace : MD_PROG_MAX_SCHED;
	memcpy(q.sched, res->trace, q.nsched);
	n = md_prog_encode(&q, buf, sizeof(buf) - nl - 5);
	memcpy(buf + n, name, nl);
	buf[n + nl] = (uint8_t)nl;
	memcpy(buf + n + nl + 1, TRAILER, 4);
	n += nl + 5;
	if (mkdir(dir, 0777) && errno != EEXIST)
		return -1;
	snprintf(path, plen, "%s/explore-%" PRIu64 "-%" PRIu64 ".bin", dir, seed, run);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int md_explore_main(int argc, char **argv)
{
	const char *strategy = "random", *mutant_name = NULL, *artifacts = "artifacts",
		   *seed_s = NULL;
	uint64_t threads = 2, nops = 6, runs = 20000, time_ms = 0, depth = 3, seed;
	const struct md_opt opts[] = {
	    {"strategy", MD_OPT_STR, 0, 0, &strategy, "random or pct (default random)"},
	    {"depth", MD_OPT_U64, 1, 8, &depth,
	     "pct depth d: d-1 priority change points (default 3)"},
	    {"threads", MD_OPT_U64, 1, MD_PROG_MAX_THREADS, &threads,
	     "logical threads (default 2)"},
	    {"ops", MD_OPT_U64, 1, 32, &nops, "ops per thread (default 6)"},
	    {"runs", MD_OPT_U64, 1, UINT64_MAX, &runs, "programs to run (default 20000)"},
	    {"time", MD_OPT_DURATION, 1, 1000ull * 3600 * 24, &time_ms,
	     "stop after this long instead"},
	    {"seed", MD_OPT_STR, 0, 0, &seed_s, "random seed (default: from the clock; printed)"},
	    {"mutant", MD_OPT_STR, 0, 0, &mutant_name, "seeded bug to switch on"},
	    {"artifacts", MD_OPT_STR, 0, 0, &artifacts,
	     "where reproducers go (default artifacts/)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	static struct md_prog p;
	static struct md_exec_result res;
	const struct md_target *tg = &md_target_core;
	struct timespec t0, t1;
	int mutant, ret = md_opt_parse("mdt explore", opts, argc, argv);
	uint64_t done = 0;
	char path[512];

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	seed = seed_s ? strtoull(seed_s, NULL, 0) : (uint64_t)time(NULL);
	mutant = md_mutant_lookup(mutant_name ? mutant_name : getenv("MDT_MUTANT"));
	if (mutant < 0 || (strcmp(strategy, "random") && strcmp(strategy, "pct"))) {
		fprintf(stderr, "mdt explore: unknown %s '%s'\n",
			mutant < 0 ? "mutant" : "strategy", mutant < 0 ? mutant_name : strategy);
		return MD_EXIT_USAGE;
	}
	if (mutant > 0 && !md_mutants_compiled()) {
		fprintf(stderr, "mdt explore: this build has no mutants compiled in\n");
		return MD_EXIT_USAGE;
	}
	printf("mdt explore: seed %" PRIu64 ", %s, %" PRIu64 " threads x %" PRIu64 " ops%s%s\n",
	       seed, strategy, threads, nops, mutant ? ", mutant " : "",
	       mutant ? md_mutant_info((unsigned)mutant)->name : "");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t run = 0; time_ms ? 1 : run < runs; run++) {
		uint64_t rng = seed * 0x9e3779b97f4a7c15ull + run;
		struct md_sched_source src = {strategy[0] == 'p' ? MD_SCHED_PCT : MD_SCHED_RANDOM,
					      xrnd(&rng),
					      (unsigned)depth,
					      NULL,
					      0,
					      0};
		double el;

		gen_prog(&p, tg->ops, (unsigned)threads, (unsigned)nops, &rng);
		done++;
		if (md_exec_run(tg, &p, &src, (unsigned)mutant, BUDGET, &res) != MD_FAIL_NONE) {
			printf("FAIL %s at step %" PRIu64 " (run %" PRIu64 "): %s\n",
			       md_fail_kind_name(res.fail.kind), res.fail.step, run, res.fail.msg);
			if (write_repro(artifacts, seed, run, &p, &res, (unsigned)mutant, path,
					sizeof(path))) {
				fprintf(stderr,
					"mdt explore: cannot write a reproducer in '%s': %s\n",
					artifacts, strerror(errno));
				return MD_EXIT_ENV;
			}
			printf("repro: ./mdt --build %s repro %s\n", md_build_variant(), path);
			return MD_EXIT_FAIL;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (time_ms && el >= (double)time_ms)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("mdt explore: %" PRIu64 " runs, no failure (%.0f runs/s)\n", done,
	       (double)done /
		   ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
	return MD_EXIT_OK;
}

/* Read @path; split off the trailer.  Return: bytes of program, -1 unreadable. */
static long read_repro(const char *path, uint8_t *buf, size_t cap, char *mutant, size_t mlen,
		       int *strict)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	if (ferror(f) || !feof(f)) { /* unreadable or larger than any program */
		fclose(f);
		return -1;
	}
	fclose(f);
	*strict = 0;
	mutant[0] = '\0';
	if (n >= 5 && memcmp(buf + n - 4, TRAILER, 4) == 0 && buf[n - 5] < mlen &&
	    (size_t)buf[n - 5] + 5 <= n) {
		size_t nl = buf[n - 5];

		memcpy(mutant, buf + n - 5 - nl, nl);
		mutant[nl] = '\0';
		n -= nl + 5;
		*strict = 1;
	}
	return (long)n;
}

static int repro_one(const char *path, const char *override)
{
	static uint8_t buf[2 + 3 * MD_PROG_MAX_OPS + MD_PROG_MAX_SCHED + 300];
	static struct md_prog p;
	static struct md_exec_result res;
	char mname[64];
	int strict, mutant;
	long n = read_repro(path, buf, sizeof(buf), mname, sizeof(mname), &strict);
	struct md_sched_source src;

	if (n < 0) {
		fprintf(stderr, "mdt repro: cannot read '%s': %s\n", path,
			errno ? strerror(errno) : "not a reproducer");
		return MD_EXIT_USAGE;
	}
	mutant = md_mutant_lookup(override ? override : mname);
	if (mutant < 0 || (mutant > 0 && !md_mutants_compiled())) {
		fprintf(stderr, "mdt repro: %s: mutant '%s' is %s\n", path,
			override ? override : mname,
			mutant < 0 ? "unknown" : "not compiled into this build");
		return MD_EXIT_USAGE;
	}
	md_prog_decode(&p, md_target_core.ops, buf, (size_t)n);
	/*
	 * The recorded trace ends where the recorded failure happened: with the
	 * recorded code, running out of it means the failure moved (diverged);
	 * with another mutant (or none) the run goes on and is judged.
	 */
	src = (struct md_sched_source){
	    strict ? MD_SCHED_REPLAY : MD_SCHED_BYTES, 0, 0, p.sched, p.nsched,
	    override && strcmp(override, mname) != 0};
	if (md_exec_run(&md_target_core, &p, &src, (unsigned)mutant, BUDGET, &res) ==
	    MD_FAIL_NONE) {
		printf("%s: PASS\n", path);
		return MD_EXIT_OK;
	}
	if (res.fail.kind == MD_FAIL_DIVERGED)
		printf("%s: DIVERGED at step %" PRIu64 ": the recorded schedule no longer fits "
		       "(%s)\n",
		       path, res.fail.step, res.fail.msg);
	else
		printf("%s: FAIL %s at step %" PRIu64 ": %s\n", path,
		       md_fail_kind_name(res.fail.kind), res.fail.step, res.fail.msg);
	return MD_EXIT_FAIL;
}

int md_repro_main(int argc, char **argv)
{
	const char *override = NULL;
	int ret = MD_EXIT_OK, nfiles = 0;

	for (int i = 1; i < argc; i++) { /* options first: they apply to every file */
		if (strcmp(argv[i], "--mutant") == 0 && i + 1 < argc) {
			override = argv[++i];
		} else if (strncmp(argv[i], "--", 2) == 0) {
			fprintf(stderr,
				"mdt repro: unknown option '%s' (usage: mdt repro FILE... "
				"[--mutant NAME|none])\n",
				argv[i]);
			return MD_EXIT_USAGE;
		}
	}
	for (int i = 1; i < argc; i++) {
		int r;

		if (strcmp(argv[i], "--mutant") == 0) {
			i++;
			continue;
		}
		nfiles++;
		r = repro_one(argv[i], override);
		if (r == MD_EXIT_USAGE)
			return r;
		if (r == MD_EXIT_FAIL)
			ret = MD_EXIT_FAIL;
	}
	if (nfiles == 0) {
		fprintf(stderr, "mdt repro: no reproducer given (usage: mdt repro FILE...)\n");
		return MD_EXIT_USAGE;
	}
	return ret;
}
