// SPDX-License-Identifier: MIT
/*
 * Unit tests: the fiber scheduler (harness/md_sched.h): each strategy is
 * reproducible from its seed or bytes, a recorded trace replays exactly and
 * a truncated one is reported as diverged, purpose-built programs
 * deadlock, livelock and stop where they should, the uniform random
 * walk samples interleavings uniformly, and a fuzzer's interleaving map
 * marks each pair once.
 */
#include "md_atomic.h"
#include "md_sched.h"
#include "md_target.h"
#include "testutil.h"

#define BUDGET 100000

struct shared {
	struct md_spinlock a, b;
	uint64_t counter; /* under a */
	int flag;
	unsigned order, norder; /* mode 6: who passed each race point, a digit each */
};

struct farg {
	struct shared *sh;
	unsigned mode, iters;
};

static void worker(struct md_thread *t, void *p)
{
	struct farg *a = p;
	struct shared *sh = a->sh;

	for (unsigned i = 0; i < a->iters; i++) {
		switch (a->mode) {
		case 0: /* counter under lock a */
			md_spin_lock(t, MD_RP_ZONE_LOCK, &sh->a);
			md_race_point(t, MD_RP_PAYLOAD_READ);
			sh->counter++;
			md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &sh->a);
			break;
		case 1: /* a then b */
		case 2: /* b then a: with 1, an ABBA deadlock */
			md_spin_lock(t, MD_RP_ZONE_LOCK, a->mode == 1 ? &sh->a : &sh->b);
			md_race_point(t, MD_RP_PAYLOAD_READ);
			md_spin_lock(t, MD_RP_ZONE_LOCK, a->mode == 1 ? &sh->b : &sh->a);
			md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &sh->a);
			md_spin_unlock(t, MD_RP_ZONE_UNLOCK, &sh->b);
			break;
		case 3: /* livelock: progress race points forever */
			for (;;)
				md_race_point(t, MD_RP_PAYLOAD_READ);
		case 4: /* a failure: stop the run */
			md_race_point(t, MD_RP_PAYLOAD_READ);
			md_sched_stop(t);
			break;
		case 5: /* no locks: both fibers always eligible */
			md_race_point(t, MD_RP_PAYLOAD_READ);
			break;
		case 6: /* as 5, and the order of the steps is kept */
		case 7: /* as 6, each step a write of the one shared word: all conflict */
			if (a->mode == 7)
				md_race_access(t, MD_RP_PAYLOAD_WRITE, &sh->counter, 1);
			else
				md_race_point(t, MD_RP_PAYLOAD_READ);
			/* atomics: the fibers have no happens-before for TSan to see */
			__atomic_store_n(&sh->order,
					 __atomic_load_n(&sh->order, __ATOMIC_RELAXED) * 10 +
					     t->id + 1,
					 __ATOMIC_RELAXED);
			__atomic_fetch_add(&sh->norder, 1, __ATOMIC_RELAXED);
			break;
		}
	}
}

struct run {
	struct shared sh;
	struct md_thread t[3];
	struct farg a[3];
	struct md_sched *s;
	enum md_sched_result res;
	uint8_t trace[4096];
	size_t len;
};

static void run_it(struct run *r, unsigned n, const unsigned *modes, unsigned iters,
		   const struct md_sched_source *src)
{
	struct md_thread *tp[3];
	void *args[3];
	const uint8_t *tr;

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < n; i++) {
		r->t[i].id = i;
		r->a[i] = (struct farg){&r->sh, modes[i], iters};
		tp[i] = &r->t[i];
		args[i] = &r->a[i];
	}
	r->s = md_sched_create(n, tp, worker, args, src, BUDGET);
	r->res = md_sched_run(r->s);
	tr = md_sched_trace(r->s, &r->len);
	if (r->len > sizeof(r->trace))
		r->len = sizeof(r->trace);
	memcpy(r->trace, tr, r->len);
}

