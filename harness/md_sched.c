// SPDX-License-Identifier: MIT
/*
 * md_sched.c - fibers (md_ctx) switched only at race points.
 *
 * Invariants: exactly one fiber (or the scheduler's main context) runs at a
 * time; trace[i] is the fiber that ran after the i-th decision; a fiber
 * marked spinning is not eligible until another fiber passes a non-spin
 * race point.  Nothing here is shared between OS threads.
 *
 * Sanitizers: TSan is told about every switch between fibers with no
 * synchronisation (__tsan_switch_to_fiber_no_sync), so it judges the logical
 * threads by the program's own synchronisation.  Switches to and from the
 * main context synchronise: main is the harness (it set the fibers up and
 * reads their results), not a logical thread, and every fiber is entered
 * once from main before the schedule starts so that each inherits the setup.
 * The scheduler's own bookkeeping is shared by all fibers and runs with
 * TSan's access checks off.  ASan is told the stack changes.
 */
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "md_rand.h"
#include "../sanitizers/md_asan.h"
#include "../sanitizers/md_tsan.h"
#include "md_ctx.h"
#include "md_reach.h"
#include "md_sched.h"

#ifdef MD_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#ifdef MD_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/*
 * 64 KiB: the deepest path (a failure report's snprintf under ASan) uses a
 * fraction of it.
 */
#define STACK_SIZE  (64u * 1024u)
#define SLICE	    64u	  /* fallback time slice, in race points */
#define PCT_HORIZON 4000u /* default steps over which PCT's change points are spread */
/*
 * PCT priorities, highest runs: initial ones, above the d-1 change points,
 * above fibers that spun (a spinner yields below everyone, as PCT treats a
 * yield: otherwise two high-priority spinners waiting on a low-priority
 * fiber would run each other's retry loops forever).
 */
#define PRIO_INITIAL (1u << 30)
#define PRIO_CHANGE  (1u << 29)
#define PRIO_YIELD   (1u << 28)

struct fiber {
	struct md_ctx ctx;
	void *stack;
	struct md_sched *s;
	struct md_thread *t;
	md_fiber_fn *fn;
	void *arg;
	unsigned id, last_rp, prio, tag;
	size_t last_ev;	      /* its last event in the log, + 1 (0: none) */
	uint64_t steps;	      /* race points this fiber passed */
	uint64_t pos_prio;    /* POS: the priority of its pending access */
	uint64_t progress;    /* non-spin race points this fiber passed */
	uint64_t seen_others; /* the others' progress when it last spun */
	void *tsan_fiber;
	void *asan_fake; /* ASan fake stack saved while switched out */
};

struct md_sched {
	struct md_ctx main;
	void *main_tsan;
	void *main_asan_fake;
	const void *main_stack_bottom;
	size_t main_stack_size;
	struct fiber f[MD_SCHED_MAX_FIBERS];
	unsigned n, cur;     /* cur == n: the main context */
	unsigned live, spin; /* bit i: fiber i has not finished; it waits (spins) */
	unsigned prev;	     /* who switched last: ASan learns the main stack from it */
	struct md_sched_source src;
	uint64_t rng, steps, budget;
	uint64_t progress; /* all fibers' progress */
	uint64_t yields;   /* PCT: spins so far, for ever-lower yield priorities */
	size_t pos;
	uint8_t *trace;
	size_t ntrace, cap;
	uint64_t change_at[MD_SCHED_MAX_FIBERS];
	unsigned nchange, lowered;
	uint64_t stay_mask; /* RANDOM: switch when (rnd & mask) == 0 */
	unsigned slice;	    /* fallback: steps the current fiber has run on */
	enum md_sched_result result;
};

static uint64_t sched_rnd(struct md_sched *s)
{
	return md_rand(&s->rng);
}

/* ---- context switching with sanitizer annotations ---- */

static void *tsan_of(struct md_sched *s, unsigned to)
{
	return to == s->n ? s->main_tsan : s->f[to].tsan_fiber;
}

static void switch_to(struct md_sched *s, unsigned to, int exiting)
{
	unsigned from = s->cur;
	struct md_ctx *fc = from == s->n ? &s->main : &s->f[from].ctx;
	struct md_ctx *tc = to == s->n ? &s->main : &s->f[to].ctx;
	void **fake = from == s->n ? &s->main_asan_fake : &s->f[from].asan_fake;

	/* the hand-over itself: invisible to TSan, like the CPU's own context switch */
	ck_pr_store_uint(&s->prev, from);
	ck_pr_store_uint(&s->cur, to);
#ifdef MD_TSAN
	{
		/* everything read before the release, which main's final join covers */
		void *tf = tsan_of(s, to);
		unsigned flags = from == s->n || to == s->n ? 0 : __tsan_switch_to_fiber_no_sync;

		if (from != s->n) /* for main's join at the end only; no fiber acquires it */
			__tsan_release(&s->f[from]);
		__tsan_switch_to_fiber(tf, flags);
	}
#else
	(void)tsan_of;
#endif
#ifdef MD_ASAN
	if (to == s->n)
		__sanitizer_start_switch_fiber(exiting ? NULL : fake, s->main_stack_bottom,
					       s->main_stack_size);
	else
		__sanitizer_start_switch_fiber(exiting ? NULL : fake, s->f[to].stack, STACK_SIZE);
#else
	(void)fake;
	(void)exiting;
#endif
	md_ctx_switch(fc, tc);
#ifdef MD_ASAN
	/* back in @from: finish the switch that resumed us; learn main's stack from it */
	__sanitizer_finish_switch_fiber(*fake, s->prev == s->n ? &s->main_stack_bottom : NULL,
					s->prev == s->n ? &s->main_stack_size : NULL);
#endif
}

/* ---- decisions ---- */

/* Has fiber @i returned? */
static int finished(const struct md_sched *s, unsigned i)
{
	return !(s->live >> i & 1);
}

/* Bit i: fiber i may run (it has not finished and is not waiting). */
static unsigned eligible_mask(const struct md_sched *s)
{
	return s->live & ~s->spin;
}

static int eligible(const struct md_sched *s, unsigned i)
{
	return eligible_mask(s) >> i & 1;
}

static unsigned pick_pct(struct md_sched *s)
{
	unsigned best = s->n;

	if (s->lowered < s->nchange && s->steps >= s->change_at[s->lowered] && s->cur < s->n) {
		s->f[s->cur].prio =
		    PRIO_CHANGE + s->lowered; /* change point: below the initial ones */
		s->lowered++;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (eligible(s, i) && (best == s->n || s->f[i].prio > s->f[best].prio))
			best = i;
	return best;
}

/*
 * URW: eligible fiber i with probability proportional to its events left
 * (at least 1: an estimate can fall short), so that, for fibers whose
 * events do not depend on each other, each interleaving is equally likely
 * (a random walk favours those that switch early and often).  A fiber that
 * has not reached its first race point runs there first: that is no event,
 * and choosing it would give the others a second draw.
 */
static unsigned pick_urw(struct md_sched *s, const unsigned *el, unsigned ne)
{
	uint64_t left[MD_SCHED_MAX_FIBERS], total = 0, r;

	for (unsigned k = 0; k < ne; k++) {
		uint64_t want = s->src.events ? s->src.events[el[k]] : 1, at = s->f[el[k]].steps;

		if (at == 0)
			return el[k]; /* not at a race point yet: no event, no choice */
		/* stopped at its race point #at, it has that access still to do */
		left[k] = want >= at ? want - at + 1 : 1;
		total += left[k];
	}
	r = sched_rnd(s) % total;
	for (unsigned k = 0; k < ne; k++) {
		if (r < left[k])
			return el[k];
		r -= left[k];
	}
	return el[ne - 1];
}

/* Do the pending accesses of fibers @i and @j conflict (the same 8 bytes, one writes)? */
static int conflict(const struct md_sched *s, unsigned i, unsigned j)
{
	const struct md_thread *a = s->f[i].t, *b = s->f[j].t;

	return a->rp_addr && a->rp_addr >> 3 == b->rp_addr >> 3 && (a->rp_write || b->rp_write);
}

/*
 * POS: the eligible fiber whose pending access has the highest priority;
 * every other pending access that conflicts with it draws a new one, so
 * the order of two conflicting accesses is a fresh coin each time one of
 * them is about to run (a fiber's next access draws when it gets there).
 */
static unsigned pick_pos(struct md_sched *s, const unsigned *el, unsigned ne)
{
	unsigned best = el[0];

	for (unsigned k = 0; k < ne; k++) {
		if (s->f[el[k]].steps == 0)
			return el[k]; /* not at a race point yet: no access, no choice */
		if (s->f[el[k]].pos_prio > s->f[best].pos_prio)
			best = el[k];
	}
	for (unsigned i = 0; i < s->n; i++)
		if (i != best && !finished(s, i) && s->f[i].steps && conflict(s, i, best))
			s->f[i].pos_prio = sched_rnd(s);
	return best;
}

/*
 * Past the schedule bytes: a time-slice scheduler.  The current fiber runs
 * on for up to SLICE steps, then the next eligible one (by id, cyclically)
 * gets the CPU, so a retry loop waiting on another fiber lets it run, as a
 * real scheduler's preemption would; few switches, deterministic.
 */
static unsigned fallback(struct md_sched *s, const unsigned *el, unsigned ne, int cur_ok)
{
	if (cur_ok && ++s->slice < SLICE)
		return s->cur;
	s->slice = 0;
	for (unsigned i = 0; i < ne; i++)
		if (s->cur >= s->n || el[i] > s->cur)
			return el[i];
	return el[0];
}

/* The next fiber to run, or s->n when none can (deadlock / divergence set). */
static unsigned decide(struct md_sched *s)
{
	unsigned el[MD_SCHED_MAX_FIBERS], ne = 0, mask = eligible_mask(s);
	unsigned cur_ok = s->cur < s->n && (mask >> s->cur & 1);

	if (mask == 0)
		return s->n;
	/* the common decision: a random walk staying on its fiber */
	if (s->src.strategy == MD_SCHED_RANDOM && cur_ok && (sched_rnd(s) & s->stay_mask) != 0)
		return s->cur;
	for (unsigned m = mask; m; m &= m - 1)
		el[ne++] = (unsigned)__builtin_ctz(m);
	switch (s->src.strategy) {
	case MD_SCHED_BYTES:
		if (s->pos < s->src.len)
			return el[s->src.bytes[s->pos++] % ne];
		return fallback(s, el, ne, cur_ok);
	case MD_SCHED_REPLAY:
		if (s->pos >= s->src.len && s->src.lenient_end)
			return fallback(s, el, ne, cur_ok); /* past the trace: as bytes mode does */
		if (s->pos >= s->src.len || s->src.bytes[s->pos] >= ne) {
			s->result = MD_SCHED_DIVERGED; /* ends early, or that choice is not there */
			return s->n;
		}
		return el[s->src.bytes[s->pos++]];
	case MD_SCHED_RANDOM:
		return el[sched_rnd(s) % ne];
	case MD_SCHED_PCT:
		return pick_pct(s);
	case MD_SCHED_URW:
		return pick_urw(s, el, ne);
	case MD_SCHED_POS:
		return pick_pos(s, el, ne);
	}
	return el[0];
}

/*
 * A strict replay whose run finished with recorded decisions left over took
 * another path than the recording: never a silent pass.
 */
static int replay_unfinished(const struct md_sched *s)
{
	return s->src.strategy == MD_SCHED_REPLAY && !s->src.lenient_end && s->pos < s->src.len;
}

/* Record the decision as the index of @who among the eligible fibers. */
static int record(struct md_sched *s, unsigned who)
{
	unsigned idx = (unsigned)__builtin_popcount(eligible_mask(s) & ((1u << who) - 1));

	if (s->ntrace == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint8_t *p = realloc(s->trace, cap);

		if (p == NULL)
			return -1;
		s->trace = p;
		s->cap = cap;
	}
	s->trace[s->ntrace++] = (uint8_t)idx;
	return 0;
}

/* Decide and switch; back to main when nothing can run. */
/* Who runs next (s->n: back to main, with the run's result set). */
static unsigned plan(struct md_sched *s)
{
	unsigned next = decide(s);

	if (next == s->n) {
		if (s->result == MD_SCHED_DONE) {
			if (s->live)
				s->result = MD_SCHED_DEADLOCK;
			else if (replay_unfinished(s))
				s->result = MD_SCHED_DIVERGED;
		}
		return s->n;
	}
	if (record(s, next)) {
		s->result = MD_SCHED_LIVELOCK; /* out of memory for the trace: stop */
		return s->n;
	}
	return next;
}

static uint8_t *cov_map;
static size_t cov_len;

void md_sched_coverage(uint8_t *cov, size_t len)
{
	cov_map = len ? cov : NULL;
	cov_len = len;
}

/*
 * The pair (race point left, race point resumed) of a switch between
 * fibers: whether the run made it, not how often.  A count would turn each
 * pair into up to eight features (libFuzzer's hit-count buckets), most of
 * them the length of a retry loop rather than a new interleaving, and every
 * one a new corpus input: counted, fuzz_sched added about twice the inputs
 * from the seeds in 10 s, and 50,000 runs took 0.82 of an older build's
 * time where marked they took 0.73 (median of 5 pairs each).  A byte
 * counter also wrapped to 0 at 256 switches.
 */
static void count_switch(struct md_sched *s, unsigned next)
{
	size_t i = (size_t)s->f[s->cur].last_rp * MD_RP_MAX + s->f[next].last_rp;

	cov_map[i % cov_len] = 1;
}

static void reschedule(struct md_sched *s, int exiting)
{
	unsigned next = plan(s);

	if (cov_map && next != s->cur && next < s->n && s->cur < s->n)
		count_switch(s, next);

	if (next != s->cur)
		switch_to(s, next, exiting);
}

/* The scheduler's bookkeeping is not the program's: TSan does not check it. */
static void book_begin(void)
{
	md_tsan_ignore_begin();
}

static void book_end(void)
{
	md_tsan_ignore_end();
}

static void sched_hook_locked(struct md_thread *t, unsigned rp, unsigned flags);

static void log_event(struct md_sched_log *l, struct fiber *f, unsigned rp, unsigned flags)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct md_sched_event *ev = realloc(l->ev, cap * sizeof(*ev));

		if (ev == NULL)
			return; /* a shorter timeline, not a different run */
		l->ev = ev;
		l->cap = cap;
	}
	l->ev[l->n++] = (struct md_sched_event){.fiber = (uint8_t)f->id,
						.spin = (flags & MD_RPF_SPIN) != 0,
						.rp = (uint16_t)rp,
						.tag = (uint16_t)f->tag};
	f->last_ev = l->n;
}

