// SPDX-License-Identifier: MIT
/*
 * history.c - a target whose one seeded bug crashes only in a process that
 * has already run many programs: a model of a detector whose verdict
 * depends on the process's history, as TSan's does (it keeps four accesses
 * per 8 bytes, and which survive depends on everything run before).
 * tests/target_drop.sh drops it in as targets/history.c: explore must not
 * keep such a crash (a fresh process replaying it passes) but go on in a
 * fresh process from the next run.  (Not in targets/: a test's target.)
 *
 * Seeded bug history_crash: abort() in the 41st and later instance a
 * process creates.
 */
#include <stdlib.h>

#include "md_ck_pr.h" /* first: ck_pr's API as race points */
#include "md_target.h"

#define HISTORY_CRASH_AFTER 40 /* instances a process creates before the crash */

struct history {
	unsigned value;
	unsigned bug;	     /* 1: history_crash */
	struct md_thread *t; /* [threads] */
};

static unsigned created; /* per process: what the bug depends on */

static const struct md_op_desc history_ops[] = {
    {"tick", {NULL, NULL}, {0, 0}, {0, 0}, 1, "add one to a counter"},
};

static const struct md_op_table history_table = {1, history_ops};

static const struct md_mutant_info history_bugs[] = {
    {"history_crash", "history", MD_DET_ORACLE, "(history target) abort after 40 instances",
     "a verdict that depends on the process's history"},
};

static void history_destroy(void *inst, int clean)
{
	struct history *h = inst;

	(void)clean;
	free(h->t);
	free(h);
}

static void *history_create(const struct md_target_cfg *cfg)
{
	struct history *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->t = calloc(cfg->nthreads, sizeof(*h->t))) == NULL) {
		free(h);
		return NULL;
	}
	h->bug = cfg->mutant;
	for (unsigned i = 0; i < cfg->nthreads; i++)
		h->t[i].id = i;
	created++;
	return h;
}

static struct md_thread *history_thread(void *inst, unsigned i)
{
	return &((struct history *)inst)->t[i];
}

static int history_run_op(void *inst, unsigned i, const struct md_op *op, char *msg, size_t len)
{
	struct history *h = inst;

	(void)i, (void)op, (void)msg, (void)len;
	if (h->bug && created > HISTORY_CRASH_AFTER)
		abort();
	ck_pr_inc_uint(&h->value);
	return 0;
}

static int history_quiesce(void *inst, char *msg, size_t len)
{
	(void)inst, (void)msg, (void)len;
	return 0;
}

const struct md_target md_target_history = {
    .name = "history",
    .ops = &history_table,
    .bugs = history_bugs,
    .nbugs = 1,
    .create = history_create,
    .thread = history_thread,
    .run_op = history_run_op,
    .quiesce = history_quiesce,
    .destroy = history_destroy,
};
