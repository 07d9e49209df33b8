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

void md_intr_arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_intr;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool md_intr_pending(void)
{
	return atomic_load_explicit(&pending, memory_order_relaxed) != 0;
}

/*
 * TSan runs a handler for an asynchronous signal only when the thread that
 * took it next leaves one of its interceptors, and it queues the signal on
 * the current fiber's state: a fiber that passes no interceptor before it
 * is destroyed loses it, so Ctrl-C never reached the deterministic engine.
 * Held around the fibers' run, the signal waits in the kernel and arrives
 * at md_intr_release(), in the thread's own context (the pthread_sigmask
 * interceptor runs the handler on its way out).  Elsewhere: nothing to do.
 */
static void intr_mask(int how)
{
#if defined(MD_TSAN)
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(how, &set, NULL);
#else
	(void)how;
#endif
}

void md_intr_hold(void)
{
	intr_mask(SIG_BLOCK);
}

void md_intr_release(void)
{
	intr_mask(SIG_UNBLOCK);
}