/* The values of the access after @t's last race point, onto that point's logged event. */
static void sched_value(struct md_thread *t, unsigned kind, uint64_t a, uint64_t b, uint64_t c)
{
	struct fiber *f = t->rp_arg;
	struct md_sched_log *l = f ? f->s->src.log : NULL;

	struct md_sched_event *e;

	if (l == NULL || f->last_ev == 0 || f->last_ev > l->n)
		return;
	book_begin();
	if (f->last_ev < l->n) { /* others ran in between: the access shows where it ran */
		log_event(l, f, f->last_rp, 0);
		if (f->last_ev != l->n)
			goto out; /* the log could not grow */
		l->ev[l->n - 1].late = 1;
	}
	e = &l->ev[f->last_ev - 1];
	e->nv = (uint8_t)(kind + 1);
	e->v[0] = a;
	e->v[1] = b;
	e->v[2] = c;
out:
	book_end();
}

static void sched_hook(struct md_thread *t, unsigned rp, unsigned flags)
{
	book_begin();
	sched_hook_locked(t, rp, flags);
	book_end();
}

static void sched_hook_locked(struct md_thread *t, unsigned rp, unsigned flags)
{
	struct fiber *f = t->rp_arg;
	struct md_sched *s = f->s;

	f->last_rp = rp;
	f->steps++;
	if (s->src.strategy == MD_SCHED_POS)
		f->pos_prio = sched_rnd(s); /* a new pending access */
	md_reach_rp(rp);
	if (s->src.log)
		log_event(s->src.log, f, rp, flags);
	if (++s->steps > s->budget) {
		s->result = MD_SCHED_LIVELOCK;
		switch_to(s, s->n, 0); /* never resumed */
		return;
	}
	if (flags & MD_RPF_SPIN) {
		/*
		 * Waiting: only another fiber can change what it waits for.  If
		 * one progressed since this fiber last spun, it may retry now;
		 * otherwise it sleeps until one does.
		 */
		uint64_t others = s->progress - f->progress;

		if (others != f->seen_others)
			f->seen_others = others;
		else
			s->spin |= 1u << f->id;
		if (s->src.strategy == MD_SCHED_PCT)
			f->prio = PRIO_YIELD - (unsigned)(++s->yields % PRIO_YIELD);
	} else {
		f->progress++;
		s->progress++;
		s->spin = 0; /* progress: spinners may find things changed */
	}
	reschedule(s, 0);
}

