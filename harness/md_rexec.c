// SPDX-License-Identifier: MIT
/*
 * md_rexec.c - the real-thread executor.
 *
 * Invariants: a thread touches the target only between the start gate and
 * its exit, and never while parked; x->lock orders the parked threads'
 * state before whoever paused them (a checkpoint reads the target's slots)
 * and that caller's accesses before the threads resume.  Counters the
 * reporter reads while threads run (progress, op in flight, per-op counts,
 * flags) are single-writer words written and read with ck_pr: monitoring,
 * not the code under test, so they pass no race point.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "md_rand.h"
#include "md_reach.h"
#include "md_rexec.h"
#include "md_watchdog.h"

#define BETWEEN_EVERY 32 /* ops of a thread between two calls of the target's between() */

struct rthread {
	struct md_rexec *x;
	unsigned id;
	pthread_t th;
	uint64_t rng;
	struct md_chaos chaos;
	uint64_t progress; /* ops done */
	unsigned cur_op;   /* op code in flight */
	int parked, done;
	uint64_t *ops; /* [nops]: ops done per code */
};

struct md_rexec {
	struct md_rexec_cfg cfg;
	unsigned n, nops, total; /* threads, op codes, sum of the weights */
	struct rthread *t;
	uint64_t *ops; /* [n * nops] */
	int stop, pause;
	pthread_mutex_t lock; /* the fields below, and parking */
	pthread_cond_t cond;
	int go;		 /* the start gate is open */
	unsigned parked; /* threads parked or finished */
	unsigned nfail;
	struct md_rexec_failure fail;
	struct md_chaos_cfg no_chaos; /* p 0: the hook only counts reach, spin loops yield */
};

/* ---- one op ---- */

static void record_failure(struct rthread *r, const struct md_op *op, const char *msg)
{
	struct md_rexec *x = r->x;

	pthread_mutex_lock(&x->lock);
	if (x->nfail++ == 0) {
		x->fail.thread = r->id;
		x->fail.rp = x->cfg.tg->thread(x->cfg.inst, r->id)->last_rp;
		x->fail.op = *op;
		snprintf(x->fail.msg, sizeof(x->fail.msg), "%s", msg);
	}
	pthread_mutex_unlock(&x->lock);
	ck_pr_store_int(&x->stop, 1);
}

/* Run @op on @r's thread.  Return: 0, or -1 after recording its failure. */
static int run_one(struct rthread *r, const struct md_op *op)
{
	struct md_rexec *x = r->x;
	char msg[256];

	ck_pr_store_uint(&r->cur_op, op->code);
	md_reach_op(x->cfg.tg, op->code);
	if (md_target_run_op(x->cfg.tg, x->cfg.inst, r->id, op, msg, sizeof(msg))) {
		record_failure(r, op, msg);
		return -1;
	}
	ck_pr_store_64(&r->ops[op->code], r->ops[op->code] + 1);
	ck_pr_store_64(&r->progress, r->progress + 1);
	return 0;
}

static void between(struct rthread *r)
{
	if (r->x->cfg.tg->between)
		r->x->cfg.tg->between(r->x->cfg.inst, r->id);
}

/* ---- parking ---- */

/* Wait while the threads are paused; holding nothing, between two ops. */
static void park(struct rthread *r)
{
	struct md_rexec *x = r->x;

	pthread_mutex_lock(&x->lock);
	x->parked++;
	ck_pr_store_int(&r->parked, 1);
	pthread_cond_broadcast(&x->cond);
	while (x->pause && !ck_pr_load_int(&x->stop))
		pthread_cond_wait(&x->cond, &x->lock);
	ck_pr_store_int(&r->parked, 0);
	x->parked--;
	pthread_mutex_unlock(&x->lock);
}

