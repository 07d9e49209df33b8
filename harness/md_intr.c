// SPDX-License-Identifier: MIT
/*
 * md_intr.c - the first SIGINT/SIGTERM sets a flag the drivers poll between
 * runs and ops; the second one exits at once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "md_config.h"
#include "md_crash.h"
#include "md_intr.h"
#include "../sanitizers/md_tsan.h"

/*
 * Lock-free, so async-signal-safe; atomic because the handler may run on
 * two threads at once (each took one of two signals).  Relaxed: the flag
 * publishes nothing but itself.
 */
static atomic_int pending;

static void on_intr(int sig)
{
	static const char msg[] = "\nmdt: interrupted again: leaving now\n";

	(void)sig;
	if (atomic_exchange_explicit(&pending, 1, memory_order_relaxed)) {
		/* no exit hooks: TSan's would report the workers as leaked threads */
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			md_exit_now(130);
		md_exit_now(130);
	}
}

/*
 * Under TSan no asynchronous handler runs at all: TSan runs a handler only
 * when the thread that took the signal next leaves one of its interceptors,
 * and queues it on the current fiber's state -- a fiber that passes no
 * interceptor before it is destroyed loses it, and blocking the signals
 * around the fibers' run only narrowed that window (a gate run under load
 * lost a SIGTERM to `repro --search` after the signal landed just before
 * the block).  So there SIGINT and SIGTERM stay blocked from md_intr_arm()
 * on, in every thread created after it, and md_intr_pending() takes them
 * synchronously with sigtimedwait(): the first sets the flag, a second one
 * exits.  Two signals sent before a poll are one (they do not queue): the
 * run then ends as after one, with its summary.
 */
#if defined(MD_TSAN)
static void intr_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}
#endif

void md_intr_arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_intr;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
#if defined(MD_TSAN)
	{
		sigset_t set;

		intr_set(&set);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
#endif
}

bool md_intr_pending(void)
{
#if defined(MD_TSAN)
	static const struct timespec now;
	sigset_t set;

	intr_set(&set);
	while (sigtimedwait(&set, NULL, &now) > 0)
		on_intr(0); /* the second one does not return */
#endif
	return atomic_load_explicit(&pending, memory_order_relaxed) != 0;
}