static void trampoline(void *arg)
{
	struct fiber *f = arg;
	struct md_sched *s = f->s;
	unsigned next;

#ifdef MD_ASAN
	__sanitizer_finish_switch_fiber(NULL, s->prev == s->n ? &s->main_stack_bottom : NULL,
					s->prev == s->n ? &s->main_stack_size : NULL);
#endif
	book_begin();
	switch_to(s, s->n, 0); /* entered once from main before the schedule starts */
	book_end();
	f->fn(f->t, f->arg);
	book_begin();
	s->live &= ~(1u << f->id);
	f->progress++;
	s->progress++;
	s->spin = 0;
	next = plan(s);
	book_end(); /* a finished fiber must not leave with TSan's ignores on */
	switch_to(s, next, 1);
}

/* ---- setup ---- */

static void pct_init(struct md_sched *s)
{
	unsigned d = s->src.depth ? s->src.depth : 1;

	for (unsigned i = 0; i < s->n;
	     i++) /* distinct initial priorities above every change point */
		s->f[i].prio = PRIO_INITIAL + i;
	for (unsigned i = s->n; i > 1; i--) {
		unsigned j = (unsigned)(sched_rnd(s) % i), tmp = s->f[j].prio;

		s->f[j].prio = s->f[i - 1].prio;
		s->f[i - 1].prio = tmp;
	}
	s->nchange = d - 1 < MD_SCHED_MAX_FIBERS ? d - 1 : MD_SCHED_MAX_FIBERS;
	for (unsigned i = 0; i < s->nchange; i++)
		s->change_at[i] =
		    1 + sched_rnd(s) % (s->src.horizon ? s->src.horizon : PCT_HORIZON);
	for (unsigned i = 1; i < s->nchange; i++) /* sorted, so change points fire in order */
		for (unsigned j = i; j > 0 && s->change_at[j] < s->change_at[j - 1]; j--) {
			uint64_t tmp = s->change_at[j];

			s->change_at[j] = s->change_at[j - 1];
			s->change_at[j - 1] = tmp;
		}
}

