// SPDX-License-Identifier: MIT
/*
 * md_exec.c - run a program under the scheduler and judge it.
 *
 * Each logical thread is a fiber that runs its ops in program order; the
 * first postcondition failure stops the run where it happened (the other
 * fibers are abandoned mid-op, so their instance is not torn down).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md_ck.h"
#include "md_crash.h"
#include "md_exec.h"
#include "md_reach.h"

/* The run in progress, for crash handlers (one run at a time per process). */
static struct {
	const struct md_prog *p;
	struct md_sched *s;	    /* while the fibers run */
	struct md_exec_result *res; /* after: the trace is in here (quiescent check, teardown) */
} live;

/*
 * URW's estimates: the race points each op of the current target passed, on
 * average over the runs this OS thread made (a new target starts afresh).
 * An op not seen yet counts OP_EVENTS_GUESS.
 */
#define OP_EVENTS_GUESS 8u
#define OP_CODES	256u
static _Thread_local struct {
	const struct md_target *tg;
	uint64_t sum[OP_CODES];
	uint32_t n[OP_CODES];
} learnt;

static void op_events_learn(const struct md_target *tg, unsigned code, uint64_t steps)
{
	if (learnt.tg != tg) {
		memset(&learnt, 0, sizeof(learnt));
		learnt.tg = tg;
	}
	if (learnt.n[code] < UINT32_MAX) {
		learnt.sum[code] += steps;
		learnt.n[code]++;
	}
}

static uint64_t op_events(const struct md_target *tg, unsigned code)
{
	if (learnt.tg != tg || learnt.n[code] == 0)
		return OP_EVENTS_GUESS;
	return (learnt.sum[code] + learnt.n[code] / 2) / learnt.n[code];
}

/* URW: each fiber's race points in @p, estimated from earlier runs' ops. */
static void events_estimate(const struct md_target *tg, const struct md_prog *p, uint64_t *ev)
{
	memset(ev, 0, sizeof(*ev) * p->nthreads);
	for (unsigned i = 0; i < p->nops; i++)
		ev[p->op[i].thread] += op_events(tg, p->op[i].code);
}

struct lthread {
	const struct md_target *tg;
	const struct md_prog *p;
	void *inst;
	unsigned id;
	struct md_exec_result *res;
	uint64_t
	    *op_steps; /* [op index]: its race points + 1 once done (the run's, one writer each) */
};

/* After the run, from main (which joined the fibers): what URW learns. */
static void op_events_fold(const struct md_target *tg, const struct md_prog *p,
			   const uint64_t *op_steps)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (op_steps[i])
			op_events_learn(tg, p->op[i].code, op_steps[i] - 1);
}

static void fiber_main(struct md_thread *t, void *arg)
{
	struct lthread *lt = arg;
	struct md_failure *f = &lt->res->fail;

	for (unsigned i = 0; i < lt->p->nops; i++) {
		uint64_t steps = md_sched_thread_steps(t);

		if (lt->p->op[i].thread != lt->id)
			continue;
		md_sched_tag(t, i);
		md_reach_op(lt->tg, lt->p->op[i].code);
		if (md_target_run_op(lt->tg, lt->inst, lt->id, &lt->p->op[i], f->msg,
				     sizeof(f->msg)) == 0) {
			md_sched_op_done(t);
			lt->op_steps[i] = md_sched_thread_steps(t) - steps + 1;
			if (lt->tg->between)
				lt->tg->between(lt->inst, lt->id);
			continue;
		}
		f->kind = MD_FAIL_POSTCOND;
		f->thread = lt->id;
		f->op_index = i;
		f->rp = t->last_rp;
		md_sched_stop(t);
	}
}

static unsigned sched_kind(enum md_sched_result r)
{
	switch (r) {
	case MD_SCHED_DEADLOCK:
		return MD_FAIL_DEADLOCK;
	case MD_SCHED_LIVELOCK:
		return MD_FAIL_LIVELOCK;
	case MD_SCHED_DIVERGED:
		return MD_FAIL_DIVERGED;
	default:
		return MD_FAIL_NONE;
	}
}

