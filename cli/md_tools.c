// SPDX-License-Identifier: MIT
/*
 * md_tools.c - the commands that work on reproducer files: repro (and
 * --search), explain, minimize, compile, decompile.
 *
 * Replays run in a child process (md_exec_isolated) so that a failure that
 * kills the process - a sanitizer report, a signal - is reported like any
 * other, with the step it happened at.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "md_opt.h"
#include "md_crash.h"
#include "md_cmd.h"
#include "md_intr.h"
#include "md_minimize.h"
#include "md_mutant.h"
#include "md_rp.h"

#define MAX_POS	 256
#define SEARCHES 1000000

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The mutant to run @r with: the file's, or @override ("none" for the correct code). */
static int pick_mutant(const char *cmd, const char *path, struct md_repro *r, const char *override)
{
	int m = override ? md_bug_lookup(override) : (int)r->mutant;

	if (m < 0 || !md_bug_available((unsigned)m)) {
		fprintf(stderr, "%s: %s: mutant '%s' is %s\n", cmd, path,
			override ? override : md_bug_name(r->mutant),
			m < 0 ? "unknown" : "not compiled into this build (use --build debug)");
		return -1;
	}
	if (!md_bug_fits((unsigned)m, r->tg)) {
		fprintf(stderr, "%s: %s: mutant '%s' is seeded in target %s, the file's is %s\n",
			cmd, path, md_bug_name((unsigned)m), md_bug_target((unsigned)m)->name,
			r->tg->name);
		return -1;
	}
	return m;
}

