// SPDX-License-Identifier: MIT
/*
 * md_checkpoint.c - quiescent checks in the middle of a real-thread run.
 */
#include "md_checkpoint.h"

struct waiting {
	struct md_watchdog *w;
	struct md_rexec *x;
};

static int still_waiting(void *arg)
{
	struct waiting *wt = arg;

	return md_watchdog_check(wt->w, wt->x, md_now_ms()) ? MD_CHECKPOINT_STALL : 0;
}

enum md_checkpoint_result md_checkpoint_pause(struct md_rexec *x, struct md_watchdog *w)
{
	struct waiting wt = {w, x};
	int r = md_rexec_pause(x, still_waiting, &wt);

	if (r == 0)
		return MD_CHECKPOINT_CLEAN;
	return r == MD_CHECKPOINT_STALL ? MD_CHECKPOINT_STALL : MD_CHECKPOINT_STOPPED;
}

enum md_checkpoint_result md_checkpoint_check(const struct md_target *tg, void *inst, char *msg,
					      size_t len)
{
	return tg->quiesce(inst, msg, len) ? MD_CHECKPOINT_VIOLATION : MD_CHECKPOINT_CLEAN;
}