/* Where each fiber stands, for deadlock/livelock/divergence reports. */
static void describe(struct md_sched *s, unsigned n, struct md_failure *f)
{
	size_t off = strlen(f->msg);

	for (unsigned i = 0; i < n && off < sizeof(f->msg); i++) {
		int done;
		unsigned rp = md_sched_where(s, i, &done);

		off += (size_t)snprintf(f->msg + off, sizeof(f->msg) - off, "%st%u %s",
					i ? ", " : "", i, done ? "done" : md_rp_name(rp));
	}
}

unsigned md_exec_run(const struct md_target *tg, const struct md_prog *p,
		     const struct md_sched_source *src, unsigned mutant, uint64_t budget,
		     struct md_exec_result *res)
{
	struct lthread lt[MD_PROG_MAX_THREADS];
	struct md_thread *threads[MD_PROG_MAX_THREADS];
	uint64_t events[MD_PROG_MAX_THREADS], op_steps[MD_PROG_MAX_OPS] = {0};
	struct md_sched_source urw;
	void *args[MD_PROG_MAX_THREADS];
	enum md_sched_result r;
	struct md_sched *s;
	const uint8_t *tr;
	void *inst;

	/* not the trace: only its first ntrace bytes are ever read */
	memset(&res->fail, 0, sizeof(res->fail));
	res->ntrace = res->steps = 0;
	inst = md_target_create(tg, p->nthreads, mutant, 0, 1);
	if (inst == NULL)
		goto setup;
	for (unsigned i = 0; i < p->nthreads; i++) {
		lt[i] = (struct lthread){tg, p, inst, i, res, op_steps};
		threads[i] = tg->thread(inst, i);
		args[i] = &lt[i];
	}
	if (src->strategy == MD_SCHED_URW && src->events == NULL) {
		events_estimate(tg, p, events);
		urw = *src;
		urw.events = events;
		src = &urw;
	}
	s = md_sched_create(p->nthreads, threads, fiber_main, args, src, budget);
	if (s == NULL) {
		tg->destroy(inst, 1);
		goto setup;
	}
	live.p = p;
	live.s = s;
	r = md_sched_run(s);
	if (src->strategy == MD_SCHED_URW) /* only URW reads what is learnt */
		op_events_fold(tg, p, op_steps);
	/*
	 * A fiber abandoned mid-op (a livelock, a deadlock, the budget) never
	 * reached md_target_run_op()'s reset: hosted ck code that runs next
	 * (the instance's teardown, the next run's create) must not find its
	 * thread, which goes away with this instance.
	 */
	md_ck_enter(NULL);
	tr = md_sched_trace(s, &res->ntrace);
	if (res->ntrace) /* no decision made: no trace buffer either */
		memcpy(res->trace, tr,
		       res->ntrace < sizeof(res->trace) ? res->ntrace : sizeof(res->trace));
	res->steps = res->fail.step = md_sched_steps(s);
	live.res = res;
	live.s = NULL;
	if (res->fail.kind == MD_FAIL_NONE && (res->fail.kind = sched_kind(r)) != MD_FAIL_NONE) {
		snprintf(res->fail.msg, sizeof(res->fail.msg), "%s: ", md_sched_result_name(r));
		describe(s, p->nthreads, &res->fail);
	}
	md_sched_destroy(s);
	if (res->fail.kind == MD_FAIL_NONE &&
	    tg->quiesce(inst, res->fail.msg, sizeof(res->fail.msg)))
		res->fail.kind = MD_FAIL_INVARIANT;
	/* a failed check means corrupted state: tearing it down would crash or hide the report */
	tg->destroy(inst, res->fail.kind == MD_FAIL_NONE);
	live.p = NULL;
	return res->fail.kind;
setup:
	snprintf(res->fail.msg, sizeof(res->fail.msg), "cannot create the target (out of memory)");
	return res->fail.kind = MD_FAIL_SETUP;
}

/* ---- crashes ---- */