/* A file a fuzzing campaign wrote: libFuzzer's artifacts, AFL++'s crashes and hangs. */
static int campaign_artifact(const char *path)
{
	static const char *const prefix[] = {"crash-",	   "leak-",	 "timeout-", "oom-",
					     "slow-unit-", "minimized-", "id:",	     NULL};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	for (unsigned i = 0; prefix[i]; i++)
		if (strncmp(base, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

/*
 * Read @path.  A file with no trailer is a raw fuzzer input, or a damaged
 * reproducer: replayed only when the user says so (@raw) or a campaign
 * wrote it, never read as "the correct code passes".  Those fuzzer inputs
 * are decoded as the fuzzer decoded them: a mutation that left the trailer's
 * magic but broke its checksum made the bytes a raw input there, not an error.
 */
/* --target: what a raw input is a program of (a `mdt fuzz --target` campaign's) */
static const char *raw_target;
#define RAW_TARGET_OPT                                                                             \
	{                                                                                          \
		"target", MD_OPT_STR, 0, 0, &raw_target,                                           \
		    "a raw input is a program of this target (default core)"                       \
	}

int md_cmd_load(const char *cmd, const char *path, struct md_repro *r, int raw)
{
	int fuzz_input = raw || campaign_artifact(path);
	const struct md_target *tg = md_target_find(raw_target);
	char err[512];

	if (tg == NULL) {
		fprintf(stderr, "%s: unknown --target '%s' (targets: %s)\n", cmd, raw_target,
			md_target_names());
		return -1;
	}
	if (md_repro_load(path, r, !fuzz_input, tg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	if (r->format != MD_REPRO_RAW || fuzz_input)
		return 0;
	fprintf(stderr,
		"%s: %s: not a reproducer: it ends in no trailer (a damaged file, or a raw "
		"fuzzer input: replay it with --raw)\n",
		cmd, path);
	return -1;
}

/* The ./mdt variant whose sanitizer is @san. */
static const char *variant_of(const char *san)
{
	return strcmp(san, "thread") == 0      ? "tsan"
	       : strcmp(san, "address") == 0   ? "asan"
	       : strcmp(san, "undefined") == 0 ? "ubsan"
					       : "debug";
}

/* Say what is being replayed when it is not plain: a raw input, another build's crash. */
/*
 * Say how @r replays here.  Return: true if it records a sanitizer report
 * that this build, without that sanitizer, cannot show.
 */
static bool replay_notes(const char *cmd, const char *path, const struct md_repro *r,
			 unsigned mutant)
{
	bool elsewhere =
	    r->san[0] && r->expect == MD_FAIL_CRASH && strcmp(r->san, md_repro_sanitizer());

	if (r->format == MD_REPRO_RAW)
		fprintf(stderr, "%s: %s: raw input, mutant %s, replayed in bytes mode\n", cmd, path,
			mutant ? md_bug_name(mutant) : "none");
	if (elsewhere)
		fprintf(stderr,
			"%s: %s: recorded in a build with sanitizer %s, this one has %s: replay it "
			"there: ./mdt --build %s repro %s\n",
			cmd, path, r->san, md_repro_sanitizer(), variant_of(r->san), path);
	return elsewhere;
}

/*
 * Replay @r with @mutant.  The recorded schedule is strict with the code it
 * was recorded on; with other code (--mutant none) the run may take other
 * paths, so its decisions are followed as far as they fit (bytes mode).
 */
static struct md_sched_source replay_source(const struct md_repro *r, unsigned mutant)
{
	struct md_sched_source src = md_repro_source(r);

	if (mutant != r->mutant)
		src.strategy = MD_SCHED_BYTES;
	return src;
}

static unsigned replay(const struct md_repro *r, unsigned mutant, struct md_exec_result *res)
{
	struct md_sched_source src = replay_source(r, mutant);

	return md_exec_isolated(r->tg, &r->p, &src, mutant, MD_EXEC_BUDGET, res);
}

static void report(const char *path, const struct md_exec_result *res)
{
	if (res->fail.kind == MD_FAIL_NONE)
		printf("%s: PASS\n", path);
	else if (res->fail.kind == MD_FAIL_DIVERGED)
		printf("%s: DIVERGED at step %" PRIu64 ": the recorded schedule no longer fits "
		       "(%s)\n",
		       path, res->fail.step, res->fail.msg);
	else
		printf("%s: FAIL %s at step %" PRIu64 ": %s\n", path,
		       md_fail_kind_name(res->fail.kind), res->fail.step, res->fail.msg);
}

/* ---- repro --search, --update ---- */

/*
 * The @i-th schedule a search tries on a program whose replay took @steps:
 * random and PCT of depth 2..4 in turn, change points spread over the run.
 */
static struct md_sched_source search_source(uint64_t seed, uint64_t i, uint64_t steps)
{
	return (struct md_sched_source){.strategy = i & 1 ? MD_SCHED_PCT : MD_SCHED_RANDOM,
					.seed = seed * 7919 + i,
					.depth = 2 + (unsigned)(i / 2 % 3),
					.horizon = (unsigned)(steps < 16 ? 16 : steps)};
}

/*
 * Explore schedules of @r's program until one fails or @ms pass; keep the
 * first as a new exact reproducer in @dir.
 */
int md_repro_search(const char *path, struct md_repro *r, unsigned mutant, uint64_t ms,
		    const char *dir, uint64_t steps)
{
	static struct md_exec_result res;
	struct md_finder fd = {dir,  "search", (uint64_t)time(NULL), 0, r->tg, mutant, NULL,
			       NULL, NULL};
	double t0 = now_s();
	char out[512];

	fflush(stdout); /* the replay's verdict shows before a search of up to a minute */
	md_finder_arm(&fd);
	for (fd.run = 0;
	     fd.run < SEARCHES && (now_s() - t0) * 1000 < (double)ms && !md_intr_pending();
	     fd.run++) {
		struct md_sched_source src = search_source(fd.seed, fd.run, steps);

		if (md_exec_run(r->tg, &r->p, &src, mutant, MD_EXEC_BUDGET, &res) == MD_FAIL_NONE ||
		    res.fail.kind == MD_FAIL_DIVERGED)
			continue;
		md_crash_disarm();
		printf("%s: search found FAIL %s at step %" PRIu64 " after %" PRIu64
		       " schedules: %s\n",
		       path, md_fail_kind_name(res.fail.kind), res.fail.step, fd.run + 1,
		       res.fail.msg);
		return md_finder_keep(&fd, &r->p, &res, out, sizeof(out)) ? MD_EXIT_ENV
									  : MD_EXIT_FAIL;
	}
	md_crash_disarm();
	printf("%s: search: no failing schedule in %" PRIu64 " tries (%.1fs%s)\n", path, fd.run,
	       now_s() - t0, md_intr_pending() ? ", interrupted" : "");
	return md_intr_pending() ? MD_EXIT_INTR : MD_EXIT_OK;
}

/* Does @res fail the way @r says it should (any failure when it does not say)? */
static int as_expected(const struct md_repro *r, const struct md_exec_result *res)
{
	unsigned k = res->fail.kind;

	if (k == MD_FAIL_NONE || k == MD_FAIL_DIVERGED || k == MD_FAIL_SETUP)
		return 0;
	return r->expect == MD_FAIL_NONE || k == r->expect;
}

/* Write @r over @path: a new file beside it, renamed over it (never a torn file). */
static int rewrite(const char *path, const struct md_repro *r)
{
	static uint8_t buf[MD_REPRO_MAX];
	char tmp[600];
	size_t n = md_repro_encode(r, buf, sizeof(buf));

	snprintf(tmp, sizeof(tmp), "%s.update-%ld", path, (long)getpid());
	if (n == 0 || md_repro_write(tmp, buf, n) || rename(tmp, path)) {
		fprintf(stderr, "mdt repro: cannot rewrite '%s': %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * --update: @r (an exact reproducer of a seeded bug) no longer replays, as
 * when the code's race points changed.  Search schedules of the same
 * program, each in a child process (the failure may be a sanitizer's), for
 * one that fails as the file records; write it over @path.
 * Return: 0 replays (again), 1 no such schedule found (file unchanged), 3.
 */
static int repro_update(const char *path, struct md_repro *r, uint64_t ms,
			struct md_exec_result *res)
{
	uint64_t seed = (uint64_t)time(NULL), steps = res->steps, i;
	double t0 = now_s();

	if (as_expected(r, res)) {
		printf("%s: replays as recorded: nothing to update\n", path);
		return MD_EXIT_OK;
	}
	for (i = 0; i < SEARCHES && (now_s() - t0) * 1000 < (double)ms && !md_intr_pending(); i++) {
		struct md_sched_source src = search_source(seed, i, steps);

		if (md_exec_isolated(r->tg, &r->p, &src, r->mutant, MD_EXEC_BUDGET, res) ==
			MD_FAIL_NONE ||
		    !as_expected(r, res))
			continue;
		r->p.nsched = res->ntrace < MD_PROG_MAX_SCHED ? res->ntrace : MD_PROG_MAX_SCHED;
		memcpy(r->p.sched, res->trace, r->p.nsched);
		r->exact = 1;
		r->expect = res->fail.kind;
		strcpy(r->san, md_repro_sanitizer());
		if (replay(r, r->mutant, res) != r->expect || rewrite(path, r))
			return MD_EXIT_ENV;
		printf("%s: updated after %" PRIu64 " schedules: ", path, i + 1);
		report(path, res);
		return MD_EXIT_OK;
	}
	printf("%s: no schedule fails %s in %" PRIu64 " tries (%.1fs%s): file unchanged\n", path,
	       r->expect ? md_fail_kind_name(r->expect) : "at all", i, now_s() - t0,
	       md_intr_pending() ? ", interrupted" : "");
	return md_intr_pending() ? MD_EXIT_INTR : MD_EXIT_FAIL;
}

struct repro_opts {
	const char *override, *dir;
	uint64_t search_ms;
	int update, raw;
};

static int repro_one(const char *path, const struct repro_opts *o)
{
	static struct md_repro r;
	static struct md_exec_result res;
	const char *override = o->override;
	uint64_t search_ms = o->search_ms;
	int update = o->update, mutant;

	if (md_cmd_load("mdt repro", path, &r, o->raw) ||
	    (mutant = pick_mutant("mdt repro", path, &r, override)) < 0)
		return MD_EXIT_USAGE;
	/* a sanitizer's finding replayed without it would only drift: the wrong build */
	if (replay_notes("mdt repro", path, &r, (unsigned)mutant) && !override)
		return MD_EXIT_USAGE;
	if (update && (override || r.mutant == MD_MUT_NONE || !r.exact)) {
		fprintf(stderr,
			"mdt repro: --update: %s is not an exact reproducer of a seeded bug "
			"(or --mutant was given)\n",
			path);
		return MD_EXIT_USAGE;
	}
	replay(&r, (unsigned)mutant, &res);
	report(path, &res);
	if (update)
		return repro_update(path, &r, search_ms ? search_ms : 60000, &res);
	if (res.fail.kind != MD_FAIL_NONE && res.fail.kind != MD_FAIL_DIVERGED)
		return MD_EXIT_FAIL;
	if (search_ms)
		return md_repro_search(path, &r, (unsigned)mutant, search_ms, o->dir, res.steps);
	return res.fail.kind == MD_FAIL_DIVERGED ? MD_EXIT_FAIL : MD_EXIT_OK;
}

/* Several files: a failure found outranks a file that could not be read, which outranks none. */
static int worse(int a, int b)
{
	static const int rank[] = {
	    [MD_EXIT_OK] = 0, [MD_EXIT_USAGE] = 1, [MD_EXIT_ENV] = 2, [MD_EXIT_FAIL] = 3};

	if (a == MD_EXIT_INTR ||
	    b == MD_EXIT_INTR) /* interrupted: only a failure found outranks it */
		return a == MD_EXIT_FAIL || b == MD_EXIT_FAIL ? MD_EXIT_FAIL : MD_EXIT_INTR;
	return rank[b] > rank[a] ? b : a;
}

/* --search writes its finding there: checked before any work, so nothing found is lost. */
static int artifacts_ok(const char *dir)
{
	if (md_repro_mkdir(dir) == 0 && access(dir, W_OK) == 0)
		return 0;
	fprintf(stderr, "mdt repro: artifacts directory '%s' is not writable: %s\n", dir,
		strerror(errno));
	return -1;
}

int md_repro_main(int argc, char **argv)
{
	struct repro_opts o = {.dir = "artifacts"};
	const char *pos[MAX_POS];
	const struct md_opt opts[] = {
	    {"mutant", MD_OPT_STR, 0, 0, &o.override,
	     "run with this seeded bug instead of the file's ('none': the correct code)"},
	    {"search", MD_OPT_DURATION, 1, 1000ull * 3600 * 24, &o.search_ms,
	     "if the file does not fail, search schedules for this long"},
	    {"artifacts", MD_OPT_STR, 0, 0, &o.dir, "where --search writes (artifacts/)"},
	    {"update", MD_OPT_FLAG, 0, 0, &o.update,
	     "a drifted reproducer: search (--search, default 60s) for a schedule failing as "
	     "recorded and rewrite the file; exit 0 when it replays"},
	    {"raw", MD_OPT_FLAG, 0, 0, &o.raw,
	     "replay files with no trailer as raw fuzzer inputs (bytes mode)"},
	    RAW_TARGET_OPT,
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret = md_opt_parse_args("mdt repro FILE...", opts, argc, argv, pos, MAX_POS, &argc);

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (argc == 0) {
		fprintf(stderr, "mdt repro: no reproducer given (usage: mdt repro FILE...)\n");
		return MD_EXIT_USAGE;
	}
	if (o.search_ms && !o.update && artifacts_ok(o.dir))
		return MD_EXIT_ENV;
	md_intr_arm();
	for (int i = 0; i < argc && !md_intr_pending(); i++)
		ret = worse(ret, repro_one(pos[i], &o));
	return md_intr_pending() && ret != MD_EXIT_FAIL ? MD_EXIT_INTR : ret;
}

/* ---- explain ---- */

#define COLW 26

struct explain {
	const struct md_repro *r;
	struct md_sched_log log;
};

static void explain_row(uint64_t step, unsigned fiber, const char *text)
{
	printf("%6" PRIu64 "  %*s%s\n", step, (int)(fiber * COLW), "", text);
}

/* "ck.rmw cas 0x0->0x5: ok": the race point and what its access did, when reported. */
static void explain_access(const struct md_sched_event *e, char *buf, size_t len)
{
	const uint64_t *v = e->v;
	int n = snprintf(buf, len, e->late ? "  (%s)%s" : "%s%s", md_rp_name(e->rp),
			 e->spin ? " (spin)" : "");

	if (n < 0 || (size_t)n >= len || e->nv == 0)
		return;
	switch (e->nv - 1) {
	case MD_RV_LOAD:
		snprintf(buf + n, len - (size_t)n, " = %#" PRIx64, v[0]);
		break;
	case MD_RV_STORE:
		snprintf(buf + n, len - (size_t)n, " <- %#" PRIx64, v[0]);
		break;
	case MD_RV_CAS:
		if (v[0] == v[2])
			snprintf(buf + n, len - (size_t)n, " cas %#" PRIx64 "->%#" PRIx64 ": ok",
				 v[0], v[1]);
		else
			snprintf(buf + n, len - (size_t)n,
				 " cas %#" PRIx64 "->%#" PRIx64 ": FAILED, found %#" PRIx64, v[0],
				 v[1], v[2]);
		break;
	default: /* RMW */
		snprintf(buf + n, len - (size_t)n, " op %#" PRIx64 ", was %#" PRIx64, v[0], v[1]);
	}
}

static void explain_timeline(const struct explain *x)
{
	unsigned last_tag[MD_PROG_MAX_THREADS];
	char buf[128], op[96];

	memset(last_tag, 0xff, sizeof(last_tag));
	printf(
	    "\ntimeline: one row per race point passed, a column per thread; = read, <- written,\n"
	    "cas expected->new; a (point) row: that access ran there, after others' steps\n  step "
	    " ");
	for (unsigned i = 0; i < x->r->p.nthreads; i++)
		printf("t%-*u", COLW - 1, i);
	printf("\n");
	for (size_t i = 0, step = 0; i < x->log.n; i++) {
		const struct md_sched_event *e = &x->log.ev[i];

		if (e->tag != last_tag[e->fiber] && e->tag < x->r->p.nops) {
			last_tag[e->fiber] = e->tag;
			md_prog_op_format(&x->r->p.op[e->tag], x->r->tg->ops, op, sizeof(op));
			snprintf(buf, sizeof(buf), "[op %u: %s]", e->tag, op);
			explain_row(step, e->fiber, buf);
		}
		if (e->rp == MD_RP_NONE) { /* the op returned: not a step */
			snprintf(buf, sizeof(buf), "[op %u done]", e->tag);
			explain_row(step, e->fiber, buf);
			continue;
		}
		explain_access(e, buf, sizeof(buf));
		explain_row(e->late ? step : step++, e->fiber, buf);
	}
}

static void explain_verdict(const struct explain *x, const struct md_exec_result *res)
{
	const struct md_failure *f = &res->fail;
	char op[96] = "";

	if (f->kind == MD_FAIL_NONE) {
		printf("\nPASS after %" PRIu64 " steps\n", res->steps);
		return;
	}
	if ((f->kind == MD_FAIL_POSTCOND || f->kind == MD_FAIL_CRASH) && f->op_index < x->r->p.nops)
		md_prog_op_format(&x->r->p.op[f->op_index], x->r->tg->ops, op, sizeof(op));
	printf("\n>>> FAIL %s at step %" PRIu64, md_fail_kind_name(f->kind), f->step);
	if (f->kind == MD_FAIL_POSTCOND)
		printf(" in t%u, op %u (%s)", f->thread, f->op_index, op);
	printf(": %s\n", f->msg);
}

static struct explain *explaining;

/* Dying mid-run: the timeline so far, then the crash (best effort: stdio in a handler). */
static void explain_crash(const char *why, void *arg)
{
	static struct md_exec_result res;

	(void)arg;
	if (md_exec_live(&res, why) == NULL || explaining == NULL)
		return;
	explain_timeline(explaining);
	explain_verdict(explaining, &res);
	fflush(stdout);
	md_exit_now(MD_EXIT_FAIL);
}

int md_explain_main(int argc, char **argv)
{
	static struct md_repro r;
	static struct md_exec_result res;
	static struct explain x;
	const char *override = NULL, *path;
	int raw = 0;
	const struct md_opt opts[] = {
	    {"mutant", MD_OPT_STR, 0, 0, &override, "run with this seeded bug (or 'none')"},
	    {"raw", MD_OPT_FLAG, 0, 0, &raw, "take a file with no trailer as a raw fuzzer input"},
	    RAW_TARGET_OPT,
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	struct md_sched_source src;
	int ret = md_opt_parse_args("mdt explain FILE", opts, argc, argv, &path, 1, &argc);
	int mutant;

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (argc != 1) {
		fprintf(stderr, "mdt explain: one reproducer, please (usage: mdt explain FILE)\n");
		return MD_EXIT_USAGE;
	}
	if (md_cmd_load("mdt explain", path, &r, raw) ||
	    (mutant = pick_mutant("mdt explain", path, &r, override)) < 0)
		return MD_EXIT_USAGE;
	replay_notes("mdt explain", path, &r, (unsigned)mutant);
	printf("# %s\n", path);
	md_repro_print(&r, stdout);
	x.r = &r;
	src = replay_source(&r, (unsigned)mutant);
	src.log = &x.log;
	explaining = &x;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	md_crash_arm(explain_crash, NULL);
	md_exec_run(r.tg, &r.p, &src, (unsigned)mutant, MD_EXEC_BUDGET, &res);
	md_crash_disarm();
	explain_timeline(&x);
	explain_verdict(&x, &res);
	free(x.log.ev);
	return res.fail.kind == MD_FAIL_NONE ? MD_EXIT_OK : MD_EXIT_FAIL;
}

/* ---- minimize ---- */

struct mini {
	struct md_repro r; /* the program being minimized (md_minimize's) and its trailer */
	unsigned kind, mutant;
	unsigned rp; /* a crash must stay at the same race point (or after the run) */
	int in_run;
	uint64_t tries, max_tries;
	double deadline;
};

static int mini_out_of_time(const struct mini *m)
{
	return m->tries >= m->max_tries || now_s() >= m->deadline || md_intr_pending();
}

/* One schedule for @cand: the same failure?  Then @cand's schedule becomes the trace taken. */
static int mini_run(struct mini *m, struct md_prog *cand, const struct md_sched_source *src)
{
	static struct md_exec_result res;

	m->tries++;
	if (md_exec_isolated(m->r.tg, cand, src, m->mutant, MD_EXEC_BUDGET, &res) != m->kind)
		return 0;
	if (m->kind == MD_FAIL_CRASH &&
	    (res.fail.rp != m->rp || (res.fail.thread < cand->nthreads) != m->in_run))
		return 0; /* another crash, not a smaller one */
	cand->nsched = res.ntrace < MD_PROG_MAX_SCHED ? res.ntrace : MD_PROG_MAX_SCHED;
	memcpy(cand->sched, res.trace, cand->nsched);
	return 1;
}

/* md_minimize's predicate: @cand's own schedule bytes, then @effort PCT schedules. */
static int mini_pred(struct md_prog *cand, unsigned effort, void *arg)
{
	struct mini *m = arg;
	struct md_sched_source src = {
	    .strategy = MD_SCHED_BYTES, .bytes = cand->sched, .len = cand->nsched};

	if (mini_out_of_time(m))
		return 0;
	if (mini_run(m, cand, &src))
		return 1;
	for (unsigned k = 0; k < effort && !mini_out_of_time(m); k++) {
		src = (struct md_sched_source){
		    .strategy = MD_SCHED_PCT, .seed = m->tries * 31 + k, .depth = 1 + k % 3};
		if (mini_run(m, cand, &src))
			return 1;
	}
	return 0;
}

static size_t repro_size(const struct md_repro *r)
{
	static uint8_t buf[MD_REPRO_MAX];

	return md_repro_encode(r, buf, sizeof(buf));
}

static int mini_write(const struct mini *m, const char *out)
{
	static uint8_t buf[MD_REPRO_MAX];
	size_t n = md_repro_encode(&m->r, buf, sizeof(buf));

	if (md_repro_write(out, buf, n) == 0)
		return 0;
	fprintf(stderr, "mdt minimize: cannot write '%s': %s\n", out,
		errno == EEXIST ? "it exists (not overwritten)" : strerror(errno));
	return -1;
}

int md_minimize_main(int argc, char **argv)
{
	static struct mini m;
	static struct md_exec_result res;
	const char *override = NULL, *out = NULL, *path;
	uint64_t time_ms = 120000, max_tries = 20000;
	int raw = 0;
	const struct md_opt opts[] = {
	    {"o", MD_OPT_STR, 0, 0, &out, "the smaller reproducer (a new file)"},
	    {"mutant", MD_OPT_STR, 0, 0, &override, "run with this seeded bug (or 'none')"},
	    {"time", MD_OPT_DURATION, 1, 1000ull * 3600 * 24, &time_ms, "give up after (120s)"},
	    {"tries", MD_OPT_U64, 1, 10000000, &max_tries, "runs at most (20000)"},
	    {"raw", MD_OPT_FLAG, 0, 0, &raw, "take a file with no trailer as a raw fuzzer input"},
	    RAW_TARGET_OPT,
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret = md_opt_parse_args("mdt minimize FILE -o OUT", opts, argc, argv, &path, 1, &argc);
	unsigned ops0, th0;
	uint64_t steps0;
	size_t size0;
	int mutant, unrecorded;

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (argc != 1 || out == NULL) {
		fprintf(stderr, "mdt minimize: usage: mdt minimize FILE -o OUT\n");
		return MD_EXIT_USAGE;
	}
	if (md_cmd_load("mdt minimize", path, &m.r, raw) ||
	    (mutant = pick_mutant("mdt minimize", path, &m.r, override)) < 0)
		return MD_EXIT_USAGE;
	if (replay_notes("mdt minimize", path, &m.r, (unsigned)mutant) && !override)
		return MD_EXIT_USAGE;
	md_intr_arm();
	m.mutant = (unsigned)mutant;
	m.kind = replay(&m.r, m.mutant, &res);
	if (m.kind == MD_FAIL_NONE || m.kind == MD_FAIL_DIVERGED) {
		report(path, &res);
		fprintf(stderr, "mdt minimize: %s does not fail: nothing to keep failing\n", path);
		return MD_EXIT_FAIL;
	}
	m.r.mutant = m.mutant;
	m.rp = res.fail.rp;
	m.in_run = res.fail.thread < m.r.p.nthreads;
	m.max_tries = max_tries;
	m.deadline = now_s() + (double)time_ms / 1000;
	ops0 = m.r.p.nops, th0 = m.r.p.nthreads, steps0 = res.steps, size0 = repro_size(&m.r);
	unrecorded = m.r.expect == MD_FAIL_NONE;
	md_minimize(&m.r.p, res.fail.kind == MD_FAIL_POSTCOND ? res.fail.op_index : ~0u, mini_pred,
		    &m);
	m.r.exact = 1;
	m.r.expect = m.kind;
	strcpy(m.r.san, md_repro_sanitizer());
	if (replay(&m.r, m.mutant, &res) != m.kind && m.r.p.nsched == MD_PROG_MAX_SCHED) {
		m.r.exact = 0; /* longer than a file's schedule: bytes mode, as explore keeps it */
		printf(
		    "note: the schedule is longer than a reproducer holds: kept in bytes mode\n");
	}
	if (m.r.exact == 0 ? replay(&m.r, m.mutant, &res) != m.kind
			   : res.fail.kind != m.kind) { /* the file must replay identically */
		report(out, &res);
		fprintf(stderr, "mdt minimize: the result does not replay; nothing written\n");
		return MD_EXIT_FAIL;
	}
	if (mini_write(&m, out))
		return MD_EXIT_ENV;
	printf("mdt minimize: %s (%s) -> %s in %" PRIu64 " runs\n"
	       "  ops %u -> %u, threads %u -> %u, steps %" PRIu64 " -> %" PRIu64
	       ", bytes %zu -> %zu\n",
	       path, md_fail_kind_name(m.kind), out, m.tries, ops0, m.r.p.nops, th0, m.r.p.nthreads,
	       steps0, res.steps, size0, repro_size(&m.r));
	if (unrecorded) /* an older file: the bytes it gains are the trailer's record */
		printf("note: %s records no expected failure; %s does, in its "
		       "trailer\n",
		       path, out);
	report(out, &res);
	if (md_intr_pending()) {
		printf("mdt minimize: interrupted: %s is the smallest found so far\n", out);
		return MD_EXIT_INTR;
	}
	return MD_EXIT_OK;
}

/* ---- compile / decompile ---- */

/* compile --target: @r as a program of @name, a design of its own target. */
static int retarget(struct md_repro *r, const char *name)
{
	const struct md_target *tg = md_target_find(name);

	if (tg == NULL || md_target_base(tg) != md_target_base(r->tg)) {
		fprintf(stderr, "mdt compile: --target %s: %s\n", name,
			tg ? "not a design of the file's target" : "no such target");
		return -1;
	}
	if (!md_bug_fits(r->mutant, tg)) {
		fprintf(stderr, "mdt compile: --target %s: its mutant %s is seeded elsewhere\n",
			name, md_bug_name(r->mutant));
		return -1;
	}
	r->tg = tg;
	return 0;
}

int md_compile_main(int argc, char **argv)
{
	static struct md_repro r;
	static uint8_t buf[MD_REPRO_MAX];
	const char *out = NULL, *path, *design = NULL;
	const struct md_opt opts[] = {
	    {"o", MD_OPT_STR, 0, 0, &out, "the binary reproducer to write (a new file)"},
	    {"target", MD_OPT_STR, 0, 0, &design,
	     "record it for this design of its target instead (core:one-typesafe: the same ops)"},
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret =
	    md_opt_parse_args("mdt compile FILE.mdt -o OUT", opts, argc, argv, &path, 1, &argc);
	size_t n;

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (argc != 1 || out == NULL) {
		fprintf(stderr, "mdt compile: usage: mdt compile FILE.mdt -o FILE.bin\n");
		return MD_EXIT_USAGE;
	}
	if (md_cmd_load("mdt compile", path, &r, 0))
		return MD_EXIT_USAGE;
	if (r.format != MD_REPRO_TEXT) {
		fprintf(stderr, "mdt compile: %s: compile reads the text form (.mdt)\n", path);
		return MD_EXIT_USAGE;
	}
	if (design && retarget(&r, design))
		return MD_EXIT_USAGE;
	n = md_repro_encode(&r, buf, sizeof(buf));
	if (md_repro_write(out, buf, n)) {
		fprintf(stderr, "mdt compile: cannot write '%s': %s\n", out,
			errno == EEXIST ? "it exists (not overwritten)" : strerror(errno));
		return MD_EXIT_ENV;
	}
	return MD_EXIT_OK;
}

int md_decompile_main(int argc, char **argv)
{
	static struct md_repro r;
	const char *path;
	int raw = 0;
	const struct md_opt opts[] = {
	    {"raw", MD_OPT_FLAG, 0, 0, &raw, "take a file with no trailer as a raw fuzzer input"},
	    RAW_TARGET_OPT,
	    {NULL, 0, 0, 0, NULL, NULL},
	};
	int ret = md_opt_parse_args("mdt decompile FILE", opts, argc, argv, &path, 1, &argc);

	if (ret)
		return ret < 0 ? MD_EXIT_OK : ret;
	if (argc != 1) {
		fprintf(stderr, "mdt decompile: usage: mdt decompile FILE.bin\n");
		return MD_EXIT_USAGE;
	}
	if (md_cmd_load("mdt decompile", path, &r, raw))
		return MD_EXIT_USAGE;
	md_repro_print(&r, stdout);
	return MD_EXIT_OK;
}
