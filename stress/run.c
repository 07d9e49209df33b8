// SPDX-License-Identifier: MIT
/*
 * run.c - a long `mdt stress` run: the target's ops by weight on real
 * threads for --duration, with background compactors and a migrator,
 * checkpoints, stutter, the watchdog and a live line; at the end the
 * quiescent check with the references held, and again after everything was
 * released.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md_checkpoint.h"
#include "md_config.h"
#include "md_crash.h"
#include "md_intr.h"
#include "md_mutant.h"
#include "../cli/md_opt.h"
#include "stress.h"

#define TICK_US 20000

struct clock {
	uint64_t t0, next_check, next_stutter, last_print;
	int tty, stuttering;
};

/* The first failure wins; later ones are only counted. */
static void failed(struct stress *s, const char *what)
{
	if (s->nfailures++ == 0)
		snprintf(s->failure, sizeof(s->failure), "%s", what);
}

/* --check-every: pause (unless stutter did), check, resume.  Return: 0 or MD_EXIT_STALL. */
static int checkpoint(struct stress *s, void *inst, struct md_rexec *x, struct md_watchdog *w,
		      int paused)
{
	enum md_checkpoint_result r = paused ? MD_CHECKPOINT_CLEAN : md_checkpoint_pause(x, w);
	char msg[256], what[320];

	if (r == MD_CHECKPOINT_CLEAN) {
		s->checkpoints++;
		if (md_checkpoint_check(s->tg, inst, msg, sizeof(msg)) == MD_CHECKPOINT_VIOLATION) {
			snprintf(what, sizeof(what), "checkpoint %" PRIu64 ": %s", s->checkpoints,
				 msg);
			printf("\ncheck (checkpoint %" PRIu64 "): VIOLATIONS\n  %s\n",
			       s->checkpoints, msg);
			failed(s, what);
			md_rexec_stop(x);
		}
	}
	if (!paused)
		md_rexec_resume(x);
	return r == MD_CHECKPOINT_STALL ? MD_EXIT_STALL : 0;
}

/* --stutter: flip between running and paused. */
static int stutter(struct md_rexec *x, struct md_watchdog *w, int *paused)
{
	if (*paused) {
		md_rexec_resume(x);
		*paused = 0;
		return 0;
	}
	*paused = 1;
	return md_checkpoint_pause(x, w) == MD_CHECKPOINT_STALL ? MD_EXIT_STALL : 0;
}

/* One tick of the reporter.  Return: 0 go on, 1 done, MD_EXIT_STALL. */
static int tick(struct stress *s, void *inst, struct md_rexec *x, struct md_watchdog *w,
		struct clock *k)
{
	uint64_t el = md_now_ms() - k->t0;
	int r = 0;

	if (el >= s->o.duration_ms || md_rexec_stopping(x))
		return 1;
	if (md_intr_pending()) {
		s->interrupted = 1;
		return 1;
	}
	if (!k->stuttering && md_watchdog_check(w, x, md_now_ms()))
		return MD_EXIT_STALL;
	if (el >= k->next_check) {
		r = checkpoint(s, inst, x, w, k->stuttering);
		k->next_check = el + s->o.check_every_ms;
	}
	if (r == 0 && el >= k->next_stutter) {
		r = stutter(x, w, &k->stuttering);
		k->next_stutter = el + s->o.stutter_ms;
	}
	if (el - k->last_print >= (k->tty ? 500u : 5000u)) {
		stress_progress(s, x, el, k->tty);
		k->last_print = el;
	}
	return r;
}

/* Stop the threads and wait for them; a stuck one is a stall.  Return: 0 or MD_EXIT_STALL. */
static int wind_down(struct md_rexec *x, struct md_watchdog *w)
{
	md_rexec_stop(x);
	md_rexec_resume(x);
	while (!md_rexec_all_done(x)) {
		if (md_watchdog_check(w, x, md_now_ms()))
			return MD_EXIT_STALL;
		usleep(1000);
	}
	return 0;
}

