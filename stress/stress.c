// SPDX-License-Identifier: MIT
/*
 * stress.c - `mdt stress`: the options, their checks, and the choice
 * between a long run (run.c) and rounds (rounds.c).  Every option works
 * with --rounds or is refused there with exit 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "md_config.h"
#include "md_intr.h"
#include "md_mutant.h"
#include "../cli/md_opt.h"
#include "stress.h"

static int parse(struct stress_opts *o, int argc, char **argv)
{
	const struct md_opt opts[] = {
	    {"target", MD_OPT_STR, 0, 0, &o->target,
	     "system under test: " MD_TARGET_NAMES
	     ", or TARGET:DESIGN (mdt targets; default core)"},
	    {"duration", MD_OPT_DURATION, 1, 1000ull * 3600 * 24 * 7, &o->duration_ms,
	     "run time: 500ms, 30s, 2m, 1h (default 30s)"},
	    {"threads", MD_OPT_U64, 1, STRESS_MAX_WORKERS, &o->threads,
	     "worker threads (default: CPUs, at least 2)"},
	    {"frames", MD_OPT_U64, 64, (uint64_t)1 << 24, &o->frames,
	     "frames in the pool, a multiple of 64 (default 256: small pools collide more)"},
	    {"seed", MD_OPT_U64, 0, UINT64_MAX, &o->seed,
	     "random seed (default: from the clock; always printed)"},
	    {"mutant", MD_OPT_STR, 0, 0, &o->mutant, "seeded bug to switch on (see mdt mutants)"},
	    {"json", MD_OPT_STR, 0, 0, &o->json, "write the summary as JSON to this file"},
	    {"mix", MD_OPT_STR, 0, 0, &o->mix,
	     "op weights, e.g. lookup=40,split=5: only the listed ops run (see --list-ops)"},
	    {"list-ops", MD_OPT_FLAG, 0, 0, &o->list_ops,
	     "list the target's ops, their default weights and what each checks"},
	    {"stall", MD_OPT_DURATION, 100, 1000ull * 3600, &o->stall_ms,
	     "a thread without progress this long is a stall: report, exit 4 (default 10s)"},
	    {"chaos", MD_OPT_PROB, 0, 0, &o->chaos,
	     "probability of a delay (yield, spin or a 20us sleep) at each race point (default 0)"},
	    {"chaos-at", MD_OPT_STR, 0, 0, &o->chaos_at,
	     "race points where chaos applies, e.g. lookup.tryget,split.build (default: all)"},
	    {"chaos-kinds", MD_OPT_STR, 0, 0, &o->chaos_kinds,
	     "which delays chaos uses: yield,spin,sleep (default all three)"},
	    {"chaos-sleep", MD_OPT_U64, 1, 1000000, &o->chaos_sleep_us,
	     "microseconds a chaos sleep lasts (default 20)"},
	    {"check-every", MD_OPT_DURATION, 10, 1000ull * 3600, &o->check_every_ms,
	     "pause all threads this often and run the full invariant check (default off)"},
	    {"stutter", MD_OPT_DURATION, 10, 1000ull * 3600, &o->stutter_ms,
	     "alternate load and pause phases of this length (default off)"},
	    {"compactors", MD_OPT_U64, 0, STRESS_MAX_BG - 1, &o->compactors,
	     "background compactor threads, plus one migrator when > 0 (default 1)"},
	    {"rounds", MD_OPT_U64, 1, UINT64_MAX, &o->rounds,
	     "instead: up to N short generated programs, each on a fresh instance; to catch a "
	     "race, --mix its paths' ops and add --chaos 0.2 (README)"},
	    {"search-time", MD_OPT_DURATION, 1, 1000ull * 3600, &o->search_ms,
	     "rounds: how long to search a failing round's schedules (default 10s)"},
	    {"artifacts", MD_OPT_STR, 0, 0, &o->artifacts,
	     "rounds: where failing programs and reproducers go (default artifacts/)"},
	    {"selftest-hang", MD_OPT_FLAG, 0, 0, &o->selftest_hang,
	     "the watchdog's self-test: thread 0 hangs in its first op"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	o->duration_ms = 30000;
	o->threads = ncpu < 2 ? 2 : ncpu > STRESS_MAX_WORKERS ? STRESS_MAX_WORKERS : (uint64_t)ncpu;
	o->frames = 256;
	o->chaos_sleep_us = 20;
	o->stall_ms = 10000;
	o->compactors = 1;
	o->search_ms = 10000;
	o->artifacts = "artifacts";
	o->seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	o->argc = argc;
	o->argv = argv;
	ret = md_opt_parse("mdt stress", opts, argc, argv);
	return ret < 0 ? -1 : ret;
}

/* One line on stderr; the usage exit code. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mdt stress: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return MD_EXIT_USAGE;
}

static int resolve_mutant(struct stress *s)
{
	const char *name = s->o.mutant ? s->o.mutant : getenv("MDT_MUTANT");
	int m = md_bug_lookup(name);

	s->mutant_given = s->o.mutant != NULL;
	if (m < 0)
		return usage_error("unknown mutant '%s' (see: mdt mutants)", name);
	if (m > 0 && !md_bug_available((unsigned)m))
		return usage_error("%s", "this build has no mutants compiled in (-Dmutants=false); "
					 "use --build debug, tsan or asan");
	s->mutant = (unsigned)m;
	return 0;
}

/* --mix name=weight,...: only the listed ops run; else the registry's weights. */
static int resolve_mix(struct stress *s)
{
	const struct md_op_table *t = s->tg->ops;
	char buf[1024], *save = NULL, *tok;
	unsigned total = 0;

	s->weights = calloc(t->nops, sizeof(*s->weights));
	if (s->weights == NULL)
		return MD_EXIT_ENV;
	for (unsigned k = 0; k < t->nops && s->o.mix == NULL; k++)
		s->weights[k] = t->op[k].weight;
	if (s->o.mix == NULL)
		return 0;
	if (strlen(s->o.mix) >= sizeof(buf))
		goto bad;
	strcpy(buf, s->o.mix);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long w;
		int k;

		if (eq == NULL)
			goto bad;
		*eq = '\0';
		if ((k = md_target_op(s->tg, tok)) < 0)
			return usage_error("unknown op '%s' in --mix (see --list-ops)", tok);
		w = strtoul(eq + 1, &end, 10);
		if (*end || eq[1] == '\0' || eq[1] == '-' || w > 1000)
			goto bad;
		s->weights[k] = (unsigned)w;
		total += (unsigned)w;
	}
	if (total > 0)
		return 0;