/* A finished thread counts as parked for good. */
static void leave(struct rthread *r)
{
	struct md_rexec *x = r->x;

	pthread_mutex_lock(&x->lock);
	x->parked++;
	ck_pr_store_int(&r->done, 1);
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

static bool keep_going(struct rthread *r)
{
	if (ck_pr_load_int(&r->x->pause))
		park(r);
	return !ck_pr_load_int(&r->x->stop);
}

/* ---- what a thread runs ---- */

static unsigned pick_op(struct rthread *r)
{
	const unsigned *w = r->x->cfg.weights;
	uint64_t v = md_rand(&r->rng) % r->x->total;
	unsigned i = 0;

	while (v >= w[i])
		v -= w[i++];
	return i;
}

static void draw_args(struct rthread *r, struct md_op *op)
{
	uint64_t v = md_rand(&r->rng);

	op->thread = 0; /* unused on real threads: the executor says who runs it */
	op->a = (uint32_t)v;
	op->b = (uint32_t)(v >> 32);
}

static void run_mix(struct rthread *r)
{
	struct md_op op;

	for (uint64_t n = 1; keep_going(r); n++) {
		op.code = (uint8_t)pick_op(r);
		draw_args(r, &op);
		if (run_one(r, &op))
			return;
		if (n % BETWEEN_EVERY == 0)
			between(r);
	}
}

/* Stress's compactors and migrator: one op at a pace, like kcompactd. */
static void run_bg(struct rthread *r)
{
	const struct md_rexec_bg *bg = &r->x->cfg.bg[r->id - r->x->cfg.nworkers];
	struct md_op op = {.code = (uint8_t)bg->code};

	for (uint64_t n = 1; keep_going(r); n++) {
		draw_args(r, &op);
		if (run_one(r, &op))
			return;
		if (n % BETWEEN_EVERY == 0)
			between(r);
		usleep(bg->pace_us);
	}
}

static void run_program(struct rthread *r)
{
	const struct md_prog *p = r->x->cfg.prog;

	for (unsigned i = 0; i < p->nops && !ck_pr_load_int(&r->x->stop); i++) {
		if (p->op[i].thread != r->id)
			continue;
		if (run_one(r, &p->op[i]))
			return;
		between(r);
	}
}

/* The watchdog's self-test: an op that never finishes, as a lost wakeup would. */
static void hang(struct rthread *r)
{
	ck_pr_store_uint(&r->cur_op, MD_REXEC_HANG_OP);
	for (;;)
		sleep(1);
}

static void *thread_main(void *arg)
{
	struct rthread *r = arg;
	struct md_rexec *x = r->x;

	pthread_mutex_lock(&x->lock); /* the start gate: every thread at once */
	while (!x->go)
		pthread_cond_wait(&x->cond, &x->lock);
	pthread_mutex_unlock(&x->lock);
	if (ck_pr_load_int(&x->stop))
		;
	else if (x->cfg.prog)
		run_program(r);
	else if (r->id >= x->cfg.nworkers)
		run_bg(r);
	else if (x->cfg.hang && r->id == 0)
		hang(r);
	else
		run_mix(r);
	leave(r);
	return NULL;
}

/* ---- starting and stopping ---- */

static int rexec_alloc(struct md_rexec **out, const struct md_rexec_cfg *cfg)
{
	struct md_rexec *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -ENOMEM;
	x->cfg = *cfg;
	x->n = cfg->prog ? cfg->prog->nthreads : cfg->nworkers + cfg->nbg;
	x->nops = cfg->tg->ops->nops;
	x->t = calloc(x->n, sizeof(*x->t));
	x->ops = calloc((size_t)x->n * x->nops, sizeof(*x->ops));
	if (x->t == NULL || x->ops == NULL) {
		free(x->t);
		free(x->ops);
		free(x);
		return -ENOMEM;
	}
	for (unsigned k = 0; cfg->weights && k < x->nops; k++)
		x->total += cfg->weights[k];
	md_chaos_default(&x->no_chaos);
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	*out = x;
	return 0;
}

static void thread_setup(struct md_rexec *x, unsigned i)
{
	struct rthread *r = &x->t[i];

	r->x = x;
	r->id = i;
	r->ops = &x->ops[(size_t)i * x->nops];
	r->rng = x->cfg.seed * 0x9e3779b97f4a7c15ull + i + 1;
	/* chaos delays; or with no delay, the reach counters need the hook too */
	if ((x->cfg.chaos && x->cfg.chaos->p > 0) || md_reach_on())
		md_chaos_attach(&r->chaos, x->cfg.chaos ? x->cfg.chaos : &x->no_chaos,
				x->cfg.tg->thread(x->cfg.inst, i), r->rng ^ 0x51ed27ull);
}

static void open_gate(struct md_rexec *x, bool stop)
{
	pthread_mutex_lock(&x->lock);
	if (stop)
		ck_pr_store_int(&x->stop, 1);
	x->go = 1;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

int md_rexec_start(struct md_rexec **out, const struct md_rexec_cfg *cfg)
{
	struct md_rexec *x;
	int ret = rexec_alloc(&x, cfg);
	unsigned i;

	if (ret)
		return ret;
	for (i = 0; i < x->n; i++) {
		thread_setup(x, i);
		ret = pthread_create(&x->t[i].th, NULL, thread_main, &x->t[i]);
		if (ret)
			break;
	}
	open_gate(x, ret != 0);
	if (ret == 0) {
		*out = x;
		return 0;
	}
	x->n = i; /* join the ones that started: they stop at once */
	md_rexec_join(x);
	return -ret;
}

void md_rexec_stop(struct md_rexec *x)
{
	pthread_mutex_lock(&x->lock);
	ck_pr_store_int(&x->stop, 1);
	pthread_cond_broadcast(&x->cond); /* parked threads see stop */
	pthread_mutex_unlock(&x->lock);
}

bool md_rexec_stopping(struct md_rexec *x)
{
	return ck_pr_load_int(&x->stop) != 0;
}

bool md_rexec_all_done(struct md_rexec *x)
{
	for (unsigned i = 0; i < x->n; i++)
		if (!ck_pr_load_int(&x->t[i].done))
			return false;
	return true;
}

unsigned md_rexec_failure(struct md_rexec *x, struct md_rexec_failure *f)
{
	unsigned n;

	pthread_mutex_lock(&x->lock);
	n = x->nfail;
	if (n)
		*f = x->fail;
	pthread_mutex_unlock(&x->lock);
	return n;
}

unsigned md_rexec_threads(const struct md_rexec *x)
{
	return x->n;
}

void md_rexec_status(struct md_rexec *x, unsigned i, struct md_rexec_status *st)
{
	const struct md_thread *t = x->cfg.tg->thread(x->cfg.inst, i);

	st->progress = ck_pr_load_64(&x->t[i].progress);
	st->op = ck_pr_load_uint(&x->t[i].cur_op);
	st->rp = ck_pr_load_uint(&t->last_rp);
	st->parked = ck_pr_load_int(&x->t[i].parked) != 0;
	st->done = ck_pr_load_int(&x->t[i].done) != 0;
}

uint64_t md_rexec_op_count(struct md_rexec *x, unsigned code)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < x->n; i++)
		n += ck_pr_load_64(&x->t[i].ops[code]);
	return n;
}

