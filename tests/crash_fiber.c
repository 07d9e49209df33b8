// SPDX-License-Identifier: MIT
/*
 * crash_fiber.c - a fiber calls through a wild pointer, as a seeded bug's
 * corrupted callback does (tryget_plain_inc: Concurrency Kit's epoch, not
 * instrumented, calls a callback read from a freed descriptor).  Not a TAP
 * test: tests/crash_fiber.sh runs it and reads how the process died.
 *
 * The steps that lost such a crash's artifact:
 *   1. the fiber jumps to a small address; the CPU faults with pc there,
 *      the fiber's stack below;
 *   2. ASan's SEGV handler starts its report and unwinds the stack;
 *   3. the slow (DWARF) unwinder faults on the fiber stack: "nested bug",
 *      the process dies before ASan's death callbacks, so libFuzzer wrote
 *      no crash file and `mdt repro` lost the step and op of the failure.
 * sanitizers/asan.options' fast_unwind_on_fatal=1 walks frame pointers.
 */
#include <stdint.h>
#include <stdio.h>

#include "md_rp.h"
#include "md_sched.h"

static void wild(struct md_thread *t, void *arg)
{
	void (*volatile call)(void) = (void (*)(void))(uintptr_t)0x58;

	(void)arg;
	md_race_point(t, MD_RP_PAYLOAD_READ);
#if defined(__x86_64__)
	/* as from Concurrency Kit's code, built without frame pointers: rbp is 0 */
	__asm__ volatile("xor %%ebp, %%ebp\n\tcall *%0" : : "r"(call) : "memory");
#else
	call();
#endif
}

int main(void)
{
	struct md_thread t = {.id = 0}, *tp = &t;
	void *arg = NULL;
	struct md_sched_source src = {.strategy = MD_SCHED_RANDOM, .seed = 1};
	struct md_sched *s = md_sched_create(1, &tp, wild, &arg, &src, 1000);

	if (s == NULL)
		return 3;
	md_sched_run(s);
	fprintf(stderr, "crash_fiber: the wild call returned\n");
	return 0;
}
