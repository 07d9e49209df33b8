// SPDX-License-Identifier: MIT
/*
 * md_minimize.c - shrink a failing program (md_minimize.h).
 */
#include <string.h>

#include "md_minimize.h"

struct min {
	struct md_prog *best; /* fails; every kept candidate is copied here */
	md_min_pred *pred;
	void *arg;
	unsigned asked;
	struct md_prog smallest; /* the failing program with the smallest encoding seen */
	size_t smallest_size;
};

size_t md_min_size(const struct md_prog *p)
{
	static uint8_t buf[3u * MD_PROG_MAX_OPS + MD_PROG_MAX_SCHED + 16u];

	return md_prog_encode(p, buf, sizeof(buf));
}

/*
 * Keep @cand if it still fails: fewer ops or threads are progress even when
 * the schedule that fails them is longer (@any_size); arguments and the
 * schedule only shrink.  The smallest encoding seen is remembered.
 */
static int try_keep(struct min *m, struct md_prog *cand, unsigned effort, int any_size)
{
	size_t n;

	m->asked++;
	if (!m->pred(cand, effort, m->arg))
		return 0;
	n = md_min_size(cand);
	if (!any_size && n > md_min_size(m->best))
		return 0;
	*m->best = *cand;
	if (n < m->smallest_size) {
		m->smallest = *cand;
		m->smallest_size = n;
	}
	return 1;
}

static void drop_op(struct md_prog *p, unsigned i)
{
	memmove(&p->op[i], &p->op[i + 1], (p->nops - i - 1) * sizeof(p->op[0]));
	p->nops--;
}

/* 1: what a thread would have done after its failing op never ran. */
static void min_tail(struct min *m, unsigned fail_op)
{
	static struct md_prog cand;
	unsigned th;

	if (fail_op >= m->best->nops)
		return;
	cand = *m->best;
	th = cand.op[fail_op].thread;
	for (unsigned i = cand.nops; i-- > fail_op + 1;)
		if (cand.op[i].thread == th)
			drop_op(&cand, i);
	if (cand.nops < m->best->nops)
		try_keep(m, &cand, 8, 1);
}

static int min_ops(struct min *m)
{
	static struct md_prog cand;
	int changed = 0;

	for (unsigned i = m->best->nops; i-- > 0;) {
		if (i >= m->best->nops)
			continue;
		cand = *m->best;
		drop_op(&cand, i);
		changed |= try_keep(m, &cand, 8, 1);
	}
	return changed;
}

static int min_threads(struct min *m)
{
	static struct md_prog cand;
	int changed = 0;

	for (unsigned th = m->best->nthreads; th-- > 0 && m->best->nthreads > 1;) {
		if (th >= m->best->nthreads)
			continue;
		cand = *m->best;
		for (unsigned i = cand.nops; i-- > 0;)
			if (cand.op[i].thread == th)
				drop_op(&cand, i);
			else if (cand.op[i].thread > th)
				cand.op[i].thread--;
		cand.nthreads--;
		changed |= try_keep(m, &cand, 8, 1);
	}
	return changed;
}

static void min_args(struct min *m)
{
	static struct md_prog cand;

	for (unsigned i = 0; i < m->best->nops; i++)
		for (unsigned k = 0; k < 2; k++) {
			cand = *m->best;
			if ((k ? cand.op[i].b : cand.op[i].a) == 0)
				continue;
			*(k ? &cand.op[i].b : &cand.op[i].a) = 0;
			try_keep(m, &cand, 4, 0);
		}
}

/* 4: the shortest failing prefix of decisions (the rest runs on without preemption), then zeroed
 * chunks. */
static void min_sched(struct min *m)
{
	static struct md_prog cand;
	size_t lo = 0, hi = m->best->nsched;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		cand = *m->best;
		cand.nsched = mid;
		if (try_keep(m, &cand, 0, 0))
			hi = mid < m->best->nsched ? mid : m->best->nsched;
		else
			lo = mid + 1;
	}
	for (size_t chunk = m->best->nsched / 2; chunk >= 1; chunk /= 2)
		for (size_t at = 0; at + chunk <= m->best->nsched; at += chunk) {
			int nonzero = 0;

			cand = *m->best;
			for (size_t j = at; j < at + chunk; j++)
				nonzero |= cand.sched[j], cand.sched[j] = 0;
			if (nonzero)
				try_keep(m, &cand, 0, 0);
		}
}

unsigned md_minimize(struct md_prog *p, unsigned fail_op, md_min_pred *pred, void *arg)
{
	static struct min m;

	m = (struct min){.best = p, .pred = pred, .arg = arg};
	m.smallest = *p;
	m.smallest_size = md_min_size(p);
	min_tail(&m, fail_op);
	while (min_ops(&m) | min_threads(&m))
		;
	min_args(&m);
	min_sched(&m);
	if (md_min_size(p) > m.smallest_size)
		*p = m.smallest; /* never larger than the smallest failing program seen */
	return m.asked;
}
