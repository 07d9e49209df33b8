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

/**
 * md_intr_arm() - install the handlers (idempotent); call it before the
 * run's threads are created.  In a TSan build it blocks the two signals
 * instead, in this thread and those created after it (md_intr.c says why).
 */
void md_intr_arm(void);

/**
 * md_intr_pending() - a signal asked the run to stop.  One load; any
 * thread.  In a TSan build it also takes the signals that wait (and exits
 * on the second), so only the thread that armed them should poll.
 */
bool md_intr_pending(void);

#endif