/* Run until the duration ends, a failure or a stall.  Return: 0 or MD_EXIT_STALL. */
static int supervise(struct stress *s, void *inst, struct md_rexec *x, struct md_watchdog *w)
{
	struct clock k = {.t0 = md_now_ms(), .tty = isatty(STDOUT_FILENO)};
	int r;

	k.next_check = s->o.check_every_ms ? s->o.check_every_ms : UINT64_MAX;
	k.next_stutter = s->o.stutter_ms ? s->o.stutter_ms : UINT64_MAX;
	while ((r = tick(s, inst, x, w, &k)) == 0)
		usleep(TICK_US);
	if (r == 1)
		r = wind_down(x, w);
	s->secs = (double)(md_now_ms() - k.t0) / 1000;
	stress_progress(s, x, md_now_ms() - k.t0, k.tty);
	if (k.tty)
		printf("\n");
	return r;
}

/* What the threads did: ops per code, the core's counters (summed; high-water marks: max). */
static void collect(struct stress *s, void *inst, struct md_rexec *x)
{
	for (unsigned k = 0; k < s->tg->ops->nops; k++)
		s->ops[k] = md_rexec_op_count(x, k);
	for (unsigned i = 0; i < md_rexec_threads(x); i++) {
		const uint64_t *st = s->tg->thread(inst, i)->stats;

		for (unsigned k = 0; k < MD_ST__COUNT; k++)
			s->stats[k] = k == MD_ST_EPOCH_BACKLOG_HWM
					  ? (st[k] > s->stats[k] ? st[k] : s->stats[k])
					  : s->stats[k] + st[k];
	}
}

static unsigned final_check(struct stress *s, void *inst, const char *when)
{
	char msg[256];
	int bad = s->tg->quiesce(inst, msg, sizeof(msg));

	printf("check (%s): %s%s%s\n", when, bad ? "VIOLATIONS\n  " : "clean", bad ? msg : "", "");
	if (bad)
		failed(s, msg);
	return bad != 0;
}

/* The checks at the end, with the references held and after releasing everything. */
static unsigned final_checks(struct stress *s, void *inst)
{
	unsigned n;

	if (s->tg->metrics)
		s->nmetrics = s->tg->metrics(inst, s->metrics, 16);
	n = final_check(s, inst, "end of run, references held");
	if (n == 0 && s->tg->release) {
		s->tg->release(inst);
		n = final_check(s, inst, "after releasing everything");
	}
	return n;
}

static int start(struct stress *s, void **inst, struct md_rexec **x, struct md_rexec_bg *bg)
{
	unsigned nbg = s->o.compactors ? (unsigned)s->o.compactors + 1 : 0;
	struct md_rexec_cfg cfg = {.tg = s->tg,
				   .nworkers = (unsigned)s->o.threads,
				   .weights = s->weights,
				   .bg = bg,
				   .nbg = nbg,
				   .seed = s->o.seed,
				   .chaos = &s->chaos,
				   .hang = s->o.selftest_hang};

	/* like kcompactd: a pass every 10 ms; the migrator (NUMA balancing): a frame a ms */
	for (unsigned i = 0; i + 1 < nbg; i++)
		bg[i] = (struct md_rexec_bg){(unsigned)md_target_op(s->tg, "compact"), 10000};
	if (nbg)
		bg[nbg - 1] = (struct md_rexec_bg){(unsigned)md_target_op(s->tg, "migrate"), 1000};
	*inst = md_target_create(s->tg, cfg.nworkers + nbg, s->mutant, s->o.frames, 0);
	if (*inst == NULL)
		return -1;
	cfg.inst = *inst;
	return md_rexec_start(x, &cfg);
}

static void header(const struct stress *s)
{
	printf("mdt stress: seed %" PRIu64 ", target %s, %" PRIu64 " threads + %" PRIu64
	       " compactors%s, %" PRIu64 " frames, %.1fs%s%s\n",
	       s->o.seed, s->tg->name, s->o.threads, s->o.compactors,
	       s->o.compactors ? " + 1 migrator" : "", s->o.frames, (double)s->o.duration_ms / 1000,
	       s->mutant ? ", mutant " : "", s->mutant ? md_bug_name(s->mutant) : "");
	fflush(stdout);
}