const struct md_prog *md_exec_live(struct md_exec_result *res, const char *why)
{
	struct md_failure *f = &res->fail;
	const uint8_t *tr;
	size_t off = 0;
	int done;

	if (live.p == NULL)
		return NULL;
	if (live.s == NULL) { /* the fibers are done: the quiescent check or teardown died */
		if (res != live.res)
			memcpy(res->trace, live.res->trace, sizeof(res->trace));
		res->ntrace = live.res->ntrace;
		res->steps = f->step = live.res->steps;
		f->kind = MD_FAIL_CRASH;
		f->thread = live.p->nthreads;
		md_crash_cat(f->msg, sizeof(f->msg), &off, why);
		md_crash_cat(f->msg, sizeof(f->msg), &off,
			     " after the run (quiescent check or teardown)");
		return live.p;
	}
	tr = md_sched_trace(live.s, &res->ntrace);
	memcpy(res->trace, tr, res->ntrace < sizeof(res->trace) ? res->ntrace : sizeof(res->trace));
	res->steps = f->step = md_sched_steps(live.s);
	f->kind = MD_FAIL_CRASH;
	f->thread = md_sched_current(live.s);
	f->rp = f->thread < live.p->nthreads ? md_sched_where(live.s, f->thread, &done) : 0;
	md_crash_cat(f->msg, sizeof(f->msg), &off, why);
	if (f->thread < live.p->nthreads) {
		md_crash_cat(f->msg, sizeof(f->msg), &off, " in t");
		md_crash_cat_u(f->msg, sizeof(f->msg), &off, f->thread);
		md_crash_cat(f->msg, sizeof(f->msg), &off, " after ");
		md_crash_cat(f->msg, sizeof(f->msg), &off, md_rp_name(f->rp));
	}
	return live.p;
}

static struct md_exec_result *shared_result(void)
{
	static struct md_exec_result *sh;

	if (sh == NULL) {
		void *m = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		sh = m == MAP_FAILED ? NULL : m;
	}
	return sh;
}

static void child_crash(const char *why, void *arg)
{
	md_exec_live(arg, why);
}

/* The child died without its handler: say how. */
static void died(struct md_exec_result *res, int status)
{
	memset(res, 0, sizeof(*res));
	res->fail.kind = MD_FAIL_CRASH;
	if (WIFSIGNALED(status))
		snprintf(res->fail.msg, sizeof(res->fail.msg), "killed by signal %d",
			 WTERMSIG(status));
	else
		snprintf(res->fail.msg, sizeof(res->fail.msg), "exited with status %d",
			 WEXITSTATUS(status));
}

unsigned md_exec_isolated(const struct md_target *tg, const struct md_prog *p,
			  const struct md_sched_source *src, unsigned mutant, uint64_t budget,
			  struct md_exec_result *res)
{
	struct md_exec_result *sh = shared_result();
	int status;
	pid_t pid;

	if (sh == NULL)
		return md_exec_run(tg, p, src, mutant, budget, res);
	memset(sh, 0, sizeof(*sh));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return md_exec_run(tg, p, src, mutant, budget, res);
	if (pid == 0) {
		md_crash_arm(child_crash, sh);
		md_exec_run(tg, p, src, mutant, budget, sh);
		md_crash_disarm();
		/*
		 * A failed run leaves its instance behind: no leak check, no exit
		 * hooks; and TSan's _exit interceptor would sleep a second for
		 * the abandoned fibers (atexit_sleep_ms): md_exit_now().
		 */
		md_exit_now(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = 0;
			sh->fail.kind = MD_FAIL_SETUP;
			break;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		*res = *sh;
	else if (sh->fail.kind == MD_FAIL_CRASH)
		*res = *sh;
	else
		died(res, status);
	return res->fail.kind;
}

const char *md_fail_kind_name(unsigned kind)
{
	static const char *const names[] = {
#define MD_FK_NAME(id, name) name,
	    MD_FAIL_KINDS(MD_FK_NAME)
#undef MD_FK_NAME
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

unsigned md_fail_kind_lookup(const char *name)
{
	for (unsigned k = 0; k <= MD_FAIL_SETUP; k++)
		if (strcmp(md_fail_kind_name(k), name) == 0)
			return k;
	return MD_FAIL_NONE;
}
