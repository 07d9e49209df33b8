// SPDX-License-Identifier: MIT
/*
 * md_exec.c - run a program under the scheduler and judge it.
 *
 * Each logical thread is a fiber that runs its ops in program order; the
 * first postcondition failure stops the run where it happened (the other
 * fibers are abandoned mid-op, so their instance is not torn down).
 */
#include <stdio.h>
#include <string.h>

#include "md_exec.h"

struct lthread {
	const struct md_target *tg;
	const struct md_prog *p;
	void *inst;
	unsigned id;
	struct md_exec_result *res;
};

static void fiber_main(struct md_thread *t, void *arg)
{
	struct lthread *lt = arg;
	struct md_failure *f = &lt->res->fail;

	for (unsigned i = 0; i < lt->p->nops; i++) {
		if (lt->p->op[i].thread != lt->id)
			continue;
		if (lt->tg->run_op(lt->inst, lt->id, &lt->p->op[i], f->msg, sizeof(f->msg)) == 0)
			continue;
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
					i ? ", " : "", i, done ? "done" : md_race_point_name(rp));
	}
}

unsigned md_exec_run(const struct md_target *tg, const struct md_prog *p,
		     const struct md_sched_source *src, unsigned mutant, uint64_t budget,
		     struct md_exec_result *res)
{
	struct lthread lt[MD_PROG_MAX_THREADS];
	struct md_thread *threads[MD_PROG_MAX_THREADS];
	void *args[MD_PROG_MAX_THREADS];
	enum md_sched_result r;
	struct md_sched *s;
	const uint8_t *tr;
	void *inst;

	memset(res, 0, sizeof(*res));
	inst = tg->create(p->nthreads, mutant);
	if (inst == NULL)
		goto setup;
	for (unsigned i = 0; i < p->nthreads; i++) {
		lt[i] = (struct lthread){tg, p, inst, i, res};
		threads[i] = tg->thread(inst, i);
		args[i] = &lt[i];
	}
	s = md_sched_create(p->nthreads, threads, fiber_main, args, src, budget);
	if (s == NULL) {
		tg->destroy(inst, 1);
		goto setup;
	}
	r = md_sched_run(s);
	tr = md_sched_trace(s, &res->ntrace);
	memcpy(res->trace, tr, res->ntrace < sizeof(res->trace) ? res->ntrace : sizeof(res->trace));
	res->steps = res->fail.step = md_sched_steps(s);
	if (res->fail.kind == MD_FAIL_NONE && (res->fail.kind = sched_kind(r)) != MD_FAIL_NONE) {
		snprintf(res->fail.msg, sizeof(res->fail.msg), "%s: ", md_sched_result_name(r));
		describe(s, p->nthreads, &res->fail);
	}
	md_sched_destroy(s);
	if (res->fail.kind == MD_FAIL_NONE &&
	    tg->quiesce(inst, res->fail.msg, sizeof(res->fail.msg)))
		res->fail.kind = MD_FAIL_INVARIANT;
	tg->destroy(inst, res->fail.kind == MD_FAIL_NONE || res->fail.kind == MD_FAIL_INVARIANT);
	return res->fail.kind;
setup:
	snprintf(res->fail.msg, sizeof(res->fail.msg), "cannot create the target (out of memory)");
	return res->fail.kind = MD_FAIL_SETUP;
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