/* The run found a failure, or the checks did; the instance is left as it is. */
static int verdict(struct stress *s, struct md_rexec *x)
{
	struct md_rexec_failure f;
	unsigned n = md_rexec_failure(x, &f);
	char what[512];

	if (n) {
		snprintf(what, sizeof(what), "t%u %s: %s", f.thread, md_rp_name(f.rp),
			 f.msg);
		if (s->nfailures == 0)
			snprintf(s->failure, sizeof(s->failure), "%s", what);
		s->nfailures += n;
	}
	return s->nfailures ? MD_EXIT_FAIL : MD_EXIT_OK;
}

/* The run in progress, for the crash handler. */
static struct {
	struct stress *s;
	struct md_rexec *x;
	uint64_t t0;
} live;

/*
 * The process is dying (a sanitizer report, a signal): the summary so far
 * and the rerun line, with write(2); then it dies as it would have, with the
 * sanitizer's exit code or the signal.
 */
static void stress_crash(const char *why, void *arg)
{
	static char line[256];
	uint64_t ops = 0;
	size_t off = 0;

	(void)arg;
	for (unsigned k = 0; live.x && k < live.s->tg->ops->nops; k++)
		ops += md_rexec_op_count(live.x, k);
	md_crash_cat(line, sizeof(line), &off, "\nFAIL: ");
	md_crash_cat(line, sizeof(line), &off, why);
	md_crash_cat(line, sizeof(line), &off, " after ");
	md_crash_cat_u(line, sizeof(line), &off, md_now_ms() - live.t0);
	md_crash_cat(line, sizeof(line), &off, " ms and ");
	md_crash_cat_u(line, sizeof(line), &off, ops);
	md_crash_cat(line, sizeof(line), &off, " ops\n");
	md_crash_say(line);
	md_crash_say(live.s->rerun);
	md_crash_say("mdt stress: FAIL\n");
	if (live.s->json_open && live.s->json.tmp[0])
		unlink(live.s->json.tmp); /* no summary to commit: leave the old file as it was */
}

int stress_run(struct stress *s)
{
	static struct md_rexec_bg bg[STRESS_MAX_BG];
	struct md_watchdog w = {0};
	struct md_rexec *x = NULL;
	void *inst = NULL;
	int ret;

	header(s);
	s->ops = calloc(s->tg->ops->nops, sizeof(*s->ops));
	if (s->ops == NULL || start(s, &inst, &x, bg) ||
	    md_watchdog_init(&w, md_rexec_threads(x), s->o.stall_ms)) {
		fprintf(stderr, "mdt stress: cannot set up the target or its threads "
				"(out of memory?)\n");
		return MD_EXIT_ENV;
	}
	live.s = s;
	live.x = x;
	live.t0 = md_now_ms();
	md_crash_arm(stress_crash, NULL);
	if (supervise(s, inst, x, &w) == MD_EXIT_STALL) {
		s->stalls++;
		stress_stall_report(s, x, &w);
		stress_print_rerun(s);
		printf("mdt stress: STALL\n");
		return MD_EXIT_STALL; /* stuck threads: no summary, no teardown */
	}
	collect(s, inst, x);
	ret = verdict(s, x);
	live.x = NULL; /* freed by the join: a crash in the checks reports no ops count */
	md_rexec_join(x);
	md_watchdog_fini(&w);
	stress_summary(s);
	if (ret == MD_EXIT_OK && final_checks(s, inst))
		ret = MD_EXIT_FAIL;
	if (ret == MD_EXIT_FAIL) {
		printf("\nFAIL: %s (%u failure%s)\n", s->failure, s->nfailures,
		       s->nfailures > 1 ? "s" : "");
		stress_print_rerun(s);
	}
	s->tg->destroy(inst, ret == MD_EXIT_OK); /* a failure leaves a corrupt instance alone */
	md_crash_disarm();
	if (ret == MD_EXIT_OK && s->interrupted) {
		printf("mdt stress: interrupted after %.1fs: what ran was clean\n", s->secs);
		stress_print_rerun(s);
		ret = MD_EXIT_INTR;
	}
	printf("mdt stress: %s\n", ret == MD_EXIT_OK	 ? "PASS"
				   : ret == MD_EXIT_INTR ? "INTERRUPTED"
							 : "FAIL");
	return ret;
}
