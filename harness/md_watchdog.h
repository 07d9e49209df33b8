/* SPDX-License-Identifier: MIT */
/*
 * md_watchdog.h - stall detection for real threads: a thread whose op count
 * has not moved for the stall time, while it is not parked or done, is stuck
 * (a lost lock bit, a livelock, a missed wakeup).
 */
#ifndef MD_WATCHDOG_H
#define MD_WATCHDOG_H

#include <stdint.h>

#include "md_rexec.h"

struct md_watchdog {
	uint64_t stall_ms;
	unsigned n;
	uint64_t *seen, *since; /* [n]: last progress seen, and when it last moved */
};

/** md_watchdog_init() - watch the @n threads of an executor.  Return: 0 or -ENOMEM. */
int md_watchdog_init(struct md_watchdog *w, unsigned n, uint64_t stall_ms);

void md_watchdog_fini(struct md_watchdog *w);

/**
 * md_watchdog_check() - look at every thread of @x at @now_ms.
 * Return: 1 when one has made no progress for the stall time, else 0.
 */
int md_watchdog_check(struct md_watchdog *w, struct md_rexec *x, uint64_t now_ms);

/** md_watchdog_idle_ms() - how long thread @i has made no progress, at @now_ms. */
uint64_t md_watchdog_idle_ms(const struct md_watchdog *w, unsigned i, uint64_t now_ms);

/** md_now_ms() - CLOCK_MONOTONIC in milliseconds. */
uint64_t md_now_ms(void);

#endif
