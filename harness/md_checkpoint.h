/* SPDX-License-Identifier: MIT */
/*
 * md_checkpoint.h - quiescent checks in the middle of a real-thread run:
 * every thread parks between two ops (each finishes the one in flight), the
 * target's invariants are checked with what the threads hold, and they go
 * on.  A stall while waiting for them to park is the watchdog's verdict.
 */
#ifndef MD_CHECKPOINT_H
#define MD_CHECKPOINT_H

#include <stddef.h>

#include "md_watchdog.h"

enum md_checkpoint_result {
	MD_CHECKPOINT_CLEAN,
	MD_CHECKPOINT_VIOLATION, /* @msg says which invariant */
	MD_CHECKPOINT_STOPPED,	 /* the run stopped while the threads were parking */
	MD_CHECKPOINT_STALL,	 /* a thread never parked: the watchdog fired */
};

/**
 * md_checkpoint_pause() - park every thread of @x; @w watches meanwhile.
 * Return: CLEAN when all are parked, STOPPED or STALL.
 */
enum md_checkpoint_result md_checkpoint_pause(struct md_rexec *x, struct md_watchdog *w);

/**
 * md_checkpoint_check() - with every thread parked: the target's quiescent
 * check of @inst.  Return: CLEAN, or VIOLATION with @msg.
 */
enum md_checkpoint_result md_checkpoint_check(const struct md_target *tg, void *inst, char *msg,
					      size_t len);

#endif
