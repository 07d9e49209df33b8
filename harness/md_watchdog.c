// SPDX-License-Identifier: MIT
/*
 * md_watchdog.c - stall detection for real threads.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "md_watchdog.h"

uint64_t md_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int md_watchdog_init(struct md_watchdog *w, unsigned n, uint64_t stall_ms)
{
	w->stall_ms = stall_ms;
	w->n = n;
	w->seen = calloc(n, sizeof(*w->seen));
	w->since = calloc(n, sizeof(*w->since));
	if (w->seen && w->since)
		return 0;
	md_watchdog_fini(w);
	return -ENOMEM;
}

void md_watchdog_fini(struct md_watchdog *w)
{
	free(w->seen);
	free(w->since);
	w->seen = w->since = NULL;
}

int md_watchdog_check(struct md_watchdog *w, struct md_rexec *x, uint64_t now_ms)
{
	int stalled = 0;

	for (unsigned i = 0; i < w->n; i++) {
		struct md_rexec_status st;

		md_rexec_status(x, i, &st);
		if (st.progress != w->seen[i] || w->since[i] == 0 || st.parked || st.done) {
			w->seen[i] = st.progress;
			w->since[i] = now_ms;
		} else if (now_ms - w->since[i] >= w->stall_ms) {
			stalled = 1;
		}
	}
	return stalled;
}

uint64_t md_watchdog_idle_ms(const struct md_watchdog *w, unsigned i, uint64_t now_ms)
{
	return w->since[i] ? now_ms - w->since[i] : 0;
}
