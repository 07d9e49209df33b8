// SPDX-License-Identifier: MIT
/*
 * md_reach.c - reach counters.  They are the measurement's bookkeeping, not
 * code under test: plain ck_pr increments (real threads count concurrently),
 * no race point.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ck_pr.h>

#include "md_reach.h"
#include "../cli/md_json.h"

#define MAX_TARGETS 8

int md_reach_state; /* read by every driver, written once before it starts threads */

static struct {
	const char *path;
	const struct md_target *tg[MAX_TARGETS];
	uint64_t ops[MAX_TARGETS][MD_PROG_MAX_CODES];
	uint64_t rps[MD_RP_MAX];
} reach;

static void write_target(struct md_json *j, unsigned k)
{
	const struct md_op_table *t = reach.tg[k]->ops;

	md_json_obj(j, reach.tg[k]->name);
	for (unsigned c = 0; c < t->nops; c++)
		md_json_u64(j, t->op[c].name, ck_pr_load_64(&reach.ops[k][c]));
	md_json_close(j);
}

/* At exit: the counts as JSON (a temporary file renamed over the path). */
static void reach_write(void)
{
	struct md_outfile o;
	struct md_json j;

	if (md_outfile_open(&o, reach.path)) {
		perror("mdt: MDT_REACH");
		return;
	}
	md_json_begin(&j, o.f);
	md_json_obj(&j, "ops");
	for (unsigned k = 0; k < MAX_TARGETS && reach.tg[k]; k++)
		write_target(&j, k);
	md_json_close(&j);
	md_json_obj(&j, "race_points");
	for (unsigned rp = 0; rp < md_rp_count(); rp++)
		md_json_u64(&j, md_rp_name(rp), ck_pr_load_64(&reach.rps[rp]));
	md_json_close(&j);
	md_json_end(&j);
	if (md_outfile_commit(&o))
		perror("mdt: MDT_REACH");
}

bool md_reach_init(void)
{
	const char *path = getenv("MDT_REACH");
	int on = path && *path;

	/* the first caller registers the writer; any later one sees the state */
	if (ck_pr_cas_int(&md_reach_state, 0, on ? 2 : 1) && on) {
		reach.path = path;
		atexit(reach_write);
	}
	return on;
}

/* The slot of @tg: found, or claimed (a process runs one or two targets). */
static int target_slot(const struct md_target *tg)
{
	for (unsigned k = 0; k < MAX_TARGETS; k++) {
		const struct md_target *cur = ck_pr_load_ptr(&reach.tg[k]);

		if (cur == tg)
			return (int)k;
		if (cur == NULL && ck_pr_cas_ptr(&reach.tg[k], NULL, (void *)tg))
			return (int)k;
		if (ck_pr_load_ptr(&reach.tg[k]) == tg)
			return (int)k;
	}
	return -1;
}

void md_reach_count_op(const struct md_target *tg, unsigned code)
{
	int k = target_slot(tg);

	if (k >= 0 && code < MD_PROG_MAX_CODES)
		ck_pr_inc_64(&reach.ops[k][code]);
}

void md_reach_count_rp(unsigned rp)
{
	if (rp < MD_RP_MAX)
		ck_pr_inc_64(&reach.rps[rp]);
}