static int same_trace(const struct run *x, const struct run *y)
{
	return x->len == y->len && memcmp(x->trace, y->trace, x->len) == 0;
}

static void test_reproducible(uint64_t seed)
{
	static struct run x, y, z;
	const unsigned modes[3] = {0, 0, 0};
	struct md_sched_source src = {.strategy = MD_SCHED_RANDOM, .seed = seed};

	run_it(&x, 3, modes, 50, &src);
	run_it(&y, 3, modes, 50, &src);
	ok(x.res == MD_SCHED_DONE && x.sh.counter == 150,
	   "random: 3 fibers x 50 locked increments = 150");
	ok(same_trace(&x, &y) && x.len > 100, "random: the same seed takes the same %zu decisions",
	   x.len);
	src.seed = seed + 1;
	run_it(&z, 3, modes, 50, &src);
	ok(!same_trace(&x, &z), "random: another seed takes another interleaving");
	md_sched_destroy(x.s);
	md_sched_destroy(y.s);
	md_sched_destroy(z.s);

	src = (struct md_sched_source){.strategy = MD_SCHED_PCT, .seed = seed, .depth = 3};
	run_it(&x, 3, modes, 50, &src);
	run_it(&y, 3, modes, 50, &src);
	ok(x.res == MD_SCHED_DONE && x.sh.counter == 150 && same_trace(&x, &y),
	   "pct (depth 3): reproducible from its seed");
	md_sched_destroy(x.s);
	md_sched_destroy(y.s);
}

