// SPDX-License-Identifier: MIT
/*
 * report.c - what `mdt stress` prints and writes: the live line, the
 * summary, the watchdog's report, the rerun command and the JSON summary.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "md_config.h"
#include "md_mutant.h"
#include "../cli/md_opt.h"
#include "stress.h"

const char *stress_op_name(const struct stress *s, unsigned code)
{
	if (code == MD_REXEC_HANG_OP)
		return "selftest_hang";
	return code < s->tg->ops->nops ? s->tg->ops->op[code].name : "?";
}

static uint64_t retries(const uint64_t *st)
{
	return st[MD_ST_TRYGET_ZERO] + st[MD_ST_REVALIDATE] + st[MD_ST_LOCK_RECHECK] +
	       st[MD_ST_EAGAIN];
}

void stress_progress(struct stress *s, struct md_rexec *x, uint64_t elapsed_ms, int tty)
{
	static uint64_t last_all, last_ms;
	struct md_rexec_failure f;
	uint64_t all = 0, dt = elapsed_ms - last_ms;

	for (unsigned k = 0; k < s->tg->ops->nops; k++)
		all += md_rexec_op_count(x, k);
	printf("%s[%5.1fs/%.0fs] %10" PRIu64 " ops %9.0f ops/s  failures %u  checkpoints %" PRIu64
	       "%s",
	       tty ? "\r" : "", (double)elapsed_ms / 1000, (double)s->o.duration_ms / 1000, all,
	       dt ? (double)(all - last_all) * 1000.0 / (double)dt : 0.0,
	       s->nfailures + md_rexec_failure(x, &f), s->checkpoints, tty ? "   " : "\n");
	fflush(stdout);
	last_all = all;
	last_ms = elapsed_ms;
}

void stress_summary(struct stress *s)
{
	uint64_t all = 0;
	double secs = s->secs > 0 ? s->secs : 1;

	printf("\n%-16s %12s %12s\n", "op", "count", "ops/s");
	for (unsigned k = 0; k < s->tg->ops->nops; k++) {
		all += s->ops[k];
		printf("%-16s %12" PRIu64 " %12.0f\n", stress_op_name(s, k), s->ops[k],
		       (double)s->ops[k] / secs);
	}
	printf("%-16s %12" PRIu64 " %12.0f\n", "total", all, (double)all / secs);
	printf("\n%-18s %12s %12s\n", "event", "count", "per s");
	for (unsigned k = 0; k < MD_ST__COUNT; k++)
		if (k == MD_ST_EPOCH_BACKLOG_HWM)
			printf("%-18s %12" PRIu64 " %12s\n", md_stat_name(k), s->stats[k], "-");
		else
			printf("%-18s %12" PRIu64 " %12.1f\n", md_stat_name(k), s->stats[k],
			       (double)s->stats[k] / secs);
	printf("%-18s %12" PRIu64 "\n", "retries", retries(s->stats));
}

void stress_stall_report(struct stress *s, struct md_rexec *x, const struct md_watchdog *w)
{
	uint64_t now = md_now_ms();

	printf("\nSTALL: a thread made no progress for %.1fs\n", (double)s->o.stall_ms / 1000);
	for (unsigned i = 0; i < md_rexec_threads(x); i++) {
		struct md_rexec_status st;

		md_rexec_status(x, i, &st);
		printf("  t%u: op %s, last race point %s, %" PRIu64 " ops done, %s %.1fs\n", i,
		       stress_op_name(s, st.op), md_rp_name(st.rp), st.progress,
		       st.done ? "done" : "idle", (double)md_watchdog_idle_ms(w, i, now) / 1000);
	}
}

/*
 * The rerun line (the same options, the seed made explicit), made once at
 * the start: a crash handler prints it too.
 */
void stress_make_rerun(struct stress *s)
{
	char extra[96] = "", cmd[sizeof(s->rerun) - 16];

	if (s->mutant && !s->mutant_given)
		snprintf(extra, sizeof(extra), "--mutant %s", md_bug_name(s->mutant));
	md_opt_rerun(cmd, sizeof(cmd), s->o.argc, s->o.argv, s->o.seed, extra);
	snprintf(s->rerun, sizeof(s->rerun), "rerun: %s\n", cmd);
}

void stress_print_rerun(const struct stress *s)
{
	fputs(s->rerun, stdout);
	fflush(stdout);
}

static void json_ops(struct stress *s, struct md_json *j)
{
	uint64_t all = 0;

	for (unsigned k = 0; s->ops && k < s->tg->ops->nops; k++)
		all += s->ops[k];
	md_json_u64(j, "ops_total", all);
	md_json_obj(j, "ops");
	for (unsigned k = 0; s->ops && k < s->tg->ops->nops; k++)
		md_json_u64(j, stress_op_name(s, k), s->ops[k]);
	md_json_close(j);
	md_json_obj(j, "retries");
	md_json_u64(j, "tryget_zero", s->stats[MD_ST_TRYGET_ZERO]);
	md_json_u64(j, "revalidate", s->stats[MD_ST_REVALIDATE]);
	md_json_u64(j, "lock_recheck", s->stats[MD_ST_LOCK_RECHECK]);
	md_json_u64(j, "eagain", s->stats[MD_ST_EAGAIN]);
	md_json_close(j);
	md_json_obj(j, "events");
	for (unsigned k = 0; k < MD_ST__COUNT; k++)
		md_json_u64(j, md_stat_name(k), s->stats[k]);
	md_json_close(j);
}

int stress_write_json(struct stress *s)
{
	struct md_json j;

	md_json_begin(&j, s->json.f);
	md_json_u64(&j, "seed", s->o.seed);
	md_json_str(&j, "target", s->tg->name);
	md_json_u64(&j, "threads", s->o.threads);
	md_json_u64(&j, "compactors", s->o.compactors);
	md_json_f64(&j, "duration_s", s->secs, 3);
	md_json_str(&j, "variant", md_build_variant());
	md_json_u64(&j, "frames", s->o.frames);
	md_json_str(&j, "mutant", s->mutant ? md_bug_name(s->mutant) : "none");
	md_json_u64(&j, "rounds", s->o.rounds);
	json_ops(s, &j);
	md_json_u64(&j, "checkpoints", s->checkpoints);
	md_json_u64(&j, "violations", s->violations);
	md_json_arr(&j, "failures");
	if (s->nfailures)
		md_json_str(&j, NULL, s->failure);
	md_json_close(&j);
	md_json_u64(&j, "stalls", s->stalls);
	md_json_u64(&j, "interrupted", (uint64_t)s->interrupted);
	md_json_obj(&j, "footprint");
	for (unsigned i = 0; i < s->nmetrics; i++)
		md_json_f64(&j, s->metrics[i].name, s->metrics[i].value, s->metrics[i].prec);
	md_json_close(&j);
	md_json_end(&j);
	if (md_outfile_commit(&s->json) == 0)
		return 0;
	fprintf(stderr, "mdt stress: writing '%s' failed: %m\n", s->o.json);
	return -1;
}