/*
 * Fiber stacks are kept for the next run of this OS thread: a fuzzer or
 * explore runs thousands of programs a second, and under ASan every
 * malloc/free of a stack is an mmap/munmap.
 */
static _Thread_local void *stack_cache[MD_SCHED_MAX_FIBERS];
static _Thread_local unsigned stack_cached;

static void *stack_get(void)
{
	return stack_cached ? stack_cache[--stack_cached] : malloc(STACK_SIZE);
}

static void stack_put(void *stack)
{
	if (stack && stack_cached < MD_SCHED_MAX_FIBERS)
		stack_cache[stack_cached++] = stack;
	else
		free(stack);
}

static int fiber_init(struct md_sched *s, unsigned i, struct md_thread *t, md_fiber_fn *fn,
		      void *arg)
{
	struct fiber *f = &s->f[i];

	f->s = s;
	f->t = t;
	f->fn = fn;
	f->arg = arg;
	f->id = i;
	f->stack = stack_get();
	if (f->stack == NULL || md_ctx_make(&f->ctx, f->stack, STACK_SIZE, trampoline, f))
		return -1;
#ifdef MD_TSAN
	f->tsan_fiber = __tsan_create_fiber(0);
#endif
	t->rp_hook = sched_hook;
	t->rv_hook = s->src.log ? sched_value : NULL; /* values only for a timeline */
	t->rp_arg = f;
	return 0;
}

