/* SPDX-License-Identifier: MIT */
/*
 * md_intr.h - Ctrl-C and SIGTERM for the long-running commands (stress,
 * explore, repro --search and --update, minimize): the first signal asks
 * the run to stop, and it ends as a run ends (checks, summary, rerun line,
 * JSON) with exit 130 unless it found a failure; a second signal leaves at
 * once with 130.
 */
#ifndef MD_INTR_H
#define MD_INTR_H

#include <stdbool.h>

/** md_intr_arm() - install the handlers (idempotent). */
void md_intr_arm(void);

/**
 * md_intr_hold() / md_intr_release() - around a run of fibers: in a TSan
 * build the signals wait until the release (md_intr.c says why); no-ops
 * elsewhere.
 */
void md_intr_hold(void);
void md_intr_release(void);

/** md_intr_pending() - a signal asked the run to stop.  One load; any thread. */
bool md_intr_pending(void);

#endif