/* ---- pausing ---- */

static void wait_20ms(struct md_rexec *x)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&x->cond, &x->lock, &ts);
}

int md_rexec_pause(struct md_rexec *x, int (*waiting)(void *arg), void *arg)
{
	int ret = 0;

	pthread_mutex_lock(&x->lock);
	ck_pr_store_int(&x->pause, 1);
	while (x->parked < x->n && ret == 0) {
		wait_20ms(x);
		if (ck_pr_load_int(&x->stop))
			ret = 1;
		else if (x->parked < x->n && waiting)
			ret = waiting(arg);
	}
	pthread_mutex_unlock(&x->lock);
	return ret;
}

void md_rexec_resume(struct md_rexec *x)
{
	pthread_mutex_lock(&x->lock);
	ck_pr_store_int(&x->pause, 0);
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void md_rexec_join(struct md_rexec *x)
{
	for (unsigned i = 0; i < x->n; i++) {
		struct md_thread *t = x->cfg.tg->thread(x->cfg.inst, i);

		pthread_join(x->t[i].th, NULL);
		if (t->rp_arg == &x->t[i].chaos) { /* the chaos state goes with @x */
			t->rp_hook = NULL;
			t->rp_arg = NULL;
		}
	}
	pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	free(x->ops);
	free(x->t);
	free(x);
}

/* ---- one program on real threads ---- */

/* Where the threads of a stalled program stand, into @msg. */
static void describe_stall(struct md_rexec *x, char *msg, size_t len)
{
	size_t off = (size_t)snprintf(msg, len, "stall:");

	for (unsigned i = 0; i < x->n && off < len; i++) {
		struct md_rexec_status st;

		md_rexec_status(x, i, &st);
		off += (size_t)snprintf(msg + off, len - off, " t%u %s (op %u, %s)", i,
					st.done ? "done" : "stuck", st.op, md_rp_name(st.rp));
	}
}

/* Wait for every thread; Return: 0, or -1 on a stall (described in @msg). */
static int await(struct md_rexec *x, uint64_t stall_ms, char *msg, size_t len)
{
	struct md_watchdog w;
	int ret = 0;

	if (md_watchdog_init(&w, x->n, stall_ms))
		return -1;
	while (!md_rexec_all_done(x)) {
		if (md_watchdog_check(&w, x, md_now_ms())) {
			describe_stall(x, msg, len);
			ret = -1;
			break;
		}
		usleep(200);
	}
	md_watchdog_fini(&w);
	return ret;
}

enum md_rexec_verdict md_rexec_run_prog(const struct md_target *tg, const struct md_prog *p,
					unsigned mutant, const struct md_chaos_cfg *chaos,
					uint64_t seed, uint64_t stall_ms, char *msg, size_t len)
{
	struct md_rexec_cfg cfg = {.tg = tg, .prog = p, .seed = seed, .chaos = chaos};
	struct md_rexec_failure f;
	struct md_rexec *x;
	int failed;

	cfg.inst = md_target_create(tg, p->nthreads, mutant, 0, 0);
	if (cfg.inst == NULL || md_rexec_start(&x, &cfg))
		return MD_REXEC_ERROR; /* an instance half set up is not worth the risk */
	if (await(x, stall_ms, msg, len))
		return MD_REXEC_STALLED;
	failed = md_rexec_failure(x, &f) != 0;
	md_rexec_join(x);
	if (failed)
		snprintf(msg, len, "postcondition in t%u, %s: %s", f.thread,
			 tg->ops->op[f.op.code].name, f.msg);
	else if (tg->quiesce(cfg.inst, msg, len))
		failed = 1;
	tg->destroy(cfg.inst, !failed); /* failed: corrupted, leave it */
	return failed ? MD_REXEC_FAILED : MD_REXEC_CLEAN;
}