struct md_sched *md_sched_create(unsigned n, struct md_thread **threads, md_fiber_fn *fn,
				 void **args, const struct md_sched_source *src, uint64_t budget)
{
	struct md_sched *s;

	if (n == 0 || n > MD_SCHED_MAX_FIBERS)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->n = n;
	s->cur = n;
	s->live = (1u << n) - 1;
	s->src = *src;
	s->rng = src->seed;
	s->budget = budget;
	s->result = MD_SCHED_DONE;
	for (unsigned i = 0; i < n; i++)
		if (fiber_init(s, i, threads[i], fn, args[i])) {
			md_sched_destroy(s);
			return NULL;
		}
	if (src->strategy == MD_SCHED_PCT)
		pct_init(s);
	/*
	 * Each random run draws its switch probability, 1/2 .. 1/64: short
	 * windows need frequent switches, a window deep in a long op needs one
	 * thread to run on undisturbed until it gets there.
	 */
	s->stay_mask = ((uint64_t)2 << (sched_rnd(s) % 6)) - 1;
#ifdef MD_TSAN
	s->main_tsan = __tsan_get_current_fiber();
#endif
	return s;
}

enum md_sched_result md_sched_run(struct md_sched *s)
{
	for (unsigned i = 0; i < s->n; i++)
		switch_to(s, i, 0); /* each fiber starts and comes straight back */
	reschedule(s, 0);
#ifdef MD_TSAN
	for (unsigned i = 0; i < s->n; i++)
		__tsan_acquire(&s->f[i]); /* main joins every fiber, finished or abandoned */
#endif
	return s->result;
}