static void test_bytes_and_replay(uint64_t seed)
{
	static struct run x, y, z;
	const unsigned modes[2] = {5, 5};
	uint8_t bytes[64];
	struct md_sched_source src = {
	    .strategy = MD_SCHED_BYTES, .bytes = bytes, .len = sizeof(bytes)};
	int follows = 1;

	for (unsigned i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(seed >> (i % 56)) ^ (uint8_t)i;
	run_it(&x, 2, modes, 20, &src);
	/* both fibers stay eligible (20 race points each): decision i is bytes[i] % 2 */
	for (unsigned i = 0; i < 16 && i < x.len; i++)
		follows &= x.trace[i] == bytes[i] % 2;
	ok(x.res == MD_SCHED_DONE && follows && x.len > 16,
	   "bytes: the first 16 decisions are the input bytes mod 2");
	src = (struct md_sched_source){.strategy = MD_SCHED_REPLAY, .bytes = x.trace, .len = x.len};
	run_it(&y, 2, modes, 20, &src);
	ok(y.res == MD_SCHED_DONE && same_trace(&x, &y), "replay of the recorded trace: identical");
	src.len = x.len / 2;
	run_it(&z, 2, modes, 20, &src);
	ok(z.res == MD_SCHED_DIVERGED, "replay of a truncated trace: diverged at step %zu", z.len);
	md_sched_destroy(x.s);
	md_sched_destroy(y.s);
	md_sched_destroy(z.s);
}

static void test_deadlock_livelock_stop(void)
{
	static struct run x;
	const unsigned abba[2] = {1, 2}, live[1] = {3}, stop[2] = {0, 4};
	/* T0 takes a; T1 takes b; then each wants the other's */
	uint8_t order[16] = {0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	struct md_sched_source src = {
	    .strategy = MD_SCHED_BYTES, .bytes = order, .len = sizeof(order)};
	int done;

	run_it(&x, 2, abba, 1, &src);
	ok(x.res == MD_SCHED_DEADLOCK, "ABBA locking under a forcing schedule: %s",
	   md_sched_result_name(x.res));
	ok(md_sched_where(x.s, 0, &done) == MD_RP_ZONE_LOCK && !done, "where: T0 is stuck at %s",
	   md_rp_name(md_sched_where(x.s, 0, &done)));
	md_sched_destroy(x.s);
	src = (struct md_sched_source){.strategy = MD_SCHED_RANDOM, .seed = 1};
	run_it(&x, 1, live, 1, &src);
	ok(x.res == MD_SCHED_LIVELOCK && md_sched_steps(x.s) > BUDGET,
	   "an endless loop of race points: livelock after the %u-step budget", BUDGET);
	md_sched_destroy(x.s);
	run_it(&x, 2, stop, 1, &src);
	ok(x.res == MD_SCHED_STOPPED, "md_sched_stop() ends the run: %s",
	   md_sched_result_name(x.res));
	md_sched_destroy(x.s);
}

/*
 * URW with exact estimates: two fibers of 2 independent steps each have
 * C(4,2) = 6 interleavings, each of probability 1/6; a random walk (switch
 * or not, then a fiber) gives them other odds.  And with 3 steps against 1,
 * the first step is fiber 0's with probability 3/4.
 */
#define URW_RUNS 6000u
static unsigned step_order(uint64_t seed, unsigned strategy, unsigned mode, unsigned a, unsigned b)
{
	static struct run x;
	const uint64_t ev[2] = {a, b};
	const struct md_sched_source src = {.strategy = strategy, .seed = seed, .events = ev};
	struct md_thread *tp[2] = {&x.t[0], &x.t[1]};
	void *args[2] = {&x.a[0], &x.a[1]};

	memset(&x, 0, sizeof(x));
	for (unsigned i = 0; i < 2; i++) {
		x.t[i].id = i;
		x.a[i] = (struct farg){&x.sh, mode, i ? b : a};
	}
	x.s = md_sched_create(2, tp, worker, args, &src, BUDGET);
	x.res = md_sched_run(x.s);
	md_sched_destroy(x.s);
	return x.res == MD_SCHED_DONE && x.sh.norder == a + b ? x.sh.order : 0;
}

static void test_urw(uint64_t seed)
{
	static const unsigned orders[6] = {1122, 1212, 1221, 2112, 2121, 2211};
	unsigned count[6] = {0}, random[6] = {0}, first = 0, bad = 0;
	unsigned lo = URW_RUNS, hi = 0, rlo = URW_RUNS, rhi = 0;

	for (uint64_t r = 0; r < URW_RUNS; r++) {
		unsigned o = step_order(seed * URW_RUNS + r, MD_SCHED_URW, 6, 2, 2), k;
		unsigned q = step_order(seed * URW_RUNS + r, MD_SCHED_RANDOM, 6, 2, 2);

		for (k = 0; k < 6 && orders[k] != o; k++)
			;
		k < 6 ? count[k]++ : bad++;
		for (k = 0; k < 6 && orders[k] != q; k++)
			;
		if (k < 6)
			random[k]++;
		first += step_order(seed * URW_RUNS + r, MD_SCHED_URW, 6, 3, 1) / 1000 == 1;
	}
	for (unsigned k = 0; k < 6; k++) {
		lo = count[k] < lo ? count[k] : lo;
		hi = count[k] > hi ? count[k] : hi;
		rlo = random[k] < rlo ? random[k] : rlo;
		rhi = random[k] > rhi ? random[k] : rhi;
	}
	ok(bad == 0 && lo >= URW_RUNS / 6 - 150 && hi <= URW_RUNS / 6 + 150,
	   "urw, 2+2 steps: each of the 6 interleavings %u..%u times in %u (1/6: %u)", lo, hi,
	   URW_RUNS, URW_RUNS / 6);
	ok(rhi - rlo > 300, "... a random walk's are not uniform: %u..%u", rlo, rhi);
	ok(first >= URW_RUNS * 3 / 4 - 150 && first <= URW_RUNS * 3 / 4 + 150,
	   "urw, 3 steps against 1: the first is the 3's %u times in %u (3/4: %u)", first, URW_RUNS,
	   URW_RUNS * 3 / 4);
}

/*
 * POS, 3 writes against 1 of the same word: whenever both are pending, the
 * loser draws a new priority and the winner's next write draws one, so each
 * is a fair coin: 2111 1/2, 1211 1/4, 1121 and 1112 1/8 each.  (Were the
 * loser to keep its priority, it would have lost to a random one and win
 * the next coin only 1/3 of the time: 1211 at 1/6.)  The same writes
 * without their address conflict with nothing: no coin is fresh.
 */
static void test_pos(uint64_t seed)
{
	static const unsigned orders[4] = {2111, 1211, 1121, 1112};
	unsigned count[4] = {0}, bad = 0;

	for (uint64_t r = 0; r < URW_RUNS; r++) {
		unsigned o = step_order(seed * URW_RUNS + r, MD_SCHED_POS, 7, 3, 1), k;

		for (k = 0; k < 4 && orders[k] != o; k++)
			;
		k < 4 ? count[k]++ : bad++;
	}
	ok(bad == 0 && count[0] > URW_RUNS / 2 - 200 && count[0] < URW_RUNS / 2 + 200 &&
	       count[1] > URW_RUNS / 4 - 150 && count[1] < URW_RUNS / 4 + 150 &&
	       count[2] > URW_RUNS / 8 - 120 && count[3] > URW_RUNS / 8 - 120,
	   "pos, 3 conflicting writes against 1: 2111 %u, 1211 %u, 1121 %u, 1112 %u in %u "
	   "(1/2, 1/4, 1/8, 1/8)",
	   count[0], count[1], count[2], count[3], URW_RUNS);
	ok(step_order(seed, MD_SCHED_POS, 7, 3, 1) == step_order(seed, MD_SCHED_POS, 7, 3, 1),
	   "pos: the same seed takes the same order");
}

/*
 * Two fibers alternating between the same race point switch many times
 * through one pair (payload read left, payload read resumed): the map
 * marks it 1, whatever the count (md_sched_coverage).
 */
static void test_coverage(void)
{
	static struct run x;
	static uint8_t cov[MD_RP_MAX * MD_RP_MAX];
	const unsigned modes[2] = {5, 5};
	size_t pair = (size_t)MD_RP_PAYLOAD_READ * MD_RP_MAX + MD_RP_PAYLOAD_READ;
	uint8_t bytes[40];
	struct md_sched_source src = {
	    .strategy = MD_SCHED_BYTES, .bytes = bytes, .len = sizeof(bytes)};
	unsigned switches = 0, marked = 0, over = 0;

	for (unsigned i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i % 2);
	md_sched_coverage(cov, sizeof(cov));
	run_it(&x, 2, modes, 20, &src);
	md_sched_coverage(NULL, 0);
	for (size_t i = 1; i < x.len; i++)
		switches += x.trace[i] != x.trace[i - 1];
	for (size_t i = 0; i < sizeof(cov); i++) {
		marked += cov[i] != 0;
		over += cov[i] > 1;
	}
	ok(x.res == MD_SCHED_DONE && switches >= 30 && cov[pair] == 1 && over == 0,
	   "coverage: %u switches, the pair (payload read, payload read) is 1 (%u), no cell over 1 "
	   "(%u)",
	   switches, cov[pair], over);
	ok(marked >= 1 && marked <= 3, "coverage: %u pairs marked (the alternation's, its start's)",
	   marked);
	md_sched_destroy(x.s);
	memset(cov, 0, sizeof(cov));
	run_it(&x, 2, modes, 20, &src);
	for (size_t i = marked = 0; i < sizeof(cov); i++)
		marked += cov[i] != 0;
	ok(marked == 0, "coverage off (NULL): nothing marked");
	md_sched_destroy(x.s);
}

int main(int argc, char **argv)
{
	uint64_t seed = tap_init(argc, argv);

	if (!need_race_points("scheduler"))
		return tap_done();
	test_reproducible(seed);
	test_bytes_and_replay(seed);
	test_deadlock_livelock_stop();
	test_urw(seed);
	test_pos(seed);
	test_coverage();
	return tap_done();
}