bad:
	return usage_error("bad --mix '%s' (want name=weight,..., weights 0..1000, not all 0)",
			   s->o.mix);
}

static int resolve_chaos(struct stress *s)
{
	char bad[128];

	md_chaos_default(&s->chaos);
	s->chaos.p = s->o.chaos;
	s->chaos.sleep_us = (uint32_t)s->o.chaos_sleep_us;
	if (s->o.chaos_kinds && md_chaos_parse_kinds(&s->chaos, s->o.chaos_kinds))
		return usage_error("bad --chaos-kinds '%s' (some of yield,spin,sleep)",
				   s->o.chaos_kinds);
	if (s->o.chaos_at && md_chaos_parse_at(&s->chaos, s->o.chaos_at, bad, sizeof(bad)))
		return usage_error("unknown race point '%s' in --chaos-at", bad);
	if (s->o.chaos > 0 && !MD_RACE_POINTS_ON)
		return usage_error("%s", "--chaos needs race points; this build has none "
					 "(-Drace_points=false): use --build debug, tsan or asan");
	return 0;
}

/* Options a long run has and rounds do not: refused with --rounds, not ignored. */
static int check_rounds_options(struct stress *s)
{
	static const char *const long_only[] = {"frames",  "compactors",    "check-every",
						"stutter", "selftest-hang", NULL};

	for (unsigned i = 0; long_only[i]; i++)
		if (md_opt_given(s->o.argc, s->o.argv, long_only[i]))
			return usage_error("--%s does not apply to --rounds (each round runs a "
					   "program on the small instance, alone)",
					   long_only[i]);
	return 0;
}

static int check_long_options(struct stress *s)
{
	if (s->o.frames % 64)
		return usage_error("--frames must be a multiple of 64 (got %" PRIu64 ")",
				   s->o.frames);
	if (md_opt_given(s->o.argc, s->o.argv, "search-time") ||
	    md_opt_given(s->o.argc, s->o.argv, "artifacts"))
		return usage_error("%s", "--search-time and --artifacts apply to --rounds only");
	if (md_target_op(s->tg, "compact") < 0 || md_target_op(s->tg, "migrate") < 0) {
		if (md_opt_given(s->o.argc, s->o.argv, "compactors") && s->o.compactors)
			return usage_error("target %s has no compact and migrate ops: no "
					   "--compactors",
					   s->tg->name);
		s->o.compactors = 0;
	}
	return 0;
}

static void list_ops(const struct md_target *tg)
{
	const struct md_op_table *t = tg->ops;

	printf("%-14s %-6s %-14s %s\n", "op", "weight", "arguments", "what it does and checks");
	for (unsigned k = 0; k < t->nops; k++) {
		const struct md_op_desc *d = &t->op[k];
		char args[64];

		snprintf(args, sizeof(args), "%s%s%s", d->arg[0] ? d->arg[0] : "-",
			 d->arg[1] ? "," : "", d->arg[1] ? d->arg[1] : "");
		printf("%-14s %-6u %-14s %s\n", d->name, d->weight, args, d->doc ? d->doc : "");
	}
}

static int resolve(struct stress *s)
{
	int ret;

	s->tg = md_target_find(s->o.target);
	if (s->tg == NULL)
		return usage_error("unknown target '%s' (targets: %s)", s->o.target,
				   md_target_names());
	if (s->o.list_ops) {
		list_ops(s->tg);
		return -1;
	}
	if ((ret = resolve_mutant(s)) || (ret = resolve_mix(s)) || (ret = resolve_chaos(s)))
		return ret;
	if (!md_bug_fits(s->mutant, s->tg))
		return usage_error("mutant '%s' is seeded in target %s (use --target %s)",
				   md_bug_name(s->mutant), md_bug_target(s->mutant)->name,
				   md_bug_target(s->mutant)->name);
	return s->o.rounds ? check_rounds_options(s) : check_long_options(s);
}

/* --json: a temporary file now (a bad path fails before any work), renamed at the end. */
static int open_json(struct stress *s)
{
	if (s->o.json == NULL)
		return 0;
	if (md_outfile_open(&s->json, s->o.json) == 0) {
		s->json_open = 1;
		return 0;
	}
	fprintf(stderr, "mdt stress: cannot write --json file '%s': %s\n", s->o.json,
		strerror(errno));
	return MD_EXIT_ENV;
}

int md_stress_main(int argc, char **argv)
{
	static struct stress s;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = parse(&s.o, argc, argv);
	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	ret = resolve(&s);
	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	ret = open_json(&s);
	if (ret)
		return ret;
	stress_make_rerun(&s);
	md_intr_arm();
	ret = s.o.rounds ? stress_rounds(&s) : stress_run(&s);
	if (s.json_open && stress_write_json(&s) && ret == MD_EXIT_OK)
		ret = MD_EXIT_ENV;
	return ret;
}