void md_sched_stop(struct md_thread *t)
{
	struct fiber *f = t->rp_arg;

	book_begin();
	f->s->result = MD_SCHED_STOPPED;
	switch_to(f->s, f->s->n, 0); /* never resumed */
}

const uint8_t *md_sched_trace(const struct md_sched *s, size_t *len)
{
	*len = s->ntrace;
	return s->trace;
}

void md_sched_tag(struct md_thread *t, unsigned tag)
{
	struct fiber *f = t->rp_arg;

	if (f)
		f->tag = tag;
}

void md_sched_op_done(struct md_thread *t)
{
	struct fiber *f = t->rp_arg;

	if (f == NULL || f->s->src.log == NULL)
		return;
	book_begin();
	log_event(f->s->src.log, f, MD_RP_NONE, 0);
	book_end();
}

unsigned md_sched_current(const struct md_sched *s)
{
	return s->cur;
}

uint64_t md_sched_steps(const struct md_sched *s)
{
	return s->steps;
}

uint64_t md_sched_thread_steps(const struct md_thread *t)
{
	const struct fiber *f = t->rp_arg;

	return f ? f->steps : 0;
}

unsigned md_sched_where(const struct md_sched *s, unsigned i, int *done)
{
	*done = finished(s, i);
	return s->f[i].last_rp;
}

void md_sched_destroy(struct md_sched *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		s->f[i].t->rp_hook = NULL;
		s->f[i].t->rv_hook = NULL;
		s->f[i].t->rp_arg = NULL;
#ifdef MD_TSAN
		/*
		 * A fiber abandoned mid-run (stop, deadlock, livelock) is
		 * suspended inside the scheduler with TSan's ignores on, and
		 * TSan rejects destroying it: leave its TSan state behind.
		 */
		if (s->f[i].tsan_fiber && finished(s, i))
			__tsan_destroy_fiber(s->f[i].tsan_fiber);
#endif
#ifdef MD_ASAN
		if (s->f[i].stack)
			ASAN_UNPOISON_MEMORY_REGION(s->f[i].stack, STACK_SIZE);
#endif
		stack_put(s->f[i].stack);
	}
	free(s->trace);
	free(s);
}

const char *md_sched_result_name(unsigned r)
{
	static const char *const names[] = {"done", "stopped", "deadlock", "livelock", "diverged"};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}
