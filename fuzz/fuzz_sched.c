// SPDX-License-Identifier: MIT
/*
 * fuzz_sched.c - the input is a program and its schedule decisions
 * (md_repro.h's format), run by the deterministic scheduler: the same input
 * always takes the same path.  A failure aborts, so the engine keeps it.
 */
#include "md_fuzz.h"
#include "md_mutant.h"
#include "md_repro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_repro r;
	static struct md_exec_result res;
	struct md_sched_source src;
	unsigned mutant = md_fuzz_init();
	char err[160];

	/* raw bytes are a program of the campaign's target (mdt fuzz --target), if any */
	if (md_repro_decode_as(&r, data, size, 0, md_fuzz_target(), err, sizeof(err)))
		return -1; /* a trailer naming what this build lacks: not an input for it */
	if (md_fuzz_target() && r.tg != md_fuzz_target())
		return -1; /* another target's input: not this campaign's */
	/*
	 * Bytes mode: a recorded trace replays the same in it, and a mutated
	 * one never diverges (past its end the run goes on without switching).
	 */
	src = md_repro_source(&r);
	src.strategy = MD_SCHED_BYTES;
	/* the file's mutant, else the campaign's where it is seeded in the input's target */
	if (r.mutant == 0 && md_bug_fits(mutant, r.tg))
		r.mutant = mutant;
	if (md_exec_run(r.tg, &r.p, &src, r.mutant, MD_FUZZ_BUDGET, &res) == MD_FAIL_NONE)
		return 0;
	md_fuzz_fail(&res);
}
